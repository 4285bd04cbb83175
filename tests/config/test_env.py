"""Settings from the environment: safe defaults, loud errors, and a production mode that refuses
to start insecurely."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, env_str, env_url

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = "k" * 20 + "3vQ9-xL_2pZr7Tn0WbY8sHc4uMf6EjDg1aKoRi5N"  # 60 characters
assert len(GOOD_KEY) == 60

# The subprocesses see only these from whoever runs the tests, so that a variable set by CI or
# another test (DEBUG, DJANGO_ALLOW_ASYNC_UNSAFE, ...) cannot change what they check.
_INHERITED = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")


class TestEnvHelpers:
    @pytest.mark.parametrize(
        ("raw", "expected"),
        [
            ("1", True),
            ("true", True),
            ("Yes", True),
            (" on ", True),
            ("0", False),
            ("false", False),
            ("NO", False),
            ("off", False),
            ("", False),
        ],
    )
    def test_env_bool_reads_the_usual_spellings(self, monkeypatch, raw, expected):
        monkeypatch.setenv("YS_FLAG", raw)
        assert env_bool("YS_FLAG", not expected) is expected

    def test_env_bool_falls_back_to_the_default_when_unset(self, monkeypatch):
        monkeypatch.delenv("YS_FLAG", raising=False)
        assert env_bool("YS_FLAG", True) is True

    @pytest.mark.parametrize("raw", ["maybe", "2", "tru", "enabled"])
    def test_env_bool_refuses_anything_else_naming_the_variable(self, monkeypatch, raw):
        monkeypatch.setenv("YS_FLAG", raw)
        with pytest.raises(ImproperlyConfigured, match=f"YS_FLAG must be one of .* not '{raw}'"):
            env_bool("YS_FLAG")

    def test_env_int_reads_a_whole_number(self, monkeypatch):
        monkeypatch.setenv("YS_COUNT", "42")
        assert env_int("YS_COUNT", 7) == 42

    @pytest.mark.parametrize("raw", ["", "  "])
    def test_env_int_treats_blank_as_unset(self, monkeypatch, raw):
        monkeypatch.setenv("YS_COUNT", raw)
        assert env_int("YS_COUNT", 7) == 7

    @pytest.mark.parametrize("raw", ["ten", "4.5", "1e3"])
    def test_env_int_refuses_a_non_number_naming_the_variable(self, monkeypatch, raw):
        monkeypatch.setenv("YS_COUNT", raw)
        with pytest.raises(
            ImproperlyConfigured, match=f"YS_COUNT must be a whole number, not '{raw}'"
        ):
            env_int("YS_COUNT", 7)

    def test_env_int_refuses_a_number_below_the_minimum(self, monkeypatch):
        monkeypatch.setenv("YS_COUNT", "5")
        with pytest.raises(ImproperlyConfigured, match="YS_COUNT must be at least 60, not 5"):
            env_int("YS_COUNT", 600, minimum=60)

    def test_env_url_accepts_a_listed_scheme(self, monkeypatch):
        monkeypatch.setenv("YS_DB", " postgres://db/app ")
        assert env_url("YS_DB", schemes=("postgres", "sqlite")) == "postgres://db/app"

    def test_env_url_is_empty_when_unset(self, monkeypatch):
        monkeypatch.delenv("YS_DB", raising=False)
        assert env_url("YS_DB", schemes=("postgres",)) == ""

    @pytest.mark.parametrize("raw", ["mysql://db/app", "db.example.com:5432", "postgres:/db"])
    def test_env_url_refuses_another_scheme_naming_the_variable(self, monkeypatch, raw):
        monkeypatch.setenv("YS_DB", raw)
        with pytest.raises(ImproperlyConfigured, match="YS_DB must start with one of postgres://"):
            env_url("YS_DB", schemes=("postgres", "sqlite"))

    def test_env_list_splits_on_commas_and_drops_blanks(self, monkeypatch):
        monkeypatch.setenv("YS_HOSTS", " a.example.com, ,b.example.com ")
        assert env_list("YS_HOSTS", []) == ["a.example.com", "b.example.com"]

    def test_env_str_falls_back_to_the_default(self, monkeypatch):
        monkeypatch.delenv("YS_NAME", raising=False)
        assert env_str("YS_NAME", "fallback") == "fallback"


def _start(args: list[str], **env: str) -> subprocess.Popen:
    """Start Python with the project's settings and only the given settings variables set."""
    clean = {k: v for k, v in os.environ.items() if k in _INHERITED}
    clean.update(DJANGO_SETTINGS_MODULE="config.settings", **env)
    return subprocess.Popen(
        [sys.executable, *args],
        cwd=ROOT,
        env=clean,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


SETUP = ["-c", "import django; django.setup()"]
CHECK = ["manage.py", "check", "--deploy"]
PRODUCTION = {"YARDSTICK_PRODUCTION": "1", "ALLOWED_HOSTS": "yardstick.example.com"}
FIGURES = [
    "-c",
    "import django; django.setup(); from django.conf import settings; "
    "from scoring.selectors.figures_cache import figures_cache; "
    "print(type(figures_cache()).__name__, settings.CACHES.get('figures', {}).get('LOCATION'))",
]
REDIS = {"REDIS_URL": "redis://cache.example.com:6379/0"}
RUNS = {
    "default key": (SETUP, PRODUCTION),
    "short key": (SETUP, {**PRODUCTION, "SECRET_KEY": GOOD_KEY[:49]}),
    "debug on": (SETUP, {**PRODUCTION, "SECRET_KEY": GOOD_KEY, "DEBUG": "1"}),
    "misspelt flag": (SETUP, {"YARDSTICK_PRODUCTION": "yes please"}),
    "mysql": (SETUP, {"DATABASE_URL": "mysql://db/yardstick"}),
    "good": (SETUP, {**PRODUCTION, "SECRET_KEY": GOOD_KEY}),
    "check": (CHECK, {**PRODUCTION, "SECRET_KEY": GOOD_KEY}),
    "check no preload": (CHECK, {**PRODUCTION, "SECRET_KEY": GOOD_KEY, "SECURE_HSTS_PRELOAD": "0"}),
    "figures production": (FIGURES, {**PRODUCTION, "SECRET_KEY": GOOD_KEY, **REDIS}),
    "figures production local": (
        FIGURES,
        {**PRODUCTION, "SECRET_KEY": GOOD_KEY, **REDIS, "FIGURES_CACHE_URL": "local"},
    ),
    "figures own redis": (FIGURES, {**REDIS, "FIGURES_CACHE_URL": "redis://figures:6379/3"}),
    "figures development": (FIGURES, REDIS),
    "figures bad url": (FIGURES, {"FIGURES_CACHE_URL": "memcached://figures"}),
}


@pytest.fixture(scope="module")
def runs():
    """Every subprocess started at once (each costs a second of Django start-up), read on demand."""
    started = {name: _start(args, **env) for name, (args, env) in RUNS.items()}
    done: dict[str, subprocess.CompletedProcess] = {}

    def result(name: str) -> subprocess.CompletedProcess:
        if name not in done:
            process = started[name]
            stdout, stderr = process.communicate(timeout=120)
            done[name] = subprocess.CompletedProcess(
                process.args, process.returncode, stdout, stderr
            )
        return done[name]

    yield result
    for process in started.values():
        if process.poll() is None:
            process.kill()
            process.communicate()


class TestProductionMode:
    def test_it_refuses_to_start_with_the_default_secret_key(self, runs):
        done = runs("default key")
        assert done.returncode != 0
        assert "ImproperlyConfigured" in done.stderr
        assert "SECRET_KEY must be set to a random value of at least 50 characters" in done.stderr

    def test_it_refuses_to_start_with_a_short_secret_key(self, runs):
        done = runs("short key")
        assert done.returncode != 0
        assert "SECRET_KEY must be set to a random value of at least 50 characters" in done.stderr

    def test_it_refuses_to_start_with_debug_on(self, runs):
        done = runs("debug on")
        assert done.returncode != 0
        assert "DEBUG must be off" in done.stderr

    def test_it_refuses_a_misspelt_production_flag(self, runs):
        done = runs("misspelt flag")
        assert done.returncode != 0
        assert "YARDSTICK_PRODUCTION must be one of" in done.stderr

    def test_it_refuses_a_database_url_of_an_unsupported_kind(self, runs):
        done = runs("mysql")
        assert done.returncode != 0
        assert "DATABASE_URL must start with one of" in done.stderr

    def test_it_starts_with_a_long_secret_key_and_allowed_hosts(self, runs):
        done = runs("good")
        assert done.returncode == 0, done.stderr

    def test_the_deploy_checks_report_no_issues(self, runs):
        done = runs("check")
        assert done.returncode == 0, done.stderr
        assert "System check identified no issues" in done.stdout, done.stdout + done.stderr

    def test_turning_hsts_preload_off_is_reported_by_the_deploy_checks(self, runs):
        done = runs("check no preload")
        assert "security.W021" in done.stdout + done.stderr


class TestFiguresCache:
    def test_production_shares_it_in_redis_by_default(self, runs):
        done = runs("figures production")
        assert done.returncode == 0, done.stderr
        assert done.stdout.split() == ["RedisCache", "redis://cache.example.com:6379/0"]

    def test_local_keeps_it_in_each_process(self, runs):
        done = runs("figures production local")
        assert done.returncode == 0, done.stderr
        assert done.stdout.split()[0] == "LocMemCache"

    def test_its_own_url_names_the_redis(self, runs):
        done = runs("figures own redis")
        assert done.returncode == 0, done.stderr
        assert done.stdout.split() == ["RedisCache", "redis://figures:6379/3"]

    def test_outside_production_it_stays_in_the_process(self, runs):
        done = runs("figures development")
        assert done.returncode == 0, done.stderr
        assert done.stdout.split()[0] == "LocMemCache"

    def test_a_url_of_another_kind_is_refused_naming_the_variable(self, runs):
        done = runs("figures bad url")
        assert done.returncode != 0
        assert "FIGURES_CACHE_URL must start with one of redis://, rediss://" in done.stderr
