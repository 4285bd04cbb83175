"""The Excel workbook's building blocks: typed, streamed sheets, band colours and a line chart.

Pure openpyxl, no database: `reports.builders.excel` decides what goes in.

Sheets are openpyxl write-only sheets, so a sheet of 65,000 answers streams
to disk row by row instead of living in memory. Write-only mode has an order
to respect: column widths and the frozen header go in before the first row,
the autofilter, conditional formats and charts after the last one.

Conventions, the same on every sheet:

- percentages are fractions (0.62) shown with a "0.0%" format, so they sort,
  filter and chart as numbers; changes between two figures are in points,
  said so in the header;
- dates are dates, times are local times without a zone (Excel has none);
- every text cell goes through `csv_cell`, the guard the CSV downloads use,
  so that text a user typed (`=HYPERLINK(...)`, `+1`, `@cmd`) stays text;
- no cell holds a formula;
- sheet names, headers and notes are in the active language (the report's); numbers stay
  numbers, whatever the language, and the spreadsheet shows them as its reader's locale does.
"""

import datetime
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.chart import LineChart, Reference
from openpyxl.chart.shapes import GraphicalProperties
from openpyxl.formatting.rule import CellIsRule, Rule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from reports.chart_data import Band
from reports.charts import (
    INK,
    NO_DATA,
    SERIES_COLOURS,
    band_legend,
    level_colours,
    text_colour_on,
)
from reports.csv_export import csv_cell
from reports.words import number

PERCENT_FORMAT = "0.0%"
POINTS_FORMAT = "+0.0;-0.0;0.0"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
# Excel refuses a cell longer than this and "repairs" the whole file.
MAX_CELL_TEXT = 32_767
_TEXT_CACHE = 20_000
_CUT = gettext_lazy("… (cut: too long for one Excel cell)")
# Excel refuses these in a sheet's name, and more than 31 characters of it. Sheet names are
# marked with the context "Excel sheet name, 31 characters at most", which tells the
# translators (tests/reports keeps every catalog's names that short).
SHEET_NAME_LENGTH = 31
_NOT_IN_SHEET_NAMES = re.compile(r"[\[\]:*?/\\]")

TEXT, NUMBER, INTEGER, PERCENT, POINTS, DATE, DATETIME, BOOL = (
    "text",
    "number",
    "integer",
    "percent",
    "points",
    "date",
    "datetime",
    "bool",
)


def safe_text(value: str) -> str:
    """Text fit for a cell: no characters XML forbids, not too long, never read as a formula."""
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    if len(text) > MAX_CELL_TEXT - 1:  # room for the guard's quote
        cut = str(_CUT)
        text = text[: MAX_CELL_TEXT - 1 - len(cut)] + cut
    return csv_cell(text)


def sheet_name(title: str) -> str:
    """A sheet's name as Excel accepts it: without []:*?/\\ and at most 31 characters
    (a translation that is too long is cut rather than the workbook refused; the tests keep
    the catalogs' names short enough)."""
    name = _NOT_IN_SHEET_NAMES.sub("", str(title)).strip().strip("'")
    return name[:SHEET_NAME_LENGTH].rstrip() or "Sheet"


def local_naive(
    moment: datetime.datetime, zone: datetime.tzinfo | None = None
) -> datetime.datetime:
    """A stored (aware) time as the local time a manager expects, without the zone Excel lacks."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(zone or timezone.get_current_timezone())
    return moment.replace(tzinfo=None)


def percent_cell_value(percent: float | None) -> float | None:
    """A dashboard figure (0..100) as the fraction the sheets hold.

    Rounded to 9 places first, as the dashboards' band rule rounds, so that a
    figure on a band's boundary takes the same colour here as on screen.
    """
    # The second rounding drops the binary noise of the division (0.69444433333000001).
    return None if percent is None else round(round(float(percent), 9) / 100, 11)


def _points(value: float) -> float:
    """A change in points without the subtraction's binary noise (5.644999999999996)."""
    return round(float(value), 9)


@dataclass(frozen=True)
class Column:
    header: str
    width: float = 14
    kind: str = TEXT  # how values are written: TEXT, NUMBER, PERCENT, ...

    @property
    def wraps(self) -> bool:
        """Long texts (statements, comments, notes) wrap in their cell instead of running
        over the next ones."""
        return self.kind == TEXT and self.width >= WRAP_FROM_WIDTH


# Text columns at least this wide (in characters) wrap their longer texts.
WRAP_FROM_WIDTH = 30
# Sheets wider than this (characters) print in landscape.
LANDSCAPE_FROM_WIDTH = 100
# A native chart is about 22 cm x 9 cm: some 115 characters wide and 20 rows high.
CHART_WIDTH, CHART_ROWS = 115, 20
_DEFAULT_WIDTH = 13


LINE_HEIGHT = 15  # points, one line of 11 pt text


def wrapped_lines(text: str, width: float) -> int:
    """About how many lines `text` takes wrapped in a column `width` characters wide."""
    per_line = max(int(width * 1.1), 1)
    return sum(max(1, -(-len(part) // per_line)) for part in str(text).split("\n"))


def new_sheet(workbook: Workbook, title: str):
    """A write-only sheet that prints fitted to the page: that property goes at the top of
    the sheet's file, written with its first row, so it is set before any row."""
    ws = workbook.create_sheet(sheet_name(title))
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    return ws


def print_setup(ws, widths: Sequence[float], rows: int, *, chart: bool = False) -> None:
    """Print every sheet the same readable way: A4, one page wide (as many pages high as it
    takes), landscape when wide, the header row repeated on every page, and the print area
    over the table (and the chart under it)."""
    widths = list(widths)
    if chart:
        rows += 3 + CHART_ROWS
        while sum(widths) < CHART_WIDTH:
            widths.append(_DEFAULT_WIDTH)
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if sum(widths) > LANDSCAPE_FROM_WIDTH else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.5, bottom=0.5)
    ws.print_title_rows = "1:1"
    ws.print_area = f"A1:{get_column_letter(max(len(widths), 1))}{max(rows, 1)}"


_FORMATS = {
    PERCENT: PERCENT_FORMAT,
    POINTS: POINTS_FORMAT,
    DATE: DATE_FORMAT,
    DATETIME: DATETIME_FORMAT,
    INTEGER: "0",
}
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill(fill_type="solid", start_color="FFE9EEF4", end_color="FFE9EEF4")
_WRAP = Alignment(wrap_text=True, vertical="top")
_MUTED_SERIES = "C3C8D0"


class Sheet:
    """A write-only sheet with a frozen, filtered header row and typed columns.

    `append` takes plain values: numbers, dates, text, None (an empty cell).
    Percentages are given as the dashboards hold them (0..100).
    """

    def __init__(
        self,
        workbook: Workbook,
        title: str,
        columns: Sequence[Column],
        *,
        fit_rows: bool = False,
    ):
        # fit_rows: each row as high as its longest wrapped text (spreadsheets do not work
        # that out for a file written without row heights). For the short sheets only: a
        # row height per row costs memory on the big ones.
        self.fit_rows = fit_rows
        self.ws = new_sheet(workbook, title)
        self.columns = list(columns)
        for index, column in enumerate(self.columns, start=1):
            self.ws.column_dimensions[get_column_letter(index)].width = column.width
        self.ws.freeze_panes = "A2"
        self._zone = timezone.get_current_timezone()
        self._texts: dict[str, str] = {}
        self._wrapped: dict[tuple[int, str], WriteOnlyCell] = {}
        self._convert = [
            self._converter(column.kind, wrap=column.wraps, width=column.width, index=index)
            for index, column in enumerate(self.columns)
        ]
        self.ws.append([self._header(column.header) for column in self.columns])
        self.rows = 1  # rows written, the header included

    def _header(self, text: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(self.ws, safe_text(str(text)))
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = _WRAP
        return cell

    def _text(self, value: str) -> str:
        # Names, statements and answer labels repeat on every row of the big sheets:
        # each distinct text is made safe once.
        safe = self._texts.get(value)
        if safe is None:
            safe = safe_text(value)
            if len(self._texts) < _TEXT_CACHE:
                self._texts[value] = safe
        return safe

    def _converter(self, kind: str, *, wrap: bool = False, width: float = 0, index: int = 0):
        """How a column's non-empty values become cells. Only percentages and points need a
        styled cell; the rest are written as plain values, which keeps the big sheets close to
        the cost of writing bare values (openpyxl gives dates and times a format of its own).
        Text is guarded whatever column it turns up in."""
        text = self._text

        def plain(value):
            if isinstance(value, str):
                return text(value)
            if isinstance(value, datetime.datetime):
                return local_naive(value, self._zone)
            if isinstance(value, Decimal):
                return float(value)
            return value

        if kind not in (PERCENT, POINTS):
            if not wrap:
                return plain

            def wrapped(value):
                if not isinstance(value, str) or len(value) <= width:
                    return plain(value)
                # One styled cell per distinct text: a write-only row is written out as it is
                # appended, so the same cell object can stand in every row it appears in.
                cell = self._wrapped.get((index, value))
                if cell is None:
                    cell = WriteOnlyCell(self.ws, text(value))
                    cell.alignment = _WRAP
                    if len(self._wrapped) < _TEXT_CACHE:
                        self._wrapped[(index, value)] = cell
                return cell

            return wrapped
        number_format = _FORMATS[kind]
        scale = percent_cell_value if kind == PERCENT else _points

        def styled(value):
            if isinstance(value, str):
                return text(value)
            cell = WriteOnlyCell(self.ws, scale(value))
            cell.number_format = number_format
            return cell

        return styled

    def append(self, values: Sequence[object]) -> None:
        if self.fit_rows:
            lines = max(
                (
                    wrapped_lines(value, column.width)
                    for column, value in zip(self.columns, values, strict=True)
                    if column.wraps and isinstance(value, str)
                ),
                default=1,
            )
            if lines > 1:
                self.ws.row_dimensions[self.rows + 1].height = LINE_HEIGHT * lines
        self.ws.append(
            [None if v is None else f(v) for f, v in zip(self._convert, values, strict=True)]
        )
        self.rows += 1

    def extend(self, rows: Iterable[Sequence[object]]) -> None:
        for row in rows:
            self.append(row)

    @property
    def last_column(self) -> str:
        return get_column_letter(len(self.columns))

    def finish(self, *, chart: bool = False) -> None:
        """The autofilter over the header and every row written, and the print setup (with
        room for a chart under the table when `chart`)."""
        self.ws.auto_filter.ref = f"A1:{self.last_column}{self.rows}"
        print_setup(self.ws, [c.width for c in self.columns], self.rows, chart=chart)

    def range_of(self, first_column: int, last_column: int) -> str | None:
        """The data cells (header left out) of columns first..last (1-based), or None if empty."""
        if self.rows < 2:
            return None
        return f"{get_column_letter(first_column)}2:{get_column_letter(last_column)}{self.rows}"


def write_key_values(
    workbook: Workbook, title: str, rows: Sequence[tuple[str, object]], bands: Sequence[Band] = ()
) -> None:
    """The Summary sheet: one item per row (name, value), then the level bands in their colours."""
    ws = new_sheet(workbook, title)
    ws.column_dimensions["A"].width = 30
    ws.column_dimensions["B"].width = 100
    ws.freeze_panes = "A2"
    header = []
    for text in (_("Item"), _("Value")):
        cell = WriteOnlyCell(ws, text)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        header.append(cell)
    ws.append(header)
    for index, (name, value) in enumerate(rows, start=2):
        if isinstance(value, str) and wrapped_lines(value, 100) > 1:
            ws.row_dimensions[index].height = LINE_HEIGHT * wrapped_lines(value, 100)
        cell = WriteOnlyCell(ws, safe_text(value) if isinstance(value, str) else value)
        cell.alignment = _WRAP
        if isinstance(value, datetime.date):
            cell.number_format = DATE_FORMAT
        ws.append([safe_text(str(name)), cell])
    if bands:
        ws.append([])
        ws.append([WriteOnlyCell(ws, _("Maturity levels (colours used in the sheets)"))])
        # Bands written as (a, b] (level_boundary: above) start just above their minimum.
        above = any(getattr(band, "above", False) for band in bands)
        for index, (name, low, high, colour) in enumerate(band_legend(bands)):
            label = WriteOnlyCell(ws, safe_text(name))
            label.fill = _solid(colour)
            label.font = Font(color=_argb(text_colour_on(colour)))
            ws.append([label, _band_range(low, high, first=index == 0, above=above)])
    print_setup(ws, [30, 100], len(rows) + 1 + (len(bands) + 2 if bands else 0))


def _band_range(low: float, high: float, *, first: bool, above: bool) -> str:
    """A level's range in words: "from 40% to below 60%", "above 40% up to 60% included"."""
    words = {"low": number(low, None), "high": number(high, None)}
    if above:
        if high >= 100:
            if first:
                return _("from %(low)s%% up to 100%%") % words
            return _("above %(low)s%% up to 100%%") % words
        if first:
            return _("from %(low)s%% up to %(high)s%% included") % words
        return _("above %(low)s%% up to %(high)s%% included") % words
    if high >= 100:
        return _("from %(low)s%% to 100%%") % words
    return _("from %(low)s%% to below %(high)s%%") % words


def _argb(colour: str) -> str:
    return "FF" + colour.lstrip("#").upper()


def _solid(colour: str) -> PatternFill:
    return PatternFill(fill_type="solid", start_color=_argb(colour), end_color=_argb(colour))


def add_band_colours(sheet: Sheet, cells: str | None, bands: Sequence[Band]) -> None:
    """Conditional formats colouring `cells` (fractions) by maturity band, as the dashboards do.

    Highest band first, each stopping the rest, so a figure takes the band it
    reaches; empty cells stay white (Excel would read them as 0); figures below
    the lowest band take the no-data colour, as on screen.
    """
    steps = level_colours(bands)
    if cells is None or not steps:
        return
    top_left = cells.split(":", 1)[0]
    formatting = sheet.ws.conditional_formatting
    formatting.add(
        cells, Rule(type="containsBlanks", formula=[f"LEN(TRIM({top_left}))=0"], stopIfTrue=True)
    )
    for minimum, colour in reversed(steps):
        formatting.add(
            cells,
            CellIsRule(
                operator="greaterThanOrEqual",
                formula=[_number(minimum / 100)],
                fill=_solid(colour),
                font=Font(color=_argb(text_colour_on(colour))),
                stopIfTrue=True,
            ),
        )
    if steps[0][0] > 0:
        formatting.add(
            cells,
            CellIsRule(
                operator="lessThan",
                formula=[_number(steps[0][0] / 100)],
                fill=_solid(NO_DATA),
                stopIfTrue=True,
            ),
        )


def _number(value: float) -> str:
    return repr(round(value, 9))


def add_line_chart(
    sheet: Sheet,
    *,
    title: str,
    first_series_column: int,
    last_series_column: int,
    category_column: int = 1,
    anchor_column: str = "A",
    highlight: Sequence[int] | None = None,
    marker_column: int | None = None,
) -> None:
    """A native line chart of percentage columns (one series each) over the rows' categories,
    placed under the table. With `highlight` (series indexes), those series are drawn in
    colour and thick, the others thin and grey, so a chart of many brands stays readable.
    `marker_column`, a percentage column filled only in some rows (the closed rounds), is
    drawn as diamonds without a line, named in the key by its header."""
    if sheet.rows < 2 or last_series_column < first_series_column:
        return
    chart = LineChart()
    chart.title = str(title)
    chart.height = 9
    chart.width = 22
    chart.y_axis.title = _("Score")
    chart.y_axis.number_format = "0%"
    chart.y_axis.scaling.min = 0
    chart.y_axis.scaling.max = 1
    # openpyxl marks axes deleted unless told otherwise; recent Excel then hides them.
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    data = Reference(
        sheet.ws,
        min_col=first_series_column,
        max_col=last_series_column,
        min_row=1,
        max_row=sheet.rows,
    )
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(
        Reference(sheet.ws, min_col=category_column, min_row=2, max_row=sheet.rows)
    )
    chosen = list(highlight) if highlight is not None else None
    for index, series in enumerate(chart.series):
        if chosen is None or index in chosen:
            position = index if chosen is None else chosen.index(index)
            colour = SERIES_COLOURS[position % len(SERIES_COLOURS)].lstrip("#")
            width = 22000  # EMU, about 1.75 pt
        else:
            colour, width = _MUTED_SERIES, 9525  # 0.75 pt
        series.graphicalProperties.line.solidFill = colour
        series.graphicalProperties.line.width = width
        series.smooth = False
    if marker_column is not None:
        chart.add_data(
            Reference(
                sheet.ws,
                min_col=marker_column,
                max_col=marker_column,
                min_row=1,
                max_row=sheet.rows,
            ),
            titles_from_data=True,
        )
        markers = chart.series[-1]
        markers.graphicalProperties.line.noFill = True
        markers.marker.symbol = "diamond"
        markers.marker.size = 10
        markers.marker.graphicalProperties = GraphicalProperties(solidFill=INK.lstrip("#"))
        markers.marker.graphicalProperties.line.solidFill = "FFFFFF"
        markers.smooth = False
    sheet.ws.add_chart(chart, f"{anchor_column}{sheet.rows + 3}")
    print_setup(sheet.ws, [c.width for c in sheet.columns], sheet.rows, chart=True)
