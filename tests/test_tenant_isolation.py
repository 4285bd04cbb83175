"""Tenant isolation, generated from the URL configuration.

Every named URL is collected from the resolver. A URL with parameters must be
listed in OBJECT_FOR_URL with the kind of object that fills it, so a new page
cannot slip in untested: the first tests fail until it is classified. Then
each tenant-owned page is requested by its owner (it works), by every brand
role of another brand (404, never 200 or 500) and anonymously (sent to log in).
"""

import datetime
import json
import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from brands.models import BrandRole
from brands.tokens import service_token_create, token_create
from brands.webhooks import webhook_create
from reports.models import ReportJob
from scoring.models import ImprovementAction
from scoring.services import score_store
from scoring.services.trackers import tracker_connect
from surveys.models import (
    AssessmentMode,
    AssessmentStatus,
    Invitation,
    ReminderDigest,
    ReminderItem,
    RoundMode,
)
from tests import factories
from tests.once import built_once

# Which kind of object fills the parameters of each URL that has any.
OBJECT_FOR_URL = {
    "brand_detail": "brand",
    "project_detail": "project",
    "assessment_start": "project",
    "assessment_detail": "assessment",
    "assessment_fill": "assessment",
    "assessment_submit": "assessment",
    "answer_save": "answer",
    "answer_history": "answer",
    "interview_console": "assessment",
    "interview_pause": "assessment",
    "interview_finalise": "assessment",
    "assessment_review": "assessment",
    "assessment_validate": "assessment",
    "assessment_return": "assessment",
    "invitation_list": "assessment",
    "invitation_remind": "invitation",
    "invitation_accept": "invitation link",
    "version_detail": "version",
    "question_set_state": "question_set",
    "version_yaml": "version",
    "version_xlsx": "version",
    "version_draft_new": "version",
    "version_draft_copy": "version",
    "version_draft_upload": "version",
    "draft_edit": "version",
    "draft_question_edit": "version",
    "draft_question_add": "version",
    "draft_question_remove": "version",
    "draft_question_move": "version",
    "draft_section_edit": "version",
    "draft_section_add": "version",
    "draft_section_remove": "version",
    "draft_scoring_edit": "version",
    "version_diff": "version",
    "draft_preview": "version",
    "draft_publish": "version",
    "draft_discard": "version",
    "assessment_upgrade": "assessment",
    "workbook_download": "assessment",
    "workbook_upload": "assessment",
    "workbook_preview": "assessment",
    "workbook_apply": "assessment",
    "historic_import": "project",
    "historic_template": "project",
    "project_plan": "project",
    "action_create": "project",
    "action_update": "action",
    "brand_gaps": "brand",
    "brand_benchmark": "brand",
    "brand_trend": "brand",
    "project_trend": "project",
    "assessment_moved": "assessment",
    "group_dashboard_csv": "chart",
    "project_profile_csv": "project",
    "product_line_detail": "product_line",
    "product_line_csv": "product_line",
    "brand_dashboard_csv": "brand chart",
    # A report job is its requester's alone (anyone else, even of the same brand, gets 404);
    # tests/reports/test_jobs_views.py checks that and the access at download time.
    "report_detail": "report",
    "report_download": "report",
    "report_retry": "report",
    # A reminder e-mail is its recipient's alone (anyone else gets 404): tests/surveys/
    # test_round_reminders.py. A round is seen by group roles and by members of the brands
    # with a project in it (tests/surveys/test_rounds.py); a project's place in a round
    # belongs to the project's brand.
    "reminder_detail": "reminder",
    "round_interviews": "round",
    "member_interview": "round member",
    "round_detail": "round",
    "round_launch": "round",
    "round_close": "round",
    "round_csv": "round",
    "round_xlsx": "round",
    "round_member": "round member",
    # Integrations (issue 18): a brand's tracker connections and webhooks are managed by its
    # leads and group admins/assessors (members with other roles are refused, 403); the
    # tracker's own webhook calls prove themselves by signature (tests/integrations).
    "project_plan_csv": "project",
    "action_issue": "action",
    "tracker_list": "brand",
    "tracker_detail": "tracker",
    "tracker_secret": "tracker",
    "tracker_delete": "tracker",
    "tracker_hook": "tracker hook",
    "webhook_list": "brand",
    "webhook_detail": "webhook",
    "webhook_secret": "webhook",
    "webhook_delete": "webhook",
    # API tokens (issue 18): a brand's service tokens page, and revoking a token (a personal
    # token is its owner's alone; a service token belongs to its brand).
    "brand_tokens": "brand",
    "api_token_revoke": "token",
    # The JSON API (issue 18): answered with bearer tokens, walked by the API tests below.
    "api:brand": "brand",
    "api:brand_trend": "brand",
    "api:brand_gaps": "brand",
    "api:project": "project",
    "api:project_update": "project",
    "api:project_trend": "project",
    "api:project_plan": "project",
    "api:project_assessments": "project",
    "api:project_evidence": "project",
    "api:evidence_post": "project",
    "api:assessment_start": "project",
    "api:assessment": "assessment",
    "api:answer_save": "answer",
    "api:assessment_submit": "assessment",
    "api:question_set": "question_set",
    "api:question_set_version": "version",
}
# Owned by a brand: only its members and group roles may see them.
TENANT_KINDS = {"brand", "project", "assessment", "answer", "invitation", "action", "brand chart"}
TENANT_KINDS |= {"round", "round member", "token"}
TENANT_KINDS |= {"tracker", "webhook"}
# Parameters that name something fixed, not an object in the database (a chart of a page).
NOT_OBJECTS = {"chart"}
# Views that only take POST (they answer GET with 405).
POST_ONLY = {
    "set_language",
    "assessment_start",
    "assessment_submit",
    "answer_save",
    "interview_pause",
    "interview_finalise",
    "assessment_validate",
    "assessment_return",
    "invitation_remind",
    "version_draft_copy",
    "version_draft_upload",
    "draft_question_remove",
    "draft_question_move",
    "draft_section_remove",
    "draft_publish",
    "draft_discard",
    "assessment_upgrade",
    "question_set_state",
    "workbook_apply",
    "action_create",
    "action_update",
    "report_retry",
    "member_interview",
    "round_launch",
    "round_close",
    "action_issue",
    "tracker_secret",
    "tracker_delete",
    "tracker_hook",
    "webhook_secret",
    "webhook_delete",
    "api_token_revoke",
}
# Reachable without logging in (logout only takes POST and then sends you to the login page;
# an invitation link is a signed capability, tested in tests/surveys; single sign-on's start
# and callback are how one logs in, tested in tests/brands/test_oidc.py).
PUBLIC_URLS = {"login", "healthz", "readyz", "logout", "invitation_accept"}
PUBLIC_URLS |= {"oidc_authentication_init", "oidc_authentication_callback"}
PUBLIC_URLS |= {"tracker_hook"}
# The language switcher: the login page has it too (it sets only a cookie before login).
PUBLIC_URLS |= {"set_language"}
# For group roles only: anyone else is refused (403) rather than shown an empty page.
GROUP_ONLY_URLS = {"group_gaps", "group_dashboard", "group_dashboard_gaps", "audit_log"}
GROUP_ONLY_URLS |= {"report_metrics", "question_set_defaults", "round_create"}


def _collect(patterns, prefix="", namespace="", params=()):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        found = (*params, *pattern.pattern.regex.groupindex)
        if isinstance(pattern, URLResolver):
            if route.startswith("admin/"):
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _collect(pattern.url_patterns, route, inner, found)
        elif isinstance(pattern, URLPattern):
            yield (f"{namespace}{pattern.name}" if pattern.name else None), route, found


URLS = list(_collect(get_resolver().url_patterns))
PARAMS = {name: params for name, _, params in URLS if name}
WITH_PARAMS = sorted(name for name, params in PARAMS.items() if params)
# The JSON API's routes: bearer tokens instead of sessions, walked by their own tests below.
API_NAMES = {name for name in PARAMS if name.startswith("api:")}
PAGES_WITH_PARAMS = [name for name in WITH_PARAMS if name not in API_NAMES]
# Logged-in pages with parameters: every one must refuse anonymous visitors and unknown codes.
PRIVATE_WITH_PARAMS = [name for name in PAGES_WITH_PARAMS if name not in PUBLIC_URLS]
WITHOUT_PARAMS = sorted(
    name for name, params in PARAMS.items() if not params and name not in API_NAMES
)
TENANT_URLS = [name for name in PAGES_WITH_PARAMS if OBJECT_FOR_URL.get(name) in TENANT_KINDS]
OTHER_BRAND_ROLES = [BrandRole.LEAD, BrandRole.VIEWER, BrandRole.DATA_SCIENTIST]


def test_every_url_outside_the_admin_has_a_name():
    assert [route for name, route, _ in URLS if name is None] == []


def test_every_url_with_parameters_says_which_object_fills_it():
    unclassified = [name for name in WITH_PARAMS if name not in OBJECT_FOR_URL]
    assert unclassified == [], "add these URLs to OBJECT_FOR_URL (and to TENANT_KINDS if owned)"


def test_the_map_lists_no_url_that_no_longer_exists():
    assert sorted((set(OBJECT_FOR_URL) | POST_ONLY) - set(PARAMS)) == []


def test_every_object_is_addressed_by_its_opaque_code():
    # A sequential id in a URL would let people count and guess other brands' objects.
    signed = {name for name in WITH_PARAMS if PARAMS[name] == ("token",)}
    assert signed <= PUBLIC_URLS
    fixed = {name for name in WITH_PARAMS if OBJECT_FOR_URL.get(name) in NOT_OBJECTS}
    unaddressed = [name for name in WITH_PARAMS if "code" not in PARAMS[name]]
    assert [name for name in unaddressed if name not in signed | fixed] == []


# The cast and the objects are built once for the module (tests/once.py): ~40 ms of factories
# that each of the module's ~950 tests would otherwise pay again.
@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    def build() -> dict:
        cast = factories.cast()
        objects = _objects(cast["brand"], cast["project"], cast["version"], cast["lead"])
        return {**cast, "objects": objects}

    yield from built_once(django_db_blocker, build)


# The conftest's cast, taken from the world instead of made for each test.
@pytest.fixture
def version(world, db):
    return world["version"]


@pytest.fixture
def brand(world, db):
    return world["brand"]


@pytest.fixture
def other_brand(world, db):
    return world["other_brand"]


@pytest.fixture
def project(world, db):
    return world["project"]


@pytest.fixture
def other_project(world, db):
    return world["other_project"]


@pytest.fixture
def lead(world, db):
    return world["lead"]


@pytest.fixture
def viewer(world, db):
    return world["viewer"]


@pytest.fixture
def data_scientist(world, db):
    return world["data_scientist"]


@pytest.fixture
def group_admin(world, db):
    return world["group_admin"]


@pytest.fixture
def group_assessor(world, db):
    return world["group_assessor"]


@pytest.fixture
def group_viewer(world, db):
    return world["group_viewer"]


@pytest.fixture
def objects(world, db):
    return world["objects"]


def _objects(brand, project, version, lead) -> dict:
    assessment = factories.assessment(
        project,
        version,
        status=AssessmentStatus.VALIDATED,
        answers={"doc-purpose": "yes", "doc-success-metrics": "partly"},
    )
    score_store(assessment=assessment)
    self_fill = factories.assessment(project, version, mode=AssessmentMode.SELF_FILL)
    invitation = Invitation.objects.create(
        assessment=self_fill, email="respondent@example.com", created_by=lead
    )
    action = ImprovementAction.objects.create(
        project=project,
        question_key="doc-success-metrics",
        question_text="Success metrics are written down.",
        title="Write down the success metrics",
        owner=lead,
        created_by=lead,
    )
    report = ReportJob.objects.create(
        requested_by=lead, scope="brand", brand=brand, format="pdf", status="failed"
    )
    round_ = factories.round_(
        version, opens_on=datetime.date(2026, 11, 1), due_on=datetime.date(2026, 12, 15)
    )
    member = factories.round_member(round_, project, version, mode=RoundMode.INTERVIEW)
    reminder = ReminderDigest.objects.create(
        email=lead.email, user=lead, day=datetime.date(2026, 12, 12), sent_at=timezone.now()
    )
    ReminderItem.objects.create(
        digest=reminder, member=member, reason="due_soon", role="lead", days=3
    )
    service_token, _ = service_token_create(
        brand=brand,
        user=lead,
        name="pipeline",
        scope="write",
        expires_on=datetime.date(2026, 12, 31),
    )
    tracker, _ = tracker_connect(
        brand=brand,
        user=lead,
        kind="github",
        name="Recommendations",
        api_url="https://github.example.com/api/v3",
        target="acme/recs",
        token="not-a-real-token",
    )
    webhook, _ = webhook_create(
        brand=brand, user=lead, url="https://hooks.example.com/y", events=["report.ready"]
    )
    return {
        "tracker": tracker,
        "tracker hook": tracker,
        "webhook": webhook,
        "token": service_token,
        "round": round_,
        "round member": member,
        "reminder": reminder,
        "report": report,
        "brand": brand,
        "project": project,
        "assessment": assessment,
        "invitation": invitation,
        "version": version,
        "question_set": version.question_set,
        "action": action,
        "product_line": factories.ProductLineFactory(name="Cross-sell"),
    }


def kwargs_for(kind: str, objects: dict, code=None) -> dict:
    if kind == "answer":
        return {"code": code or objects["assessment"].code, "key": "doc-purpose"}
    if kind == "chart":
        return {"chart": str(code) if code else "heatmap"}
    if kind == "brand chart":
        return {"code": code or objects["brand"].code, "chart": "projects"}
    return {"code": code or objects[kind].code}


def url_of(name: str, objects: dict, code=None) -> str:
    return reverse(name, kwargs=kwargs_for(OBJECT_FOR_URL[name], objects, code))


def send(client, name: str, url: str, **extra):
    """The request a URL is meant for: POST for POST-only views, GET for the rest."""
    return client.post(url, **extra) if name in POST_ONLY else client.get(url, **extra)


@pytest.fixture
def login(client):
    def as_user(user):
        client.force_login(user)
        return client

    return as_user


@pytest.mark.django_db
@pytest.mark.parametrize("name", PRIVATE_WITH_PARAMS)
def test_post_only_views_are_the_ones_listed(name, objects, group_admin, login):
    response = login(group_admin).get(url_of(name, objects))
    assert (response.status_code == 405) == (name in POST_ONLY)


@pytest.mark.django_db
@pytest.mark.parametrize("name", TENANT_URLS)
def test_the_owner_can_use_the_page(name, objects, lead, login):
    response = send(login(lead), name, url_of(name, objects), follow=True)
    if name in POST_ONLY:
        # An empty form or a closed assessment may be refused, but the object is found.
        assert response.status_code not in (404, 405)
        assert response.status_code < 500
    else:
        assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("name", TENANT_URLS)
@pytest.mark.parametrize("who", ["viewer", "data_scientist"])
def test_other_members_of_the_brand_find_the_page(name, who, objects, login, request):
    response = send(login(request.getfixturevalue(who)), name, url_of(name, objects), follow=True)
    # Found, even where their role may not act on it.
    assert response.status_code in (200, 400, 403, 409)


@pytest.mark.django_db
@pytest.mark.parametrize("name", [n for n in TENANT_URLS if n not in POST_ONLY])
@pytest.mark.parametrize("who", ["group_admin", "group_assessor"])
def test_group_admins_and_assessors_see_the_page(name, who, objects, login, request):
    response = login(request.getfixturevalue(who)).get(url_of(name, objects), follow=True)
    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("name", TENANT_URLS)
def test_a_group_viewer_finds_the_page_though_it_may_not_act(name, objects, group_viewer, login):
    response = send(login(group_viewer), name, url_of(name, objects), follow=True)
    assert response.status_code in (200, 400, 403, 409)


@pytest.mark.django_db
@pytest.mark.parametrize("name", TENANT_URLS)
@pytest.mark.parametrize("role", OTHER_BRAND_ROLES)
def test_a_user_of_another_brand_gets_404(name, role, objects, other_brand, other_project, login):
    stranger = factories.member(other_brand, role)
    other_project.team.add(stranger)
    client = login(stranger)
    url = url_of(name, objects)

    posted = client.post(url, {"answer": "yes", "mode": "interview", "base_revision": "1"})
    if name in POST_ONLY:
        assert posted.status_code == 404
    else:
        assert client.get(url).status_code == 404
        assert posted.status_code in (403, 404, 405)


@pytest.mark.django_db
@pytest.mark.parametrize("name", TENANT_URLS)
def test_a_user_with_no_brand_gets_404(name, objects, login):
    response = send(login(factories.UserFactory()), name, url_of(name, objects))
    assert response.status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("name", PRIVATE_WITH_PARAMS)
def test_an_unknown_code_is_404_even_for_a_group_admin(name, objects, group_admin, login):
    response = send(login(group_admin), name, url_of(name, objects, code=uuid.uuid4()))
    assert response.status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name", [n for n in PRIVATE_WITH_PARAMS if OBJECT_FOR_URL.get(n) not in NOT_OBJECTS]
)
def test_the_code_of_another_kind_of_object_is_404(name, objects, group_admin, login):
    kind = OBJECT_FOR_URL[name]
    own = objects[{"answer": "assessment", "brand chart": "brand"}.get(kind, kind)]
    wrong = next(obj for obj in objects.values() if obj is not own and hasattr(obj, "code"))
    response = send(login(group_admin), name, url_of(name, objects, code=wrong.code))
    assert response.status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("name", PRIVATE_WITH_PARAMS)
def test_anonymous_visitors_are_sent_to_log_in(name, objects, client):
    url = url_of(name, objects)
    response = send(client, name, url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(set(WITHOUT_PARAMS) - PUBLIC_URLS))
def test_anonymous_visitors_are_sent_to_log_in_from_pages_without_parameters(name, client):
    url = reverse(name)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(set(WITHOUT_PARAMS) - PUBLIC_URLS))
@pytest.mark.parametrize("role", OTHER_BRAND_ROLES)
def test_pages_without_parameters_show_nothing_of_another_brand(
    name, role, objects, other_brand, login
):
    response = login(factories.member(other_brand, role)).get(reverse(name), follow=True)
    assert response.status_code == (403 if name in GROUP_ONLY_URLS else 200)
    page = response.content.decode()
    assert objects["project"].name not in page
    assert objects["brand"].name not in page


@pytest.mark.django_db
def test_the_public_pages_are_the_ones_expected(client):
    assert set(PARAMS) >= PUBLIC_URLS
    assert client.get(reverse("login")).status_code == 200
    assert client.get(reverse("healthz")).status_code == 200
    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout"))["Location"] == reverse("login")
    assert client.get(reverse("set_language")).status_code == 405
    switched = client.post(reverse("set_language"), {"language": "nl", "next": reverse("login")})
    assert switched["Location"] == reverse("login")
    assert switched.cookies["yardstick_language"].value == "nl"


# --- The JSON API (issue 18): every route, with other brands' codes and tokens --------------

API_METHODS = {
    "api:project_create": "POST",
    "api:project_update": "PATCH",
    "api:assessment_start": "POST",
    "api:answer_save": "PUT",
    "api:assessment_submit": "POST",
    "api:evidence_post": "POST",
}
# A valid body for each write, so that what is refused is the object, not the input.
API_BODIES = {
    "api:project_update": {"description": "Changed"},
    "api:assessment_start": {"mode": "self_fill"},
    "api:answer_save": {"base_revision": 0, "answer": "yes"},
    "api:evidence_post": {
        "question_key": "doc-purpose",
        "url": "https://ci.example.com/runs/1",
        "outcome": "passed",
    },
}
# Open to anyone: the OpenAPI document, its interactive page and the API's root.
API_PUBLIC = {"api:openapi-json", "api:openapi-view", "api:api-root"}
API_WITH_PARAMS = sorted(name for name in API_NAMES if PARAMS[name])
API_TENANT = [name for name in API_WITH_PARAMS if OBJECT_FOR_URL[name] in TENANT_KINDS]
API_NOT_FOUND = {
    "code": "not_found",
    "message": "Nothing with this code exists, or it is not yours to see.",
}


def api_call(client, name: str, url: str, secret: str | None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"} if secret else {}
    body = json.dumps(API_BODIES.get(name, {}))
    method = API_METHODS.get(name, "GET")
    return client.generic(method, url, body, content_type="application/json", **headers)


def api_url(name: str, objects: dict, code=None) -> str:
    if name in API_WITH_PARAMS:
        return url_of(name, objects, code)
    return reverse(name)


def personal_token(user, scope="write") -> str:
    _, secret = token_create(
        user=user, name="walk", scope=scope, expires_on=datetime.date(2026, 12, 31)
    )
    return secret


def test_the_api_has_routes_to_walk():
    assert len(API_TENANT) >= 10
    assert set(API_METHODS) | set(API_BODIES) <= API_NAMES


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(API_NAMES - API_PUBLIC))
def test_every_api_route_refuses_a_request_without_a_token(name, objects, client):
    response = api_call(client, name, api_url(name, objects), None)
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"


@pytest.mark.django_db
@pytest.mark.parametrize("name", API_TENANT)
def test_the_owner_reaches_every_api_route(name, objects, lead, client):
    response = api_call(client, name, api_url(name, objects), personal_token(lead))
    assert response.status_code not in (401, 404, 405)
    assert response.status_code < 500


@pytest.mark.django_db
@pytest.mark.parametrize("name", API_TENANT)
def test_another_brands_tokens_get_the_404_of_a_missing_object(
    name, objects, other_brand, other_project, client
):
    # Every brand role's personal token, and the other brand's service token (one test per
    # route, the roles in a loop: the objects are built once).
    secrets = []
    for role in OTHER_BRAND_ROLES:
        stranger = factories.member(other_brand, role)
        other_project.team.add(stranger)
        secrets.append(personal_token(stranger))
    other_lead = factories.member(other_brand, BrandRole.LEAD)
    _, service = service_token_create(
        brand=other_brand,
        user=other_lead,
        name="other pipeline",
        scope="write",
        expires_on=datetime.date(2026, 12, 31),
    )
    for secret in [*secrets, service]:
        theirs = api_call(client, name, api_url(name, objects), secret)
        missing = api_call(client, name, api_url(name, objects, code=uuid.uuid4()), secret)
        assert theirs.status_code == missing.status_code == 404
        assert theirs.json() == missing.json() == API_NOT_FOUND


@pytest.mark.django_db
@pytest.mark.parametrize("name", API_WITH_PARAMS)
def test_an_unknown_code_is_404_on_the_api_even_for_a_group_admin(
    name, objects, group_admin, client
):
    response = api_call(
        client, name, api_url(name, objects, code=uuid.uuid4()), personal_token(group_admin)
    )
    assert response.status_code == 404
    assert response.json() == API_NOT_FOUND


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(n for n in API_NAMES - API_PUBLIC if not PARAMS[n]))
def test_api_lists_show_nothing_of_another_brand(name, objects, other_brand, client):
    for role in OTHER_BRAND_ROLES:
        secret = personal_token(factories.member(other_brand, role), scope="read")
        response = api_call(client, name, api_url(name, objects), secret)
        assert response.status_code in (200, 403, 405, 422)
        body = response.content.decode()
        assert str(objects["project"].code) not in body
        assert str(objects["brand"].code) not in body
        assert objects["project"].name not in body
