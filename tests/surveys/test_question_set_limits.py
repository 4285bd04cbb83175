"""One validator for what a question set's fields may hold: the database columns' sizes and
decimal places and Excel's cell limit. The command, the browser upload (YAML and Excel) and
the draft forms all refuse a value that does not fit, naming its line or cell, and write
nothing; nothing is cut or rounded on the way in.

The whole file runs on SQLite and on PostgreSQL (DATABASE_URL); the tests marked postgres
show what the validator protects against there.
"""

import io
from decimal import Decimal
from io import StringIO

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.db import DataError, transaction

from scoring import engine
from scoring.selectors.scores import version_spec
from surveys import question_set_excel as qx
from surveys import question_set_format as fmt
from surveys import selectors, services
from surveys.models import (
    LevelBand,
    QuestionSet,
    QuestionSetVersion,
    question_set_limits,
)
from surveys.services import versions
from surveys.services.versions import DraftInvalid, QuestionEdit

pytestmark = pytest.mark.usefixtures("no_question_sets")

SMALL = """\
key: tiny-set
name: A tiny set
aggregation: weighted_mean
scale:
  - key: "yes"
    label: "Yes"
    score: 1
  - key: "no"
    label: "No"
    score: 0
levels:
  - name: Starting
    min: 0
  - name: Growing
    min: {second_min}
sections:
  - key: basics
    title: Basics
    questions:
      - key: basics-one
        text: {text}
        weight: {weight}
      - key: basics-two
        text: The second statement holds.
"""


def small(*, second_min="50", text="The first statement holds.", weight="1") -> str:
    return SMALL.format(second_min=second_min, text=text, weight=weight)


def run(tmp_path, text: str) -> str:
    path = tmp_path / "set.yaml"
    path.write_text(text, encoding="utf-8")
    out = StringIO()
    call_command("import_question_set", str(path), stdout=out)
    return out.getvalue()


def refused(tmp_path, text: str) -> str:
    with pytest.raises(CommandError) as caught:
        run(tmp_path, text)
    assert QuestionSet.objects.count() == 0, "nothing may be written"
    return str(caught.value)


def test_the_format_limits_are_the_model_columns():
    assert question_set_limits() == fmt.LIMITS


class TestTheCommand:
    def test_a_level_name_longer_than_its_column_is_refused_with_its_line(self, tmp_path):
        text = small().replace("name: Growing", "name: " + "G" * 61)
        message = refused(tmp_path, text)
        assert "line 14, level 2: 'name' is 61 characters long; at most 60 are kept" in message

    def test_a_scale_key_longer_than_its_column_is_refused_with_its_line(self, tmp_path):
        long_key = "n" * 34
        text = small().replace('key: "no"', f"key: {long_key}")
        message = refused(tmp_path, text)
        assert f"line 8, scale option 2: key '{long_key}' must be lowercase letters" in message
        assert "at most 30" in message

    def test_a_section_title_and_set_name_too_long_are_both_listed(self, tmp_path):
        text = small().replace("title: Basics", "title: " + "B" * 201)
        text = text.replace("name: A tiny set", "name: " + "N" * 201)
        message = refused(tmp_path, text)
        assert "line 2, question set: 'name' is 201 characters long; at most 200" in message
        assert "line 18, section 'basics': 'title' is 201 characters long" in message

    def test_a_statement_longer_than_an_excel_cell_is_refused(self, tmp_path):
        message = refused(tmp_path, small(text="x" * (fmt.EXCEL_CELL_CHARS + 1)))
        assert (
            "line 21, question 'basics-one': 'text' is 32768 characters long; "
            "at most 32767 are kept (the most an Excel cell holds)"
        ) in message

    def test_a_level_minimum_with_too_many_decimals_is_refused_not_rounded(self, tmp_path):
        message = refused(tmp_path, small(second_min="14.28571"))
        assert (
            "line 15, level 2: 'min' is 14.28571; it can have at most 4 decimal places"
        ) in message

    def test_a_tiny_level_minimum_is_refused_rather_than_becoming_zero(self, tmp_path):
        message = refused(tmp_path, small(second_min="0.00001"))
        assert "line 15, level 2: 'min' is 0.00001; it can have at most 4 decimal places" in message

    def test_a_weight_with_more_decimals_than_stored_is_refused(self, tmp_path):
        message = refused(tmp_path, small(weight="1.255"))
        assert "line 22, question 'basics-one': 'weight' is 1.255; it can have at most 2" in message

    def test_a_score_with_more_decimals_than_stored_is_refused(self, tmp_path):
        message = refused(tmp_path, small().replace("score: 0", "score: 0.3333"))
        assert "line 10, scale option 2: 'score' is 0.3333; it can have at most 3" in message


class TestExactValuesAreKept:
    def test_a_level_minimum_of_a_seventh_is_stored_exactly(self, tmp_path):
        run(tmp_path, small(second_min="14.2857"))
        band = LevelBand.objects.get(name="Growing")
        assert band.min_percent == Decimal("14.2857")

    def test_a_tiny_first_step_keeps_an_all_no_assessment_on_the_first_level(self, tmp_path):
        run(tmp_path, small(second_min="0.0001"))
        version = QuestionSetVersion.objects.get()
        answers = [
            engine.AnswerInput(question="basics-one", option="no"),
            engine.AnswerInput(question="basics-two", option="no"),
        ]
        assert engine.score(version_spec(version), answers, "batch").level == "Starting"

    def test_the_downloaded_yaml_loads_again_as_the_same_version(self, tmp_path):
        run(tmp_path, small(second_min="0.0001", weight="1.25"))
        version = QuestionSetVersion.objects.get()
        text = fmt.to_yaml(selectors.version_as_spec(version))
        assert "min: 0.0001" in text
        assert run(tmp_path, text).endswith("already holds this content; nothing changed.\n")

    def test_the_longest_statement_an_excel_cell_holds_round_trips(self, tmp_path):
        longest = "y" * fmt.EXCEL_CELL_CHARS
        run(tmp_path, small(text=longest))
        spec = selectors.version_as_spec(QuestionSetVersion.objects.get())
        back = qx.read_bytes(qx.write_workbook(spec)).spec
        assert fmt.to_yaml(back) == fmt.to_yaml(spec)
        assert back.questions[0].text == longest


def workbook_with(change) -> bytes:
    spec = fmt.parse(small())
    workbook = openpyxl.load_workbook(io.BytesIO(qx.write_workbook(spec)))
    change(workbook)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.fixture
def tiny(tmp_path):
    run(tmp_path, small())
    return QuestionSetVersion.objects.get()


def stored_versions() -> int:
    return QuestionSetVersion.objects.count()


class TestTheUploadAndTheDraftForms:
    def test_a_workbook_names_the_cell_that_does_not_fit(self, tiny, group_admin):
        def change(workbook):
            workbook["Levels"]["A3"] = "L" * 61
            workbook["Questions"]["D2"] = 0.125
            workbook["Scale"]["A3"] = "k" * 31

        data = workbook_with(change)
        with pytest.raises(DraftInvalid) as caught:
            versions.version_draft_file_upload(
                question_set=tiny.question_set, user=group_admin, filename="s.xlsx", data=data
            )
        said = [str(p) for p in caught.value.problems]
        assert "file, Questions, row 2, weight: 'weight' is 0.125; it can have at most 2" in (
            "\n".join(said)
        )
        assert any(s.startswith("file, Scale, row 3, key: key 'kkk") for s in said)
        assert any("Levels, row 3, name: 'name' is 61 characters long" in s for s in said)
        assert stored_versions() == 1

    def test_a_yaml_upload_names_the_line(self, tiny, group_admin):
        data = small(second_min="33.33333").encode()
        with pytest.raises(DraftInvalid) as caught:
            versions.version_draft_file_upload(
                question_set=tiny.question_set, user=group_admin, filename="s.yaml", data=data
            )
        assert [str(p) for p in caught.value.problems] == [
            "line 15, level 2: 'min' is 33.33333; it can have at most 4 decimal places "
            "(more would be rounded when stored)"
        ]
        assert stored_versions() == 1

    def test_a_draft_edit_with_a_weight_too_precise_changes_nothing(self, tiny, group_admin):
        draft = services.version_draft_copy(version=tiny, user=group_admin)
        before = draft.source
        edit = QuestionEdit(text="Reworded.", section="basics", weight=Decimal("2.125"))
        with pytest.raises(DraftInvalid) as caught:
            services.draft_question_update(
                version=draft, user=group_admin, key="basics-one", edit=edit
            )
        assert "question 'basics-one': 'weight' is 2.125; it can have at most 2" in str(
            caught.value
        )
        draft.refresh_from_db()
        assert draft.source == before

    def test_a_draft_level_name_too_long_changes_nothing(self, tiny, group_admin):
        draft = services.version_draft_copy(version=tiny, user=group_admin)
        levels = [fmt.LevelSpec("Starting", Decimal(0)), fmt.LevelSpec("G" * 61, Decimal(50))]
        with pytest.raises(DraftInvalid) as caught:
            services.draft_scoring_update(
                version=draft, user=group_admin, aggregation="weighted_mean", levels=levels
            )
        assert "level 2: 'name' is 61 characters long; at most 60 are kept" in str(caught.value)
        assert list(draft.levels.values_list("name", flat=True)) == ["Starting", "Growing"]


@pytest.mark.postgres
def test_postgres_itself_refuses_what_the_validator_keeps_out(tiny):
    """Without the validator a 61-character level name ends in a DataError on PostgreSQL."""
    with pytest.raises(DataError), transaction.atomic():
        LevelBand.objects.create(version=tiny, name="G" * 61, min_percent=1, order=9)


@pytest.mark.postgres
def test_postgres_keeps_a_four_place_threshold_exactly(tmp_path):
    run(tmp_path, small(second_min="14.2857"))
    assert LevelBand.objects.get(name="Growing").min_percent == Decimal("14.2857")
