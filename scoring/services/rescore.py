"""Recompute every stored score with the current engine, in bulk, and say what changed.

Run after the engine changes (a new ENGINE_VERSION) or to check that the stored
figures still match the answers. Answers are read as plain ids in chunks of
assessments and scored in Python with the same engine and the same engine view
of each version as `score_store`, so a score stored at submission and one
recomputed here are equal.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from scoring import engine
from scoring.models import Score, SectionScore
from scoring.selectors import version_spec
from scoring.services.scores import score_figures, stored_decimal
from surveys.models import (
    Answer,
    AnswerOption,
    Assessment,
    AssessmentStatus,
    Question,
    QuestionSetVersion,
    Section,
)

# Assessments per round trip: ~65 answers each, so about 30,000 answer rows per read.
CHUNK_SIZE = 500
SCORE_FIELDS = [
    "overall",
    "level",
    "all_core_met",
    "core_met",
    "core_total",
    "answered",
    "applicable",
]


@dataclass(frozen=True)
class ScoreChange:
    """One stored score whose figures differ from what the engine computes now."""

    assessment_code: str
    brand: str
    project: str
    assessed_on: datetime.date
    status: str
    old_percent: float | None
    new_percent: float | None
    old_level: str
    new_level: str
    sections_changed: int
    was_missing: bool = False


@dataclass
class RescoreReport:
    dry_run: bool
    engine_version: str
    checked: int = 0
    changed: int = 0  # scores whose figures changed, or that were missing
    restamped: int = 0  # same figures, but computed by another engine version before
    sections_changed: int = 0
    seconds: float = 0.0
    changes: list[ScoreChange] = field(default_factory=list)


@dataclass(frozen=True)
class _Target:
    id: int
    code: str
    version_id: int
    kind: str
    project: str
    brand: str
    assessed_on: datetime.date
    status: str


def _percent(value: Decimal | None) -> float | None:
    return None if value is None else float(value) * 100


class _Lookups:
    """What every chunk needs about the versions involved, read once."""

    def __init__(self, version_ids: set[int]):
        versions = QuestionSetVersion.objects.filter(id__in=version_ids)
        self.specs = {v.id: version_spec(v) for v in versions}
        self.question_keys = dict(
            Question.objects.filter(version_id__in=version_ids).values_list("id", "key")
        )
        self.option_keys = dict(
            AnswerOption.objects.filter(version_id__in=version_ids).values_list("id", "key")
        )
        # Answer inputs are immutable and few differ (questions x options), so they are shared.
        self._inputs: dict[tuple, engine.AnswerInput] = {}
        self.section_ids = {
            (version_id, key): section_id
            for section_id, version_id, key in Section.objects.filter(
                version_id__in=version_ids
            ).values_list("id", "version_id", "key")
        }

    def answer_input(self, question_id: int, option_id: int | None, is_na: bool):
        key = (question_id, option_id, is_na)
        found = self._inputs.get(key)
        if found is None:
            found = self._inputs[key] = engine.AnswerInput(
                question=self.question_keys[question_id],
                option=None if option_id is None else self.option_keys[option_id],
                na=is_na,
            )
        return found


def scores_rescore(*, dry_run: bool, chunk_size: int = CHUNK_SIZE) -> RescoreReport:
    """Recompute the stored scores of all submitted and validated assessments.

    Only scores whose figures changed are written (with the engine version and the
    time); scores with the same figures but an older engine version get the new
    stamp. With `dry_run`, nothing is written and the report says what would change.
    """
    started = timezone.now()
    report = RescoreReport(dry_run=dry_run, engine_version=engine.ENGINE_VERSION)
    targets = [
        _Target(*row)
        for row in Assessment.objects.filter(
            status__in=[AssessmentStatus.SUBMITTED, AssessmentStatus.VALIDATED]
        )
        .order_by("id")
        .values_list(
            "id",
            "code",
            "version_id",
            "project__kind",
            "project__name",
            "project__brand__name",
            "assessed_on",
            "status",
        )
    ]
    if targets:
        lookups = _Lookups({t.version_id for t in targets})
        for start in range(0, len(targets), chunk_size):
            _rescore_chunk(targets[start : start + chunk_size], lookups, report)
    report.checked = len(targets)
    report.seconds = (timezone.now() - started).total_seconds()
    return report


def _rescore_chunk(targets: list[_Target], lookups: _Lookups, report: RescoreReport) -> None:
    # Targets are in id order: a range reads the chunk's rows along the indexes on
    # assessment_id. Rows of assessments in the range that are not targets (drafts)
    # are read and skipped.
    span = {"assessment_id__gte": targets[0].id, "assessment_id__lte": targets[-1].id}
    with transaction.atomic():
        scores = Score.objects.filter(**span)
        if not report.dry_run:
            # A submission storing its score at the same moment waits for this chunk, then
            # stores its own (newer) figures; never the other way round.
            scores = scores.select_for_update()
        stored = {s.assessment_id: s for s in scores}
        score_ids = {s.id for s in stored.values()}
        sections: dict[int, dict[int, tuple[int, Decimal | None]]] = {}
        for row_id, score_id, section_id, value in SectionScore.objects.filter(
            score__assessment_id__gte=targets[0].id, score__assessment_id__lte=targets[-1].id
        ).values_list("id", "score_id", "section_id", "value"):
            if score_id in score_ids:
                sections.setdefault(score_id, {})[section_id] = (row_id, value)
        answers: dict[int, list[engine.AnswerInput]] = {}
        for assessment_id, question_id, option_id, is_na in Answer.objects.filter(
            **span
        ).values_list("assessment_id", "question_id", "option_id", "is_na"):
            answers.setdefault(assessment_id, []).append(
                lookups.answer_input(question_id, option_id, is_na)
            )

        now = timezone.now()
        changed_scores: list[Score] = []
        new_scores: list[tuple[Score, _Target, engine.Result]] = []
        changed_sections: list[tuple[int, Decimal | None]] = []  # (row id, new value)
        new_sections: list[SectionScore] = []
        for target in targets:
            result = engine.score(
                lookups.specs[target.version_id], answers.get(target.id, ()), target.kind
            )
            figures = score_figures(result)
            score = stored.get(target.id)
            if score is None:
                report.changed += 1
                report.changes.append(_change(target, None, figures, len(result.sections), True))
                new_scores.append(
                    (
                        Score(
                            assessment_id=target.id,
                            engine_version=result.engine_version,
                            computed_at=now,
                            **figures,
                        ),
                        target,
                        result,
                    )
                )
                continue

            section_moves = 0
            have = sections.get(score.id, {})
            for key, section in result.sections.items():
                section_id = lookups.section_ids[(target.version_id, key)]
                value = stored_decimal(section.score)
                if section_id not in have:
                    section_moves += 1
                    new_sections.append(
                        SectionScore(score_id=score.id, section_id=section_id, value=value)
                    )
                elif have[section_id][1] != value:
                    section_moves += 1
                    changed_sections.append((have[section_id][0], value))
            differs = any(getattr(score, name) != value for name, value in figures.items())
            if differs or section_moves:
                report.changed += 1
                report.sections_changed += section_moves
                report.changes.append(_change(target, score, figures, section_moves, False))
            elif score.engine_version != result.engine_version:
                report.restamped += 1
            else:
                continue
            for name, value in figures.items():
                setattr(score, name, value)
            score.engine_version = result.engine_version
            score.computed_at = now
            changed_scores.append(score)

        if report.dry_run:
            return
        fields = [*SCORE_FIELDS, "engine_version", "computed_at"]
        _update(
            Score, fields, [(s.pk, *(getattr(s, name) for name in fields)) for s in changed_scores]
        )
        _update(SectionScore, ["value"], changed_sections)
        if new_scores:
            Score.objects.bulk_create([score for score, _, _ in new_scores])
            for score, target, result in new_scores:
                new_sections.extend(
                    SectionScore(
                        score=score,
                        section_id=lookups.section_ids[(target.version_id, key)],
                        value=stored_decimal(section.score),
                    )
                    for key, section in result.sections.items()
                )
        SectionScore.objects.bulk_create(new_sections)


def _update(model, fields: list[str], rows: list[tuple]) -> None:
    """Set `fields` of the rows given as (primary key, *values), in one statement.

    On PostgreSQL: one UPDATE joined to the new values passed as arrays, far quicker
    than Django's bulk_update (a CASE per field and row) for thousands of rows.
    """
    if not rows:
        return
    meta = model._meta
    if connection.vendor != "postgresql":
        model.objects.bulk_update(
            [model(pk=row[0], **dict(zip(fields, row[1:], strict=True))) for row in rows],
            fields,
            batch_size=500,
        )
        return
    columns = [meta.pk, *(meta.get_field(name) for name in fields)]
    arrays = [list(values) for values in zip(*rows, strict=True)]
    names = [connection.ops.quote_name(column.column) for column in columns]
    types = [column.db_type(connection).split("(")[0] for column in columns]
    table = connection.ops.quote_name(meta.db_table)
    sql = (
        f"UPDATE {table} AS t SET "
        + ", ".join(f"{name} = v.{name}" for name in names[1:])
        + f" FROM unnest({', '.join(f'%s::{kind}[]' for kind in types)})"
        + f" AS v({', '.join(names)}) WHERE t.{names[0]} = v.{names[0]}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, arrays)


def _change(
    target: _Target, score: Score | None, figures: dict, sections: int, missing: bool
) -> ScoreChange:
    return ScoreChange(
        assessment_code=str(target.code),
        brand=target.brand,
        project=target.project,
        assessed_on=target.assessed_on,
        status=target.status,
        old_percent=None if score is None else _percent(score.overall),
        new_percent=_percent(figures["overall"]),
        old_level="" if score is None else score.level,
        new_level=figures["level"],
        sections_changed=sections,
        was_missing=missing,
    )
