"""The API's error bodies: `{"code": ..., "message": ..., "field": ...}` for every refusal.

`code` is stable (clients branch on it), `message` is a sentence for a person, `field` names
the input at fault when one is. The services' own errors are mapped here, so the API says
what the pages say.
"""

from ninja import Schema

from brands.services import ProjectError
from surveys.services import (
    AnswerConflict,
    AssessmentClosed,
    BadAnswer,
    IncompleteAssessment,
    NotAllowed,
    SurveyError,
    UnknownQuestion,
)


class Error(Schema):
    code: str
    message: str
    field: str | None = None


class Invalid(Error):
    """422: the request does not match the schema; `errors` lists every problem found."""

    errors: list[dict] = []


class RateLimited(Error):
    retry_after: int


# What any call may be answered with besides its own answers: no or a bad token (401), a
# request the schema refuses (422), too many requests (429).
ALWAYS = {401: Error, 422: Invalid, 429: RateLimited}


class ApiError(Exception):
    """Raised by the API's own code to answer with an error body."""

    def __init__(self, status: int, code: str, message: str, field: str = "", **extra):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.extra = extra

    def body(self) -> dict:
        body = {"code": self.code, "message": self.message}
        if self.field:
            body["field"] = self.field
        return {**body, **self.extra}


NOT_FOUND = "Nothing with this code exists, or it is not yours to see."


def not_found() -> ApiError:
    # One body for a missing object and another brand's: their existence must not leak.
    return ApiError(404, "not_found", NOT_FOUND)


def from_survey_error(exc: SurveyError) -> ApiError:
    if isinstance(exc, UnknownQuestion):
        return ApiError(404, "not_found", exc.message, field="key")
    if isinstance(exc, NotAllowed):
        return ApiError(403, "forbidden", exc.message)
    if isinstance(exc, AssessmentClosed):
        return ApiError(409, "assessment_closed", exc.message)
    if isinstance(exc, IncompleteAssessment):
        return ApiError(
            400, "incomplete", exc.message, missing=[a.question.key for a in exc.missing]
        )
    if isinstance(exc, BadAnswer):
        return ApiError(400, "invalid", exc.message, field=exc.field)
    if isinstance(exc, AnswerConflict):
        # The view adds the current answer; the code and message are the service's.
        return ApiError(409, "conflict", exc.message)
    return ApiError(exc.status, "refused", exc.message)


def from_project_error(exc: ProjectError) -> ApiError:
    code = {403: "forbidden", 409: "conflict"}.get(exc.status, "invalid")
    return ApiError(exc.status, code, exc.message, field=exc.field)
