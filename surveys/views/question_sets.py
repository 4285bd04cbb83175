from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from brands.models import ProjectKind
from brands.selectors import brands_for_user
from scoring import engine
from surveys import question_set_excel, selectors, services
from surveys import question_set_format as fmt
from surveys.forms import QuestionSetDefaultsForm, QuestionSetStateForm
from surveys.models import QuestionSetVersion
from surveys.services.question_sets import admins_only
from surveys.spreadsheets import XLSX_CONTENT_TYPE
from surveys.views.versions import QuestionSetFileForm


def _may_see_drafts(user) -> bool:
    return user.is_superuser or user.group_role == "admin"


@require_GET
@login_required
def question_set_list(request: HttpRequest) -> HttpResponse:
    sets = []
    for question_set in selectors.question_sets():
        versions = [
            v
            for v in question_set.versions.all()
            if v.is_published or _may_see_drafts(request.user)
        ]
        draft = next((v for v in versions if not v.is_published), None)
        sets.append((question_set, versions, draft))
    context = {"sets": sets, "upload_form": QuestionSetFileForm()}
    return render(request, "surveys/question_set_list.html", context)


def _readable_version(request: HttpRequest, code) -> QuestionSetVersion:
    """A published version for anyone logged in; a draft only for those who edit drafts."""
    version = selectors.get_version(code)
    if not version.is_published and not _may_see_drafts(request.user):
        raise Http404("No such question-set version")
    return version


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _file_stem(version: QuestionSetVersion) -> str:
    draft = "" if version.is_published else "-draft"
    return f"{version.question_set.key}-v{version.number}{draft}"


@require_GET
@login_required
def version_yaml(request: HttpRequest, code) -> HttpResponse:
    """The version as the canonical YAML file, the one `import_question_set` reads."""
    version = _readable_version(request, code)
    text = fmt.to_yaml(selectors.version_as_spec(version))
    return _download(
        text.encode("utf-8"), "application/yaml; charset=utf-8", f"{_file_stem(version)}.yaml"
    )


@require_GET
@login_required
def version_xlsx(request: HttpRequest, code) -> HttpResponse:
    """The version as a workbook a reviewer can read and a group admin can load back."""
    version = _readable_version(request, code)
    content = question_set_excel.write_workbook(
        selectors.version_as_spec(version),
        version=version.number,
        status=version.get_status_display(),
        exported=timezone.localdate(),
    )
    return _download(content, XLSX_CONTENT_TYPE, f"{_file_stem(version)}.xlsx")


@require_GET
@login_required
def version_detail(request: HttpRequest, code) -> HttpResponse:
    version = _readable_version(request, code)
    levels = list(version.levels.all())
    # A rubric whose maximum is the same for everyone writes its levels in points too.
    max_points = selectors.fixed_max_points(version)
    for level in levels:
        level.points_text = (
            engine.format_points(float(level.min_percent * max_points / 100), float(max_points))
            if max_points
            else ""
        )
    context = {
        "version": version,
        "sections": selectors.sections_with_questions(version),
        "options": version.options.all(),
        "levels": levels,
        "na_statements": version.questions.filter(na_allowed=True).count(),
        "translations": selectors.version_translation_state(version),
    }
    return render(request, "surveys/version_detail.html", context)


def _problem(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return render(request, "surveys/problem.html", {"message": message}, status=status)


@require_POST
@login_required
def question_set_state(request: HttpRequest, code) -> HttpResponse:
    """Activate or retire a set, or make it the group's main set (group admins)."""
    if not _may_see_drafts(request.user):
        return _problem(request, admins_only(), 403)
    question_set = selectors.get_question_set(code)
    form = QuestionSetStateForm(request.POST)
    if not form.is_valid():
        return _problem(request, _("Choose activate, retire or make main set."), 400)
    action = form.cleaned_data["action"]
    try:
        if action == "main":
            services.question_set_make_main(question_set=question_set, user=request.user)
            done = _("%(set)s is now the group's main set.")
        else:
            active = action == "activate"
            services.question_set_activate(
                question_set=question_set, user=request.user, active=active
            )
            if active:
                done = _("%(set)s is active.")
            else:
                done = _("%(set)s is retired: no new assessments, history stays.")
    except services.SurveyError as exc:
        return _problem(request, exc.message, exc.status)
    messages.success(request, done % {"set": question_set.name})
    return redirect("question_set_list")


@require_http_methods(["GET", "POST"])
@login_required
def question_set_defaults(request: HttpRequest) -> HttpResponse:
    """Which set new work uses by default, per brand and per project kind (group admins)."""
    if not _may_see_drafts(request.user):
        return _problem(request, admins_only(), 403)
    sets = selectors.startable_question_sets()
    form = QuestionSetDefaultsForm(
        request.POST or None,
        brands=brands_for_user(request.user).order_by("name"),
        kinds=ProjectKind.choices,
        sets=sets,
        current=selectors.question_set_defaults(),
    )
    context = {"form": form, "main": selectors.main_question_set()}
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "surveys/question_set_defaults.html", context, status=400)
        by_code = {str(s.code): s for s in sets}
        changes = [
            (place, by_code.get(form.cleaned_data[name]))
            for name, place in form.places
            if name in form.changed_data
        ]
        try:
            services.question_set_defaults_update(user=request.user, changes=changes)
        except services.SurveyError as exc:
            return _problem(request, exc.message, exc.status)
        messages.success(request, _("The default question sets are saved."))
        return redirect("question_set_defaults")
    return render(request, "surveys/question_set_defaults.html", context)
