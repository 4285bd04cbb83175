"""Forms of brands' own pages: outgoing webhooks."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from brands.models import WebhookEvent


class WebhookForm(forms.Form):
    url = forms.CharField(label=pgettext_lazy("web address", "Address"), max_length=500)
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=WebhookEvent.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one event.")},
    )
    active = forms.BooleanField(label=_("Send events"), required=False)


class WebhookCreateForm(WebhookForm):
    secret = forms.CharField(
        label=_("Secret"), max_length=200, required=False, strip=True, widget=forms.PasswordInput
    )


class WebhookSecretForm(forms.Form):
    secret = forms.CharField(
        label=_("Secret"), max_length=200, required=False, strip=True, widget=forms.PasswordInput
    )
