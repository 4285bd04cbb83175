"""The rows of the workbook's long sheets, read from the database in chunks.

Figures come from scoring's selectors (the ones the dashboards use); these
functions only read what was recorded (answers, actions, names) and hand the
rows over one at a time, so that a group workbook of 65,000 answers never
holds them all in memory.
"""

from collections.abc import Callable, Iterable, Iterator, Sequence

from django.db.models import QuerySet
from django.db.models.functions import TruncDate
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from brands.models import Brand, ProductLine, Project, User
from reports.dashboards.filters import DashboardFilters
from reports.words import criticality_labels, kind_labels
from scoring.models import ImprovementAction
from surveys.models import (
    Answer,
    AnswerOption,
    Assessment,
    Question,
    QuestionSet,
    QuestionSetVersion,
)

# Assessments read per query, and rows fetched per round trip within it: small
# enough for SQLite's limit on query parameters and for a flat memory profile.
ASSESSMENTS_PER_QUERY = 200
ROWS_PER_FETCH = 2000

NA = gettext_lazy("N/A")


def person(first: str | None, last: str | None, username: str | None) -> str | None:
    """A user as the screens name them: full name, else the user name."""
    if username is None:
        return None
    return f"{first or ''} {last or ''}".strip() or username


def answer_rows(
    assessment_ids: Sequence[int],
    *,
    done: Callable[[float], None] | None = None,
    texts=None,
) -> Iterator[tuple]:
    """The answers of the assessments, in the order given, questions in set order:
    (brand, project, assessed on, section, key, statement, core, answer, N/A reason,
    comment, evidence link, answered by, answered on).

    The interviewer's private notes are not part of it. `done(share)` is called
    after each chunk of assessments, with the share of them written so far. With
    `texts` (reports.builders.set_texts.SetTexts), sections, statements and answer
    labels are in the report's language.

    The answer rows are read without joins (what they share, the statements,
    options, people and projects, is read once into small maps), a chunk of
    assessments per query and a few thousand rows per fetch.
    """
    ids = list(assessment_ids)
    if not ids:
        return
    na = str(NA)
    heads = {}  # assessment id: (brand, project, assessed on)
    versions = set()
    for start in range(0, len(ids), ASSESSMENTS_PER_QUERY):
        for pk, brand, project, assessed_on, version_id in Assessment.objects.filter(
            pk__in=ids[start : start + ASSESSMENTS_PER_QUERY]
        ).values_list("pk", "project__brand__name", "project__name", "assessed_on", "version_id"):
            heads[pk] = (brand, project, assessed_on)
            versions.add(version_id)
    questions = {
        pk: (order, (section, key, text, core))
        for pk, order, section, key, text, core in Question.objects.filter(
            version_id__in=versions
        ).values_list("pk", "order", "section__title", "key", "text", "core")
    }
    labels = dict(AnswerOption.objects.filter(version_id__in=versions).values_list("pk", "label"))
    if texts is not None:
        questions = {
            pk: (order, (texts.section(section), key, texts.statement(text), core))
            for pk, (order, (section, key, text, core)) in questions.items()
        }
        labels = {pk: texts.label(label) for pk, label in labels.items()}
    people: dict[int, str | None] = {}

    for start in range(0, len(ids), ASSESSMENTS_PER_QUERY):
        chunk = ids[start : start + ASSESSMENTS_PER_QUERY]
        rows: dict[int, list] = {}
        # The day (in the site's time zone) is what a reader needs, and the database
        # hands dates over at a fraction of the cost of 60,000 zoned timestamps.
        query = (
            Answer.objects.filter(assessment_id__in=chunk)
            .annotate(answered_on=TruncDate("answered_at"))
            .values_list(
                "assessment_id",
                "question_id",
                "option_id",
                "is_na",
                "na_reason",
                "comment",
                "evidence_url",
                "answered_by_id",
                "answered_on",
            )
        )
        for row in query.iterator(chunk_size=ROWS_PER_FETCH):
            rows.setdefault(row[0], []).append(row)
        missing = {row[7] for found in rows.values() for row in found} - people.keys() - {None}
        if missing:
            for pk, first, last, username in User.objects.filter(pk__in=missing).values_list(
                "pk", "first_name", "last_name", "username"
            ):
                people[pk] = person(first, last, username)
        for pk in chunk:
            found = rows.pop(pk, [])
            found.sort(key=lambda row: questions[row[1]][0])
            head = heads[pk]
            for _pk, question, option, is_na, na_reason, comment, evidence, by, at in found:
                yield (
                    *head,
                    *questions[question][1],
                    na if is_na else labels.get(option),
                    na_reason or None,
                    comment or None,
                    evidence or None,
                    people.get(by),
                    at,
                )
        if done is not None:
            done((start + len(chunk)) / len(ids))


def action_rows(projects: QuerySet[Project], *, texts=None) -> Iterator[tuple]:
    """Every improvement action of `projects`, active ones first within a project:
    (brand, project, key, statement, action, owner, status, due, created, closed, reason, note).
    The statement is as it read when the action was created; with `texts`, in the report's
    language when the question set still words it so."""
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
    labels = {k: str(v) for k, v in ImprovementAction._meta.get_field("status").choices}
    for row in actions.iterator(chunk_size=ROWS_PER_FETCH):
        yield (
            *row[:3],
            texts.statement(row[3]) if texts is not None else row[3],
            row[4],
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
    filters: DashboardFilters, *, brand_filter_applies: bool, texts=None
) -> list[tuple[str, str]]:
    """The filters as a manager would say them, one (name, value) per filter, in the active
    language."""
    words = [
        (
            _("Quarter"),
            _("%(period)s (figures at %(day)s)")
            % {"period": filters.period_label, "day": date_format(filters.as_of, "d F Y")},
        )
    ]
    if brand_filter_applies:
        chosen = _names(Brand, filters.brands) if filters.brands else ""
        words.append((_("Brands"), chosen or _("all brands")))
    chosen = _names(ProductLine, filters.product_lines) if filters.product_lines else ""
    words.append((_("Product lines"), chosen or _("all, and projects without a product line")))
    words.append((_("Kinds"), kind_labels(filters.kinds) if filters.kinds else _("all kinds")))
    words.append(
        (
            _("Criticality"),
            criticality_labels(filters.criticalities) if filters.criticalities else _("all levels"),
        )
    )
    words.append(
        (
            _("Assessments counted"),
            _("validated assessments and submitted self-fills awaiting review")
            if filters.include_submitted
            else _("validated assessments only"),
        )
    )
    version = _("all versions")
    if filters.version:
        found = (
            QuestionSetVersion.objects.filter(code=filters.version)
            .select_related("question_set")
            .first()
        )
        name = found.question_set.name if found else ""
        version = (
            _("%(set)s v%(number)s only")
            % {"set": texts.set_name(name) if texts else name, "number": found.number}
            if found
            else _("an unknown version")
        )
    words.append((_("Question-set version"), version))
    words.append((_("Question set"), question_set_in_words(filters.question_set, texts=texts)))
    return words


def question_set_in_words(code: str | None, *, texts=None) -> str:
    """The set the figures are for, with where it comes from, its licence and edition; its
    name in the report's language with `texts` (reports.builders.set_texts.SetTexts)."""
    found = QuestionSet.objects.filter(code=code) if code else QuestionSet.objects.none()
    question_set = found.first() or QuestionSet.objects.filter(is_main=True).first()
    if question_set is None:
        return pgettext("question set", "none")
    newest = question_set.versions.filter(status="published").order_by("-number").first()
    about = [texts.set_name(question_set.name) if texts else question_set.name]
    if newest is not None:
        about += [
            part
            for part in (
                newest.edition,
                newest.licence and _("licence: %(licence)s") % {"licence": newest.licence},
                newest.origin and _("source: %(source)s") % {"source": newest.origin},
            )
            if part
        ]
    return "; ".join(about)
