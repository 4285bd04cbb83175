"""Shared parts of the API's endpoints: paging, the audit of writes, and turning models into
the bodies the schemas describe."""

from urllib.parse import urlencode

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema

from brands import audit
from brands.models import AuditAction, Project
from scoring.models import Score
from surveys.models import Answer, Assessment, QuestionSetVersion


class Paging(Schema):
    limit: int = Field(50, ge=1, le=settings.API_PAGE_SIZE_MAX, description="Items per page")
    offset: int = Field(0, ge=0, le=10_000_000, description="Items to skip")


def paginate(request: HttpRequest, items: QuerySet, paging: Paging, serialize) -> dict:
    """One page of `items` (already filtered and ordered), with the total and page links."""
    total = items.count()
    rows = list(items[paging.offset : paging.offset + paging.limit])

    def link(offset: int) -> str:
        query = request.GET.copy()
        query["offset"] = str(offset)
        query["limit"] = str(paging.limit)
        return request.build_absolute_uri(f"{request.path}?{urlencode(query, doseq=True)}")

    end = paging.offset + paging.limit
    return {
        "count": total,
        "next": link(end) if end < total else None,
        "previous": link(max(0, paging.offset - paging.limit)) if paging.offset > 0 else None,
        "results": serialize(rows),
    }


def audit_write(request: HttpRequest, what: str, target) -> None:
    """Every change made through the API is in the audit log, naming the token that made it
    (call inside the write's transaction)."""
    token = request.api_token
    audit.record(
        AuditAction.API_WRITE,
        actor=request.user,
        target=target,
        request=request,
        what=what,
        token=token.prefix,
        token_name=token.name,
        method=request.method,
        path=request.path[:300],
    )


# --- bodies ------------------------------------------------------------------------------


def project_body(project: Project, score: Score | None = None) -> dict:
    line = project.product_line
    return {
        "code": project.code,
        "brand": project.brand.code,
        "brand_name": project.brand.name,
        "name": project.name,
        "description": project.description,
        "kind": project.kind,
        "criticality": project.criticality,
        "product_line": line.code if line else None,
        "product_line_name": line.name if line else None,
        "created_at": project.created_at,
        "latest_validated": {
            "assessment": score.assessment.code,
            "assessed_on": score.assessment.assessed_on,
            "percent": score.percent,
            "level": score.level,
        }
        if score is not None
        else None,
    }


def score_body(assessment: Assessment) -> dict | None:
    score = getattr(assessment, "score", None)
    if score is None:
        return None
    return {
        "percent": score.percent,
        "level": score.level,
        "all_core_met": score.all_core_met,
        "core_met": score.core_met,
        "core_total": score.core_total,
        "answered": score.answered,
        "applicable": score.applicable,
        "computed_at": score.computed_at,
        "sections": [
            {
                "key": s.section.key,
                "title": s.section.title,
                "percent": None if s.value is None else float(s.value) * 100,
            }
            for s in score.sections.all()
        ],
    }


def assessment_body(assessment: Assessment) -> dict:
    return {
        "code": assessment.code,
        "project": assessment.project.code,
        "project_name": assessment.project.name,
        "brand": assessment.project.brand.code,
        "question_set": assessment.version.question_set.code,
        "version": assessment.version.code,
        "version_number": assessment.version.number,
        "mode": assessment.mode,
        "status": assessment.status,
        "assessed_on": assessment.assessed_on,
        "created_at": assessment.created_at,
        "submitted_at": assessment.submitted_at,
        "validated_at": assessment.validated_at,
        "score": score_body(assessment),
    }


def answer_body(answer: Answer, *, notes: bool) -> dict:
    option = answer.option
    return {
        "question": answer.question.key,
        "section": answer.question.section.key,
        "text": answer.question.text,
        "option": option.key if option else None,
        "option_label": option.label if option else None,
        "is_na": answer.is_na,
        "na_reason": answer.na_reason,
        "comment": answer.comment,
        "evidence_url": answer.evidence_url,
        "interviewer_note": answer.interviewer_note if notes else None,
        "carried_over": answer.carried_over,
        "answered_by": answer.answered_by.get_username() if answer.answered_by else None,
        "answered_at": answer.answered_at,
        "revision": answer.revision,
    }


def version_summary(version: QuestionSetVersion) -> dict:
    return {
        "code": version.code,
        "number": version.number,
        "status": version.status,
        "published_at": version.published_at,
    }
