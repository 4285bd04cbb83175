"""Brand service tokens, tenant isolation through the API, and the rate limit."""

import pytest
from django.test import override_settings

from brands.models import ApiToken, AuditAction, AuditEvent, BrandRole, TokenScope, User
from brands.tokens import token_revoke
from tests.api.conftest import Api, make_service_token, make_token

pytestmark = pytest.mark.django_db


def test_a_service_token_acts_in_its_brand_only(client, brand, lead, project, other_project):
    api = Api(client, make_service_token(brand, lead))
    assert [p["name"] for p in api.get("/projects").json()["results"]] == [project.name]
    assert api.get(f"/projects/{other_project.code}").status_code == 404
    renamed = api.patch(f"/projects/{project.code}", {"name": "Cross-sell v2"})
    assert renamed.status_code == 200
    event = AuditEvent.objects.get(action=AuditAction.API_WRITE)
    assert event.actor_name.startswith("api-")
    assert event.details["token_name"] == "pipeline"


def test_a_service_account_cannot_log_in(brand, lead):
    make_service_token(brand, lead, TokenScope.READ)
    account = User.objects.get(is_service_account=True)
    assert not account.has_usable_password()
    assert account.memberships.get().role == BrandRole.VIEWER


def test_only_leads_make_service_tokens(brand, viewer):
    from brands.tokens import TokenError

    with pytest.raises(TokenError):
        make_service_token(brand, viewer)


def test_revoking_a_service_token_retires_its_account(client, brand, lead):
    secret = make_service_token(brand, lead)
    token = ApiToken.objects.get()
    token_revoke(token=token, user=lead)
    assert Api(client, secret).get("/brands").status_code == 401
    assert not User.objects.get(pk=token.user_id).is_active


@pytest.mark.parametrize(
    "path",
    [
        "/brands/{brand}",
        "/brands/{brand}/trend",
        "/brands/{brand}/gaps",
        "/projects/{project}",
        "/projects/{project}/trend",
        "/projects/{project}/plan",
        "/projects/{project}/assessments",
        "/assessments/{assessment}",
    ],
)
def test_another_brands_object_reads_as_missing(path, api_as, outsider, brand, project, version):
    from tests import factories

    assessment = factories.assessment(project, version)
    codes = {"brand": brand.code, "project": project.code, "assessment": assessment.code}
    stranger = api_as(outsider).get(path.format(**codes))
    missing = api_as(outsider).get(
        path.format(**dict.fromkeys(codes, "6" * 8 + "-0000-0000-0000-" + "0" * 12))
    )
    assert stranger.status_code == missing.status_code == 404
    assert stranger.json() == missing.json()


@override_settings(API_RATE_LIMIT=3, API_RATE_LIMIT_WINDOW=60)
def test_too_many_requests_are_answered_429_with_retry_after(client, lead):
    api = Api(client, make_token(lead))
    assert [api.get("/brands").status_code for _ in range(3)] == [200, 200, 200]
    response = api.get("/brands")
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited"
    assert 1 <= int(response["Retry-After"]) <= 60
    # Another token has its own allowance.
    assert Api(client, make_token(lead, name="other")).get("/brands").status_code == 200


def test_a_service_account_is_no_candidate_to_own_an_action(brand, lead, project):
    from scoring.selectors import action_owner_candidates

    make_service_token(brand, lead)
    assert list(action_owner_candidates(project)) == [lead]
