"""Health and readiness probes, the lockout page, the account pages (API tokens among them)
and the audit log."""

import datetime

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import F
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from brands import audit, probes, tokens
from brands.models import AuditAction, Brand, GroupRole, TokenScope, User
from brands.selectors import can_manage_brand, get_brand_for_user
from config.locale import remember_language, supported


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness with the reachability of the database and the broker, for load balancers."""
    database = "ok" if probes.database_ok() else "unreachable"
    broker = probes.broker_status()
    healthy = database == "ok" and broker != "unreachable"
    return JsonResponse(
        {"status": "ok" if healthy else "degraded", "database": database, "broker": broker},
        status=200 if database == "ok" else 503,
    )


@require_GET
@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: can this process serve pages? And the state of the report machinery.

    Only the database decides readiness (503 without it): with the broker or the
    workers gone every page still works and report requests say so (TARGETS R4),
    so taking the web tier out of a load balancer would only make things worse.
    Broker, workers and queue depth are reported for monitoring to alert on.
    """
    database = "ok" if probes.database_ok() else "unreachable"
    body: dict = {"database": database, **probes.report_machinery()}
    ready = database == "ok"
    body["status"] = "ready" if ready else "not ready"
    return JsonResponse(body, status=200 if ready else 503)


def lockout(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """What django-axes answers while logins are throttled: a page, not a bare text (429)."""
    cool_off = settings.AXES_COOLOFF_TIME
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "username": (credentials or {}).get("username", "") or request.POST.get("username", ""),
        "cooloff_minutes": int(cool_off.total_seconds() // 60) if cool_off else None,
    }
    return render(request, "lockout.html", context, status=429)


@login_required
@require_http_methods(["GET", "POST"])
def logout_everywhere(request: HttpRequest) -> HttpResponse:
    """GET explains, POST ends every session of the user, this one included."""
    if request.method == "GET":
        return render(request, "brands/logout_everywhere.html")
    user = request.user
    User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
    audit.record(AuditAction.LOGOUT_EVERYWHERE, actor=user, target=user, request=request)
    logout(request)
    messages.success(request, _("You have been logged out on every device and browser."))
    return redirect("login")


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """The header's language switcher: remembered in the profile once logged in, and in a
    cookie (so the login page speaks it too). Back to the page it was used on."""
    chosen = request.POST.get("language", "")
    language = supported(chosen) if chosen in dict(settings.LANGUAGES) else None
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = redirect(target)
    if language is None:
        messages.error(request, _("Yardstick does not speak that language."))
        return response
    if request.user.is_authenticated and request.user.language != language:
        request.user.language = language
        request.user.save(update_fields=["language"])
    remember_language(response, language)
    with translation.override(language):
        messages.success(request, _("Yardstick now speaks English to you."))
    return response


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(
        label=pgettext_lazy("audit event", "Action"),
        choices=[("", gettext_lazy("Any action")), *AuditAction.choices],
        required=False,
    )
    actor = forms.CharField(label=gettext_lazy("Person"), max_length=150, required=False)
    brand = forms.ModelChoiceField(
        label=gettext_lazy("Brand"),
        queryset=Brand.objects.all(),
        to_field_name="code",
        required=False,
        empty_label=gettext_lazy("Any brand"),
    )
    since = forms.DateField(
        label=pgettext_lazy("start of a period", "From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    until = forms.DateField(
        label=pgettext_lazy("end of a period", "Until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            raise forms.ValidationError(_("The start date is after the end date."))
        return cleaned


AUDIT_PAGE_SIZE = 50


@login_required
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    """The audit log, for group admins only: filter by action, person, brand and dates."""
    user = request.user
    if not (user.group_role == GroupRole.ADMIN or user.is_superuser):
        raise PermissionDenied(_("The audit log is for group admins."))
    form = AuditFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        # Bad filters get their messages next to the fields and no events, never a guess.
        events = audit.audit_events(audit.AuditFilters()).none()
    else:
        cleaned = form.cleaned_data if form.is_bound else {}
        events = audit.audit_events(audit.AuditFilters(**{k: v for k, v in cleaned.items() if v}))
    page = Paginator(events, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "brands/audit_log.html", {"form": form, "page": page, "query": query.urlencode()}
    )


# --- API tokens (issue 18; the API itself is api/) -------------------------------------------


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=100,
        help_text=gettext_lazy('What uses it, e.g. "GitHub Actions of the forecast repo".'),
    )
    scope = forms.ChoiceField(
        label=gettext_lazy("Scope"),
        choices=TokenScope.choices,
        initial=TokenScope.READ,
        widget=forms.RadioSelect,
    )
    expires_on = forms.DateField(
        label=gettext_lazy("Expires on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        days = tokens.max_expiry_days()
        self.fields["expires_on"].initial = timezone.localdate() + datetime.timedelta(
            days=min(90, days)
        )
        self.fields["expires_on"].help_text = ngettext(
            "At most %(days)s day from today.", "At most %(days)s days from today.", days
        ) % {"days": days}


def _create_token(request: HttpRequest, make) -> TokenForm | None:
    """Validate the form and make the token. On success the secret waits in the session for
    the one page that shows it (the answer is a redirect, so a reload cannot make a second
    token) and None is returned; else the form with its errors."""
    form = TokenForm(request.POST)
    if not form.is_valid():
        return form
    try:
        _token, secret = make(**form.cleaned_data)
    except tokens.TokenError as exc:
        form.add_error(exc.field or None, exc.message)
        return form
    request.session[_NEW_SECRET] = secret
    return None


_NEW_SECRET = "api_token_secret"


def _token_page(request: HttpRequest, template: str, context: dict, status: int) -> HttpResponse:
    # Read once: the secret leaves the session as it is shown.
    secret = request.session.pop(_NEW_SECRET, "") if request.method == "GET" else ""
    response = render(
        request, template, {"now": timezone.now(), "secret": secret, **context}, status=status
    )
    # The page may carry a secret shown once: no cache may keep it.
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    """The person's own API tokens: make one (its secret shown once), see and revoke them."""
    form = TokenForm()
    if request.method == "POST":
        form = _create_token(request, lambda **data: tokens.token_create(user=request.user, **data))
        if form is None:
            return redirect("api_tokens")
    context = {
        "form": form,
        "tokens": tokens.personal_tokens(request.user),
        "brand": None,
    }
    status = 400 if form.errors else 200
    return _token_page(request, "brands/api_tokens.html", context, status)


@login_required
@require_http_methods(["GET", "POST"])
def brand_tokens(request: HttpRequest, code) -> HttpResponse:
    """A brand's service tokens, for its leads and group admins and assessors."""
    brand = get_brand_for_user(request.user, code)
    if not can_manage_brand(request.user, brand):
        raise PermissionDenied(_("A brand's service tokens are for its leads and group admins."))
    form = TokenForm()
    if request.method == "POST":
        form = _create_token(
            request,
            lambda **data: tokens.service_token_create(brand=brand, user=request.user, **data),
        )
        if form is None:
            return redirect("brand_tokens", code=brand.code)
    context = {
        "form": form,
        "tokens": tokens.service_tokens(brand),
        "brand": brand,
    }
    status = 400 if form.errors else 200
    return _token_page(request, "brands/api_tokens.html", context, status)


@login_required
@require_POST
def api_token_revoke(request: HttpRequest, code) -> HttpResponse:
    """Revoke one of the person's own tokens, or a service token of a brand they manage."""
    token = tokens.get_token_for_user(request.user, code)
    if token.brand is not None and not can_manage_brand(request.user, token.brand):
        raise PermissionDenied(_("A brand's service tokens are for its leads and group admins."))
    tokens.token_revoke(token=token, user=request.user)
    messages.success(
        request, _("Token revoked: %(name)s. It no longer works.") % {"name": token.name}
    )
    if token.brand is not None:
        return redirect("brand_tokens", code=token.brand.code)
    return redirect("api_tokens")
