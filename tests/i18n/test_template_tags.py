"""`{% load i18n %}` is Django's library with fixed messages kept per language
(config/template_i18n.py): every tag still translates as Django's does, in whichever
language is active when the page is drawn."""

import pytest
from django.template import engines
from django.templatetags import i18n as django_i18n
from django.test import override_settings
from django.utils import translation

from config import template_i18n

TEMPLATE = (
    "{% load i18n %}"
    '{% for i in rows %}[{% translate "Comment" %}|'
    '{% translate "core" context "tag of a core section or statement" %}|'
    '{% translate "Saved" as word %}{{ word }}|'
    "{% blocktranslate trimmed %}Sections{% endblocktranslate %}|"
    "{% blocktranslate count counter=i %}{{ counter }} day{% plural %}{{ counter }} days"
    "{% endblocktranslate %}|"
    '{% translate name %}|{% translate "Comment"|upper %}]{% endfor %}'
)


def _render(source: str, language: str, **context) -> str:
    with translation.override(language):
        return engines["django"].from_string(source).render(context)


def _django_render(source: str, language: str, **context) -> str:
    """The same template through Django's own i18n library."""
    engine = engines["django"].engine
    saved = engine.template_libraries["i18n"]
    engine.template_libraries["i18n"] = django_i18n.register
    try:
        return _render(source, language, **context)
    finally:
        engine.template_libraries["i18n"] = saved


@pytest.mark.parametrize("language", ["en", "nl", "de", "el", "cs"])
def test_every_tag_gives_what_djangos_own_gives(language):
    context = {"rows": [1, 2, 5], "name": "History"}
    ours = _render(TEMPLATE, language, **context)
    assert ours == _django_render(TEMPLATE, language, **context)
    assert ours.count("[") == 3


def test_a_kept_message_follows_the_language_of_each_rendering():
    template = engines["django"].from_string('{% load i18n %}{% translate "Comment" %}')
    seen = []
    for language in ("en", "nl", "en", "de", "nl"):
        with translation.override(language):
            seen.append(template.render({}))
    assert seen == ["Comment", "Opmerking", "Comment", "Kommentar", "Opmerking"]


def test_only_fixed_messages_are_kept():
    def node(source):
        template = engines["django"].from_string("{% load i18n %}" + source)
        return template.template.nodelist[-1]

    assert node('{% translate "Comment" %}').fixed
    assert node('{% translate "core" context "tag" %}').fixed
    assert node("{% blocktranslate trimmed %}Sections{% endblocktranslate %}").fixed
    assert not node("{% translate name %}").fixed
    assert not node('{% translate "Comment"|upper %}').fixed
    assert not node('{% translate "core" context kind %}').fixed
    assert not node("{% blocktranslate %}Hello {{ name }}{% endblocktranslate %}").fixed
    assert not node(
        "{% blocktranslate count counter=n %}one{% plural %}many{% endblocktranslate %}"
    ).fixed


def test_a_change_of_the_catalog_settings_forgets_what_was_kept():
    template = engines["django"].from_string('{% load i18n %}{% translate "Comment" %}')
    with translation.override("nl"):
        assert template.render({}) == "Opmerking"
    before = template_i18n._generation[0]
    # (Django's own handler of the change also switches the active language off.)
    with override_settings(LOCALE_PATHS=[]), translation.override("nl"):
        assert template_i18n._generation[0] == before + 1
        # Without the project's catalogs there is no Dutch for our own words.
        assert template.render({}) == "Comment"
    with translation.override("nl"):
        assert template.render({}) == "Opmerking"


def test_no_other_template_library_name_is_used_twice():
    """Django's check of names used twice (templates.W003) is silenced for our `i18n`;
    any other name used twice still fails here."""
    from django.template import engines as all_engines

    problems = [
        warning.msg
        for engine in all_engines.all()
        for warning in engine._check_for_template_tags_with_the_same_name()
    ]
    assert len(problems) == 1 and problems[0].startswith("'i18n' is used"), problems
