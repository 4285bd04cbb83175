"""The question-set file format: the default set parses, round-trips, and bad files say where."""

from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from unittest import mock

import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

from surveys import question_set_format as fmt
from tests.depth import cases

DATA = Path(__file__).resolve().parents[2] / "surveys" / "data"
DEFAULT_SET = DATA / "mlops_maturity.yaml"

# A small valid file; each bad case below changes one thing in it. Line numbers
# in the assertions refer to this text.
TINY = """\
key: tiny
name: Tiny set
scale:
  - key: "yes"
    label: "Yes"
    score: 1
  - key: "no"
    label: "No"
    score: 0
levels:
  - name: Low
    min: 0
  - name: High
    min: 50
sections:
  - key: basics
    title: Basics
    core: true
    questions:
      - key: q-one
        text: The first statement.
      - key: q-two
        text: The second statement.
        weight: 2
        applies_to: batch
"""


def problem_of(text: str) -> fmt.Problem:
    """The single problem `text` is rejected for."""
    with pytest.raises(fmt.QuestionSetError) as caught:
        fmt.parse(text)
    problems = caught.value.problems
    assert len(problems) == 1, str(caught.value)
    return problems[0]


@pytest.fixture(scope="module")
def default_spec() -> fmt.QuestionSetSpec:
    return fmt.parse(DEFAULT_SET.read_text(encoding="utf-8"))


class TestTheDefaultSet:
    """The current edition (edition 2); tests/surveys/test_default_set_editions.py compares it
    with edition 1."""

    def test_it_has_twelve_sections(self, default_spec):
        assert len(default_spec.sections) == 12

    def test_it_has_sixty_to_eighty_questions(self, default_spec):
        assert 60 <= len(default_spec.questions) <= 80

    def test_the_basics_are_core_and_the_advanced_sections_are_not(self, default_spec):
        core = {s.key: s.core for s in default_spec.sections}
        assert [k for k, c in core.items() if c] == [
            "documentation",
            "traceability",
            "code-quality",
            "security",
            "monitoring",
            "safeguards",
            "privacy",
        ]

    def test_it_uses_every_applies_to_value(self, default_spec):
        assert {q.applies_to for q in default_spec.questions} == {"all", "batch", "realtime"}

    def test_its_scale_is_yes_partly_no(self, default_spec):
        assert [(o.key, o.score) for o in default_spec.scale] == [
            ("yes", Decimal(1)),
            ("partly", Decimal("0.5")),
            ("no", Decimal(0)),
        ]

    def test_its_levels_start_at_zero_and_rise(self, default_spec):
        minimums = [level.min_percent for level in default_spec.levels]
        assert minimums[0] == 0
        assert minimums == sorted(set(minimums))

    def test_every_question_has_guidance(self, default_spec):
        assert all(q.why and q.good and q.evidence for q in default_spec.questions)

    def test_it_survives_a_round_trip_through_the_canonical_yaml(self, default_spec):
        assert fmt.parse(fmt.to_yaml(default_spec)) == default_spec


def test_it_parses_a_small_file_with_defaults_filled_in():
    spec = fmt.parse(TINY)
    assert spec.aggregation == "weighted_mean"
    first, second = spec.questions
    assert (first.weight, first.applies_to, first.core) == (Decimal(1), "all", True)
    assert (second.weight, second.applies_to) == (Decimal(2), "batch")


def test_a_question_can_leave_its_core_section_with_core_false():
    spec = fmt.parse(
        TINY.replace("        weight: 2\n", "        weight: 2\n        core: false\n")
    )
    assert [q.core for q in spec.questions] == [True, False]


def test_the_small_file_survives_a_round_trip():
    spec = fmt.parse(TINY)
    assert fmt.parse(fmt.to_yaml(spec)) == spec


def test_the_canonical_yaml_is_stable():
    once = fmt.to_yaml(fmt.parse(TINY))
    assert fmt.to_yaml(fmt.parse(once)) == once


# Texts as people write them: words, YAML-looking words, numbers, punctuation, accents.
_text = (
    st.one_of(
        st.sampled_from(["yes", "no", "on", "off", "null", "~", "true", "1.5", "- dash", "#hash"]),
        st.text(
            alphabet=st.characters(
                whitelist_categories=("L", "N", "P", "S", "Zs"),
                blacklist_characters="\x85\u2028\u2029",
            ),
            min_size=1,
            max_size=40,
        ),
    )
    .map(str.strip)
    .filter(bool)
)
_key = st.from_regex(r"\A[a-z0-9][a-z0-9-]{0,20}\Z")


@st.composite
def question_set_specs(draw) -> fmt.QuestionSetSpec:
    option_keys = draw(st.lists(_key, min_size=2, max_size=4, unique=True))
    scale = tuple(
        fmt.OptionSpec(
            key=k,
            label=draw(_text),
            score=Decimal(draw(st.integers(0, 1000))) / 1000,
        )
        for k in option_keys
    )
    rises = draw(st.lists(st.integers(1, 2500), max_size=3))
    minimums = [Decimal(0)]
    for step in rises:
        if minimums[-1] + Decimal(step) / 100 <= 100:
            minimums.append(minimums[-1] + Decimal(step) / 100)
    levels = tuple(
        fmt.LevelSpec(name=f"Level {i}", min_percent=m, description=draw(st.just("") | _text))
        for i, m in enumerate(minimums)
    )
    section_keys = draw(st.lists(_key, min_size=1, max_size=3, unique=True))
    question_keys = iter(
        draw(st.lists(_key, min_size=3 * len(section_keys), max_size=30, unique=True))
    )
    sections = []
    for key in section_keys:
        core = draw(st.booleans())
        questions = tuple(
            fmt.QuestionSpec(
                key=next(question_keys),
                text=draw(_text),
                weight=Decimal(draw(st.integers(1, 500))) / 100,
                core=draw(st.booleans()),
                applies_to=draw(st.sampled_from(fmt.APPLIES_TO)),
                why=draw(st.just("") | _text),
                good=draw(st.just("") | _text),
                evidence=draw(st.just("") | _text),
            )
            for _ in range(draw(st.integers(1, 3)))
        )
        sections.append(
            fmt.SectionSpec(
                key=key, title=draw(_text), core=core, description="", questions=questions
            )
        )
    return fmt.QuestionSetSpec(
        key=draw(_key),
        name=draw(_text),
        description=draw(st.just("") | _text),
        aggregation=draw(st.sampled_from(fmt.AGGREGATIONS)),
        scale=scale,
        levels=levels,
        sections=tuple(sections),
    )


@settings(max_examples=cases(60), deadline=None)
@given(question_set_specs())
def test_any_valid_spec_survives_a_round_trip(spec):
    assert fmt.parse(fmt.to_yaml(spec)) == spec


@settings(max_examples=cases(60), deadline=None)
@given(question_set_specs())
@example(fmt.parse(TINY.replace("name: Tiny", "name: Tiny \U0001f680 set")))
def test_libyaml_writes_the_same_canonical_text_as_pure_python(spec):
    assert fmt._Dumper is yaml.CSafeDumper  # the fast emitter is the one in use
    assert fmt.to_yaml(spec) == _written_by_pure_python(spec)


@pytest.mark.parametrize("path", sorted(DATA.glob("*.yaml")), ids=lambda p: p.name)
def test_libyaml_writes_each_shipped_set_as_pure_python_does(path):
    spec = fmt.parse(path.read_text(encoding="utf-8"))
    assert fmt.to_yaml(spec) == _written_by_pure_python(spec)


def _written_by_pure_python(spec: fmt.QuestionSetSpec) -> str:
    with mock.patch.object(fmt, "_Dumper", yaml.SafeDumper):
        return fmt.to_yaml(spec)


def test_a_changed_weight_changes_the_canonical_yaml():
    spec = fmt.parse(TINY)
    section = spec.sections[0]
    heavier = replace(
        spec,
        sections=(
            replace(
                section,
                questions=(replace(section.questions[0], weight=Decimal(3)), section.questions[1]),
            ),
        ),
    )
    assert fmt.to_yaml(heavier) != fmt.to_yaml(spec)


class TestBadFiles:
    def test_broken_yaml_names_the_line(self):
        problem = problem_of(TINY.replace("    title: Basics", "    title: Basics: more"))
        assert problem.line == 17
        assert str(problem).startswith("line 17: not valid YAML")

    def test_the_message_of_a_broken_file_is_the_pure_python_readers(self):
        # libyaml reads the files that parse; a file it refuses is read again in pure Python,
        # whose message says what is wrong in words.
        problem = problem_of(TINY.replace("    title: Basics", "    title: Basics: more"))
        assert "mapping values are not allowed here" in str(problem)

    @pytest.mark.parametrize("path", sorted(DATA.glob("*.yaml")), ids=lambda p: p.name)
    def test_the_fast_reader_gives_the_same_data_and_lines_as_the_pure_python_one(self, path):
        text = path.read_text(encoding="utf-8")
        fast, slow = yaml.load(text, Loader=fmt._FastLoader), yaml.load(text, Loader=fmt._Loader)
        assert fast == slow

        def lines(node):
            if isinstance(node, dict):
                return (node.line, node.key_lines, [lines(v) for v in node.values()])
            if isinstance(node, list):
                return [lines(v) for v in node]
            return None

        assert lines(fast) == lines(slow)

    def test_anchors_and_aliases_are_refused_before_anything_is_built(self):
        bomb = 'a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]\n' + "".join(
            f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
            for i in range(8)
        )
        problem = problem_of(bomb)
        assert problem.line == 1
        assert "anchors and aliases" in str(problem)

    def test_nesting_far_deeper_than_a_question_set_is_refused(self):
        problem = problem_of("a: " + "[" * 50 + "]" * 50)
        assert "nested far deeper" in str(problem)

    def test_an_integer_of_thousands_of_digits_is_a_problem_not_a_crash(self):
        problem = problem_of(
            TINY.replace("        weight: 2\n", "        weight: " + "9" * 5000 + "\n")
        )
        assert "not readable as YAML" in str(problem)

    def test_a_tab_for_indentation_names_the_line(self):
        problem = problem_of(TINY.replace("        text: The first", "\ttext: The first"))
        assert problem.line == 21
        assert "not valid YAML" in str(problem)

    def test_an_unknown_field_is_named_with_its_line(self):
        problem = problem_of(
            TINY.replace("The first statement.\n", "The first statement.\n        wieght: 2\n")
        )
        assert problem.line == 22
        assert "unknown field 'wieght'" in str(problem)
        assert "question 'q-one'" in str(problem)

    def test_it_rejects_duplicate_question_keys(self):
        problem = problem_of(TINY.replace("key: q-two", "key: q-one"))
        assert problem.line == 22
        assert "question key 'q-one' is used twice" in str(problem)

    def test_it_rejects_duplicate_question_keys_across_sections(self):
        extra = (
            "  - key: more\n    title: More\n    questions:\n"
            "      - key: q-one\n        text: Again.\n"
        )
        problem = problem_of(TINY + extra)
        assert problem.line == 29
        assert "question key 'q-one' is used twice (also in section 'basics')" in str(problem)

    def test_it_rejects_a_key_repeated_in_one_yaml_block(self):
        problem = problem_of(
            TINY.replace("The first statement.\n", "The first statement.\n        text: Again.\n")
        )
        assert problem.line == 22
        assert "the key 'text' appears twice" in str(problem)
        assert "first on line 21" in str(problem)

    def test_it_rejects_questions_outside_a_section(self):
        problem = problem_of(TINY + "questions:\n  - key: stray\n    text: Lost.\n")
        assert problem.line == 26
        assert "unknown field 'questions'" in str(problem)
        assert "every question must be listed inside a section" in str(problem)

    @pytest.mark.parametrize(
        ("weight", "message"),
        [
            ("0", "'weight' is 0; it must be more than 0 and at most 5"),
            ("-1", "'weight' is -1; it must be more than 0 and at most 5"),
            ("6", "'weight' is 6; it must be more than 0 and at most 5"),
            ("5.01", "'weight' is 5.01; it must be more than 0 and at most 5"),
            ("heavy", "'weight' must be a number, not 'heavy'"),
            ("true", "'weight' must be a number, not true/false"),
            (".nan", "'weight' is nan"),
        ],
    )
    def test_it_rejects_a_weight_out_of_range(self, weight, message):
        problem = problem_of(TINY.replace("weight: 2", f"weight: {weight}"))
        assert problem.line == 24
        assert message in str(problem)
        assert "question 'q-two'" in str(problem)

    @pytest.mark.parametrize("weight", ["0.01", "5", "2.5"])
    def test_it_accepts_a_weight_just_inside_the_range(self, weight):
        spec = fmt.parse(TINY.replace("weight: 2", f"weight: {weight}"))
        assert spec.questions[1].weight == Decimal(weight)

    @pytest.mark.parametrize("word", ["yes", "no", "on", "off", "true"])
    def test_it_rejects_an_unquoted_yes_as_an_option_key(self, word):
        problem = problem_of(TINY.replace('key: "yes"', f"key: {word}"))
        assert problem.line == 4
        assert "'key' must be text; put quotes around it" in str(problem)
        assert "scale option 1" in str(problem)

    def test_it_rejects_levels_that_do_not_rise(self):
        problem = problem_of(TINY.replace("min: 50", "min: 0"))
        assert problem.line == 14
        assert "rising 'min'" in str(problem)

    def test_it_rejects_levels_listed_in_falling_order(self):
        text = TINY.replace(
            "  - name: High\n    min: 50\n",
            "  - name: High\n    min: 50\n  - name: Middle\n    min: 30\n",
        )
        problem = problem_of(text)
        assert problem.line == 16
        assert "level 3" in str(problem)

    def test_it_rejects_a_first_level_above_zero(self):
        problem = problem_of(TINY.replace("min: 0", "min: 10"))
        assert problem.line == 12
        assert "the first level must start at min: 0" in str(problem)

    def test_it_rejects_an_unknown_aggregation(self):
        problem = problem_of(
            TINY.replace("name: Tiny set\n", "name: Tiny set\naggregation: median\n")
        )
        assert problem.line == 3
        assert "aggregation 'median' is not one of weighted_mean, min_section" in str(problem)

    def test_it_rejects_an_unknown_applies_to(self):
        problem = problem_of(TINY.replace("applies_to: batch", "applies_to: streaming"))
        assert problem.line == 25
        assert "applies_to 'streaming' is not one of all, batch, realtime" in str(problem)

    @pytest.mark.parametrize("empty", ['""', "'   '", ""])
    def test_it_rejects_an_empty_question_text(self, empty):
        problem = problem_of(TINY.replace("text: The first statement.", f"text: {empty}"))
        assert problem.line == 21
        assert "question 'q-one'" in str(problem)
        assert "'text'" in str(problem)

    def test_it_rejects_a_question_without_text(self):
        problem = problem_of(TINY.replace("        text: The first statement.\n", ""))
        assert problem.line == 20
        assert "'text' is missing" in str(problem)

    def test_it_rejects_an_option_score_above_one(self):
        problem = problem_of(TINY.replace("score: 1", "score: 1.5"))
        assert problem.line == 6
        assert "'score' is 1.5; it must be at least 0 and at most 1" in str(problem)

    def test_it_rejects_a_scale_with_a_single_option(self):
        problem = problem_of(TINY.replace('  - key: "no"\n    label: "No"\n    score: 0\n', ""))
        assert "at least two options" in str(problem)

    def test_it_rejects_a_key_with_capitals_or_spaces(self):
        problem = problem_of(TINY.replace("key: q-one", "key: Question One"))
        assert problem.line == 20
        assert "lowercase letters, digits and dashes" in str(problem)

    @pytest.mark.parametrize(
        ("text", "kind"), [("- a\n- b\n", "a list"), ("just words\n", "'just words'")]
    )
    def test_it_rejects_a_file_that_is_not_a_mapping(self, text, kind):
        problem = problem_of(text)
        assert str(problem) == f"file, question set: must be a block of fields, not {kind}"

    @pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n"])
    def test_it_rejects_an_empty_file(self, text):
        problem = problem_of(text)
        assert str(problem) == "file, question set: must be a block of fields, not nothing"

    def test_it_lists_every_problem_not_just_the_first(self):
        text = TINY.replace("weight: 2", "weight: 9").replace("applies_to: batch", "applies_to: x")
        with pytest.raises(fmt.QuestionSetError) as caught:
            fmt.parse(text)
        assert [p.line for p in caught.value.problems] == [24, 25]
