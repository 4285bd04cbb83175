"""The scoring engine, by hand-computed examples. Pure Python: no database."""

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.engine import (
    MIN_SECTION,
    WEIGHTED_MEAN,
    AnswerInput,
    BandSpec,
    QuestionSpec,
    VersionSpec,
    format_points,
    level_for,
    score,
)
from tests.depth import cases

OPTIONS = {"yes": 1.0, "partly": 0.5, "no": 0.0}
BANDS = (BandSpec("Initial", 0), BandSpec("Defined", 50), BandSpec("Managed", 75))
QUESTIONS = (
    QuestionSpec("a1", "a", weight=1, core=True),
    QuestionSpec("a2", "a", weight=3),
    QuestionSpec("b1", "b", weight=2, applies_to="batch"),
    QuestionSpec("b2", "b", weight=1, applies_to="realtime"),
    QuestionSpec("b3", "b", weight=2, core=True),
)


def version(aggregation: str = WEIGHTED_MEAN, questions=QUESTIONS, bands=BANDS) -> VersionSpec:
    return VersionSpec(
        sections=("a", "b"),
        questions=questions,
        options=OPTIONS,
        bands=bands,
        aggregation=aggregation,
    )


def answers(**choices: str) -> list[AnswerInput]:
    """answers(a1="yes", b2="na") -> engine inputs; "na" marks N/A."""
    return [
        AnswerInput(key, na=True) if choice == "na" else AnswerInput(key, option=choice)
        for key, choice in choices.items()
    ]


# The running example: a batch project, b2 (real-time only) does not apply.
EXAMPLE = answers(a1="yes", a2="partly", b1="no", b2="yes", b3="yes")


class TestWeightedMean:
    def test_it_computes_sections_and_overall_by_weight(self):
        result = score(version(), EXAMPLE, "batch")
        # a: (1*1 + 0.5*3) / (1 + 3) = 2.5 / 4 = 0.625
        assert result.sections["a"].score == 0.625
        # b: (0*2 + 1*2) / (2 + 2) = 2 / 4 = 0.5  (b2 does not apply to batch)
        assert result.sections["b"].score == 0.5
        # overall: (2.5 + 2) / (4 + 4) = 4.5 / 8 = 0.5625
        assert result.overall == 0.5625
        assert result.percent == 56.25
        assert result.level == "Defined"

    def test_the_overall_figure_weights_questions_not_sections(self):
        result = score(version(), answers(a1="yes", a2="na", b1="no", b3="yes"), "batch")
        # a: 1*1 / 1 = 1.0; b: (0*2 + 1*2) / 4 = 0.5
        # overall: (1 + 2) / (1 + 4) = 0.6, where a plain mean of the sections would be 0.75
        assert result.sections["a"].score == 1.0
        assert result.overall == 0.6

    def test_weights_change_the_figure(self):
        equal = tuple(
            QuestionSpec(q.key, q.section, weight=1, core=q.core, applies_to=q.applies_to)
            for q in QUESTIONS
        )
        result = score(version(questions=equal), EXAMPLE, "batch")
        # a: (1 + 0.5) / 2 = 0.75; b: (0 + 1) / 2 = 0.5; overall (1 + 0.5 + 0 + 1) / 4 = 0.625
        assert result.sections["a"].score == 0.75
        assert result.overall == 0.625

    def test_section_results_report_weights_and_counts(self):
        section = score(version(), EXAMPLE, "batch").sections["b"]
        assert (section.weight, section.scored, section.applicable) == (4, 2, 2)
        assert section.percent == 50


class TestMinSection:
    def test_the_weakest_section_sets_the_score(self):
        result = score(version(MIN_SECTION), EXAMPLE, "batch")
        # sections as in the weighted example: a 0.625, b 0.5 -> min = 0.5
        assert result.sections["a"].score == 0.625
        assert result.overall == 0.5
        # exactly 50 % reaches the "Defined" band
        assert result.level == "Defined"

    def test_a_section_with_nothing_scored_does_not_count_as_zero(self):
        result = score(
            version(MIN_SECTION), answers(a1="yes", a2="partly", b1="na", b3="na"), "batch"
        )
        # b has nothing scored (both N/A), so only a counts: (1 + 1.5) / 4 = 0.625
        assert result.sections["b"].score is None
        assert result.overall == 0.625


class TestWhatIsLeftOut:
    def test_na_answers_are_left_out_of_numerator_and_denominator(self):
        result = score(version(), answers(a1="yes", a2="na", b1="na", b3="no"), "batch")
        # a: 1/1 = 1.0; b: 0*2 / 2 = 0; overall (1 + 0) / (1 + 2) = 1/3
        assert result.sections["a"].score == 1.0
        assert result.overall == pytest.approx(1 / 3)
        assert result.na == {"a2", "b1"}
        assert result.answered == 4
        assert result.complete

    def test_questions_for_real_time_do_not_apply_to_batch_projects(self):
        result = score(version(), EXAMPLE, "batch")
        assert result.not_applicable == {"b2"}
        assert "b2" not in result.question_scores

    def test_questions_for_batch_do_not_apply_to_real_time_projects(self):
        result = score(version(), EXAMPLE, "realtime")
        assert result.not_applicable == {"b1"}
        # b: (yes b2 1*1 + yes b3 1*2) / (1 + 2) = 1.0; a as before 2.5 / 4
        # overall (2.5 + 3) / (4 + 3) = 5.5 / 7
        assert result.sections["b"].score == 1.0
        assert result.overall == pytest.approx(5.5 / 7)

    def test_every_question_applies_to_a_project_that_is_both(self):
        result = score(version(), EXAMPLE, "both")
        assert result.not_applicable == frozenset()
        # b: (0*2 + 1*1 + 1*2) / (2 + 1 + 2) = 3 / 5; overall (2.5 + 3) / (4 + 5) = 5.5 / 9
        assert result.sections["b"].score == pytest.approx(0.6)
        assert result.overall == pytest.approx(5.5 / 9)
        assert result.applicable == 5

    def test_unanswered_questions_are_left_out_and_listed_in_question_order(self):
        result = score(version(), answers(b3="no", a2="yes"), "both")
        assert result.unanswered == ("a1", "b1", "b2")
        # only a2 (1*3) and b3 (0*2) count: 3 / 5
        assert result.overall == 0.6
        assert not result.complete
        assert (result.answered, result.applicable) == (2, 5)

    def test_an_answer_without_an_option_counts_as_unanswered(self):
        result = score(version(), [AnswerInput("a1")], "batch")
        assert result.unanswered[0] == "a1"

    def test_nothing_applicable_gives_no_figure_and_no_level(self):
        result = score(version(), answers(a1="na", a2="na", b1="na", b3="na"), "batch")
        assert result.overall is None
        assert result.percent is None
        assert result.level == ""
        assert all(s.score is None for s in result.sections.values())

    def test_no_answers_at_all_gives_no_figure(self):
        result = score(version(MIN_SECTION), [], "realtime")
        assert (result.overall, result.level) == (None, "")
        assert result.unanswered == ("a1", "a2", "b2", "b3")

    def test_a_kind_with_no_applicable_questions_gives_no_figure(self):
        only_batch = (QuestionSpec("b1", "b", applies_to="batch"),)
        result = score(version(questions=only_batch), answers(b1="yes"), "realtime")
        assert result.overall is None
        assert result.level == ""
        assert result.applicable == 0


class TestCore:
    def test_a_core_statement_is_met_only_at_the_top_score(self):
        result = score(version(), answers(a1="partly", b3="yes"), "batch")
        assert result.core_met == ("b3",)
        assert result.core_missed == ("a1",)
        assert not result.all_core_met

    def test_all_core_met_when_every_core_statement_has_the_top_score(self):
        result = score(version(), EXAMPLE, "batch")
        assert result.core_met == ("a1", "b3")
        assert result.all_core_met

    def test_an_unanswered_core_statement_is_missed(self):
        result = score(version(), answers(b3="yes"), "batch")
        assert result.core_missed == ("a1",)

    def test_a_core_statement_answered_na_is_neither_met_nor_missed(self):
        result = score(version(), answers(a1="na", b3="yes"), "batch")
        assert result.core_met == ("b3",)
        assert result.all_core_met

    def test_the_top_score_is_the_scales_highest_not_one(self):
        spec = VersionSpec(
            sections=("a",),
            questions=(QuestionSpec("a1", "a", core=True),),
            options={"good": 0.8, "bad": 0.1},
        )
        assert score(spec, [AnswerInput("a1", option="good")], "batch").all_core_met


class TestLevels:
    @pytest.mark.parametrize(
        ("percent", "level"),
        [
            (0, "Initial"),
            (49.99, "Initial"),
            (50, "Defined"),
            (74.999, "Defined"),
            (75, "Managed"),
            (100, "Managed"),
        ],
    )
    def test_exactly_on_the_boundary_reaches_the_band(self, percent, level):
        assert level_for(percent, BANDS) == level

    def test_float_noise_just_under_a_boundary_still_reaches_it(self):
        # 0.1 + 0.2 style arithmetic can land on 74.99999999999999 for an exact 75 %
        assert level_for(74.99999999999999, BANDS) == "Managed"

    def test_bands_may_be_given_in_any_order(self):
        assert level_for(60, tuple(reversed(BANDS))) == "Defined"

    def test_below_the_first_band_there_is_no_level(self):
        assert level_for(10, (BandSpec("Defined", 50),)) == ""

    def test_no_figure_has_no_level(self):
        assert level_for(None, BANDS) == ""

    def test_a_scored_assessment_exactly_on_a_boundary_reaches_the_band(self):
        # a1 yes 1*1, a2 yes 1*3, b1 yes 1*2, b3 no 0*2 -> (1 + 3 + 2 + 0) / 8 = 0.75 = 75 %
        result = score(version(), answers(a1="yes", a2="yes", b1="yes", b3="no"), "batch")
        assert result.overall == 0.75
        assert result.level == "Managed"


class TestBadInput:
    def test_an_unknown_option_is_an_error(self):
        with pytest.raises(ValueError, match="unknown option 'maybe'"):
            score(version(), [AnswerInput("a1", option="maybe")], "batch")

    def test_an_unknown_aggregation_is_an_error(self):
        with pytest.raises(ValueError, match="unknown aggregation"):
            version("median")

    def test_a_question_in_an_unknown_section_is_an_error(self):
        with pytest.raises(ValueError, match="unknown section"):
            version(questions=(QuestionSpec("x", "nowhere"),))

    @pytest.mark.parametrize("weight", [0, -1])
    def test_a_weight_that_is_not_positive_is_an_error(self, weight):
        with pytest.raises(ValueError, match="weight"):
            version(questions=(QuestionSpec("x", "a", weight=weight),))

    def test_answers_to_questions_not_in_the_version_are_ignored(self):
        result = score(version(), answers(a1="yes", zz="no"), "batch")
        assert result.question_scores == {"a1": 1.0}


_choice = st.sampled_from(["yes", "partly", "no", "na", None])


@settings(max_examples=cases(200), deadline=None)
@given(
    choices=st.fixed_dictionaries({q.key: _choice for q in QUESTIONS}),
    kind=st.sampled_from(["batch", "realtime", "both"]),
)
def test_the_weakest_section_never_beats_the_weighted_mean(choices, kind):
    given_answers = answers(**{k: v for k, v in choices.items() if v is not None})
    mean = score(version(), given_answers, kind)
    weakest = score(version(MIN_SECTION), given_answers, kind)
    assert (mean.overall is None) == (weakest.overall is None)
    if mean.overall is not None:
        figures = [s.score for s in mean.sections.values() if s.score is not None]
        assert 0 <= weakest.overall <= mean.overall <= 1
        assert min(figures) <= mean.overall <= max(figures)
        assert weakest.overall == min(figures)


# Points (for sets displayed in points): a rubric in the style of the ML Test Score, four
# sections of 7 tests with weight 1, each test scoring 0, 0.5 or 1; the weakest section sets
# the score.
RUBRIC_OPTIONS = {"automated": 1.0, "manual": 0.5, "none": 0.0}
RUBRIC_SECTIONS = ("data", "model", "infra", "monitoring")
RUBRIC = VersionSpec(
    sections=RUBRIC_SECTIONS,
    questions=tuple(QuestionSpec(f"{s}-{i}", s) for s in RUBRIC_SECTIONS for i in range(1, 8)),
    options=RUBRIC_OPTIONS,
    aggregation=MIN_SECTION,
)


def rubric_answers(**per_section: list[str]) -> list[AnswerInput]:
    return [
        AnswerInput(f"{section}-{i}", option=choice)
        for section, choices in per_section.items()
        for i, choice in enumerate(choices, start=1)
    ]


class TestPoints:
    # data 5, model 2.5, infra 7, monitoring 4 (each of 7)
    ANSWERS = rubric_answers(
        data=["automated"] * 5 + ["none"] * 2,
        model=["automated", "manual", "manual", "manual", "none", "none", "none"],
        infra=["automated"] * 7,
        monitoring=["automated"] * 3 + ["manual"] * 2 + ["none"] * 2,
    )

    def test_each_section_is_the_sum_of_its_tests_and_the_weakest_sets_the_score(self):
        result = score(RUBRIC, self.ANSWERS, "batch")
        sections = {k: (s.points, s.max_points) for k, s in result.sections.items()}
        assert sections == {
            "data": pytest.approx((5, 7)),
            "model": pytest.approx((2.5, 7)),
            "infra": pytest.approx((7, 7)),
            "monitoring": pytest.approx((4, 7)),
        }
        assert (result.points, result.max_points) == (pytest.approx(2.5), 7)
        assert format_points(result.points, result.max_points) == "2.5 of 7"
        assert result.percent == pytest.approx(2.5 / 7 * 100)  # the percentage is unchanged

    def test_weighted_mean_counts_every_test(self):
        result = score(replace(RUBRIC, aggregation=WEIGHTED_MEAN), self.ANSWERS, "batch")
        assert (result.points, result.max_points) == (pytest.approx(18.5), 28)
        assert format_points(result.points, result.max_points) == "18.5 of 28"

    def test_na_and_not_applicable_statements_leave_the_maximum(self):
        # a: a1 yes (1 x 1), a2 N/A; b: b1 does not apply to realtime, b2 partly (0.5 x 1),
        # b3 no (0 x 2): a is 1 of 1, b is 0.5 of 3, overall 1.5 of 4.
        given_answers = answers(a1="yes", a2="na", b1="yes", b2="partly", b3="no")
        result = score(version(), given_answers, "realtime")
        assert (result.sections["a"].points, result.sections["a"].max_points) == (1, 1)
        assert result.sections["b"].points == pytest.approx(0.5)
        assert result.sections["b"].max_points == 3
        assert (result.points, result.max_points) == (pytest.approx(1.5), 4)
        weakest = score(version(MIN_SECTION), given_answers, "realtime")
        assert format_points(weakest.points, weakest.max_points) == "0.5 of 3"

    def test_nothing_scored_has_no_points(self):
        result = score(RUBRIC, [], "batch")
        assert (result.points, result.max_points) == (None, None)
        assert format_points(result.points, result.max_points) == ""

    @pytest.mark.parametrize(
        ("points", "max_points", "text"),
        [
            (3.0, 7.0, "3 of 7"),
            (2.5, 7, "2.5 of 7"),
            (0, 7, "0 of 7"),
            (1.2345, 2.5, "1.23 of 2.5"),
        ],
    )
    def test_the_text_drops_trailing_zeros(self, points, max_points, text):
        assert format_points(points, max_points) == text
