"""The question-set workbook: what a reviewer sees, and reading it back through the format's rules.

Pure: no database. The views and the draft it becomes are in test_question_set_files.py.
"""

import datetime as dt
import io
import zipfile
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings

from surveys import question_set_excel as qx
from surveys import question_set_format as fmt
from tests.depth import cases
from tests.surveys.test_question_set_format import question_set_specs

DEFAULT = Path(__file__).resolve().parents[2] / "surveys" / "data" / "mlops_maturity.yaml"


@pytest.fixture(scope="module")
def default_text() -> str:
    return DEFAULT.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def default_spec(default_text) -> fmt.QuestionSetSpec:
    return fmt.parse(default_text)


@pytest.fixture(scope="module")
def default_xlsx(default_spec) -> bytes:
    return qx.write_workbook(
        default_spec, version=3, status="Published", exported=dt.date(2026, 11, 2)
    )


def edited(data: bytes, change) -> bytes:
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    change(workbook)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def problems_of(data: bytes) -> list[str]:
    with pytest.raises(fmt.QuestionSetError) as caught:
        qx.read_bytes(data)
    return [f"{p.where}: {p.message}" if p.where else p.message for p in caught.value.problems]


def row_of(workbook, sheet: str, column: int, value: str) -> int:
    for row in workbook[sheet].iter_rows(min_row=2):
        if row[column - 1].value == value:
            return row[0].row
    raise AssertionError(f"{value} not on {sheet}")


class TestRoundTrip:
    def test_the_default_set_reads_back_as_the_same_spec(self, default_spec, default_xlsx):
        assert qx.read_bytes(default_xlsx).spec == default_spec

    def test_yaml_to_excel_to_yaml_gives_the_same_text(self, default_text, default_xlsx):
        canonical = fmt.to_yaml(fmt.parse(default_text))
        assert fmt.to_yaml(qx.read_bytes(default_xlsx).spec) == canonical

    @settings(max_examples=cases(40), deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(question_set_specs())
    def test_any_valid_spec_survives_excel_and_back(self, spec):
        back = qx.read_bytes(qx.write_workbook(spec)).spec
        assert back == spec
        assert fmt.to_yaml(back) == fmt.to_yaml(spec)

    def test_text_that_looks_like_a_formula_stays_text(self, default_spec):
        first = default_spec.sections[0]
        tricky = ('=HYPERLINK("http://x","y")', "+1 stays text", "-2", "@SUM(A1)")
        question = replace(first.questions[0], text=tricky[0], why=tricky[1], good=tricky[2])
        section = replace(first, title=tricky[3], questions=(question, *first.questions[1:]))
        spec = replace(default_spec, sections=(section, *default_spec.sections[1:]))
        data = qx.write_workbook(spec)
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
            assert not any(b"<f>" in archive.read(n) for n in sheets)
        cell = openpyxl.load_workbook(io.BytesIO(data))["Questions"]["C2"]
        assert (cell.value, cell.data_type, cell.quotePrefix) == (tricky[0], "s", True)
        assert qx.read_bytes(data).spec == spec

    def test_a_blank_row_and_cells_typed_as_numbers_read_as_the_file_would(self, default_spec):
        data = qx.write_workbook(default_spec)

        def change(workbook):
            workbook["Questions"].insert_rows(5)
            workbook["Scale"]["B2"] = 1  # a label typed as a number is its text

        spec = qx.read_bytes(edited(data, change)).spec
        assert spec.questions == default_spec.questions
        assert spec.scale[0].label == "1"


class TestWhatAReviewerSees:
    def test_the_sheets_come_in_reading_order(self, default_xlsx):
        workbook = openpyxl.load_workbook(io.BytesIO(default_xlsx))
        assert workbook.sheetnames == ["About", "Questions", "Sections", "Scale", "Levels"]

    def test_one_row_per_question_with_every_field(self, default_spec, default_xlsx):
        sheet = openpyxl.load_workbook(io.BytesIO(default_xlsx))["Questions"]
        header = [c.value for c in sheet[1]]
        # The set's own columns, then a group per language it is translated into (nl, fr).
        per_language = ["text", "subsection", "why", "good", "evidence"]
        assert header == [
            "section", "key", "text", "weight", "core", "applies_to", "why", "good", "evidence",
            "na_allowed", "subsection",
        ] + [f"{field} ({lang})" for lang in ("nl", "fr") for field in per_language]  # fmt: skip
        assert sheet.max_row == 1 + len(default_spec.questions)
        q = default_spec.sections[0].questions[0]
        translated = [
            q.translations[lang].get(field) for lang in ("nl", "fr") for field in per_language
        ]
        assert [c.value for c in sheet[2]] == [
            default_spec.sections[0].key, q.key, q.text, 1, "yes", "all", q.why, q.good, q.evidence,
            "yes", None, *translated,
        ]  # fmt: skip
        assert translated[0].startswith("Het bedrijfsprobleem")

    def test_data_sheets_have_frozen_bold_filtered_headers_and_print_fit_to_width(
        self, default_xlsx
    ):
        workbook = openpyxl.load_workbook(io.BytesIO(default_xlsx))
        for name in ("Questions", "Sections", "Scale", "Levels"):
            sheet = workbook[name]
            assert sheet.freeze_panes == "A2", name
            assert sheet["A1"].font.b, name
            assert sheet.auto_filter.ref.startswith("A1:"), name
            assert sheet.print_title_rows == "$1:$1", name
            assert sheet.page_setup.orientation == "landscape", name
            assert sheet.page_setup.fitToWidth == 1, name
            assert sheet.sheet_properties.pageSetUpPr.fitToPage, name

    def test_long_texts_wrap_in_wide_columns(self, default_xlsx):
        sheet = openpyxl.load_workbook(io.BytesIO(default_xlsx))["Questions"]
        assert sheet.column_dimensions["C"].width >= 50
        assert sheet["C2"].alignment.wrap_text
        assert sheet["G2"].alignment.wrap_text

    def test_the_about_sheet_says_what_the_file_is_and_how_to_load_it_back(
        self, default_spec, default_xlsx
    ):
        sheet = openpyxl.load_workbook(io.BytesIO(default_xlsx))["About"]
        pairs = {row[0].value: row[1].value for row in sheet.iter_rows(max_col=2)}
        assert pairs["Question set key"] == default_spec.key
        assert pairs["Name"] == default_spec.name
        assert pairs["Aggregation"] == "weighted_mean"
        assert (pairs["Version"], pairs["Status"], pairs["Exported"]) == (
            "3",
            "Published",
            "2026-11-02",
        )
        words = " ".join(str(c.value) for c in sheet["A"] if c.value)
        assert "new draft" in words and "sheet, row and column" in words


class TestProblemsNameSheetRowAndColumn:
    def test_a_weight_that_is_not_a_number(self, default_xlsx):
        def change(workbook):
            workbook["Questions"]["D12"] = "heavy"

        assert problems_of(edited(default_xlsx, change)) == [
            "Questions, row 12, weight: 'weight' must be a number, not 'heavy'"
        ]

    def test_several_problems_are_listed_together_in_sheet_order(self, default_xlsx):
        def change(workbook):
            workbook["Levels"]["B3"] = 120
            workbook["Questions"]["F20"] = "api"
            workbook["Questions"]["E4"] = "maybe"

        assert problems_of(edited(default_xlsx, change)) == [
            "Questions, row 4, core: 'core' must be yes or no, not 'maybe'",
            "Questions, row 20, applies_to: applies_to 'api' is not one of all, batch, realtime",
            "Levels, row 3, min %: 'min' is 120; it must be at least 0 and at most 100",
        ]

    def test_a_duplicate_question_key_names_the_row(self, default_xlsx):
        def change(workbook):
            workbook["Questions"]["B9"] = workbook["Questions"]["B2"].value

        [problem] = problems_of(edited(default_xlsx, change))
        assert problem.startswith("Questions, row 9, key: question key 'doc-purpose' is used twice")

    def test_a_duplicate_section_key(self, default_xlsx):
        def change(workbook):
            workbook["Sections"]["A3"] = workbook["Sections"]["A2"].value

        found = problems_of(edited(default_xlsx, change))
        assert "Sections, row 3, key: section key 'documentation' is used twice" in found

    def test_a_question_in_an_unknown_section(self, default_xlsx):
        def change(workbook):
            workbook["Questions"]["A7"] = "docs"

        [problem] = problems_of(edited(default_xlsx, change))
        assert problem.startswith(
            "Questions, row 7, section: there is no section 'docs' on the Sections sheet"
        )

    def test_formulas_are_refused_where_values_belong(self, default_xlsx):
        def change(workbook):
            workbook["Questions"]["D3"] = "=1+1"
            workbook["Scale"]["C2"] = "=0.5*2"

        assert problems_of(edited(default_xlsx, change)) == [
            "Questions, row 3, weight: a formula (=1+1); type the value itself instead",
            "Scale, row 2, score: a formula (=0.5*2); type the value itself instead",
        ]

    def test_a_renamed_column_is_named_with_the_allowed_ones(self, default_xlsx):
        def change(workbook):
            workbook["Questions"]["D1"] = "wieght"

        assert problems_of(edited(default_xlsx, change)) == [
            "Questions, row 1, column D: unknown column 'wieght' (allowed: section, key, text, "
            "weight, core, applies_to, why, good, evidence, na_allowed, subsection; per language "
            "text (nl), subsection (nl), why (nl), good (nl), evidence (nl) and so on, with a "
            "language code from en, nl, fr, de, el, ro, cs)"
        ]

    def test_a_missing_required_column(self, default_xlsx):
        def change(workbook):
            workbook["Scale"].delete_cols(3)

        [problem] = problems_of(edited(default_xlsx, change))
        assert problem.startswith("Scale: the column 'score' is missing from the first row")

    def test_optional_columns_may_be_left_out_and_take_the_format_defaults(self, default_xlsx):
        def change(workbook):
            workbook["Questions"].delete_cols(4, 3)  # weight, core, applies_to

        spec = qx.read_bytes(edited(default_xlsx, change)).spec
        assert {q.weight for q in spec.questions} == {Decimal(1)}
        assert spec.sections[0].questions[0].core is spec.sections[0].core

    def test_a_missing_sheet_names_the_sheets_there_are(self, default_xlsx):
        def change(workbook):
            del workbook["Levels"]

        assert problems_of(edited(default_xlsx, change)) == [
            "Levels: the workbook has no 'Levels' sheet "
            "(its sheets: 'About', 'Questions', 'Sections', 'Scale')"
        ]

    def test_extra_sheets_are_ignored_and_named(self, default_spec, default_xlsx):
        def change(workbook):
            workbook.create_sheet("Reviewer notes")["A1"] = "=SUM(1,2)"

        read = qx.read_bytes(edited(default_xlsx, change))
        assert (read.spec, read.ignored_sheets) == (default_spec, ("Reviewer notes",))

    def test_merged_cells_in_a_data_sheet(self, default_xlsx):
        def change(workbook):
            workbook["Questions"].merge_cells("G5:I5")

        assert problems_of(edited(default_xlsx, change)) == [
            "Questions, row 5: cells G5:I5 are merged; unmerge them so every value has its own cell"
        ]

    def test_merged_cells_in_the_first_row_are_a_problem_not_a_crash(self, default_xlsx):
        def change(workbook):
            workbook["Scale"].merge_cells("A1:B1")  # Excel keeps A1's name, drops B1's

        assert problems_of(edited(default_xlsx, change)) == [
            "Scale: the column 'label' is missing from the first row "
            "(found: key, score, label (nl), label (fr))"
        ]

    def test_a_section_left_without_questions(self, default_xlsx):
        def change(workbook):
            sheet = workbook["Sections"]
            sheet.append(["spare", "Spare section", "no", "", 99])

        row = len(fmt.parse(DEFAULT.read_text(encoding="utf-8")).sections) + 2  # header, sections
        assert problems_of(edited(default_xlsx, change)) == [
            f"Sections, row {row}, key: section 'spare' has no questions on the Questions sheet"
        ]

    def test_an_empty_key_in_the_about_sheet(self, default_xlsx):
        def change(workbook):
            workbook["About"]["B3"] = None

        assert problems_of(edited(default_xlsx, change)) == [
            "About, row 3, Question set key: 'key' must not be empty"
        ]

    def test_sections_follow_their_order_column(self, default_spec, default_xlsx):
        def change(workbook):
            workbook["Sections"]["E2"] = 50

        spec = qx.read_bytes(edited(default_xlsx, change)).spec
        assert spec.sections[-1].key == default_spec.sections[0].key
        assert spec.sections[:-1] == default_spec.sections[1:]

    def test_invisible_characters_in_a_key_are_named(self, default_xlsx):
        def change(workbook):
            workbook["Questions"]["B2"] = "doc\u200b-purpose"

        [problem] = problems_of(edited(default_xlsx, change))
        assert problem.startswith("Questions, row 2, key: key 'doc\u200b-purpose' must be")


class TestNotAWorkbook:
    @pytest.mark.parametrize(
        ("data", "says"),
        [
            (b"key: x\n", "not an Excel workbook"),
            (b"PK\x03\x04" + b"\0" * 64, "damaged"),
            (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64, "old Excel 97-2003"),
            (b"", "empty"),
        ],
    )
    def test_it_says_what_is_wrong_with_the_file(self, data, says):
        [problem] = problems_of(data)
        assert says in problem

    def test_a_truncated_workbook_is_damaged(self, default_xlsx):
        [problem] = problems_of(default_xlsx[: len(default_xlsx) // 2])
        assert "damaged" in problem


def test_a_sheet_stretched_far_past_its_data_is_refused_without_reading_every_cell(
    default_xlsx,
):
    def change(workbook):
        workbook["Questions"]["ZZ60000"] = "far away"

    [problem] = problems_of(edited(default_xlsx, change))
    assert problem.startswith("Questions: the sheet reaches row 60000 and column 702")


def test_sheet_names_are_found_whatever_their_case_and_named_as_documented(default_xlsx):
    def change(workbook):
        sheet = workbook["Questions"]
        sheet.title = "renamed"  # openpyxl would number a name differing only in case
        sheet.title = "questions"
        sheet["D2"] = 0

    assert problems_of(edited(default_xlsx, change)) == [
        "Questions, row 2, weight: 'weight' is 0; it must be more than 0 and at most 5"
    ]
