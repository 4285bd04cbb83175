"""Django for the benchmark process itself (data set-up and checks), on PostgreSQL."""

import os
import subprocess
import sys

from bench.common import ROOT

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/yardstick_bench"


def database_env() -> dict:
    url = os.environ.get("BENCH_DATABASE_URL") or DEFAULT_DATABASE_URL
    if not url.startswith("postgres"):
        raise SystemExit("The benchmarks run on PostgreSQL: set BENCH_DATABASE_URL=postgres://...")
    return {"DATABASE_URL": url}


def prepare() -> dict:
    """Create and migrate the benchmark database; set Django up in this process."""
    env = database_env()
    name = env["DATABASE_URL"].rsplit("/", 1)[1]
    host_url = env["DATABASE_URL"].rsplit("/", 1)[0] + "/postgres"
    exists = subprocess.run(
        ["psql", host_url, "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if exists != "1":
        subprocess.run(["psql", host_url, "-c", f'CREATE DATABASE "{name}"'], check=True)
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"],
        cwd=ROOT,
        env={**os.environ},
        check=True,
    )
    subprocess.run(
        [sys.executable, "manage.py", "import_question_set"],
        cwd=ROOT,
        env={**os.environ},
        check=True,
        capture_output=True,
    )
    import django

    django.setup()
    return env
