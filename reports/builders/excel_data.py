"""The rows of the workbook's long sheets, read from the database in chunks.

Figures come from scoring's selectors (the ones the dashboards use); these
functions only read what was recorded (answers, actions, names) and hand the
rows over one at a time, so that a group workbook of 65,000 answers never
holds them all in memory.
"""

from collections.abc import Iterable, Iterator, Sequence

from django.db.models import QuerySet

from brands.models import Brand, ProductLine, Project
from reports.dashboards.filters import DashboardFilters
from scoring.models import ImprovementAction
from surveys.models import Answer, QuestionSetVersion

# Assessments read per query, and rows fetched per round trip within it: small
# enough for SQLite's limit on query parameters and for a flat memory profile.
ASSESSMENTS_PER_QUERY = 200
ROWS_PER_FETCH = 2000

NA = "N/A"


def person(first: str | None, last: str | None, username: str | None) -> str | None:
    """A user as the screens name them: full name, else the user name."""
    if username is None:
        return None
    return f"{first or ''} {last or ''}".strip() or username


ANSWER_FIELDS = (
    "assessment__project__brand__name",
    "assessment__project__name",
    "assessment__assessed_on",
    "question__section__title",
    "question__key",
    "question__text",
    "question__core",
    "option__label",
    "is_na",
    "na_reason",
    "comment",
    "evidence_url",
    "answered_by__first_name",
    "answered_by__last_name",
    "answered_by__username",
    "answered_at",
)


def answer_rows(assessment_ids: Sequence[int]) -> Iterator[tuple]:
    """The answers of the assessments, in the order given, questions in set order:
    (brand, project, assessed on, section, key, statement, core, answer, N/A reason,
    comment, evidence link, answered by, answered at).

    The interviewer's private notes are not part of it.
    """
    for start in range(0, len(assessment_ids), ASSESSMENTS_PER_QUERY):
        chunk = list(assessment_ids[start : start + ASSESSMENTS_PER_QUERY])
        position = {pk: i for i, pk in enumerate(chunk)}
        rows: dict[int, list] = {}
        # One query per chunk, read in fetches; the chunk's assessments come back
        # grouped, then are written in the order the caller chose.
        query = (
            Answer.objects.filter(assessment_id__in=chunk)
            .order_by("assessment_id", "question__order")
            .values_list("assessment_id", *ANSWER_FIELDS)
        )
        for row in query.iterator(chunk_size=ROWS_PER_FETCH):
            rows.setdefault(row[0], []).append(row)
        for pk in sorted(rows, key=position.__getitem__):
            for row in rows.pop(pk):
                (_, brand, project, assessed_on, section, key, text, core) = row[:8]
                (label, is_na, na_reason, comment, evidence) = row[8:13]
                yield (
                    brand,
                    project,
                    assessed_on,
                    section,
                    key,
                    text,
                    core,
                    NA if is_na else label,
                    na_reason or None,
                    comment or None,
                    evidence or None,
                    person(*row[13:16]),
                    row[16],
                )


def action_rows(projects: QuerySet[Project]) -> Iterator[tuple]:
    """Every improvement action of `projects`, active ones first within a project:
    (brand, project, key, statement, action, owner, status, due, created, closed, reason, note)."""
    actions = (
        ImprovementAction.objects.filter(project__in=projects)
        .order_by("project__brand__name", "project__name", "project_id", "closed_at", "due_on")
        .values_list(
            "project__brand__name",
            "project__name",
            "question_key",
            "question_text",
            "title",
            "owner__first_name",
            "owner__last_name",
            "owner__username",
            "status",
            "due_on",
            "created_at",
            "closed_at",
            "closed_reason",
            "note",
        )
    )
    labels = dict(ImprovementAction._meta.get_field("status").choices)
    for row in actions.iterator(chunk_size=ROWS_PER_FETCH):
        yield (
            *row[:5],
            person(*row[5:8]),
            labels.get(row[8], row[8]),
            row[9],
            row[10],
            row[11],
            row[12] or None,
            row[13] or None,
        )


def _names(model, codes: Iterable[str]) -> str:
    return ", ".join(
        model.objects.filter(code__in=list(codes)).order_by("name").values_list("name", flat=True)
    )


def filters_in_words(
    filters: DashboardFilters, *, brand_filter_applies: bool
) -> list[tuple[str, str]]:
    """The filters as a manager would say them, one (name, value) per filter."""
    words = [("Quarter", f"{filters.quarter.label} (figures at {filters.as_of:%d %B %Y})")]
    if brand_filter_applies:
        chosen = _names(Brand, filters.brands) if filters.brands else ""
        words.append(("Brands", chosen or "all brands"))
    chosen = _names(ProductLine, filters.product_lines) if filters.product_lines else ""
    words.append(("Product lines", chosen or "all, and projects without a product line"))
    words.append(("Kinds", ", ".join(filters.kinds) if filters.kinds else "all kinds"))
    words.append(
        (
            "Criticality",
            ", ".join(filters.criticalities) if filters.criticalities else "all levels",
        )
    )
    words.append(
        (
            "Assessments counted",
            "validated assessments and submitted self-fills awaiting review"
            if filters.include_submitted
            else "validated assessments only",
        )
    )
    version = "all versions"
    if filters.version:
        found = (
            QuestionSetVersion.objects.filter(code=filters.version)
            .select_related("question_set")
            .first()
        )
        version = (
            f"{found.question_set.name} v{found.number} only" if found else "an unknown version"
        )
    words.append(("Question-set version", version))
    return words
