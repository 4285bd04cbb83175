"""Reads of pipeline evidence: the latest per statement of an assessment's project, whether it
is stale or failing, and a statement's evidence history. The assessment has already been
fetched for the user (surveys.selectors.get_assessment_for_user), which is the tenant check."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from brands.selectors import as_uuid
from surveys.models import Answer, Assessment, PipelineEvidence, Question


@dataclass(frozen=True)
class EvidenceState:
    """One piece of pipeline evidence as a screen shows it, judged at `now`."""

    evidence: PipelineEvidence
    stale: bool
    failing: bool
    age: str  # "3 days ago"
    stale_days: int  # the setting it was judged by, to say "older than 30 days"

    @property
    def state(self) -> str:
        """For the screen's styling: failing wins over stale, stale over passed."""
        return "failing" if self.failing else "stale" if self.stale else "passed"


def _age(observed: datetime.datetime, now: datetime.datetime) -> str:
    seconds = max(0, int((now - observed).total_seconds()))
    if seconds >= 86400:
        count = seconds // 86400
        return ngettext("%(count)d day ago", "%(count)d days ago", count) % {"count": count}
    if seconds >= 3600:
        count = seconds // 3600
        return ngettext("%(count)d hour ago", "%(count)d hours ago", count) % {"count": count}
    if seconds >= 60:
        count = seconds // 60
        return ngettext("%(count)d minute ago", "%(count)d minutes ago", count) % {"count": count}
    return gettext("just now")


def evidence_state(
    evidence: PipelineEvidence, now: datetime.datetime | None = None
) -> EvidenceState:
    now = now or timezone.now()
    stale_before = now - datetime.timedelta(days=settings.EVIDENCE_STALE_DAYS)
    return EvidenceState(
        evidence=evidence,
        stale=evidence.observed_at < stale_before,
        failing=evidence.is_failing,
        age=_age(evidence.observed_at, now),
        stale_days=settings.EVIDENCE_STALE_DAYS,
    )


def evidence_of_project(project, *, question_key: str = "") -> QuerySet[PipelineEvidence]:
    """Every piece of evidence posted for `project` (fetched through an access helper),
    newest observation first; of one statement when `question_key` is given."""
    rows = PipelineEvidence.objects.filter(project=project)
    if question_key:
        rows = rows.filter(question_key=question_key)
    return rows.select_related("posted_by", "question_set").order_by("-observed_at", "-id")


def _of_assessment(assessment: Assessment) -> QuerySet[PipelineEvidence]:
    """Evidence of the assessment's project for its set: posted for the set, or for no set."""
    return PipelineEvidence.objects.filter(project_id=assessment.project_id).filter(
        Q(question_set__isnull=True) | Q(question_set_id=assessment.version.question_set_id)
    )


def latest_evidence(
    assessment: Assessment, now: datetime.datetime | None = None
) -> dict[str, EvidenceState]:
    """{question key: the newest evidence (by the time the pipeline observed it)} for the
    statements of `assessment`. One query: a lookup per statement in the index."""
    newest = (
        _of_assessment(assessment)
        .filter(question_key=OuterRef("key"))
        .order_by("-observed_at", "-id")
        .values("pk")[:1]
    )
    ids = (
        Question.objects.filter(version_id=assessment.version_id)
        .annotate(evidence_id=Subquery(newest))
        .filter(evidence_id__isnull=False)
        .values("evidence_id")
    )
    now = now or timezone.now()
    return {
        e.question_key: evidence_state(e, now) for e in PipelineEvidence.objects.filter(pk__in=ids)
    }


def mark_pipeline_evidence(
    answers: list[Answer], assessment: Assessment, now: datetime.datetime | None = None
) -> None:
    """Set `answer.pipeline` (an EvidenceState, or None) on each of `answers`."""
    latest = latest_evidence(assessment, now) if answers else {}
    for answer in answers:
        answer.pipeline = latest.get(answer.question.key)


def evidence_history(
    assessment: Assessment, key: str, *, limit: int = 50, now: datetime.datetime | None = None
) -> list[EvidenceState]:
    """The newest `limit` pieces of evidence of one statement of the assessment's project."""
    now = now or timezone.now()
    rows = (
        _of_assessment(assessment)
        .filter(question_key=key)
        .select_related("posted_by")
        .order_by("-observed_at", "-id")[:limit]
    )
    return [evidence_state(e, now) for e in rows]


def get_evidence_to_adopt(assessment: Assessment, key: str, code: object) -> PipelineEvidence:
    """The evidence `code` if it is of this statement of the assessment's project, else 404."""
    try:
        return _of_assessment(assessment).get(code=as_uuid(code), question_key=key)
    except PipelineEvidence.DoesNotExist:
        raise Http404("No such evidence for this statement") from None
