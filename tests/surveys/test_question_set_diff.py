"""The diff of two question-set versions: pure, no database."""

from dataclasses import replace
from decimal import Decimal

from surveys import question_set_format as fmt
from surveys.question_set_diff import diff, same_wording
from tests import factories

BASE = """
key: tiny
name: Tiny set
aggregation: weighted_mean
scale:
  - {key: "yes", label: "Yes", score: 1}
  - {key: partly, label: Partly, score: 0.5}
  - {key: "no", label: "No", score: 0}
levels:
  - {name: Initial, min: 0}
  - {name: Managed, min: 50}
sections:
  - key: docs
    title: Documentation
    questions:
      - key: doc-purpose
        text: The purpose is written down.
        guidance: {why: So people know., good: A README., evidence: The link.}
      - key: doc-owner
        text: The model has a named owner.
  - key: deploy
    title: Deployment
    questions:
      - key: ci
        text: Every change is built by CI.
        weight: 2
        core: true
      - key: api-latency
        text: Latency is measured.
        applies_to: realtime
"""


def base() -> fmt.QuestionSetSpec:
    return fmt.parse(BASE)


def edited(text: str, old: str, new: str) -> fmt.QuestionSetSpec:
    assert old in text
    return fmt.parse(text.replace(old, new))


def test_a_version_compared_with_itself_has_no_changes():
    result = diff(base(), base())
    assert result.is_empty
    assert result.unchanged == 4
    assert result.changed == result.added == result.removed == ()


def test_the_default_set_compared_with_itself_has_no_changes():
    assert diff(factories.default_spec(), factories.default_spec()).is_empty


def test_a_new_key_is_an_added_question_with_its_section():
    new = edited(
        BASE,
        "      - key: doc-owner\n",
        "      - key: doc-audience\n        text: The audience is named.\n      - key: doc-owner\n",
    )
    result = diff(base(), new)
    assert [(p.key, p.section.key) for p in result.added] == [("doc-audience", "docs")]
    assert result.removed == () and result.changed == ()
    assert not result.is_empty


def test_a_missing_key_is_a_removed_question():
    new = edited(BASE, "      - key: doc-owner\n        text: The model has a named owner.\n", "")
    result = diff(base(), new)
    assert [p.key for p in result.removed] == ["doc-owner"]
    assert result.removed[0].question.text == "The model has a named owner."
    assert result.unchanged == 3


def test_questions_are_matched_by_key_not_by_text():
    new = edited(BASE, "key: doc-owner", "key: model-owner")
    result = diff(base(), new)
    assert [p.key for p in result.added] == ["model-owner"]
    assert [p.key for p in result.removed] == ["doc-owner"]
    assert result.changed == ()


def test_a_changed_text_is_reworded():
    new = edited(BASE, "The model has a named owner.", "The model has one named owner.")
    result = diff(base(), new)
    [change] = result.changed
    assert change.key == "doc-owner"
    assert change.kinds == ("reworded",)
    assert result.reworded == [change]
    assert change.old.question.text == "The model has a named owner."


def test_re_wrapping_the_text_is_not_a_rewording():
    spec = base()
    docs = spec.sections[0]
    owner = replace(docs.questions[1], text="The  model has a\n named owner.")
    rewrapped = replace(
        spec, sections=(replace(docs, questions=(docs.questions[0], owner)), spec.sections[1])
    )
    assert same_wording("a  b\n c", "a b c")
    assert diff(spec, rewrapped).is_empty


def test_a_changed_weight_is_re_weighted():
    result = diff(base(), edited(BASE, "weight: 2", "weight: 3"))
    [change] = result.reweighted
    assert change.key == "ci"
    assert (change.old.question.weight, change.new.question.weight) == (2, 3)
    assert change.kinds == ("re-weighted",)


def test_the_same_weight_written_differently_is_no_change():
    assert diff(base(), edited(BASE, "weight: 2", "weight: 2.00")).is_empty


def test_a_question_in_another_section_is_moved():
    spec = base()
    docs, deploy = spec.sections
    moved = replace(
        spec,
        sections=(
            replace(docs, questions=docs.questions[:1]),
            replace(deploy, questions=(*deploy.questions, docs.questions[1])),
        ),
    )
    result = diff(spec, moved)
    [change] = result.moved
    assert change.key == "doc-owner"
    assert (change.old.section.key, change.new.section.key) == ("docs", "deploy")
    assert change.kinds == ("moved",)


def test_reordering_within_a_section_is_no_change():
    spec = base()
    docs = spec.sections[0]
    swapped = replace(
        spec, sections=(replace(docs, questions=docs.questions[::-1]), spec.sections[1])
    )
    assert diff(spec, swapped).is_empty


def test_core_and_applies_to_changes_are_told_apart():
    new = edited(BASE, "core: true", "core: false")
    new_text = BASE.replace("core: true", "core: false").replace(
        "applies_to: realtime", "applies_to: batch"
    )
    assert [c.key for c in diff(base(), new).core_changed] == ["ci"]
    result = diff(base(), fmt.parse(new_text))
    assert [c.key for c in result.core_changed] == ["ci"]
    assert [c.key for c in result.applies_to_changed] == ["api-latency"]
    assert result.applies_to_changed[0].kinds == ("applies to changed",)


def test_changed_guidance_is_reported_apart_from_the_wording():
    result = diff(base(), edited(BASE, "good: A README.", "good: A README and a diagram."))
    [change] = result.guidance_changed
    assert change.key == "doc-purpose"
    assert change.kinds == ("guidance changed",)
    assert result.reworded == []


def test_one_question_can_change_in_several_ways():
    new = edited(
        BASE,
        "text: Every change is built by CI.\n        weight: 2",
        "text: CI builds.\n        weight: 1",
    )
    [change] = diff(base(), new).changed
    assert change.kinds == ("reworded", "re-weighted")


def test_sections_added_removed_and_renamed():
    spec = base()
    docs = spec.sections[0]
    monitoring = fmt.SectionSpec(
        key="monitoring", title="Monitoring", questions=(fmt.QuestionSpec("drift", "Drift"),)
    )
    new = replace(spec, sections=(replace(docs, title="Docs and ownership"), monitoring))
    result = diff(spec, new)
    assert [s.key for s in result.sections_added] == ["monitoring"]
    assert [s.key for s in result.sections_removed] == ["deploy"]
    [renamed] = result.sections_renamed
    assert (renamed.key, renamed.old_title, renamed.new_title) == (
        "docs",
        "Documentation",
        "Docs and ownership",
    )
    assert {p.key for p in result.removed} == {"ci", "api-latency"}
    assert [p.key for p in result.added] == ["drift"]


def test_scale_changes_name_each_option():
    new = BASE.replace(
        "{key: partly, label: Partly, score: 0.5}", "{key: partly, label: Partly, score: 0.4}"
    )
    new = new.replace(
        '  - {key: "no", label: "No", score: 0}\n', "  - {key: never, label: Never, score: 0}\n"
    )
    result = diff(base(), fmt.parse(new))
    changes = {c.key: c for c in result.scale}
    assert set(changes) == {"partly", "never", "no"}
    assert changes["partly"].old.score == Decimal("0.5")
    assert changes["partly"].new.score == Decimal("0.4")
    assert changes["never"].old is None
    assert changes["no"].new is None


def test_level_and_aggregation_changes():
    new = edited(BASE, "aggregation: weighted_mean", "aggregation: min_section")
    new_levels = edited(BASE, "{name: Managed, min: 50}", "{name: Managed, min: 60}")
    assert diff(base(), new).aggregation_changed
    assert not diff(base(), new).levels_changed
    result = diff(base(), new_levels)
    assert result.levels_changed and not result.aggregation_changed
    assert result.new_levels[1].min_percent == 60
    assert not result.is_empty


def test_lists_follow_the_order_of_the_version_they_belong_to():
    new = BASE.replace("text: The purpose is written down.", "text: Purpose written.").replace(
        "text: Latency is measured.", "text: Latency measured."
    )
    assert [c.key for c in diff(base(), fmt.parse(new)).changed] == ["doc-purpose", "api-latency"]
