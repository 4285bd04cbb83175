"""Health and readiness probes, the lockout page, the account page and the audit log."""

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
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from brands import audit, probes
from brands.models import AuditAction, Brand, GroupRole, User


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
    messages.success(request, "You have been logged out on every device and browser.")
    return redirect("login")


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(choices=[("", "Any action"), *AuditAction.choices], required=False)
    actor = forms.CharField(label="Person", max_length=150, required=False)
    brand = forms.ModelChoiceField(
        queryset=Brand.objects.all(), to_field_name="code", required=False, empty_label="Any brand"
    )
    since = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label="Until", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            raise forms.ValidationError("The start date is after the end date.")
        return cleaned


AUDIT_PAGE_SIZE = 50


@login_required
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    """The audit log, for group admins only: filter by action, person, brand and dates."""
    user = request.user
    if not (user.group_role == GroupRole.ADMIN or user.is_superuser):
        raise PermissionDenied("The audit log is for group admins.")
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
