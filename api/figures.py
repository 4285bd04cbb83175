"""The figure endpoints' query checks, done by the pages' own forms, and the gaps' body."""

import uuid

from ninja import Schema

from api.errors import ApiError
from api.schemas import Basis
from scoring.forms import QuarterForm, QuestionSetChoiceForm
from scoring.selectors.gaps import GapReport


class FigureQuery(Schema):
    set: uuid.UUID | None = None
    basis: Basis = "own"


class GapQuery(Schema):
    set: uuid.UUID | None = None
    quarter: str | None = None


def set_form(set_code: uuid.UUID | None) -> QuestionSetChoiceForm:
    """The question set figures are read for: the pages' own check (a set with a published
    version; none chosen: the group's main set)."""
    form = QuestionSetChoiceForm({"set": str(set_code) if set_code else ""})
    if not form.is_valid():
        raise ApiError(400, "invalid", "No published question set has this code.", field="set")
    return form


def gaps_form(set_code: uuid.UUID | None, quarter: str | None) -> QuarterForm:
    form = QuarterForm({"set": str(set_code) if set_code else "", "quarter": quarter or ""})
    if not form.is_valid():
        field = next(iter(form.errors))
        message = {
            "set": "No published question set has this code.",
            "quarter": "The quarter must be the end of one of the last eight quarters "
            "(YYYY-MM-DD), or left out for today.",
        }.get(field, form.errors.as_text())
        raise ApiError(400, "invalid", message, field=field)
    return form


def gaps_body(report: GapReport) -> dict:
    return {
        "as_of": report.as_of,
        "previous_as_of": report.previous_as_of,
        "projects": report.projects,
        "previous_projects": report.previous_projects,
        "gaps": [
            {
                "question": g.key,
                "text": g.text,
                "section": g.section,
                "core": g.core,
                "unmet": g.unmet,
                "applicable": g.applicable,
                "percent": g.percent,
                "rank": g.rank,
                "previous_rank": g.previous_rank,
                "movement": g.movement,
                "brands": [{"code": b.code, "name": b.name, "unmet": b.unmet} for b in g.brands],
            }
            for g in report.gaps
        ],
        "closed": [
            {"question": c.key, "text": c.text, "previous_rank": c.previous_rank}
            for c in report.closed
        ],
    }
