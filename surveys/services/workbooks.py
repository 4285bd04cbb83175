"""Offline questionnaires: download, upload with preview and apply.

The upload is two steps so that nobody is surprised: `workbook_preview` reads
and checks the whole file and says what would change (nothing is written);
`workbook_apply` writes the previewed changes through `answer_save`, the same
service the browser uses, in one transaction. The preview is plain data
(JSON-able) that the view keeps in the session; the uploaded file itself is
not kept. Apply refuses a stale preview: if any answer it would touch moved
after the preview, nothing is written.

Which assessments: a workbook can be downloaded and uploaded by whoever may
edit the assessment's answers now (`can_edit_answers`): respondents of an open
self-fill, the interviewer of an open interview, a reviewer of a submitted
self-fill. A validated assessment is frozen, so it offers no download.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from brands.models import User
from config.locale import mid_sentence, supported
from surveys.models import (
    Answer,
    AnswerVia,
    Assessment,
    AssessmentStatus,
    QuestionSetVersion,
)
from surveys.question_set_translations import translated
from surveys.selectors import options_of
from surveys.selectors.statements import is_language, page_language
from surveys.services.answers import AnswerInput, answer_save
from surveys.services.errors import AnswerConflict, BadAnswer, NotAllowed, SurveyError
from surveys.services.permissions import can_edit_answers
from surveys.spreadsheets import Limits, SpreadsheetError, open_workbook
from surveys.workbooks import (
    NA_LABEL,
    PURPOSE_ASSESSMENT,
    AnswerState,
    Identity,
    QuestionRow,
    ScaleOption,
    identity_read,
    questionnaire_build,
    questionnaire_read,
    stamp,
)


class StalePreview(SurveyError):
    status = 409


def scale_of(
    version: QuestionSetVersion, options=None, language: str | None = None
) -> list[ScaleOption]:
    """The answer scale with its labels in `language` (default: the set's own). Every label
    the option has in any language is an alias: a file written in one of them is read."""
    return [
        ScaleOption(
            key=o.key,
            label=translated(
                o, language or version.language, "label", source=version.language
            ).text,
            score=float(o.score),
            aliases=(
                o.label,
                *(t.get("label", "") for t in (o.translations or {}).values() if t.get("label")),
            ),
        )
        for o in (options if options is not None else version.options.all())
    ]


GUIDANCE_LABELS = (
    ("why", gettext_lazy("Why it matters")),
    ("good", gettext_lazy("What good looks like")),
    ("evidence", gettext_lazy("Evidence to ask for")),
)


def guidance_of(question, language: str | None = None, source: str | None = None) -> str:
    """The question's guidance in one cell, each part under its name in the active language;
    the parts in `language` (default: as written), where the set has them translated."""
    parts = [
        (
            label,
            translated(question, language, field, source=source).text
            if language
            else getattr(question, field),
        )
        for field, label in GUIDANCE_LABELS
    ]
    return "\n".join(
        _("%(part)s: %(text)s") % {"part": label, "text": text.strip()}
        for label, text in parts
        if text.strip()
    )


def _state_of(answer: Answer, option_keys: dict[int, str]) -> AnswerState:
    return AnswerState.of(
        option=option_keys.get(answer.option_id),
        is_na=answer.is_na,
        na_reason=answer.na_reason,
        comment=answer.comment,
        evidence_url=answer.evidence_url,
    )


def _answers(assessment: Assessment) -> list[Answer]:
    return list(
        assessment.answers.select_related("question__section", "option").order_by("question__order")
    )


def safe_filename(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.")[:60] or "assessment"


# ---------------------------------------------------------------- download


def workbook_download(
    *, assessment: Assessment, user: User, language: str | None = None
) -> tuple[str, bytes]:
    """The questionnaire of an open assessment, pre-filled; (filename, bytes).

    Written in `language` (one of settings.LANGUAGES; default: the active one): its
    instructions and headers, and the statements, guidance, sections and answers where the
    set has them translated (else in the set's own language).
    """
    if not can_edit_answers(user, assessment):
        raise NotAllowed(
            _(
                "Only people who may change this assessment's answers can download it as a "
                "workbook, and only while it is open."
            )
        )
    language = (
        supported(language) or supported(translation.get_language()) or settings.LANGUAGE_CODE
    )
    with translation.override(language):
        return _questionnaire(assessment, language)


def _questionnaire(assessment: Assessment, language: str) -> tuple[str, bytes]:
    options = options_of(assessment)
    version = assessment.version
    source = version.language
    scale = scale_of(version, options, language)
    labels = {o.id: shown.label for o, shown in zip(options, scale, strict=True)}
    keys = {o.id: o.key for o in options}
    rows, revisions = [], {}
    for answer in _answers(assessment):
        q = answer.question
        rows.append(
            QuestionRow(
                section=translated(q.section, language, "title", source=source).text,
                key=q.key,
                text=translated(q, language, "text", source=source).text,
                guidance=guidance_of(q, language, source),
                core=q.core,
                answer=NA_LABEL if answer.is_na else labels.get(answer.option_id, ""),
                na_reason=answer.na_reason if answer.is_na else "",
                comment=answer.comment,
                evidence_url=answer.evidence_url,
            )
        )
        revisions[q.key] = (answer.revision, _state_of(answer, keys).fingerprint())
    project = assessment.project
    identity = Identity(
        purpose=PURPOSE_ASSESSMENT,
        project=str(project.code),
        version=str(version.code),
        assessment=str(assessment.code),
        answers=revisions,
        downloaded_at=stamp(),
        language=language,
    )
    content = questionnaire_build(
        title=_("%(project)s: maturity questionnaire") % {"project": project.name},
        facts=[
            (_("Project"), project.name),
            (_("Brand"), project.brand.name),
            (
                _("Assessment"),
                f"{assessment.quarter}, {mid_sentence(assessment.get_mode_display())}",
            ),
            (_("Date"), assessment.assessed_on.isoformat()),
            (_("Question set"), str(version)),
            (_("Downloaded"), timezone.localtime().strftime("%Y-%m-%d %H:%M")),
        ],
        scale=scale,
        rows=rows,
        identity=identity,
    )
    filename = f"{safe_filename(project.name)}-{assessment.assessed_on.isoformat()}.xlsx"
    return filename, content


# ---------------------------------------------------------------- upload: preview


@dataclass
class Change:
    """One answer the file would change, from `before` to `after` (plain dicts)."""

    key: str
    row: int
    statement: str
    section: str
    before: dict
    after: dict
    base_revision: int  # the answer's revision when previewed; apply requires it unchanged
    conflict: bool  # changed online since the download as well as in the file
    fields: list[str] = field(default_factory=list)


@dataclass
class Preview:
    assessment: str
    filename: str
    changes: list[Change]
    unchanged: int
    not_in_file: int
    # Changed online since the download but left as it was in the file: online stays.
    kept_online: list[dict]
    # The language the file was written in: the answers applied from it record it.
    language: str = ""

    @property
    def conflicts(self) -> list[Change]:
        return [c for c in self.changes if c.conflict]

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Preview:
        changes = [Change(**c) for c in data["changes"]]
        return cls(**{**data, "changes": changes})


def _identity_for(assessment: Assessment, workbook, user: User) -> Identity:
    identity = identity_read(workbook)
    if identity.purpose != PURPOSE_ASSESSMENT or identity.assessment is None:
        raise SpreadsheetError(
            _(
                "This is a template for importing an earlier round, not the questionnaire "
                "of an assessment. Download the questionnaire from this assessment's page."
            )
        )
    if identity.assessment != str(assessment.code):
        raise SpreadsheetError(_other_assessment_message(identity, assessment, user))
    if identity.version != str(assessment.version.code):
        raise SpreadsheetError(
            _(
                "This workbook was made for another question-set version than the one this "
                "assessment uses now (%(version)s). Download a fresh copy."
            )
            % {"version": assessment.version}
        )
    return identity


def _other_assessment_message(identity: Identity, assessment: Assessment, user: User) -> str:
    from surveys.selectors import assessments_for_user

    theirs = (
        assessments_for_user(user)
        .filter(code=identity.assessment)
        .select_related("version")
        .first()
    )
    if theirs is None:
        return _(
            "This workbook belongs to another assessment, one you cannot see. Download the "
            "questionnaire from this assessment's page and fill in that file."
        )
    if theirs.superseded_by_id == assessment.pk:
        return _(
            "This workbook was downloaded before the assessment was upgraded to %(version)s. "
            "Download a fresh copy and copy your answers into it."
        ) % {"version": assessment.version}
    return _(
        "This workbook belongs to another assessment: %(project)s, %(quarter)s (%(mode)s, "
        "%(day)s), not %(this_project)s, %(this_quarter)s. Upload it there instead."
    ) % {
        "project": theirs.project.name,
        "quarter": theirs.quarter,
        "mode": mid_sentence(theirs.get_mode_display()),
        "day": date_format(theirs.assessed_on, "d M Y"),
        "this_project": assessment.project.name,
        "this_quarter": assessment.quarter,
    }


def _display(state: AnswerState | dict, labels: dict[str, str]) -> dict:
    data = state if isinstance(state, dict) else state.as_dict()
    answer = _("N/A") if data["is_na"] else labels.get(data["option"] or "", "")
    return {**data, "answer": answer}


def workbook_preview(
    *, assessment: Assessment, user: User, upload, limits: Limits | None = None
) -> Preview:
    """Read and check the whole file; say what applying it would change. Writes nothing.

    Raises SpreadsheetError (every problem listed) for a bad file, NotAllowed when
    `user` may not change the answers.
    """
    if not can_edit_answers(user, assessment):
        raise NotAllowed(_("You may not change the answers of this assessment (any more)."))
    workbook = open_workbook(upload, limits=limits)
    identity = _identity_for(assessment, workbook, user)
    options = options_of(assessment)
    option_keys = {o.id: o.key for o in options}
    # The preview shows the statements and answers in the language of the person looking at it.
    shown_in, source = page_language(), assessment.version.language
    labels = {o.key: translated(o, shown_in, "label", source=source).text for o in options}
    answers = {a.question.key: a for a in _answers(assessment)}
    statement = {
        k: translated(a.question, shown_in, "text", source=source).text for k, a in answers.items()
    }
    rows = questionnaire_read(
        workbook,
        scale=scale_of(assessment.version, options),
        keys={k: a.question.text for k, a in answers.items()},
        limits=limits,
        identity=identity,
    )
    changes, kept, unchanged = [], [], 0
    for row in rows:
        answer = answers[row.key]
        current = _state_of(answer, option_keys)
        if row.state == current:
            unchanged += 1
            continue
        downloaded = identity.answers.get(row.key)
        moved_online = downloaded is None or downloaded[0] != answer.revision
        edited_in_file = downloaded is None or downloaded[1] != row.state.fingerprint()
        if moved_online and not edited_in_file:
            kept.append(
                {
                    "key": row.key,
                    "row": row.number,
                    "statement": statement[row.key],
                    "online": _display(current, labels),
                }
            )
            continue
        changes.append(
            Change(
                key=row.key,
                row=row.number,
                statement=statement[row.key],
                section=translated(answer.question.section, shown_in, "title", source=source).text,
                before=_display(current, labels),
                after=_display(row.state, labels),
                base_revision=answer.revision,
                conflict=moved_online,
                fields=[
                    name
                    for name in ("option", "is_na", "na_reason", "comment", "evidence_url")
                    if getattr(current, name) != getattr(row.state, name)
                ],
            )
        )
    return Preview(
        assessment=str(assessment.code),
        filename=str(getattr(upload, "name", "") or "workbook.xlsx")[:120],
        changes=changes,
        unchanged=unchanged,
        not_in_file=len(answers) - len(rows),
        kept_online=kept,
        language=identity.language if is_language(identity.language) else "",
    )


# ---------------------------------------------------------------- upload: apply


def answer_input_of(after: dict) -> AnswerInput:
    return AnswerInput(
        option="" if after["is_na"] or not after["option"] else after["option"],
        is_na=after["is_na"],
        na_reason=after["na_reason"],
        comment=after["comment"],
        evidence_url=after["evidence_url"],
    )


@transaction.atomic
def workbook_apply(
    *,
    assessment: Assessment,
    user: User,
    preview: Preview,
    take_file: set[str],
    note: str = "",
) -> int:
    """Write the previewed changes; conflicts only where `take_file` names their key.

    All or nothing: if any answer the preview would touch changed since the
    preview, StalePreview is raised and nothing is written. In review (a
    submitted self-fill) changed answers need a `note` saying why, as they do
    in the browser. Returns how many answers changed.
    """
    if preview.assessment != str(assessment.code):
        raise SurveyError(_("This preview belongs to another assessment; upload the file again."))
    if not can_edit_answers(user, assessment):
        raise NotAllowed(_("You may not change the answers of this assessment (any more)."))
    chosen = [c for c in preview.changes if not c.conflict or c.key in take_file]
    if not chosen:
        return 0
    current = dict(
        Answer.objects.select_for_update()
        .filter(assessment=assessment, question__key__in=[c.key for c in chosen])
        .values_list("question__key", "revision")
    )
    moved = [c for c in chosen if current.get(c.key) != c.base_revision]
    if moved:
        rows = ", ".join(str(c.row) for c in moved[:10])
        raise StalePreview(
            _(
                "%(count)s of these answers changed since the preview (rows %(rows)s); nothing "
                "was saved. Upload the file again to see the changes as they are now."
            )
            % {"count": len(moved), "rows": rows}
        )
    note = note.strip()
    answers_move = any({"option", "is_na"} & set(c.fields) for c in chosen)
    if assessment.status == AssessmentStatus.SUBMITTED and answers_move and not note:
        raise BadAnswer(_("Changing answers in review needs a note saying why; nothing was saved."))
    # Kept in each answer's history as written, in the language of whoever applied it.
    if note:
        note = _("%(note)s (imported from the workbook %(file)s)") % {
            "note": note,
            "file": preview.filename,
        }
    else:
        note = _("Imported from the workbook %(file)s") % {"file": preview.filename}
    for change in chosen:
        try:
            answer_save(
                assessment=assessment,
                question_key=change.key,
                user=user,
                base_revision=change.base_revision,
                data=answer_input_of(change.after),
                via=AnswerVia.IMPORT,
                note=note,
                language=preview.language if is_language(preview.language) else "",
            )
        except AnswerConflict:
            raise StalePreview(
                _(
                    "Row %(row)s changed since the preview; nothing was saved. Upload the file "
                    "again to see the changes as they are now."
                )
                % {"row": change.row}
            ) from None
        except SurveyError as exc:
            # Everything is rolled back; say which row stopped it.
            error = SurveyError(
                _("Row %(row)s: %(message)s Nothing was saved.")
                % {"row": change.row, "message": exc.message}
            )
            error.status = exc.status
            raise error from None
    return len(chosen)
