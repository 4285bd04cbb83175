"""The offline questionnaire workbook: its layout, how it is built and how it is read back.

No database access here: the services hand in plain rows and get plain rows
back, so the layout can be tested on its own and reused for the historic
template.

Layout (the file a team fills in), written in the language active while it is built (the
downloader's, or the one they chose):

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
  signature and the file is refused. The identity also records the file's
  language and its layout as written: the questionnaire sheet's title, each
  column's header and each answer's label. Reading goes by that record, not by
  the words of the reader's language, so a file comes back whatever language it
  was written in (files made before the record existed are English).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from django.core import signing
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.worksheet.datavalidation import DataValidation

from surveys.spreadsheets import (
    Column,
    Limits,
    SpreadsheetError,
    at_cell,
    clean_text,
    get_sheet,
    normalise_header,
    read_table,
    write_text,
)

# The sheets' names in the source language; a file carries them in its own language
# (`sheet_titles`), and the questionnaire's title is kept in its identity.
INSTRUCTIONS = "Instructions"
QUESTIONNAIRE = "Questionnaire"
_SHEET_TITLES = {
    INSTRUCTIONS: gettext_lazy("Instructions"),
    QUESTIONNAIRE: gettext_lazy("Questionnaire"),
}
IDENTITY = "_yardstick"
FORMAT = "yardstick-questionnaire"
FORMAT_VERSION = 1
_SALT = "surveys.workbooks.identity"

# N/A as the English file writes it (the answer's key is "na"); other languages write
# their own word, and any of these spellings is read as N/A whatever the file's language.
NA_LABEL = "N/A"
NA_KEY = "na"
_NA_WORD = gettext_lazy("N/A")
_NA_SPELLINGS = {"n/a", "na", "n.a.", "not applicable"}

PURPOSE_ASSESSMENT = "assessment"
PURPOSE_HISTORIC = "historic"

# (key, header, width, editable); the headers are written in the file's language.
LAYOUT = (
    ("section", gettext_lazy("Section"), 22, False),
    ("key", gettext_lazy("Key"), 20, False),
    ("text", gettext_lazy("Statement"), 50, False),
    ("guidance", gettext_lazy("Guidance"), 50, False),
    ("core", gettext_lazy("Core"), 7, False),
    ("answer", gettext_lazy("Answer"), 14, True),
    ("na_reason", gettext_lazy("N/A reason"), 30, True),
    ("comment", gettext_lazy("Comment"), 45, True),
    ("evidence_url", gettext_lazy("Evidence link"), 35, True),
)
ANSWER_COLUMN = 6
_HEADERS = {key: header for key, header, _width, _editable in LAYOUT}

# The columns read back, by their English headers (and the spellings older files used); the
# headers a file was written with are added from its identity (`_read_columns`).
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
    # The same answer in the set's other languages: a file written in any of them is read.
    aliases: tuple[str, ...] = ()


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
    # The language the file is written in ("" for files made before it was recorded).
    language: str = ""
    # The file as written (questionnaire_build fills it in): {"sheet": title of the
    # questionnaire sheet, "columns": {column key: header}, "labels": {label: option key or
    # "na"}}. Empty for older files, which are English.
    layout: Mapping[str, object] = field(default_factory=dict)

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
                "l": self.language,
                "lo": dict(self.layout),
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
                language=str(data.get("l") or ""),
                layout=_layout_of(data.get("lo")),
            )
        except (signing.BadSignature, KeyError, TypeError, ValueError, IndexError):
            raise SpreadsheetError(
                _(
                    "The workbook's identity (the hidden part that says which assessment it "
                    "belongs to) was changed or damaged. Download a fresh copy and copy your "
                    "answers into it."
                )
            ) from None


def _layout_of(raw: object) -> dict:
    """The recorded layout, keeping only what has the expected shape (it is signed, but
    nothing read from a file is trusted further than needed)."""
    if not isinstance(raw, dict):
        return {}
    out: dict = {}
    if isinstance(raw.get("sheet"), str):
        out["sheet"] = raw["sheet"]
    for name in ("columns", "labels"):
        value = raw.get(name)
        if isinstance(value, dict):
            out[name] = {str(k): str(v) for k, v in value.items() if isinstance(v, str)}
    return out


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


def sheet_title(text: str) -> str:
    """`text` as Excel allows a sheet's name: at most 31 characters, none of []:*?/\\."""
    title = re.sub(r"[\[\]:*?/\\]", " ", str(text)).strip().strip("'")
    return title[:31].strip() or "Sheet"


def _quoted(title: str) -> str:
    """A sheet name as a formula names it: 'My sheet'!A1 (a quote inside is doubled)."""
    return "'" + title.replace("'", "''") + "'"


def questionnaire_build(
    *,
    title: str,
    facts: Sequence[tuple[str, str]],
    scale: Sequence[ScaleOption],
    rows: Sequence[QuestionRow],
    identity: Identity,
    historic: bool = False,
) -> bytes:
    """The workbook as bytes: Instructions, Questionnaire and the hidden identity.

    Its words are in the active language (build it under `translation.override` to choose);
    the statements, guidance and scale labels come in `rows` and `scale` as they are to be
    shown. The identity records the language and the layout, which the upload reads by.
    """
    na_label = str(_NA_WORD)
    guide_title = sheet_title(_SHEET_TITLES[INSTRUCTIONS])
    questionnaire_title = sheet_title(_SHEET_TITLES[QUESTIONNAIRE])
    if questionnaire_title.casefold() in {guide_title.casefold(), IDENTITY}:
        questionnaire_title = QUESTIONNAIRE
    headers = {key: clean_text(str(header)) for key, header in _HEADERS.items()}
    labels = {clean_text(o.label): o.key for o in scale}
    labels.setdefault(clean_text(na_label), NA_KEY)
    identity = replace(
        identity,
        language=identity.language or translation.get_language() or "",
        layout={"sheet": questionnaire_title, "columns": headers, "labels": labels},
    )

    wb = Workbook()
    guide = wb.active
    guide.title = guide_title
    scale_range = _instructions(
        guide,
        title=title,
        facts=facts,
        scale=scale,
        historic=historic,
        na_label=na_label,
        questionnaire=questionnaire_title,
        headers=headers,
    )

    sheet = wb.create_sheet(questionnaire_title)
    core_word = pgettext("core statement, in the Core column of the questionnaire", "core")
    for position, (key, _header, width, _editable) in enumerate(LAYOUT, 1):
        cell = sheet.cell(row=1, column=position)
        write_text(cell, headers[key])
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
            core_word if row.core else "",
            na_label if row.answer == NA_LABEL else row.answer,
            row.na_reason,
            row.comment,
            row.evidence_url,
        )
        for position, value in enumerate(values, 1):
            cell = sheet.cell(row=number, column=position)
            write_text(cell, value)
            cell.alignment = _WRAP
            if LAYOUT[position - 1][3]:
                cell.protection = Protection(locked=False)
                cell.fill = _EDIT_FILL
    last = len(rows) + 1
    if rows:
        # Excel refuses a file whose titles pass 32 characters or messages 255.
        choices = DataValidation(
            type="list",
            formula1=scale_range,
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=_("Not an answer")[:32],
            error=_("Choose one of the answers in the list (or %(na)s).") % {"na": na_label},
            promptTitle=headers["answer"][:32],
            prompt=_("Choose from the list.")[:255],
            showInputMessage=True,
        )
        choices.error = choices.error[:255]
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
    wb.properties.language = identity.language or None
    wb.active = 0
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _instructions(sheet, *, title, facts, scale, historic, na_label, questionnaire, headers) -> str:
    """Write the first sheet; returns the range of the scale for the drop-down."""
    sheet.column_dimensions["A"].width = 22
    sheet.column_dimensions["B"].width = 90
    write_text(sheet["A1"], title)
    sheet["A1"].font = Font(bold=True, size=14)
    row = 3
    for label, value in facts:
        write_text(sheet.cell(row=row, column=1), str(label))
        sheet.cell(row=row, column=1).font = Font(bold=True)
        write_text(sheet.cell(row=row, column=2), value)
        row += 1
    row += 1
    names = {
        "sheet": questionnaire,
        "answer": headers["answer"],
        "na_reason": headers["na_reason"],
        "comment": headers["comment"],
        "evidence_url": headers["evidence_url"],
        "key": headers["key"],
        "na": na_label,
    }
    steps = [
        _(
            "Fill in the yellow columns of the %(sheet)s sheet: %(answer)s, %(na_reason)s, "
            "%(comment)s and %(evidence_url)s. The other columns are locked; leave them as "
            "they are."
        ),
        _(
            "%(answer)s: choose from the drop-down (the scale is below). Leave it empty if you "
            "do not know yet."
        ),
        _(
            "%(na)s: choose %(na)s only when the statement does not apply to this project, and "
            "say why in the %(na_reason)s column; an %(na)s without a reason is refused."
        ),
        _(
            "%(evidence_url)s: a web address starting with http:// or https:// (a wiki page, a "
            "dashboard, a repository)."
        ),
        _("Type values, not formulas: a cell with a formula is refused."),
        _(
            "Do not add, remove or rename columns or sheets, and do not merge cells. You may "
            "filter the rows; rows are matched by their %(key)s, not by their position."
        ),
    ]
    if historic:
        steps.append(
            _(
                "This is a template for an earlier round: every statement needs an answer "
                "(or %(na)s with a reason). The date of the round is asked for when you upload "
                "it."
            )
        )
    else:
        steps.append(
            _(
                "Upload the file on the assessment's page. You will see every change before "
                "it is saved, and which answers someone changed online since this download."
            )
        )
    write_text(sheet.cell(row=row, column=1), _("How to fill it in"))
    sheet.cell(row=row, column=1).font = Font(bold=True)
    for number, text in enumerate(steps, 1):
        write_text(sheet.cell(row=row, column=2), f"{number}. {text % names}")
        sheet.cell(row=row, column=2).alignment = _WRAP
        row += 1
    row += 1
    write_text(sheet.cell(row=row, column=1), headers["answer"])
    write_text(sheet.cell(row=row, column=2), _("Counts as"))
    sheet.cell(row=row, column=1).font = Font(bold=True)
    sheet.cell(row=row, column=2).font = Font(bold=True)
    first = row + 1
    for option in scale:
        row += 1
        write_text(sheet.cell(row=row, column=1), option.label)
        write_text(
            sheet.cell(row=row, column=2),
            _("%(percent)s%% of the statement met") % {"percent": round(option.score * 100)},
        )
    row += 1
    write_text(sheet.cell(row=row, column=1), na_label)
    write_text(
        sheet.cell(row=row, column=2),
        _("does not apply to this project (left out of the score); needs a reason"),
    )
    sheet.protection.sheet = True
    return f"{_quoted(sheet.title)}!$A${first}:$A${row}"


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
            _(
                "This workbook was not downloaded from Yardstick (it has no identity part), "
                "or it was copied into a new file. Download the questionnaire from the "
                "assessment's page and fill in that file."
            )
        )
    sheet = workbook[IDENTITY]
    token = sheet["B2"].value
    if not isinstance(token, str) or sheet["B1"].value != f"{FORMAT}/{FORMAT_VERSION}":
        raise SpreadsheetError(
            _(
                "The workbook's identity part is damaged. Download a fresh copy and copy "
                "your answers into it."
            )
        )
    return Identity.loads(token)


def _spellings(*names: object) -> tuple[str, ...]:
    """The names, cleaned, each once, in order, leaving out empty ones."""
    seen: dict[str, str] = {}
    for name in names:
        text = clean_text(str(name)) if name else ""
        if text and normalise_header(text) not in seen:
            seen[normalise_header(text)] = text
    return tuple(seen.values())


def _read_columns(layout: Mapping) -> list[Column]:
    """The columns to read, found by the header the file was written with, else the one of
    the reader's language, else the English one (files older than the recorded layout)."""
    written = layout.get("columns") or {}
    columns = []
    for column in READ_COLUMNS:
        header, *aliases = _spellings(
            written.get(column.key), _HEADERS[column.key], column.header, *column.aliases
        )
        columns.append(replace(column, header=header, aliases=tuple(aliases)))
    return columns


def _questionnaire_sheet(workbook, layout: Mapping):
    titles = _spellings(layout.get("sheet"), _SHEET_TITLES[QUESTIONNAIRE], QUESTIONNAIRE)
    present = {s.title.strip().casefold() for s in workbook.worksheets}
    title = next((t for t in titles if t.casefold() in present), titles[0])
    return get_sheet(workbook, title, purpose=_("the answers"))


def _labels(scale: Sequence[ScaleOption], layout: Mapping) -> dict[str, str]:
    """Every spelling of an answer this file may hold -> option key or "na", casefolded."""
    found: dict[str, str] = {}
    for text, key in (layout.get("labels") or {}).items():
        found.setdefault(clean_text(text).casefold(), key)
    for option in scale:
        for text in (option.label, *option.aliases):
            found.setdefault(clean_text(text).casefold(), option.key)
    for text in (*_NA_SPELLINGS, NA_LABEL, str(_NA_WORD)):
        found.setdefault(clean_text(text).casefold(), NA_KEY)
    return found


def questionnaire_read(
    workbook,
    *,
    scale: Sequence[ScaleOption],
    keys: Mapping[str, str] | None = None,
    limits: Limits | None = None,
    identity: Identity | None = None,
) -> list[FileRow]:
    """The Questionnaire sheet's rows as answer states; every problem listed at once.

    `keys` maps the statements the file may hold to their text (unknown keys are
    problems). The sheet, its columns and the answers are found as the file was written
    (its identity's layout, read from the workbook unless given), in whatever language;
    labels are matched whatever their case, and "N/A", "NA" and "not applicable" (or the
    file's own word for it) all mean N/A. Problems are told in the active language.
    """
    if identity is None:
        try:
            identity = identity_read(workbook)
        except SpreadsheetError:
            identity = None
    layout = identity.layout if identity is not None else {}
    sheet = _questionnaire_sheet(workbook, layout)
    columns = _read_columns(layout)
    header = {c.key: c.header for c in columns}
    table = read_table(sheet, columns, unique="key", limits=limits)
    by_label = _labels(scale, layout)
    written = layout.get("labels") or {}
    shown = list(written) if written else [*(o.label for o in scale), str(_NA_WORD)]
    allowed = ", ".join(shown)
    problems: list[str] = []
    rows: list[FileRow] = []
    for row in table.rows:
        values = row.values
        key = values["key"]
        if keys is not None and key not in keys:
            problems.append(
                at_cell(
                    row.number,
                    header["key"],
                    _("'%(key)s' is not a statement of this assessment") % {"key": key},
                )
            )
            continue
        answer = (values.get("answer") or "").strip()
        choice = by_label.get(answer.casefold()) if answer else None
        is_na = choice == NA_KEY
        option = None
        if answer and not is_na:
            option = choice
            if option is None:
                problems.append(
                    at_cell(
                        row.number,
                        header["answer"],
                        _("'%(answer)s' is not one of %(allowed)s")
                        % {"answer": answer, "allowed": allowed},
                    )
                )
                continue
        reason = values.get("na_reason") or ""
        if is_na and not reason:
            problems.append(
                at_cell(
                    row.number,
                    header["na_reason"],
                    _("N/A needs a reason (say why the statement does not apply)"),
                )
            )
            continue
        link = values.get("evidence_url") or ""
        if link and not _is_web_address(link):
            problems.append(
                at_cell(
                    row.number,
                    header["evidence_url"],
                    _("'%(link)s' is not a web address starting with http:// or https://")
                    % {"link": link[:60]},
                )
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
