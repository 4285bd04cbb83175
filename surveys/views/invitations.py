"""Inviting respondents to a self-fill, reminding them, and following an invitation link."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from brands.selectors import can_manage_brand
from config.locale import remember_language, supported
from surveys import selectors, services
from surveys.forms import AccountForm, InviteForm
from surveys.models import AssessmentMode
from surveys.selectors import statements

_FORBIDDEN = gettext_lazy("Only the brand's leads and group assessors can invite respondents.")


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


def _problem(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return render(request, "surveys/problem.html", {"message": message}, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def invitation_list(request: HttpRequest, code) -> HttpResponse:
    assessment = selectors.get_assessment_for_user(request.user, code)
    if not can_manage_brand(request.user, assessment.project.brand):
        return _problem(request, _FORBIDDEN, 403)
    form = InviteForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            email = form.cleaned_data["email"]
            try:
                services.invitation_create(
                    assessment=assessment,
                    email=email,
                    user=request.user,
                    base_url=_base_url(request),
                    language=form.cleaned_data["language"],
                )
            except services.SurveyError as exc:
                form.add_error("email", exc.message)
            else:
                messages.success(request, _("Invitation sent to %(email)s.") % {"email": email})
                return redirect("invitation_list", code=assessment.code)
        status = 400
    context = {
        "assessment": assessment,
        "project": assessment.project,
        "form": form,
        "can_invite": assessment.mode == AssessmentMode.SELF_FILL and assessment.is_open,
        "invitations": selectors.invitations_of_assessment(assessment),
        "team": selectors.uninvited_team_members(assessment),
        "days": settings.INVITATION_MAX_AGE_DAYS,
    }
    return render(request, "surveys/invitations.html", context, status=status)


@require_POST
@login_required
def invitation_remind(request: HttpRequest, code) -> HttpResponse:
    invitation = selectors.get_invitation_for_user(request.user, code)
    try:
        services.invitation_remind(
            invitation=invitation, user=request.user, base_url=_base_url(request)
        )
    except services.SurveyError as exc:
        return _problem(request, exc.message, exc.status)
    messages.success(request, _("Reminder sent to %(email)s.") % {"email": invitation.email})
    return redirect("invitation_list", code=invitation.assessment.code)


def _invited_language(request: HttpRequest, invitation) -> str | None:
    """The invitation's language for someone who has not chosen one: no profile language and
    no choice in the header's switcher (its cookie). None when their own choice stands."""
    user = request.user
    if user.is_authenticated and supported(user.language):
        return None
    if supported(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)):
        return None
    return supported(invitation.language)


def _to_fill(request: HttpRequest, assessment, language: str | None) -> HttpResponse:
    """On to the self-fill; in the invitation's language for someone without their own."""
    response = redirect("assessment_fill", code=assessment.code)
    if language is None:
        return response
    # The statements in it (where the set has them), as if chosen on the fill page...
    statements.keep_language(request, assessment, language)
    # ... and the interface keeps speaking it on the next pages, as the switcher's choice would.
    remember_language(response, language)
    return response


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """Follow an invitation link: log in or create an account, then fill the assessment."""
    try:
        invitation = services.invitation_from_token(token)
    except services.InvalidInvitation as exc:
        return render(
            request, "surveys/invitation_accept.html", {"error": exc.message}, status=exc.status
        )
    language = _invited_language(request, invitation)
    if language is not None:
        # The page speaks the language the inviter chose for the invitation.
        translation.activate(language)
        request.LANGUAGE_CODE = language
    assessment = invitation.assessment
    context = {"invitation": invitation, "assessment": assessment, "project": assessment.project}
    account = selectors.invitation_account(invitation)
    me = request.user if request.user.is_authenticated else None

    if account is not None or me is not None:
        if me is None:
            return redirect_to_login(request.get_full_path())
        if account is None or account.pk != me.pk:
            context["error"] = _(
                "This invitation was sent to %(email)s, but you are logged in as %(username)s. "
                "Log out and follow the link again."
            ) % {"email": invitation.email, "username": me.get_username()}
            context["wrong_account"] = True
            return render(request, "surveys/invitation_accept.html", context, status=403)
        if request.method == "POST":
            return _problem(request, _("You already have an account; nothing to create."), 400)
        try:
            services.invitation_accept(invitation=invitation, user=me)
        except services.SurveyError as exc:
            return _problem(request, exc.message, exc.status)
        return _to_fill(request, assessment, language)

    form = AccountForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(
                invitation=invitation,
                user=None,
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                password=form.cleaned_data["password1"],
            )
        except services.SurveyError as exc:
            return _problem(request, exc.message, exc.status)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(
            request,
            _("Welcome to Yardstick. Your username is %(username)s.")
            % {"username": user.get_username()},
        )
        return _to_fill(request, assessment, language)
    context["form"] = form
    status = 400 if request.method == "POST" else 200
    return render(request, "surveys/invitation_accept.html", context, status=status)
