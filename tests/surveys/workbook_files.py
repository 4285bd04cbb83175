"""Filling downloaded questionnaire workbooks programmatically, as a team would in Excel."""

import io

import openpyxl

from surveys.workbooks import QUESTIONNAIRE


def columns(sheet) -> dict[str, int]:
    return {cell.value: cell.column for cell in sheet[1] if cell.value}


def fill(content: bytes, edits: dict[str, dict[str, object]]) -> bytes:
    """The workbook with `edits` ({key: {header: value}}) typed into the Questionnaire rows."""
    wb = openpyxl.load_workbook(io.BytesIO(content))
    sheet = wb[QUESTIONNAIRE]
    where = columns(sheet)
    found = set()
    for row in sheet.iter_rows(min_row=2):
        key = row[where["Key"] - 1].value
        for header, value in edits.get(key, {}).items():
            sheet.cell(row=row[0].row, column=where[header]).value = value
            found.add(key)
    missing = set(edits) - found
    assert not missing, f"no rows for {missing}"
    return save(wb)


def save(wb) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def rows_of(content: bytes) -> list[dict]:
    wb = openpyxl.load_workbook(io.BytesIO(content))
    sheet = wb[QUESTIONNAIRE]
    headers = [c.value for c in sheet[1]]
    return [
        dict(zip(headers, (c.value for c in row), strict=False))
        for row in sheet.iter_rows(min_row=2)
    ]


def row_number(content: bytes, key: str) -> int:
    return next(i for i, row in enumerate(rows_of(content), 2) if row["Key"] == key)
