"""The interface's translations: every language declared complete translates every message
the code marks, with the same placeholders, and the pages speak it."""

import os
import shutil
import subprocess

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.utils import translation

from tests.i18n.catalogs import BASE_DIR, catalog

pytestmark = pytest.mark.xdist_group("i18n-catalogs")

COMPLETE = settings.LANGUAGES_COMPLETE
# What `make makemessages` leaves out: tests, tools and what is not our code.
SKIPPED = ("tests", "bench", "scripts", ".*", "staticfiles", "media", "node_modules", "docs")


def _ids(po: polib.POFile) -> set[tuple[str | None, str]]:
    return {(entry.msgctxt, entry.msgid) for entry in po if not entry.obsolete}


@pytest.fixture(scope="module")
def marked(tmp_path_factory) -> set[tuple[str | None, str]]:
    """Every message marked in the code today, extracted afresh as `make makemessages` does.

    makemessages writes into the locale directory nearest each file, so it runs on a copy
    of the code: the committed catalogs stay untouched."""
    if shutil.which("xgettext") is None:
        pytest.fail("xgettext is missing: install GNU gettext (Debian: apt-get install gettext)")
    copy = tmp_path_factory.mktemp("code") / "yardstick"
    shutil.copytree(
        BASE_DIR,
        copy,
        ignore=shutil.ignore_patterns(*SKIPPED, "*.pyc", "__pycache__", "*.mo", "*.po"),
    )
    (copy / "locale" / "nl" / "LC_MESSAGES").mkdir(parents=True, exist_ok=True)
    here = os.getcwd()
    os.chdir(copy)
    try:
        with override_settings(LOCALE_PATHS=[str(copy / "locale")]):
            call_command("makemessages", locale=["nl"], verbosity=0)
    finally:
        os.chdir(here)
    return _ids(polib.pofile(str(copy / "locale" / "nl" / "LC_MESSAGES" / "django.po")))


def test_the_complete_languages_are_languages_yardstick_offers():
    offered = {code for code, _ in settings.LANGUAGES}
    assert set(COMPLETE) <= offered
    assert {"nl", "fr", "de", "el", "ro", "cs"} <= set(COMPLETE)


def test_the_code_marks_messages(marked):
    assert ("navigation", "Main") in marked
    assert (None, "Log out") in marked
    assert len(marked) > 100


@pytest.mark.parametrize("code", COMPLETE)
def test_the_catalog_holds_every_marked_message(code, marked):
    missing = marked - _ids(polib.pofile(str(catalog(code))))
    assert not missing, (
        f"{len(missing)} marked message(s) are not in locale/{code}: run `make makemessages` "
        "and translate them:\n" + "\n".join(f"  {m!r}" for m in sorted(missing, key=str)[:40])
    )


@pytest.mark.parametrize("code", COMPLETE)
def test_the_catalog_translates_every_message(code):
    po = polib.pofile(str(catalog(code)))
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert not untranslated, f"locale/{code}: {len(untranslated)} untranslated: {untranslated[:20]}"
    assert not fuzzy, f"locale/{code}: {len(fuzzy)} marked fuzzy (check, then unmark): {fuzzy[:20]}"


@pytest.mark.parametrize("code", COMPLETE)
def test_the_catalog_keeps_every_placeholder(code):
    # msgfmt --check refuses a translation whose %(name)s or {name} placeholders differ.
    result = subprocess.run(
        ["msgfmt", "--check", "-o", "/dev/null", str(catalog(code))],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("code", COMPLETE)
def test_the_catalog_is_used(code):
    with translation.override(code):
        assert translation.gettext("Log out") != "Log out"
        assert translation.get_language() == code


def test_no_marked_message_holds_an_escape_that_xgettext_keeps_as_written(marked):
    # xgettext does not read Python's \u escapes: the catalog would hold "\\u2026" and the
    # running code, asking for "…", would never find the translation. Type the character.
    escaped = [msgid for _, msgid in marked if "\\u" in msgid or "\\N{" in msgid]
    assert not escaped, escaped
