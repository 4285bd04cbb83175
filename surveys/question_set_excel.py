"""Question sets as Excel workbooks: written for reviewers, read back as a spec.

The workbook is another face of the YAML file (surveys/question_set_format.py),
not a second format with rules of its own. Reading turns the sheets into the
same nested data the YAML parser produces and runs the format's own validation,
so a workbook is refused for exactly the reasons a YAML file would be; only the
place changes: a problem names the sheet, row and column ("Questions, row 12,
weight: ...") instead of a line. Writing and reading are inverse:
`read(write(spec)) == spec`, so YAML -> Excel -> YAML gives the same text.

Pure apart from openpyxl and Django's gettext: problems and the how-to are in the
language of the person loading or downloading; sheet names, column names and the About
sheet's labels are the file format and never translated. Opening an uploaded file safely
(size, zip bombs, corrupt files, XML entities) is surveys/spreadsheets.py's job;
`read_workbook` takes the workbook it opened.
"""

import datetime as dt
import io
import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

import openpyxl
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from surveys import question_set_format as fmt
from surveys.spreadsheets import (
    Limits,
    SpreadsheetError,
    clean_text,
    formula_text,
    is_formula,
    normalise_header,
    open_workbook,
    write_text,
)

ABOUT, SECTIONS, QUESTIONS, SCALE, LEVELS = "About", "Sections", "Questions", "Scale", "Levels"
YES, NO = "yes", "no"
_TRUE = {"yes", "y", "true", "1", "x"}
_FALSE = {"no", "n", "false", "0"}
MAX_ROWS = 2000
# The base columns plus five per language at most (Questions: text, subsection, why, good,
# evidence in each of six other languages).
MAX_COLUMNS = 60


class _Formula:
    def __repr__(self) -> str:
        return "a formula"


FORMULA = _Formula()


@dataclass(frozen=True)
class Column:
    """One column of a data sheet: its header (also the name problems use) and its YAML field.

    kind: "text", "number" (left to the format's checks), "flag" (yes/no) or "order".
    """

    header: str
    field: str
    width: int
    kind: str = "text"
    required: bool = False
    wrap: bool = False
    # Set on a translation's column ("text (nl)"); its field is "nl:text".
    language: str = ""


def translation_columns(
    columns: tuple[Column, ...], fields: tuple[str, ...], languages: Iterable[str]
) -> tuple[Column, ...]:
    """One column per translated field and language, language by language, after `columns`."""
    widths = {c.field: c.width for c in columns}
    wraps = {c.field: c.wrap for c in columns}
    return tuple(
        Column(
            f"{name} ({language})",
            f"{language}:{name}",
            widths.get(name, 30),
            wrap=wraps.get(name, True),
            language=language,
        )
        for language in languages
        for name in fields
    )


QUESTION_COLUMNS = (
    Column("section", "section", 16, required=True),
    Column("key", "key", 24, required=True),
    Column("text", "text", 60, required=True, wrap=True),
    Column("weight", "weight", 9, kind="number"),
    Column("core", "core", 7, kind="flag"),
    Column("applies_to", "applies_to", 11),
    Column("why", "why", 45, wrap=True),
    Column("good", "good", 45, wrap=True),
    Column("evidence", "evidence", 45, wrap=True),
    Column("na_allowed", "na_allowed", 11, kind="flag"),
    Column("subsection", "subsection", 24, wrap=True),
)
SECTION_COLUMNS = (
    Column("key", "key", 22, required=True),
    Column("title", "title", 32, required=True, wrap=True),
    Column("core", "core", 7, kind="flag"),
    Column("description", "description", 80, wrap=True),
    Column("order", "order", 7, kind="order"),
)
SCALE_COLUMNS = (
    Column("key", "key", 16, required=True),
    Column("label", "label", 24, required=True),
    Column("score", "score", 8, kind="number", required=True),
)
LEVEL_COLUMNS = (
    Column("name", "name", 20, required=True),
    Column("min %", "min", 8, kind="number", required=True),
    Column("description", "description", 90, wrap=True),
)
DATA_SHEETS = {
    SECTIONS: SECTION_COLUMNS,
    QUESTIONS: QUESTION_COLUMNS,
    SCALE: SCALE_COLUMNS,
    LEVELS: LEVEL_COLUMNS,
}
# The About sheet is a list of "label | value" rows; these labels are read back, so they are
# the format's words, the same in every language (like the sheet and column names).
ABOUT_FIELDS = {
    "key": "Question set key",
    "name": "Name",
    "description": "Description",
    "aggregation": "Aggregation",
    "level_boundary": "Level boundary",
    "display": "Display",
    "na_allowed": "N/A allowed",
    "source": "Source",
    "licence": "Licence",
    "edition": "Edition",
}
METADATA_FIELDS = ("source", "licence", "edition")
# Rows of the About sheet for the set's source language and its name and description in others.
LANGUAGE_LABEL = "Language"
SHEET_TRANSLATIONS = {
    QUESTIONS: fmt.QUESTION_TEXTS,
    SECTIONS: fmt.SECTION_TEXTS,
    SCALE: fmt.OPTION_TEXTS,
    LEVELS: fmt.LEVEL_TEXTS,
}


def _about_translation_label(name: str, language: str) -> str:
    return f"{ABOUT_FIELDS[name]} ({language})"


# Not read back, but they sit among the labels above: the format's words too.
ABOUT_INFO = ("Version", "Status", "Exported")

# For people, in their language: (heading?, text). Names in quotes are the format's own
# (sheets, columns, labels) and stay as they are.
HOW_TO = (
    (True, gettext_lazy("How to read this workbook")),
    (
        False,
        gettext_lazy(
            "Questions: one row per statement, in the order they are asked, grouped by the key of"
            " their section. 'weight' is more than 0 and at most 5; 'core' is yes or no; "
            "'applies_to' is all, batch or realtime; 'na_allowed' is yes or no (whether N/A is an"
            " answer to it; 'N/A allowed' on this sheet is the set's default); why, good and "
            "evidence are the guidance an assessor reads."
        ),
    ),
    (
        False,
        gettext_lazy(
            "Sections: one row per section, in the order of the 'order' column. A question takes "
            "its core flag from its own row."
        ),
    ),
    (
        False,
        gettext_lazy(
            "Scale: the answer options with their score between 0 and 1. Any statement can also "
            "be answered N/A with a reason, which leaves it out of the score."
        ),
    ),
    (
        False,
        gettext_lazy(
            "Levels: the maturity bands; each starts at its 'min %' of the overall figure, "
            "rising, the first at 0. 'Level boundary' on this sheet says whether a band starts at"
            " its minimum (at_or_above) or just above it (above). 'Display' is percent, or points"
            " to show one assessment's figures also as points ('2.5 of 7'). Source, licence and "
            "edition say where the set comes from; they may be left empty."
        ),
    ),
    (True, gettext_lazy("How to edit and load it back")),
    (
        False,
        gettext_lazy(
            "Change cells, add or delete rows; keep the sheet names and the column names in the "
            "first row. A question's key ties it to its answers in earlier versions: keep it when"
            " rewording, use a new key for a new statement. Keys are lowercase letters, digits "
            "and dashes."
        ),
    ),
    (
        False,
        gettext_lazy(
            "Type values, not formulas, and do not merge cells. Other sheets you add are ignored."
        ),
    ),
    (
        False,
        gettext_lazy(
            "Translations: 'Language' on this sheet is the language the set is written in (en "
            "when empty). A column whose name ends in a language code, such as 'text (nl)' or "
            "'why (fr)', holds that text in that language; add such columns for a new language "
            "(Questions: text, subsection, why, good, evidence; Sections: title, description; "
            "Scale: label; Levels: name, description; this sheet: 'Name (nl)', 'Description "
            "(nl)'). An empty cell shows the text in the set's own language. Keys, weights and "
            "scores are never translated."
        ),
    ),
    (
        False,
        gettext_lazy(
            "A group admin loads the file under Question sets in Yardstick: it becomes a new "
            "draft version of the set, checked as a whole. If anything is wrong nothing is saved "
            "and every problem is listed with its sheet, row and column."
        ),
    ),
)


# Writing.

_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="3B4A5A")
_TOP = Alignment(vertical="top")
_WRAP = Alignment(vertical="top", wrap_text=True)


def _number(value: Decimal) -> int | float:
    """A Decimal as the YAML writer puts it, so both files hold the same number."""
    return int(value) if value == value.to_integral_value() else float(value)


def _flag(value: bool) -> str:
    return YES if value else NO


def _data_sheet(workbook, title: str, columns: tuple[Column, ...], rows: Iterable[tuple]) -> None:
    sheet = workbook.create_sheet(title)
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index)
        write_text(cell, column.header)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = _TOP
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    count = 1
    for count, values in enumerate(rows, start=2):
        for index, (column, value) in enumerate(zip(columns, values, strict=True), start=1):
            cell = sheet.cell(row=count, column=index)
            write_text(cell, value)
            cell.alignment = _WRAP if column.wrap else _TOP
    last = get_column_letter(len(columns))
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{last}{max(count, 1)}"
    sheet.print_title_rows = "1:1"
    _print_landscape(sheet)
    for index, column in enumerate(columns, start=1):
        choices = {"flag": '"yes,no"'}.get(column.kind)
        if column.field == "applies_to":
            choices = '"' + ",".join(fmt.APPLIES_TO) + '"'
        if choices and count > 1:
            letter = get_column_letter(index)
            check = DataValidation(type="list", formula1=choices, allow_blank=True)
            check.add(f"{letter}2:{letter}{count}")
            sheet.add_data_validation(check)


def _print_landscape(sheet) -> None:
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def _about_sheet(workbook, spec: fmt.QuestionSetSpec, info: dict[str, str]) -> None:
    sheet = workbook.active
    sheet.title = ABOUT
    sheet.column_dimensions["A"].width = 22
    sheet.column_dimensions["B"].width = 100
    title = sheet.cell(row=1, column=1)
    write_text(title, _("Yardstick question set"))
    title.font = Font(bold=True, size=14)
    values = {
        "key": spec.key,
        "name": spec.name,
        "description": spec.description,
        "aggregation": spec.aggregation,
        "level_boundary": spec.level_boundary,
        "display": spec.display,
        "na_allowed": _flag(spec.na_allowed),
        "source": spec.source,
        "licence": spec.licence,
        "edition": spec.edition,
    }
    row = 3
    for field_name, label in ABOUT_FIELDS.items():
        _about_row(sheet, row, label, values[field_name])
        row += 1
    languages = spec.translated_languages
    if languages or spec.language != fmt.SOURCE_LANGUAGE:
        _about_row(sheet, row, LANGUAGE_LABEL, spec.language)
        row += 1
    for language in languages:
        texts = spec.translations.get(language, {})
        for name in fmt.SET_TEXTS:
            _about_row(sheet, row, _about_translation_label(name, language), texts.get(name, ""))
            row += 1
    for label in ABOUT_INFO:
        _about_row(sheet, row, label, info.get(label, ""))
        row += 1
    row += 1
    for heading, line in HOW_TO:
        line = str(line)
        cell = sheet.cell(row=row, column=1)
        write_text(cell, line)
        if heading:
            cell.font = Font(bold=True)
            row += 1
            continue
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=2)
        cell.alignment = _WRAP
        # Merged cells do not grow with their text: give the row the height of its lines.
        sheet.row_dimensions[row].height = 15 * (len(line) // 110 + 1)
        row += 1
    _print_landscape(sheet)


def _about_row(sheet, row: int, label: str, value: str) -> None:
    head = sheet.cell(row=row, column=1)
    write_text(head, label)
    head.font = Font(bold=True)
    head.alignment = _TOP
    cell = sheet.cell(row=row, column=2)
    write_text(cell, value)
    cell.alignment = _WRAP


def write_workbook(
    spec: fmt.QuestionSetSpec,
    *,
    version: int | None = None,
    status: str = "",
    exported: dt.date | None = None,
) -> bytes:
    """The .xlsx bytes of `spec`, laid out for a reviewer and readable by `read_workbook`."""
    workbook = openpyxl.Workbook()
    info = {
        "Version": str(version) if version is not None else "",
        "Status": status,
        "Exported": exported.isoformat() if exported else "",
    }
    _about_sheet(workbook, spec, info)
    languages = spec.translated_languages

    def columns(title: str, base: tuple[Column, ...]) -> tuple[Column, ...]:
        return base + translation_columns(base, SHEET_TRANSLATIONS[title], languages)

    def texts(item, title: str) -> tuple[str, ...]:
        return tuple(
            item.translations.get(language, {}).get(name, "")
            for language in languages
            for name in SHEET_TRANSLATIONS[title]
        )

    _data_sheet(
        workbook,
        QUESTIONS,
        columns(QUESTIONS, QUESTION_COLUMNS),
        (
            (
                section.key,
                q.key,
                q.text,
                _number(q.weight),
                _flag(q.core),
                q.applies_to,
                q.why,
                q.good,
                q.evidence,
                _flag(q.na_allowed),
                q.subsection,
                *texts(q, QUESTIONS),
            )
            for section in spec.sections
            for q in section.questions
        ),
    )
    _data_sheet(
        workbook,
        SECTIONS,
        columns(SECTIONS, SECTION_COLUMNS),
        (
            (s.key, s.title, _flag(s.core), s.description, order, *texts(s, SECTIONS))
            for order, s in enumerate(spec.sections, start=1)
        ),
    )
    _data_sheet(
        workbook,
        SCALE,
        columns(SCALE, SCALE_COLUMNS),
        ((o.key, o.label, _number(o.score), *texts(o, SCALE)) for o in spec.scale),
    )
    _data_sheet(
        workbook,
        LEVELS,
        columns(LEVELS, LEVEL_COLUMNS),
        (
            (lv.name, _number(lv.min_percent), lv.description, *texts(lv, LEVELS))
            for lv in spec.levels
        ),
    )
    workbook.properties.title = f"{spec.name} ({spec.key})"
    workbook.properties.creator = "Yardstick"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# Reading.


@dataclass(frozen=True)
class Place:
    sheet: str
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        parts = [self.sheet]
        if self.row is not None:
            parts.append(_("row %(number)s") % {"number": self.row})
        if self.column:
            parts.append(self.column)
        return ", ".join(parts)


@dataclass(frozen=True)
class WorkbookRead:
    spec: fmt.QuestionSetSpec
    ignored_sheets: tuple[str, ...] = ()


@dataclass
class _Reader:
    """Builds the YAML-shaped data, remembering where in the workbook each value came from.

    The format's checker reports a problem at the "line" of the mapping or field it
    concerns; each mapping and field here gets a unique number standing for its
    sheet, row and column, which turns the checker's problems back into places.
    """

    problems: list[fmt.Problem] = field(default_factory=list)
    places: dict[int, Place] = field(default_factory=dict)
    counter: itertools.count = field(default_factory=lambda: itertools.count(1))
    silenced: set[int] = field(default_factory=set)
    order: list[tuple[int, int]] = field(default_factory=list)
    incomplete: bool = False

    def mark(self, place: Place) -> int:
        number = next(self.counter)
        self.places[number] = place
        return number

    def add(self, place: Place, message: str) -> None:
        self.problems.append(fmt.Problem(None, str(place), message))
        self.order.append(_sort_key(place))

    def block(self, place: Place, values: dict[str, tuple[object, Place]]) -> fmt._LineDict:
        data = fmt._LineDict()
        data.line = self.mark(place)
        data.key_lines = {}
        for key, (value, where) in values.items():
            data[key] = value
            data.key_lines[key] = self.mark(where)
            if value is FORMULA:
                # Already reported as a formula; the checker's view of it would only repeat that.
                self.silenced.add(data.key_lines[key])
        return data

    def add_located(self, problem: fmt.Problem) -> None:
        """Record one of the format checker's problems at its place in the workbook."""
        place = self.places.get(problem.line) if problem.line else None
        if place is None:
            place = Place(ABOUT)
        where = str(place)
        if place.row is None and problem.where:
            # A whole sheet or list: the checker's own words say which entry it means.
            where = f"{place}, {problem.where}"
        self.problems.append(fmt.Problem(None, where, problem.message))
        self.order.append(_sort_key(place))

    def sorted_problems(self) -> list[fmt.Problem]:
        """Every problem once, sheet by sheet in tab order, then by row."""
        seen = set()
        result = []
        for _order, problem in sorted(
            zip(self.order, self.problems, strict=True), key=lambda p: p[0]
        ):
            if (problem.where, problem.message) not in seen:
                seen.add((problem.where, problem.message))
                result.append(problem)
        return result


def _translations(reader: _Reader, values: dict, place: Place) -> None:
    """Move a row's "nl:text"-style fields into the `translations` block the format reads."""
    found = [k for k in values if ":" in k]
    if not found:
        return
    by_language: dict[str, dict] = {}
    for name in found:
        language, text_field = name.split(":", 1)
        by_language.setdefault(language, {})[text_field] = values.pop(name)
    blocks = {}
    for language, texts in by_language.items():
        # A problem with the language as a whole is shown at its first column.
        first = next(iter(texts.values()))[1]
        guidance = {k: texts.pop(k) for k in fmt.GUIDANCE_FIELDS if k in texts}
        if guidance:
            texts["guidance"] = (reader.block(place, guidance), place)
        blocks[language] = (reader.block(place, texts), first)
    values["translations"] = (reader.block(place, blocks), place)


def _column(letter: str) -> str:
    """A column without a (known) name, by its letter: "column C"."""
    return _("column %(letter)s") % {"letter": letter}


def _yes_or_no(column: str, value: object) -> str:
    return _("'%(column)s' must be yes or no, not '%(value)s'") % {"column": column, "value": value}


_TAB_ORDER = (ABOUT, QUESTIONS, SECTIONS, SCALE, LEVELS)


def _sort_key(place: Place) -> tuple[int, int]:
    tab = _TAB_ORDER.index(place.sheet) if place.sheet in _TAB_ORDER else len(_TAB_ORDER)
    return tab, place.row or 0


def _sheet_of(workbook, title: str):
    for sheet in workbook.worksheets:
        if sheet.title.strip().casefold() == title.casefold():
            return sheet
    return None


def _text(value: object) -> object:
    """A cell's value as the format expects it: text trimmed, numbers left as numbers."""
    if isinstance(value, str):
        return value.replace("\r\n", "\n").strip()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    return value


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _rows(
    reader: _Reader, sheet, title: str, columns: tuple[Column, ...]
) -> list[tuple[int, dict]]:
    """The sheet's non-empty rows as (row number, {field: (value, place)}); problems recorded.

    `title` is the sheet's name as this module spells it (the workbook's may differ in case).
    """
    if sheet.max_row > MAX_ROWS + 1 or sheet.max_column > MAX_COLUMNS:
        reader.add(
            Place(title),
            _(
                "the sheet reaches row %(row)s and column %(column)s; a question set needs at "
                "most %(max_rows)s rows and %(max_columns)s columns"
            )
            % {
                "row": sheet.max_row,
                "column": sheet.max_column,
                "max_rows": MAX_ROWS,
                "max_columns": MAX_COLUMNS,
            },
        )
        reader.incomplete = True
        return []
    wanted = {normalise_header(c.header): c for c in columns}
    wanted.update({normalise_header(c.field): c for c in columns})
    positions: dict[int, Column] = {}
    stray: list[int] = []
    for cell in next(sheet.iter_rows(min_row=1, max_row=1), ()):
        letter = get_column_letter(cell.column)  # a merged cell has no column_letter
        if is_formula(cell):
            reader.add(Place(title, 1, _column(letter)), _("a formula where a column name belongs"))
            continue
        name = normalise_header(cell.value) if cell.value is not None else ""
        if not name:
            stray.append(cell.column)
            continue
        column = wanted.get(name)
        if column is None:
            translated = [c.field.split(":", 1)[1] for c in columns if c.language == "nl"]
            values = {
                "name": clean_text(str(cell.value)),
                "allowed": ", ".join(c.header for c in columns if not c.language),
                "translated": ", ".join(f + " (nl)" for f in translated),
                "codes": ", ".join(fmt.LANGUAGES),
            }
            if translated:
                message = _(
                    "unknown column '%(name)s' (allowed: %(allowed)s; per language "
                    "%(translated)s and so on, with a language code from %(codes)s)"
                )
            else:
                message = _("unknown column '%(name)s' (allowed: %(allowed)s)")
            reader.add(Place(title, 1, _column(letter)), message % values)
        elif column in positions.values():
            reader.add(
                Place(title, 1, _column(letter)),
                _("the column '%(name)s' appears twice") % {"name": column.header},
            )
        else:
            positions[cell.column] = column
    missing = [c for c in columns if c.required and c not in positions.values()]
    for column in missing:
        found = [c.header for c in positions.values()]
        reader.add(
            Place(title),
            _("the column '%(name)s' is missing from the first row (found: %(found)s)")
            % {"name": column.header, "found": ", ".join(found) or _("none")},
        )
    if missing:
        # Every row would repeat it; the missing column is the one thing to fix first.
        reader.incomplete = True
        return []
    for merged in sorted(sheet.merged_cells.ranges, key=lambda r: (r.min_row, r.min_col)):
        reader.add(
            Place(title, merged.min_row),
            _("cells %(cells)s are merged; unmerge them so every value has its own cell")
            % {"cells": merged.coord},
        )
    rows = []
    for cells in sheet.iter_rows(min_row=2):
        number = cells[0].row if cells else 0
        values: dict[str, tuple[object, Place]] = {}
        for cell in cells:
            column = positions.get(cell.column)
            if column is None:
                if cell.column in stray and not _is_blank(cell.value):
                    reader.add(
                        Place(title, number, _column(cell.column_letter)),
                        _("a value in a column without a name in the first row"),
                    )
                continue
            place = Place(title, number, column.header)
            if is_formula(cell):
                reader.add(
                    place,
                    _("a formula (%(formula)s); type the value itself instead")
                    % {"formula": formula_text(cell)},
                )
                values[column.field] = (FORMULA, place)
                continue
            if _is_blank(cell.value):
                continue
            value = _text(cell.value)
            if column.kind == "flag":
                word = str(value).strip().casefold() if isinstance(value, str | int) else None
                if isinstance(value, bool):
                    pass
                elif word in _TRUE or word in _FALSE:
                    value = word in _TRUE
                else:
                    reader.add(place, _yes_or_no(column.header, value))
                    continue
            values[column.field] = (value, place)
        if values:
            rows.append((number, values))
    return rows


def _order(reader: _Reader, rows: list[tuple[int, dict]]) -> list[tuple[int, dict]]:
    """Section rows in the order of their 'order' column (rows without one keep their place)."""
    keyed = []
    for position, (number, values) in enumerate(rows):
        value, place = values.pop("order", (None, None))
        if value is None or value is FORMULA:
            keyed.append(((position,), number, values))
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            reader.add(
                place,
                _("'%(column)s' must be a whole number, not '%(value)s'")
                % {"column": "order", "value": value},
            )
            value = position
        keyed.append(((value, position), number, values))
    keyed.sort(key=lambda item: item[0])
    return [(number, values) for _key, number, values in keyed]


def read_workbook(workbook) -> WorkbookRead:
    """The spec a question-set workbook describes, or QuestionSetError naming each problem.

    `workbook` is an openpyxl workbook opened with formulas kept as formulas
    (surveys.spreadsheets.open_workbook does that, after its safety checks).
    """
    reader = _Reader()
    sheets = {}
    for title in (ABOUT, *DATA_SHEETS):
        sheet = _sheet_of(workbook, title)
        if sheet is None:
            found = ", ".join(f"'{s.title}'" for s in workbook.worksheets) or _("none")
            reader.add(
                Place(title),
                _("the workbook has no '%(sheet)s' sheet (its sheets: %(found)s)")
                % {"sheet": title, "found": found},
            )
        sheets[title] = sheet
    known = {t.casefold() for t in sheets}
    ignored = tuple(s.title for s in workbook.worksheets if s.title.strip().casefold() not in known)
    if reader.problems:
        raise fmt.QuestionSetError(reader.sorted_problems())

    top = _about(reader, sheets[ABOUT])
    if "na_allowed" in top:
        value, place = top["na_allowed"]
        word = str(value).strip().casefold()
        if isinstance(value, bool) or word in _TRUE or word in _FALSE:
            top["na_allowed"] = (value if isinstance(value, bool) else word in _TRUE, place)
        else:
            reader.add(place, _yes_or_no(ABOUT_FIELDS["na_allowed"], value))
            del top["na_allowed"]
    metadata = {k: top.pop(k) for k in METADATA_FIELDS if k in top}
    if metadata:
        top["metadata"] = (reader.block(Place(ABOUT), metadata), Place(ABOUT))
    _translations(reader, top, Place(ABOUT))
    tables = {
        title: _rows(
            reader,
            sheets[title],
            title,
            columns + translation_columns(columns, SHEET_TRANSLATIONS[title], fmt.LANGUAGES),
        )
        for title, columns in DATA_SHEETS.items()
    }
    if reader.incomplete:
        raise fmt.QuestionSetError(reader.sorted_problems())
    for title in (SCALE, LEVELS, SECTIONS):
        for number, values in tables[title]:
            _translations(reader, values, Place(title, number))
    top["scale"] = (
        [reader.block(Place(SCALE, n), v) for n, v in tables[SCALE]],
        Place(SCALE),
    )
    top["levels"] = (
        [reader.block(Place(LEVELS, n), v) for n, v in tables[LEVELS]],
        Place(LEVELS),
    )
    top["sections"] = (_sections(reader, tables), Place(SECTIONS))
    data = reader.block(Place(ABOUT), top)
    try:
        spec = fmt.validate(data)
    except fmt.QuestionSetError as exc:
        for problem in exc.problems:
            if problem.line not in reader.silenced:
                reader.add_located(problem)
        spec = None
    if reader.problems or spec is None:
        raise fmt.QuestionSetError(reader.sorted_problems())
    return WorkbookRead(spec=spec, ignored_sheets=ignored)


def _about(reader: _Reader, sheet) -> dict[str, tuple[object, Place]]:
    labels = {normalise_header(label): key for key, label in ABOUT_FIELDS.items()}
    labels.update({normalise_header(key): key for key in ABOUT_FIELDS})
    names = dict(ABOUT_FIELDS)
    labels[normalise_header(LANGUAGE_LABEL)] = "language"
    names["language"] = LANGUAGE_LABEL
    for language in fmt.LANGUAGES:
        for name in fmt.SET_TEXTS:
            label = _about_translation_label(name, language)
            labels[normalise_header(label)] = f"{language}:{name}"
            names[f"{language}:{name}"] = label
    found: dict[str, tuple[object, Place]] = {}
    for cells in sheet.iter_rows(min_row=1, max_row=min(sheet.max_row, 200), max_col=2):
        if len(cells) < 2 or cells[0].value is None or is_formula(cells[0]):
            continue
        key = labels.get(normalise_header(cells[0].value))
        if key is None:
            continue
        label = names[key]
        place = Place(ABOUT, cells[0].row, label)
        if key in found:
            reader.add(
                place,
                _("'%(label)s' is given twice (also on row %(row)s)")
                % {"label": label, "row": found[key][1].row},
            )
            continue
        if is_formula(cells[1]):
            reader.add(
                place,
                _("a formula (%(formula)s); type the value itself")
                % {"formula": formula_text(cells[1])},
            )
            continue
        if not _is_blank(cells[1].value):
            found[key] = (_text(cells[1].value), place)
        elif key in ("key", "name"):
            found[key] = ("", place)
    return found


def _sections(reader: _Reader, tables: dict[str, list]) -> list:
    section_rows = _order(reader, tables[SECTIONS])
    keys = {
        str(v["key"][0]) for _number, v in section_rows if "key" in v and v["key"][0] is not FORMULA
    }
    questions: dict[str, list] = {}
    unknown: set[str] = set()
    for number, values in tables[QUESTIONS]:
        section, place = values.pop("section", (None, Place(QUESTIONS, number, "section")))
        if section is FORMULA:
            continue
        section = str(section) if section is not None else ""
        if not section:
            reader.add(place, _("empty; give the key of the question's section (Sections sheet)"))
            continue
        if section not in keys:
            values = {"key": section, "known": ", ".join(sorted(keys)) or _("none")}
            if unknown:
                message = _("there is no section '%(key)s' on the Sections sheet")
            else:
                message = _(
                    "there is no section '%(key)s' on the Sections sheet (it has: %(known)s)"
                )
            unknown.add(section)
            reader.add(place, message % values)
            continue
        guidance = {k: values.pop(k) for k in ("why", "good", "evidence") if k in values}
        if guidance:
            values["guidance"] = (
                reader.block(Place(QUESTIONS, number), guidance),
                Place(QUESTIONS, number),
            )
        _translations(reader, values, Place(QUESTIONS, number))
        questions.setdefault(section, []).append(reader.block(Place(QUESTIONS, number), values))
    sections = []
    for number, values in section_rows:
        key = values["key"][0] if "key" in values else ""
        key = "" if key is FORMULA else str(key)
        mine = questions.pop(key, [])
        values["questions"] = (mine, Place(SECTIONS, number))
        block = reader.block(Place(SECTIONS, number), values)
        if not mine:
            # Say it in the workbook's terms instead of the checker's "'questions' must be ...".
            reader.silenced.add(block.key_lines["questions"])
            if key and key not in {s.get("key") for s in sections}:
                reader.add(
                    Place(SECTIONS, number, "key"),
                    _("section '%(key)s' has no questions on the Questions sheet") % {"key": key},
                )
        sections.append(block)
    return sections


def read_bytes(data: bytes, limits: Limits | None = None) -> WorkbookRead:
    """`read_workbook` of raw .xlsx bytes, opened by the spreadsheets module's safe opener."""
    try:
        workbook = open_workbook(
            data, filename="question-set.xlsx", content_type="", limits=limits or Limits()
        )
    except SpreadsheetError as exc:
        raise fmt.QuestionSetError([fmt.Problem(None, "", exc.message)]) from None
    return read_workbook(workbook)
