"""Switching the language changes the words on a page, never a figure.

Every page with figures is read in English and in each other language; the numbers a
person reads (decimal commas turned back into points) and the numbers in the charts' data
must be the same, in the same order.
"""

import datetime
import html
import json
import random
import re

import pytest
from django.conf import settings
from django.urls import reverse

from scoring.services import score_store
from surveys.models import AssessmentStatus
from tests import factories

pytestmark = pytest.mark.django_db

OTHER_LANGUAGES = [code for code, _ in settings.LANGUAGES if code != "en"]
NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
# A date written with its month as a number (Greek: 06/12/2026) reads as the day and the
# year, as "6 Dec 2026" does in English.
NUMERIC_DATE = re.compile(r"\b(\d{1,2})[/.](\d{1,2})[/.](\d{4})\b")
SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.S)


def _numbers(value) -> list[float]:
    if isinstance(value, bool) or value is None:
        return []
    if isinstance(value, int | float):
        return [value]
    if isinstance(value, dict):
        return [n for key in sorted(value) for n in _numbers(value[key])]
    if isinstance(value, list):
        return [n for item in value for n in _numbers(item)]
    return []


def figures(content: str) -> tuple[list[str], list[float]]:
    """(the numbers in the text a person reads, the numbers in the pages' JSON chart data)."""
    data: list[float] = []
    for attributes, body in SCRIPT.findall(content):
        if "application/json" in attributes:
            data.extend(_numbers(json.loads(body)))
    text = SCRIPT.sub(" ", content)
    text = re.sub(r"<style\b.*?</style>", " ", text, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", text)
    text = NUMERIC_DATE.sub(r"\1 \3", html.unescape(text))
    return [_plain(n) for n in NUMBER.findall(text)], data


def _plain(number: str) -> str:
    """62,5 -> 62.5 and 06 -> 6."""
    number = number.replace(",", ".")
    return number if "." in number else str(int(number))


@pytest.fixture
def figures_data(brand, other_brand, version):
    """Three projects in two brands with validated assessments over several quarters, with
    answers drawn at random (seeded) so that the figures have decimals."""
    draw = random.Random(19)
    keys = [q.key for q in version.questions.all()]
    projects = [
        factories.ProjectFactory(brand=brand),
        factories.ProjectFactory(brand=brand),
        factories.ProjectFactory(brand=other_brand),
    ]
    for project in projects:
        for day in (
            datetime.date(2025, 11, 5),
            datetime.date(2026, 2, 9),
            datetime.date(2026, 8, 3),
        ):
            answers = {key: draw.choice(["yes", "partly", "no"]) for key in keys}
            assessment = factories.assessment(
                project,
                version,
                status=AssessmentStatus.VALIDATED,
                answers=answers,
                assessed_on=day,
            )
            score_store(assessment=assessment)
    return projects


def _pages(brand, project):
    return [
        reverse("group_dashboard"),
        reverse("brand_list"),
        reverse("brand_detail", args=[brand.code]),
        reverse("brand_trend", args=[brand.code]),
        reverse("brand_benchmark", args=[brand.code]),
        reverse("brand_gaps", args=[brand.code]),
        reverse("project_detail", args=[project.code]),
        reverse("project_trend", args=[project.code]),
        reverse("project_plan", args=[project.code]),
        reverse("group_gaps"),
    ]


def test_every_page_shows_the_same_figures_in_every_language(
    client, figures_data, brand, group_admin
):
    client.force_login(group_admin)
    for url in _pages(brand, figures_data[0]):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        english = client.get(url)
        assert english.status_code == 200, url
        shown, charted = figures(english.content.decode())
        assert shown, f"{url} shows no figure at all"
        for code in OTHER_LANGUAGES:
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = code
            response = client.get(url)
            assert response.status_code == 200, (url, code)
            assert response["Content-Language"] == code
            other = response.content.decode()
            assert f'<html lang="{code}">' in other
            assert figures(other) == (shown, charted), f"{url} in {code} shows other figures"


def test_the_comparison_notices_a_changed_figure():
    page = '<p>Score 62.5</p><script type="application/json">{"y": [62.5, 40]}</script>'
    assert figures(page) == (["62.5"], [62.5, 40])
    assert figures(page.replace("62.5</p>", "62,5</p>")) == figures(page)
    dated = "<p>6 Dec 2026: 62.5</p>"
    assert figures(dated.replace("6 Dec 2026", "06/12/2026")) == figures(dated)
    assert figures(page.replace("62.5</p>", "63,5</p>")) != figures(page)
    assert figures(page.replace("40]", "41]")) != figures(page)
