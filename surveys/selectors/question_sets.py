"""Reads of question sets and their versions, drafts and the publish preview."""

import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext

from brands.models import Brand, Project
from brands.selectors import as_uuid as _as_uuid
from surveys import question_set_format as fmt
from surveys import question_set_translations as qst
from surveys.models import (
    Answer,
    Assessment,
    Question,
    QuestionSet,
    QuestionSetDefault,
    QuestionSetVersion,
    Section,
    VersionStatus,
)


def fixed_max_points(version: QuestionSetVersion) -> Decimal | None:
    """The maximum of a version's overall points when it is the same for every complete
    assessment, else None: only for a set shown in points whose statements all apply to
    every project and take no N/A, and, under the weakest-section rule, whose sections all
    weigh the same (the ML test rubric: 7). Lets a page write a level's minimum in points."""
    if version.display != "points":
        return None
    questions = list(version.questions.values("section_id", "weight", "applies_to", "na_allowed"))
    if not questions or any(q["applies_to"] != "all" or q["na_allowed"] for q in questions):
        return None
    totals: dict[int, Decimal] = {}
    for q in questions:
        totals[q["section_id"]] = totals.get(q["section_id"], Decimal(0)) + q["weight"]
    if version.aggregation == "min_section":
        return totals.popitem()[1] if len(set(totals.values())) == 1 else None
    return sum(totals.values(), Decimal(0))


def question_sets() -> QuerySet[QuestionSet]:
    return QuestionSet.objects.prefetch_related(
        Prefetch("versions", queryset=QuestionSetVersion.objects.order_by("-number"))
    )


def current_version(question_set: QuestionSet) -> QuestionSetVersion | None:
    return question_set.versions.filter(status=VersionStatus.PUBLISHED).order_by("-number").first()


def main_question_set() -> QuestionSet | None:
    """The group's main set: the default for new work and for the dashboards.

    The one a group admin marked; before anyone has, the first set loaded that has a
    published version (never "whichever key sorts first").
    """
    published = QuestionSet.objects.filter(versions__status=VersionStatus.PUBLISHED).distinct()
    return published.filter(is_main=True).first() or published.order_by("pk").first()


def startable_question_sets() -> list[QuestionSet]:
    """Active sets with a published version, the main set first: what new work may use."""
    return list(
        QuestionSet.objects.filter(active=True, versions__status=VersionStatus.PUBLISHED)
        .distinct()
        .order_by("-is_main", "name")
    )


def default_question_set(
    project: Project, startable: list[QuestionSet] | None = None
) -> QuestionSet | None:
    """The set new work on `project` uses unless someone chooses another: the brand's
    default, else the project kind's, else the group's main set (active sets only).
    `startable`: `startable_question_sets()`, when the caller has read them already."""
    if startable is None:
        startable = startable_question_sets()
    by_pk = {s.pk: s for s in startable}
    defaults = {
        (d.brand_id, d.project_kind): d.question_set_id
        for d in QuestionSetDefault.objects.filter(
            Q(brand_id=project.brand_id) | Q(brand__isnull=True, project_kind=project.kind)
        )
    }
    for place in ((project.brand_id, ""), (None, project.kind)):
        chosen = by_pk.get(defaults.get(place))
        if chosen is not None:
            return chosen
    if startable and startable[0].is_main:
        return startable[0]  # the main set comes first when it can be started
    main = main_question_set()
    if main is not None and main.pk in by_pk:
        return main
    return startable[0] if startable else None


def question_sets_of_project(
    project: Project, wanted: str = ""
) -> tuple[list[QuestionSet], QuestionSet | None]:
    """The sets `project` has validated assessments in (the set of the newest first), and the
    one a page shows: `wanted` (a set code from the address) if it is one of them, else the
    newest's. One query. Pages per project show one set at a time: figures never mix sets."""
    sets: list[QuestionSet] = []
    for assessment in (
        project.assessments.filter(status="validated")
        .select_related("version__question_set")
        .order_by("-assessed_on", "-created_at")
    ):
        if assessment.version.question_set not in sets:
            sets.append(assessment.version.question_set)
    chosen = next((s for s in sets if str(s.code) == wanted.strip()), sets[0] if sets else None)
    return sets, chosen


def get_question_set(code: object) -> QuestionSet:
    try:
        return QuestionSet.objects.get(code=_as_uuid(code))
    except QuestionSet.DoesNotExist:
        raise Http404("No such question set") from None


def question_set_defaults() -> dict[object, QuestionSet]:
    """{brand id or project kind: set} as group admins set them."""
    return {
        d.brand_id or d.project_kind: d.question_set
        for d in QuestionSetDefault.objects.select_related("question_set")
    }


def default_version() -> QuestionSetVersion | None:
    """The newest published version of the group's main set."""
    main = main_question_set()
    return current_version(main) if main is not None else None


def get_version(code: object) -> QuestionSetVersion:
    try:
        return QuestionSetVersion.objects.select_related("question_set").get(code=_as_uuid(code))
    except QuestionSetVersion.DoesNotExist:
        raise Http404("No such question-set version") from None


def sections_with_questions(version: QuestionSetVersion) -> QuerySet[Section]:
    return version.sections.order_by("order").prefetch_related(
        Prefetch("questions", queryset=Question.objects.order_by("order"))
    )


def version_as_spec(version: QuestionSetVersion) -> fmt.QuestionSetSpec:
    """A stored version as the file format's spec (drafts too), in five queries."""
    questions: dict[int, list[fmt.QuestionSpec]] = {}
    for q in version.questions.order_by("order"):
        questions.setdefault(q.section_id, []).append(
            fmt.QuestionSpec(
                key=q.key,
                text=q.text,
                weight=q.weight,
                core=q.core,
                applies_to=q.applies_to,
                na_allowed=q.na_allowed,
                subsection=q.subsection,
                why=q.why,
                good=q.good,
                evidence=q.evidence,
                translations=q.translations,
            )
        )
    question_set = version.question_set
    return fmt.QuestionSetSpec(
        key=question_set.key,
        name=question_set.name,
        description=question_set.description,
        aggregation=version.aggregation,
        scale=tuple(
            fmt.OptionSpec(key=o.key, label=o.label, score=o.score, translations=o.translations)
            for o in version.options.order_by("order")
        ),
        levels=tuple(
            fmt.LevelSpec(
                name=lv.name,
                min_percent=lv.min_percent,
                description=lv.description,
                translations=lv.translations,
            )
            for lv in version.levels.order_by("order")
        ),
        sections=tuple(
            fmt.SectionSpec(
                key=s.key,
                title=s.title,
                core=s.core,
                description=s.description,
                questions=tuple(questions.get(s.id, ())),
                translations=s.translations,
            )
            for s in version.sections.order_by("order")
        ),
        level_boundary=version.level_boundary,
        display=version.display,
        na_allowed=version.na_allowed,
        source=version.origin,
        licence=version.licence,
        edition=version.edition,
        language=version.language,
        translations=version.translations,
    )


@dataclass(frozen=True)
class TranslationState:
    """How far a version's texts are translated: its own language, and each other one."""

    language: str
    started: list[qst.Completeness]
    not_started: list[qst.Completeness]

    @property
    def language_name(self) -> str:
        return fmt.LANGUAGE_NAMES.get(self.language, self.language)


def version_translation_state(
    version: QuestionSetVersion, spec: fmt.QuestionSetSpec | None = None
) -> TranslationState:
    """Completeness of each language's translation of `version` (from its spec if given)."""
    spec = spec or version_as_spec(version)
    by_language = qst.completeness_by_language(spec)
    return TranslationState(
        language=spec.language,
        started=[c for c in by_language if c.started],
        not_started=[c for c in by_language if not c.started],
    )


def version_missing_translations(version: QuestionSetVersion) -> list[qst.Completeness]:
    """Languages `version` or the published version before it has begun and `version` does
    not complete: what publishing it would leave partly in the source language."""
    base = diff_base(version)
    return qst.incomplete_started(
        version_as_spec(version), version_as_spec(base) if base is not None else None
    )


def draft_of(question_set: QuestionSet) -> QuestionSetVersion | None:
    """The set's draft version, if it has one (there is at most one)."""
    return question_set.versions.filter(status=VersionStatus.DRAFT).first()


def diff_base(version: QuestionSetVersion) -> QuestionSetVersion | None:
    """What `version` is compared with: for a draft the current published version,
    for a published one the published version before it."""
    published = version.question_set.versions.filter(status=VersionStatus.PUBLISHED)
    if version.is_published:
        published = published.filter(number__lt=version.number)
    return published.select_related("question_set").order_by("-number").first()


def newer_published_version(assessment: Assessment) -> QuestionSetVersion | None:
    """The newest published version of the assessment's set, if newer than the one it uses."""
    return (
        QuestionSetVersion.objects.filter(
            question_set_id=assessment.version.question_set_id,
            status=VersionStatus.PUBLISHED,
            number__gt=assessment.version.number,
        )
        .order_by("-number")
        .first()
    )


@dataclass(frozen=True)
class FigureChange:
    """Old and new overall figures of a group of projects (a brand, or all of them)."""

    label: str
    old_mean: float | None
    old_n: int
    new_mean: float | None
    new_n: int
    level_changes: int

    @property
    def delta(self) -> float | None:
        if self.old_mean is None or self.new_mean is None:
            return None
        return self.new_mean - self.old_mean


@dataclass(frozen=True)
class PublishPreview:
    brands: list[FigureChange]
    group: FigureChange


def _figure_change(label: str, rows: list[tuple]) -> FigureChange:
    old = [r[0] for r in rows if r[0] is not None]
    new = [r[1] for r in rows if r[1] is not None]
    return FigureChange(
        label=label,
        old_mean=sum(old) / len(old) if old else None,
        old_n=len(old),
        new_mean=sum(new) / len(new) if new else None,
        new_n=len(new),
        level_changes=sum(1 for r in rows if r[2] != r[3]),
    )


def _sort_key(name: str) -> str:
    """Names sorted as people expect, accents aside (Épicerie next to Epicerie)."""
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()


def version_publish_preview(version: QuestionSetVersion) -> PublishPreview:
    """How the group's current figures would change if `version` were published.

    Each project's latest validated assessment of the same question set keeps its stored
    (official) figure as the old one and is re-scored by the engine against `version`,
    answers matched by question key. A question new in `version`, or an answer whose
    option `version`'s scale no longer has, counts as unanswered. A constant number of
    queries, however many projects there are.
    """
    # Imported here: scoring's modules import surveys' models, so surveys may only reach
    # into scoring once both are loaded.
    from scoring import engine
    from scoring.selectors import latest_validated_scores, version_spec

    same_set = set(version.question_set.versions.values_list("id", flat=True))
    latest = [
        s
        for s in latest_validated_scores(Project.objects.all()).values()
        if s.assessment.version_id in same_set
    ]
    spec = version_spec(version)
    answers: dict[int, list] = {}
    rows = Answer.objects.filter(assessment_id__in=[s.assessment_id for s in latest])
    for assessment_id, key, option, is_na in rows.values_list(
        "assessment_id", "question__key", "option__key", "is_na"
    ):
        option = option if option in spec.options else None
        answers.setdefault(assessment_id, []).append(
            engine.AnswerInput(question=key, option=option, na=is_na)
        )
    brands = {
        b.id: b.name
        for b in Brand.objects.filter(id__in={s.assessment.project.brand_id for s in latest})
    }
    by_brand: dict[int, list[tuple]] = {}
    for stored in latest:
        project = stored.assessment.project
        result = engine.score(spec, answers.get(stored.assessment_id, []), project.kind)
        by_brand.setdefault(project.brand_id, []).append(
            (stored.percent, result.percent, stored.level, result.level)
        )
    changes = [_figure_change(brands[bid], rows) for bid, rows in by_brand.items()]
    everything = [row for rows in by_brand.values() for row in rows]
    return PublishPreview(
        brands=sorted(changes, key=lambda c: _sort_key(c.label)),
        group=_figure_change(gettext("All brands"), everything),
    )


def get_draft_question(version: QuestionSetVersion, key: str) -> Question:
    try:
        return version.questions.select_related("section").get(key=key)
    except Question.DoesNotExist:
        raise Http404("No such question in this version") from None


def get_draft_section(version: QuestionSetVersion, key: str) -> Section:
    try:
        return version.sections.get(key=key)
    except Section.DoesNotExist:
        raise Http404("No such section in this version") from None
