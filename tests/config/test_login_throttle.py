"""Login throttling (django-axes) through the real login page, sessions and "log out everywhere"."""

import datetime
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.urls import reverse

from brands.models import AuditAction, AuditEvent
from tests import factories

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 5  # AXES_FAILURE_LIMIT's default


def attempt(client, username: str, password: str = "not-the-password", **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def from_address(address: str) -> Client:
    return Client(REMOTE_ADDR=address)


@pytest.fixture
def alice(db):
    return factories.UserFactory(username="alice")


@pytest.fixture
def bob(db):
    return factories.UserFactory(username="bob")


class TestThrottling:
    def test_a_wrong_password_is_answered_on_the_login_page(self, client, alice):
        response = attempt(client, "alice")
        assert response.status_code == 200
        assert "did not match" in response.content.decode()

    def test_the_right_password_logs_in(self, client, alice):
        response = attempt(client, "alice", factories.PASSWORD)
        assert response.status_code == 302
        assert get_user(client).pk == alice.pk

    def test_repeated_failures_for_an_account_lock_it_with_a_page_that_explains(
        self, client, alice
    ):
        for _ in range(LIMIT - 1):
            assert attempt(client, "alice").status_code == 200
        locked = attempt(client, "alice")
        assert locked.status_code == 429
        page = locked.content.decode()
        assert "Too many login attempts" in page
        assert "Try again in 15 minutes" in page
        assert "<html" in page  # our page with the site's layout, not a bare text

        refused = attempt(client, "alice", factories.PASSWORD)
        assert refused.status_code == 429
        assert not get_user(client).is_authenticated

    def test_an_account_stays_locked_when_the_attacker_changes_address(self, alice, bob):
        for n in range(LIMIT):
            attempt(from_address(f"198.51.100.{n + 1}"), "alice")
        fresh = from_address("198.51.100.99")
        assert attempt(fresh, "alice", factories.PASSWORD).status_code == 429
        # Someone else at that address is not affected by alice's lockout.
        assert attempt(fresh, "bob", factories.PASSWORD).status_code == 302

    def test_one_address_trying_many_accounts_is_locked_out(self, alice):
        client = from_address("198.51.100.7")
        for n in range(LIMIT):
            attempt(client, f"guess{n}")
        assert attempt(client, "alice", factories.PASSWORD).status_code == 429
        # alice herself, from her own address, still gets in.
        assert attempt(from_address("198.51.100.8"), "alice", factories.PASSWORD).status_code == 302

    def test_the_lockout_ends_after_the_cool_off(self, client, alice):
        for _ in range(LIMIT):
            attempt(client, "alice")
        assert attempt(client, "alice", factories.PASSWORD).status_code == 429
        # The cool-off (15 minutes) passes: age the recorded failures rather than wait.
        AccessAttempt.objects.update(
            attempt_time=datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=16)
        )
        assert attempt(client, "alice", factories.PASSWORD).status_code == 302

    def test_the_lockout_page_escapes_the_username_it_repeats(self, client, db):
        payload = "<script>alert(1)</script>"
        for _ in range(LIMIT):
            response = attempt(client, payload)
        assert response.status_code == 429
        page = response.content.decode()
        assert payload not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page

    @override_settings(AXES_FAILURE_LIMIT=2)
    def test_the_limit_comes_from_the_settings(self, client, alice):
        attempt(client, "alice")
        assert attempt(client, "alice").status_code == 429

    def test_failures_are_counted_in_the_database_for_every_web_process(self, client, alice):
        attempt(client, "alice")
        attempt(client, "alice")
        assert AccessAttempt.objects.get(username="alice").failures_since_start == 2

    def test_the_admin_login_is_throttled_too(self, client, alice):
        for _ in range(LIMIT):
            client.post(reverse("admin:login"), {"username": "alice", "password": "wrong-password"})
        response = client.post(
            reverse("admin:login"), {"username": "alice", "password": factories.PASSWORD}
        )
        assert response.status_code == 429

    def test_code_that_authenticates_without_a_request_is_not_throttled(self, client, alice):
        # The test client's login() and management commands pass no request; only logins
        # from the network are throttled, and they always come with one.
        assert client.login(username="alice", password=factories.PASSWORD)


class TestProxies:
    def test_a_forged_forwarded_header_is_ignored_by_default(self, alice):
        client = from_address("198.51.100.20")
        for n in range(LIMIT):
            attempt(client, f"guess{n}", HTTP_X_FORWARDED_FOR=f"203.0.113.{n + 1}")
        response = attempt(client, "alice", factories.PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.50")
        assert response.status_code == 429

    @override_settings(TRUSTED_PROXY_COUNT=1)
    def test_behind_a_trusted_proxy_each_client_is_throttled_on_its_own(self, alice):
        proxy = from_address("10.0.0.2")
        for n in range(LIMIT):
            attempt(proxy, f"guess{n}", HTTP_X_FORWARDED_FOR="203.0.113.5")
        locked = attempt(proxy, "alice", factories.PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.5")
        assert locked.status_code == 429
        other = attempt(proxy, "alice", factories.PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.9")
        assert other.status_code == 302

    @override_settings(TRUSTED_PROXY_COUNT=1)
    def test_behind_a_trusted_proxy_the_audit_log_names_the_client(self, alice):
        attempt(from_address("10.0.0.2"), "alice", HTTP_X_FORWARDED_FOR="203.0.113.5")
        assert AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED).address == "203.0.113.5"

    @override_settings(TRUSTED_PROXY_COUNT=1)
    def test_a_malformed_forwarded_entry_falls_back_to_the_proxy_address(self, alice):
        attempt(from_address("10.0.0.2"), "alice", HTTP_X_FORWARDED_FOR="not-an-address")
        assert AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED).address == "10.0.0.2"

    @override_settings(TRUSTED_PROXY_COUNT=1)
    def test_behind_a_trusted_proxy_only_the_entry_it_appended_counts(self, alice):
        proxy = from_address("10.0.0.2")
        # The client forges entries to the left; the proxy appends the address it saw.
        for n in range(LIMIT):
            attempt(proxy, f"guess{n}", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.5")
        response = attempt(
            proxy, "alice", factories.PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.77, 203.0.113.5"
        )
        assert response.status_code == 429


class TestAudit:
    def test_failed_logins_and_the_lockout_are_in_the_audit_log(self, client, alice):
        for _ in range(LIMIT):
            attempt(client, "alice")
        failed = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED)
        assert failed.count() == LIMIT
        assert {e.details["username"] for e in failed} == {"alice"}
        assert {e.address for e in failed} == {"127.0.0.1"}
        locked = AuditEvent.objects.get(action=AuditAction.LOCKED_OUT)
        assert locked.details == {"username": "alice"}
        assert "not-the-password" not in json.dumps(list(failed.values_list("details", flat=True)))

    def test_a_login_and_a_logout_are_in_the_audit_log(self, client, alice):
        attempt(client, "alice", factories.PASSWORD)
        client.post(reverse("logout"))
        actions = list(
            AuditEvent.objects.filter(actor=alice)
            .order_by("at", "id")
            .values_list("action", flat=True)
        )
        assert actions == [AuditAction.LOGIN, AuditAction.LOGOUT]


class TestPasswordsAndSessions:
    @pytest.mark.parametrize("password", ["short1", "password123", "12345678901", "alice-smith"])
    def test_weak_passwords_are_refused(self, password):
        user = factories.UserFactory.build(username="alice-smith", first_name="Alice")
        with pytest.raises(ValidationError):
            validate_password(password, user)

    def test_a_strong_password_is_accepted(self):
        validate_password("correct horse battery 42")

    def test_the_session_cookie_lasts_as_configured(self, client, alice, settings):
        response = attempt(client, "alice", factories.PASSWORD)
        assert response.cookies["sessionid"]["max-age"] == settings.SESSION_COOKIE_AGE


def _settings_in_a_subprocess(**env: str) -> subprocess.CompletedProcess:
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({'age': s.SESSION_COOKIE_AGE, 'close': s.SESSION_EXPIRE_AT_BROWSER_CLOSE,"
        " 'limit': s.AXES_FAILURE_LIMIT, 'cooloff': s.AXES_COOLOFF_TIME.total_seconds(),"
        " 'proxies': s.TRUSTED_PROXY_COUNT, 'log': s.LOG_FORMAT}))"
    )
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**keep, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


class TestSettingsFromTheEnvironment:
    def test_throttling_and_sessions_are_configured_by_environment_variables(self):
        run = _settings_in_a_subprocess(
            SESSION_COOKIE_AGE="600",
            SESSION_EXPIRE_AT_BROWSER_CLOSE="yes",
            AXES_FAILURE_LIMIT="3",
            AXES_COOLOFF_MINUTES="30",
            TRUSTED_PROXY_COUNT="2",
            LOG_FORMAT="json",
        )
        assert run.returncode == 0, run.stderr
        assert json.loads(run.stdout.strip().splitlines()[-1]) == {
            "age": 600,
            "close": True,
            "limit": 3,
            "cooloff": 1800.0,
            "proxies": 2,
            "log": "json",
        }

    def test_a_bad_value_stops_the_start_naming_the_variable(self):
        run = _settings_in_a_subprocess(AXES_FAILURE_LIMIT="0")
        assert run.returncode != 0
        assert "AXES_FAILURE_LIMIT must be at least 1, not 0" in run.stderr


class TestLogoutEverywhere:
    def test_it_ends_every_session_of_the_user_and_only_theirs(self, alice, bob):
        laptop, phone, colleague = Client(), Client(), Client()
        for device in (laptop, phone):
            assert attempt(device, "alice", factories.PASSWORD).status_code == 302
        assert attempt(colleague, "bob", factories.PASSWORD).status_code == 302

        response = laptop.post(reverse("logout_everywhere"))
        assert response.status_code == 302
        assert response["Location"] == reverse("login")

        for device in (laptop, phone):
            assert device.get(reverse("brand_list")).status_code == 302
            assert not get_user(device).is_authenticated
        assert colleague.get(reverse("brand_list")).status_code == 200
        assert AuditEvent.objects.filter(action=AuditAction.LOGOUT_EVERYWHERE, actor=alice).exists()

    def test_logging_in_again_afterwards_works(self, alice):
        client = Client()
        attempt(client, "alice", factories.PASSWORD)
        client.post(reverse("logout_everywhere"))
        assert attempt(client, "alice", factories.PASSWORD).status_code == 302
        assert client.get(reverse("brand_list")).status_code == 200

    def test_the_page_asks_before_acting(self, client, alice):
        client.force_login(alice)
        response = client.get(reverse("logout_everywhere"))
        assert response.status_code == 200
        assert "ends every session" in response.content.decode()
        assert get_user(client).is_authenticated

    def test_it_needs_a_logged_in_user(self, client):
        response = client.post(reverse("logout_everywhere"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))

    def test_it_refuses_other_methods(self, client, alice):
        client.force_login(alice)
        assert client.put(reverse("logout_everywhere")).status_code == 405
