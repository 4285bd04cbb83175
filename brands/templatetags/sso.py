"""The single sign-on button of the login page, there only when single sign-on is configured."""

from django import template
from django.conf import settings

register = template.Library()


@register.inclusion_tag("brands/sso_button.html", takes_context=True)
def sso_button(context) -> dict:
    return {
        "enabled": bool(getattr(settings, "OIDC_ENABLED", False)),
        "provider": getattr(settings, "OIDC_PROVIDER_NAME", ""),
        "next": context.get("next", ""),
    }
