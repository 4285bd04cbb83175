"""Every word a template shows is marked for translation (tests/i18n/unmarked.py)."""

import pytest

from tests.i18n.unmarked import BASE_DIR, our_templates, unmarked, unmarked_in

TEMPLATES = our_templates()


def test_the_templates_are_found():
    names = {str(p.relative_to(BASE_DIR)) for p in TEMPLATES}
    assert "templates/base.html" in names
    assert "templates/surveys/email/invitation.txt" in names
    assert len(TEMPLATES) > 90


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(BASE_DIR)))
def test_every_string_is_marked(path):
    found = unmarked_in(path)
    assert not found, "unmarked for translation:\n" + "\n".join(
        f"  line {line}: {text}" for line, text in found
    )


@pytest.mark.parametrize(
    "source, expected",
    [
        ("<p>Brands</p>", [(1, "Brands")]),
        ("<p>{% translate 'Brands' %}</p>", []),
        ("<p>{{ brand.name }} · {{ n }}%</p>", []),
        ("<p>{{ done }} of {{ total }}</p>", [(1, "… of …")]),
        ("{% blocktranslate %}{{ done }} of {{ total }}{% endblocktranslate %}", []),
        ('<a title="Open it" href="{{ u }}">{% translate "x" %}</a>', [(1, "a[title]: Open it")]),
        ('<input type="submit" value="Save">', [(1, "input[value]: Save")]),
        ('<button type="submit" name="do" value="retire">{% translate "x" %}</button>', []),
        ('<form data-freeze="Submit it now?"></form>', [(1, "form[data-freeze]: Submit it now?")]),
        ('<time data-seconds="{{ s }}" data-running="1"></time>', []),
        ("<script>let a = 'Words';</script><code>yaml key</code>", []),
        ("{% comment %}Words{% endcomment %}{# more words #}", []),
        ("<p>\n\n  Βαθμός</p>", [(1, "Βαθμός")]),
        ("<p>{% translate 'a' %}</p>\n<p>Yardstick</p>\n<p>Oops</p>", [(3, "Oops")]),
    ],
)
def test_the_scanner_finds_what_is_unmarked(source, expected):
    assert unmarked(source) == expected


def test_plain_text_templates_are_read_line_by_line():
    source = "{% load i18n %}{% translate 'Hello' %}\nDear {{ name }},\n{# note #}\n"
    assert unmarked(source, html=False) == [(2, "Dear …,")]
