"""The default set's two editions: edition 2 is the current file, edition 1 stays as history."""

import dataclasses

import pytest

from surveys import question_set_format as fmt
from surveys.management.commands.import_question_set import DEFAULT_SET, DEFAULT_SET_HISTORY

# What edition 2 adds for each gap of issue 14, with the kinds of product each applies to.
NEW = {
    "cost-known": "all",
    "cost-budget": "all",
    "cost-value": "all",
    "guard-output-rules": "all",
    "guard-fallback": "all",
    "brand-one-package": "all",
    "brand-sign-off": "all",
    "brand-data-separation": "all",
    "sec-secrets": "all",
    "sec-api-access": "realtime",
    "sec-dependency-scan": "all",
    "sec-artefact-integrity": "all",
    "sec-pretrained-provenance": "all",
    "priv-minimisation": "all",
    "priv-deletion": "all",
    "priv-opt-out": "all",
    "mon-on-call": "all",
    "data-feature-value": "all",
    "exp-staleness": "all",
}
# Edition 1 statements merged into others (docs/question-sets.md lists where each went).
MERGED = {
    "trace-data-versioning": "trace-lineage",
    "trace-environments": "trace-automated-deploy",
    "code-shared-libs": "brand-one-package",
    "exp-feedback-capture": "mon-perf-prod",
    "exp-test-design": "exp-online-test",
    "xai-domain-checks": "xai-global",
    "xai-customer-facing": "xai-local",
}


@pytest.fixture(scope="module")
def second() -> fmt.QuestionSetSpec:
    return fmt.parse(DEFAULT_SET.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def first() -> fmt.QuestionSetSpec:
    return fmt.parse(DEFAULT_SET_HISTORY[0].read_text(encoding="utf-8"))


def by_key(spec: fmt.QuestionSetSpec) -> dict[str, fmt.QuestionSpec]:
    return {q.key: q for q in spec.questions}


def test_both_editions_are_the_same_set_with_the_same_scale_and_levels(first, second):
    assert first.key == second.key == "mlops-maturity"
    # The same scale and levels; edition 2 also carries their Dutch and French words.
    assert [(o.key, o.label, o.score) for o in first.scale] == [
        (o.key, o.label, o.score) for o in second.scale
    ]
    assert [dataclasses.replace(level, translations={}) for level in second.levels] == list(
        first.levels
    )
    assert [o.translations["nl"]["label"] for o in second.scale] == ["Ja", "Deels", "Nee"]
    assert first.aggregation == second.aggregation == "weighted_mean"


def test_edition_two_says_which_edition_it_is_and_edition_one_is_unchanged(first, second):
    assert second.edition == "Edition 2 (December 2026)"
    assert first.edition == ""
    assert len(first.questions) == 65
    assert len(first.sections) == 7


def test_keys_are_unique(second):
    keys = [q.key for q in second.questions]
    assert len(keys) == len(set(keys))
    assert len(second.sections) == len({s.key for s in second.sections})


def test_every_statement_has_guidance_and_a_valid_applies_to(second):
    for question in second.questions:
        assert question.text.strip(), question.key
        assert question.why.strip(), question.key
        assert question.good.strip(), question.key
        assert question.evidence.strip(), question.key
        assert question.applies_to in {"all", "batch", "realtime"}, question.key


def test_the_new_statements_are_there_with_their_applies_to(first, second):
    new = set(by_key(second)) - set(by_key(first))
    assert new == set(NEW)
    for key, applies_to in NEW.items():
        assert by_key(second)[key].applies_to == applies_to, key


def test_the_only_statements_gone_are_the_merged_ones_and_each_went_somewhere(first, second):
    assert set(by_key(first)) - set(by_key(second)) == set(MERGED)
    assert set(MERGED.values()) <= set(by_key(second))


def test_training_serving_skew_is_asked_of_batch_products_too(first, second):
    assert by_key(first)["data-online-offline"].applies_to == "realtime"
    assert by_key(second)["data-online-offline"].applies_to == "all"


def test_the_double_barrelled_statements_are_split(second):
    questions = by_key(second)
    assert "secret" not in questions["code-config"].text.lower()
    assert "secret manager" in questions["sec-secrets"].text
    assert "rota" not in questions["mon-ownership"].text
    assert "rota" in questions["mon-on-call"].text
    assert "production model" not in questions["exp-baseline"].text
    assert "pseudonym" not in questions["data-access-control"].text
    assert "pseudonymous" in questions["priv-minimisation"].text


def test_the_set_keeps_a_sensible_size(second):
    assert 60 <= len(second.questions) <= 80


def test_it_survives_the_canonical_yaml_round_trip(second):
    assert fmt.parse(fmt.to_yaml(second)) == second
