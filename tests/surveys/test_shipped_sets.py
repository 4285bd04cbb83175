"""The question sets that ship with Yardstick (surveys/data, loaded by `import_question_set`):
they parse, round-trip, carry full guidance, and the ML test rubric scores exactly by the rule
of the ML Test Score (a section is the sum of its tests, the system is its weakest section,
the paper's bands), checked against the rule computed here on its own."""

import io
import re
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring import engine
from surveys import question_set_excel as qx
from surveys import question_set_format as fmt
from surveys.management.commands.import_question_set import (
    DEFAULT_SET,
    GENAI_SET,
    SHIPPED_SETS,
    TEST_RUBRIC_SET,
)


def parsed(path) -> fmt.QuestionSetSpec:
    return fmt.parse(path.read_text(encoding="utf-8"))


RUBRIC = parsed(TEST_RUBRIC_SET)
GENAI = parsed(GENAI_SET)
OPTION_SCORE = {o.key: Fraction(str(o.score)) for o in RUBRIC.scale}


def engine_spec(spec: fmt.QuestionSetSpec) -> engine.VersionSpec:
    """The engine's view of a parsed file (as scoring.selectors.version_spec builds it from
    the stored version)."""
    return engine.VersionSpec(
        sections=tuple(s.key for s in spec.sections),
        questions=tuple(
            engine.QuestionSpec(
                key=q.key,
                section=s.key,
                weight=float(q.weight),
                core=q.core,
                applies_to=q.applies_to,
                na_allowed=q.na_allowed,
            )
            for s in spec.sections
            for q in s.questions
        ),
        options={o.key: float(o.score) for o in spec.scale},
        bands=tuple(engine.BandSpec(lv.name, float(lv.min_percent)) for lv in spec.levels),
        aggregation=spec.aggregation,
        level_boundary=spec.level_boundary,
    )


def paper_band(points: Fraction) -> int:
    """The band of the ML Test Score for a final score: 0; (0, 1]; (1, 2]; (2, 3]; (3, 5]; > 5."""
    for index, upper in enumerate((0, 1, 2, 3, 5)):
        if points <= upper:
            return index
    return 5


def paper_rule(answers: dict[str, str]) -> tuple[dict[str, Fraction], Fraction]:
    """Section sums and the final score (the lowest sum), in exact arithmetic."""
    sums = {
        s.key: sum((OPTION_SCORE[answers[q.key]] for q in s.questions), Fraction(0))
        for s in RUBRIC.sections
    }
    return sums, min(sums.values())


@pytest.mark.parametrize("path", SHIPPED_SETS, ids=lambda p: p.stem)
class TestEveryShippedSet:
    def test_it_parses_and_round_trips_through_yaml_and_excel(self, path):
        spec = parsed(path)
        assert fmt.parse(fmt.to_yaml(spec)) == spec
        back = qx.read_bytes(qx.write_workbook(spec)).spec
        assert back == spec
        assert fmt.to_yaml(back) == fmt.to_yaml(spec)

    def test_every_statement_has_guidance_and_a_valid_applies_to(self, path):
        for question in parsed(path).questions:
            assert question.why.strip(), question.key
            assert question.good.strip(), question.key
            assert question.evidence.strip(), question.key
            assert question.applies_to in ("all", "batch", "realtime"), question.key

    def test_every_section_and_level_is_described(self, path):
        spec = parsed(path)
        assert spec.description.strip()
        assert all(s.description.strip() for s in spec.sections)
        assert all(lv.description.strip() for lv in spec.levels)


def test_the_shipped_sets_have_distinct_keys_and_statement_keys():
    specs = [parsed(p) for p in SHIPPED_SETS]
    assert len({s.key for s in specs}) == len(specs)
    keys = [q.key for s in specs for q in s.questions]
    assert len(keys) == len(set(keys)), "a statement key is shared between two shipped sets"
    assert SHIPPED_SETS[0] == DEFAULT_SET


class TestTheRubricsShape:
    def test_four_sections_of_seven_tests(self):
        assert [s.key for s in RUBRIC.sections] == [
            "ts-data",
            "ts-model",
            "ts-infra",
            "ts-monitoring",
        ]
        assert [len(s.questions) for s in RUBRIC.sections] == [7, 7, 7, 7]

    def test_tests_score_0_half_or_1(self):
        assert sorted(o.score for o in RUBRIC.scale) == [Decimal(0), Decimal("0.5"), Decimal(1)]

    def test_every_test_counts_the_same_for_every_project_and_na_is_no_answer(self):
        assert RUBRIC.na_allowed is False
        for question in RUBRIC.questions:
            assert question.na_allowed is False
            assert question.weight == 1
            assert question.applies_to == "all"

    def test_it_is_shown_in_points_with_the_weakest_section_setting_the_score(self):
        assert RUBRIC.display == "points"
        assert RUBRIC.aggregation == "min_section"
        assert RUBRIC.level_boundary == "above"

    def test_it_names_the_paper_it_follows(self):
        assert "Breck et al., 2017" in RUBRIC.description
        assert "The ML Test Score: A Rubric for ML Production" in RUBRIC.description
        assert "Breck" in RUBRIC.source

    def test_six_levels_one_per_band_of_the_paper(self):
        assert len(RUBRIC.levels) == 6


RUBRIC_KEYS = [q.key for q in RUBRIC.questions]
OPTIONS = sorted(OPTION_SCORE)


class TestTheRubricScoresByThePapersRule:
    @settings(max_examples=300, deadline=None)
    @given(st.lists(st.sampled_from(OPTIONS), min_size=28, max_size=28))
    def test_sections_sum_and_the_lowest_sum_is_the_score(self, chosen):
        answers = dict(zip(RUBRIC_KEYS, chosen, strict=True))
        sums, final = paper_rule(answers)
        for kind in ("batch", "realtime", "both"):
            result = engine.score(
                engine_spec(RUBRIC),
                [engine.AnswerInput(k, option=v) for k, v in answers.items()],
                kind,
            )
            # The engine keeps figures to 9 decimals and points as figure x maximum, so points
            # may differ from the exact sum in the ninth decimal; they are shown to two.
            for key, total in sums.items():
                section = result.sections[key]
                assert section.max_points == 7
                assert section.points == pytest.approx(float(total), abs=1e-7)
                assert engine.format_points(section.points, 7) == f"{float(total):g} of 7"
            assert result.max_points == 7
            assert result.points == pytest.approx(float(final), abs=1e-7)
            assert result.percent == pytest.approx(float(final / 7 * 100), abs=1e-7)
            assert engine.format_points(result.points, result.max_points) == (
                f"{float(final):g} of 7"
            )
            assert result.level == RUBRIC.levels[paper_band(final)].name

    @pytest.mark.parametrize("halves", range(15))
    def test_every_reachable_score_gets_the_papers_band(self, halves):
        """Scores move in half points; each of 0, 0.5, ... 7 lands in the paper's band, also
        when read back from a stored figure (five decimals)."""
        final = Fraction(halves, 2)
        bands = engine_spec(RUBRIC).bands
        exact = float(final / 7 * 100)
        stored = float(Decimal(str(round(float(final / 7), 5))) * 100)
        expected = RUBRIC.levels[paper_band(final)].name
        assert engine.level_for(exact, bands, "above") == expected
        assert engine.level_for(stored, bands, "above") == expected
        # Band colours on charts and sheets read stored figures at or above a minimum: no
        # reachable score sits on a minimum, so they give the same band.
        assert engine.level_for(stored, bands, "at_or_above") == expected
        assert engine.level_for(exact, bands, "at_or_above") == expected

    def test_the_worked_example_of_the_docs(self):
        """docs/scoring.md: data 5 of 7, model 2.5 of 7, infrastructure 7, monitoring 4."""
        sections = [s.questions for s in RUBRIC.sections]
        answers = {}
        for questions, plan in zip(
            sections,
            (
                ["automated"] * 5 + ["not-done"] * 2,
                ["automated"] + ["manual"] * 3 + ["not-done"] * 3,
                ["automated"] * 7,
                ["automated"] * 3 + ["manual"] * 2 + ["not-done"] * 2,
            ),
            strict=True,
        ):
            answers |= {q.key: option for q, option in zip(questions, plan, strict=True)}
        result = engine.score(
            engine_spec(RUBRIC),
            [engine.AnswerInput(k, option=v) for k, v in answers.items()],
            "batch",
        )
        assert engine.format_points(result.points, result.max_points) == "2.5 of 7"
        assert round(result.percent) == 36
        assert result.level == "Reasonably tested"

    @settings(max_examples=100, deadline=None)
    @given(
        st.lists(st.sampled_from(OPTIONS), min_size=28, max_size=28),
        st.sets(st.sampled_from(RUBRIC_KEYS), min_size=1),
    )
    def test_na_never_lets_a_section_drop_out(self, chosen, na_keys):
        answers = dict(zip(RUBRIC_KEYS, chosen, strict=True))
        given_answers = [
            engine.AnswerInput(k, na=True) if k in na_keys else engine.AnswerInput(k, option=v)
            for k, v in answers.items()
        ]
        result = engine.score(engine_spec(RUBRIC), given_answers, "batch")
        assert set(result.unanswered) == na_keys
        assert not result.na
        assert not result.complete


class TestTheGenAISet:
    TOPICS = {
        "prompt version tracking": ["llm-prompt-versioning"],
        "model version tracking": ["llm-model-pinned", "llm-trace"],
        "evaluation sets": ["llm-eval-set"],
        "regression runs before release": ["llm-regression-runs"],
        "input guard rails": ["llm-input-guard"],
        "output guard rails": ["llm-output-guard"],
        "hallucination monitoring": ["llm-hallucination-monitoring"],
        "harmful-output monitoring": ["llm-harmful-monitoring"],
        "cost per call": ["llm-cost-per-call"],
        "budgets": ["llm-cost-budget"],
        "provider fallback": ["llm-provider-fallback"],
        "personal data in prompts": ["llm-pii-prompts"],
        "personal data in logs": ["llm-pii-logs"],
        "human review where decisions matter": ["llm-human-review"],
    }

    @pytest.mark.parametrize("topic", sorted(TOPICS))
    def test_each_listed_topic_has_its_statement(self, topic):
        keys = {q.key for q in GENAI.questions}
        for key in self.TOPICS[topic]:
            assert key in keys, f"{topic}: {key} is missing"

    def test_it_has_between_25_and_40_statements_in_sections(self):
        assert 25 <= len(GENAI.questions) <= 40
        assert len(GENAI.sections) >= 6
        assert all(2 <= len(s.questions) <= 8 for s in GENAI.sections)

    def test_batch_and_live_products_each_get_their_own_statements(self):
        kinds = {q.key: q.applies_to for q in GENAI.questions}
        assert kinds["llm-provider-fallback"] == "realtime"
        assert kinds["llm-handover"] == "realtime"
        assert kinds["llm-batch-retry"] == "batch"
        assert kinds["llm-content-review"] == "batch"
        assert kinds["llm-pii-prompts"] == kinds["llm-human-review"] == "all"

    def test_it_scores_as_a_weighted_mean_in_percentages(self):
        assert GENAI.aggregation == "weighted_mean"
        assert GENAI.display == "percent"
        assert GENAI.na_allowed is True


def test_no_sentence_is_repeated_within_or_across_the_shipped_sets():
    """Guidance written for each statement, not pasted from one to another."""
    seen: dict[str, str] = {}
    for path in SHIPPED_SETS:
        for q in parsed(path).questions:
            for part in (q.text, q.why, q.good, q.evidence):
                for sentence in re.split(r"(?<=[.!?])\s+", part):
                    if len(sentence) < 40:
                        continue
                    assert sentence not in seen, f"{q.key} repeats {seen[sentence]}: {sentence}"
                    seen[sentence] = q.key


def test_the_excel_file_of_the_rubric_says_it_counts_points():
    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(qx.write_workbook(RUBRIC)))
    about = {row[0].value: row[1].value for row in workbook["About"].iter_rows() if row[0].value}
    assert about["Display"] == "points"
    assert about["Aggregation"] == "min_section"
