"""Errors the survey services raise. Each carries the HTTP status a view should answer with
and a message that tells a person what went wrong, in the language of the request (or of
the `translation.override` around the call)."""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext


class SurveyError(Exception):
    status = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotAllowed(SurveyError):
    status = 403


class AssessmentClosed(SurveyError):
    status = 409


class BadAnswer(SurveyError):
    """A value the person sent cannot be saved. `field` names the form field it came from
    ("evidence_url", "na_reason", ...) when one field alone is at fault."""

    status = 400

    def __init__(self, message: str, *, field: str = ""):
        super().__init__(message)
        self.field = field


class BadEvidence(BadAnswer):
    """Evidence a pipeline posted cannot be recorded. `field` names the argument of
    `evidence_record` at fault, which is also the field's name in the API's JSON body."""


class UnknownQuestion(SurveyError):
    status = 404


class AnswerConflict(SurveyError):
    """Someone else changed the answer since the revision the save was based on."""

    status = 409

    def __init__(self, current):
        super().__init__(
            _(
                "Someone else changed this answer while you were editing it. "
                "Their version is shown; keep it or apply yours again."
            )
        )
        self.current = current


class IncompleteAssessment(SurveyError):
    def __init__(self, missing: list):
        super().__init__(
            ngettext(
                "%(count)s statement still needs an answer",
                "%(count)s statements still need an answer",
                len(missing),
            )
            % {"count": len(missing)}
        )
        self.missing = missing


class InvalidInvitation(SurveyError):
    status = 404
