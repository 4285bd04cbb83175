"""The API token pages: a token is made, its secret shown once, listed, revoked."""

import datetime

import pytest
from django.urls import reverse

from brands.models import ApiToken, TokenScope
from brands.tokens import hash_secret
from tests.api.conftest import Api

pytestmark = pytest.mark.django_db


def _make(client, url, **data):
    form = {"name": "Nightly job", "scope": TokenScope.READ, "expires_on": "2027-01-31", **data}
    return client.post(url, form, follow=True)


def _secret(response) -> str:
    page = response.content.decode()
    start = page.index('value="ys_') + len('value="')
    return page[start : page.index('"', start)]


def test_a_person_makes_a_token_and_sees_it_once(client, lead):
    client.force_login(lead)
    response = _make(client, reverse("api_tokens"))
    assert response.status_code == 200
    assert response.redirect_chain == [(reverse("api_tokens"), 302)]
    assert response["Cache-Control"] == "no-store"
    secret = _secret(response)
    token = ApiToken.objects.get()
    assert token.secret_hash == hash_secret(secret)
    assert (token.user, token.brand, token.scope) == (lead, None, TokenScope.READ)
    assert token.expires_at.date() == datetime.date(2027, 2, 1)
    again = client.get(reverse("api_tokens")).content.decode()
    assert "Nightly job" in again
    assert secret not in again
    assert Api(client, secret).get("/brands").status_code == 200


def test_the_header_links_to_the_tokens_page(client, lead):
    client.force_login(lead)
    assert reverse("api_tokens") in client.get(reverse("logout_everywhere")).content.decode()


def test_a_bad_expiry_is_named_beside_its_field(client, lead):
    client.force_login(lead)
    response = _make(client, reverse("api_tokens"), expires_on="2030-01-01")
    assert response.status_code == 400
    assert "at most 365 days" in response.content.decode()
    past = _make(client, reverse("api_tokens"), expires_on="2026-11-01")
    assert "after today" in past.content.decode()
    assert not ApiToken.objects.exists()


def test_a_person_revokes_their_token(client, lead):
    client.force_login(lead)
    secret = _secret(_make(client, reverse("api_tokens")))
    token = ApiToken.objects.get()
    response = client.post(reverse("api_token_revoke", args=[token.code]), follow=True)
    assert "Token revoked" in response.content.decode()
    assert Api(client, secret).get("/brands").status_code == 401


def test_nobody_else_sees_or_revokes_a_personal_token(client, lead, viewer):
    client.force_login(lead)
    _make(client, reverse("api_tokens"))
    token = ApiToken.objects.get()
    client.force_login(viewer)
    assert "Nightly job" not in client.get(reverse("api_tokens")).content.decode()
    assert client.post(reverse("api_token_revoke", args=[token.code])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_a_lead_makes_a_service_token_for_the_brand(client, lead, brand):
    client.force_login(lead)
    response = _make(client, reverse("brand_tokens", args=[brand.code]), scope="write")
    secret = _secret(response)
    token = ApiToken.objects.get()
    assert token.brand == brand and token.user.is_service_account
    page = client.get(reverse("brand_tokens", args=[brand.code])).content.decode()
    assert "Nightly job" in page and secret not in page
    assert (
        reverse("brand_tokens", args=[brand.code])
        in client.get(reverse("brand_detail", args=[brand.code])).content.decode()
    )


def test_a_viewer_may_not_manage_service_tokens(client, viewer, brand):
    client.force_login(viewer)
    assert client.get(reverse("brand_tokens", args=[brand.code])).status_code == 403
    assert _make(client, reverse("brand_tokens", args=[brand.code])).status_code == 403
    assert not ApiToken.objects.exists()


def test_another_brands_lead_gets_404(client, outsider, brand):
    client.force_login(outsider)
    assert client.get(reverse("brand_tokens", args=[brand.code])).status_code == 404


def test_the_pages_refuse_other_methods(client, lead, brand):
    client.force_login(lead)
    assert client.put(reverse("api_tokens")).status_code == 405
    assert client.get(reverse("api_token_revoke", args=[brand.code])).status_code == 405
