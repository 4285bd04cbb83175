"""An assessment's lifecycle: start (with answers carried over), submit, review, validate."""

import datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from brands import audit
from brands.models import AuditAction, GroupSettings, Project, User, WebhookEvent
from brands.selectors import can_manage_brand
from brands.webhooks import webhooks_fire
from config.locale import mid_sentence
from scoring.services import assessment_scored
from surveys.models import (
    Answer,
    AnswerEvent,
    AnswerVia,
    Assessment,
    AssessmentMode,
    AssessmentStatus,
    QuestionSetVersion,
    VersionStatus,
)
from surveys.services.errors import AssessmentClosed, IncompleteAssessment, NotAllowed, SurveyError
from surveys.services.permissions import can_edit_answers, can_review


def _latest_validated(project: Project, version: QuestionSetVersion) -> Assessment | None:
    """The project's latest validated assessment in `version`'s set (answers never cross sets)."""
    return (
        project.assessments.filter(
            status=AssessmentStatus.VALIDATED, version__question_set_id=version.question_set_id
        )
        .order_by("-assessed_on", "-validated_at")
        .first()
    )


@transaction.atomic
def assessment_start(
    *,
    project: Project,
    user: User,
    mode: str,
    version: QuestionSetVersion,
    assessed_on: datetime.date | None = None,
    interviewees: str = "",
    source: Assessment | None = None,
) -> Assessment:
    """Open a new assessment of `project`.

    Answers start as a copy of `source` (for an interview: a submitted self-fill)
    or else of the project's latest validated assessment, matched by question
    key and marked as carried over, so that only what moved needs recording.
    """
    if not can_manage_brand(user, project.brand):
        raise NotAllowed(_("Only the brand's leads and group assessors can start assessments."))
    if mode not in AssessmentMode.values:
        raise SurveyError(_("Unknown assessment mode '%(mode)s'.") % {"mode": mode})
    if version.status != VersionStatus.PUBLISHED:
        raise SurveyError(_("Assessments can only use a published question-set version."))
    question_set = version.question_set
    if not question_set.active:
        raise SurveyError(
            _("%(set)s is retired: it takes no new assessments. Choose another set.")
            % {"set": question_set.name}
        )
    # Serialise starts per project so two clicks cannot open two drafts.
    Project.objects.select_for_update().filter(pk=project.pk).first()
    if project.assessments.filter(
        status=AssessmentStatus.DRAFT,
        mode=mode,
        superseded_by__isnull=True,
        version__question_set_id=question_set.pk,
    ).exists():
        raise SurveyError(
            _("%(project)s already has an open %(mode)s in %(set)s; continue that one instead.")
            % {
                "project": project.name,
                "mode": mid_sentence(AssessmentMode(mode).label),
                "set": question_set.name,
            }
        )
    if source is not None:
        if source.project_id != project.id:
            raise SurveyError(_("An assessment can only start from the same project's answers."))
        if source.status == AssessmentStatus.DRAFT:
            raise SurveyError(_("Only submitted or validated answers can be carried over."))
        if source.version.question_set_id != question_set.pk:
            raise SurveyError(
                _(
                    "Answers are only carried over within one question set; these were given "
                    "in %(set)s."
                )
                % {"set": source.version.question_set.name}
            )
    else:
        source = _latest_validated(project, version)

    now = timezone.now()
    assessment = Assessment.objects.create(
        project=project,
        version=version,
        mode=mode,
        assessed_on=assessed_on or timezone.localdate(),
        conducted_by=user if mode == AssessmentMode.INTERVIEW else None,
        interviewees=interviewees.strip(),
        previous=source,
        created_by=user,
    )
    previous = {}
    if source is not None:
        previous = {
            a.question.key: a
            for a in source.answers.select_related("question", "option")
            if a.is_answered or a.comment
        }
    options = {o.key: o for o in version.options.all()}
    rows = []
    for question in version.questions.order_by("order"):
        if not question.applies_to_kind(project.kind):
            continue
        old = previous.get(question.key)
        option = options.get(old.option.key) if old is not None and old.option_id else None
        # An N/A is not carried to a statement that no longer takes one.
        carried = old is not None and (option is not None or (old.is_na and question.na_allowed))
        rows.append(
            Answer(
                assessment=assessment,
                question=question,
                option=option,
                is_na=carried and old.is_na,
                na_reason=old.na_reason if carried and old.is_na else "",
                comment=old.comment if old is not None else "",
                evidence_url=old.evidence_url if old is not None else "",
                carried_over=carried,
                answered_by=old.answered_by if carried else None,
                answered_at=old.answered_at if carried else None,
                language=old.language if carried else "",
                revision=1 if carried else 0,
            )
        )
    Answer.objects.bulk_create(rows)
    carried = Answer.objects.filter(assessment=assessment, carried_over=True)
    carry_over_record(
        answers=carried,
        user=user,
        at=now,
        # Kept in the history as written, in the language of whoever started the assessment.
        note=_("Carried over from %(quarter)s") % {"quarter": source.quarter} if source else "",
    )
    return assessment


def carry_over_record(*, answers, user: User, at, note: str) -> None:
    """The first history entry of answers copied in from an earlier assessment."""
    AnswerEvent.objects.bulk_create(
        AnswerEvent(
            answer=row,
            actor=user,
            at=at,
            via=AnswerVia.CARRY_OVER,
            revision=1,
            changes={
                "option": [None, row.option.key if row.option_id else None],
                "is_na": [False, row.is_na],
            },
            note=note,
            language=row.language,
        )
        for row in answers.select_related("option")
    )


def missing_answers(assessment: Assessment) -> list[Answer]:
    """Applicable statements without an answer, in question order."""
    return list(
        assessment.answers.filter(option__isnull=True, is_na=False)
        .select_related("question__section")
        .order_by("question__order")
    )


def _transition(assessment: Assessment, *, from_status: str, **fields) -> None:
    """Move the assessment on, unless someone else already did (conditional update)."""
    updated = Assessment.objects.filter(
        pk=assessment.pk, status=from_status, superseded_by__isnull=True
    ).update(**fields)
    if not updated:
        assessment.refresh_from_db()
        if assessment.superseded_by_id:
            raise AssessmentClosed(
                _("This assessment was upgraded to a newer question-set version.")
            )
        raise AssessmentClosed(
            _("This assessment is already %(status)s.")
            % {"status": assessment.get_status_display().lower()}
        )
    assessment.refresh_from_db()


@transaction.atomic
def assessment_submit(*, assessment: Assessment, user: User) -> Assessment:
    """A respondent hands in a complete self-fill for review; its score is stored."""

    if assessment.mode != AssessmentMode.SELF_FILL:
        raise SurveyError(_("Interviews are finalised, not submitted."))
    if assessment.status != AssessmentStatus.DRAFT:
        raise AssessmentClosed(
            _("This assessment is already %(status)s.")
            % {"status": assessment.get_status_display().lower()}
        )
    if not can_edit_answers(user, assessment):
        raise NotAllowed(_("You may not submit this assessment."))
    Assessment.objects.select_for_update().filter(pk=assessment.pk).first()
    missing = missing_answers(assessment)
    if missing:
        raise IncompleteAssessment(missing)
    _transition(
        assessment,
        from_status=AssessmentStatus.DRAFT,
        status=AssessmentStatus.SUBMITTED,
        submitted_at=timezone.now(),
    )
    assessment_scored(assessment=assessment)
    return assessment


def ran_by(assessment: Assessment) -> set[int]:
    """Ids of the people who ran `assessment`: who started or conducted it, and who recorded
    answers in it before review (respondents, the interviewer)."""
    answered = AnswerEvent.objects.filter(
        answer__assessment=assessment, via__in=(AnswerVia.SELF_FILL, AnswerVia.INTERVIEW)
    ).values_list("actor_id", flat=True)
    return {assessment.conducted_by_id, assessment.created_by_id, *answered} - {None}


def four_eyes_blocks(assessment: Assessment, user: User) -> bool:
    """Whether the group's four-eyes rule keeps `user` from validating `assessment`."""
    return GroupSettings.current().four_eyes and user.pk in ran_by(assessment)


FOUR_EYES_MESSAGE = gettext_lazy(
    "The four-eyes rule is on: an assessment is validated by an assessor other than "
    "the one who ran it. Ask another lead or group assessor to validate it."
)


@transaction.atomic
def assessment_validate(*, assessment: Assessment, user: User) -> Assessment:
    """Freeze an assessment for good: a reviewed self-fill or a finalised interview."""
    if not can_review(user, assessment):
        raise NotAllowed(_("Only the brand's leads and group assessors can validate assessments."))
    if four_eyes_blocks(assessment, user):
        raise NotAllowed(str(FOUR_EYES_MESSAGE))
    if assessment.status == AssessmentStatus.VALIDATED:
        raise AssessmentClosed(_("This assessment is already validated."))
    if (
        assessment.mode == AssessmentMode.SELF_FILL
        and assessment.status != AssessmentStatus.SUBMITTED
    ):
        raise SurveyError(_("A self-fill is validated after its respondents submit it."))
    Assessment.objects.select_for_update().filter(pk=assessment.pk).first()
    missing = missing_answers(assessment)
    if missing:
        raise IncompleteAssessment(missing)
    now = timezone.now()
    fields = dict(status=AssessmentStatus.VALIDATED, validated_at=now, validated_by=user)
    if assessment.mode == AssessmentMode.INTERVIEW:
        fields.update(
            submitted_at=assessment.submitted_at or now,
            interview_seconds=_interview_seconds(assessment, now),
            interview_resumed_at=None,
        )
    _transition(assessment, from_status=assessment.status, **fields)
    assessment_scored(assessment=assessment)
    if assessment.mode == AssessmentMode.INTERVIEW and assessment.previous_id:
        # An interview that started from a submitted self-fill was its review: the
        # self-fill leaves the review queue, kept as it was, pointing at the interview.
        Assessment.objects.filter(
            pk=assessment.previous_id,
            status=AssessmentStatus.SUBMITTED,
            mode=AssessmentMode.SELF_FILL,
            superseded_by__isnull=True,
        ).update(superseded_by=assessment)
    audit.record(AuditAction.ASSESSMENT_VALIDATED, actor=user, target=assessment)
    webhooks_fire(
        brand_id=assessment.project.brand_id,
        event=WebhookEvent.ASSESSMENT_VALIDATED,
        data=_validated_event_data(assessment),
    )
    return assessment


def _validated_event_data(assessment: Assessment) -> dict:
    """What a brand's webhooks learn of a validated assessment (docs/integrations.md)."""
    stored = Assessment.objects.filter(pk=assessment.pk).select_related("score").first()
    score = getattr(stored, "score", None)
    project, version = assessment.project, assessment.version
    path = reverse("assessment_detail", kwargs={"code": assessment.code})
    return {
        "assessment": {
            "code": str(assessment.code),
            "mode": assessment.mode,
            "assessed_on": assessment.assessed_on.isoformat(),
            "validated_at": assessment.validated_at.isoformat(),
            "url": f"{settings.SITE_URL}{path}",
        },
        "project": {"code": str(project.code), "name": project.name},
        "question_set": {"name": version.question_set.name, "version": version.number},
        "score": {
            "overall_percent": round(float(score.overall) * 100, 2)
            if score is not None and score.overall is not None
            else None,
            "level": score.level if score is not None else "",
            "all_core_met": score.all_core_met if score is not None else None,
        },
    }


@transaction.atomic
def interview_finalise(*, assessment: Assessment, user: User) -> Assessment:
    """The interviewer finishes an interview: validated at once, or, under the four-eyes
    rule, handed in (submitted) for another assessor to review and validate."""
    if assessment.mode != AssessmentMode.INTERVIEW:
        raise SurveyError(_("Only interviews are finalised; self-fills are reviewed."))
    if not four_eyes_blocks(assessment, user):
        return assessment_validate(assessment=assessment, user=user)
    if not can_review(user, assessment):
        raise NotAllowed(_("Only the brand's leads and group assessors can run interviews."))
    Assessment.objects.select_for_update().filter(pk=assessment.pk).first()
    missing = missing_answers(assessment)
    if missing:
        raise IncompleteAssessment(missing)
    now = timezone.now()
    _transition(
        assessment,
        from_status=AssessmentStatus.DRAFT,
        status=AssessmentStatus.SUBMITTED,
        submitted_at=now,
        interview_seconds=_interview_seconds(assessment, now),
        interview_resumed_at=None,
    )
    assessment_scored(assessment=assessment)
    return assessment


@transaction.atomic
def assessment_return(*, assessment: Assessment, user: User, message: str) -> Assessment:
    """A reviewer sends a submitted self-fill back to its respondents with a message."""
    if not can_review(user, assessment):
        raise NotAllowed(_("Only the brand's leads and group assessors can review assessments."))
    message = message.strip()
    if not message:
        raise SurveyError(_("Say what the respondents should look at again."))
    _transition(
        assessment,
        from_status=AssessmentStatus.SUBMITTED,
        status=AssessmentStatus.DRAFT,
        return_message=message,
        returned_at=timezone.now(),
        submitted_at=None,
    )
    audit.record(AuditAction.ASSESSMENT_RETURNED, actor=user, target=assessment)
    return assessment


def _interview_seconds(assessment: Assessment, now) -> int:
    running = assessment.interview_resumed_at
    extra = int((now - running).total_seconds()) if running else 0
    return assessment.interview_seconds + max(0, extra)


def interview_resume(*, assessment: Assessment, user: User) -> Assessment:
    """Start or resume the interview clock."""
    if not can_review(user, assessment) or assessment.mode != AssessmentMode.INTERVIEW:
        raise NotAllowed(_("Only the interviewer can run this interview."))
    if assessment.status != AssessmentStatus.DRAFT:
        raise AssessmentClosed(_("This interview is finalised."))
    if assessment.interview_resumed_at is None:
        Assessment.objects.filter(
            pk=assessment.pk, status=AssessmentStatus.DRAFT, interview_resumed_at__isnull=True
        ).update(interview_resumed_at=timezone.now())
        assessment.refresh_from_db()
    return assessment


def interview_pause(
    *, assessment: Assessment, user: User, position: int | None = None
) -> Assessment:
    """Stop the clock and remember which question the interview was on."""
    if not can_review(user, assessment) or assessment.mode != AssessmentMode.INTERVIEW:
        raise NotAllowed(_("Only the interviewer can run this interview."))
    if assessment.status != AssessmentStatus.DRAFT:
        raise AssessmentClosed(_("This interview is finalised."))
    now = timezone.now()
    fields = {
        "interview_seconds": _interview_seconds(assessment, now),
        "interview_resumed_at": None,
    }
    if position is not None:
        fields["interview_position"] = max(0, position)
    Assessment.objects.filter(pk=assessment.pk).update(**fields)
    assessment.refresh_from_db()
    return assessment
