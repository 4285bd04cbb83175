"""Mutated questionnaire workbooks: every one gets a clear message or a valid preview, never
an exception, and nothing is written by uploading alone.

The mutations are drawn from a fixed seed, so a failure names the case that
reproduces it. They cover the three layers a file can break at: bytes (cut,
flipped), the zip (members dropped, replaced, garbled) and the cells (values
swapped, formulas, wrong types, odd Unicode, columns and rows moved, cells
merged, sheets renamed).
"""

import datetime as dt
import io
import random
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from surveys import services
from surveys.models import Answer, AnswerEvent, Assessment, AssessmentMode
from surveys.services import SurveyError
from surveys.services.imports import historic_import, historic_template
from surveys.services.workbooks import Preview, workbook_download, workbook_preview
from surveys.spreadsheets import SpreadsheetError
from surveys.workbooks import IDENTITY, QUESTIONNAIRE
from tests.depth import cases
from tests.surveys.workbook_files import fill, rows_of

# Adding a member twice is one of the mutations; zipfile warns about it.
pytestmark = pytest.mark.filterwarnings("ignore:Duplicate name")

CASES = cases(300)  # tests/depth.py
SEED = 20261126


# ---------------------------------------------------------------- byte and zip mutations


def truncate(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randrange(0, len(data))]


def flip_bytes(data: bytes, rng: random.Random) -> bytes:
    buffer = bytearray(data)
    for _ in range(rng.randint(1, 12)):
        buffer[rng.randrange(len(buffer))] ^= 1 << rng.randrange(8)
    return bytes(buffer)


def _rezip(data: bytes, change) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        members = [(i.filename, source.read(i)) for i in source.infolist()]
        for name, content in change(members):
            target.writestr(name, content)
    return out.getvalue()


def drop_member(data: bytes, rng: random.Random) -> bytes:
    def change(members):
        members.pop(rng.randrange(len(members)))
        return members

    return _rezip(data, change)


def garble_member(data: bytes, rng: random.Random) -> bytes:
    def change(members):
        at = rng.randrange(len(members))
        name, content = members[at]
        how = rng.choice(["cut", "noise", "empty", "swap-tags"])
        if how == "cut":
            content = content[: rng.randrange(max(1, len(content)))]
        elif how == "noise":
            content = rng.randbytes(rng.randint(1, 400))
        elif how == "empty":
            content = b""
        else:
            content = content.replace(b"<row", b"<wor", 1).replace(b"</c>", b"</x>", 3)
        members[at] = (name, content)
        return members

    return _rezip(data, change)


def add_member(data: bytes, rng: random.Random) -> bytes:
    extra = rng.choice(
        [
            ("xl/media/blob.bin", rng.randbytes(2000)),
            ("xl/vbaProject.bin", b"macro"),
            ("xl/worksheets/sheet9.xml", b"<worksheet/>"),
        ]
    )
    return _rezip(data, lambda members: [*members, extra])


# ---------------------------------------------------------------- cell mutations


def _edit(data: bytes, edit) -> bytes:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    edit(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


ODD_VALUES = [
    "=1+1",
    '=HYPERLINK("http://x","y")',
    "@SUM(A1)",
    42,
    3.5,
    True,
    dt.datetime(2024, 1, 2, 3, 4),
    dt.date(2020, 2, 29),
    "",
    " ",
    "Ye\u0301s",
    "YES",
    "n/a",
    "Yes\u200b",
    "\u202eseY",
    "x" * 6000,
    "line\nbreak",
    "\x07bell",
    "🙂",
    "https://example.com/a",
    "javascript:alert(1)",
    None,
]


def cell_mutation(data: bytes, rng: random.Random) -> bytes:
    how = rng.choice(
        [
            "value",
            "value",
            "value",
            "swap",
            "formula",
            "delete-col",
            "insert-col",
            "delete-row",
            "duplicate-row",
            "merge",
            "rename-sheet",
            "rename-header",
            "extra-sheet",
            "hide-sheet",
            "identity",
            "clear-key",
        ]
    )

    def edit(wb):
        sheet = wb[QUESTIONNAIRE]
        sheet.protection.sheet = False
        rows = sheet.max_row
        row = rng.randint(1, rows)
        col = rng.randint(1, 9)
        if how == "value":
            sheet.cell(row=row, column=col).value = rng.choice(ODD_VALUES)
        elif how == "swap":
            other = (rng.randint(1, rows), rng.randint(1, 9))
            a, b = sheet.cell(row=row, column=col), sheet.cell(*other)
            a.value, b.value = b.value, a.value
        elif how == "formula":
            sheet.cell(row=row, column=col).value = f"=B{rng.randint(1, rows)}"
        elif how == "delete-col":
            sheet.delete_cols(col)
        elif how == "insert-col":
            sheet.insert_cols(col)
        elif how == "delete-row":
            sheet.delete_rows(row)
        elif how == "duplicate-row":
            for c in range(1, 10):
                sheet.cell(row=rows + 1, column=c).value = sheet.cell(row=row, column=c).value
        elif how == "merge":
            sheet.merge_cells(start_row=row, start_column=col, end_row=row + 1, end_column=col)
        elif how == "rename-sheet":
            sheet.title = "Answers"
        elif how == "rename-header":
            sheet.cell(row=1, column=col).value = "Something else"
        elif how == "extra-sheet":
            wb.create_sheet("Notes")["A1"] = "=1/0"
        elif how == "hide-sheet":
            sheet.sheet_state = "hidden"
        elif how == "identity":
            hidden = wb[IDENTITY]
            hidden["B2"] = rng.choice([None, "garbage", 12, hidden["B2"].value[:-1]])
        elif how == "clear-key":
            sheet.cell(row=max(2, row), column=2).value = None

    return _edit(data, edit)


MUTATIONS = [truncate, flip_bytes, drop_member, garble_member, add_member] + [cell_mutation] * 4


@pytest.fixture
def self_fill(project, lead, version):
    return services.assessment_start(
        project=project, user=lead, mode=AssessmentMode.SELF_FILL, version=version
    )


def snapshot(assessment):
    return (
        AnswerEvent.objects.filter(answer__assessment=assessment).count(),
        sorted(Answer.objects.filter(assessment=assessment).values_list("id", "revision")),
    )


def test_mutated_workbooks_get_a_message_or_a_preview_and_write_nothing(self_fill, lead):
    _, base = workbook_download(assessment=self_fill, user=lead)
    keys = [row["Key"] for row in rows_of(base)]
    base = fill(base, {k: {"Answer": "Yes", "Comment": "offline"} for k in keys[:10]})
    before = snapshot(self_fill)
    rng = random.Random(SEED)
    outcomes = {"message": 0, "preview": 0}
    failures = []
    for case in range(CASES):
        mutation = rng.choice(MUTATIONS)
        data = base
        # Some cases stack two mutations, as a file damaged twice would be.
        for step in range(rng.choice([1, 1, 2])):
            try:
                data = (mutation if step == 0 else rng.choice(MUTATIONS))(data, rng)
            except Exception:  # a cell edit may not apply to an already broken file
                break
        upload = SimpleUploadedFile("mutated.xlsx", data, content_type="application/octet-stream")
        try:
            result = workbook_preview(assessment=self_fill, user=lead, upload=upload)
        except SpreadsheetError as exc:
            outcomes["message"] += 1
            if not exc.message.strip() or any(not p.strip() for p in exc.problems):
                failures.append((case, mutation.__name__, "empty message"))
        except Exception as exc:
            failures.append((case, mutation.__name__, f"{type(exc).__name__}: {exc}"))
        else:
            outcomes["preview"] += 1
            if not isinstance(result, Preview):
                failures.append((case, mutation.__name__, f"returned {result!r}"))
    assert failures == []
    # Both outcomes occur: the mutations are neither all fatal nor all harmless.
    assert outcomes["message"] > CASES // 4 and outcomes["preview"] > CASES // 30
    assert snapshot(self_fill) == before


def mutated(base: bytes, rng: random.Random) -> bytes:
    data = base
    for _ in range(rng.choice([1, 1, 2])):
        try:
            data = rng.choice(MUTATIONS)(data, rng)
        except Exception:
            break
    return data


def test_mutated_uploads_through_the_page_never_fail_the_server(client, self_fill, lead):
    """The same through HTTP: a page with the problems (400) or the preview (302), no 500."""
    client.force_login(lead)
    _, base = workbook_download(assessment=self_fill, user=lead)
    before = snapshot(self_fill)
    rng = random.Random(SEED + 1)
    statuses = []
    for _ in range(40):
        upload = SimpleUploadedFile(
            "m.xlsx", mutated(base, rng), content_type="application/octet-stream"
        )
        response = client.post(
            reverse("workbook_upload", args=[self_fill.code]), {"workbook": upload}
        )
        statuses.append(response.status_code)
        if response.status_code == 400:
            assert "Nothing was saved." in response.content.decode()
    assert set(statuses) <= {302, 400} and 400 in statuses
    assert snapshot(self_fill) == before


def test_mutated_templates_of_an_earlier_round_import_whole_or_not_at_all(
    project, group_assessor, version
):
    import datetime as dt

    _, template = historic_template(project=project, user=group_assessor, version=version)
    keys = [row["Key"] for row in rows_of(template)]
    base = fill(template, {k: {"Answer": "Partly"} for k in keys})
    rng = random.Random(SEED + 2)
    imported = 0
    for case in range(60):
        day = dt.date(2020, 1, 1) + dt.timedelta(days=case)
        upload = SimpleUploadedFile(
            "m.xlsx", mutated(base, rng), content_type="application/octet-stream"
        )
        try:
            assessment = historic_import(
                project=project, user=group_assessor, upload=upload, assessed_on=day
            )
        except (SpreadsheetError, SurveyError) as exc:
            assert exc.message.strip()
            assert not Assessment.objects.filter(project=project, assessed_on=day).exists()
        else:
            imported += 1
            assert assessment.is_validated
            assert assessment.answers.filter(option__isnull=True, is_na=False).count() == 0
    assert 0 < imported < 60
