import datetime

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

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

    question_key = forms.SlugField(
        label=gettext_lazy("Statement"), max_length=60, widget=forms.HiddenInput
    )
    title = forms.CharField(label=gettext_lazy("What will be done"), max_length=200)
    owner = OwnerField(
        label=gettext_lazy("Owner"),
        queryset=User.objects.none(),
        required=False,
        empty_label=gettext_lazy("nobody yet"),
    )
    due_on = forms.DateField(label=gettext_lazy("Due date"), required=False, widget=_DATE)
    note = forms.CharField(
        label=gettext_lazy("Note"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, owners: QuerySet[User], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners


class ActionUpdateForm(forms.Form):
    """Managers change everything; an owning data scientist only status and note."""

    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=ActionStatus.choices)
    owner = OwnerField(
        label=gettext_lazy("Owner"),
        queryset=User.objects.none(),
        required=False,
        empty_label=gettext_lazy("nobody yet"),
    )
    due_on = forms.DateField(label=gettext_lazy("Due date"), required=False, widget=_DATE)
    note = forms.CharField(
        label=gettext_lazy("Note"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
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
    for _step in range(count):
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
            _("%(name)s (the group's main set)") % {"name": s.name}
            if s.is_main
            else (s.name if s.active else _("%(name)s (retired)") % {"name": s.name}),
        )
        for s in sets.order_by("-is_main", "name")
    ]


class QuestionSetChoiceForm(forms.Form):
    """Figures are always for one question set (they never mix sets): the main set, or the
    one chosen with `set=<code>` in the address, as on the dashboards."""

    set = forms.TypedChoiceField(
        label=gettext_lazy("Question set"), required=False, coerce=str, empty_value=None
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["set"].choices = question_set_choices()

    def question_set_code(self) -> str | None:
        """The chosen set's code; None when none is chosen (the group's main set)."""
        return self.cleaned_data.get("set")


class QuarterForm(QuestionSetChoiceForm):
    """Which date figures are read at (today or the end of a recent quarter), for which set."""

    quarter = forms.TypedChoiceField(
        label=pgettext_lazy("figures read at a date", "At"),
        required=False,
        coerce=datetime.date.fromisoformat,
        empty_value=None,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        today_label = _("today (%(quarter)s so far)") % {"quarter": quarter_label(today)}
        self.fields["quarter"].choices = [("", today_label)] + [
            (end.isoformat(), _("end of %(quarter)s") % {"quarter": quarter_label(end)})
            for end in recent_quarter_ends(today)
        ]


class TrackerForm(forms.Form):
    """A brand's connection to an issue tracker; the token is written, never shown back."""

    kind = forms.ChoiceField(label=gettext_lazy("Tracker"), choices=TrackerKind.choices)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100, required=False)
    api_url = forms.CharField(label=gettext_lazy("API address"), max_length=300, required=False)
    target = forms.CharField(label=gettext_lazy("Repository or project"), max_length=200)
    token = forms.CharField(
        label=gettext_lazy("Token"),
        max_length=500,
        required=False,
        widget=forms.PasswordInput(render_value=False),
    )


class IssueRequestForm(forms.Form):
    connection = forms.UUIDField(label=gettext_lazy("Tracker"))
