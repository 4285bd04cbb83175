"""Question sets and their versions: group-wide, read by anyone with a token.

Drafts are shown only to those who edit question sets (group admins), as on the pages."""

import uuid

from django.http import HttpRequest
from ninja import Query, Router

from api.common import Paging, paginate, version_summary
from api.errors import ALWAYS, Error, not_found
from api.schemas import QuestionSetOut, QuestionSetPage, VersionOut
from surveys import selectors
from surveys.models import QuestionSet
from surveys.services import can_edit_question_sets

router = Router(tags=["question sets"])


class QuestionSetFilters(Paging):
    active: bool | None = None


def _body(question_set: QuestionSet, drafts: bool) -> dict:
    return {
        "code": question_set.code,
        "key": question_set.key,
        "name": question_set.name,
        "description": question_set.description,
        "active": question_set.active,
        "is_main": question_set.is_main,
        "versions": [
            version_summary(v) for v in question_set.versions.all() if v.is_published or drafts
        ],
    }


@router.get("/question-sets", response={200: QuestionSetPage, **ALWAYS}, url_name="question_sets")
def question_set_list(request: HttpRequest, filters: Query[QuestionSetFilters]):
    """Every question set with its versions, newest version first; `active` narrows it."""
    sets = selectors.question_sets().order_by("-is_main", "name", "id")
    if filters.active is not None:
        sets = sets.filter(active=filters.active)
    drafts = can_edit_question_sets(request.user)
    return paginate(request, sets, filters, lambda rows: [_body(s, drafts) for s in rows])


@router.get(
    "/question-sets/{code}",
    response={200: QuestionSetOut, **ALWAYS, 404: Error},
    url_name="question_set",
)
def question_set_detail(request: HttpRequest, code: uuid.UUID):
    question_set = selectors.question_sets().filter(code=code).first()
    if question_set is None:
        raise not_found()
    return _body(question_set, can_edit_question_sets(request.user))


@router.get(
    "/question-set-versions/{code}",
    response={200: VersionOut, **ALWAYS, 404: Error},
    url_name="question_set_version",
)
def version_detail(request: HttpRequest, code: uuid.UUID):
    """A version whole: answer scale, maturity levels, sections and their statements."""
    version = selectors.get_version(code)
    if not version.is_published and not can_edit_question_sets(request.user):
        raise not_found()
    return {
        "code": version.code,
        "question_set": version.question_set.code,
        "question_set_name": version.question_set.name,
        "number": version.number,
        "status": version.status,
        "aggregation": version.aggregation,
        "display": version.display,
        "published_at": version.published_at,
        "options": [
            {"key": o.key, "label": o.label, "score": float(o.score)}
            for o in version.options.order_by("order")
        ],
        "levels": [
            {"name": lv.name, "min_percent": float(lv.min_percent)}
            for lv in version.levels.order_by("order")
        ],
        "sections": [
            {
                "key": s.key,
                "title": s.title,
                "core": s.core,
                "questions": [
                    {
                        "key": q.key,
                        "text": q.text,
                        "subsection": q.subsection,
                        "weight": float(q.weight),
                        "core": q.core,
                        "applies_to": q.applies_to,
                        "na_allowed": q.na_allowed,
                        "why": q.why,
                        "good": q.good,
                        "evidence": q.evidence,
                    }
                    for q in s.questions.all()
                ],
            }
            for s in selectors.sections_with_questions(version)
        ],
    }
