"""Stored scores and scoring an assessment as it stands."""

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery

from brands.models import Project
from scoring import engine
from scoring.models import Score, SectionScore
from surveys.models import Answer, Assessment, AssessmentStatus, QuestionSetVersion

# Published versions never change, so their engine spec can be kept per process.
_published_specs: dict[tuple, engine.VersionSpec] = {}


def version_spec(version: QuestionSetVersion) -> engine.VersionSpec:
    """The engine's view of a question-set version."""
    # Keyed with the publication time too: a row id alone can come back after a rollback.
    key = (version.pk, version.published_at)
    cached = _published_specs.get(key)
    if cached is not None:
        return cached
    sections = tuple(version.sections.order_by("order").values_list("key", flat=True))
    questions = tuple(
        engine.QuestionSpec(
            key=q["key"],
            section=q["section__key"],
            weight=float(q["weight"]),
            core=q["core"],
            applies_to=q["applies_to"],
            na_allowed=q["na_allowed"],
        )
        for q in version.questions.order_by("order").values(
            "key", "section__key", "weight", "core", "applies_to", "na_allowed"
        )
    )
    options = {o.key: float(o.score) for o in version.options.all()}
    bands = tuple(
        engine.BandSpec(name=b.name, min_percent=float(b.min_percent)) for b in version.levels.all()
    )
    spec = engine.VersionSpec(
        sections=sections,
        questions=questions,
        options=options,
        bands=bands,
        aggregation=version.aggregation,
        level_boundary=version.level_boundary,
    )
    if version.is_published:
        _published_specs[key] = spec
    return spec


def answer_inputs(answers) -> list[engine.AnswerInput]:
    """Engine inputs from Answer rows (with question and option selected)."""
    return [
        engine.AnswerInput(
            question=a.question.key,
            option=a.option.key if a.option_id else None,
            na=a.is_na,
        )
        for a in answers
    ]


def assessment_result(assessment: Assessment) -> engine.Result:
    """Score an assessment as it stands now (drafts included), without storing anything."""
    answers = Answer.objects.filter(assessment=assessment).select_related("question", "option")
    return engine.score(
        version_spec(assessment.version), answer_inputs(answers), assessment.project.kind
    )


def points_results(assessments) -> dict[int, engine.Result]:
    """The engine's result, by assessment id, of each scored assessment whose version shows
    points (display: points); the others are left out. One query for all their answers."""
    wanted = [
        a
        for a in assessments
        if a.version.display == "points" and getattr(a, "score", None) is not None
    ]
    if not wanted:
        return {}
    answers: dict[int, list[Answer]] = {a.pk: [] for a in wanted}
    rows = Answer.objects.filter(assessment__in=[a.pk for a in wanted]).select_related(
        "question", "option"
    )
    for answer in rows:
        answers[answer.assessment_id].append(answer)
    return {
        a.pk: engine.score(version_spec(a.version), answer_inputs(answers[a.pk]), a.project.kind)
        for a in wanted
    }


def points_texts(assessments) -> dict[int, str]:
    """'2.5 of 7' by assessment id, for the scored assessments whose version shows points."""
    return {
        pk: engine.format_points(result.points, result.max_points)
        for pk, result in points_results(assessments).items()
    }


def scores_for_assessments(assessments: QuerySet[Assessment]) -> QuerySet[Assessment]:
    """`assessments` with their stored score and section scores loaded in two queries."""
    return assessments.select_related("score").prefetch_related(
        Prefetch(
            "score__sections",
            queryset=SectionScore.objects.select_related("section").order_by("section__order"),
        )
    )


def latest_validated_scores(projects: QuerySet[Project]) -> dict[int, Score]:
    """The stored score of each project's latest validated assessment, by project id.

    Reads one score per project (a subquery picks the latest), not every project's history.
    """
    latest = (
        Assessment.objects.filter(project=OuterRef("pk"), status=AssessmentStatus.VALIDATED)
        .order_by("-assessed_on", "-created_at", "-id")
        .values("pk")[:1]
    )
    ids = projects.order_by().annotate(latest_id=Subquery(latest)).values("latest_id")
    scores = Score.objects.filter(assessment_id__in=ids).select_related("assessment__project")
    return {score.assessment.project_id: score for score in scores}
