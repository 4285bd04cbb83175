from django import forms
from django.contrib.auth.forms import SetPasswordMixin

from brands.models import User
from surveys.models import AssessmentMode


class StartAssessmentForm(forms.Form):
    mode = forms.ChoiceField(choices=AssessmentMode.choices, widget=forms.RadioSelect)
    assessed_on = forms.DateField(
        label="Date",
        required=False,
        # A date input always speaks ISO, whatever the locale's display format.
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    interviewees = forms.CharField(
        label="Interviewees",
        required=False,
        max_length=500,
        help_text="Team members or other names, separated by commas",
    )
    source = forms.UUIDField(required=False, widget=forms.HiddenInput)


class AnswerForm(forms.Form):
    """One question's answer as posted by the survey screens.

    `answer` is an option key or "na"; the service checks it against the scale.
    """

    base_revision = forms.IntegerField(min_value=0)
    answer = forms.CharField(required=False, max_length=30)
    na_reason = forms.CharField(required=False, max_length=5000)
    comment = forms.CharField(required=False, max_length=5000)
    evidence_url = forms.CharField(required=False, max_length=500)
    interviewer_note = forms.CharField(required=False, max_length=5000)
    note = forms.CharField(required=False, max_length=2000)


class MessageForm(forms.Form):
    message = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


class InviteForm(forms.Form):
    email = forms.EmailField(label="E-mail address")


class AccountForm(SetPasswordMixin, forms.Form):
    """A new account for someone who follows an invitation sent to an unknown address."""

    first_name = forms.CharField(label="First name", max_length=150)
    last_name = forms.CharField(label="Last name", max_length=150)
    password1, password2 = SetPasswordMixin.create_password_fields(label2="Password again")

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        cleaned = super().clean()
        self.validate_passwords()
        # The validators compare the password with the person's name and address.
        candidate = User(
            username=self.email,
            email=self.email,
            first_name=cleaned.get("first_name", ""),
            last_name=cleaned.get("last_name", ""),
        )
        self.validate_password_for_user(candidate)
        return cleaned


class InterviewPauseForm(forms.Form):
    """Which question (1-based, as in the console's `?q=`) the interview stopped at."""

    q = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)
