"""Question-set versions: new drafts, editing a draft, its diff, the publish preview, publishing;
and upgrading an open assessment to a newer published version.

Changing question sets is for group admins; everyone else gets 403 on these pages. A
published version's diff stays readable by everyone logged in.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from surveys import question_set_diff, selectors, services
from surveys.forms import (
    KeyForm,
    LevelFormSet,
    MoveForm,
    NewQuestionForm,
    NewSectionForm,
    QuestionForm,
    ScoringForm,
    SectionForm,
)
from surveys.models import QuestionSetVersion
from surveys.question_set_format import LevelSpec
from surveys.services.versions import MAX_YAML_BYTES, editors_only, version_draft_file_upload
from surveys.spreadsheets import default_limits


def _problem(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return render(request, "surveys/problem.html", {"message": message}, status=status)


def _refused(request: HttpRequest) -> HttpResponse:
    return _problem(request, editors_only(), 403)


def _failed(request: HttpRequest, exc: services.SurveyError) -> HttpResponse:
    """A service's refusal (published versions included) as a page with its status."""
    return _problem(request, exc.message, exc.status)


def _editing(request: HttpRequest, version: QuestionSetVersion) -> HttpResponse | None:
    """The response for a page that edits `version` when the user may not, else None."""
    if not services.can_edit_question_sets(request.user):
        return _refused(request)
    if version.is_published:
        messages.info(request, _("Published versions never change; start a new draft to edit."))
        return redirect("version_detail", code=version.code)
    return None


def _sections(version: QuestionSetVersion) -> list[tuple[str, str]]:
    return list(version.sections.order_by("order").values_list("key", "title"))


def _edit_url(version: QuestionSetVersion, anchor: str = "") -> str:
    url = reverse("draft_edit", args=[version.code])
    return f"{url}#{anchor}" if anchor else url


def _question_edit(data: dict) -> services.QuestionEdit:
    return services.QuestionEdit(
        text=data["text"],
        section=data["section"],
        weight=data["weight"],
        core=data["core"],
        applies_to=data["applies_to"],
        why=data["why"],
        good=data["good"],
        evidence=data["evidence"],
    )


# New drafts.


@require_GET
@login_required
def version_draft_new(request: HttpRequest, code) -> HttpResponse:
    version = selectors.get_version(code)
    if not services.can_edit_question_sets(request.user):
        return _refused(request)
    return _new_draft_page(request, version, QuestionSetFileForm())


def _new_draft_page(
    request: HttpRequest, version: QuestionSetVersion, form, problems=(), status: int = 200
) -> HttpResponse:
    context = {
        "version": version,
        "question_set": version.question_set,
        "draft": selectors.draft_of(version.question_set),
        "form": form,
        "problems": problems,
    }
    return render(request, "surveys/versions/new_draft.html", context, status=status)


@require_POST
@login_required
def version_draft_copy(request: HttpRequest, code) -> HttpResponse:
    version = selectors.get_version(code)
    try:
        draft = services.version_draft_copy(version=version, user=request.user)
    except services.SurveyError as exc:
        return _failed(request, exc)
    messages.success(
        request,
        _("Draft version %(number)s started as a copy of %(version)s.")
        % {"number": draft.number, "version": version},
    )
    return redirect("draft_edit", code=draft.code)


class QuestionSetFileForm(forms.Form):
    """One upload for both kinds of question-set file; the service tells them apart by content."""

    file = forms.FileField(
        label=gettext_lazy("Question-set file (YAML or Excel)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".yaml,.yml,.xlsx"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = max(MAX_YAML_BYTES, default_limits().max_bytes)
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is larger than %(size)s MB; a question set is far smaller.")
                % {"size": limit // 1_000_000}
            )
        return upload


@require_POST
@login_required
def version_draft_upload(request: HttpRequest, code) -> HttpResponse:
    """A new draft from a YAML file or an Excel workbook (see docs/question-sets.md)."""
    version = selectors.get_version(code)
    if not services.can_edit_question_sets(request.user):
        return _refused(request)
    form = QuestionSetFileForm(request.POST, request.FILES)
    if not form.is_valid():
        return _new_draft_page(request, version, form, status=400)
    upload = form.cleaned_data["file"]
    try:
        made = version_draft_file_upload(
            question_set=version.question_set,
            user=request.user,
            filename=upload.name,
            data=upload.read(),
        )
    except services.DraftInvalid as exc:
        return _new_draft_page(request, version, form, problems=exc.problems, status=400)
    except services.SurveyError as exc:
        return _failed(request, exc)
    if made.kind == "xlsx":
        loaded = _("Draft version %(number)s loaded from the Excel workbook.")
    else:
        loaded = _("Draft version %(number)s loaded from the YAML file.")
    message = loaded % {"number": made.version.number}
    if made.ignored_sheets:
        names = ", ".join(f"'{name}'" for name in made.ignored_sheets)
        message += " " + _("Sheets it does not read were left alone: %(names)s.") % {"names": names}
    messages.success(request, message)
    return redirect("draft_edit", code=made.version.code)


@require_POST
@login_required
def draft_discard(request: HttpRequest, code) -> HttpResponse:
    version = selectors.get_version(code)
    try:
        services.version_draft_discard(version=version, user=request.user)
    except services.SurveyError as exc:
        return _failed(request, exc)
    messages.success(request, _("Draft version %(number)s discarded.") % {"number": version.number})
    return redirect("question_set_list")


# The draft editor.


@require_GET
@login_required
def draft_edit(request: HttpRequest, code) -> HttpResponse:
    version = selectors.get_version(code)
    if refused := _editing(request, version):
        return refused
    context = {
        "version": version,
        "base": selectors.diff_base(version),
        "sections": selectors.sections_with_questions(version),
        "options": version.options.all(),
        "levels": version.levels.all(),
    }
    return render(request, "surveys/versions/edit.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def draft_question_edit(request: HttpRequest, code) -> HttpResponse:
    version = selectors.get_version(code)
    if refused := _editing(request, version):
        return refused
    question = selectors.get_draft_question(version, request.GET.get("key", ""))
    form = QuestionForm(
        request.POST or None,
        sections=_sections(version),
        initial={
            "text": question.text,
            "section": question.section.key,
            "weight": question.weight,
            "core": question.core,
            "applies_to": question.applies_to,
            "why": question.why,
            "good": question.good,
            "evidence": question.evidence,
        },
    )
    problems = []
    if request.method == "POST" and form.is_valid():
        try:
            services.draft_question_update(
                version=version,
                user=request.user,
                key=question.key,
                edit=_question_edit(form.cleaned_data),
            )
        except services.DraftInvalid as exc:
            problems = exc.problems
        except services.SurveyError as exc:
            return _failed(request, exc)
        else:
            messages.success(request, _("Saved '%(key)s'.") % {"key": question.key})
            return redirect(_edit_url(version, f"q-{question.key}"))
    context = {"version": version, "question": question, "form": form, "problems": problems}
    status = 400 if request.method == "POST" else 200
    return render(request, "surveys/versions/question_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def draft_question_add(request: HttpRequest, code) -> HttpResponse:
    version = selectors.get_version(code)
    if refused := _editing(request, version):
        return refused
    form = NewQuestionForm(
        request.POST or None,
        sections=_sections(version),
        initial={"section": request.GET.get("section"), "weight": 1, "applies_to": "all"},
    )
    problems = []
    if request.method == "POST" and form.is_valid():
        key = form.cleaned_data["key"].strip()
        try:
            services.draft_question_add(
                version=version, user=request.user, key=key, edit=_question_edit(form.cleaned_data)
            )
        except services.DraftInvalid as exc:
            problems = exc.problems
        except services.SurveyError as exc:
            return _failed(request, exc)
        else:
            messages.success(request, _("Added '%(key)s'.") % {"key": key})
            return redirect(_edit_url(version, f"q-{key}"))
    context = {"version": version, "question": None, "form": form, "problems": problems}
    status = 400 if request.method == "POST" else 200
    return render(request, "surveys/versions/question_form.html", context, status=status)


@require_POST
@login_required
def draft_question_remove(request: HttpRequest, code) -> HttpResponse:
    version = selectors.get_version(code)
    form = KeyForm(request.POST)
    if not form.is_valid():
        return _problem(request, _("Say which question to remove."), 400)
    key = form.cleaned_data["key"]
    try:
        services.draft_question_remove(version=version, user=request.user, key=key)
    except services.SurveyError as exc:
        return _failed(request, exc)
    messages.success(request, _("Removed '%(key)s'.") % {"key": key})
    return redirect(_edit_url(version))


@require_POST
@login_required
def draft_question_move(request: HttpRequest, code) -> HttpResponse:
    version = selectors.get_version(code)
    form = MoveForm(request.POST)
    if not form.is_valid():
        return _problem(request, _("Say which question to move, up or down."), 400)
    key = form.cleaned_data["key"]
    try:
        services.draft_question_move(
            version=version, user=request.user, key=key, direction=form.cleaned_data["direction"]
        )
    except services.SurveyError as exc:
        return _failed(request, exc)
    return redirect(_edit_url(version, f"q-{key}"))


@require_http_methods(["GET", "POST"])
@login_required
def draft_section_edit(request: HttpRequest, code) -> HttpResponse:
    version = selectors.get_version(code)
    if refused := _editing(request, version):
        return refused
    section = selectors.get_draft_section(version, request.GET.get("key", ""))
    form = SectionForm(
        request.POST or None, initial={"title": section.title, "description": section.description}
    )
    problems = []
    if request.method == "POST" and form.is_valid():
        try:
            services.draft_section_update(
                version=version, user=request.user, key=section.key, **form.cleaned_data
            )
        except services.DraftInvalid as exc:
            problems = exc.problems
        except services.SurveyError as exc:
            return _failed(request, exc)
        else:
            messages.success(
                request, _("Saved the section '%(title)s'.") % {"title": form.cleaned_data["title"]}
            )
            return redirect(_edit_url(version, f"section-{section.key}"))
    context = {"version": version, "section": section, "form": form, "problems": problems}
    status = 400 if request.method == "POST" else 200
    return render(request, "surveys/versions/section_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def draft_section_add(request: HttpRequest, code) -> HttpResponse:
    version = selectors.get_version(code)
    if refused := _editing(request, version):
        return refused
    form = NewSectionForm(request.POST or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        try:
            services.draft_section_add(version=version, user=request.user, **form.cleaned_data)
        except services.DraftInvalid as exc:
            problems = exc.problems
        except services.SurveyError as exc:
            return _failed(request, exc)
        else:
            key = form.cleaned_data["key"].strip()
            messages.success(
                request, _("Added the section '%(title)s'.") % {"title": form.cleaned_data["title"]}
            )
            return redirect(_edit_url(version, f"section-{key}"))
    context = {"version": version, "section": None, "form": form, "problems": problems}
    status = 400 if request.method == "POST" else 200
    return render(request, "surveys/versions/section_form.html", context, status=status)


@require_POST
@login_required
def draft_section_remove(request: HttpRequest, code) -> HttpResponse:
    version = selectors.get_version(code)
    form = KeyForm(request.POST)
    if not form.is_valid():
        return _problem(request, _("Say which section to remove."), 400)
    try:
        services.draft_section_remove(
            version=version, user=request.user, key=form.cleaned_data["key"]
        )
    except services.SurveyError as exc:
        return _failed(request, exc)
    messages.success(request, _("Removed the section and its questions."))
    return redirect(_edit_url(version))


@require_http_methods(["GET", "POST"])
@login_required
def draft_scoring_edit(request: HttpRequest, code) -> HttpResponse:
    version = selectors.get_version(code)
    if refused := _editing(request, version):
        return refused
    form = ScoringForm(request.POST or None, initial={"aggregation": version.aggregation})
    levels = LevelFormSet(
        request.POST or None,
        prefix="levels",
        initial=[
            {"name": lv.name, "min_percent": lv.min_percent, "description": lv.description}
            for lv in version.levels.all()
        ],
    )
    problems = []
    if request.method == "POST" and form.is_valid() and levels.is_valid():
        bands = [
            LevelSpec(
                name=row["name"].strip(),
                min_percent=row["min_percent"],
                description=row.get("description", "").strip(),
            )
            for row in levels.cleaned_data
            if row.get("name", "").strip()
        ]
        try:
            services.draft_scoring_update(
                version=version,
                user=request.user,
                aggregation=form.cleaned_data["aggregation"],
                levels=bands,
            )
        except services.DraftInvalid as exc:
            problems = exc.problems
        except services.SurveyError as exc:
            return _failed(request, exc)
        else:
            messages.success(request, _("Saved the scoring rule and the levels."))
            return redirect(_edit_url(version))
    context = {"version": version, "form": form, "levels": levels, "problems": problems}
    status = 400 if request.method == "POST" else 200
    return render(request, "surveys/versions/scoring_form.html", context, status=status)


# Comparing, previewing and publishing.


@require_GET
@login_required
def version_diff(request: HttpRequest, code) -> HttpResponse:
    version = selectors.get_version(code)
    if not version.is_published and not services.can_edit_question_sets(request.user):
        return _refused(request)
    base = selectors.diff_base(version)
    changes = None
    if base is not None:
        changes = question_set_diff.diff(
            selectors.version_as_spec(base), selectors.version_as_spec(version)
        )
    context = {"version": version, "base": base, "diff": changes}
    return render(request, "surveys/versions/diff.html", context)


@require_GET
@login_required
def draft_preview(request: HttpRequest, code) -> HttpResponse:
    version = selectors.get_version(code)
    if refused := _editing(request, version):
        return refused
    base = selectors.diff_base(version)
    changes = None
    if base is not None:
        changes = question_set_diff.diff(
            selectors.version_as_spec(base), selectors.version_as_spec(version)
        )
    context = {
        "version": version,
        "base": base,
        "diff": changes,
        "preview": selectors.version_publish_preview(version),
        "missing_translations": selectors.version_missing_translations(version),
    }
    return render(request, "surveys/versions/preview.html", context)


@require_POST
@login_required
def draft_publish(request: HttpRequest, code) -> HttpResponse:
    version = selectors.get_version(code)
    # Read before publishing: a warning, never a refusal (see draft_preview).
    missing = (
        selectors.version_missing_translations(version)
        if services.can_edit_question_sets(request.user) and not version.is_published
        else []
    )
    try:
        services.draft_publish(version=version, user=request.user)
    except services.SurveyError as exc:
        return _failed(request, exc)
    messages.success(
        request,
        _(
            "Version %(number)s is published: new assessments use it, and open ones can be "
            "upgraded to it from their page."
        )
        % {"number": version.number},
    )
    if missing:
        languages = "; ".join(
            ngettext("%(language)s, %(count)s text", "%(language)s, %(count)s texts", c.missing)
            % {"language": c.name, "count": c.missing}
            for c in missing
        )
        messages.warning(
            request,
            _(
                "Not every text is translated; those without a translation show in the set's "
                "own language: %(languages)s."
            )
            % {"languages": languages},
        )
    return redirect("version_detail", code=version.code)


# Upgrading an assessment.


@require_POST
@login_required
def assessment_upgrade(request: HttpRequest, code) -> HttpResponse:
    assessment = selectors.get_assessment_for_user(request.user, code)
    try:
        upgraded = services.assessment_upgrade(assessment=assessment, user=request.user)
    except services.SurveyError as exc:
        return _failed(request, exc)
    flagged = upgraded.answers.filter(needs_attention=True).count()
    messages.success(
        request,
        ngettext(
            "Now on %(version)s. Answers were carried over by question; %(count)s new or "
            "reworded statement needs a look. The previous state stays in history.",
            "Now on %(version)s. Answers were carried over by question; %(count)s new or "
            "reworded statements need a look. The previous state stays in history.",
            flagged,
        )
        % {"version": upgraded.version, "count": flagged},
    )
    return redirect("assessment_detail", code=upgraded.code)
