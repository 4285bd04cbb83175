"""Single sign-on in a real browser: the login page's button, the identity provider, back.

The provider is the one the other single sign-on tests use (tests/oidc_provider.py);
here Chromium follows its redirects the way a person's browser would, under the
site's Content-Security-Policy.
"""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from brands.models import BrandRole, User
from tests.oidc_provider import Provider


@pytest.fixture
def provider():
    running = Provider().start()
    yield running
    running.stop()


@pytest.fixture
def sso_on(settings, provider, db):
    settings.OIDC_ENABLED = True
    settings.OIDC_RP_CLIENT_ID = provider.client_id
    settings.OIDC_RP_CLIENT_SECRET = provider.client_secret
    settings.OIDC_PROVIDER_NAME = "Example ID"
    settings.OIDC_ISSUER = provider.issuer
    settings.OIDC_DISCOVERY_URL = f"{provider.issuer}/.well-known/openid-configuration"
    settings.AUTHENTICATION_BACKENDS = [
        *settings.AUTHENTICATION_BACKENDS,
        "brands.oidc.OIDCBackend",
    ]
    return settings


def claims(groups):
    return {
        "sub": "idp-browser-1",
        "preferred_username": "ann",
        "given_name": "Ann",
        "family_name": "Oakley",
        "email": "ann@example.com",
        "email_verified": True,
        "groups": groups,
    }


def test_a_person_signs_in_with_the_provider_and_lands_logged_in(
    open_page, sso_on, provider, brand
):
    provider.claims = claims(["brand:acme-groceries:lead"])
    page = open_page()
    page.goto(reverse("login"))
    page.get_by_role("link", name="Sign in with Example ID").click()
    page.wait_for_url(lambda url: "/login/" not in url and "/sso/" not in url)
    expect(page.get_by_text("Acme Groceries").first).to_be_visible()
    assert "/authorize" in provider.requests and "/token" in provider.requests
    user = User.objects.get(sso_subject="idp-browser-1")
    assert user.memberships.get().role == BrandRole.LEAD

    page.get_by_role("button", name="Log out", exact=True).click()
    page.wait_for_url(lambda url: "/login/" in url)


def test_someone_without_a_role_is_told_they_have_no_access_yet(
    open_page, console, sso_on, provider
):
    console.allow(r"status of 403 .*/sso/callback/")  # the page is a 403, as it should be
    provider.claims = claims(["Finance"])
    page = open_page()
    page.goto(reverse("login"))
    page.get_by_role("link", name="Sign in with Example ID").click()
    expect(page.get_by_role("heading", name="No access yet")).to_be_visible()
    assert not User.objects.exists()
