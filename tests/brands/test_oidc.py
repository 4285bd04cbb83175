"""Single sign-on with OpenID Connect, against a real provider started by the tests.

Every sign-on goes the whole way: our start view sends the browser to the
provider (tests/oidc_provider.py, on a local port), the provider approves and
sends it back with a code, and our callback exchanges the code for a signed
ID token over HTTP, checks it and logs the person in with the roles their
groups map to.
"""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.contrib.auth import get_user
from django.urls import reverse

from brands import sso
from brands.models import AuditAction, AuditEvent, BrandRole, User
from tests import factories
from tests.oidc_provider import Provider

ROOT = Path(__file__).resolve().parents[2]
START = "/sso/login/"
CALLBACK = "/sso/callback/"


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


def person(sub="idp-0001", groups=(), **claims):
    return {
        "sub": sub,
        "preferred_username": "ann",
        "given_name": "Ann",
        "family_name": "Oakley",
        "email": "ann@example.com",
        "email_verified": True,
        "groups": list(groups),
        **claims,
    }


def to_provider(client, next_url=""):
    """Our start view, then the provider's authorize endpoint: where it sends the browser back."""
    start = client.get(START + (f"?next={next_url}" if next_url else ""))
    assert start.status_code == 302, start.content
    answer = requests.get(start["Location"], allow_redirects=False, timeout=5)
    assert answer.status_code == 302, answer.text
    back = urlsplit(answer.headers["Location"])
    assert back.path == CALLBACK
    return back.query


def sign_in(client, next_url=""):
    return client.get(f"{CALLBACK}?{to_provider(client, next_url)}")


def refusal(client, response) -> str:
    """The message shown on the login page the browser was sent to."""
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    return client.get(response["Location"]).content.decode()


def events(action):
    return list(AuditEvent.objects.filter(action=action).order_by("pk"))


class TestOffByDefault:
    def test_the_login_page_has_no_sign_in_button(self, client, db):
        page = client.get(reverse("login")).content.decode()
        assert "Sign in with" not in page
        assert START not in page

    def test_the_start_and_callback_urls_are_not_found(self, client, db):
        assert client.get(START).status_code == 404
        assert client.get(f"{CALLBACK}?code=x&state=y").status_code == 404

    def test_the_backend_is_not_installed(self, settings):
        assert "brands.oidc.OIDCBackend" not in settings.AUTHENTICATION_BACKENDS


class TestStart:
    def test_the_login_page_offers_the_provider_next_to_the_password_form(self, client, sso_on):
        page = client.get(reverse("login") + "?next=/brands/").content.decode()
        assert "Sign in with Example ID" in page
        assert f'href="{START}?next=/brands/"' in page
        assert 'name="password"' in page

    def test_it_sends_the_browser_to_the_provider_with_state_nonce_and_pkce(
        self, client, sso_on, provider
    ):
        response = client.get(START)
        target = urlsplit(response["Location"])
        query = {k: v[0] for k, v in parse_qs(target.query).items()}
        assert f"{target.scheme}://{target.netloc}{target.path}" == f"{provider.issuer}/authorize"
        assert query["client_id"] == "yardstick"
        assert query["redirect_uri"] == f"http://testserver{CALLBACK}"
        assert query["scope"] == "openid email profile"
        assert query["state"] and query["nonce"] and query["code_challenge_method"] == "S256"

    def test_an_unreachable_provider_is_a_message_not_an_error_page(self, client, sso_on, provider):
        provider.stop()
        response = client.get(START)
        assert "configuration could not be read" in refusal(client, response)


class TestConfiguration:
    def test_explicit_endpoints_work_without_discovery(self, client, sso_on, provider):
        sso_on.OIDC_ISSUER = sso_on.OIDC_DISCOVERY_URL = ""
        sso_on.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{provider.issuer}/authorize"
        sso_on.OIDC_OP_TOKEN_ENDPOINT = f"{provider.issuer}/token"
        sso_on.OIDC_OP_JWKS_ENDPOINT = f"{provider.issuer}/jwks"
        sso_on.OIDC_OP_USER_ENDPOINT = ""
        provider.claims = person(groups=["YARDSTICK_VIEWER"])
        sign_in(client)
        assert get_user(client).group_role == "viewer"
        assert "/.well-known/openid-configuration" not in provider.requests
        assert "/userinfo" not in provider.requests  # the ID token's claims are enough

    def test_a_discovery_document_naming_another_issuer_is_refused(self, client, sso_on, provider):
        sso_on.OIDC_ISSUER = "https://login.example.com"
        response = client.get(START)
        assert "names a different issuer" in refusal(client, response)

    def test_password_logins_do_not_wait_for_the_provider(self, client, sso_on, provider):
        factories.UserFactory(username="bob")
        response = client.post(
            reverse("login") + "?code=stolen&state=guess",
            {"username": "bob", "password": factories.PASSWORD},
        )
        assert response.status_code == 302
        assert get_user(client).username == "bob"
        assert provider.requests == []

    def test_a_provider_that_goes_away_during_the_sign_in_is_a_message(
        self, client, sso_on, provider
    ):
        provider.claims = person(groups=["YARDSTICK_VIEWER"])
        query = to_provider(client)
        provider.stop()
        response = client.get(f"{CALLBACK}?{query}")
        assert "could not be reached" in refusal(client, response)
        assert not get_user(client).is_authenticated


class TestSignIn:
    def test_it_logs_in_a_new_person_with_the_roles_of_their_groups(
        self, client, sso_on, brand, provider
    ):
        provider.claims = person(groups=["YARDSTICK_VIEWER", "brand:acme-groceries:lead", "Sales"])
        response = sign_in(client)
        assert response.status_code == 302
        assert response["Location"] == reverse("home")
        user = get_user(client)
        assert user.is_authenticated
        assert (user.username, user.sso_subject, user.email) == (
            "ann",
            "idp-0001",
            "ann@example.com",
        )
        assert (user.first_name, user.last_name) == ("Ann", "Oakley")
        assert not user.has_usable_password()
        assert user.group_role == "viewer"
        assert [(m.brand, m.role) for m in user.memberships.all()] == [(brand, BrandRole.LEAD)]
        assert client.get(reverse("home"), follow=True).status_code == 200

    def test_the_login_and_the_roles_given_are_in_the_audit_log(
        self, client, sso_on, brand, provider
    ):
        provider.claims = person(groups=["YARDSTICK_ADMIN", "brand:acme-groceries:viewer"])
        sign_in(client)
        user = User.objects.get(sso_subject="idp-0001")
        (login,) = events(AuditAction.LOGIN)
        assert login.actor == user
        (group,) = events(AuditAction.GROUP_ROLE_CHANGED)
        assert (group.actor, group.details["new"]) == (user, "admin")
        (added,) = events(AuditAction.MEMBERSHIP_ADDED)
        assert (added.actor, added.brand, added.details["role"]) == (user, brand, "viewer")
        assert login.request_id == added.request_id

    def test_a_brand_can_be_named_by_its_code(self, client, sso_on, brand, provider):
        provider.claims = person(groups=[f"brand:{brand.code}:data_scientist"])
        sign_in(client)
        assert get_user(client).memberships.get().role == BrandRole.DATA_SCIENTIST

    def test_the_strongest_of_several_roles_wins(self, client, sso_on, brand, provider):
        groups = ["YARDSTICK_VIEWER", "YARDSTICK_ASSESSOR", "brand:acme-groceries:viewer"]
        groups.append("brand:Acme-Groceries:lead")
        provider.claims = person(groups=groups)
        sign_in(client)
        user = get_user(client)
        assert user.group_role == "assessor"
        assert user.memberships.get().role == BrandRole.LEAD

    def test_it_returns_to_the_page_asked_for(self, client, sso_on, brand, provider):
        provider.claims = person(groups=["YARDSTICK_VIEWER"])
        response = sign_in(client, next_url="/audit/")
        assert response["Location"] == "/audit/"

    def test_a_second_login_recognises_the_person_by_subject(self, client, sso_on, brand, provider):
        provider.claims = person(groups=["YARDSTICK_VIEWER"])
        sign_in(client)
        client.post(reverse("logout"))
        provider.claims = person(groups=["YARDSTICK_VIEWER"], email="ann.new@example.com")
        sign_in(client)
        assert User.objects.count() == 1
        assert get_user(client).email == "ann.new@example.com"

    def test_logout_ends_the_session(self, client, sso_on, provider):
        provider.claims = person(groups=["YARDSTICK_VIEWER"])
        sign_in(client)
        assert client.post(reverse("logout")).status_code == 302
        assert not get_user(client).is_authenticated
        assert len(events(AuditAction.LOGOUT)) == 1


class TestRolesFollowTheProvider:
    def test_roles_taken_away_at_the_provider_are_taken_away_at_the_next_login(
        self, client, sso_on, brand, other_brand, provider
    ):
        groups = ["YARDSTICK_ADMIN", "brand:acme-groceries:lead", "brand:other-foods:lead"]
        provider.claims = person(groups=groups)
        sign_in(client)
        client.post(reverse("logout"))
        provider.claims = person(groups=["brand:acme-groceries:viewer"])
        sign_in(client)
        user = get_user(client)
        assert user.group_role == ""
        assert [(m.brand, m.role) for m in user.memberships.all()] == [(brand, BrandRole.VIEWER)]
        (demoted,) = [e for e in events(AuditAction.GROUP_ROLE_CHANGED) if e.details["new"] == ""]
        assert (demoted.actor, demoted.details["old"]) == (user, "admin")
        (changed,) = events(AuditAction.MEMBERSHIP_CHANGED)
        assert (changed.brand, changed.details) == (brand, {"role": "viewer", "old_role": "lead"})
        (removed,) = events(AuditAction.MEMBERSHIP_REMOVED)
        assert (removed.actor, removed.brand) == (user, other_brand)

    def test_someone_whose_groups_give_nothing_any_more_loses_every_role_and_is_told(
        self, client, sso_on, brand, provider
    ):
        provider.claims = person(groups=["YARDSTICK_VIEWER", "brand:acme-groceries:lead"])
        sign_in(client)
        client.post(reverse("logout"))
        provider.claims = person(groups=["Sales"])
        response = sign_in(client)
        assert response.status_code == 403
        assert "No access yet" in response.content.decode()
        assert not get_user(client).is_authenticated
        user = User.objects.get(sso_subject="idp-0001")
        assert user.group_role == "" and not user.memberships.exists()
        assert len(events(AuditAction.MEMBERSHIP_REMOVED)) == 1

    def test_an_unknown_person_without_roles_gets_the_no_access_page_and_no_account(
        self, client, sso_on, provider
    ):
        provider.claims = person(groups=["Sales"])
        response = sign_in(client)
        assert response.status_code == 403
        page = response.content.decode()
        assert "No access yet" in page and "Example ID" in page and "ann" in page
        assert not User.objects.exists()
        (failed,) = events(AuditAction.LOGIN_FAILED)
        assert failed.details["username"] == "ann"

    def test_a_brand_the_provider_names_but_yardstick_does_not_know_is_skipped(
        self, client, sso_on, brand, provider
    ):
        provider.claims = person(groups=["brand:acme-groceries:lead", "brand:nowhere:lead"])
        sign_in(client)
        assert [m.brand for m in get_user(client).memberships.all()] == [brand]

    def test_the_claim_and_the_role_names_are_configurable(self, client, sso_on, brand, provider):
        sso_on.OIDC_GROUPS_CLAIM = "roles"
        sso_on.OIDC_GROUP_ROLES = sso.parse_group_roles("ym-admins=admin")
        sso_on.OIDC_BRAND_ROLE_PREFIX = "ym/"
        provider.claims = person(roles=["ym-admins", "ym/acme-groceries:lead"])
        sign_in(client)
        user = get_user(client)
        assert user.group_role == "admin"
        assert user.memberships.get().role == BrandRole.LEAD


class TestRefused:
    @pytest.mark.parametrize(
        ("tamper", "message"),
        [
            ("signature", "signature does not verify"),
            ("expired", "has expired"),
            ("nonce", "nonce does not match"),
            ("audience", "issued to another client"),
            ("issuer", "comes from another issuer"),
        ],
    )
    def test_a_bad_id_token_is_refused_with_a_message(
        self, client, sso_on, provider, tamper, message
    ):
        provider.claims = person(groups=["YARDSTICK_ADMIN"])
        provider.tamper = tamper
        page = refusal(client, sign_in(client))
        assert "Single sign-on was refused" in page and message in page
        assert not get_user(client).is_authenticated
        assert not User.objects.exists()
        (failed,) = events(AuditAction.LOGIN_FAILED)
        assert message in failed.details["reason"]

    def test_a_callback_with_a_state_this_browser_did_not_start_is_refused(
        self, client, sso_on, provider
    ):
        provider.claims = person(groups=["YARDSTICK_ADMIN"])
        query = parse_qs(to_provider(client))
        response = client.get(CALLBACK, {"code": query["code"][0], "state": "forged"})
        assert "not started from this browser" in refusal(client, response)
        assert not get_user(client).is_authenticated
        assert "/token" not in provider.requests

    def test_a_callback_cannot_be_used_twice(self, client, sso_on, provider):
        provider.claims = person(groups=["YARDSTICK_VIEWER"])
        query = to_provider(client)
        client.get(f"{CALLBACK}?{query}")
        client.post(reverse("logout"))
        response = client.get(f"{CALLBACK}?{query}")
        assert response.status_code == 302 and response["Location"] == reverse("login")
        assert not get_user(client).is_authenticated

    def test_a_callback_in_another_browser_is_refused(self, client, sso_on, provider):
        provider.claims = person(groups=["YARDSTICK_VIEWER"])
        query = to_provider(client)
        from django.test import Client

        stranger = Client()
        response = stranger.get(f"{CALLBACK}?{query}")
        assert response["Location"] == reverse("login")
        assert not get_user(stranger).is_authenticated

    def test_userinfo_about_someone_else_is_refused(self, client, sso_on, provider):
        provider.claims = person(groups=["YARDSTICK_ADMIN"])
        provider.userinfo_sub = "idp-9999"
        assert "someone other than the ID token" in refusal(client, sign_in(client))
        assert not User.objects.exists()

    def test_the_provider_saying_no_is_a_message(self, client, sso_on):
        query = parse_qs(to_provider(client))
        response = client.get(CALLBACK, {"error": "access_denied", "state": query["state"][0]})
        assert "did not sign you in (access_denied)" in refusal(client, response)

    def test_an_error_answer_to_a_sign_in_this_browser_did_not_start_logs_no_one_out(
        self, client, sso_on, provider
    ):
        provider.claims = person(groups=["YARDSTICK_VIEWER"])
        sign_in(client)
        response = client.get(CALLBACK, {"error": "access_denied", "state": "from-a-link"})
        # Still logged in: the login page sends on to the home page, which shows the message.
        page = client.get(response["Location"], follow=True).content.decode()
        assert "not started from this browser" in page
        assert get_user(client).is_authenticated

    def test_a_disabled_account_is_not_logged_in(self, client, sso_on, provider):
        provider.claims = person(groups=["YARDSTICK_VIEWER"])
        sign_in(client)
        client.post(reverse("logout"))
        User.objects.filter(sso_subject="idp-0001").update(is_active=False)
        assert "account is switched off" in refusal(client, sign_in(client))
        assert not get_user(client).is_authenticated
        assert "switched off" in events(AuditAction.LOGIN_FAILED)[-1].details["reason"]

    def test_an_address_locked_out_by_failed_password_logins_cannot_sign_on_either(
        self, client, sso_on, provider
    ):
        factories.UserFactory(username="bob")
        for _ in range(sso_on.AXES_FAILURE_LIMIT):
            client.post(reverse("login"), {"username": "bob", "password": "wrong"})
        provider.claims = person(groups=["YARDSTICK_ADMIN"])
        response = sign_in(client)
        assert response.status_code == 429
        assert not get_user(client).is_authenticated


class TestMatchingExistingAccounts:
    def test_a_verified_email_does_not_take_over_an_account_unless_configured(
        self, client, sso_on, provider
    ):
        ann = factories.UserFactory(username="ann", email="ann@example.com")
        provider.claims = person(groups=["YARDSTICK_VIEWER"])
        sign_in(client)
        user = get_user(client)
        assert user.pk != ann.pk and user.username.startswith("ann-")
        ann.refresh_from_db()
        assert ann.sso_subject is None

    def test_a_verified_email_takes_over_the_existing_account_when_configured(
        self, client, sso_on, provider
    ):
        sso_on.OIDC_MATCH_VERIFIED_EMAIL = True
        ann = factories.member(factories.BrandFactory(name="Acme"), BrandRole.LEAD, username="ann")
        provider.claims = person(groups=["YARDSTICK_VIEWER"], email="ANN@example.com")
        sign_in(client)
        assert get_user(client).pk == ann.pk
        ann.refresh_from_db()
        assert ann.sso_subject == "idp-0001"
        assert ann.group_role == "viewer" and not ann.memberships.exists()
        assert ann.has_usable_password()  # password login keeps working for them

    def test_an_unverified_email_never_matches(self, client, sso_on, provider):
        sso_on.OIDC_MATCH_VERIFIED_EMAIL = True
        ann = factories.UserFactory(username="ann", email="ann@example.com")
        provider.claims = person(groups=["YARDSTICK_VIEWER"], email_verified=False)
        sign_in(client)
        user = get_user(client)
        assert user.pk != ann.pk
        assert user.email == ""  # an unverified address is not written on the account either

    def test_an_account_already_claimed_by_another_subject_is_not_taken_over(
        self, client, sso_on, provider
    ):
        sso_on.OIDC_MATCH_VERIFIED_EMAIL = True
        ann = factories.UserFactory(username="ann", email="ann@example.com", sso_subject="idp-7")
        provider.claims = person(groups=["YARDSTICK_VIEWER"])
        sign_in(client)
        assert get_user(client).pk != ann.pk


class TestMapping:
    def test_group_role_map_names_a_bad_entry(self):
        with pytest.raises(Exception, match="'ADMINS=root' names the role 'root'"):
            sso.parse_group_roles("ADMINS=root")
        with pytest.raises(Exception, match="must look like GROUP=role; 'ADMINS'"):
            sso.parse_group_roles("ADMINS")

    def test_values_that_are_not_ours_are_ignored(self):
        roles = sso.roles_from_claims(
            {"groups": ["brand:x:owner", "brand::lead", "other", 7]},
            claim="groups",
            group_roles={"A": "admin"},
            brand_prefix="brand:",
        )
        assert not roles.grants_anything

    def test_a_single_string_claim_counts(self):
        roles = sso.roles_from_claims(
            {"groups": "A"}, claim="groups", group_roles={"A": "admin"}, brand_prefix="brand:"
        )
        assert roles.group_role == "admin"

    @pytest.mark.parametrize(
        ("env", "message"),
        [
            ({"OIDC_CLIENT_ID": "y"}, "OIDC_CLIENT_SECRET must be set"),
            ({"OIDC_CLIENT_ID": "y", "OIDC_CLIENT_SECRET": "s"}, "needs OIDC_ISSUER"),
            (
                {"OIDC_CLIENT_ID": "y", "OIDC_CLIENT_SECRET": "s", "OIDC_ISSUER": "https://id"},
                None,
            ),
            ({"OIDC_GROUP_ROLES": "X=boss"}, "names the role 'boss'"),
            (
                {
                    "OIDC_CLIENT_ID": "y",
                    "OIDC_CLIENT_SECRET": "s",
                    "OIDC_ISSUER": "https://id",
                    "OIDC_SIGN_ALGO": "HS256",
                },
                "OIDC_SIGN_ALGO must be",
            ),
        ],
    )
    def test_settings_refuse_an_incomplete_configuration_naming_it(self, env, message):
        code = "import django; django.setup(); from django.conf import settings; "
        code += "print(settings.OIDC_ENABLED, settings.AUTHENTICATION_BACKENDS[-1])"
        clean = {k: v for k, v in os.environ.items() if not k.startswith("OIDC_")}
        result = subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
            capture_output=True,
            text=True,
            timeout=60,
        )
        if message is None:
            assert result.returncode == 0, result.stderr
            assert result.stdout.split() == ["True", "brands.oidc.OIDCBackend"]
        else:
            assert result.returncode != 0
            assert message in result.stderr
