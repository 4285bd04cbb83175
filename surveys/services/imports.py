"""Earlier rounds: a filled-in template becomes a validated assessment of a past date.

A group brings its spreadsheet rounds into the trends this way. Only group
assessors and admins may (they vouch for figures across brands); the template
is the offline questionnaire's layout without answers (`surveys.workbooks`),
and the answers are written through `answer_save` like any other, history
"via import".
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _

from brands.models import GroupRole, Project, User
from scoring.services import assessment_scored
from surveys.models import (
    Answer,
    AnswerVia,
    Assessment,
    AssessmentMode,
    AssessmentStatus,
    QuestionSetVersion,
    VersionStatus,
)
from surveys.services.answers import answer_save
from surveys.services.errors import NotAllowed, SurveyError
from surveys.services.workbooks import answer_input_of, guidance_of, safe_filename, scale_of
from surveys.spreadsheets import Limits, SpreadsheetError, open_workbook
from surveys.workbooks import (
    PURPOSE_HISTORIC,
    Identity,
    QuestionRow,
    identity_read,
    questionnaire_build,
    questionnaire_read,
    stamp,
)


def historic_template(
    *, project: Project, user: User, version: QuestionSetVersion
) -> tuple[str, bytes]:
    """A blank questionnaire of `project` for entering an earlier round."""
    if not can_import_history(user):
        raise NotAllowed(_importers_only())
    rows = [
        QuestionRow(
            section=q.section.title,
            key=q.key,
            text=q.text,
            guidance=guidance_of(q),
            core=q.core,
        )
        for q in version.questions.select_related("section").order_by("order")
        if q.applies_to_kind(project.kind)
    ]
    identity = Identity(
        purpose=PURPOSE_HISTORIC,
        project=str(project.code),
        version=str(version.code),
        downloaded_at=stamp(),
    )
    content = questionnaire_build(
        title=_("%(project)s: an earlier assessment round") % {"project": project.name},
        facts=[
            (_("Project"), project.name),
            (_("Brand"), project.brand.name),
            (_("Question set"), str(version)),
        ],
        scale=scale_of(version),
        rows=rows,
        identity=identity,
        historic=True,
    )
    return f"{safe_filename(project.name)}-earlier-round.xlsx", content


def _importers_only() -> str:
    return _("Only group assessors and admins can import earlier rounds.")


def can_import_history(user: User) -> bool:
    return bool(
        user.is_authenticated
        and (user.is_superuser or user.group_role in (GroupRole.ADMIN, GroupRole.ASSESSOR))
    )


def _same_day(project: Project, day: dt.date) -> str:
    return _(
        "%(project)s already has an assessment on %(date)s; choose the date of the round you "
        "are importing."
    ) % {"project": project.name, "date": date_format(day, "d M Y")}


def historic_import(
    *,
    project: Project,
    user: User,
    upload,
    assessed_on: dt.date,
    mode: str = AssessmentMode.INTERVIEW,
    limits: Limits | None = None,
) -> Assessment:
    """A validated assessment of `project` for an earlier round, from a filled template.

    Every applicable statement must be answered. The answers are written through
    `answer_save` (history "via import"), the score is stored, and the dates
    (assessed, submitted, validated, created) are set to the round's date so
    the trends place it where it belongs.
    """
    if not can_import_history(user):
        raise NotAllowed(_importers_only())
    if mode not in AssessmentMode.values:
        raise SurveyError(_("Unknown assessment mode '%(mode)s'.") % {"mode": mode})
    if assessed_on > timezone.localdate():
        raise SurveyError(
            _("%(date)s is in the future; an earlier round needs a past date.")
            % {"date": date_format(assessed_on, "d M Y")}
        )
    if project.assessments.filter(assessed_on=assessed_on).exists():
        raise SurveyError(_same_day(project, assessed_on))
    workbook = open_workbook(upload, limits=limits)
    identity = identity_read(workbook)
    if identity.project != str(project.code):
        raise SpreadsheetError(
            _(
                "This workbook was made for another project. Download the template from "
                "%(project)s's page."
            )
            % {"project": project.name}
        )
    version = (
        QuestionSetVersion.objects.filter(code=identity.version, status=VersionStatus.PUBLISHED)
        .select_related("question_set")
        .first()
    )
    if version is None:
        raise SpreadsheetError(
            _("The question-set version this workbook was made for is no longer available.")
        )
    questions = [
        q
        for q in version.questions.select_related("section").order_by("order")
        if q.applies_to_kind(project.kind)
    ]
    options = list(version.options.all())
    rows = questionnaire_read(
        workbook,
        scale=scale_of(version, options),
        keys={q.key: q.text for q in questions},
        limits=limits,
    )
    by_key = {r.key: r for r in rows}
    blank = [r for r in rows if not r.state.is_answered]
    missing = [q for q in questions if q.key not in by_key]
    strict = {q.key for q in questions if not q.na_allowed}
    refused_na = [r for r in rows if r.state.is_na and r.key in strict]
    if blank or missing or refused_na:
        # "Answer" is the template's column: its name, like the sheet's, is not translated.
        problems = [
            _("row %(row)s, %(column)s: empty; an earlier round needs every answer")
            % {"row": r.number, "column": "Answer"}
            for r in blank
        ]
        problems += [
            _(
                "row %(row)s, %(column)s: N/A is not an answer to this statement; choose one "
                "of the scale's answers"
            )
            % {"row": r.number, "column": "Answer"}
            for r in refused_na
        ]
        problems += [
            _("statement '%(key)s' is missing from the file") % {"key": q.key} for q in missing
        ]
        raise SpreadsheetError.from_problems(problems)

    with transaction.atomic():
        Project.objects.select_for_update().filter(pk=project.pk).first()
        if project.assessments.filter(assessed_on=assessed_on).exists():
            raise SurveyError(_same_day(project, assessed_on))
        assessment = Assessment.objects.create(
            project=project,
            version=version,
            mode=mode,
            assessed_on=assessed_on,
            conducted_by=user if mode == AssessmentMode.INTERVIEW else None,
            created_by=user,
        )
        Answer.objects.bulk_create(Answer(assessment=assessment, question=q) for q in questions)
        note = f"Earlier round of {assessed_on:%d %b %Y} imported from {getattr(upload, 'name', 'a workbook')}"
        for question in questions:
            state = by_key[question.key].state
            answer_save(
                assessment=assessment,
                question_key=question.key,
                user=user,
                base_revision=0,
                data=answer_input_of(state.as_dict()),
                via=AnswerVia.IMPORT,
                note=note,
            )
        moment = timezone.make_aware(dt.datetime.combine(assessed_on, dt.time(12)))
        Assessment.objects.filter(pk=assessment.pk).update(
            status=AssessmentStatus.VALIDATED,
            submitted_at=moment,
            validated_at=moment,
            validated_by=user,
            created_at=moment,
        )
        assessment.refresh_from_db()
        assessment_scored(assessment=assessment)
    return assessment
