"""score_store: what is stored is exactly what the engine computes, and storing again replaces it."""

from decimal import Decimal
from itertools import cycle

import pytest

from scoring import engine
from scoring.models import Score, SectionScore
from scoring.services import score_store
from surveys import question_set_format as fmt
from surveys.models import Answer
from tests import factories

pytestmark = pytest.mark.django_db


def engine_version_from_file() -> engine.VersionSpec:
    """The engine's view of the default set, built from the YAML rather than the database."""
    spec = fmt.parse(factories.DEFAULT_SET.read_text(encoding="utf-8"))
    return engine.VersionSpec(
        sections=tuple(s.key for s in spec.sections),
        questions=tuple(
            engine.QuestionSpec(
                key=q.key,
                section=s.key,
                weight=float(q.weight),
                core=q.core,
                applies_to=q.applies_to,
            )
            for s in spec.sections
            for q in s.questions
        ),
        options={o.key: float(o.score) for o in spec.scale},
        bands=tuple(engine.BandSpec(lv.name, float(lv.min_percent)) for lv in spec.levels),
        aggregation=spec.aggregation,
    )


def mixed_answers(version, *, skip_every: int = 0) -> dict[str, str]:
    """A deterministic mix of yes/partly/no/N/A over the version's questions."""
    keys = list(version.questions.order_by("order").values_list("key", flat=True))
    choices = cycle(["yes", "partly", "yes", "no", "na", "yes", "partly"])
    return {
        key: choice
        for index, (key, choice) in enumerate(zip(keys, choices, strict=False))
        if not skip_every or index % skip_every
    }


def expected(choices: dict[str, str], kind: str) -> engine.Result:
    inputs = [
        engine.AnswerInput(k, na=True) if v == "na" else engine.AnswerInput(k, option=v)
        for k, v in choices.items()
    ]
    return engine.score(engine_version_from_file(), inputs, kind)


def as_stored(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(round(value, 5)))


@pytest.mark.parametrize("kind", ["batch", "realtime", "both"])
def test_it_stores_what_the_engine_computes(brand, version, kind):
    project = factories.ProjectFactory(brand=brand, kind=kind)
    choices = mixed_answers(version, skip_every=9)
    assessment = factories.assessment(project, version, answers=choices)
    result = expected(choices, kind)

    stored = score_store(assessment=assessment)
    stored.refresh_from_db()

    assert result.overall is not None and 0 < result.overall < 1
    assert stored.overall == as_stored(result.overall)
    assert stored.level == result.level != ""
    assert stored.all_core_met is result.all_core_met is False
    assert stored.core_met == len(result.core_met)
    assert stored.core_total == len(result.core_met) + len(result.core_missed)
    assert stored.answered == result.answered
    assert stored.applicable == result.applicable
    assert stored.engine_version == engine.ENGINE_VERSION
    sections = {s.section.key: s.value for s in stored.sections.select_related("section")}
    assert sections == {key: as_stored(s.score) for key, s in result.sections.items()}
    assert len(sections) == 7


def test_an_all_yes_assessment_is_stored_as_complete_with_all_core_met(project, version):
    choices = dict.fromkeys(version.questions.values_list("key", flat=True), "yes")
    stored = score_store(assessment=factories.assessment(project, version, answers=choices))
    stored.refresh_from_db()
    assert stored.overall == 1
    assert stored.all_core_met
    assert stored.core_met == stored.core_total > 0
    assert stored.level == version.levels.order_by("-min_percent").first().name


def test_an_assessment_with_nothing_applicable_stores_no_figure(project, version):
    choices = dict.fromkeys(version.questions.values_list("key", flat=True), "na")
    stored = score_store(assessment=factories.assessment(project, version, answers=choices))
    stored.refresh_from_db()
    assert stored.overall is None
    assert stored.level == ""
    assert set(stored.sections.values_list("value", flat=True)) == {None}


def test_storing_again_replaces_the_score_and_its_sections(project, version):
    assessment = factories.assessment(project, version, answers=mixed_answers(version))
    first = score_store(assessment=assessment)
    before = first.overall

    Answer.objects.filter(assessment=assessment, is_na=False).update(
        option=version.options.get(key="yes")
    )
    second = score_store(assessment=assessment)

    assert Score.objects.filter(assessment=assessment).count() == 1
    assert second.pk == first.pk
    assert SectionScore.objects.filter(score=second).count() == 7
    second.refresh_from_db()
    assert second.overall == 1 > before


def test_a_given_result_is_stored_as_given(project, version):
    assessment = factories.assessment(project, version)
    result = expected({"doc-purpose": "partly"}, project.kind)
    stored = score_store(assessment=assessment, result=result)
    stored.refresh_from_db()
    assert stored.overall == Decimal("0.5")
    assert stored.answered == 1
