"""Question-set versions: drafting, editing and publishing them, and upgrading assessments.

A draft is edited as a whole: every edit reads the draft as a spec, changes the
spec, checks the result with the file format's own rules (by writing it as
YAML and parsing it again, so the forms can never accept what the loader would
refuse) and only then rewrites the draft's rows. Drafts have no assessments,
answers or scores, so nothing points at their rows. Published versions are
never changed: every service refuses them with ImmutableVersionError.
"""

from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import PurePath

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from brands.models import GroupRole, Project, User
from brands.selectors import can_manage_brand
from surveys import question_set_excel, spreadsheets
from surveys import question_set_format as fmt
from surveys.models import (
    Answer,
    Assessment,
    AssessmentStatus,
    Invitation,
    QuestionSet,
    QuestionSetVersion,
    VersionStatus,
)
from surveys.question_set_diff import diff, same_wording
from surveys.selectors import draft_of, newer_published_version, version_as_spec
from surveys.services.assessments import carry_over_record
from surveys.services.errors import AssessmentClosed, NotAllowed, SurveyError, UnknownQuestion
from surveys.services.question_sets import (
    ImmutableVersionError,
    version_contents_write,
    version_publish,
)


class DraftInvalid(SurveyError):
    """The draft (or file) would break a rule of the question-set format; nothing was written."""

    status = 400

    def __init__(self, problems: list[fmt.Problem]):
        self.problems = problems
        super().__init__("; ".join(_say(p) for p in problems))


class DraftExists(SurveyError):
    status = 409


class NothingToUpgrade(SurveyError):
    status = 409


def _say(problem: fmt.Problem) -> str:
    return f"{problem.where}: {problem.message}" if problem.where else problem.message


def can_edit_question_sets(user: User) -> bool:
    return user.is_superuser or user.group_role == GroupRole.ADMIN


def editors_only() -> str:
    return _("Only group admins can change question sets.")


def _require_editor(user: User) -> None:
    if not can_edit_question_sets(user):
        raise NotAllowed(editors_only())


@dataclass(frozen=True)
class QuestionEdit:
    """What a form says about one question; `section` is the key of the section it goes in."""

    text: str
    section: str
    weight: Decimal = Decimal(1)
    core: bool = False
    applies_to: str = "all"
    why: str = ""
    good: str = ""
    evidence: str = ""

    def spec(self, key: str) -> fmt.QuestionSpec:
        return fmt.QuestionSpec(
            key=key,
            text=self.text.strip(),
            weight=self.weight,
            core=self.core,
            applies_to=self.applies_to,
            why=self.why.strip(),
            good=self.good.strip(),
            evidence=self.evidence.strip(),
        )


# Checking and writing a draft's content.


def _checked(spec: fmt.QuestionSetSpec) -> fmt.QuestionSetSpec:
    """`spec` as the loader would read it, or DraftInvalid with what it would refuse."""
    try:
        checked = fmt.parse(fmt.to_yaml(spec))
    except fmt.QuestionSetError as exc:
        # Line numbers of the generated text would mean nothing to the person editing.
        raise DraftInvalid([replace(p, line=None) for p in exc.problems]) from None
    return checked


def _write(version: QuestionSetVersion, spec: fmt.QuestionSetSpec) -> None:
    """Replace the draft's scale, levels, sections and questions with `spec`."""
    version_contents_write(version=version, spec=spec)


def _locked_draft(version: QuestionSetVersion) -> QuestionSetVersion:
    locked = (
        QuestionSetVersion.objects.select_for_update()
        .select_related("question_set")
        .get(pk=version.pk)
    )
    if locked.is_published:
        raise ImmutableVersionError(
            _("%(version)s is published; published versions never change.") % {"version": locked}
        )
    return locked


def _edit(
    version: QuestionSetVersion,
    user: User,
    change: Callable[[fmt.QuestionSetSpec], fmt.QuestionSetSpec],
) -> QuestionSetVersion:
    _require_editor(user)
    with transaction.atomic():
        draft = _locked_draft(version)
        spec = _checked(change(version_as_spec(draft)))
        _write(draft, spec)
    return draft


# Creating, publishing and discarding drafts.


def _new_draft(question_set: QuestionSet, spec: fmt.QuestionSetSpec) -> QuestionSetVersion:
    # One draft per set: serialise creation per set (the database also refuses a second).
    QuestionSet.objects.select_for_update().filter(pk=question_set.pk).first()
    existing = draft_of(question_set)
    if existing is not None:
        raise DraftExists(
            _(
                "%(set)s already has a draft (version %(number)s); edit, publish or discard it first."
            )
            % {"set": question_set.name, "number": existing.number}
        )
    number = (question_set.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = QuestionSetVersion.objects.create(
        question_set=question_set, number=number, aggregation=spec.aggregation
    )
    _write(version, spec)
    return version


@transaction.atomic
def version_draft_copy(*, version: QuestionSetVersion, user: User) -> QuestionSetVersion:
    """A new draft of `version`'s set, starting as a copy of `version` (a published one)."""
    _require_editor(user)
    if not version.is_published:
        raise SurveyError(_("A new draft starts from a published version; this one is a draft."))
    return _new_draft(version.question_set, version_as_spec(version))


@transaction.atomic
def version_draft_upload(*, question_set: QuestionSet, user: User, text: str) -> QuestionSetVersion:
    """A new draft of `question_set` from question-set YAML; nothing is written if it has problems.

    The set's name and description are not versioned: the file's are ignored here.
    """
    _require_editor(user)
    try:
        spec = fmt.parse(text)
    except fmt.QuestionSetError as exc:
        raise DraftInvalid(exc.problems) from None
    return _draft_from_file(question_set, spec)


def _draft_from_file(question_set: QuestionSet, spec: fmt.QuestionSetSpec) -> QuestionSetVersion:
    """A new draft from a file's valid spec (which fits the columns): it must be for this set."""
    if spec.key != question_set.key:
        raise DraftInvalid(
            [
                fmt.Problem(
                    None,
                    _("question set"),
                    _("the file is for the set '%(key)s', not '%(expected)s'")
                    % {"key": spec.key, "expected": question_set.key},
                )
            ]
        )
    spec = replace(spec, name=question_set.name, description=question_set.description)
    return _new_draft(question_set, spec)


# Loading a draft from an uploaded file, YAML or Excel.

MAX_YAML_BYTES = 1_000_000
_WORKBOOK_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")
_WORKBOOK_SUFFIXES = {".xlsx", ".xls", ".xlsm", ".xlsb", ".ods", ".csv", ".numbers"}


@dataclass(frozen=True)
class FileDraft:
    """What an upload made: the draft, which kind of file it was, sheets it did not read."""

    version: QuestionSetVersion
    kind: str
    ignored_sheets: tuple[str, ...] = ()


def _refused(message: str) -> DraftInvalid:
    return DraftInvalid([fmt.Problem(None, "", message)])


def question_set_file_kind(filename: str, data: bytes) -> str:
    """ "xlsx" or "yaml", by the file's first bytes; the name only decides for files
    that are neither a zip nor an old Office file but are named like a spreadsheet."""
    if data.startswith(_WORKBOOK_MAGIC):
        return "xlsx"
    suffix = PurePath(filename or "").suffix.lower()
    return "xlsx" if suffix in _WORKBOOK_SUFFIXES else "yaml"


def _yaml_text(data: bytes) -> str:
    if len(data) > MAX_YAML_BYTES:
        raise _refused(_("The file is larger than 1 MB; a question set is far smaller."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = None
    if text is None or "\0" in text:
        raise _refused(
            _(
                "The file is not UTF-8 text, so it is neither question-set YAML nor an Excel "
                "workbook (.xlsx)."
            )
        )
    if not text.strip():
        raise _refused(_("The file is empty."))
    return text


def _yaml_spec(data: bytes) -> fmt.QuestionSetSpec:
    try:
        return fmt.parse(_yaml_text(data))
    except fmt.QuestionSetError as exc:
        raise DraftInvalid(exc.problems) from None


@transaction.atomic
def version_draft_file_upload(
    *, question_set: QuestionSet, user: User, filename: str, data: bytes
) -> FileDraft:
    """A new draft of `question_set` from an uploaded YAML file or Excel workbook.

    The kind is told by the content (`question_set_file_kind`). Either is turned into
    the format's spec and checked by the same rules as `version_draft_upload`; any
    problem raises DraftInvalid naming it (line, or sheet, row and column) and nothing
    is written.
    """
    _require_editor(user)
    kind = question_set_file_kind(filename, data)
    ignored: tuple[str, ...] = ()
    if kind == "yaml":
        spec = _yaml_spec(data)
    else:
        if not data.startswith(_WORKBOOK_MAGIC):
            # Named like a spreadsheet but not one: say which format it is, by its name.
            try:
                spreadsheets.check_name(PurePath(filename).name, "")
            except spreadsheets.SpreadsheetError as exc:
                raise _refused(exc.message) from None
        try:
            read = question_set_excel.read_bytes(data, limits=spreadsheets.default_limits())
        except fmt.QuestionSetError as exc:
            raise DraftInvalid(exc.problems) from None
        spec, ignored = read.spec, read.ignored_sheets
    version = _draft_from_file(question_set, spec)
    return FileDraft(version=version, kind=kind, ignored_sheets=ignored)


def version_draft_discard(*, version: QuestionSetVersion, user: User) -> None:
    _require_editor(user)
    with transaction.atomic():
        _locked_draft(version).delete()


def draft_publish(*, version: QuestionSetVersion, user: User) -> QuestionSetVersion:
    """The draft becomes the set's current published version, frozen from now on."""
    _require_editor(user)
    with transaction.atomic():
        draft = _locked_draft(version)
        spec = _checked(version_as_spec(draft))
        current = (
            draft.question_set.versions.filter(status=VersionStatus.PUBLISHED)
            .order_by("-number")
            .first()
        )
        if current is not None and diff(version_as_spec(current), spec).is_empty:
            raise SurveyError(
                _("The draft is the same as version %(number)s; there is nothing to publish.")
                % {"number": current.number}
            )
        return version_publish(version=draft, user=user)


# Editing a draft. Each service changes the spec and leaves the checking to _edit.


def _position(spec: fmt.QuestionSetSpec, key: str) -> tuple[int, int]:
    for s_index, section in enumerate(spec.sections):
        for q_index, question in enumerate(section.questions):
            if question.key == key:
                return s_index, q_index
    raise UnknownQuestion(_("There is no question '%(key)s' in this draft.") % {"key": key})


def _section_index(spec: fmt.QuestionSetSpec, key: str) -> int:
    for index, section in enumerate(spec.sections):
        if section.key == key:
            return index
    raise SurveyError(_("There is no section '%(key)s' in this draft.") % {"key": key})


def _with_questions(
    spec: fmt.QuestionSetSpec, index: int, questions: list[fmt.QuestionSpec]
) -> fmt.QuestionSetSpec:
    sections = list(spec.sections)
    sections[index] = replace(sections[index], questions=tuple(questions))
    return replace(spec, sections=tuple(sections))


def _without(spec: fmt.QuestionSetSpec, key: str) -> tuple[fmt.QuestionSetSpec, int, int]:
    """`spec` without question `key`, and where it was."""
    s_index, q_index = _position(spec, key)
    questions = list(spec.sections[s_index].questions)
    del questions[q_index]
    return _with_questions(spec, s_index, questions), s_index, q_index


def _inserted(
    spec: fmt.QuestionSetSpec, s_index: int, q_index: int | None, question: fmt.QuestionSpec
) -> fmt.QuestionSetSpec:
    questions = list(spec.sections[s_index].questions)
    questions.insert(len(questions) if q_index is None else q_index, question)
    return _with_questions(spec, s_index, questions)


def draft_question_update(
    *, version: QuestionSetVersion, user: User, key: str, edit: QuestionEdit
) -> QuestionSetVersion:
    """Change a question; moved to another section, it goes to that section's end."""

    def change(spec: fmt.QuestionSetSpec) -> fmt.QuestionSetSpec:
        s_index, q_index = _position(spec, key)
        was = spec.sections[s_index].questions[q_index]
        # What the form does not show is kept as it was (changed through a file).
        question = replace(
            edit.spec(key),
            na_allowed=was.na_allowed,
            subsection=was.subsection,
            translations=was.translations,
        )
        spec = _without(spec, key)[0]
        target = _section_index(spec, edit.section)
        return _inserted(spec, target, q_index if target == s_index else None, question)

    return _edit(version, user, change)


def draft_question_add(
    *, version: QuestionSetVersion, user: User, key: str, edit: QuestionEdit
) -> QuestionSetVersion:
    """A new question (with a key no other question of the draft uses) at its section's end."""

    def change(spec: fmt.QuestionSetSpec) -> fmt.QuestionSetSpec:
        question = replace(edit.spec(key.strip()), na_allowed=spec.na_allowed)
        return _inserted(spec, _section_index(spec, edit.section), None, question)

    return _edit(version, user, change)


def draft_question_remove(
    *, version: QuestionSetVersion, user: User, key: str
) -> QuestionSetVersion:
    def change(spec: fmt.QuestionSetSpec) -> fmt.QuestionSetSpec:
        s_index, _q_index = _position(spec, key)
        section = spec.sections[s_index]
        if len(section.questions) == 1:
            raise SurveyError(
                _(
                    "'%(key)s' is the only question of the section '%(section)s'; remove the section instead."
                )
                % {"key": key, "section": section.title}
            )
        return _without(spec, key)[0]

    return _edit(version, user, change)


def draft_question_move(
    *, version: QuestionSetVersion, user: User, key: str, direction: str
) -> QuestionSetVersion:
    """One place up or down; past a section's edge it goes to the neighbouring section."""
    if direction not in ("up", "down"):
        raise SurveyError(_("A question moves up or down."))

    def change(spec: fmt.QuestionSetSpec) -> fmt.QuestionSetSpec:
        s_index, q_index = _position(spec, key)
        question = spec.sections[s_index].questions[q_index]
        spec = _without(spec, key)[0]
        step = -1 if direction == "up" else 1
        q_index += step
        if q_index < 0 or q_index > len(spec.sections[s_index].questions):
            s_index += step
            if not 0 <= s_index < len(spec.sections):
                if step < 0:
                    raise SurveyError(_("'%(key)s' is already the first.") % {"key": key})
                raise SurveyError(_("'%(key)s' is already the last.") % {"key": key})
            q_index = len(spec.sections[s_index].questions) if step < 0 else 0
        return _inserted(spec, s_index, q_index, question)

    return _edit(version, user, change)


def draft_section_update(
    *, version: QuestionSetVersion, user: User, key: str, title: str, description: str = ""
) -> QuestionSetVersion:
    def change(spec: fmt.QuestionSetSpec) -> fmt.QuestionSetSpec:
        index = _section_index(spec, key)
        sections = list(spec.sections)
        sections[index] = replace(
            sections[index], title=title.strip(), description=description.strip()
        )
        return replace(spec, sections=tuple(sections))

    return _edit(version, user, change)


def draft_section_add(
    *,
    version: QuestionSetVersion,
    user: User,
    key: str,
    title: str,
    description: str = "",
    question_key: str,
    question_text: str,
) -> QuestionSetVersion:
    """A new last section; a section always has at least one question, so it comes with one."""

    def change(spec: fmt.QuestionSetSpec) -> fmt.QuestionSetSpec:
        section = fmt.SectionSpec(
            key=key.strip(),
            title=title.strip(),
            description=description.strip(),
            questions=(
                fmt.QuestionSpec(
                    key=question_key.strip(),
                    text=question_text.strip(),
                    na_allowed=spec.na_allowed,
                ),
            ),
        )
        return replace(spec, sections=(*spec.sections, section))

    return _edit(version, user, change)


def draft_section_remove(
    *, version: QuestionSetVersion, user: User, key: str
) -> QuestionSetVersion:
    """Remove a section with all its questions."""

    def change(spec: fmt.QuestionSetSpec) -> fmt.QuestionSetSpec:
        index = _section_index(spec, key)
        return replace(spec, sections=spec.sections[:index] + spec.sections[index + 1 :])

    return _edit(version, user, change)


def draft_scoring_update(
    *,
    version: QuestionSetVersion,
    user: User,
    aggregation: str,
    levels: list[fmt.LevelSpec],
) -> QuestionSetVersion:
    """The aggregation rule and the maturity level bands."""

    def change(spec: fmt.QuestionSetSpec) -> fmt.QuestionSetSpec:
        # The form shows no translations: a level that keeps its name keeps its translations.
        kept = {lv.name: lv.translations for lv in spec.levels}
        bands = tuple(replace(lv, translations=kept.get(lv.name, {})) for lv in levels)
        return replace(spec, aggregation=aggregation, levels=bands)

    return _edit(version, user, change)


# Upgrading an open assessment to a newer published version.


@transaction.atomic
def assessment_upgrade(*, assessment: Assessment, user: User) -> Assessment:
    """Continue an open assessment under the newest published version of its set.

    The assessment itself stays as it is, under its own version, marked as superseded
    by the new draft. The new draft starts with its answers carried over by question
    key (confirmed answers stay confirmed); questions that are new, or reworded and
    already answered, are flagged for attention until their answer is saved again.
    Invitations move to the new draft so that respondents keep their access.
    """
    project = assessment.project
    if not can_manage_brand(user, project.brand):
        raise NotAllowed(_("Only the brand's leads and group assessors can upgrade assessments."))
    # Serialised with assessment starts, and with a second click on the same button.
    Project.objects.select_for_update().filter(pk=project.pk).first()
    old = (
        Assessment.objects.select_for_update()
        .select_related("version__question_set")
        .get(pk=assessment.pk)
    )
    if old.superseded_by_id is not None:
        raise AssessmentClosed(_("This assessment was already upgraded; continue the newer one."))
    if old.status != AssessmentStatus.DRAFT:
        raise AssessmentClosed(
            _("Only an open assessment can be upgraded; this one is %(status)s.")
            % {"status": old.get_status_display().lower()}
        )
    target = newer_published_version(old)
    if target is None:
        raise NothingToUpgrade(
            _("This assessment already uses the newest published version (%(version)s).")
            % {"version": old.version}
        )

    now = timezone.now()
    new = Assessment.objects.create(
        project=project,
        version=target,
        mode=old.mode,
        assessed_on=old.assessed_on,
        conducted_by=old.conducted_by,
        interviewees=old.interviewees,
        previous=old.previous,
        created_by=user,
        return_message=old.return_message,
        returned_at=old.returned_at,
        interview_seconds=old.interview_seconds,
    )
    before = {
        a.question.key: a for a in old.answers.select_related("question", "option", "answered_by")
    }
    options = {o.key: o for o in target.options.all()}
    rows = []
    for question in target.questions.order_by("order"):
        if not question.applies_to_kind(project.kind):
            continue
        was = before.get(question.key)
        if was is None:
            rows.append(Answer(assessment=new, question=question, needs_attention=True))
            continue
        option = options.get(was.option.key) if was.option_id else None
        # An N/A is not carried to a statement that no longer takes one.
        answered = option is not None or (was.is_na and question.na_allowed)
        reworded = not same_wording(was.question.text, question.text)
        rows.append(
            Answer(
                assessment=new,
                question=question,
                option=option,
                is_na=answered and was.is_na,
                na_reason=was.na_reason if answered and was.is_na else "",
                comment=was.comment,
                evidence_url=was.evidence_url,
                interviewer_note=was.interviewer_note,
                # A reworded statement's answer must be looked at again, like one carried
                # over from last time: the same confirm-or-change flow clears both flags.
                carried_over=answered and (was.carried_over or reworded),
                needs_attention=answered and reworded,
                answered_by=was.answered_by if answered else None,
                answered_at=was.answered_at if answered else None,
                language=was.language if answered else "",
                revision=1 if answered else 0,
            )
        )
    Answer.objects.bulk_create(rows)
    note = f"Carried over from version {old.version.number} when upgrading to {target.number}"
    carry_over_record(
        answers=Answer.objects.filter(assessment=new, revision=1), user=user, at=now, note=note
    )
    Invitation.objects.filter(assessment=old).update(assessment=new)
    superseded = Assessment.objects.filter(
        pk=old.pk, status=AssessmentStatus.DRAFT, superseded_by__isnull=True
    ).update(superseded_by=new)
    if not superseded:  # only reachable on databases without row locks
        raise AssessmentClosed(_("This assessment changed meanwhile; reload the page."))
    assessment.superseded_by = new
    return new
