"""What the API reads and writes, as pydantic schemas (they make the OpenAPI document)."""

import datetime
import uuid
from typing import Literal

from ninja import Field, Schema

from api.errors import Error

Kind = Literal["batch", "realtime", "both"]
Criticality = Literal["low", "medium", "high"]
Mode = Literal["self_fill", "interview"]
StatusName = Literal["draft", "submitted", "validated"]
Basis = Literal["own", "shared"]


def page_of(item: type, name: str) -> type:
    """A page of `item`s: the total, links to the next and previous pages, the items."""
    return type(
        name,
        (Schema,),
        {
            "__annotations__": {
                "count": int,
                "next": str | None,
                "previous": str | None,
                "results": list[item],
            },
            "__doc__": f"One page of a list: {name.removesuffix('Page').lower()}s.",
        },
    )


class BrandOut(Schema):
    code: uuid.UUID
    name: str
    country: str
    has_ds_team: bool
    role: str | None = Field(None, description="The caller's brand role; none for group roles")


class LatestScore(Schema):
    assessment: uuid.UUID
    assessed_on: datetime.date
    percent: float | None
    level: str


class ProjectOut(Schema):
    code: uuid.UUID
    brand: uuid.UUID
    brand_name: str
    name: str
    description: str
    kind: Kind
    criticality: Criticality
    product_line: uuid.UUID | None
    product_line_name: str | None
    created_at: datetime.datetime
    latest_validated: LatestScore | None = Field(
        None, description="The score of the project's latest validated assessment"
    )


class ProjectCreate(Schema):
    brand: uuid.UUID
    name: str = Field(..., min_length=1, max_length=120)
    kind: Kind
    criticality: Criticality = "medium"
    description: str = Field("", max_length=5000)
    product_line: uuid.UUID | None = None


class ProjectChange(Schema):
    """Only the fields sent change; `product_line: null` takes the project off its line."""

    name: str | None = Field(None, min_length=1, max_length=120)
    kind: Kind | None = None
    criticality: Criticality | None = None
    description: str | None = Field(None, max_length=5000)
    product_line: uuid.UUID | None = None


class VersionSummary(Schema):
    code: uuid.UUID
    number: int
    status: Literal["draft", "published"]
    published_at: datetime.datetime | None


class QuestionSetOut(Schema):
    code: uuid.UUID
    key: str
    name: str
    description: str
    active: bool
    is_main: bool
    versions: list[VersionSummary]


class OptionOut(Schema):
    key: str
    label: str
    score: float


class LevelOut(Schema):
    name: str
    min_percent: float


class QuestionOut(Schema):
    key: str
    text: str
    subsection: str
    weight: float
    core: bool
    applies_to: Literal["all", "batch", "realtime"]
    na_allowed: bool
    why: str
    good: str
    evidence: str


class SectionOut(Schema):
    key: str
    title: str
    core: bool
    questions: list[QuestionOut]


class VersionOut(Schema):
    code: uuid.UUID
    question_set: uuid.UUID
    question_set_name: str
    number: int
    status: Literal["draft", "published"]
    aggregation: str
    display: str
    published_at: datetime.datetime | None
    options: list[OptionOut]
    levels: list[LevelOut]
    sections: list[SectionOut]


class SectionFigure(Schema):
    key: str
    title: str
    percent: float | None


class ScoreOut(Schema):
    percent: float | None
    level: str
    all_core_met: bool
    core_met: int
    core_total: int
    answered: int
    applicable: int
    computed_at: datetime.datetime
    sections: list[SectionFigure]


class AssessmentOut(Schema):
    code: uuid.UUID
    project: uuid.UUID
    project_name: str
    brand: uuid.UUID
    question_set: uuid.UUID
    version: uuid.UUID
    version_number: int
    mode: Mode
    status: StatusName
    assessed_on: datetime.date
    created_at: datetime.datetime
    submitted_at: datetime.datetime | None
    validated_at: datetime.datetime | None
    score: ScoreOut | None = Field(None, description="Stored once submitted or validated")


class AnswerOut(Schema):
    question: str = Field(..., description="The statement's key")
    section: str
    text: str
    option: str | None
    option_label: str | None
    is_na: bool
    na_reason: str
    comment: str
    evidence_url: str
    interviewer_note: str | None = Field(
        None, description="Only for those who may read interviewer notes"
    )
    carried_over: bool
    answered_by: str | None
    answered_at: datetime.datetime | None
    revision: int


class AssessmentDetail(AssessmentOut):
    can_edit: bool
    answers: list[AnswerOut]


class AnswerChange(Schema):
    """One answer's change. Fields left out stay as they are."""

    base_revision: int = Field(
        ..., ge=0, description="The answer's `revision` this change is based on"
    )
    answer: str | None = Field(
        None,
        max_length=30,
        description='An option key, "na" (needs `na_reason`), or "" to clear the answer',
    )
    na_reason: str | None = None
    comment: str | None = None
    evidence_url: str | None = None
    interviewer_note: str | None = None
    note: str = Field("", max_length=5000, description="Why, when a reviewer changes an answer")


class Conflict(Error):
    current: AnswerOut


class Incomplete(Error):
    missing: list[str]


class AssessmentStart(Schema):
    mode: Mode
    question_set: uuid.UUID | None = Field(
        None, description="Default: the set the project's new work uses"
    )
    assessed_on: datetime.date | None = Field(None, description="Default: today")
    interviewees: str = Field("", max_length=5000)
    source: uuid.UUID | None = Field(
        None, description="A submitted or validated assessment of the project to start from"
    )


class QuarterFigureOut(Schema):
    at: datetime.date
    quarter: str
    so_far: bool
    percent: float | None
    projects: int
    stale: int


class BrandTrendOut(Schema):
    brand: uuid.UUID
    question_set: uuid.UUID | None
    basis: Basis
    points: list[QuarterFigureOut]


class ProjectPointOut(Schema):
    assessment: uuid.UUID
    assessed_on: datetime.date
    quarter: str
    percent: float | None
    level: str
    core_met: int | None
    core_total: int | None
    version: str


class ProjectTrendOut(Schema):
    project: uuid.UUID
    question_set: uuid.UUID | None
    basis: Basis
    points: list[ProjectPointOut]


class ActionOut(Schema):
    code: uuid.UUID
    question: str
    title: str
    status: str
    owner: str | None
    due_on: datetime.date | None
    note: str


class PlanItemOut(Schema):
    question: str
    text: str
    core: bool
    weight: float
    answer: str | None
    peers_percent: float | None = Field(
        None, description="Share of comparable projects meeting it; none below three projects"
    )
    action: uuid.UUID | None


class PlanOut(Schema):
    project: uuid.UUID
    assessment: uuid.UUID | None
    question_set: uuid.UUID | None
    comparison: str
    peers: int
    items: list[PlanItemOut]
    actions: list[ActionOut]


class GapBrandOut(Schema):
    code: uuid.UUID
    name: str
    unmet: int


class GapOut(Schema):
    question: str
    text: str
    section: str
    core: bool
    unmet: int
    applicable: int
    percent: float
    rank: int
    previous_rank: int | None
    movement: Literal["new", "up", "down", "same"]
    brands: list[GapBrandOut]


class ClosedGapOut(Schema):
    question: str
    text: str
    previous_rank: int


class GapsOut(Schema):
    as_of: datetime.date
    previous_as_of: datetime.date
    projects: int
    previous_projects: int
    gaps: list[GapOut]
    closed: list[ClosedGapOut]


BrandPage = page_of(BrandOut, "BrandPage")
ProjectPage = page_of(ProjectOut, "ProjectPage")
QuestionSetPage = page_of(QuestionSetOut, "QuestionSetPage")
AssessmentPage = page_of(AssessmentOut, "AssessmentPage")


class EvidenceIn(Schema):
    """What a pipeline observed about one statement of a project (docs/pipeline-evidence.md).
    The values are checked by the service, which names the field at fault."""

    question_key: str = Field(..., max_length=60, description="The statement's key, e.g. code-ci")
    url: str = Field(..., max_length=500, description="Link to the evidence (http or https)")
    outcome: str = Field(..., max_length=16, description="passed or failed")
    run_id: str | int = Field("", description="The pipeline run's number or name")
    run_url: str = Field("", max_length=500, description="Link to the run (http or https)")
    commit: str = Field("", max_length=64, description="The commit checked: 7 to 64 hex digits")
    observed_at: str | None = Field(
        None,
        max_length=64,
        description="When the pipeline looked, ISO 8601 with a time zone; default: now",
    )
    source: str = Field("", max_length=100, description='What posted it, e.g. "GitHub Actions"')
    question_set: str | None = Field(
        None, max_length=60, description="A question set's key, when two sets share the key"
    )


class EvidenceOut(Schema):
    code: uuid.UUID
    project: uuid.UUID
    question_key: str
    question_set: str | None
    url: str
    outcome: Literal["passed", "failed"]
    run_id: str
    run_url: str
    commit: str
    observed_at: datetime.datetime
    received_at: datetime.datetime
    source: str
    posted_by: str
    stale: bool


EvidencePage = page_of(EvidenceOut, "EvidencePage")
