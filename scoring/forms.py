import datetime

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from brands.models import User
from scoring.models import ActionStatus, TrackerKind
from scoring.selectors.gaps import previous_quarter_end, quarter_label
from surveys.models import QuestionSet, VersionStatus

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class OwnerField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.get_full_name() or obj.get_username()


class ActionCreateForm(forms.Form):
    """One statement of the plan turned into an action."""

    question_key = forms.SlugField(max_length=60, widget=forms.HiddenInput)
    title = forms.CharField(label="What will be done", max_length=200)
    owner = OwnerField(queryset=User.objects.none(), required=False, empty_label="nobody yet")
    due_on = forms.DateField(label="Due date", required=False, widget=_DATE)
    note = forms.CharField(
        required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, owners: QuerySet[User], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners


class ActionUpdateForm(forms.Form):
    """Managers change everything; an owning data scientist only status and note."""

    status = forms.ChoiceField(choices=ActionStatus.choices)
    owner = OwnerField(queryset=User.objects.none(), required=False, empty_label="nobody yet")
    due_on = forms.DateField(label="Due date", required=False, widget=_DATE)
    note = forms.CharField(
        required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, owners: QuerySet[User], full: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if full:
            self.fields["owner"].queryset = owners
        else:
            del self.fields["owner"]
            del self.fields["due_on"]


def recent_quarter_ends(today: datetime.date | None = None, count: int = 8) -> list:
    """The ends of the last `count` completed quarters, newest first."""
    ends = []
    day = today or timezone.localdate()
    for _ in range(count):
        day = previous_quarter_end(day)
        ends.append(day)
    return ends


def question_set_choices() -> list[tuple[str, str]]:
    """The sets figures can be read for (those with a published version), the group's main
    set first: it is shown when none is chosen. One query."""
    sets = QuestionSet.objects.filter(versions__status=VersionStatus.PUBLISHED).distinct()
    return [
        (
            str(s.code),
            f"{s.name} (the group's main set)"
            if s.is_main
            else (s.name if s.active else f"{s.name} (retired)"),
        )
        for s in sets.order_by("-is_main", "name")
    ]


class QuestionSetChoiceForm(forms.Form):
    """Figures are always for one question set (they never mix sets): the main set, or the
    one chosen with `set=<code>` in the address, as on the dashboards."""

    set = forms.TypedChoiceField(label="Question set", required=False, coerce=str, empty_value=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["set"].choices = question_set_choices()

    def question_set_code(self) -> str | None:
        """The chosen set's code; None when none is chosen (the group's main set)."""
        return self.cleaned_data.get("set")


class QuarterForm(QuestionSetChoiceForm):
    """Which date figures are read at (today or the end of a recent quarter), for which set."""

    quarter = forms.TypedChoiceField(
        label="At",
        required=False,
        coerce=datetime.date.fromisoformat,
        empty_value=None,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["quarter"].choices = [("", f"today ({quarter_label(today)} so far)")] + [
            (end.isoformat(), f"end of {quarter_label(end)}") for end in recent_quarter_ends(today)
        ]


class TrackerForm(forms.Form):
    """A brand's connection to an issue tracker; the token is written, never shown back."""

    kind = forms.ChoiceField(label="Tracker", choices=TrackerKind.choices)
    name = forms.CharField(label="Name", max_length=100, required=False)
    api_url = forms.CharField(label="API address", max_length=300, required=False)
    target = forms.CharField(label="Repository or project", max_length=200)
    token = forms.CharField(
        label="Token",
        max_length=500,
        required=False,
        widget=forms.PasswordInput(render_value=False),
    )


class IssueRequestForm(forms.Form):
    connection = forms.UUIDField(label="Tracker")
