"""Forms of brands' own pages: outgoing webhooks."""

from django import forms

from brands.models import WebhookEvent


class WebhookForm(forms.Form):
    url = forms.CharField(label="Address", max_length=500)
    events = forms.MultipleChoiceField(
        label="Events",
        choices=WebhookEvent.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one event."},
    )
    active = forms.BooleanField(label="Send events", required=False)


class WebhookCreateForm(WebhookForm):
    secret = forms.CharField(
        label="Secret", max_length=200, required=False, strip=True, widget=forms.PasswordInput
    )


class WebhookSecretForm(forms.Form):
    secret = forms.CharField(
        label="Secret", max_length=200, required=False, strip=True, widget=forms.PasswordInput
    )
