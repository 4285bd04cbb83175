"""Recording evidence a pipeline posts for a statement of a project.

Every rule about pipeline evidence lives here; the API endpoint only turns its JSON body into
these arguments and the errors back into answers. Evidence never changes an answer: a person
adopts its link through the normal answer save (surveys/services/answers.py).
"""

import datetime
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from brands.models import Project, User
from brands.selectors import can_answer_for_project, may_see_brand_id
from surveys.models import (
    Assessment,
    AssessmentStatus,
    EvidenceOutcome,
    PipelineEvidence,
    Question,
    QuestionSet,
    VersionStatus,
)
from surveys.services.errors import BadEvidence, NotAllowed

_url = URLValidator(schemes=["http", "https"])
_KEY = re.compile(r"[-a-zA-Z0-9_]+")
_HEX = re.compile(r"[0-9a-f]{7,64}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _field(name: str) -> int:
    """The longest value the argument `name` can have: its column's length."""
    if name == "question_set":
        return QuestionSet._meta.get_field("key").max_length
    return PipelineEvidence._meta.get_field(name).max_length


def _text(value: object, *, field: str, label: str, required: bool = False) -> str:
    """One line of text: trimmed, no control characters, within its column."""
    if value is None:
        value = ""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)  # a run number sent as a JSON number
    # `label` is the API's field name ("run_url"), the same in every language.
    if not isinstance(value, str):
        raise BadEvidence(_("%(field)s must be text.") % {"field": label}, field=field)
    value = value.strip()
    if required and not value:
        raise BadEvidence(_("%(field)s is missing.") % {"field": label}, field=field)
    if _CONTROL.search(value):
        raise BadEvidence(
            _("%(field)s must be one line without control characters.") % {"field": label},
            field=field,
        )
    limit = _field(field)
    if len(value) > limit:
        raise BadEvidence(
            _("%(field)s is too long: at most %(limit)s characters.")
            % {"field": label, "limit": limit},
            field=field,
        )
    return value


def _link(value: object, *, field: str, label: str, required: bool = False) -> str:
    value = _text(value, field=field, label=label, required=required)
    if value:
        try:
            _url(value)
        except ValidationError:
            raise BadEvidence(
                _("%(field)s must be a web address starting with http:// or https://.")
                % {"field": label},
                field=field,
            ) from None
    return value


def _observed_at(value: object, now: datetime.datetime) -> datetime.datetime:
    if value is None or value == "":
        return now
    if isinstance(value, str):
        try:
            parsed = parse_datetime(value.strip())
        except ValueError:
            parsed = None
        if parsed is None:
            raise BadEvidence(
                _(
                    "observed_at must be a date and time in ISO 8601 form with its time zone, "
                    "e.g. 2026-11-18T09:30:00Z."
                ),
                field="observed_at",
            )
        value = parsed
    if not isinstance(value, datetime.datetime):
        raise BadEvidence(_("observed_at must be a date and time."), field="observed_at")
    if timezone.is_naive(value):
        raise BadEvidence(
            _(
                "observed_at needs its time zone (end it with Z for UTC, or +01:00 and the "
                "like), so that it is not read in the wrong one."
            ),
            field="observed_at",
        )
    skew = datetime.timedelta(seconds=settings.EVIDENCE_CLOCK_SKEW_SECONDS)
    if value > now + skew:
        raise BadEvidence(
            _(
                "observed_at (%(value)s) is in the future; Yardstick's clock says %(now)s. "
                "Check the pipeline's clock and time zone."
            )
            % {"value": value.isoformat(), "now": now.isoformat(timespec="seconds")},
            field="observed_at",
        )
    return value


def _assessable_sets(project: Project) -> Q:
    """The sets `project` can be assessed with: the active ones, and any set it still has an
    open assessment in (a retired set's drafts are finished in it)."""
    open_in = Assessment.objects.filter(project=project).exclude(status=AssessmentStatus.VALIDATED)
    return Q(active=True) | Q(pk__in=open_in.values("version__question_set_id"))


def _question_set(value: object, project: Project) -> QuestionSet | None:
    if value is None or value == "":
        return None
    if isinstance(value, QuestionSet):
        chosen = value
    else:
        key = _text(value, field="question_set", label="question_set")
        chosen = QuestionSet.objects.filter(key=key).first()
        if chosen is None:
            raise BadEvidence(
                _(
                    "'%(key)s' is not the key of a question set; leave question_set out to use "
                    "whichever set has the statement."
                )
                % {"key": key},
                field="question_set",
            )
    if not QuestionSet.objects.filter(_assessable_sets(project), pk=chosen.pk).exists():
        raise BadEvidence(
            _("%(set)s is retired and %(project)s has no open assessment in it.")
            % {"set": chosen.name, "project": project.name},
            field="question_set",
        )
    return chosen


def _check_statement(key: str, project: Project, question_set: QuestionSet | None) -> None:
    """The key must be a statement of a published version of a set the project can be
    assessed with (or of the set named), and apply to the project's kind."""
    sets = QuestionSet.objects.filter(_assessable_sets(project))
    if question_set is not None:
        sets = sets.filter(pk=question_set.pk)
    questions = list(
        Question.objects.filter(
            key=key, version__status=VersionStatus.PUBLISHED, version__question_set__in=sets
        ).only("applies_to")
    )
    if not questions:
        if question_set is not None:
            message = _(
                "'%(key)s' is not a statement of %(set)s, which %(project)s can be assessed with."
            ) % {"key": key, "set": question_set.name, "project": project.name}
        else:
            message = _(
                "'%(key)s' is not a statement of any question set %(project)s can be assessed with."
            ) % {"key": key, "project": project.name}
        raise BadEvidence(message, field="question_key")
    if not any(q.applies_to_kind(project.kind) for q in questions):
        raise BadEvidence(
            _("'%(key)s' does not apply to %(project)s, a %(kind)s project.")
            % {"key": key, "project": project.name, "kind": project.get_kind_display().lower()},
            field="question_key",
        )


def evidence_record(
    *,
    project: Project,
    user: User,
    question_key: str,
    url: str,
    outcome: str,
    run_id: str | int = "",
    run_url: str = "",
    commit: str = "",
    observed_at: datetime.datetime | str | None = None,
    source: str = "",
    question_set: QuestionSet | str | None = None,
) -> PipelineEvidence:
    """Record what a pipeline observed about the statement `question_key` of `project`.

    The arguments are named as the API's JSON fields are. `observed_at` (an aware datetime or
    an ISO 8601 text with its time zone; default: now) is when the pipeline looked;
    `question_set` (a set or its key) narrows the statement to one set. Raises Http404 for a
    project of a brand `user` does not see, NotAllowed for someone who may not change the
    project's answers, and BadEvidence naming the field for anything else that is wrong.
    """
    if not may_see_brand_id(user, project.brand_id):
        raise Http404("No such project")
    if not can_answer_for_project(user, project):
        raise NotAllowed(
            _(
                "Only the brand's leads, group assessors and the project's data scientists can "
                "post evidence for %(project)s."
            )
            % {"project": project.name}
        )
    now = timezone.now()
    key = _text(question_key, field="question_key", label="question_key", required=True)
    if not _KEY.fullmatch(key):
        raise BadEvidence(
            _("'%(key)s' is not a statement key: keys are letters, digits, - and _.")
            % {"key": key},
            field="question_key",
        )
    link = _link(url, field="url", label="url", required=True)
    result = _text(outcome, field="outcome", label="outcome", required=True).lower()
    if result not in EvidenceOutcome.values:
        raise BadEvidence(
            _("outcome must be one of %(values)s, not '%(value)s'.")
            % {"values": ", ".join(EvidenceOutcome.values), "value": result},
            field="outcome",
        )
    run = _text(run_id, field="run_id", label="run_id")
    run_link = _link(run_url, field="run_url", label="run_url")
    sha = _text(commit, field="commit", label="commit").lower()
    if sha and not _HEX.fullmatch(sha):
        raise BadEvidence(
            _("commit must be a commit id: 7 to 64 hexadecimal digits (0-9, a-f)."),
            field="commit",
        )
    seen = _observed_at(observed_at, now)
    name = _text(source, field="source", label="source")
    chosen = _question_set(question_set, project)
    _check_statement(key, project, chosen)
    with transaction.atomic():
        return PipelineEvidence.objects.create(
            project=project,
            question_key=key,
            question_set=chosen,
            url=link,
            outcome=result,
            run_id=run,
            run_url=run_link,
            commit=sha,
            observed_at=seen,
            received_at=now,
            posted_by=user,
            source=name,
        )
