"""Offline questionnaire workbooks: download, upload with preview and apply, earlier rounds.

Between preview and apply only the parsed preview (answer keys, values and
revisions) is kept, in the session; the uploaded file is read once and
dropped, never stored on disk.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from brands.selectors import get_project_for_user
from config.locale import supported
from surveys import selectors
from surveys.models import AssessmentMode
from surveys.selectors import statements
from surveys.services import BadAnswer, SurveyError, imports
from surveys.services import workbooks as service
from surveys.services.permissions import can_edit_answers
from surveys.spreadsheets import XLSX_CONTENT_TYPE, SpreadsheetError

_ACCEPT = ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class WorkbookUploadForm(forms.Form):
    workbook = forms.FileField(
        label=gettext_lazy("Filled-in workbook (.xlsx)"),
        error_messages={
            "required": gettext_lazy("Choose the filled-in workbook (.xlsx) to upload.")
        },
        widget=forms.ClearableFileInput(attrs={"accept": _ACCEPT}),
    )


class HistoricImportForm(WorkbookUploadForm):
    assessed_on = forms.DateField(
        label=gettext_lazy("Date of the round"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": gettext_lazy("Give the date of the round."),
            "invalid": gettext_lazy("Give a valid date."),
        },
    )
    mode = forms.ChoiceField(
        label=gettext_lazy("How the answers were collected"),
        choices=AssessmentMode.choices,
        initial=AssessmentMode.INTERVIEW,
        widget=forms.RadioSelect,
    )


def _file_language(request: HttpRequest, assessment) -> str:
    """The language of a questionnaire download: the one chosen on the download form, else the
    statements' language chosen on the assessment's screens, else the person's own."""
    kept = request.session.get(statements.SESSION_KEY.format(code=assessment.code))
    return supported(request.GET.get("lang")) or supported(kept) or request.LANGUAGE_CODE


def _language_choices(assessment) -> list[tuple[str, str, bool]]:
    """(code, name in itself, whether the set has its statements in it) of every language."""
    has = set(statements.version_languages(assessment.version))
    return [
        (code, statements.language_name(code), code in has) for code, _name in settings.LANGUAGES
    ]


def _session_key(assessment) -> str:
    return f"workbook-preview:{assessment.code}"


def _attachment(filename: str, content: bytes) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@login_required
def workbook_download(request: HttpRequest, code) -> HttpResponse:
    assessment = selectors.get_assessment_for_user(request.user, code)
    try:
        filename, content = service.workbook_download(
            assessment=assessment, user=request.user, language=_file_language(request, assessment)
        )
    except SurveyError as exc:
        messages.error(request, exc.message)
        return redirect("assessment_detail", code=assessment.code)
    return _attachment(filename, content)


@require_http_methods(["GET", "POST"])
@login_required
def workbook_upload(request: HttpRequest, code) -> HttpResponse:
    assessment = selectors.get_assessment_for_user(request.user, code)
    if not can_edit_answers(request.user, assessment):
        messages.error(request, _("You may not change the answers of this assessment (any more)."))
        return redirect("assessment_detail", code=assessment.code)
    posted = request.method == "POST"
    form = WorkbookUploadForm(request.POST, request.FILES) if posted else WorkbookUploadForm()
    context = {
        "assessment": assessment,
        "project": assessment.project,
        "form": form,
        "file_language": _file_language(request, assessment),
        "file_languages": _language_choices(assessment),
        "source_language_name": statements.language_name(assessment.version.language),
    }
    if posted:
        if not form.is_valid():
            return render(request, "surveys/workbook_upload.html", context, status=400)
        try:
            preview = service.workbook_preview(
                assessment=assessment, user=request.user, upload=form.cleaned_data["workbook"]
            )
        except SpreadsheetError as exc:
            context.update(error=exc.message, problems=exc.problems)
            return render(request, "surveys/workbook_upload.html", context, status=400)
        except SurveyError as exc:
            context.update(error=exc.message)
            return render(request, "surveys/workbook_upload.html", context, status=exc.status)
        request.session[_session_key(assessment)] = preview.as_dict()
        return redirect("workbook_preview", code=assessment.code)
    return render(request, "surveys/workbook_upload.html", context)


def _stored_preview(request, assessment) -> service.Preview | None:
    data = request.session.get(_session_key(assessment))
    if not data:
        return None
    try:
        return service.Preview.from_dict(data)
    except (TypeError, KeyError):
        request.session.pop(_session_key(assessment), None)
        return None


@require_GET
@login_required
def workbook_preview(request: HttpRequest, code) -> HttpResponse:
    assessment = selectors.get_assessment_for_user(request.user, code)
    preview = _stored_preview(request, assessment)
    if preview is None or not can_edit_answers(request.user, assessment):
        messages.info(request, _("There is no uploaded workbook waiting; upload one first."))
        return redirect("workbook_upload", code=assessment.code)
    return render(
        request,
        "surveys/workbook_preview.html",
        {"assessment": assessment, "project": assessment.project, "preview": preview},
    )


@require_POST
@login_required
def workbook_apply(request: HttpRequest, code) -> HttpResponse:
    assessment = selectors.get_assessment_for_user(request.user, code)
    preview = _stored_preview(request, assessment)
    if preview is None:
        messages.info(request, _("There is no uploaded workbook waiting; upload one first."))
        return redirect("workbook_upload", code=assessment.code)
    if request.POST.get("all") == "file":
        take_file = {c.key for c in preview.conflicts}
    else:
        take_file = {
            c.key for c in preview.conflicts if request.POST.get(f"take-{c.key}") == "file"
        }
    try:
        saved = service.workbook_apply(
            assessment=assessment,
            user=request.user,
            preview=preview,
            take_file=take_file,
            note=request.POST.get("note", "")[:2000],
        )
    except BadAnswer as exc:
        # Nothing about the preview went stale: stay on it, with the reason asked for.
        messages.error(request, exc.message)
        return redirect("workbook_preview", code=assessment.code)
    except SurveyError as exc:
        request.session.pop(_session_key(assessment), None)
        messages.error(request, exc.message)
        return redirect("workbook_upload", code=assessment.code)
    request.session.pop(_session_key(assessment), None)
    kept = len(preview.conflicts) - len(take_file)
    text = ngettext(
        "%(count)s answer saved from the workbook.",
        "%(count)s answers saved from the workbook.",
        saved,
    ) % {"count": saved}
    if kept:
        text += " " + ngettext(
            "%(count)s conflicting answer kept as online.",
            "%(count)s conflicting answers kept as online.",
            kept,
        ) % {"count": kept}
    messages.success(request, text)
    return redirect("assessment_detail", code=assessment.code)


# ---------------------------------------------------------------- earlier rounds


@require_GET
@login_required
def historic_template(request: HttpRequest, code) -> HttpResponse:
    project = get_project_for_user(request.user, code)
    wanted = request.GET.get("set", "").strip()
    question_set = (
        selectors.get_question_set(wanted) if wanted else selectors.default_question_set(project)
    )
    version = question_set and selectors.current_version(question_set)
    if version is None:
        messages.error(request, _("No question set is published yet."))
        return redirect("project_detail", code=project.code)
    try:
        filename, content = imports.historic_template(
            project=project, user=request.user, version=version
        )
    except SurveyError as exc:
        messages.error(request, exc.message)
        return redirect("project_detail", code=project.code)
    return _attachment(filename, content)


@require_http_methods(["GET", "POST"])
@login_required
def historic_import(request: HttpRequest, code) -> HttpResponse:
    project = get_project_for_user(request.user, code)
    if not imports.can_import_history(request.user):
        messages.error(request, _("Only group assessors and admins can import earlier rounds."))
        return redirect("project_detail", code=project.code)
    posted = request.method == "POST"
    form = HistoricImportForm(request.POST, request.FILES) if posted else HistoricImportForm()
    context = {
        "project": project,
        "form": form,
        "today": timezone.localdate(),
        "startable_sets": selectors.startable_question_sets(),
        "default_set": selectors.default_question_set(project),
    }
    if posted:
        if not form.is_valid():
            return render(request, "surveys/workbook_historic.html", context, status=400)
        try:
            assessment = imports.historic_import(
                project=project,
                user=request.user,
                upload=form.cleaned_data["workbook"],
                assessed_on=form.cleaned_data["assessed_on"],
                mode=form.cleaned_data["mode"],
            )
        except SpreadsheetError as exc:
            context.update(error=exc.message, problems=exc.problems)
            return render(request, "surveys/workbook_historic.html", context, status=400)
        except SurveyError as exc:
            context.update(error=exc.message)
            return render(request, "surveys/workbook_historic.html", context, status=exc.status)
        messages.success(
            request,
            _("The round of %(day)s is imported and validated; it now counts in the trends.")
            % {"day": date_format(assessment.assessed_on, "d M Y")},
        )
        return redirect("assessment_detail", code=assessment.code)
    return render(request, "surveys/workbook_historic.html", context)
