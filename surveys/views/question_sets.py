from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from surveys import question_set_excel, selectors
from surveys import question_set_format as fmt
from surveys.models import QuestionSetVersion
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
    context = {
        "version": version,
        "sections": selectors.sections_with_questions(version),
        "options": version.options.all(),
        "levels": version.levels.all(),
    }
    return render(request, "surveys/version_detail.html", context)
