"""CSV files people open in a spreadsheet: the numbers behind a chart or table, the Jira export.

Spreadsheets run a cell that starts with `=`, `+`, `-` or `@` (and some read
a leading tab or carriage return the same way) as a formula, so a brand or
project named `=HYPERLINK(...)` could run in a manager's Excel. Such text
cells get a leading single quote, the convention spreadsheets show as "text"
(OWASP, "CSV injection"). Numbers are written as numbers and left alone, so
a negative change stays a number: pass figures as int, float or Decimal,
never pre-formatted as strings.
"""

import csv
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.http import HttpResponse

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> object:
    """A cell value safe to open in a spreadsheet."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float | Decimal):
        return value
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _safe_filename(filename: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", filename).strip("-.") or "data"
    return stem if stem.lower().endswith(".csv") else stem + ".csv"


def csv_response(
    filename: str, headers: Sequence[str], rows: Iterable[Sequence[object]]
) -> HttpResponse:
    """An attachment with a header row and the rows, every cell neutralised by `csv_cell`.

    UTF-8 with a byte-order mark, which Excel needs to read accents correctly.
    """
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_safe_filename(filename)}"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([csv_cell(h) for h in headers])
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
    return response
