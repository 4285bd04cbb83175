"""A brand's outgoing webhooks: the list, one webhook with its delivery log, its secret."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from brands import webhooks
from brands.forms import WebhookCreateForm, WebhookForm, WebhookSecretForm
from brands.models import Brand, Webhook, WebhookEvent
from brands.selectors import get_brand_for_user


def _manageable(request: HttpRequest, brand: Brand) -> None:
    try:
        webhooks.check_can_manage(request.user, brand)
    except webhooks.WebhookNotAllowed as exc:
        raise PermissionDenied(exc.message) from None


def _list_page(request, brand, form, *, status=200) -> HttpResponse:
    context = {
        "brand": brand,
        "hooks": webhooks.webhooks_of_brand(brand),
        "form": form,
        "events": WebhookEvent.choices,
    }
    return render(request, "brands/webhook_list.html", context, status=status)


def _detail_page(request, webhook, form=None, *, new_secret="", status=200) -> HttpResponse:
    context = {
        "brand": webhook.brand,
        "hook": webhook,
        "form": form
        or WebhookForm(
            initial={"url": webhook.url, "events": webhook.events, "active": webhook.active}
        ),
        "attempts": webhooks.recent_attempts(webhook),
        "new_secret": new_secret,
        "events": WebhookEvent.choices,
    }
    return render(request, "brands/webhook_detail.html", context, status=status)


def _refused(form, exc: webhooks.WebhookError) -> None:
    form.add_error(None, exc.message)  # the message names the field


@login_required
@require_http_methods(["GET", "POST"])
def webhook_list(request: HttpRequest, code) -> HttpResponse:
    brand = get_brand_for_user(request.user, code)
    _manageable(request, brand)
    if request.method == "GET":
        return _list_page(request, brand, WebhookCreateForm(initial={"active": True}))
    form = WebhookCreateForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            hook, secret = webhooks.webhook_create(
                brand=brand,
                user=request.user,
                url=data["url"],
                events=data["events"],
                secret=data["secret"],
                active=data["active"],
            )
        except webhooks.WebhookError as exc:
            _refused(form, exc)
        else:
            # Rendered, not redirected: the secret is shown this once and kept nowhere else.
            return _detail_page(request, hook, new_secret=secret)
    return _list_page(request, brand, form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def webhook_detail(request: HttpRequest, code) -> HttpResponse:
    hook = webhooks.get_webhook_for_user(request.user, code)
    _manageable(request, hook.brand)
    if request.method == "GET":
        return _detail_page(request, hook)
    form = WebhookForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            webhooks.webhook_update(
                webhook=hook,
                user=request.user,
                url=data["url"],
                events=data["events"],
                active=data["active"],
            )
        except webhooks.WebhookError as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("Webhook saved."))
            return redirect("webhook_detail", code=hook.code)
    return _detail_page(request, hook, form, status=400)


@login_required
@require_POST
def webhook_secret(request: HttpRequest, code) -> HttpResponse:
    hook = webhooks.get_webhook_for_user(request.user, code)
    _manageable(request, hook.brand)
    form = WebhookSecretForm(request.POST)
    secret = form.cleaned_data["secret"] if form.is_valid() else ""
    try:
        secret = webhooks.webhook_secret_replace(webhook=hook, user=request.user, secret=secret)
    except webhooks.WebhookError as exc:
        messages.error(request, exc.message)
        return _detail_page(request, hook, status=400)
    return _detail_page(request, hook, new_secret=secret)


@login_required
@require_POST
def webhook_delete(request: HttpRequest, code) -> HttpResponse:
    hook: Webhook = webhooks.get_webhook_for_user(request.user, code)
    _manageable(request, hook.brand)
    webhooks.webhook_delete(webhook=hook, user=request.user)
    messages.success(request, _("Webhook to %(address)s deleted.") % {"address": hook.url})
    return redirect("webhook_list", code=hook.brand.code)
