"""Open an uploaded Excel workbook safely and read its sheets as typed rows.

Uploaded workbooks come from people's laptops and shared drives, so anything
can arrive: a CSV renamed to .xlsx, an old .xls, a password-protected file, a
truncated download, a zip bomb, an XML entity bomb, formulas where values
belong. Every one of them must end as a `SpreadsheetError` whose message names
the problem in plain words, never as an exception from zipfile, zlib or
openpyxl reaching the view.

The checks run cheapest first and all of them before openpyxl parses anything:

1. name and content type (the browser's word, checked loosely: browsers on
   different systems send different types for the same .xlsx);
2. size, against `Limits.max_bytes`;
3. magic bytes: an .xlsx is a zip (``PK\\x03\\x04``); an OLE2 compound file
   (``D0 CF 11 E0``) is an old .xls or an encrypted workbook;
4. the zip directory: member count, total uncompressed size and compression
   ratio from the declared sizes (zipfile never inflates a member past its
   declared size, so a lying header ends in a CRC error, not a bomb), then
   the members an .xlsx must have ([Content_Types].xml, xl/workbook.xml) and
   the ones that mean another format (.xlsb, .ods) or macros;
5. every member inflated once, so CRC and zlib errors surface here, and the
   cells of the worksheets counted (openpyxl's cost grows with them);
6. openpyxl, which parses XML through defusedxml (installed, so entity bombs
   and external entities are refused), loaded with ``data_only=False`` so
   formulas are seen as formulas instead of their cached results.

Reading a sheet (`read_table`) matches the header row by name (case, spacing
and Unicode form do not matter), skips empty rows, types each cell, refuses
formulas and merged cells inside the table, reports duplicate keys, and
collects every problem ("row 14, Answer: ...") before raising, so a person
fixes the whole file in one go.

Writing: `write_text` puts user text into a cell as text even when it starts
with ``=`` (openpyxl would otherwise store it as a formula), with Excel's
quote prefix so it shows as typed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# What browsers and mail clients are seen to send for an .xlsx; the content is
# checked by its bytes anyway, this only refuses what is plainly something else.
_ACCEPTED_CONTENT_TYPES = {
    "",
    XLSX_CONTENT_TYPE,
    "application/octet-stream",
    "application/zip",
    "application/x-zip-compressed",
    "application/vnd.ms-excel",
    "binary/octet-stream",
}
_OTHER_FORMATS = {
    ".xls": gettext_lazy("an old Excel 97-2003 workbook (.xls)"),
    ".xlsb": gettext_lazy("a binary Excel workbook (.xlsb)"),
    ".xlsm": gettext_lazy("a workbook with macros (.xlsm)"),
    ".ods": gettext_lazy("an OpenDocument spreadsheet (.ods)"),
    ".csv": gettext_lazy("a CSV file"),
    ".numbers": gettext_lazy("a Numbers document"),
}
# Said after most refusals; the messages are in the language of the request.
SAVE_AS_XLSX = gettext_lazy(
    "Open it in Excel or LibreOffice and save it as an Excel workbook (.xlsx)."
)

_ZIP_MAGIC = b"PK\x03\x04"
_WORKSHEET = re.compile(r"xl/worksheets/[^/]+\.xml")
# A cell element, with or without a namespace prefix (<c r=...>, <x:c>), not <col> or <cols>.
_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s/>]")
_STRING = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?si[\s/>]")
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True)
class Limits:
    """Bounds on what an uploaded workbook may cost to open.

    The defaults fit a questionnaire or a question set (a few hundred rows) many
    times over; a workbook near them is almost certainly not one of ours.
    """

    max_bytes: int = 5 * 1024 * 1024
    max_uncompressed: int = 20 * 1024 * 1024
    # XML compresses 10-30x in practice; a member above this ratio (and above
    # `ratio_floor` bytes, so tiny members do not trip it) is treated as a bomb.
    max_ratio: int = 100
    ratio_floor: int = 1024 * 1024
    max_members: int = 200
    # openpyxl builds an object per cell: 300,000 cells take seconds and hundreds of MB,
    # from a 1 MB upload. A questionnaire has about 600, a question set a few thousand.
    max_cells: int = 50_000
    max_rows: int = 5000
    max_columns: int = 60


def default_limits() -> Limits:
    """The limits from settings (WORKBOOK_UPLOAD_MAX_BYTES, else the upload limit)."""
    from django.conf import settings

    max_bytes = getattr(settings, "WORKBOOK_UPLOAD_MAX_BYTES", None) or getattr(
        settings, "DATA_UPLOAD_MAX_MEMORY_SIZE", Limits.max_bytes
    )
    return Limits(max_bytes=max_bytes)


class SpreadsheetError(Exception):
    """An uploaded workbook cannot be used; `message` says why, `problems` lists each one."""

    status = 400

    def __init__(self, message: str, problems: Sequence[str] = ()):
        super().__init__(message)
        self.message = message
        self.problems = list(problems)

    @classmethod
    def from_problems(cls, problems: Sequence[str], limit: int = 200) -> SpreadsheetError:
        count = len(problems)
        shown = list(problems[:limit])
        if count > limit:
            shown.append(_("... and %(count)s more") % {"count": count - limit})
        message = ngettext(
            "The workbook has %(count)s problem; nothing was changed.",
            "The workbook has %(count)s problems; nothing was changed.",
            count,
        )
        return cls(message % {"count": count}, shown)


def _human_size(size: int) -> str:
    if size >= 1024 * 1024:
        return _("%(size)s MB") % {"size": number_format(size / (1024 * 1024), 1)}
    return _("%(size)s KB") % {"size": max(1, size // 1024)}


def _read_upload(upload: Any, max_bytes: int) -> bytes:
    """The upload's bytes, reading at most one byte past the limit."""
    if isinstance(upload, bytes | bytearray):
        return bytes(upload[: max_bytes + 1])
    size = getattr(upload, "size", None)
    if isinstance(size, int) and size > max_bytes:
        return b"\0" * (max_bytes + 1)  # refused by size below without reading it
    if hasattr(upload, "seek"):
        with contextlib.suppress(OSError, ValueError):
            upload.seek(0)
    data = upload.read(max_bytes + 1)
    return data if isinstance(data, bytes) else bytes(data or b"")


def check_name(filename: str | None, content_type: str | None = None) -> None:
    """Refuse a file whose name or declared type says it is not an .xlsx."""
    suffix = PurePath(filename or "").suffix.lower()
    if suffix in _OTHER_FORMATS:
        raise SpreadsheetError(
            _("'%(name)s' is %(format)s, not an Excel workbook (.xlsx). %(advice)s")
            % {"name": filename, "format": _OTHER_FORMATS[suffix], "advice": SAVE_AS_XLSX}
        )
    if suffix != ".xlsx":
        if filename:
            message = _(
                "'%(name)s' is not an Excel workbook: the name must end in .xlsx. %(advice)s"
            ) % {"name": filename, "advice": SAVE_AS_XLSX}
        else:
            message = _(
                "The file is not an Excel workbook: the name must end in .xlsx. %(advice)s"
            ) % {"advice": SAVE_AS_XLSX}
        raise SpreadsheetError(message)
    declared = (content_type or "").split(";")[0].strip().lower()
    if declared not in _ACCEPTED_CONTENT_TYPES:
        raise SpreadsheetError(
            _("'%(name)s' was sent as %(type)s, not as an Excel workbook. %(advice)s")
            % {"name": filename, "type": declared, "advice": SAVE_AS_XLSX}
        )


def check_bytes(data: bytes, limits: Limits) -> zipfile.ZipFile:
    """Steps 2-5 of the module docstring; the opened zip when all pass."""
    if len(data) > limits.max_bytes:
        raise SpreadsheetError(
            _(
                "The file is larger than the limit of %(limit)s. A questionnaire workbook is "
                "normally well under 1 MB."
            )
            % {"limit": _human_size(limits.max_bytes)}
        )
    if not data:
        raise SpreadsheetError(_("The file is empty."))
    if data.startswith(_OLE2_MAGIC):
        raise SpreadsheetError(
            _(
                "The file is an old Excel 97-2003 workbook (.xls) or a password-protected "
                "workbook. Remove the password if there is one. %(advice)s"
            )
            % {"advice": SAVE_AS_XLSX}
        )
    if not data.startswith(_ZIP_MAGIC):
        raise SpreadsheetError(
            _("The file is not an Excel workbook (.xlsx). %(advice)s") % {"advice": SAVE_AS_XLSX}
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except Exception:  # BadZipFile mostly; a damaged directory can raise NotImplementedError,
        # struct.error, UnicodeDecodeError and more, all meaning the same to the person
        raise SpreadsheetError(
            _(
                "The file is damaged: it looks like an Excel workbook but cannot be opened "
                "(perhaps an incomplete download). Save it again from Excel and upload the "
                "new copy."
            )
        ) from None

    if len(members) > limits.max_members:
        raise SpreadsheetError(
            _(
                "The workbook holds %(count)s parts, more than the %(limit)s a questionnaire "
                "ever needs; it was not opened."
            )
            % {"count": len(members), "limit": limits.max_members}
        )
    total = 0
    for member in members:
        total += member.file_size
        if member.flag_bits & 0x1:
            raise SpreadsheetError(
                _("The workbook is encrypted. Remove the password and save it again. %(advice)s")
                % {"advice": SAVE_AS_XLSX}
            )
        if member.file_size > limits.ratio_floor and member.file_size > limits.max_ratio * max(
            member.compress_size, 1
        ):
            raise SpreadsheetError(
                _(
                    "The workbook expands to far more data than its size suggests (part "
                    "%(part)s is compressed more than %(ratio)s times); it was not opened."
                )
                % {"part": member.filename, "ratio": limits.max_ratio}
            )
    if total > limits.max_uncompressed:
        raise SpreadsheetError(
            _(
                "The workbook expands to %(size)s, more than the limit of %(limit)s; it was not opened."
            )
            % {"size": _human_size(total), "limit": _human_size(limits.max_uncompressed)}
        )

    names = {m.filename for m in members}
    if len(names) != len(members):
        # Readers disagree on which copy of a duplicated part counts; Excel never writes one.
        raise SpreadsheetError(
            _("The workbook holds two parts with the same name; it was not opened.")
        )
    advice = {"advice": SAVE_AS_XLSX}
    if "xl/workbook.bin" in names:
        raise SpreadsheetError(
            _("The file is a binary Excel workbook (.xlsb). %(advice)s") % advice
        )
    if "mimetype" in names and "content.xml" in names:
        raise SpreadsheetError(
            _("The file is an OpenDocument spreadsheet (.ods). %(advice)s") % advice
        )
    if "xl/vbaProject.bin" in names:
        raise SpreadsheetError(_("The workbook contains macros. %(advice)s") % advice)
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise SpreadsheetError(
            _(
                "The file is a zip archive but not an Excel workbook (it has no workbook "
                "part). %(advice)s"
            )
            % advice
        )
    cells = 0
    for member in members:
        try:
            # Reading a part to its end checks its CRC; zlib errors surface here too.
            content = archive.read(member)
        except Exception:  # zlib.error, BadZipFile, NotImplementedError, EOFError, ...
            raise SpreadsheetError(
                _(
                    "The file is damaged (a part of it fails its checksum). Save it again from "
                    "Excel and upload the new copy."
                )
            ) from None
        if _WORKSHEET.fullmatch(member.filename):
            cells += len(_CELL.findall(content))
        elif member.filename == "xl/sharedStrings.xml":
            # Every shared string becomes an object as well, used or not.
            cells = max(cells, len(_STRING.findall(content)))
    if cells > limits.max_cells:
        raise SpreadsheetError(
            _(
                "The workbook has more than %(limit)s cells, far more than a questionnaire or "
                "a question set needs; it was not opened."
            )
            % {"limit": number_format(limits.max_cells, force_grouping=True)}
        )
    return archive


def open_workbook(
    upload: Any,
    *,
    filename: str | None = None,
    content_type: str | None = None,
    limits: Limits | None = None,
):
    """The openpyxl workbook of an upload (an UploadedFile, a file object or bytes).

    Formulas are kept as formulas (``data_only=False``) so `read_table` can refuse
    them; `filename` and `content_type` default to the upload's own.
    """
    import openpyxl
    from openpyxl.xml import DEFUSEDXML

    limits = limits or default_limits()
    if filename is None:
        filename = getattr(upload, "name", None) or "upload.xlsx"
    if content_type is None:
        content_type = getattr(upload, "content_type", None)
    check_name(PurePath(filename).name, content_type)
    data = _read_upload(upload, limits.max_bytes)
    check_bytes(data, limits)
    if not DEFUSEDXML:  # pragma: no cover - defusedxml is a dependency
        raise SpreadsheetError(
            _("Workbook uploads are switched off: the safe XML parser is missing.")
        )
    try:
        return openpyxl.load_workbook(io.BytesIO(data), data_only=False, keep_links=False)
    except Exception as exc:  # openpyxl raises a zoo of types on bad XML
        if _refused_by_defusedxml(exc):
            raise SpreadsheetError(
                _(
                    "The workbook contains XML entity declarations, which Excel never writes; "
                    "it was not opened."
                )
            ) from None
        raise SpreadsheetError(
            _(
                "The file could not be read as an Excel workbook (its contents are not valid). "
                "Save it again from Excel and upload the new copy."
            )
        ) from None


def _refused_by_defusedxml(exc: BaseException) -> bool:
    """Whether defusedxml stopped the parse (openpyxl wraps its errors in a ValueError)."""
    seen = 0
    current: BaseException | None = exc
    while current is not None and seen < 10:
        if type(current).__module__.startswith("defusedxml"):
            return True
        current = current.__cause__ or current.__context__
        seen += 1
    return False


def get_sheet(workbook, title: str, *, purpose: str = ""):
    """The sheet called `title`, or an error naming the sheets the workbook has.

    Sheets are found by name whatever their visibility; sheets nobody asks for
    (extra, hidden or not) are ignored.
    """
    for sheet in workbook.worksheets:
        if sheet.title.strip().casefold() == title.casefold():
            return sheet
    found = ", ".join(f"'{s.title}'" for s in workbook.worksheets) or _("none")
    if purpose:
        message = _(
            "The workbook has no sheet called '%(title)s' (%(purpose)s). Its sheets: %(found)s."
        ) % {"title": title, "purpose": purpose, "found": found}
    else:
        message = _("The workbook has no sheet called '%(title)s'. Its sheets: %(found)s.") % {
            "title": title,
            "found": found,
        }
    raise SpreadsheetError(message)


# ---------------------------------------------------------------- cleaning cells

# Zero-width characters and bidirectional controls that make two texts look
# alike or reorder what is shown; the zero-width joiner stays (emoji need it).
_INVISIBLE = dict.fromkeys(
    map(
        ord,
        "\u200b\u200c\u200e\u200f\u2060\ufeff\u00ad\u202a\u202b\u202c\u202d\u202e"
        "\u2066\u2067\u2068\u2069",
    ),
    None,
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def clean_text(value: str) -> str:
    """NFC, without invisible or control characters, line ends as \\n, trimmed."""
    text = unicodedata.normalize("NFC", value)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text.translate(_INVISIBLE))
    return text.strip()


def normalise_header(value: object) -> str:
    """How headers are compared: case, spacing, Unicode form and a trailing '*' do not matter."""
    text = clean_text(str(value)) if value is not None else ""
    return re.sub(r"\s+", " ", text).rstrip("*").strip().casefold()


def is_formula(cell) -> bool:
    value = cell.value
    if cell.data_type == "f":
        return True
    # Array and data-table formulas arrive as objects, not strings.
    return type(value).__name__ in {"ArrayFormula", "DataTableFormula"}


def formula_text(cell) -> str:
    value = cell.value
    text = getattr(value, "text", None) or str(value)
    return text if len(text) <= 40 else text[:37] + "..."


# ---------------------------------------------------------------- reading tables


@dataclass(frozen=True)
class Column:
    """One expected column: its header, the key it is read into and how it is typed.

    kind: "text" (numbers become their text), "int", "date" (a date cell or
    YYYY-MM-DD text).
    """

    header: str
    key: str
    kind: str = "text"
    required: bool = True
    aliases: tuple[str, ...] = ()
    max_length: int = 5000


@dataclass
class Row:
    number: int
    values: dict[str, Any]


@dataclass
class Table:
    rows: list[Row]
    extra_columns: list[str] = field(default_factory=list)
    header_row: int = 1


def _cell_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    return str(value)


def type_cell(value: object, column: Column) -> tuple[Any, str | None]:
    """The cell's value as the column wants it, or None and what is wrong with it."""
    if value is None or (isinstance(value, str) and not clean_text(value)):
        return None, None
    if column.kind == "text":
        text = clean_text(_cell_text(value))
        if len(text) > column.max_length:
            return None, _("is %(length)s characters long, more than %(limit)s") % {
                "length": len(text),
                "limit": column.max_length,
            }
        return text, None
    if column.kind == "int":
        if isinstance(value, bool):
            return None, _("'%(value)s' is not a whole number") % {"value": value}
        if isinstance(value, int):
            return value, None
        if isinstance(value, float) and value.is_integer():
            return int(value), None
        text = clean_text(_cell_text(value))
        if re.fullmatch(r"[+-]?\d{1,15}", text):
            return int(text), None
        return None, _("'%(value)s' is not a whole number") % {"value": text[:40]}
    if column.kind == "date":
        if isinstance(value, dt.datetime):
            return value.date(), None
        if isinstance(value, dt.date):
            return value, None
        text = clean_text(_cell_text(value))
        try:
            return dt.date.fromisoformat(text), None
        except ValueError:
            return None, _("'%(value)s' is not a date (write it as YYYY-MM-DD)") % {
                "value": text[:40]
            }
    raise ValueError(f"unknown column kind {column.kind!r}")


def at_cell(row: int, column: str, problem: str) -> str:
    """A problem as a person finds it in the sheet: "row 14, Answer: ..."."""
    return _("row %(row)s, %(column)s: %(problem)s") % {
        "row": row,
        "column": column,
        "problem": problem,
    }


def _merged_in(sheet, first_row: int, last_column: int) -> list[str]:
    ranges = []
    for merged in sheet.merged_cells.ranges:
        if merged.max_row >= first_row and merged.min_col <= last_column:
            ranges.append(merged.coord)
    return sorted(ranges)


def read_table(
    sheet,
    columns: Sequence[Column],
    *,
    header_row: int = 1,
    unique: str | None = None,
    limits: Limits | None = None,
) -> Table:
    """The sheet's data rows below `header_row`, typed by `columns`.

    Columns are found by header text, in any order; columns not asked for are
    ignored and listed in `Table.extra_columns` (so a caller can mention them).
    Raises one `SpreadsheetError` listing every problem found: missing columns,
    merged cells, formulas, badly typed cells, duplicate values of `unique`.
    """
    limits = limits or Limits()
    if sheet.max_row > limits.max_rows + header_row:
        raise SpreadsheetError(
            _("Sheet '%(sheet)s' has %(count)s rows, more than the %(limit)s this import reads.")
            % {"sheet": sheet.title, "count": sheet.max_row, "limit": limits.max_rows}
        )
    if sheet.max_column > limits.max_columns:
        raise SpreadsheetError(
            _("Sheet '%(sheet)s' has %(count)s columns, more than the %(limit)s this import reads.")
            % {"sheet": sheet.title, "count": sheet.max_column, "limit": limits.max_columns}
        )
    headers: dict[str, int] = {}
    shown: dict[int, str] = {}
    problems: list[str] = []
    for cell in next(sheet.iter_rows(min_row=header_row, max_row=header_row), ()):
        if cell.value is None:
            continue
        if is_formula(cell):
            problems.append(
                _("Sheet '%(sheet)s', row %(row)s: a formula in the header")
                % {"sheet": sheet.title, "row": header_row}
            )
            continue
        name = normalise_header(cell.value)
        if not name:
            continue
        if name in headers:
            problems.append(
                _("Sheet '%(sheet)s', row %(row)s: the column '%(column)s' appears twice")
                % {"sheet": sheet.title, "row": header_row, "column": clean_text(str(cell.value))}
            )
            continue
        headers[name] = cell.column
        shown[cell.column] = clean_text(str(cell.value))

    positions: dict[str, int] = {}
    missing = []
    for column in columns:
        for name in (column.header, *column.aliases):
            if normalise_header(name) in headers:
                positions[column.key] = headers[normalise_header(name)]
                break
        else:
            if column.required:
                missing.append(column.header)
    if missing:
        found = ", ".join(f"'{v}'" for v in shown.values()) or _("none")
        message = ngettext(
            "Sheet '%(sheet)s' is missing the column %(missing)s in row %(row)s (columns "
            "found: %(found)s). Were they renamed or deleted?",
            "Sheet '%(sheet)s' is missing the columns %(missing)s in row %(row)s (columns "
            "found: %(found)s). Were they renamed or deleted?",
            len(missing),
        )
        problems.append(
            message
            % {
                "sheet": sheet.title,
                "missing": ", ".join(f"'{m}'" for m in missing),
                "row": header_row,
                "found": found,
            }
        )
    if problems:
        raise SpreadsheetError.from_problems(problems)
    extra = [shown[c] for c in sorted(shown) if c not in positions.values()]

    last_column = max(positions.values(), default=1)
    merged = _merged_in(sheet, header_row, last_column)
    if merged:
        cells = ", ".join(merged[:5]) + (", ..." if len(merged) > 5 else "")
        raise SpreadsheetError(
            _(
                "Sheet '%(sheet)s' has merged cells (%(cells)s). Unmerge them so every row has "
                "its own cells."
            )
            % {"sheet": sheet.title, "cells": cells}
        )

    by_key = {c.key: c for c in columns}
    rows: list[Row] = []
    seen: dict[Any, int] = {}
    for cells in sheet.iter_rows(min_row=header_row + 1, max_col=last_column):
        if not cells:
            continue
        number = cells[0].row
        values: dict[str, Any] = {}
        row_problems: list[str] = []
        blank = True
        for key, position in positions.items():
            column = by_key[key]
            cell = cells[position - 1]
            if is_formula(cell):
                blank = False
                row_problems.append(
                    at_cell(
                        number,
                        column.header,
                        _("a formula (%(formula)s) where a value is expected")
                        % {"formula": formula_text(cell)},
                    )
                )
                continue
            value, problem = type_cell(cell.value, column)
            if value is not None:
                blank = False
            if problem:
                blank = False
                row_problems.append(at_cell(number, column.header, problem))
            values[key] = value
        if blank:
            continue
        problems.extend(row_problems)
        if unique is not None and not row_problems:
            key_value = values.get(unique)
            column = by_key[unique]
            if key_value is None:
                problems.append(at_cell(number, column.header, _("empty")))
                continue
            if key_value in seen:
                problems.append(
                    at_cell(
                        number,
                        column.header,
                        _("'%(value)s' is already on row %(row)s")
                        % {"value": key_value, "row": seen[key_value]},
                    )
                )
                continue
            seen[key_value] = number
        rows.append(Row(number=number, values=values))
    if problems:
        raise SpreadsheetError.from_problems(problems)
    return Table(rows=rows, extra_columns=extra, header_row=header_row)


# ---------------------------------------------------------------- writing


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def write_text(cell, value: object) -> None:
    """Put `value` into `cell` so that Excel shows it as typed and never runs it.

    openpyxl stores any string starting with '=' as a formula; text that a
    spreadsheet could read as a formula is stored as a string with Excel's
    quote prefix instead. Numbers and dates are written as they are.
    """
    if value is None:
        cell.value = None
        return
    if isinstance(value, bool | int | float | dt.date):
        cell.value = value
        return
    text = _CONTROL.sub("", str(value))
    cell.value = text
    if text.startswith(_FORMULA_START):
        cell.data_type = "s"
        cell.quotePrefix = True


def write_row(sheet, row: int, values: Iterable[object], first_column: int = 1) -> None:
    for offset, value in enumerate(values):
        write_text(sheet.cell(row=row, column=first_column + offset), value)
