"""Evidence from pipelines: posted for a statement of a project, listed back
(docs/pipeline-evidence.md). Evidence never changes an answer; people adopt it on the
review and interview screens."""

import uuid

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Status

from api.common import Paging, audit_write, paginate
from api.errors import ALWAYS, Error, from_survey_error
from api.schemas import EvidenceIn, EvidenceOut, EvidencePage
from brands.selectors import get_project_for_user
from surveys import selectors, services
from surveys.models import PipelineEvidence

router = Router(tags=["evidence"])


class EvidenceFilters(Paging):
    question_key: str | None = None


def _body(evidence: PipelineEvidence, now) -> dict:
    return {
        "code": evidence.code,
        "project": evidence.project.code,
        "question_key": evidence.question_key,
        "question_set": evidence.question_set.key if evidence.question_set else None,
        "url": evidence.url,
        "outcome": evidence.outcome,
        "run_id": evidence.run_id,
        "run_url": evidence.run_url,
        "commit": evidence.commit,
        "observed_at": evidence.observed_at,
        "received_at": evidence.received_at,
        "source": evidence.source,
        "posted_by": evidence.posted_by.get_username(),
        "stale": selectors.evidence_state(evidence, now).stale,
    }


@router.get(
    "/projects/{code}/evidence",
    response={200: EvidencePage, **ALWAYS, 404: Error},
    url_name="project_evidence",
)
def evidence_list(request: HttpRequest, code: uuid.UUID, filters: Query[EvidenceFilters]):
    """The evidence posted for the project, the newest observation first; of one statement
    with `question_key`."""
    project = get_project_for_user(request.user, code)
    rows = selectors.evidence_of_project(project, question_key=(filters.question_key or "").strip())
    now = timezone.now()
    return paginate(request, rows, filters, lambda items: [_body(e, now) for e in items])


@router.post(
    "/projects/{code}/evidence",
    response={201: EvidenceOut, **ALWAYS, 400: Error, 403: Error, 404: Error},
    url_name="evidence_post",
)
def evidence_post(request: HttpRequest, code: uuid.UUID, payload: EvidenceIn):
    """Record what a pipeline observed about one statement of the project: a link, passed or
    failed, the run, the commit and when. Needs a read-and-write token of someone who may
    change the project's answers. The answer itself is never changed."""
    project = get_project_for_user(request.user, code)
    with transaction.atomic():
        try:
            evidence = services.evidence_record(
                project=project, user=request.user, **payload.dict()
            )
        except services.SurveyError as exc:
            raise from_survey_error(exc) from None
        audit_write(request, "evidence posted", project)
    evidence = selectors.evidence_of_project(project).get(pk=evidence.pk)
    return Status(201, _body(evidence, timezone.now()))
