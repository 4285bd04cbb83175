"""Outgoing webhooks: a brand's subscriptions, the events fired to them, their deliveries.

Upper layers fire events with `webhooks_fire` inside their transaction; the deliveries are
written with it and handed to Celery once it commits (a worker must find the rows). Each
delivery is a row, claimed by the task with a conditional update, tried at most
WEBHOOK_MAX_ATTEMPTS times with a doubling wait between tries, every try logged.

A receiver checks the signature header: `t=<unix time>,v1=<hex>` where hex is the
HMAC-SHA256, under the webhook's secret, of "<unix time>." followed by the body's bytes.
"""

import datetime
import hashlib
import hmac
import ipaddress
import json
import logging
import socket
import time
import uuid
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from brands import audit
from brands.models import (
    AuditAction,
    Brand,
    DeliveryStatus,
    User,
    Webhook,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEvent,
)
from brands.secrets import SecretUnreadable, new_secret, secret_decrypt, secret_encrypt
from brands.selectors import as_uuid, brand_ids_for_user, can_manage_brand

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Yardstick-Signature"
EVENT_HEADER = "X-Yardstick-Event"
DELIVERY_HEADER = "X-Yardstick-Delivery"
MAX_BACKOFF_SECONDS = 3600
# A delivery left "sending" or "pending" this long past its time lost its task (a worker
# killed mid-way, a broker restarted): the sweep queues it again.
LOST_AFTER = datetime.timedelta(minutes=5)


class WebhookError(Exception):
    """A refused change, with the field it concerns, a message for a person and an HTTP status."""

    status = 400

    def __init__(self, message: str, *, field: str = ""):
        super().__init__(message)
        self.message = message
        self.field = field


class WebhookNotAllowed(WebhookError):
    status = 403


# --------------------------------------------------------------------------- addresses


def outbound_url_problem(url: str, *, resolve: bool = False) -> str | None:
    """Why Yardstick must not call `url`, or None. Shared with the issue trackers (scoring).

    Only http(s). Unless INTEGRATIONS_ALLOW_PRIVATE_ADDRESSES is on, an address on a private,
    loopback, link-local or reserved network is refused; with `resolve` a host name is looked
    up first (at delivery time), otherwise only literal addresses and localhost are judged.
    """
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname
        parts.port  # noqa: B018  (raises ValueError for a port that is no number)
    except ValueError:
        return _NOT_VALID
    if parts.scheme not in ("http", "https"):
        return _NOT_HTTP
    if not host:
        return _NO_HOST
    if settings.INTEGRATIONS_ALLOW_PRIVATE_ADDRESSES:
        return None
    for address in _addresses(host, resolve=resolve):
        if address.version == 6 and address.ipv4_mapped:
            address = address.ipv4_mapped
        if not address.is_global:
            return _PRIVATE
    return None


# Why an address is refused: what follows "Address:" on the forms (in the person's language,
# lazily) and "The address" in the delivery log (in English, see webhook_deliver).
_NOT_VALID = gettext_lazy("is not a valid web address")
_NOT_HTTP = gettext_lazy("must be a web address starting with http:// or https://")
_NO_HOST = gettext_lazy("must name a host, e.g. https://hooks.example.com/yardstick")
_PRIVATE = gettext_lazy(
    "points to a private, loopback or reserved network address, which this "
    "installation refuses (INTEGRATIONS_ALLOW_PRIVATE_ADDRESSES)"
)


def _addresses(host: str, *, resolve: bool) -> list:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    if host == "localhost" or host.endswith(".localhost"):
        return [ipaddress.ip_address("127.0.0.1")]
    if not resolve:
        return []
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return []  # unknown host: the request itself fails and says so
    return [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The value of the signature header for `body` sent at `timestamp` (unix seconds)."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


# --------------------------------------------------------------------------- reads


def get_webhook_for_user(user: User, code: object) -> Webhook:
    """A webhook of a brand `user` can see (else 404); managing it is checked by the services."""
    hooks = Webhook.objects.select_related("brand")
    ids = brand_ids_for_user(user)
    if ids is not None:
        hooks = hooks.filter(brand_id__in=ids)
    try:
        return hooks.get(code=as_uuid(code))
    except Webhook.DoesNotExist:
        raise Http404("No such webhook") from None


def webhooks_of_brand(brand: Brand) -> QuerySet[Webhook]:
    return Webhook.objects.filter(brand=brand).order_by("created_at")


def recent_attempts(webhook: Webhook, limit: int = 50) -> list[WebhookAttempt]:
    """The delivery log of a webhook, newest first."""
    return list(
        WebhookAttempt.objects.filter(delivery__webhook=webhook)
        .select_related("delivery")
        .order_by("-started_at", "-id")[:limit]
    )


def check_can_manage(user: User, brand: Brand) -> None:
    if not can_manage_brand(user, brand):
        raise WebhookNotAllowed(_("Only the brand's leads and group admins manage its webhooks."))


# --------------------------------------------------------------------------- writes


def _clean(url: str, events: list[str], secret: str | None) -> tuple[str, list[str]]:
    url = url.strip()
    problem = outbound_url_problem(url)
    if problem:
        raise WebhookError(_("Address: %(problem)s.") % {"problem": problem}, field="url")
    unknown = [e for e in events if e not in WebhookEvent.values]
    if unknown:
        raise WebhookError(
            _("Events: unknown event %(event)s.") % {"event": repr(unknown[0])}, field="events"
        )
    if not events:
        raise WebhookError(_("Events: choose at least one event."), field="events")
    if secret is not None and len(secret) < 16:
        raise WebhookError(_("Secret: use at least 16 characters."), field="secret")
    return url, sorted(set(events))


@transaction.atomic
def webhook_create(
    *, brand: Brand, user: User, url: str, events: list[str], secret: str = "", active: bool = True
) -> tuple[Webhook, str]:
    """Subscribe `url` to the brand's `events`. Returns the webhook and its secret in clear
    (a new random one unless `secret` is given), which is shown once."""
    check_can_manage(user, brand)
    secret = secret.strip() or None
    url, events = _clean(url, events, secret)
    secret = secret or new_secret()
    webhook = Webhook.objects.create(
        brand=brand,
        url=url,
        events=events,
        secret_encrypted=secret_encrypt(secret),
        active=active,
        created_by=user,
    )
    audit.record(AuditAction.WEBHOOK_ADDED, actor=user, target=webhook, events=events)
    return webhook, secret


@transaction.atomic
def webhook_update(
    *, webhook: Webhook, user: User, url: str, events: list[str], active: bool
) -> Webhook:
    check_can_manage(user, webhook.brand)
    url, events = _clean(url, events, None)
    Webhook.objects.filter(pk=webhook.pk).update(
        url=url, events=events, active=active, updated_at=timezone.now()
    )
    webhook.refresh_from_db()
    audit.record(
        AuditAction.WEBHOOK_CHANGED, actor=user, target=webhook, events=events, active=active
    )
    return webhook


@transaction.atomic
def webhook_secret_replace(*, webhook: Webhook, user: User, secret: str = "") -> str:
    """A new signing secret (random unless given); returned in clear to be shown once."""
    check_can_manage(user, webhook.brand)
    secret = secret.strip()
    if secret and len(secret) < 16:
        raise WebhookError(_("Secret: use at least 16 characters."), field="secret")
    secret = secret or new_secret()
    Webhook.objects.filter(pk=webhook.pk).update(
        secret_encrypted=secret_encrypt(secret), updated_at=timezone.now()
    )
    audit.record(AuditAction.WEBHOOK_CHANGED, actor=user, target=webhook, what="new secret")
    return secret


@transaction.atomic
def webhook_delete(*, webhook: Webhook, user: User) -> None:
    check_can_manage(user, webhook.brand)
    audit.record(AuditAction.WEBHOOK_REMOVED, actor=user, target=webhook)
    Webhook.objects.filter(pk=webhook.pk).delete()


def webhooks_fire(*, brand_id: int, event: str, data: dict) -> int:
    """Record a delivery of `event` for each active webhook of the brand subscribed to it, and
    queue them once the caller's transaction commits. Returns how many were recorded."""
    if event not in WebhookEvent.values:
        raise ValueError(f"unknown webhook event {event!r}")
    hooks = [
        hook
        for hook in Webhook.objects.filter(brand_id=brand_id, active=True).select_related("brand")
        if event in hook.events
    ]
    now = timezone.now()
    created = []
    for hook in hooks:
        code = uuid.uuid4()
        payload = {
            "id": str(code),
            "event": event,
            "occurred_at": now.isoformat(),
            "brand": {"code": str(hook.brand.code), "name": hook.brand.name},
            "data": data,
        }
        created.append(
            WebhookDelivery.objects.create(
                code=code, webhook=hook, event=event, payload=payload, next_attempt_at=now
            ).pk
        )
    for delivery_id in created:
        transaction.on_commit(lambda delivery_id=delivery_id: webhook_enqueue(delivery_id))
    return len(created)


def webhook_enqueue(delivery_id: int, countdown: int | None = None) -> None:
    """Hand one delivery to the broker. If it cannot be reached the row stays pending and the
    sweep (Celery beat) queues it again later."""
    from brands.tasks import deliver_webhook

    try:
        deliver_webhook.apply_async(
            args=[delivery_id],
            countdown=countdown,
            retry=True,
            retry_policy={"max_retries": 1, "interval_start": 0, "interval_step": 0.2},
        )
    except Exception:
        log.exception("webhook delivery %s: could not queue its task", delivery_id)


def _short(exc: Exception) -> str:
    text = f"{type(exc).__name__}: {exc}"
    return text if len(text) <= 480 else text[:477] + "..."


def backoff_seconds(attempt: int) -> int:
    """The wait after failed attempt number `attempt` (1, 2, ...): the base, doubled each time."""
    return min(settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** (attempt - 1), MAX_BACKOFF_SECONDS)


def webhook_deliver(*, delivery_id: int) -> int | None:
    """One attempt at a delivery; the task's body. Returns the seconds to wait before the next
    attempt when there is to be one, else None (delivered, failed for good, or not ours)."""
    claimed = WebhookDelivery.objects.filter(id=delivery_id, status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.SENDING, attempts=F("attempts") + 1, next_attempt_at=timezone.now()
    )
    if not claimed:
        return None
    delivery = WebhookDelivery.objects.select_related("webhook").get(id=delivery_id)
    webhook, number = delivery.webhook, delivery.attempts
    started_at = timezone.now()
    started = time.monotonic()
    response_code, error, final = None, "", False
    try:
        if not webhook.active:
            final = True
            raise _Refused("The webhook is switched off; nothing was sent.")
        problem = outbound_url_problem(webhook.url, resolve=True)
        if problem:
            final = True
            # The delivery log is kept in English, like the receivers' own answers in it.
            with translation.override("en"):
                raise _Refused(f"The address {problem}.")
        secret = secret_decrypt(webhook.secret_encrypted)
        body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
        response = requests.post(
            webhook.url,
            data=body,
            headers={
                "Content-Type": "application/json",
                "User-Agent": "Yardstick-Webhooks/1",
                EVENT_HEADER: delivery.event,
                DELIVERY_HEADER: str(delivery.code),
                SIGNATURE_HEADER: signature(secret, int(time.time()), body),
            },
            timeout=settings.WEBHOOK_TIMEOUT,
            allow_redirects=False,
        )
        response_code = response.status_code
        if not 200 <= response_code < 300:
            error = f"The receiver answered {response_code}."
    except SecretUnreadable as exc:
        final, error = True, str(exc)
    except _Refused as exc:
        error = str(exc)
    except requests.RequestException as exc:
        error = _short(exc)
    duration_ms = int((time.monotonic() - started) * 1000)
    delivered = not error
    retry = None
    if not delivered and not final and number < settings.WEBHOOK_MAX_ATTEMPTS:
        retry = backoff_seconds(number)
    now = timezone.now()
    with transaction.atomic():
        WebhookAttempt.objects.create(
            delivery=delivery,
            number=number,
            started_at=started_at,
            duration_ms=duration_ms,
            response_code=response_code,
            error=error,
            retry_in_seconds=retry,
        )
        if delivered:
            fields = {"status": DeliveryStatus.DELIVERED, "finished_at": now}
        elif retry is not None:
            fields = {
                "status": DeliveryStatus.PENDING,
                "next_attempt_at": now + datetime.timedelta(seconds=retry),
            }
        else:
            fields = {"status": DeliveryStatus.FAILED, "finished_at": now}
        WebhookDelivery.objects.filter(
            id=delivery_id, status=DeliveryStatus.SENDING, attempts=number
        ).update(**fields)
    log.info(
        "webhook delivery %s attempt %s: %s",
        delivery_id,
        number,
        "delivered" if delivered else error,
    )
    return retry


class _Refused(Exception):
    pass


def webhook_deliveries_sweep() -> int:
    """Queue again the deliveries whose task was lost; Celery beat runs it every minute."""
    stale = timezone.now() - LOST_AFTER
    lost = Q(status=DeliveryStatus.PENDING, next_attempt_at__lt=stale) | Q(
        status=DeliveryStatus.SENDING,
        next_attempt_at__lt=stale - datetime.timedelta(seconds=settings.WEBHOOK_TIMEOUT),
    )
    ids = list(WebhookDelivery.objects.filter(lost).values_list("id", flat=True)[:500])
    for delivery_id in ids:
        # A delivery taken back from "sending" counts the lost attempt: after the last one it
        # has failed for good.
        taken = WebhookDelivery.objects.filter(id=delivery_id, status=DeliveryStatus.SENDING)
        taken.filter(attempts__gte=settings.WEBHOOK_MAX_ATTEMPTS).update(
            status=DeliveryStatus.FAILED, finished_at=timezone.now()
        )
        taken.update(status=DeliveryStatus.PENDING)
        webhook_enqueue(delivery_id)
    return len(ids)
