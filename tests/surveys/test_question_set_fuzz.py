"""Fuzzing the question-set upload (TARGETS.md R5).

Valid YAML files and workbooks of the default set are mutated (a fixed seed, so every run
tries the same few hundred files) and uploaded through the real view as a group admin. Each
upload must end in exactly one of two ways: a new draft (the mutation happened to be a valid
edit), or a 400 page that lists what is wrong and leaves the database as it was. A server
error, an exception, a half-written draft or a refusal without a message fails the test.
"""

import datetime as dt
import io
import random
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl.cell.cell import MergedCell

from surveys import question_set_excel as qx
from surveys import selectors, services
from surveys.models import Question, QuestionSetVersion
from tests import factories
from tests.depth import cases

pytestmark = pytest.mark.django_db

SEED = 20261126
BATCHES = 3
PER_BATCH = cases(50)  # per kind: 2 kinds x 3 batches x 50 = 300 files (tests/depth.py)

ODD_TEXT = [
    "",
    "   ",
    "\u200b",
    "\ufeff",
    "\u202edoc",
    "e\u0301",
    "\U0001f600",
    "\u00a0",
    "\t",
    "\\x00",
    "'",
    '"',
    "#",
]
YAML_VALUES = [
    "",
    "~",
    "yes",
    "-1",
    "9",
    "0",
    "1e999",
    ".inf",
    ".nan",
    "heavy",
    "[]",
    "{}",
    "*x",
    "&x y",
    "!!python/object/apply:os.system ['true']",
    "!!binary aGk=",
    '"\\x01"',
    "2024-01-01",
    "0x1F",
    "1" * 5000,
    "[" * 50,
    "'\u202eabc'",
    "{a: {b: {c: {d: {e: {f: {g: {h: {i: {j: {k: 1}}}}}}}}}}}",
]
CELL_VALUES = [
    None,
    "",
    "  ",
    "=1+1",
    '=HYPERLINK("http://example.com")',
    "+A1",
    "heavy",
    -1,
    0,
    9,
    0.5,
    1e308,
    10**20,
    True,
    "yes",
    "maybe",
    "doc-purpose",
    "documentation",
    "all",
    "api",
    dt.datetime(2024, 1, 1),
    "\u202eevil",
    "\u200bkey",
    "\U0001f600",
    "x" * 6000,
]


def mutate_yaml(text: str, rng: random.Random) -> bytes:
    lines = text.split("\n")
    kind = rng.randrange(11)
    i = rng.randrange(len(lines))
    if kind == 0:
        del lines[i]
    elif kind == 1:
        lines.insert(i, lines[i])
    elif kind == 2:
        j = rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
    elif kind == 3:
        return text[: rng.randrange(len(text))].encode()
    elif kind == 4 and ": " in lines[i]:
        head = lines[i].split(": ", 1)[0]
        lines[i] = f"{head}: {rng.choice(YAML_VALUES)}"
    elif kind == 5:
        lines[i] = " " * rng.randrange(1, 4) + lines[i]
    elif kind == 6:
        data = bytearray(text.encode())
        at = rng.randrange(len(data))
        data[at:at] = rng.randbytes(rng.randrange(1, 16))
        return bytes(data)
    elif kind == 7:
        data = bytearray(text.encode())
        for _ in range(rng.randrange(1, 5)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        return bytes(data)
    elif kind == 8:
        odd = rng.choice(ODD_TEXT)
        at = rng.randrange(len(lines[i]) + 1)
        lines[i] = lines[i][:at] + odd + lines[i][at:]
    elif kind == 9:
        lines[i] = "\t" + lines[i].lstrip()
    else:
        field = rng.choice(["weight", "key", "text", "score", "min", "core", "applies_to"])
        lines[i] = lines[i].replace(f"{field}:", f"{field[::-1]}:", 1)
    return "\n".join(lines).encode("utf-8")


def _edit_workbook(data: bytes, rng: random.Random) -> bytes:
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    for _ in range(rng.randrange(1, 4)):
        sheet = workbook[rng.choice(workbook.sheetnames)]
        kind = rng.randrange(9)
        row = rng.randrange(1, sheet.max_row + 3)
        column = rng.randrange(1, sheet.max_column + 2)
        if kind <= 3:
            cell = sheet.cell(row=row, column=column)
            value = rng.choice(CELL_VALUES)
            if not isinstance(cell, MergedCell):  # openpyxl cannot write inside a merge
                cell.value = value
        elif kind == 4:
            sheet.delete_rows(row)
        elif kind == 5:
            sheet.insert_rows(row, rng.randrange(1, 3))
        elif kind == 6:
            sheet.delete_cols(column)
        elif kind == 7:
            choice = rng.randrange(3)
            if choice == 0 and len(workbook.sheetnames) > 1:
                del workbook[sheet.title]
            elif choice == 1:
                sheet.title = sheet.title.lower() + rng.choice(["", "s", " (2)"])
            else:
                workbook.create_sheet(rng.choice(["Notes", "questions ", "Sheet1"]))
        else:
            sheet.merge_cells(
                start_row=row, start_column=column, end_row=row + 1, end_column=column
            )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _edit_xml(data: bytes, rng: random.Random) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    members = source.namelist()
    target = rng.choice([m for m in members if m.endswith(".xml")])
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in members:
            content = source.read(name)
            if name == target:
                kind = rng.randrange(3)
                at = rng.randrange(len(content))
                if kind == 0:
                    content = content[:at] + content[at + rng.randrange(1, 200) :]
                elif kind == 1:
                    entity = b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>'
                    content = content.replace(b"?>", b"?>" + entity, 1)
                else:
                    content = content[:at] + b"<bogus>" + content[at:]
            archive.writestr(name, content)
    return out.getvalue()


def mutate_workbook(data: bytes, rng: random.Random) -> bytes:
    kind = rng.randrange(10)
    if kind <= 5:
        return _edit_workbook(data, rng)
    if kind == 6:
        return data[: rng.randrange(len(data))]
    if kind == 7:
        damaged = bytearray(data)
        for _ in range(rng.randrange(1, 8)):
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        return bytes(damaged)
    return _edit_xml(data, rng)


def stored(version: QuestionSetVersion) -> tuple[int, int]:
    question_set = version.question_set
    return (
        question_set.versions.count(),
        Question.objects.filter(version__question_set=question_set).count(),
    )


def check(client, version, admin, name: str, data: bytes) -> str | None:
    """None if the upload ended well; else what went wrong."""
    before = stored(version)
    try:
        response = client.post(
            reverse("version_draft_upload", args=[version.code]),
            {"file": SimpleUploadedFile(name, data, content_type="application/octet-stream")},
        )
    except Exception as exc:  # the test client re-raises whatever the view let escape
        return f"{type(exc).__name__}: {exc}"
    if response.status_code == 302:
        draft = selectors.draft_of(version.question_set)
        if draft is None or stored(version)[0] != before[0] + 1:
            return "redirected without exactly one new draft"
        services.version_draft_discard(version=draft, user=admin)
        return None
    html = response.content.decode()
    if response.status_code != 400:
        return f"answered {response.status_code}"
    if stored(version) != before:
        return "refused but the database changed"
    if "Nothing was saved" not in html and 'class="error"' not in html:
        return "refused without a message"
    if "Traceback" in html or "object at 0x" in html:
        return "the message leaks internals"
    return None


@pytest.fixture
def admin_client(client, group_admin):
    client.force_login(group_admin)
    return client


@pytest.mark.parametrize("batch", range(BATCHES))
def test_mutated_yaml_files_make_a_draft_or_a_clear_refusal(
    admin_client, group_admin, version, batch
):
    rng = random.Random(SEED + batch)
    source = factories.default_source()
    failures = []
    for case in range(PER_BATCH):
        data = mutate_yaml(source, rng)
        name = rng.choice(["set.yaml", "set.yml", "set.txt", "set.xlsx", "set"])
        problem = check(admin_client, version, group_admin, name, data)
        if problem:
            failures.append(f"case {batch}/{case} ({name}, {data[:60]!r}): {problem}")
    assert failures == []


@pytest.mark.parametrize("batch", range(BATCHES))
def test_mutated_workbooks_make_a_draft_or_a_clear_refusal(
    admin_client, group_admin, version, batch
):
    rng = random.Random(SEED * 7 + batch)
    source = qx.write_workbook(selectors.version_as_spec(version), version=version.number)
    failures = []
    for case in range(PER_BATCH):
        data = mutate_workbook(source, rng)
        name = rng.choice(["set.xlsx", "set.xlsx", "set.yaml", "set.xls", "set"])
        problem = check(admin_client, version, group_admin, name, data)
        if problem:
            failures.append(f"case {batch}/{case} ({name}): {problem}")
    assert failures == []


def test_the_mutations_reach_both_outcomes(admin_client, group_admin, version):
    """A fuzz run that only ever produced refusals (or drafts) would prove little."""
    rng = random.Random(SEED)
    source = qx.write_workbook(selectors.version_as_spec(version), version=version.number)
    statuses = set()
    for _ in range(40):
        response = admin_client.post(
            reverse("version_draft_upload", args=[version.code]),
            {"file": SimpleUploadedFile("set.xlsx", mutate_workbook(source, rng))},
        )
        statuses.add(response.status_code)
        draft = selectors.draft_of(version.question_set)
        if draft is not None:
            services.version_draft_discard(version=draft, user=group_admin)
    assert statuses == {302, 400}
