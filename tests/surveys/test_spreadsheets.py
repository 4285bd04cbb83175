"""The safe workbook reader: every bad file ends as a SpreadsheetError naming the problem."""

import datetime as dt
import io
import random
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from surveys.spreadsheets import (
    XLSX_CONTENT_TYPE,
    Column,
    Limits,
    SpreadsheetError,
    clean_text,
    get_sheet,
    open_workbook,
    read_table,
    write_text,
)

COLUMNS = [
    Column("Key", "key"),
    Column("Answer", "answer", required=False),
    Column("Count", "count", kind="int", required=False),
    Column("Date", "date", kind="date", required=False),
]


def workbook_bytes(
    rows=(("a", "Yes", 1, "2024-01-31"),), header=("Key", "Answer", "Count", "Date")
):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def rezip(data: bytes, replace: dict[str, bytes] | None = None, drop=(), add=None, method=None):
    """The same workbook with some members replaced, removed or added."""
    replace = replace or {}
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED if method is None else method) as target:
        for info in source.infolist():
            if info.filename in drop:
                continue
            target.writestr(info.filename, replace.get(info.filename, source.read(info)))
        for name, content in (add or {}).items():
            target.writestr(name, content)
    return out.getvalue()


def upload(data, name="answers.xlsx", content_type=XLSX_CONTENT_TYPE):
    return SimpleUploadedFile(name, data, content_type=content_type)


def error_of(data, limits=None, **kwargs) -> str:
    with pytest.raises(SpreadsheetError) as caught:
        open_workbook(upload(data, **kwargs), limits=limits or Limits())
    return caught.value.message


def test_a_valid_workbook_reads_into_typed_rows():
    wb = open_workbook(upload(workbook_bytes()), limits=Limits())
    table = read_table(get_sheet(wb, "data"), COLUMNS, unique="key")
    assert [r.values for r in table.rows] == [
        {"key": "a", "answer": "Yes", "count": 1, "date": dt.date(2024, 1, 31)}
    ]
    assert table.rows[0].number == 2


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("answers.xls", "old Excel 97-2003"),
        ("answers.xlsb", ".xlsb"),
        ("answers.ods", "OpenDocument"),
        ("answers.csv", "CSV"),
        ("answers.pdf", "name must end in .xlsx"),
        ("answers", "name must end in .xlsx"),
    ],
)
def test_a_wrong_extension_is_refused_with_save_as_xlsx(name, expected):
    message = error_of(workbook_bytes(), name=name)
    assert expected in message
    assert "save it as an Excel workbook (.xlsx)" in message


def test_a_plainly_wrong_content_type_is_refused():
    assert "sent as text/csv" in error_of(workbook_bytes(), content_type="text/csv")


def test_an_octet_stream_upload_is_judged_by_its_bytes():
    assert open_workbook(upload(workbook_bytes(), content_type="application/octet-stream"))


def test_a_csv_renamed_to_xlsx_is_not_a_workbook():
    assert "not an Excel workbook" in error_of(b"Key,Answer\na,Yes\n")


def test_an_empty_file_is_refused():
    assert "empty" in error_of(b"")


def test_an_old_xls_or_encrypted_workbook_is_named():
    message = error_of(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    assert "97-2003" in message and "password" in message


def test_a_file_over_the_limit_is_refused_before_reading():
    message = error_of(workbook_bytes(), limits=Limits(max_bytes=1024))
    assert "larger than the limit of 1 KB" in message


def test_the_limit_comes_from_settings(settings):
    settings.WORKBOOK_UPLOAD_MAX_BYTES = 2048
    with pytest.raises(SpreadsheetError, match="larger than the limit of 2 KB"):
        open_workbook(upload(workbook_bytes()))


@pytest.mark.parametrize("cut", [10, 100, 0.5, -10])
def test_a_truncated_workbook_is_damaged(cut):
    data = workbook_bytes()
    at = int(len(data) * cut) if isinstance(cut, float) else cut
    message = error_of(data[:at])
    assert "damaged" in message or "not an Excel workbook" in message


def test_a_corrupted_member_fails_its_checksum():
    data = bytearray(rezip(workbook_bytes(), method=zipfile.ZIP_STORED))
    at = bytes(data).index(b"<sheetData")
    data[at + 3] ^= 0x20
    assert "damaged" in error_of(bytes(data))


def test_a_zip_without_workbook_parts_is_not_a_workbook():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert "no workbook part" in error_of(out.getvalue())


def test_xlsb_and_ods_and_macros_are_named():
    base = workbook_bytes()
    assert ".xlsb" in error_of(rezip(base, add={"xl/workbook.bin": b"x"}))
    ods = rezip(base, add={"mimetype": b"application/vnd.oasis", "content.xml": b"<x/>"})
    assert "OpenDocument" in error_of(ods)
    assert "macros" in error_of(rezip(base, add={"xl/vbaProject.bin": b"x"}))


def test_a_decompression_bomb_is_refused_before_parsing():
    bomb = rezip(workbook_bytes(), add={"xl/media/padding.bin": b"\0" * (20 * 1024 * 1024)})
    assert len(bomb) < 100 * 1024
    assert "compressed more than 100 times" in error_of(bomb)


def test_a_workbook_expanding_past_the_total_limit_is_refused():
    noise = random.Random(7).randbytes(2 * 1024 * 1024)
    big = rezip(workbook_bytes(), add={"xl/media/a.bin": noise})
    message = error_of(big, limits=Limits(max_uncompressed=1024 * 1024))
    assert "expands to" in message and "more than the limit" in message


def test_a_workbook_with_too_many_cells_is_refused_before_parsing():
    wb = openpyxl.Workbook(write_only=True)
    sheet = wb.create_sheet("Data")
    for _ in range(1000):
        sheet.append(list(range(11)))
    out = io.BytesIO()
    wb.save(out)
    assert len(out.getvalue()) < 100 * 1024
    message = error_of(out.getvalue(), limits=Limits(max_cells=10_000))
    assert "more than 10,000 cells" in message
    assert open_workbook(upload(out.getvalue()), limits=Limits(max_cells=11_000))


def test_a_workbook_with_too_many_shared_strings_is_refused():
    strings = b"".join(b"<si><t>%d</t></si>" % i for i in range(20_000))
    table = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">%s</sst>'
    bloated = rezip(workbook_bytes(), add={"xl/sharedStrings.xml": table % strings})
    assert "more than 10,000 cells" in error_of(bloated, limits=Limits(max_cells=10_000))


def test_too_many_members_are_refused():
    many = rezip(workbook_bytes(), add={f"xl/media/{i}.bin": b"x" for i in range(300)})
    assert "holds 3" in error_of(many)


@pytest.mark.filterwarnings("ignore:Duplicate name")
def test_a_zip_with_a_duplicated_part_is_refused():
    twice = rezip(workbook_bytes(), add={"xl/workbook.xml": b"<workbook/>"})
    assert "two parts with the same name" in error_of(twice)


def test_a_billion_laughs_workbook_is_refused_by_the_safe_parser():
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol3;</t></is></c></row>'
        b"</sheetData></worksheet>"
    )
    bad = rezip(workbook_bytes(), replace={"xl/worksheets/sheet1.xml": laughs})
    assert "XML entity declarations" in error_of(bad)


def test_an_external_entity_in_the_workbook_part_is_refused():
    xxe = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b"<sheets><sheet name='&e;' sheetId='1'/></sheets></workbook>"
    )
    bad = rezip(workbook_bytes(), replace={"xl/workbook.xml": xxe})
    assert "XML entity declarations" in error_of(bad)


def test_broken_xml_inside_a_valid_zip_is_not_valid_contents():
    bad = rezip(workbook_bytes(), replace={"xl/workbook.xml": b"<workbook><sheets>"})
    assert "could not be read" in error_of(bad)


def test_a_missing_sheet_names_the_sheets_there_are():
    wb = open_workbook(upload(workbook_bytes()), limits=Limits())
    with pytest.raises(SpreadsheetError, match=r"no sheet called 'Questionnaire'.*'Data'"):
        get_sheet(wb, "Questionnaire")


def load(data):
    return get_sheet(open_workbook(upload(data), limits=Limits()), "Data")


def problems_of(data, **kwargs) -> list[str]:
    with pytest.raises(SpreadsheetError) as caught:
        read_table(load(data), COLUMNS, unique="key", **kwargs)
    return caught.value.problems


def test_a_renamed_column_is_named_with_the_columns_found():
    [problem] = problems_of(workbook_bytes(header=("Id", "Answer", "Count", "Date")))
    assert "missing the column 'Key'" in problem
    assert "'Id', 'Answer'" in problem


def test_headers_match_whatever_their_case_spacing_and_order():
    data = workbook_bytes(rows=[(2, "No", "b")], header=("  count ", "ANSWER", "key*"))
    table = read_table(load(data), COLUMNS, unique="key")
    assert table.rows[0].values == {"count": 2, "answer": "No", "key": "b"}


def test_extra_columns_are_ignored_and_listed():
    data = workbook_bytes(rows=[("a", "x")], header=("Key", "Notes"))
    table = read_table(load(data), COLUMNS, unique="key")
    assert table.extra_columns == ["Notes"]


def test_empty_rows_are_skipped_and_duplicates_reported():
    data = workbook_bytes(rows=[("a",), (None, "  "), (), ("a",)])
    assert problems_of(data) == ["row 5, Key: 'a' is already on row 2"]


def test_formulas_are_reported_where_values_are_expected():
    data = workbook_bytes(rows=[("a", "=A1"), ("b", "=SUM(1,2)")])
    assert problems_of(data) == [
        "row 2, Answer: a formula (=A1) where a value is expected",
        "row 3, Answer: a formula (=SUM(1,2)) where a value is expected",
    ]


def test_badly_typed_cells_are_reported_per_row_and_column():
    data = workbook_bytes(rows=[("a", None, "three", "31/01/2024")])
    assert problems_of(data) == [
        "row 2, Count: 'three' is not a whole number",
        "row 2, Date: '31/01/2024' is not a date (write it as YYYY-MM-DD)",
    ]


def test_merged_cells_in_the_table_are_refused():
    wb = openpyxl.load_workbook(io.BytesIO(workbook_bytes(rows=[("a", "Yes"), ("b", "No")])))
    wb.active.merge_cells("B2:B3")
    out = io.BytesIO()
    wb.save(out)
    with pytest.raises(SpreadsheetError, match=r"merged cells \(B2:B3\)"):
        read_table(load(out.getvalue()), COLUMNS)


def test_unicode_is_normalised_and_invisible_characters_removed():
    assert clean_text("Cafe\u0301\u200b \u202eevil\x07 ") == "Caf\u00e9 evil"
    data = workbook_bytes(rows=[("k\u200by", "Ye\u0301s")])
    table = read_table(load(data), COLUMNS)
    assert table.rows[0].values["key"] == "ky"
    assert table.rows[0].values["answer"] == "Y\u00e9s"


def test_text_that_looks_like_a_formula_is_written_as_text():
    wb = openpyxl.Workbook()
    for row, text in enumerate(['=HYPERLINK("http://x")', "+1", "-x", "@SUM(A1)", "plain"], 1):
        write_text(wb.active.cell(row=row, column=1), text)
    out = io.BytesIO()
    wb.save(out)
    again = openpyxl.load_workbook(io.BytesIO(out.getvalue()), data_only=False).active
    cells = [again.cell(row=r, column=1) for r in range(1, 6)]
    assert [c.data_type for c in cells] == ["s"] * 5
    assert cells[0].value == '=HYPERLINK("http://x")'
    assert [c.quotePrefix for c in cells] == [True, True, True, True, False]
