from django import forms

from surveys.models import AssessmentMode


class StartAssessmentForm(forms.Form):
    mode = forms.ChoiceField(choices=AssessmentMode.choices, widget=forms.RadioSelect)
    assessed_on = forms.DateField(
        label="Date", required=False, widget=forms.DateInput(attrs={"type": "date"})
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
