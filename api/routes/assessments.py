"""Assessments: listed, read with their answers and score; answers saved; self-fills submitted.

Saving goes through surveys.services.answer_save, the same as every screen: the change is
based on the answer's revision (409 with the current answer when someone changed it first),
validated assessments never change, N/A needs a reason."""

import uuid

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Status

from api.common import Paging, answer_body, assessment_body, audit_write, paginate
from api.errors import ALWAYS, Error, from_survey_error
from api.schemas import (
    AnswerChange,
    AnswerOut,
    AssessmentDetail,
    AssessmentOut,
    AssessmentPage,
    Conflict,
    Incomplete,
    Mode,
    StatusName,
)
from scoring.selectors import scores_for_assessments
from surveys import selectors, services
from surveys.models import Answer, Assessment
from surveys.services.permissions import can_edit_answers, can_see_interviewer_notes

router = Router(tags=["assessments"])


class AssessmentFilters(Paging):
    status: StatusName | None = None
    mode: Mode | None = None
    question_set: uuid.UUID | None = None


class AllAssessmentFilters(AssessmentFilters):
    brand: uuid.UUID | None = None
    project: uuid.UUID | None = None


def filtered(assessments: QuerySet[Assessment], filters: AssessmentFilters) -> QuerySet:
    if filters.status:
        assessments = assessments.filter(status=filters.status)
    if filters.mode:
        assessments = assessments.filter(mode=filters.mode)
    if filters.question_set:
        assessments = assessments.filter(version__question_set__code=filters.question_set)
    return scores_for_assessments(assessments).order_by("-assessed_on", "-created_at", "-id")


def serialize(rows: list[Assessment]) -> list[dict]:
    return [assessment_body(a) for a in rows]


@router.get("/assessments", response={200: AssessmentPage, **ALWAYS}, url_name="assessments")
def assessment_list(request: HttpRequest, filters: Query[AllAssessmentFilters]):
    """The assessments the caller may see, newest first; filtered by brand, project, status,
    mode and question set."""
    assessments = selectors.assessments_for_user(request.user)
    if filters.brand:
        assessments = assessments.filter(project__brand__code=filters.brand)
    if filters.project:
        assessments = assessments.filter(project__code=filters.project)
    return paginate(request, filtered(assessments, filters), filters, serialize)


def _detail(request: HttpRequest, assessment: Assessment) -> dict:
    assessment = scores_for_assessments(
        selectors.assessments_for_user(request.user).filter(pk=assessment.pk)
    ).get()
    notes = can_see_interviewer_notes(request.user, assessment)
    return {
        **assessment_body(assessment),
        "can_edit": can_edit_answers(request.user, assessment),
        "answers": [
            answer_body(a, notes=notes) for a in selectors.answers_of_assessment(assessment)
        ],
    }


@router.get(
    "/assessments/{code}",
    response={200: AssessmentDetail, **ALWAYS, 404: Error},
    url_name="assessment",
)
def assessment_detail(request: HttpRequest, code: uuid.UUID):
    """One assessment with its stored score (section by section) and every answer."""
    return _detail(request, selectors.get_assessment_for_user(request.user, code))


def _answer(assessment: Assessment, key: str) -> Answer:
    return selectors.answers_of_assessment(assessment).get(question__key=key)


@router.put(
    "/assessments/{code}/answers/{key}",
    response={200: AnswerOut, **ALWAYS, 400: Error, 403: Error, 404: Error, 409: Conflict | Error},
    url_name="answer_save",
)
def answer_save(request: HttpRequest, code: uuid.UUID, key: str, payload: AnswerChange):
    """Change one answer, based on its `revision` as last read.

    `answer`: an option key, `"na"` (then `na_reason` is required) or `""` to clear it.
    A 409 with code `conflict` carries the answer as it is now in `current`."""
    assessment = selectors.get_assessment_for_saving(request.user, code)
    choice = payload.answer
    data = services.AnswerInput(
        option=None if choice is None or choice == "na" else choice,
        is_na=None if choice is None else choice == "na",
        na_reason=payload.na_reason,
        comment=payload.comment,
        evidence_url=payload.evidence_url,
        interviewer_note=payload.interviewer_note,
    )
    notes = can_see_interviewer_notes(request.user, assessment)
    try:
        with transaction.atomic():
            answer = services.answer_save(
                assessment=assessment,
                question_key=key,
                user=request.user,
                base_revision=payload.base_revision,
                data=data,
                via=services.answer_via(assessment),
                note=payload.note,
            )
            if answer.changed_fields:
                audit_write(request, f"answer {key} saved", assessment)
    except services.AnswerConflict as exc:
        # The answer as it is now, read with its question and option, for the caller to
        # decide again (the service's copy carries the option only).
        current = answer_body(_answer(assessment, key), notes=notes)
        return Status(409, {**from_survey_error(exc).body(), "current": current})
    except services.SurveyError as exc:
        raise from_survey_error(exc) from None
    return answer_body(_answer(assessment, key), notes=notes)


@router.post(
    "/assessments/{code}/submit",
    response={
        200: AssessmentOut,
        **ALWAYS,
        400: Incomplete | Error,
        403: Error,
        404: Error,
        409: Error,
    },
    url_name="assessment_submit",
)
def assessment_submit(request: HttpRequest, code: uuid.UUID):
    """Hand in a complete self-fill for review; its score is stored. A 400 with code
    `incomplete` lists the statements still without an answer in `missing`."""
    assessment = selectors.get_assessment_for_user(request.user, code)
    with transaction.atomic():
        try:
            services.assessment_submit(assessment=assessment, user=request.user)
        except services.SurveyError as exc:
            raise from_survey_error(exc) from None
        audit_write(request, "assessment submitted", assessment)
    return assessment_body(
        scores_for_assessments(selectors.assessments_for_user(request.user)).get(pk=assessment.pk)
    )
