"""The offline questionnaire workbook: its layout, how it is built and how it is read back.

No database access here: the services hand in plain rows and get plain rows
back, so the layout can be tested on its own and reused for the historic
template.

Layout (the file a team fills in):

- **Instructions** (first sheet): what the file is for, how to fill it, the
  answer scale with what each option means, what N/A needs.
- **Questionnaire**: one row per applicable statement. Section, Key,
  Statement, Guidance and Core are locked (sheet protection without a
  password: a guard against slips, not a security boundary; the upload
  matches rows by Key and checks the identity below). Answer (a drop-down of
  the scale and N/A), N/A reason, Comment and Evidence link are unlocked.
- **_yardstick** (veryHidden): the file's identity, signed with the server's
  secret (`django.core.signing`): which assessment or project it belongs to,
  the question-set version, and per statement the answer's revision and a
  fingerprint of its content at download time. The revision says whether the
  answer moved online since; the fingerprint says whether the row was edited
  in the file. Together they tell a real conflict (both sides changed) from a
  row the team simply left alone. A changed or forged identity fails its
  signature and the file is refused.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.core import signing
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.worksheet.datavalidation import DataValidation

from surveys.spreadsheets import (
    Column,
    Limits,
    SpreadsheetError,
    clean_text,
    get_sheet,
    read_table,
    write_text,
)

INSTRUCTIONS = "Instructions"
QUESTIONNAIRE = "Questionnaire"
IDENTITY = "_yardstick"
FORMAT = "yardstick-questionnaire"
FORMAT_VERSION = 1
_SALT = "surveys.workbooks.identity"

NA_LABEL = "N/A"
_NA_SPELLINGS = {"n/a", "na", "n.a.", "not applicable"}

PURPOSE_ASSESSMENT = "assessment"
PURPOSE_HISTORIC = "historic"

# (header, width, editable)
LAYOUT = (
    ("Section", 22, False),
    ("Key", 20, False),
    ("Statement", 50, False),
    ("Guidance", 50, False),
    ("Core", 7, False),
    ("Answer", 14, True),
    ("N/A reason", 30, True),
    ("Comment", 45, True),
    ("Evidence link", 35, True),
)
ANSWER_COLUMN = 6

READ_COLUMNS = (
    Column("Key", "key"),
    Column("Answer", "answer", max_length=60),
    Column("N/A reason", "na_reason", aliases=("NA reason", "Reason for N/A")),
    Column("Comment", "comment", aliases=("Comments",)),
    Column("Evidence link", "evidence_url", aliases=("Evidence",), max_length=500),
)


@dataclass(frozen=True)
class QuestionRow:
    """One statement as the workbook shows it, with its current answer (labels, not keys)."""

    section: str
    key: str
    text: str
    guidance: str
    core: bool
    answer: str = ""  # an option label, NA_LABEL or ""
    na_reason: str = ""
    comment: str = ""
    evidence_url: str = ""


@dataclass(frozen=True)
class ScaleOption:
    key: str
    label: str
    score: float


@dataclass(frozen=True)
class Identity:
    """What the hidden sheet says about the file; signed, so it can be trusted once read."""

    purpose: str
    project: str
    version: str
    assessment: str | None = None
    # key -> (revision, fingerprint) at download time
    answers: Mapping[str, tuple[int, str]] = field(default_factory=dict)
    downloaded_at: str = ""

    def dumps(self) -> str:
        return signing.dumps(
            {
                "f": FORMAT_VERSION,
                "p": self.purpose,
                "pr": self.project,
                "v": self.version,
                "a": self.assessment,
                "r": {k: list(v) for k, v in self.answers.items()},
                "t": self.downloaded_at,
            },
            salt=_SALT,
            compress=True,
        )

    @classmethod
    def loads(cls, token: str) -> Identity:
        try:
            data = signing.loads(token, salt=_SALT)
            return cls(
                purpose=str(data["p"]),
                project=str(data["pr"]),
                version=str(data["v"]),
                assessment=None if data.get("a") is None else str(data["a"]),
                answers={str(k): (int(v[0]), str(v[1])) for k, v in dict(data["r"]).items()},
                downloaded_at=str(data.get("t", "")),
            )
        except (signing.BadSignature, KeyError, TypeError, ValueError, IndexError):
            raise SpreadsheetError(
                "The workbook's identity (the hidden part that says which assessment it "
                "belongs to) was changed or damaged. Download a fresh copy and copy your "
                "answers into it."
            ) from None


@dataclass(frozen=True)
class AnswerState:
    """An answer's content as the workbook can carry it; compared and fingerprinted."""

    option: str | None = None  # option key
    is_na: bool = False
    na_reason: str = ""
    comment: str = ""
    evidence_url: str = ""

    @classmethod
    def of(
        cls,
        *,
        option: str | None,
        is_na: bool,
        na_reason: str = "",
        comment: str = "",
        evidence_url: str = "",
    ) -> AnswerState:
        """Normalised as a round trip through the workbook leaves it."""
        return cls(
            option=None if is_na else (option or None),
            is_na=bool(is_na),
            na_reason=clean_text(na_reason or "") if is_na else "",
            comment=clean_text(comment or ""),
            evidence_url=clean_text(evidence_url or ""),
        )

    def fingerprint(self) -> str:
        text = json.dumps(
            [self.option, self.is_na, self.na_reason, self.comment, self.evidence_url],
            ensure_ascii=False,
        )
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def as_dict(self) -> dict:
        return {
            "option": self.option,
            "is_na": self.is_na,
            "na_reason": self.na_reason,
            "comment": self.comment,
            "evidence_url": self.evidence_url,
        }

    @property
    def is_answered(self) -> bool:
        return self.is_na or self.option is not None


# ---------------------------------------------------------------- building

_HEADER_FILL = PatternFill("solid", fgColor="DDE4EE")
_EDIT_FILL = PatternFill("solid", fgColor="FFF8DC")
_WRAP = Alignment(wrap_text=True, vertical="top")


def questionnaire_build(
    *,
    title: str,
    facts: Sequence[tuple[str, str]],
    scale: Sequence[ScaleOption],
    rows: Sequence[QuestionRow],
    identity: Identity,
    historic: bool = False,
) -> bytes:
    """The workbook as bytes: Instructions, Questionnaire and the hidden identity."""
    wb = Workbook()
    guide = wb.active
    guide.title = INSTRUCTIONS
    scale_range = _instructions(guide, title=title, facts=facts, scale=scale, historic=historic)

    sheet = wb.create_sheet(QUESTIONNAIRE)
    for position, (header, width, _) in enumerate(LAYOUT, 1):
        cell = sheet.cell(row=1, column=position)
        write_text(cell, header)
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.alignment = _WRAP
        sheet.column_dimensions[cell.column_letter].width = width
    for number, row in enumerate(rows, 2):
        values = (
            row.section,
            row.key,
            row.text,
            row.guidance,
            "core" if row.core else "",
            row.answer,
            row.na_reason,
            row.comment,
            row.evidence_url,
        )
        for position, value in enumerate(values, 1):
            cell = sheet.cell(row=number, column=position)
            write_text(cell, value)
            cell.alignment = _WRAP
            if LAYOUT[position - 1][2]:
                cell.protection = Protection(locked=False)
                cell.fill = _EDIT_FILL
    last = len(rows) + 1
    if rows:
        choices = DataValidation(
            type="list",
            formula1=scale_range,
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="Not an answer",
            error="Choose one of the answers in the list (or N/A).",
            promptTitle="Answer",
            prompt="Choose from the list.",
            showInputMessage=True,
        )
        choices.add(f"F2:F{last}")
        sheet.add_data_validation(choices)
    sheet.freeze_panes = "C2"
    sheet.auto_filter.ref = f"A1:I{last}"
    # Protection keeps the identity columns as they are; people may still resize,
    # filter and format, which changes nothing the upload reads.
    protection = sheet.protection
    protection.sheet = True
    protection.formatColumns = False
    protection.formatRows = False
    protection.formatCells = False
    protection.autoFilter = False
    protection.sort = False

    hidden = wb.create_sheet(IDENTITY)
    write_text(hidden["A1"], "format")
    write_text(hidden["B1"], f"{FORMAT}/{FORMAT_VERSION}")
    write_text(hidden["A2"], "identity")
    write_text(hidden["B2"], identity.dumps())
    hidden.sheet_state = "veryHidden"
    hidden.protection.sheet = True

    wb.properties.title = title
    wb.properties.creator = "Yardstick"
    wb.properties.identifier = identity.assessment or identity.project
    wb.properties.keywords = f"{FORMAT}/{FORMAT_VERSION}"
    wb.active = 0
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _instructions(sheet, *, title, facts, scale, historic) -> str:
    """Write the first sheet; returns the range of the scale for the drop-down."""
    sheet.column_dimensions["A"].width = 22
    sheet.column_dimensions["B"].width = 90
    write_text(sheet["A1"], title)
    sheet["A1"].font = Font(bold=True, size=14)
    row = 3
    for label, value in facts:
        write_text(sheet.cell(row=row, column=1), label)
        sheet.cell(row=row, column=1).font = Font(bold=True)
        write_text(sheet.cell(row=row, column=2), value)
        row += 1
    row += 1
    steps = [
        "Fill in the yellow columns of the Questionnaire sheet: Answer, N/A reason, "
        "Comment and Evidence link. The other columns are locked; leave them as they are.",
        "Answer: choose from the drop-down (the scale is below). Leave it empty if "
        "you do not know yet.",
        "N/A: choose N/A only when the statement does not apply to this project, and "
        "say why in the N/A reason column; an N/A without a reason is refused.",
        "Evidence link: a web address starting with http:// or https:// (a wiki page, "
        "a dashboard, a repository).",
        "Type values, not formulas: a cell with a formula is refused.",
        "Do not add, remove or rename columns or sheets, and do not merge cells. You may "
        "filter the rows; rows are matched by their Key, not by their position.",
    ]
    if historic:
        steps.append(
            "This is a template for an earlier round: every statement needs an answer "
            "(or N/A with a reason). The date of the round is asked for when you upload it."
        )
    else:
        steps.append(
            "Upload the file on the assessment's page. You will see every change before "
            "it is saved, and which answers someone changed online since this download."
        )
    write_text(sheet.cell(row=row, column=1), "How to fill it in")
    sheet.cell(row=row, column=1).font = Font(bold=True)
    for number, text in enumerate(steps, 1):
        write_text(sheet.cell(row=row, column=2), f"{number}. {text}")
        sheet.cell(row=row, column=2).alignment = _WRAP
        row += 1
    row += 1
    write_text(sheet.cell(row=row, column=1), "Answer")
    write_text(sheet.cell(row=row, column=2), "Counts as")
    sheet.cell(row=row, column=1).font = Font(bold=True)
    sheet.cell(row=row, column=2).font = Font(bold=True)
    first = row + 1
    for option in scale:
        row += 1
        write_text(sheet.cell(row=row, column=1), option.label)
        write_text(
            sheet.cell(row=row, column=2), f"{round(option.score * 100)}% of the statement met"
        )
    row += 1
    write_text(sheet.cell(row=row, column=1), NA_LABEL)
    write_text(
        sheet.cell(row=row, column=2),
        "does not apply to this project (left out of the score); needs a reason",
    )
    sheet.protection.sheet = True
    return f"'{INSTRUCTIONS}'!$A${first}:$A${row}"


# ---------------------------------------------------------------- reading


@dataclass(frozen=True)
class FileRow:
    number: int
    key: str
    state: AnswerState


@dataclass
class Questionnaire:
    identity: Identity
    rows: list[FileRow]
    extra_columns: list[str]


def identity_read(workbook) -> Identity:
    """The signed identity of an opened workbook, or why it has none."""
    names = {s.title for s in workbook.worksheets}
    if IDENTITY not in names:
        raise SpreadsheetError(
            "This workbook was not downloaded from Yardstick (it has no identity part), "
            "or it was copied into a new file. Download the questionnaire from the "
            "assessment's page and fill in that file."
        )
    sheet = workbook[IDENTITY]
    token = sheet["B2"].value
    if not isinstance(token, str) or sheet["B1"].value != f"{FORMAT}/{FORMAT_VERSION}":
        raise SpreadsheetError(
            "The workbook's identity part is damaged. Download a fresh copy and copy "
            "your answers into it."
        )
    return Identity.loads(token)


def questionnaire_read(
    workbook,
    *,
    scale: Sequence[ScaleOption],
    keys: Mapping[str, str] | None = None,
    limits: Limits | None = None,
) -> list[FileRow]:
    """The Questionnaire sheet's rows as answer states; every problem listed at once.

    `keys` maps the statements the file may hold to their text (unknown keys are
    problems). Labels are matched whatever their case; "N/A", "NA" and "not
    applicable" all mean N/A.
    """
    sheet = get_sheet(workbook, QUESTIONNAIRE, purpose="the answers")
    table = read_table(sheet, READ_COLUMNS, unique="key", limits=limits)
    by_label = {clean_text(o.label).casefold(): o.key for o in scale}
    allowed = ", ".join([*(o.label for o in scale), NA_LABEL])
    problems: list[str] = []
    rows: list[FileRow] = []
    for row in table.rows:
        values = row.values
        key = values["key"]
        if keys is not None and key not in keys:
            problems.append(f"row {row.number}, Key: '{key}' is not a statement of this assessment")
            continue
        answer = (values.get("answer") or "").strip()
        folded = answer.casefold()
        is_na = folded in _NA_SPELLINGS
        option = None
        if answer and not is_na:
            option = by_label.get(folded)
            if option is None:
                problems.append(f"row {row.number}, Answer: '{answer}' is not one of {allowed}")
                continue
        reason = values.get("na_reason") or ""
        if is_na and not reason:
            problems.append(
                f"row {row.number}, N/A reason: N/A needs a reason (say why the statement "
                "does not apply)"
            )
            continue
        link = values.get("evidence_url") or ""
        if link and not _is_web_address(link):
            problems.append(
                f"row {row.number}, Evidence link: '{link[:60]}' is not a web address "
                "starting with http:// or https://"
            )
            continue
        rows.append(
            FileRow(
                number=row.number,
                key=key,
                state=AnswerState.of(
                    option=option,
                    is_na=is_na,
                    na_reason=reason,
                    comment=values.get("comment") or "",
                    evidence_url=link,
                ),
            )
        )
    if problems:
        raise SpreadsheetError.from_problems(problems)
    return rows


def _is_web_address(text: str) -> bool:
    from django.core.exceptions import ValidationError
    from django.core.validators import URLValidator

    try:
        URLValidator(schemes=["http", "https"])(text)
    except ValidationError:
        return False
    return True


def stamp() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
