"""Django's `i18n` template tags, with a fixed message translated once per language.

Templates load this library under the name `i18n` (`TEMPLATES` in config/settings.py),
so `{% load i18n %}` and every tag work as Django documents them. The one change:
`{% translate "Saved" %}`, and a `{% blocktranslate %}` without variables, keep what
they gave for each language. A self-fill page shows the same few words beside each of
seventy statements (Comment, N/A, Saving..., History): Django's nodes go through a lazy
translation, localisation and escaping for every one of them, about 10 microseconds a
word, which had doubled the page's rendering time once every word was marked.

What such a node gives depends only on the active language and the catalogs, so the key
is the language (and the context's autoescaping, for safety); a change of the settings
that choose the catalogs (`LANGUAGES`, `LOCALE_PATHS`, ...: tests) forgets everything
kept. A message with filters, a variable, or a context that is not a fixed string is
translated at every rendering, as by Django.
"""

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template import Library
from django.template.base import TokenType
from django.templatetags import i18n
from django.utils import translation

register = Library()
register.tags.update(i18n.register.tags)
register.filters.update(i18n.register.filters)

_CATALOG_SETTINGS = {"LANGUAGES", "LANGUAGE_CODE", "LOCALE_PATHS", "INSTALLED_APPS", "USE_I18N"}
_generation = [0]


@receiver(setting_changed, dispatch_uid="template_i18n_forget")
def _forget_kept_translations(*, setting, **kwargs) -> None:
    if setting in _CATALOG_SETTINGS:
        _generation[0] += 1


class _Kept:
    """What a node gave, by language; the node's own output when it may not be kept."""

    def _init_kept(self, fixed: bool) -> None:
        self.fixed = fixed
        self.kept: dict[tuple, str] = {}

    def render(self, context, *args, **kwargs):
        if not self.fixed:
            return super().render(context, *args, **kwargs)
        key = (_generation[0], translation.get_language(), context.autoescape)
        try:
            value = self.kept[key]
        except KeyError:
            value = super().render(context, *args, **kwargs)
            if self.asvar:
                value = context[self.asvar]
            self.kept[key] = value
        if self.asvar:
            context[self.asvar] = value
            return ""
        return value


def _is_fixed(expression) -> bool:
    """A filter expression that is a string written in the template, without filters."""
    if expression is None or expression.filters:
        return False
    # A constant is kept as the string itself; TranslateNode wraps its message in a Variable.
    return isinstance(expression.var, str) or isinstance(
        getattr(expression.var, "literal", None), str
    )


class TranslateNode(_Kept, i18n.TranslateNode):
    def __init__(self, filter_expression, noop, asvar=None, message_context=None):
        super().__init__(filter_expression, noop, asvar, message_context)
        self._init_kept(
            _is_fixed(self.filter_expression)
            and (message_context is None or _is_fixed(message_context))
        )


class BlockTranslateNode(_Kept, i18n.BlockTranslateNode):
    def __init__(self, extra_context, singular, plural=None, countervar=None, **kwargs):
        super().__init__(extra_context, singular, plural, countervar, **kwargs)
        self._init_kept(
            not extra_context
            and not plural
            and all(token.token_type == TokenType.TEXT for token in singular)
            and (self.message_context is None or _is_fixed(self.message_context))
        )


@register.tag("translate")
@register.tag("trans")
def do_translate(parser, token):
    node = i18n.do_translate(parser, token)
    return TranslateNode(node.filter_expression, node.noop, node.asvar, node.message_context)


@register.tag("blocktranslate")
@register.tag("blocktrans")
def do_block_translate(parser, token):
    node = i18n.do_block_translate(parser, token)
    return BlockTranslateNode(
        node.extra_context,
        node.singular,
        node.plural,
        node.countervar,
        counter=node.counter,
        message_context=node.message_context,
        trimmed=node.trimmed,
        asvar=node.asvar,
        tag_name=node.tag_name,
    )
