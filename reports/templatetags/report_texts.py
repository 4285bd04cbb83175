"""The question set's texts in a report (reports.builders.set_texts), marked where they are
not yet translated: `{{ gap.text|statement:texts }}`, `|section_title`, `|answer_label`,
`|level_name`, `|version_label`. Without `texts` a value shows as it is."""

from django import template
from django.utils.html import format_html

from reports.builders.set_texts import SetText

register = template.Library()


def _shown(text):
    """A fallback text in the source language, in a span saying so, with the mark the
    report's cover explains."""
    if isinstance(text, SetText) and text.is_fallback:
        return format_html(
            '<span lang="{}" class="untranslated">{}</span><sup class="untranslated-mark">*</sup>',
            text.language,
            str(text),
        )
    return "" if text is None else str(text)


@register.filter
def statement(value, texts):
    return _shown(texts.statement(value) if texts else value)


@register.filter
def section_title(value, texts):
    return _shown(texts.section(value) if texts else value)


@register.filter
def answer_label(value, texts):
    return _shown(texts.label(value) if texts else value)


@register.filter
def level_name(value, texts):
    return _shown(texts.level(value) if texts else value)


@register.filter
def version_label(value, texts):
    return str(texts.version(str(value)) if texts else value)
