"""Saving one answer: validation, the optimistic-concurrency rule and the history entry."""

import functools
import json
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from brands.models import User
from surveys.models import (
    Answer,
    AnswerEvent,
    AnswerVia,
    Assessment,
    AssessmentMode,
    AssessmentStatus,
    Question,
    Section,
)
from surveys.selectors import options_of
from surveys.selectors.rows import Columns, split
from surveys.selectors.statements import is_language, shown_language
from surveys.services.errors import (
    AnswerConflict,
    AssessmentClosed,
    BadAnswer,
    NotAllowed,
    UnknownQuestion,
)
from surveys.services.permissions import can_edit_answers, can_see_interviewer_notes

MAX_TEXT = 5000
_url = URLValidator(schemes=["http", "https"])


@dataclass(frozen=True)
class AnswerInput:
    """What a person sent for one question. `None` fields are left as they are."""

    option: str | None = None  # option key; "" clears the option
    is_na: bool | None = None
    na_reason: str | None = None
    comment: str | None = None
    evidence_url: str | None = None
    interviewer_note: str | None = None


# Fields kept in the history, in the order they are shown.
TRACKED = ("option", "is_na", "na_reason", "comment", "evidence_url", "interviewer_note")


def answer_via(assessment: Assessment) -> str:
    """How a change to an answer of `assessment` is recorded in its history: in review once
    submitted, else by the assessment's mode. The screens and the API both ask this."""
    if assessment.status == AssessmentStatus.SUBMITTED:
        return AnswerVia.REVIEW
    if assessment.mode == AssessmentMode.INTERVIEW:
        return AnswerVia.INTERVIEW
    return AnswerVia.SELF_FILL


def _state(answer: Answer, option_keys: dict[int, str]) -> dict:
    return {
        "option": option_keys.get(answer.option_id),
        "is_na": answer.is_na,
        "na_reason": answer.na_reason,
        "comment": answer.comment,
        "evidence_url": answer.evidence_url,
        "interviewer_note": answer.interviewer_note,
    }


def _clean(value: str | None, label: str, field: str) -> str | None:
    if value is None:
        return None
    value = value.replace("\x00", "").strip()
    if len(value) > MAX_TEXT:
        raise BadAnswer(
            _("%(field)s is too long: at most %(limit)s characters")
            % {"field": label, "limit": MAX_TEXT},
            field=field,
        )
    return value


# What the text fields of an answer are called in a refusal ("The comment is too long").
TEXT_LABELS = (
    ("na_reason", gettext_lazy("The N/A reason")),
    ("comment", gettext_lazy("The comment")),
    ("evidence_url", gettext_lazy("The evidence link")),
    ("interviewer_note", gettext_lazy("The interviewer note")),
)


def answer_save(
    *,
    assessment: Assessment,
    question_key: str,
    user: User,
    base_revision: int,
    data: AnswerInput,
    via: str,
    note: str = "",
    language: str = "",
) -> Answer:
    """Change one answer, if it is still at `base_revision`; record the change in its history.

    `language` is the language the statement was shown in (one of settings.LANGUAGES; empty
    when not known, as for the API). The answer and its history record the language the
    statement's text really was in: the set's own where the asked one has no translation yet.
    A value Yardstick does not speak is refused, nothing saved.

    Raises AnswerConflict (with the current answer) when someone else changed it first,
    so nothing is ever silently overwritten. The returned answer carries
    `answered_changed`: whether it went from unanswered to answered or back, and
    `changed_fields`: the names of the fields this save changed (empty when none).
    """
    if not can_edit_answers(user, assessment):
        if assessment.status == AssessmentStatus.VALIDATED:
            raise AssessmentClosed(
                _("This assessment is validated; its answers can no longer change.")
            )
        if assessment.status == AssessmentStatus.SUBMITTED:
            raise AssessmentClosed(
                _(
                    "This assessment was submitted for review; its answers can no longer "
                    "change here. Reload the page to see where it stands."
                )
            )
        raise NotAllowed(_("You may not change answers of this assessment."))
    if data.interviewer_note is not None and not can_see_interviewer_notes(user, assessment):
        raise NotAllowed(_("Only assessors can write interviewer notes."))
    if language and not is_language(language):
        raise BadAnswer(
            _(
                "The statement's language was sent as '%(value)s', which is not one of "
                "Yardstick's languages (%(languages)s). Nothing was saved; reload the page."
            )
            % {"value": language[:20], "languages": ", ".join(dict(settings.LANGUAGES))},
            field="language",
        )

    with transaction.atomic():
        # One statement locks the answer and its assessment, so that neither another
        # save of this answer nor a submit or validation can slip in between.
        answer = _locked_answer(assessment.pk, question_key)
        if answer is None:
            raise UnknownQuestion(
                _("'%(key)s' is not a statement of this assessment.") % {"key": question_key}
            )
        if answer.assessment.superseded_by_id:
            raise AssessmentClosed(_("This assessment was upgraded meanwhile; reload the page."))
        if answer.assessment.status != assessment.status:
            raise AssessmentClosed(
                _("This assessment was %(status)s meanwhile; reload the page.")
                % {"status": answer.assessment.get_status_display().lower()}
            )
        if answer.revision != base_revision:
            # Read it again: a lock wait refreshes the locked rows but not the joined option.
            raise AnswerConflict(Answer.objects.select_related("option").get(pk=answer.pk))

        option_keys = {o.id: o.key for o in options_of(assessment)}
        before = _state(answer, option_keys)
        after = dict(before)
        if data.option is not None:
            if data.option == "":
                after["option"] = None
            else:
                option = next((o for o in options_of(assessment) if o.key == data.option), None)
                if option is None:
                    labels = ", ".join(o.label for o in options_of(assessment))
                    raise BadAnswer(
                        _("'%(value)s' is not one of %(labels)s, N/A.")
                        % {"value": data.option, "labels": labels},
                        field="answer",
                    )
                after["option"] = option.key
                after["is_na"] = False
        if data.is_na is not None:
            if data.is_na and not answer.question.na_allowed:
                labels = ", ".join(o.label for o in options_of(assessment))
                raise BadAnswer(
                    _(
                        "N/A is not an answer to this statement: the question set asks for "
                        "one of %(labels)s."
                    )
                    % {"labels": labels}
                )
            after["is_na"] = data.is_na
            if data.is_na:
                after["option"] = None
        for field, label in TEXT_LABELS:
            cleaned = _clean(getattr(data, field), label, field)
            if cleaned is not None:
                after[field] = cleaned
        if after["evidence_url"]:
            try:
                _url(after["evidence_url"])
            except ValidationError:
                raise BadAnswer(
                    _("The evidence link must be a web address starting with http:// or https://."),
                    field="evidence_url",
                ) from None
        if after["is_na"] and not after["na_reason"]:
            raise BadAnswer(
                _("N/A needs a reason: say why this statement does not apply."), field="na_reason"
            )
        if not after["is_na"]:
            after["na_reason"] = ""

        changes = {f: [before[f], after[f]] for f in TRACKED if before[f] != after[f]}
        answer_changed = "option" in changes or "is_na" in changes
        if via == AnswerVia.REVIEW and answer_changed and not note.strip():
            raise BadAnswer(
                _("Changing an answer in review needs a note saying why."), field="note"
            )
        if answer.carried_over and (changes or via != AnswerVia.CARRY_OVER):
            changes["carried_over"] = [True, False]
        # Whether the answer was confirmed in this round by this save (progress moved).
        answer.carried_changed = "carried_over" in changes
        # Whether the answer went from unanswered to answered or back (progress moved).
        answer.answered_changed = bool(before["option"] or before["is_na"]) != bool(
            after["option"] or after["is_na"]
        )
        # What this save changed, for the response (which parts of the screen to update).
        answer.changed_fields = frozenset(changes)
        if not changes:
            return answer

        now = timezone.now()
        options = {o.key: o for o in options_of(assessment)}
        shown_in = (
            shown_language(answer.question, language, assessment.version.language)
            if language
            else ""
        )
        fields = {
            "option": options[after["option"]] if after["option"] else None,
            "is_na": after["is_na"],
            "na_reason": after["na_reason"],
            "comment": after["comment"],
            "evidence_url": after["evidence_url"],
            "interviewer_note": after["interviewer_note"],
            "carried_over": False,
            "needs_attention": False,
            "answered_by": user,
            "answered_at": now,
            # An answer is in the language its choice was made in; a comment alone keeps it.
            "language": shown_in if answer_changed else answer.language,
        }
        if connection.vendor == "postgresql":
            # The UPDATE and the history row in one statement: one round trip instead of two.
            updated = _update_with_event(
                answer.pk, base_revision, fields, user, now, via, changes, note, shown_in
            )
        else:
            updated = Answer.objects.filter(pk=answer.pk, revision=base_revision).update(
                revision=F("revision") + 1, **fields
            )
            if updated:
                AnswerEvent.objects.create(
                    answer_id=answer.pk,
                    actor=user,
                    at=now,
                    via=via,
                    revision=base_revision + 1,
                    changes=changes,
                    note=note.strip(),
                    language=shown_in,
                )
        if not updated:  # only reachable on databases without row locks
            raise AnswerConflict(Answer.objects.select_related("option").get(pk=answer.pk))
        for name, value in fields.items():
            setattr(answer, name, value)
        answer.revision = base_revision + 1
        return answer


@functools.cache
def _lock_read(vendor: str) -> tuple[str, Columns, Columns, Columns, Columns]:
    """The statement of _locked_answer and its instances' columns."""
    answer = Columns(Answer)
    locked = Columns(Assessment)
    question = Columns(Question)
    section = Columns(Section)
    a, s, q, sec = answer.table, locked.table, question.table, section.table
    sql = (
        f"SELECT {answer.sql()}, {locked.sql()}, {question.sql()}, {section.sql()} "
        f'FROM "{a}" '
        f'INNER JOIN "{s}" ON "{s}"."id" = "{a}"."assessment_id" '
        f'INNER JOIN "{q}" ON "{q}"."id" = "{a}"."question_id" '
        f'INNER JOIN "{sec}" ON "{sec}"."id" = "{q}"."section_id" '
        f'WHERE "{a}"."assessment_id" = %s AND "{q}"."key" = %s'
    )
    if vendor == "postgresql":
        sql += f' FOR UPDATE OF "{a}", "{s}"'
    return sql, answer, locked, question, section


def _locked_answer(assessment_id: int, question_key: str) -> Answer | None:
    """The answer to `question_key`, with its assessment, question and section, the answer
    and the assessment locked until the transaction ends (no other save of the answer, no
    submit or validation in between). One statement, written once (surveys/selectors/rows.py):
    every autosave makes it."""
    sql, *columns = _lock_read(connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, [assessment_id, question_key])
        row = cursor.fetchone()
    if row is None:
        return None
    answer, locked, question, section = split(row, *columns)
    question.section = section
    answer.question = question
    answer.assessment = locked
    return answer


# The busiest write of the app (every autosave): on PostgreSQL the answer's UPDATE and its
# history row go to the database as one statement, one round trip instead of two. The row
# is locked already (answer_save); the revision condition stays as a second guard.
_UPDATE_WITH_EVENT = """WITH changed AS (
        UPDATE surveys_answer SET
            revision = revision + 1, option_id = %s, is_na = %s, na_reason = %s, comment = %s,
            evidence_url = %s, interviewer_note = %s, carried_over = %s, needs_attention = %s,
            answered_by_id = %s, answered_at = %s, language = %s
        WHERE id = %s AND revision = %s
        RETURNING id, revision
    )
    INSERT INTO surveys_answerevent
        (answer_id, actor_id, at, via, revision, changes, note, language)
    SELECT id, %s, %s, %s, revision, %s::jsonb, %s, %s FROM changed
"""


def _update_with_event(
    answer_id, base_revision, fields, user, now, via, changes, note, language
) -> int:
    option = fields["option"]
    with connection.cursor() as cursor:
        cursor.execute(
            _UPDATE_WITH_EVENT,
            [
                option.pk if option is not None else None,
                fields["is_na"],
                fields["na_reason"],
                fields["comment"],
                fields["evidence_url"],
                fields["interviewer_note"],
                fields["carried_over"],
                fields["needs_attention"],
                user.pk,
                now,
                fields["language"],
                answer_id,
                base_revision,
                user.pk,
                now,
                via,
                json.dumps(changes),
                note.strip(),
                language,
            ],
        )
        return cursor.rowcount
