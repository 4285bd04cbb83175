"""The scoring engine: answers in, maturity figures out.

Pure Python with no Django imports, so dashboards, reports, imports and the
rescore command share one implementation and it can be tested on its own.

Rules (docs/scoring.md explains them for managers):
- a question's score is the score of the chosen option (0 to 1);
- N/A answers, questions that do not apply to the project's kind and
  unanswered questions are left out of numerator and denominator; on a
  question whose `na_allowed` is false, N/A counts as unanswered;
- a section's figure is the weighted mean of its scored questions;
- the overall figure is the weighted mean over all scored questions
  (`weighted_mean`) or the weakest section's figure (`min_section`);
- points (for sets displayed in points): a question's points are its score times its
  weight; a section's points are the sum over its scored questions, out of the sum of
  their weights; overall, all scored questions' points out of all their weights
  (`weighted_mean`) or the points of the section with the lowest figure, out of that
  section's maximum (`min_section`); points / maximum is always the figure;
- a core statement is met when its answer has the scale's top score;
- the level is the highest band whose minimum the overall percentage reaches (at or
  above it by default; strictly above it when the version says `above`).

Two helpers serve figures over time: `restricted` narrows a version to a set of
question keys (to re-score assessments of different versions on the questions
they share) and `compare` says what moved between two results.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

ENGINE_VERSION = "1.0"

WEIGHTED_MEAN = "weighted_mean"
MIN_SECTION = "min_section"
AGGREGATIONS = (WEIGHTED_MEAN, MIN_SECTION)

ALL, BATCH, REALTIME, BOTH = "all", "batch", "realtime", "both"

# Where a level band starts: at its minimum, or just above it (rubrics written as (a, b]).
AT_OR_ABOVE, ABOVE = "at_or_above", "above"
LEVEL_BOUNDARIES = (AT_OR_ABOVE, ABOVE)

# Figures are compared after rounding so that 0.1 + 0.2 style noise cannot
# push a project across a band boundary.
_PRECISION = 9


@dataclass(frozen=True)
class QuestionSpec:
    key: str
    section: str
    weight: float = 1.0
    core: bool = False
    applies_to: str = ALL
    # False: N/A is no answer to it; an N/A given anyway counts as unanswered, so a section
    # can never drop out of a rule (the weakest section's) through N/A answers.
    na_allowed: bool = True


@dataclass(frozen=True)
class BandSpec:
    name: str
    min_percent: float


@dataclass(frozen=True)
class VersionSpec:
    """What the engine needs to know about a question-set version."""

    sections: tuple[str, ...]
    questions: tuple[QuestionSpec, ...]
    options: dict[str, float]
    bands: tuple[BandSpec, ...] = ()
    aggregation: str = WEIGHTED_MEAN
    level_boundary: str = AT_OR_ABOVE

    def __post_init__(self) -> None:
        if self.aggregation not in AGGREGATIONS:
            raise ValueError(f"unknown aggregation rule {self.aggregation!r}")
        if self.level_boundary not in LEVEL_BOUNDARIES:
            raise ValueError(f"unknown level boundary rule {self.level_boundary!r}")
        for question in self.questions:
            if question.section not in self.sections:
                raise ValueError(f"question {question.key!r} is in unknown section")
            if question.weight <= 0:
                raise ValueError(f"question {question.key!r} has a weight of {question.weight}")

    @property
    def top_score(self) -> float:
        return max(self.options.values()) if self.options else 1.0


@dataclass(frozen=True)
class AnswerInput:
    question: str
    option: str | None = None
    na: bool = False


@dataclass(frozen=True)
class SectionResult:
    key: str
    score: float | None  # 0..1, None when no question in it was scored
    weight: float  # sum of the weights of its scored questions
    scored: int
    applicable: int
    # The sum of score x weight over its scored questions, taken as figure x maximum so that
    # points / maximum is the figure exactly (no second rounding); 0 when nothing was scored.
    points: float = 0.0

    @property
    def percent(self) -> float | None:
        return None if self.score is None else self.score * 100

    @property
    def max_points(self) -> float:
        return self.weight


@dataclass(frozen=True)
class Result:
    overall: float | None
    level: str
    sections: dict[str, SectionResult]
    question_scores: dict[str, float]  # only the scored questions
    not_applicable: frozenset[str]  # by project kind
    na: frozenset[str]  # answered N/A
    unanswered: tuple[str, ...]  # applicable, not answered, in question order
    core_met: tuple[str, ...]
    core_missed: tuple[str, ...]
    engine_version: str = field(default=ENGINE_VERSION)
    # Points display: None when nothing was scored (as `overall`).
    points: float | None = None
    max_points: float | None = None

    @property
    def percent(self) -> float | None:
        return None if self.overall is None else self.overall * 100

    @property
    def all_core_met(self) -> bool:
        return not self.core_missed

    @property
    def applicable(self) -> int:
        return len(self.question_scores) + len(self.na) + len(self.unanswered)

    @property
    def answered(self) -> int:
        return len(self.question_scores) + len(self.na)

    @property
    def complete(self) -> bool:
        return not self.unanswered


def applies(question: QuestionSpec, project_kind: str) -> bool:
    if question.applies_to == ALL or project_kind == BOTH:
        return True
    return question.applies_to == project_kind


def level_for(percent: float | None, bands: Iterable[BandSpec], boundary: str = AT_OR_ABOVE) -> str:
    """The highest band `percent` reaches: at or above its minimum, or (`ABOVE`) strictly
    above it; the lowest band is reached from its minimum either way."""
    if percent is None:
        return ""
    value = round(percent, _PRECISION)
    reached = ""
    for index, band in enumerate(sorted(bands, key=lambda b: b.min_percent)):
        strict = boundary == ABOVE and index > 0
        if value > band.min_percent or (not strict and value == band.min_percent):
            reached = band.name
    return reached


def score(version: VersionSpec, answers: Iterable[AnswerInput], project_kind: str) -> Result:
    """Score one assessment of a project of `project_kind` against `version`."""
    given: dict[str, AnswerInput] = {}
    for answer in answers:
        given[answer.question] = answer

    top = version.top_score
    question_scores: dict[str, float] = {}
    not_applicable: set[str] = set()
    na: set[str] = set()
    unanswered: list[str] = []
    core_met: list[str] = []
    core_missed: list[str] = []
    totals = {
        key: [0.0, 0.0, 0, 0] for key in version.sections
    }  # weighted sum, weight, n, applicable

    for question in version.questions:
        if not applies(question, project_kind):
            not_applicable.add(question.key)
            continue
        totals[question.section][3] += 1
        answer = given.get(question.key)
        if answer is not None and answer.na and question.na_allowed:
            na.add(question.key)
            continue
        if answer is None or answer.option is None or answer.na:
            unanswered.append(question.key)
            if question.core:
                core_missed.append(question.key)
            continue
        try:
            value = version.options[answer.option]
        except KeyError:
            raise ValueError(
                f"answer to {question.key!r} uses unknown option {answer.option!r}"
            ) from None
        question_scores[question.key] = value
        section = totals[question.section]
        section[0] += value * question.weight
        section[1] += question.weight
        section[2] += 1
        if question.core:
            (core_met if value >= top else core_missed).append(question.key)

    sections = {
        key: SectionResult(
            key=key,
            score=_clamp(weighted / weight) if weight else None,
            weight=weight,
            scored=n,
            applicable=applicable_count,
            points=_clamp(weighted / weight) * weight if weight else 0.0,
        )
        for key, (weighted, weight, n, applicable_count) in totals.items()
    }

    overall: float | None
    points: float | None = None
    max_points: float | None = None
    if version.aggregation == MIN_SECTION:
        scored_sections = [s for s in sections.values() if s.score is not None]
        # The first section (in set order) with the lowest figure sets the score.
        weakest = min(scored_sections, key=lambda s: s.score) if scored_sections else None
        overall = weakest.score if weakest else None
        if weakest is not None:
            points, max_points = weakest.points, weakest.weight
    else:
        weighted_total = sum(t[0] for t in totals.values())
        weight_total = sum(t[1] for t in totals.values())
        overall = _clamp(weighted_total / weight_total) if weight_total else None
        if weight_total:
            points, max_points = overall * weight_total, weight_total

    return Result(
        overall=overall,
        level=level_for(
            None if overall is None else overall * 100, version.bands, version.level_boundary
        ),
        sections=sections,
        question_scores=question_scores,
        not_applicable=frozenset(not_applicable),
        na=frozenset(na),
        unanswered=tuple(unanswered),
        core_met=tuple(core_met),
        core_missed=tuple(core_missed),
        points=points,
        max_points=max_points,
    )


def format_points(points: float | None, max_points: float | None) -> str:
    """'2.5 of 7': up to two decimals, trailing zeros dropped; '' without a figure."""
    if points is None or max_points is None:
        return ""
    return f"{_number(points)} of {_number(max_points)}"


def _number(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _clamp(value: float) -> float:
    return min(1.0, max(0.0, round(value, _PRECISION)))


def restricted(version: VersionSpec, keys: Iterable[str]) -> VersionSpec:
    """`version` with only the questions whose key is in `keys`.

    Sections, scale, bands and rule stay as they are: scoring with the restricted
    version is the same as scoring with every other question answered N/A.
    """
    wanted = frozenset(keys)
    return VersionSpec(
        sections=version.sections,
        questions=tuple(q for q in version.questions if q.key in wanted),
        options=version.options,
        bands=version.bands,
        aggregation=version.aggregation,
        level_boundary=version.level_boundary,
    )


@dataclass(frozen=True)
class Comparison:
    """What moved from one result to another (figures in percentage points)."""

    overall_points: float | None  # None when either side has no figure
    section_points: dict[str, float | None]  # sections of either result, later result's first
    core_newly_met: tuple[str, ...]  # met now, asked but not met before
    core_lost: tuple[str, ...]  # met before, asked but not met now


def _asked(result: Result) -> set[str]:
    """Every question key the result knows about, whatever became of it."""
    return set(result.question_scores) | result.na | result.not_applicable | set(result.unanswered)


def _points(before: float | None, after: float | None) -> float | None:
    if before is None or after is None:
        return None
    return round((after - before) * 100, _PRECISION)


def compare(before: Result, after: Result) -> Comparison:
    """What moved from `before` to `after`: overall, by section (matched by key), core statements.

    A core statement that is in only one of the two results is neither newly met nor
    lost; callers list such questions separately.
    """
    sections = list(after.sections) + [k for k in before.sections if k not in after.sections]
    section_points = {
        key: _points(
            before.sections[key].score if key in before.sections else None,
            after.sections[key].score if key in after.sections else None,
        )
        for key in sections
    }
    met_before, met_after = set(before.core_met), set(after.core_met)
    asked_before, asked_after = _asked(before), _asked(after)
    return Comparison(
        overall_points=_points(before.overall, after.overall),
        section_points=section_points,
        core_newly_met=tuple(
            k for k in after.core_met if k not in met_before and k in asked_before
        ),
        core_lost=tuple(k for k in before.core_met if k not in met_after and k in asked_after),
    )
