"""Who may call the API: a valid bearer token, and nothing else."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from brands.models import ApiToken, AuditAction, AuditEvent, TokenScope
from brands.tokens import SECRET_PREFIX, hash_secret, token_from_secret, token_revoke
from tests.api.conftest import Api, make_token

pytestmark = pytest.mark.django_db

UNAUTHORIZED = {
    "code": "unauthorized",
    "message": "Send a valid token as 'Authorization: Bearer <token>'. Tokens that are unknown, "
    "expired or revoked are refused alike.",
}


def test_it_refuses_a_request_without_a_token(client, brand):
    response = Api(client, None).get("/brands")
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_it_refuses_an_unknown_token(client, brand):
    response = Api(client, SECRET_PREFIX + "x" * 43).get("/brands")
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


def test_it_refuses_another_kind_of_authorization(client, lead):
    secret = make_token(lead)
    response = client.get("/api/v1/brands", HTTP_AUTHORIZATION=f"Basic {secret}")
    assert response.status_code == 401


def test_it_ignores_the_session_cookie(client, lead):
    client.force_login(lead)
    assert client.get("/api/v1/brands").status_code == 401


def test_an_expired_token_is_refused_like_an_unknown_one(client, lead):
    secret = make_token(lead)
    with time_machine.travel(datetime.datetime(2027, 1, 1, 0, 0, 1, tzinfo=datetime.UTC)):
        response = Api(client, secret).get("/brands")
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


def test_a_token_works_on_its_last_day(client, lead):
    secret = make_token(lead)
    with time_machine.travel(datetime.datetime(2026, 12, 31, 23, 59, tzinfo=datetime.UTC)):
        assert Api(client, secret).get("/brands").status_code == 200


def test_a_revoked_token_is_refused(client, lead):
    secret = make_token(lead)
    token = ApiToken.objects.get(secret_hash=hash_secret(secret))
    assert Api(client, secret).get("/brands").status_code == 200
    token_revoke(token=token, user=lead)
    response = Api(client, secret).get("/brands")
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


def test_a_token_of_a_deactivated_person_is_refused(client, lead):
    secret = make_token(lead)
    lead.is_active = False
    lead.save()
    assert Api(client, secret).get("/brands").status_code == 401


def test_a_read_token_may_not_write(client, lead, project):
    api = Api(client, make_token(lead, TokenScope.READ))
    response = api.patch(f"/projects/{project.code}", {"name": "Renamed"})
    assert response.status_code == 403
    assert response.json()["code"] == "read_only_token"
    project.refresh_from_db()
    assert project.name == "Cross-sell API"
    assert api.get(f"/projects/{project.code}").status_code == 200


def test_only_a_digest_of_the_secret_is_stored(lead):
    secret = make_token(lead)
    token = ApiToken.objects.get()
    assert secret.startswith(SECRET_PREFIX)
    assert token.secret_hash == hash_secret(secret) != secret
    assert secret not in str(ApiToken.objects.values().get())
    assert token.prefix == secret[: len(token.prefix)]


def test_the_last_use_is_noted_at_most_once_a_minute(client, lead):
    secret = make_token(lead)
    api = Api(client, secret)
    api.get("/brands")
    first = ApiToken.objects.get().last_used_at
    assert first is not None
    api.get("/brands")
    assert ApiToken.objects.get().last_used_at == first
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=2)):
        token_from_secret(secret)
    assert ApiToken.objects.get().last_used_at > first


def test_making_and_revoking_a_token_is_audited(lead):
    make_token(lead)
    token_revoke(token=ApiToken.objects.get(), user=lead)
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert AuditAction.API_TOKEN_CREATED in actions
    assert AuditAction.API_TOKEN_REVOKED in actions


def test_a_token_can_ask_who_it_is(client, lead):
    secret = make_token(lead, TokenScope.READ)
    body = Api(client, secret).get("/token").json()
    assert (body["name"], body["scope"], body["acts_as"], body["brand"]) == (
        "CI",
        "read",
        "lead",
        None,
    )
    assert secret.startswith(body["prefix"])


def test_a_group_admin_revokes_any_token_in_the_admin_site(client, lead, group_admin):
    secret = make_token(lead)
    group_admin.is_staff = True
    group_admin.is_superuser = True
    group_admin.save()
    client.force_login(group_admin)
    token = ApiToken.objects.get()
    response = client.post(
        "/admin/brands/apitoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
        follow=True,
    )
    assert response.status_code == 200
    token.refresh_from_db()
    assert token.revoked_by == group_admin
    assert Api(client, secret).get("/brands").status_code == 401
