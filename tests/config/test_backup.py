"""scripts/backup and scripts/restore against a scratch PostgreSQL database of their own.

A seeded database is backed up, dropped, created empty and restored; every table
must hold the same rows, the sequences must carry on where they were, and the
append-only triggers must be back. The media files must come back byte for byte.
"""

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[2]
# Named after the test database, so that runs against one server at once (CI_DB_NAME, one
# database per xdist process) never share it.
SCRATCH = f"{os.environ.get('DATABASE_URL', '').rsplit('/', 1)[-1] or 'yardstick'}_backup_test"


def _server_url() -> str:
    return os.environ["DATABASE_URL"].rsplit("/", 1)[0]


def _admin(statement: sql.Composable) -> None:
    with psycopg.connect(f"{_server_url()}/postgres", autocommit=True) as conn:
        conn.execute(statement)


def _drop() -> None:
    _admin(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(SCRATCH)))


def _create() -> None:
    _admin(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(SCRATCH)))


def _run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")}
    return subprocess.run(
        args, cwd=ROOT, env={**keep, **env}, capture_output=True, text=True, timeout=600
    )


def _manage(url: str, *args: str) -> None:
    run = _run([sys.executable, "manage.py", *args], DATABASE_URL=url)
    assert run.returncode == 0, run.stderr[-3000:]


def _state(url: str) -> dict:
    """Rows per table, sequence positions and our triggers: what a restore must bring back."""
    with psycopg.connect(url) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
            )
        ]
        counts = {
            table: conn.execute(
                sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
            ).fetchone()[0]
            for table in tables
        }
        sequences = dict(
            conn.execute(
                "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'"
            ).fetchall()
        )
        triggers = sorted(
            row[0]
            for row in conn.execute(
                "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgname LIKE '%append_only'"
            )
        )
    return {"counts": counts, "sequences": sequences, "triggers": triggers}


@pytest.fixture(scope="module")
def seeded():
    """A scratch database with the schema, the default question set and the demo data."""
    url = f"{_server_url()}/{SCRATCH}"
    _drop()
    _create()
    _manage(url, "migrate", "--noinput")
    _manage(url, "import_question_set")
    _manage(url, "seed_demo", "--scale", "demo")
    yield url
    _drop()


@pytest.fixture
def media(tmp_path):
    root = tmp_path / "media"
    (root / "reports" / "2026").mkdir(parents=True)
    (root / "reports" / "2026" / "brand report.pdf").write_bytes(b"%PDF-1.7 \x00\xff binary")
    (root / "uploads").mkdir()
    (root / "uploads" / "answers.xlsx").write_bytes(os.urandom(2048))
    return root


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_a_backup_restored_into_a_new_database_holds_everything(seeded, media, tmp_path):
    before = _state(seeded)
    assert before["counts"]["surveys_answer"] > 0
    assert before["counts"]["brands_auditevent"] > 0
    assert before["triggers"]  # the append-only triggers exist to be restored

    backup = tmp_path / "backup-1"
    made = _run(["scripts/backup", str(backup)], DATABASE_URL=seeded, MEDIA_ROOT=str(media))
    assert made.returncode == 0, made.stderr
    assert sorted(p.name for p in backup.iterdir()) == [
        "SHA256SUMS",
        "database.dump",
        "manifest.txt",
        "media.tar.gz",
    ]

    _drop()
    _create()
    restored_media = tmp_path / "restored-media"
    done = _run(
        ["scripts/restore", str(backup), "--yes"],
        DATABASE_URL=seeded,
        MEDIA_ROOT=str(restored_media),
    )
    assert done.returncode == 0, done.stderr

    assert _state(seeded) == before
    assert _files(restored_media) == _files(media)
    # The restored database is usable as it is: nothing left to migrate.
    check = _run(
        [sys.executable, "manage.py", "migrate", "--check", "--noinput"], DATABASE_URL=seeded
    )
    assert check.returncode == 0, check.stdout + check.stderr


def test_restoring_over_a_changed_database_brings_back_the_backup(seeded, media, tmp_path):
    backup = tmp_path / "backup-2"
    assert (
        _run(["scripts/backup", str(backup)], DATABASE_URL=seeded, MEDIA_ROOT=str(media)).returncode
        == 0
    )
    before = _state(seeded)
    with psycopg.connect(seeded) as conn:
        conn.execute(
            "INSERT INTO brands_brand (code, name, country, has_ds_team, created_at) "
            "VALUES (gen_random_uuid(), 'Added after the backup', 'NL', true, now())"
        )
    assert _state(seeded) != before

    done = _run(
        ["scripts/restore", str(backup), "--yes"], DATABASE_URL=seeded, MEDIA_ROOT=str(media)
    )
    assert done.returncode == 0, done.stderr
    assert _state(seeded)["counts"] == before["counts"]


def test_a_damaged_backup_is_refused_before_anything_is_touched(seeded, media, tmp_path):
    backup = tmp_path / "backup-3"
    assert (
        _run(["scripts/backup", str(backup)], DATABASE_URL=seeded, MEDIA_ROOT=str(media)).returncode
        == 0
    )
    before = _state(seeded)
    dump = backup / "database.dump"
    dump.write_bytes(dump.read_bytes()[: dump.stat().st_size // 2])

    done = _run(
        ["scripts/restore", str(backup), "--yes"], DATABASE_URL=seeded, MEDIA_ROOT=str(media)
    )
    assert done.returncode != 0
    assert "fails its checksums" in done.stderr
    assert _state(seeded) == before


def test_the_scripts_refuse_unclear_requests(seeded, tmp_path):
    existing = tmp_path / "exists"
    existing.mkdir()
    again = _run(["scripts/backup", str(existing)], DATABASE_URL=seeded)
    assert again.returncode != 0 and "exists already" in again.stderr

    sqlite = _run(["scripts/backup", str(tmp_path / "new")], DATABASE_URL="sqlite:///db.sqlite3")
    assert sqlite.returncode != 0 and "postgres://" in sqlite.stderr

    unconfirmed = _run(["scripts/restore", str(existing)], DATABASE_URL=seeded)
    assert unconfirmed.returncode == 2 and "--yes" in unconfirmed.stderr
