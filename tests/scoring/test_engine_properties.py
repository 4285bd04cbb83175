"""The scoring engine's invariants on random question sets and answers, and worked examples.

Pure Python: no database. tests/scoring/test_engine.py holds the examples for the
basic rules; the examples here cover other scales, the restricted versions used
for re-scoring on shared questions, and comparisons between two results.
"""

import random
from dataclasses import replace

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from scoring.engine import (
    AGGREGATIONS,
    ALL,
    BATCH,
    BOTH,
    MIN_SECTION,
    REALTIME,
    WEIGHTED_MEAN,
    AnswerInput,
    BandSpec,
    QuestionSpec,
    Result,
    VersionSpec,
    compare,
    restricted,
    score,
)
from tests.depth import cases

KINDS = [BATCH, REALTIME, BOTH]
NA, UNANSWERED = "<na>", "<unanswered>"

weights = st.floats(min_value=0, max_value=5, exclude_min=True, allow_subnormal=False)
option_scores = st.floats(min_value=0, max_value=1)


@st.composite
def versions(draw, aggregation: str | None = None) -> VersionSpec:
    """1-6 sections of 1-15 questions, a scale of 2-5 options with a top option, 0-5 bands."""
    sections = tuple(f"s{i}" for i in range(draw(st.integers(1, 6))))
    questions = tuple(
        QuestionSpec(
            key=f"{section}-q{j}",
            section=section,
            weight=draw(weights),
            core=draw(st.booleans()),
            applies_to=draw(st.sampled_from([ALL, BATCH, REALTIME])),
        )
        for section in sections
        for j in range(draw(st.integers(1, 15)))
    )
    others = draw(st.lists(option_scores, min_size=1, max_size=4))
    options = {"top": 1.0, **{f"o{i}": value for i, value in enumerate(others)}}
    minimums = draw(st.lists(st.floats(min_value=0, max_value=100), max_size=5))
    bands = tuple(BandSpec(f"band{i}", m) for i, m in enumerate(minimums))
    return VersionSpec(
        sections=sections,
        questions=questions,
        options=options,
        bands=bands,
        aggregation=aggregation or draw(st.sampled_from(AGGREGATIONS)),
    )


@st.composite
def assessments(draw, aggregation: str | None = None):
    """A random version, a project kind and a choice per question (option, N/A or nothing)."""
    version = draw(versions(aggregation))
    kind = draw(st.sampled_from(KINDS))
    choices = st.sampled_from([*version.options, NA, UNANSWERED])
    answers = {q.key: draw(choices) for q in version.questions}
    return version, kind, answers


def inputs(answers: dict[str, str]) -> list[AnswerInput]:
    result = []
    for key, choice in answers.items():
        if choice == NA:
            result.append(AnswerInput(key, na=True))
        elif choice != UNANSWERED:
            result.append(AnswerInput(key, option=choice))
    return result


def figures(result: Result) -> list[float]:
    """Every percentage the result reports."""
    values = [result.percent] + [s.percent for s in result.sections.values()]
    return [v for v in values if v is not None]


def same_figures(a: Result, b: Result) -> bool:
    return (
        a.overall == b.overall
        and a.level == b.level
        and {k: s.score for k, s in a.sections.items()}
        == {k: s.score for k, s in b.sections.items()}
        and a.question_scores == b.question_scores
        and a.core_met == b.core_met
        and a.core_missed == b.core_missed
    )


@settings(max_examples=cases(200), deadline=None)
@given(assessments())
def test_every_figure_is_between_0_and_100(case):
    version, kind, answers = case
    result = score(version, inputs(answers), kind)
    assert all(0 <= value <= 100 for value in figures(result))
    assert all(0 <= value <= 1 for value in result.question_scores.values())


@settings(max_examples=cases(200), deadline=None)
@given(case=assessments(), aggregation=st.sampled_from(AGGREGATIONS), data=st.data())
def test_improving_one_answer_never_lowers_any_figure(case, aggregation, data):
    version, kind, answers = case
    version = VersionSpec(
        version.sections, version.questions, version.options, version.bands, aggregation
    )
    improvable = [
        (key, better)
        for key, choice in answers.items()
        if choice in version.options
        for better, value in version.options.items()
        if value > version.options[choice]
    ]
    assume(improvable)
    key, better = data.draw(st.sampled_from(improvable))

    before = score(version, inputs(answers), kind)
    after = score(version, inputs({**answers, key: better}), kind)

    assert (after.overall is None) == (before.overall is None)
    if before.overall is not None:
        assert after.overall >= before.overall
    for section, result in before.sections.items():
        if result.score is not None:
            assert after.sections[section].score >= result.score
    moved = compare(before, after)
    assert moved.overall_points is None or moved.overall_points >= 0
    assert moved.core_lost == ()


@settings(max_examples=cases(200), deadline=None)
@given(case=assessments(), data=st.data())
def test_an_na_answer_is_the_same_as_the_question_not_being_there(case, data):
    version, kind, answers = case
    key = data.draw(st.sampled_from(sorted(answers)))
    others = {k: v for k, v in answers.items() if k != key}

    with_na = score(version, inputs({**others, key: NA}), kind)
    without = score(restricted(version, others), inputs(others), kind)

    # The other questions keep their weights relative to each other: every figure is unchanged.
    assert same_figures(with_na, without)


@settings(max_examples=cases(200), deadline=None)
@given(versions())
def test_every_answer_at_the_top_option_scores_100_and_reaches_the_highest_band(version):
    answers = [AnswerInput(q.key, option="top") for q in version.questions]
    result = score(version, answers, BOTH)

    assert result.overall == 1
    assert result.percent == 100
    assert all(s.score == 1 for s in result.sections.values())
    assert result.all_core_met
    expected = sorted(version.bands, key=lambda b: b.min_percent)[-1].name if version.bands else ""
    assert result.level == expected


@settings(max_examples=cases(200), deadline=None)
@given(case=assessments(), seed=st.integers())
def test_the_order_of_the_answers_does_not_matter(case, seed):
    version, kind, answers = case
    given_answers = inputs(answers)
    shuffled = list(given_answers)
    random.Random(seed).shuffle(shuffled)
    assert score(version, shuffled, kind) == score(version, given_answers, kind)


@settings(max_examples=cases(100), deadline=None)
@given(assessments())
def test_every_question_applies_to_a_project_that_is_both(case):
    version, _, answers = case
    result = score(version, inputs(answers), BOTH)
    assert result.not_applicable == frozenset()
    assert result.applicable == len(version.questions)


@settings(max_examples=cases(100), deadline=None)
@given(assessments())
def test_the_weakest_section_never_beats_the_weighted_mean(case):
    version, kind, answers = case
    given_answers = inputs(answers)
    rules = {
        rule: VersionSpec(version.sections, version.questions, version.options, version.bands, rule)
        for rule in AGGREGATIONS
    }
    mean = score(rules[WEIGHTED_MEAN], given_answers, kind)
    weakest = score(rules[MIN_SECTION], given_answers, kind)
    if mean.overall is not None:
        # Rounded to the engine's precision, so allow one unit of it.
        assert weakest.overall <= mean.overall + 1e-9


@settings(max_examples=cases(100), deadline=None)
@given(assessments())
def test_restricting_to_every_question_changes_nothing(case):
    version, kind, answers = case
    everything = restricted(version, (q.key for q in version.questions))
    assert score(everything, inputs(answers), kind) == score(version, inputs(answers), kind)


@settings(max_examples=cases(100), deadline=None)
@given(assessments())
def test_nothing_moves_between_a_result_and_itself(case):
    version, kind, answers = case
    result = score(version, inputs(answers), kind)
    moved = compare(result, result)
    assert moved.overall_points in (None, 0)
    assert set(moved.section_points.values()) <= {None, 0}
    assert (moved.core_newly_met, moved.core_lost) == ((), ())


# Worked examples, computed by hand.

SCALE_4 = {"full": 1.0, "most": 0.75, "some": 0.25, "none": 0.0}
BANDS = (BandSpec("Starting", 0), BandSpec("Practising", 40), BandSpec("Leading", 80))
QUESTIONS = (
    QuestionSpec("build-ci", "build", weight=2, core=True),
    QuestionSpec("build-tests", "build", weight=1),
    QuestionSpec("build-batch", "build", weight=1, applies_to=BATCH),
    QuestionSpec("run-alerts", "run", weight=1.5, core=True),
    QuestionSpec("run-latency", "run", weight=0.5, applies_to=REALTIME),
    QuestionSpec("learn-retrain", "learn", weight=1),
)


def four_point(aggregation: str) -> VersionSpec:
    return VersionSpec(
        sections=("build", "run", "learn"),
        questions=QUESTIONS,
        options=SCALE_4,
        bands=BANDS,
        aggregation=aggregation,
    )


def answered(**choices: str) -> list[AnswerInput]:
    return [
        AnswerInput(key.replace("_", "-"), na=True)
        if choice == "na"
        else AnswerInput(key.replace("_", "-"), option=choice)
        for key, choice in choices.items()
    ]


REALTIME_ANSWERS = answered(
    build_ci="most", build_tests="none", run_alerts="full", run_latency="some", learn_retrain="na"
)


class TestFourPointScaleWeightedMean:
    def test_a_real_time_project(self):
        result = score(four_point(WEIGHTED_MEAN), REALTIME_ANSWERS, REALTIME)
        # build-batch does not apply; learn-retrain is N/A.
        # build: (0.75*2 + 0*1) / (2 + 1) = 1.5 / 3 = 0.5
        assert result.sections["build"].score == 0.5
        # run: (1*1.5 + 0.25*0.5) / (1.5 + 0.5) = 1.625 / 2 = 0.8125
        assert result.sections["run"].score == 0.8125
        # learn: nothing scored
        assert result.sections["learn"].score is None
        # overall: (1.5 + 1.625) / (3 + 2) = 3.125 / 5 = 0.625 -> 62.5 %, "Practising" (>= 40)
        assert result.overall == 0.625
        assert result.level == "Practising"
        # core: build-ci is "most", not the top -> missed; run-alerts "full" -> met
        assert result.core_met == ("run-alerts",)
        assert result.core_missed == ("build-ci",)

    def test_the_same_answers_for_a_project_that_is_both(self):
        answers = [*REALTIME_ANSWERS, AnswerInput("build-batch", option="full")]
        result = score(four_point(WEIGHTED_MEAN), answers, BOTH)
        # build: (0.75*2 + 0*1 + 1*1) / (2 + 1 + 1) = 2.5 / 4 = 0.625
        assert result.sections["build"].score == 0.625
        # overall: (2.5 + 1.625) / (4 + 2) = 4.125 / 6 = 0.6875
        assert result.overall == 0.6875


class TestFourPointScaleWeakestSection:
    def test_the_weakest_scored_section_sets_the_figure(self):
        result = score(four_point(MIN_SECTION), REALTIME_ANSWERS, REALTIME)
        # build 0.5, run 0.8125, learn not scored -> min(0.5, 0.8125) = 0.5
        assert result.overall == 0.5
        assert result.level == "Practising"

    def test_one_weak_section_pulls_the_figure_down_where_the_mean_would_not(self):
        answers = answered(
            build_ci="full",
            build_tests="full",
            build_batch="full",
            run_alerts="full",
            learn_retrain="some",
        )
        weakest = score(four_point(MIN_SECTION), answers, BATCH)
        mean = score(four_point(WEIGHTED_MEAN), answers, BATCH)
        # build (2 + 1 + 1) / 4 = 1; run 1.5 / 1.5 = 1; learn 0.25 / 1 = 0.25
        # weakest: 0.25 -> "Starting"; mean: (4 + 1.5 + 0.25) / (4 + 1.5 + 1) = 5.75 / 6.5
        assert weakest.overall == 0.25
        assert weakest.level == "Starting"
        assert mean.overall == pytest.approx(5.75 / 6.5)
        assert mean.level == "Leading"  # 88.5 %


class TestRestricted:
    def test_it_keeps_only_the_named_questions_and_everything_else(self):
        version = four_point(WEIGHTED_MEAN)
        narrow = restricted(version, {"build-ci", "run-alerts", "not-in-this-version"})
        assert [q.key for q in narrow.questions] == ["build-ci", "run-alerts"]
        assert (narrow.sections, narrow.options, narrow.bands, narrow.aggregation) == (
            version.sections,
            version.options,
            version.bands,
            version.aggregation,
        )

    def test_scoring_on_shared_questions(self):
        narrow = restricted(four_point(WEIGHTED_MEAN), {"build-ci", "run-alerts"})
        result = score(narrow, REALTIME_ANSWERS, REALTIME)
        # build-ci 0.75*2, run-alerts 1*1.5: (1.5 + 1.5) / (2 + 1.5) = 3 / 3.5
        assert result.overall == pytest.approx(3 / 3.5)
        assert result.sections["learn"].score is None


class TestCompare:
    def test_it_says_how_far_each_section_and_the_whole_moved(self):
        version = four_point(WEIGHTED_MEAN)
        before = score(version, REALTIME_ANSWERS, REALTIME)
        after = score(
            version,
            answered(
                build_ci="full",
                build_tests="none",
                run_alerts="some",
                run_latency="some",
                learn_retrain="most",
            ),
            REALTIME,
        )
        moved = compare(before, after)
        # build: 0.5 -> (1*2 + 0) / 3 = 0.6667: +16.67 points
        assert moved.section_points["build"] == pytest.approx(100 * (2 / 3 - 0.5))
        # run: 0.8125 -> (0.25*1.5 + 0.25*0.5) / 2 = 0.25: -56.25 points
        assert moved.section_points["run"] == -56.25
        # learn: no figure before, so no move
        assert moved.section_points["learn"] is None
        # overall: 0.625 -> (2 + 0.5 + 0.75) / (3 + 2 + 1) = 3.25 / 6
        assert moved.overall_points == pytest.approx(100 * (3.25 / 6 - 0.625))
        assert moved.core_newly_met == ("build-ci",)
        assert moved.core_lost == ("run-alerts",)

    def test_a_core_statement_answered_na_later_is_lost(self):
        version = four_point(WEIGHTED_MEAN)
        before = score(version, answered(build_ci="full"), BATCH)
        after = score(version, answered(build_ci="na"), BATCH)
        assert compare(before, after).core_lost == ("build-ci",)

    def test_a_core_statement_missing_from_one_version_is_neither_met_nor_lost(self):
        old = four_point(WEIGHTED_MEAN)
        new = restricted(old, {q.key for q in QUESTIONS if q.key != "run-alerts"})
        before = score(old, answered(run_alerts="full"), BATCH)
        after = score(new, answered(build_ci="full"), BATCH)
        moved = compare(before, after)
        assert moved.core_lost == ()
        assert moved.core_newly_met == ("build-ci",)

    def test_sections_only_in_the_earlier_result_come_last(self):
        old = VersionSpec(
            ("a", "gone"), (QuestionSpec("x", "a"), QuestionSpec("y", "gone")), SCALE_4
        )
        new = VersionSpec(("new", "a"), (QuestionSpec("x", "a"), QuestionSpec("z", "new")), SCALE_4)
        before = score(old, answered(x="some", y="full"), BATCH)
        after = score(new, answered(x="full", z="full"), BATCH)
        moved = compare(before, after)
        assert list(moved.section_points) == ["new", "a", "gone"]
        assert moved.section_points == {"new": None, "a": 75, "gone": None}


@settings(max_examples=cases(200), deadline=None)
@given(assessments(aggregation=MIN_SECTION), st.data())
def test_the_weakest_section_never_drops_a_section_through_na_when_na_is_not_allowed(case, data):
    """A rubric that switches N/A off: an N/A given anyway counts as unanswered, so a section
    whose questions apply always has a figure once the assessment is complete, and the
    overall figure is the weakest of them."""
    version, kind, answers = case
    strict = {q.key for q in version.questions if data.draw(st.booleans(), label=q.key)}
    version = replace(
        version,
        questions=tuple(replace(q, na_allowed=q.key not in strict) for q in version.questions),
    )
    result = score(version, inputs(answers), kind)
    for key in strict:
        assert key not in result.na
        if answers[key] == NA and key not in result.not_applicable:
            assert key in result.unanswered
    if not result.complete:
        return
    for section, figures_of_section in result.sections.items():
        strict_here = [
            q
            for q in version.questions
            if q.section == section and q.key in strict and q.key not in result.not_applicable
        ]
        if strict_here:
            assert figures_of_section.score is not None, section
    scored = [s.score for s in result.sections.values() if s.score is not None]
    assert result.overall == (min(scored) if scored else None)


def points_fraction(points: float | None, max_points: float | None) -> float | None:
    return None if points is None else points / max_points


@settings(max_examples=cases(200), deadline=None)
@given(assessments(), st.data())
def test_points_and_percentages_rank_two_assessments_the_same_way(case, data):
    """For two assessments of one version, the points display (points / maximum) and the
    percentage put them in the same order, overall and section by section; and the points
    are the percentage of the maximum."""
    version, kind, answers = case
    choices = st.sampled_from([*version.options, NA, UNANSWERED])
    other = {key: data.draw(choices) for key in answers}
    first, second = score(version, inputs(answers), kind), score(version, inputs(other), kind)

    for result in (first, second):
        assert (result.points is None) == (result.percent is None)
        if result.percent is not None:
            assert result.points == pytest.approx(result.percent / 100 * result.max_points)
            assert 0 <= result.points <= result.max_points
        for section in result.sections.values():
            if section.percent is None:
                assert section.points == 0 and section.max_points == 0
            else:
                assert section.points == pytest.approx(section.percent / 100 * section.max_points)

    pairs = [
        (
            (first.points, first.max_points),
            (second.points, second.max_points),
            first.percent,
            second.percent,
        )
    ]
    pairs += [
        (
            (first.sections[k].points, first.sections[k].max_points),
            (second.sections[k].points, second.sections[k].max_points),
            first.sections[k].percent,
            second.sections[k].percent,
        )
        for k in version.sections
        if first.sections[k].percent is not None and second.sections[k].percent is not None
    ]
    for a_points, b_points, a_percent, b_percent in pairs:
        if a_percent is None or b_percent is None:
            continue
        by_points = points_fraction(*a_points) - points_fraction(*b_points)
        by_percent = a_percent - b_percent
        # Both figures are rounded to 9 places: a difference below that is a tie either way.
        if abs(by_percent) > 1e-6:
            assert (by_points > 0) == (by_percent > 0)
        else:
            assert by_points == pytest.approx(0, abs=1e-8)
