"""The interface's message catalogs (locale/<code>/LC_MESSAGES/django.po) for the tests."""

import shutil
import subprocess
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
LOCALE_DIR = BASE_DIR / "locale"


def catalog(code: str) -> Path:
    return LOCALE_DIR / code / "LC_MESSAGES" / "django.po"


def compile_stale() -> None:
    """Compiles each catalog whose .mo is missing or older than it, as `make messages` does,
    so that a bare `pytest` tests the translations as they are in the working tree."""
    msgfmt = shutil.which("msgfmt")
    for po in sorted(LOCALE_DIR.glob("*/LC_MESSAGES/django.po")):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        if msgfmt is None:
            raise RuntimeError(
                f"{po.relative_to(BASE_DIR)} needs compiling and msgfmt is missing: "
                "install GNU gettext (Debian: apt-get install gettext)"
            )
        subprocess.run([msgfmt, "--check-format", "-o", str(mo), str(po)], check=True)
