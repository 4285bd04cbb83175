"""Every page carries the Content-Security-Policy, and no page needs inline scripts to work.

The browser tests (tests/browser) fail on any console error, so a page whose
scripts or styles break the policy fails them as well; these tests check the
header itself and that the HTML we serve has nothing the policy would block.
"""

import re

import pytest
from django.urls import reverse

from tests.reports.jobs_support import validated_assessment

# Data blocks (json_script: type="application/json") are not run, so the policy allows them.
INLINE_SCRIPT = re.compile(
    r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.IGNORECASE
)
EVENT_ATTRIBUTE = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE)
JS_URL = re.compile(r"""(href|src|action)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)


def directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    parsed = {}
    for part in header.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


@pytest.mark.django_db
def test_the_login_page_carries_the_policy(client):
    response = client.get(reverse("login"))

    policy = directives(response)
    assert policy["script-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_no_page_has_inline_scripts_event_handlers_or_javascript_urls(
    client, group_admin, brand, project, version
):
    assessment = validated_assessment(project, version)
    client.force_login(group_admin)
    pages = [
        reverse("brand_list"),
        reverse("brand_detail", args=[brand.code]),
        reverse("project_detail", args=[project.code]),
        reverse("group_dashboard"),
        reverse("product_line_list"),
        reverse("assessment_detail", args=[assessment.code]),
        reverse("question_set_list"),
        reverse("version_detail", args=[version.code]),
        reverse("report_list"),
        reverse("audit_log"),
        reverse("logout_everywhere"),
        "/admin/login/",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "script-src 'self'" in response["Content-Security-Policy"], url
        html = response.content.decode()
        assert not INLINE_SCRIPT.search(html), (url, INLINE_SCRIPT.search(html)[0])
        assert not EVENT_ATTRIBUTE.search(html), (url, EVENT_ATTRIBUTE.search(html)[0])
        assert not JS_URL.search(html), url


@pytest.mark.django_db
def test_error_pages_carry_the_policy_too(client, lead):
    client.force_login(lead)
    response = client.get("/projects/00000000-0000-0000-0000-000000000000/")

    assert response.status_code == 404
    assert "script-src 'self'" in response["Content-Security-Policy"]
