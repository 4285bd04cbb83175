"""Question sets, versions and rounds with another interface language active.

The pages speak the person's language, but what a machine reads (a form field the server
parses back, the workbook's sheet and column names) is the same in every language.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from surveys import question_set_excel, selectors, services
from surveys import question_set_format as fmt
from surveys.question_set_diff import diff
from surveys.question_set_format import LevelSpec
from surveys.question_set_translations import completeness
from tests import factories
from tests.surveys.test_versions import edit_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _language_restored():
    """A request activates its language and leaves it active after the response: put back
    the one before, so that no later test (on this worker) runs in French."""
    with translation.override(translation.get_language()):
        yield


@pytest.fixture
def draft(version, group_admin):
    return services.version_draft_copy(version=version, user=group_admin)


def french(client, user):
    client.force_login(user)
    client.cookies["yardstick_language"] = "fr"
    return client


def test_the_scoring_form_writes_level_minimums_with_a_dot_in_french(client, group_admin, draft):
    levels = [LevelSpec(name="Low", min_percent=Decimal(0)), LevelSpec("High", Decimal("62.5"))]
    services.draft_scoring_update(
        version=draft, user=group_admin, aggregation="weighted_mean", levels=levels
    )
    url = reverse("draft_scoring_edit", args=[draft.code])
    html = french(client, group_admin).get(url).content.decode()
    assert 'lang="fr"' in html
    # The server parses this value back: never "62,5".
    assert 'value="62.5' in html
    assert 'value="62,5' not in html


def test_a_question_s_weight_reads_localised_but_its_field_keeps_a_dot(client, group_admin, draft):
    services.draft_question_update(
        version=draft,
        user=group_admin,
        key="doc-purpose",
        edit=edit_of(draft, "doc-purpose", weight=Decimal("2.5")),
    )
    french(client, group_admin)
    editor = client.get(reverse("draft_edit", args=[draft.code])).content.decode()
    assert "2,5" in editor  # shown to a person: the French way
    url = reverse("draft_question_edit", args=[draft.code]) + "?key=doc-purpose"
    form = client.get(url).content.decode()
    assert 'value="2.5' in form and 'value="2,5' not in form


def test_a_workbook_downloaded_in_french_loads_back_unchanged(version):
    spec = selectors.version_as_spec(version)
    with translation.override("fr"):
        data = question_set_excel.write_workbook(spec, version=version.number, status="Publiée")
        assert question_set_excel.read_bytes(data).spec == spec
    assert question_set_excel.read_bytes(data).spec == spec


def test_language_names_follow_the_language_being_shown(version):
    spec = selectors.version_as_spec(version)
    dutch = completeness(spec, "nl")
    changed = diff(spec, fmt.QuestionSetSpec(**{**spec.__dict__, "language": "nl"}))
    assert dutch.name == "Dutch"
    assert changed.language_names == ("English", "Dutch")
    with translation.override("fr"):
        # Django's own French catalog already names the languages.
        assert dutch.name not in ("", "Dutch")
        assert changed.language_names[1] == dutch.name


def test_a_problem_in_a_file_keeps_its_line_and_place_in_any_language():
    text = "key: x\nname: X\nscale: []\nlevels: []\nsections: []\nsurprise: 1\n"
    with pytest.raises(fmt.QuestionSetError) as english:
        fmt.parse(text)
    with translation.override("fr"), pytest.raises(fmt.QuestionSetError) as in_french:
        fmt.parse(text)
    assert [(p.line, bool(p.where)) for p in in_french.value.problems] == [
        (p.line, bool(p.where)) for p in english.value.problems
    ]
    assert any(p.line == 6 for p in english.value.problems)


def test_every_set_version_and_round_page_renders_in_french(
    client, group_admin, draft, version, project
):
    opens = dt.date(2026, 11, 2)
    open_round = factories.round_(version, opens_on=opens, due_on=opens + dt.timedelta(days=30))
    member = factories.round_member(open_round, project, version, mode="interview")
    planned = factories.round_(
        version, opens_on=opens, due_on=opens + dt.timedelta(days=30), status="draft"
    )
    # A draft that differs from its version: the diff shows every kind of change it can.
    first = draft.sections.first()
    services.draft_question_update(
        version=draft,
        user=group_admin,
        key="doc-purpose",
        edit=edit_of(draft, "doc-purpose", text="Reworded.", weight=Decimal("2.5"), core=True),
    )
    services.draft_section_update(version=draft, user=group_admin, key=first.key, title="Renamed")
    levels = [LevelSpec(name="Low", min_percent=Decimal(0)), LevelSpec("High", Decimal("62.5"))]
    services.draft_scoring_update(
        version=draft, user=group_admin, aggregation="min_section", levels=levels
    )
    question = "?key=doc-purpose"
    section = "?key=" + first.key
    pages = [
        reverse("question_set_list"),
        reverse("question_set_defaults"),
        reverse("version_detail", args=[version.code]),
        reverse("version_draft_new", args=[version.code]),
        *(
            reverse(name, args=[draft.code])
            for name in ("version_diff", "draft_edit", "draft_preview", "draft_scoring_edit")
        ),
        reverse("draft_question_edit", args=[draft.code]) + question,
        reverse("draft_question_add", args=[draft.code]),
        reverse("draft_section_edit", args=[draft.code]) + section,
        reverse("draft_section_add", args=[draft.code]),
        reverse("round_list"),
        reverse("round_create"),
        reverse("round_detail", args=[open_round.code]),
        reverse("round_detail", args=[planned.code]),
        reverse("round_member", args=[member.code]),
        reverse("round_interviews", args=[open_round.code]),
    ]
    french(client, group_admin)
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Language"] == "fr", url
    changes = client.get(reverse("version_diff", args=[draft.code])).content.decode()
    assert "Renamed" in changes and "High" in changes and "2,5" in changes
