"""`manage.py import_question_set`: loads a YAML file as the next version, or nothing at all."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from surveys.models import Question, QuestionSet, QuestionSetVersion, VersionStatus
from tests.factories import CURRENT_SET, DEFAULT_SET

pytestmark = pytest.mark.usefixtures("no_question_sets")


def run(*args) -> str:
    out = StringIO()
    call_command("import_question_set", *args, stdout=out)
    return out.getvalue()


def counts() -> tuple[int, int, int]:
    return QuestionSet.objects.count(), QuestionSetVersion.objects.count(), Question.objects.count()


def test_with_no_file_it_loads_both_editions_of_the_default_set_on_a_new_database():
    output = run()
    first, second = QuestionSetVersion.objects.order_by("number")
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
    version = QuestionSetVersion.objects.get(number=2)
    orders = list(version.questions.values_list("order", flat=True))
    assert orders == list(range(len(orders)))
    assert version.questions.first().key == "doc-purpose"


def test_a_second_run_changes_nothing():
    run()
    before = counts()
    output = run()
    assert counts() == before
    assert before[:2] == (1, 2)
    assert "nothing changed" in output
    output = run(str(CURRENT_SET))
    assert counts() == before
    assert "nothing changed" in output


def test_a_database_on_edition_one_gets_edition_two_as_its_next_version():
    run(str(DEFAULT_SET))
    assert QuestionSetVersion.objects.count() == 1
    run()
    assert list(QuestionSetVersion.objects.order_by("number").values_list("number", flat=True)) == [
        1,
        2,
    ]
    assert "sec-secrets" in QuestionSetVersion.objects.get(number=2).questions.values_list(
        "key", flat=True
    )


def test_edition_one_is_not_loaded_again_into_a_set_that_exists(tmp_path):
    """Earlier editions are history for new databases only: never appended after newer ones."""
    run(str(CURRENT_SET))
    run()
    assert QuestionSetVersion.objects.count() == 1


def test_it_can_keep_the_new_version_a_draft():
    run("--draft")
    first, second = QuestionSetVersion.objects.order_by("number")
    assert first.status == VersionStatus.PUBLISHED
    assert second.status == VersionStatus.DRAFT
    assert second.published_at is None


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
