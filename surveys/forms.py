from django import forms
from django.conf import settings
from django.contrib.auth.forms import SetPasswordMixin
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from brands.models import Criticality, ProjectKind, User
from surveys.models import AggregationRule, AppliesTo, AssessmentMode, RoundMode


class StartAssessmentForm(forms.Form):
    mode = forms.ChoiceField(
        label=gettext_lazy("Mode"), choices=AssessmentMode.choices, widget=forms.RadioSelect
    )
    assessed_on = forms.DateField(
        label=gettext_lazy("Date"),
        required=False,
        # A date input always speaks ISO, whatever the locale's display format.
        widget=forms.DateInput(
            attrs={"type": "date", "aria-describedby": "assessed-on-help"}, format="%Y-%m-%d"
        ),
    )
    interviewees = forms.CharField(
        label=gettext_lazy("Interviewees"),
        required=False,
        max_length=500,
        help_text=gettext_lazy("Team members or other names, separated by commas"),
    )
    source = forms.UUIDField(required=False, widget=forms.HiddenInput)
    # Empty: the project's default set (brand's, else its kind's, else the group's main set).
    question_set = forms.UUIDField(required=False, widget=forms.HiddenInput)


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
    # The language the statement was shown in; the service refuses one Yardstick does not speak.
    language = forms.CharField(required=False, max_length=50)


class MessageForm(forms.Form):
    message = forms.CharField(
        label=gettext_lazy("Message"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )


def _language_choices() -> list[tuple[str, str]]:
    """Yardstick's languages, each named in itself ("Nederlands")."""
    return [
        (code, translation.get_language_info(code)["name_local"].capitalize())
        for code, _name in settings.LANGUAGES
    ]


class InviteForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("E-mail address"))
    # Empty: the invitee's own language if they chose one, else the inviter's.
    language = forms.ChoiceField(
        label=gettext_lazy("Language of the invitation"),
        required=False,
        error_messages={"invalid_choice": gettext_lazy("Choose one of Yardstick's languages.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        active = translation.get_language() or settings.LANGUAGE_CODE
        yours = translation.get_language_info(active)["name_local"]
        self.fields["language"].choices = [
            (
                "",
                _("Theirs, if they chose one; else yours (%(language)s)")
                % {"language": yours.capitalize()},
            ),
            *_language_choices(),
        ]


class AccountForm(SetPasswordMixin, forms.Form):
    """A new account for someone who follows an invitation sent to an unknown address."""

    first_name = forms.CharField(label=gettext_lazy("First name"), max_length=150)
    last_name = forms.CharField(label=gettext_lazy("Last name"), max_length=150)
    password1, password2 = SetPasswordMixin.create_password_fields(
        label2=gettext_lazy("Password again")
    )

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


# Question-set versions: drafting and editing (group admins only).

MAX_UPLOAD_BYTES = 1_000_000


class DraftUploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Question-set file (YAML)"))

    def clean_file(self) -> str:
        """The file's text; the question-set format checks the rest."""
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is larger than 1 MB; a question set is far smaller.")
            )
        try:
            return upload.read().decode("utf-8")
        except UnicodeDecodeError:
            raise forms.ValidationError(_("The file is not UTF-8 text.")) from None


class QuestionForm(forms.Form):
    """A question of a draft. Ranges and keys are checked by the question-set format's rules."""

    text = forms.CharField(
        label=gettext_lazy("Statement"), widget=forms.Textarea(attrs={"rows": 2})
    )
    section = forms.ChoiceField(label=gettext_lazy("Section"))
    weight = forms.DecimalField(
        label=gettext_lazy("Weight"),
        max_digits=4,
        decimal_places=2,
        help_text=gettext_lazy("more than 0, at most 5"),
    )
    core = forms.BooleanField(label=gettext_lazy("Core statement"), required=False)
    applies_to = forms.ChoiceField(label=gettext_lazy("Applies to"), choices=AppliesTo.choices)
    why = forms.CharField(
        label=gettext_lazy("Why it matters"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    good = forms.CharField(
        label=gettext_lazy("What “yes” looks like"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    evidence = forms.CharField(
        label=gettext_lazy("Evidence to ask for"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, sections: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["section"].choices = sections


class NewQuestionForm(QuestionForm):
    key = forms.CharField(
        label=gettext_lazy("Key"),
        max_length=60,
        help_text=gettext_lazy(
            "Lowercase letters, digits and dashes; it never changes once published"
        ),
    )
    field_order = ["key"]


class SectionForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    description = forms.CharField(
        label=gettext_lazy("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class NewSectionForm(SectionForm):
    key = forms.CharField(
        label=gettext_lazy("Key"),
        max_length=60,
        help_text=gettext_lazy("Lowercase letters, digits, dashes"),
    )
    question_key = forms.CharField(label=gettext_lazy("Key of its first question"), max_length=60)
    question_text = forms.CharField(
        label=gettext_lazy("Its first statement"), widget=forms.Textarea(attrs={"rows": 2})
    )
    field_order = ["key", "title", "description"]


class KeyForm(forms.Form):
    """Names one question or section of a draft."""

    key = forms.CharField(max_length=60, widget=forms.HiddenInput)


class MoveForm(KeyForm):
    direction = forms.ChoiceField(
        choices=[("up", pgettext_lazy("move", "Up")), ("down", pgettext_lazy("move", "Down"))]
    )


class ScoringForm(forms.Form):
    aggregation = forms.ChoiceField(
        label=gettext_lazy("Overall figure"),
        choices=AggregationRule.choices,
        widget=forms.RadioSelect,
    )


class LevelForm(forms.Form):
    """One maturity band; a row left without a name is dropped."""

    name = forms.CharField(label=gettext_lazy("Name"), max_length=60, required=False)
    min_percent = forms.DecimalField(
        label=gettext_lazy("From %"), max_digits=7, decimal_places=4, required=False
    )
    description = forms.CharField(
        label=gettext_lazy("Description"), required=False, max_length=1000
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("name", "").strip() and cleaned.get("min_percent") is None:
            self.add_error("min_percent", _("Say from which percentage this level applies."))
        return cleaned


LevelFormSet = forms.formset_factory(LevelForm, extra=2, max_num=20, absolute_max=20)


class QuestionSetStateForm(forms.Form):
    """A group admin's change to a set: activate it, retire it, or make it the main set."""

    action = forms.ChoiceField(
        choices=[
            ("activate", gettext_lazy("Activate")),
            ("retire", gettext_lazy("Retire")),
            ("main", gettext_lazy("Make main set")),
        ]
    )


class QuestionSetDefaultsForm(forms.Form):
    """The default set for each brand and each kind of project; empty follows the next rule
    (brand -> project kind -> the group's main set)."""

    def __init__(self, *args, brands, kinds, sets, current, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "—")] + [(str(s.code), s.name) for s in sets]
        self.places = []
        for brand in brands:
            name = f"brand-{brand.code}"
            self.fields[name] = forms.ChoiceField(label=brand.name, choices=choices, required=False)
            self.initial[name] = str(current[brand.pk].code) if brand.pk in current else ""
            self.places.append((name, {"brand": brand}))
        for value, label in kinds:
            name = f"kind-{value}"
            self.fields[name] = forms.ChoiceField(label=label, choices=choices, required=False)
            self.initial[name] = str(current[value].code) if value in current else ""
            self.places.append((name, {"project_kind": value}))


class InterviewSlotForm(forms.Form):
    """The day a round member's interview is planned for; empty clears it."""

    planned_on = forms.DateField(
        label=gettext_lazy("Interview date"),
        required=False,
        error_messages={
            "invalid": gettext_lazy("Enter a real date, as YYYY-MM-DD (e.g. 2027-01-14).")
        },
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class RoundForm(forms.Form):
    """A new assessment round: its name, set, the projects it takes and its dates."""

    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=120,
        help_text=gettext_lazy("Shown in trends and reports, e.g. 2027 Q1 round"),
    )
    question_set = forms.ModelChoiceField(
        queryset=None, to_field_name="code", empty_label=None, label=gettext_lazy("Question set")
    )
    brands = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Brands"),
        queryset=None,
        to_field_name="code",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("None ticked: every brand"),
    )
    kinds = forms.MultipleChoiceField(
        choices=ProjectKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Kinds"),
        help_text=gettext_lazy("None ticked: every kind"),
    )
    criticalities = forms.MultipleChoiceField(
        label=gettext_lazy("Criticalities"),
        choices=Criticality.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("None ticked: every criticality"),
    )
    product_lines = forms.ModelMultipleChoiceField(
        queryset=None,
        to_field_name="code",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Product lines"),
        help_text=gettext_lazy("None ticked: with or without a product line"),
    )
    not_assessed_quarters = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=40,
        label=gettext_lazy("Not assessed (validated) for at least N quarters"),
        help_text=gettext_lazy("Empty: whenever they were last assessed"),
    )
    default_mode = forms.ChoiceField(
        choices=RoundMode.choices,
        initial=RoundMode.SELF_FILL,
        widget=forms.RadioSelect,
        label=gettext_lazy("Mode for every project"),
        help_text=gettext_lazy(
            "You can change it project by project on the preview before launching"
        ),
    )
    opens_on = forms.DateField(
        label=gettext_lazy("Opens on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    due_on = forms.DateField(
        label=gettext_lazy("Due on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, question_sets, brands, product_lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["question_set"].queryset = question_sets
        self.fields["brands"].queryset = brands
        self.fields["product_lines"].queryset = product_lines
        self.fields["question_set"].error_messages["invalid_choice"] = _(
            "Choose an active question set with a published version."
        )
        for name in ("opens_on", "due_on"):
            self.fields[name].error_messages["invalid"] = _("Enter a date such as 2027-01-15.")

    def clean(self):
        data = super().clean()
        opens_on, due_on = data.get("opens_on"), data.get("due_on")
        if opens_on and due_on and due_on < opens_on:
            self.add_error(
                "due_on",
                _(
                    "The due date (%(due)s) is before the opening date (%(opens)s); it must be "
                    "on or after it."
                )
                % {"due": date_format(due_on, "d M Y"), "opens": date_format(opens_on, "d M Y")},
            )
        return data

    def selection(self) -> dict:
        """The choice as kept on the round: codes as text, so it reads back as it was made."""
        data = self.cleaned_data
        return {
            "brands": [str(b.code) for b in data["brands"]],
            "brand_names": [b.name for b in data["brands"]],
            "kinds": list(data["kinds"]),
            "criticalities": list(data["criticalities"]),
            "product_lines": [str(p.code) for p in data["product_lines"]],
            "product_line_names": [p.name for p in data["product_lines"]],
            "not_assessed_quarters": data["not_assessed_quarters"],
            "default_mode": data["default_mode"],
        }


class RoundModeForm(forms.Form):
    mode = forms.ChoiceField(
        choices=[
            (RoundMode.SELF_FILL, gettext_lazy("Self-fill")),
            (RoundMode.INTERVIEW, gettext_lazy("Interview")),
        ],
        widget=forms.RadioSelect,
        label=gettext_lazy("How this project is assessed"),
        error_messages={
            "required": gettext_lazy("Choose self-fill or interview."),
            "invalid_choice": gettext_lazy("Choose self-fill or interview."),
        },
    )
