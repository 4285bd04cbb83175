"""Tags of the base layout (templates/base.html)."""

from django import template
from django.utils.html import format_html

from config import locale

register = template.Library()


@register.simple_tag(takes_context=True)
def nav_current(context, url: str) -> str:
    """` aria-current="page"` on the navigation link of the page shown, `="true"` on the
    link of the part of the site it belongs to (a brand's page under Brands)."""
    request = context.get("request")
    path = getattr(request, "path", "")
    if not url or not path:
        return ""
    if path == url:
        return format_html(' aria-current="{}"', "page")
    if url != "/" and path.startswith(url):
        return format_html(' aria-current="{}"', "true")
    return ""


@register.filter
def mid_sentence(label) -> str:
    """`config.locale.mid_sentence`: a label lowercased inside a sentence, unless the
    language keeps its nouns' capitals (German)."""
    return locale.mid_sentence(label)
