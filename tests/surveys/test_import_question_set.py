"""`manage.py import_question_set`: loads a YAML file as the next version, or nothing at all."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from surveys import question_set_format as fmt
from surveys.management.commands.import_question_set import (
    DEFAULT_SET as COMMAND_DEFAULT_SET,
)
from surveys.management.commands.import_question_set import SHIPPED_SETS
from surveys.models import Question, QuestionSet, QuestionSetVersion, VersionStatus
from tests.factories import CURRENT_SET, DEFAULT_SET

pytestmark = pytest.mark.usefixtures("no_question_sets")


def run(*args) -> str:
    out = StringIO()
    call_command("import_question_set", *args, stdout=out)
    return out.getvalue()


def counts() -> tuple[int, int, int]:
    return QuestionSet.objects.count(), QuestionSetVersion.objects.count(), Question.objects.count()


def main_version() -> QuestionSetVersion:
    return QuestionSetVersion.objects.get(question_set__key="mlops-maturity")


def main_versions() -> list[QuestionSetVersion]:
    return list(
        QuestionSetVersion.objects.filter(question_set__key="mlops-maturity").order_by("number")
    )


def test_with_no_file_it_loads_both_editions_of_the_default_set_on_a_new_database():
    output = run()
    first, second = main_versions()
    assert (first.number, second.number) == (1, 2)
    assert first.status == second.status == VersionStatus.PUBLISHED
    assert first.published_at is not None and second.published_at is not None
    assert first.questions.count() == 65
    assert first.sections.count() == 7
    assert 60 <= second.questions.count() <= 80
    assert second.sections.count() == 12
    assert second.edition == "Edition 2 (December 2026)"
    assert list(second.options.values_list("key", flat=True)) == ["yes", "partly", "no"]
    assert second.levels.count() == 5
    assert f"({second.questions.count()} questions, published)" in output
    assert "(65 questions, published)" in output


def test_it_keeps_the_question_order_of_the_file():
    run()
    version = main_versions()[-1]
    orders = list(version.questions.values_list("order", flat=True))
    assert orders == list(range(len(orders)))
    assert version.questions.first().key == "doc-purpose"


def test_a_second_run_changes_nothing():
    run()
    before = counts()
    output = run()
    assert counts() == before
    assert before[:2] == (len(SHIPPED_SETS), len(SHIPPED_SETS) + 1)
    assert "nothing changed" in output
    output = run(str(CURRENT_SET))
    assert counts() == before
    assert "nothing changed" in output


def test_a_database_on_edition_one_gets_edition_two_as_its_next_version():
    run(str(DEFAULT_SET))
    assert QuestionSetVersion.objects.count() == 1
    run()
    assert [v.number for v in main_versions()] == [1, 2]
    assert "sec-secrets" in main_versions()[1].questions.values_list("key", flat=True)


def test_edition_one_is_not_loaded_again_into_a_set_that_exists(tmp_path):
    """Earlier editions are history for new databases only: never appended after newer ones."""
    run(str(CURRENT_SET))
    run()
    assert len(main_versions()) == 1


def test_it_can_keep_the_new_version_a_draft():
    run("--draft")
    first, second = main_versions()
    assert first.status == VersionStatus.PUBLISHED
    assert second.status == VersionStatus.DRAFT
    assert second.published_at is None
    others = QuestionSetVersion.objects.exclude(question_set__key="mlops-maturity")
    assert others.count() == len(SHIPPED_SETS) - 1
    assert {v.status for v in others} == {VersionStatus.DRAFT}


def test_importing_a_draft_again_without_draft_publishes_it():
    run("--draft")
    run()
    assert set(QuestionSetVersion.objects.values_list("status", flat=True)) == {
        VersionStatus.PUBLISHED
    }


def test_a_changed_file_becomes_version_two(tmp_path):
    run(str(DEFAULT_SET))
    changed = tmp_path / "changed.yaml"
    changed.write_text(
        DEFAULT_SET.read_text(encoding="utf-8").replace(
            "The business problem the model addresses", "The business question the model answers"
        ),
        encoding="utf-8",
    )
    run(str(changed))
    numbers = list(QuestionSetVersion.objects.order_by("number").values_list("number", flat=True))
    assert numbers == [1, 2]
    assert QuestionSet.objects.count() == 1
    first, second = QuestionSetVersion.objects.order_by("number")
    assert first.questions.get(key="doc-purpose").text.startswith("The business problem")
    assert second.questions.get(key="doc-purpose").text.startswith("The business question")


def test_a_file_with_a_mistake_is_refused_naming_the_line_and_nothing_is_written(tmp_path):
    run(str(DEFAULT_SET))
    before = counts()
    lines = DEFAULT_SET.read_text(encoding="utf-8").splitlines(keepends=True)
    line = next(n for n, text in enumerate(lines, start=1) if text.strip() == "weight: 1")
    lines[line - 1] = lines[line - 1].replace("weight: 1", "weight: 7")
    bad = tmp_path / "bad.yaml"
    bad.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(CommandError) as caught:
        run(str(bad))
    message = str(caught.value)
    assert "nothing was imported" in message
    assert f"line {line}, question 'doc-purpose': 'weight' is 7" in message
    assert counts() == before


def test_a_broken_yaml_file_into_an_empty_database_writes_nothing(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("key: x\nname: [unclosed\n", encoding="utf-8")
    with pytest.raises(CommandError, match="line 3: not valid YAML"):
        run(str(bad))
    assert counts() == (0, 0, 0)


def test_a_missing_file_is_refused(tmp_path):
    missing = tmp_path / "nowhere.yaml"
    with pytest.raises(CommandError, match="cannot read the file") as caught:
        run(str(missing))
    assert str(missing) in str(caught.value)
    assert counts() == (0, 0, 0)


def test_a_file_that_is_not_text_is_refused(tmp_path):
    binary = tmp_path / "set.yaml"
    binary.write_bytes(b"\xff\xfe\x00\x01garbage")
    with pytest.raises(CommandError, match="cannot read the file"):
        run(str(binary))
    assert counts() == (0, 0, 0)


def test_importing_while_a_draft_is_pending_names_the_draft_and_writes_nothing(tmp_path):
    default = DEFAULT_SET.read_text()
    call_command("import_question_set", str(DEFAULT_SET), "--draft", stdout=StringIO())
    changed = tmp_path / "changed.yaml"
    changed.write_text(default.replace("name: MLOps maturity assessment", "name: Renamed set", 1))
    before = QuestionSetVersion.objects.count()
    with pytest.raises(CommandError, match="already has a draft"):
        call_command("import_question_set", str(changed), stdout=StringIO())
    assert QuestionSetVersion.objects.count() == before


# With no file: every set that ships with Yardstick.

SHIPPED_KEYS = ["mlops-maturity", "ml-test-rubric", "genai-products"]


def test_the_default_set_constant_is_still_the_main_sets_file():
    # tests.factories.DEFAULT_SET is the stable first edition; CURRENT_SET the current one.
    assert COMMAND_DEFAULT_SET == CURRENT_SET
    assert SHIPPED_SETS[0] == CURRENT_SET
    assert [fmt.parse(p.read_text(encoding="utf-8")).key for p in SHIPPED_SETS] == SHIPPED_KEYS


def test_with_no_file_it_loads_every_shipped_set_published_and_active_the_main_set_main():
    output = run()
    sets = {s.key: s for s in QuestionSet.objects.all()}
    assert sorted(sets) == sorted(SHIPPED_KEYS)
    assert [k for k, s in sets.items() if s.is_main] == ["mlops-maturity"]
    assert all(s.active for s in sets.values())
    for key in SHIPPED_KEYS:
        # The main set's current edition follows its first one (version 2).
        version = QuestionSetVersion.objects.filter(question_set__key=key).latest("number")
        assert version.number == (2 if key == "mlops-maturity" else 1)
        assert version.status == VersionStatus.PUBLISHED
        assert f"{version} ({version.questions.count()} questions, published)" in output
    assert "inactive" not in output


def test_loading_every_shipped_set_twice_changes_nothing():
    run()
    before = counts()
    sources = dict(QuestionSetVersion.objects.values_list("pk", "source"))
    output = run()
    assert counts() == before == (3, 4, before[2])
    assert dict(QuestionSetVersion.objects.values_list("pk", "source")) == sources
    assert output.count("nothing changed") == len(SHIPPED_SETS)


def test_a_shipped_set_a_group_admin_retired_stays_retired(group_admin):
    from surveys.services import question_set_activate

    run()
    rubric = QuestionSet.objects.get(key="ml-test-rubric")
    question_set_activate(question_set=rubric, user=group_admin, active=False)
    run()
    rubric.refresh_from_db()
    assert not rubric.active


def test_a_shipped_set_after_other_sets_still_arrives_active_but_not_main():
    run(str(DEFAULT_SET))
    run()
    assert QuestionSet.objects.get(key="mlops-maturity").is_main
    assert QuestionSet.objects.get(key="genai-products").active
    assert not QuestionSet.objects.get(key="genai-products").is_main


def test_a_set_loaded_from_a_named_file_beside_others_stays_inactive(tmp_path):
    run(str(DEFAULT_SET))
    output = run(str(SHIPPED_SETS[1]))
    assert not QuestionSet.objects.get(key="ml-test-rubric").active
    assert "inactive until a group admin activates it" in output


def test_a_pending_draft_on_one_shipped_set_is_named_and_the_others_still_load(tmp_path):
    text = SHIPPED_SETS[2].read_text(encoding="utf-8")
    changed = tmp_path / "genai.yaml"
    changed.write_text(text.replace("name: GenAI and LLM products", "name: GenAI (draft)", 1))
    call_command("import_question_set", str(changed), "--draft", stdout=StringIO())
    with pytest.raises(CommandError, match="GenAI \\(draft\\) already has a draft") as caught:
        run()
    assert str(SHIPPED_SETS[2]) in str(caught.value)
    assert QuestionSetVersion.objects.filter(question_set__key="mlops-maturity").count() == 2
    assert QuestionSetVersion.objects.filter(question_set__key="ml-test-rubric").count() == 1
    assert QuestionSetVersion.objects.filter(question_set__key="genai-products").count() == 1
