"""Outgoing webhooks: subscriptions, signed deliveries, retries with backoff, the delivery log.

The receiver is a local HTTP server (tests/integrations/fake_http.py). Celery runs in-process
here, so a retry follows at once (the wait it would have is recorded on the attempt);
test_integrations_worker.py delivers through a real worker on the webhooks queue.
"""

import datetime
import hashlib
import hmac
import json
import re
import time

import pytest
from django.urls import reverse
from django.utils import timezone

from brands import webhooks
from brands.models import (
    AuditAction,
    AuditEvent,
    DeliveryStatus,
    Webhook,
    WebhookAttempt,
    WebhookDelivery,
)
from brands.secrets import secret_decrypt
from reports.models import ReportJob, ReportStatus
from reports.services.build import report_job_build
from surveys.services.assessments import assessment_validate
from tests import factories
from tests.reports.jobs_support import use_report_folder

pytestmark = pytest.mark.django_db


def verify(secret: str, header: str, body: bytes, *, tolerance: int = 300) -> bool:
    """What a receiver does (the example of docs/integrations.md, in short)."""
    parts = dict(item.split("=", 1) for item in header.split(","))
    timestamp = int(parts["t"])
    if abs(time.time() - timestamp) > tolerance:
        return False
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return hmac.compare_digest(expected.hexdigest(), parts["v1"])


@pytest.fixture
def lead_client(client, lead):
    client.force_login(lead)
    return client


def subscribe(client, brand, url, events=("assessment.validated", "report.ready"), secret=""):
    response = client.post(
        reverse("webhook_list", args=[brand.code]),
        {"url": url, "events": list(events), "active": "on", "secret": secret},
    )
    assert response.status_code == 200, response.content.decode()[-2000:]
    hook = Webhook.objects.filter(brand=brand).latest("created_at")
    return hook, secret_decrypt(hook.secret_encrypted), response


def validate_an_assessment(project, version, lead, django_capture_on_commit_callbacks):
    answers = {q.key: "yes" for q in version.questions.all()}
    assessment = factories.assessment(project, version, answers=answers)
    with django_capture_on_commit_callbacks(execute=True):
        assessment_validate(assessment=assessment, user=lead)
    return assessment


# --------------------------------------------------------------------------- subscriptions


def test_the_secret_is_shown_once_and_stored_encrypted(lead_client, brand, fake):
    hook, secret, created = subscribe(lead_client, brand, f"{fake.url}/receiver")
    assert secret in created.content.decode()
    assert secret not in hook.secret_encrypted and len(secret) >= 32
    page = lead_client.get(reverse("webhook_detail", args=[hook.code])).content.decode()
    assert secret not in page
    assert "The secret is <strong>set</strong>" in page
    assert hook.events == ["assessment.validated", "report.ready"]


def test_a_secret_of_ones_own_can_be_set_and_replaced(lead_client, brand, fake):
    hook, secret, _ = subscribe(lead_client, brand, f"{fake.url}/receiver", secret="x" * 20)
    assert secret == "x" * 20
    page = lead_client.post(reverse("webhook_secret", args=[hook.code]), {"secret": ""})
    hook.refresh_from_db()
    new = secret_decrypt(hook.secret_encrypted)
    assert new != secret and new in page.content.decode()
    short = lead_client.post(reverse("webhook_secret", args=[hook.code]), {"secret": "short"})
    assert short.status_code == 400
    assert "Secret: use at least 16 characters." in short.content.decode()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://example.com/hook", "Address: must be a web address starting with http://"),
        ("javascript:alert(1)", "Address: must be a web address starting with http://"),
        ("https://", "Address: must name a host"),
        ("http://example.com:notaport/", "Address: is not a valid web address"),
    ],
)
def test_addresses_other_than_web_addresses_are_refused(lead_client, brand, url, message):
    response = lead_client.post(
        reverse("webhook_list", args=[brand.code]),
        {"url": url, "events": ["report.ready"], "active": "on"},
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Webhook.objects.exists()


def test_no_event_is_refused(lead_client, brand):
    response = lead_client.post(
        reverse("webhook_list", args=[brand.code]), {"url": "https://example.com/h"}
    )
    assert response.status_code == 400
    assert "Events: Choose at least one event." in response.content.decode()


def test_private_addresses_are_refused_unless_the_setting_allows_them(lead_client, brand, settings):
    settings.INTEGRATIONS_ALLOW_PRIVATE_ADDRESSES = False
    for url in ("http://127.0.0.1:8000/h", "http://192.168.1.10/h", "http://[::ffff:127.0.0.1]/"):
        response = lead_client.post(
            reverse("webhook_list", args=[brand.code]), {"url": url, "events": ["report.ready"]}
        )
        assert response.status_code == 400
        assert "points to a private, loopback or reserved" in response.content.decode()
    settings.INTEGRATIONS_ALLOW_PRIVATE_ADDRESSES = True
    assert webhooks.outbound_url_problem("http://127.0.0.1:8000/h") is None


def test_a_delivery_to_a_private_address_is_refused_at_sending_time(
    brand, lead, fake, settings, django_capture_on_commit_callbacks
):
    _hook, _ = webhooks.webhook_create(
        brand=brand, user=lead, url=f"{fake.url}/receiver", events=["report.ready"]
    )
    settings.INTEGRATIONS_ALLOW_PRIVATE_ADDRESSES = False
    with django_capture_on_commit_callbacks(execute=True):
        webhooks.webhooks_fire(brand_id=brand.pk, event="report.ready", data={})
    (attempt,) = WebhookAttempt.objects.all()
    assert "private, loopback or reserved" in attempt.error and attempt.retry_in_seconds is None
    assert WebhookDelivery.objects.get().status == DeliveryStatus.FAILED
    assert fake.requests == []


def test_only_leads_and_group_admins_manage_webhooks(client, brand, viewer, data_scientist):
    for user in (viewer, data_scientist):
        client.force_login(user)
        assert client.get(reverse("webhook_list", args=[brand.code])).status_code == 403


def test_another_brands_webhook_pages_are_404(lead_client, client, brand, outsider, fake):
    hook, _, _ = subscribe(lead_client, brand, f"{fake.url}/receiver")
    client.force_login(outsider)
    assert client.get(reverse("webhook_list", args=[brand.code])).status_code == 404
    assert client.get(reverse("webhook_detail", args=[hook.code])).status_code == 404
    for name in ("webhook_detail", "webhook_secret", "webhook_delete"):
        assert client.post(reverse(name, args=[hook.code])).status_code == 404
    assert Webhook.objects.filter(pk=hook.pk).exists()


def test_the_settings_can_be_changed_and_the_webhook_deleted(lead_client, brand, fake):
    hook, secret, _ = subscribe(lead_client, brand, f"{fake.url}/receiver")
    url = reverse("webhook_detail", args=[hook.code])
    assert lead_client.get(reverse("webhook_secret", args=[hook.code])).status_code == 405
    response = lead_client.post(url, {"url": f"{fake.url}/receiver/2", "events": ["report.ready"]})
    assert response.status_code == 302
    hook.refresh_from_db()
    assert (hook.url, hook.events, hook.active) == (
        f"{fake.url}/receiver/2",
        ["report.ready"],
        False,
    )
    assert lead_client.post(reverse("webhook_delete", args=[hook.code])).status_code == 302
    assert not Webhook.objects.exists()
    # Each change is in the audit log, with who made it; the secret never is.
    events = AuditEvent.objects.filter(target_code=str(hook.code)).order_by("at", "pk")
    assert [(e.action, e.actor.username) for e in events] == [
        (AuditAction.WEBHOOK_ADDED, "lead"),
        (AuditAction.WEBHOOK_CHANGED, "lead"),
        (AuditAction.WEBHOOK_REMOVED, "lead"),
    ]
    assert all(secret not in json.dumps(e.details) for e in events)


# --------------------------------------------------------------------------- deliveries


def test_a_validated_assessment_is_posted_signed(
    lead_client, brand, project, version, lead, fake, django_capture_on_commit_callbacks
):
    _hook, secret, _ = subscribe(lead_client, brand, f"{fake.url}/receiver")
    assessment = validate_an_assessment(project, version, lead, django_capture_on_commit_callbacks)

    (sent,) = fake.seen("POST", "/receiver")
    assert verify(secret, sent.headers["X-Yardstick-Signature"], sent.body)
    assert not verify("another secret", sent.headers["X-Yardstick-Signature"], sent.body)
    assert not verify(secret, sent.headers["X-Yardstick-Signature"], sent.body + b" ")
    assert sent.headers["X-Yardstick-Event"] == "assessment.validated"
    payload = json.loads(sent.body)
    assert payload["event"] == "assessment.validated"
    assert payload["id"] == sent.headers["X-Yardstick-Delivery"]
    assert payload["brand"] == {"code": str(brand.code), "name": brand.name}
    data = payload["data"]
    assert data["assessment"]["code"] == str(assessment.code)
    assert data["assessment"]["url"].endswith(f"/assessments/{assessment.code}/")
    assert data["project"] == {"code": str(project.code), "name": project.name}
    assert data["score"]["overall_percent"] == 100.0

    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.DELIVERED, 1)
    (attempt,) = delivery.attempt_log.all()
    assert (attempt.response_code, attempt.error, attempt.number) == (200, "", 1)


def test_an_old_signature_is_refused_by_the_receiver(brand, lead, fake):
    body = b'{"event":"report.ready"}'
    old = int(time.time()) - 3600
    assert not verify("s" * 32, webhooks.signature("s" * 32, old, body), body)
    assert verify("s" * 32, webhooks.signature("s" * 32, int(time.time()), body), body)


def test_only_subscribed_active_webhooks_of_the_brand_get_the_event(
    lead_client, brand, other_brand, project, version, lead, fake,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    subscribe(lead_client, brand, f"{fake.url}/receiver/reports", events=["report.ready"])
    paused, _, _ = subscribe(lead_client, brand, f"{fake.url}/receiver/paused")
    Webhook.objects.filter(pk=paused.pk).update(active=False)
    webhooks.webhook_create(
        brand=other_brand,
        user=factories.member(other_brand),
        url=f"{fake.url}/receiver/theirs",
        events=["assessment.validated"],
    )
    validate_an_assessment(project, version, lead, django_capture_on_commit_callbacks)
    assert fake.requests == []


def test_a_failed_delivery_is_retried_with_a_growing_wait_then_delivered(
    lead_client, brand, project, version, lead, fake, django_capture_on_commit_callbacks
):
    hook, secret, _ = subscribe(lead_client, brand, f"{fake.url}/receiver")
    fake.receiver_statuses = [500, 503]
    validate_an_assessment(project, version, lead, django_capture_on_commit_callbacks)

    sent = fake.seen("POST", "/receiver")
    assert len(sent) == 3
    assert len({s.headers["X-Yardstick-Delivery"] for s in sent}) == 1  # the same delivery
    assert all(verify(secret, s.headers["X-Yardstick-Signature"], s.body) for s in sent)
    attempts = list(WebhookAttempt.objects.order_by("number"))
    assert [(a.number, a.response_code, a.retry_in_seconds) for a in attempts] == [
        (1, 500, 30),
        (2, 503, 60),
        (3, 200, None),
    ]
    assert attempts[0].error == "The receiver answered 500."
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.DELIVERED, 3)

    page = lead_client.get(reverse("webhook_detail", args=[hook.code])).content.decode()
    assert "failed, retried after 30 s" in page and "The receiver answered 500." in page
    assert "delivered" in page


def test_retries_are_bounded(brand, lead, fake, settings, django_capture_on_commit_callbacks):
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    webhooks.webhook_create(
        brand=brand, user=lead, url=f"{fake.url}/receiver", events=["report.ready"]
    )
    fake.receiver_statuses = [500] * 10
    with django_capture_on_commit_callbacks(execute=True):
        webhooks.webhooks_fire(brand_id=brand.pk, event="report.ready", data={"x": 1})
    assert len(fake.seen("POST", "/receiver")) == 3
    assert [a.retry_in_seconds for a in WebhookAttempt.objects.order_by("number")] == [
        30,
        60,
        None,
    ]
    assert WebhookDelivery.objects.get().status == DeliveryStatus.FAILED


def test_the_backoff_doubles_up_to_an_hour(settings):
    settings.WEBHOOK_RETRY_BASE_SECONDS = 30
    assert [webhooks.backoff_seconds(n) for n in (1, 2, 3, 4, 8)] == [30, 60, 120, 240, 3600]


def test_an_unreachable_receiver_is_recorded(
    brand, lead, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    webhooks.webhook_create(
        brand=brand, user=lead, url="http://127.0.0.1:9/nothing", events=["report.ready"]
    )
    with django_capture_on_commit_callbacks(execute=True):
        webhooks.webhooks_fire(brand_id=brand.pk, event="report.ready", data={})
    (attempt,) = WebhookAttempt.objects.all()
    assert attempt.response_code is None and "ConnectionError" in attempt.error


def test_a_delivery_is_sent_once_even_if_its_task_runs_twice(
    brand, lead, fake, django_capture_on_commit_callbacks
):
    webhooks.webhook_create(
        brand=brand, user=lead, url=f"{fake.url}/receiver", events=["report.ready"]
    )
    with django_capture_on_commit_callbacks(execute=True):
        webhooks.webhooks_fire(brand_id=brand.pk, event="report.ready", data={})
    delivery = WebhookDelivery.objects.get()
    assert webhooks.webhook_deliver(delivery_id=delivery.pk) is None
    assert len(fake.requests) == 1


def test_the_sweep_sends_a_delivery_whose_task_was_lost(
    brand, lead, fake, django_capture_on_commit_callbacks
):
    webhooks.webhook_create(
        brand=brand, user=lead, url=f"{fake.url}/receiver", events=["report.ready"]
    )
    webhooks.webhooks_fire(brand_id=brand.pk, event="report.ready", data={})  # never queued
    WebhookDelivery.objects.update(next_attempt_at=timezone.now() - datetime.timedelta(hours=1))
    assert webhooks.webhook_deliveries_sweep() == 1
    assert WebhookDelivery.objects.get().status == DeliveryStatus.DELIVERED
    assert webhooks.webhook_deliveries_sweep() == 0


def test_a_ready_report_of_the_brand_is_announced(
    brand, project, version, lead, fake, settings, tmp_path, django_capture_on_commit_callbacks
):
    use_report_folder(settings, tmp_path / "reports")
    webhooks.webhook_create(
        brand=brand, user=lead, url=f"{fake.url}/receiver", events=["report.ready"]
    )
    factories.assessment(project, version, status="validated", answers={"doc-purpose": "yes"})
    job = ReportJob.objects.create(
        requested_by=lead, scope="project", brand=brand, project=project, format="xlsx"
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert report_job_build(job_id=job.pk) == ReportStatus.READY
    (sent,) = fake.seen("POST", "/receiver")
    payload = json.loads(sent.body)
    assert payload["event"] == "report.ready"
    assert payload["data"]["report"]["code"] == str(job.code)
    assert payload["data"]["report"]["format"] == "xlsx"
    assert payload["data"]["project"]["name"] == project.name


def test_a_group_report_announces_nothing(
    brand, lead, fake, settings, tmp_path, django_capture_on_commit_callbacks
):
    use_report_folder(settings, tmp_path / "reports")
    webhooks.webhook_create(
        brand=brand, user=lead, url=f"{fake.url}/receiver", events=["report.ready"]
    )
    admin = factories.UserFactory(group_role="admin")
    job = ReportJob.objects.create(requested_by=admin, scope="group", format="xlsx")
    with django_capture_on_commit_callbacks(execute=True):
        assert report_job_build(job_id=job.pk) == ReportStatus.READY
    assert fake.requests == []


def test_the_docs_verification_example_accepts_a_real_delivery_and_nothing_else(
    brand, lead, fake, settings, django_capture_on_commit_callbacks
):
    text = (settings.BASE_DIR / "docs" / "integrations.md").read_text(encoding="utf-8")
    example = re.search(r"```python\n(.*?)```", text, re.DOTALL).group(1)
    namespace: dict = {}
    exec(example, namespace)  # the documented receiver code, as a reader would paste it
    genuine = namespace["yardstick_message_is_genuine"]
    _hook, secret = webhooks.webhook_create(
        brand=brand, user=lead, url=f"{fake.url}/receiver", events=["report.ready"]
    )
    with django_capture_on_commit_callbacks(execute=True):
        webhooks.webhooks_fire(brand_id=brand.pk, event="report.ready", data={"a": 1})
    (sent,) = fake.seen("POST", "/receiver")
    header = sent.headers["X-Yardstick-Signature"]
    assert genuine(secret, header, sent.body)
    assert not genuine(secret, header, sent.body.replace(b'"a":1', b'"a":2'))
    assert not genuine("x" * 43, header, sent.body)
    assert not genuine(secret, "garbage", sent.body)
    stale = webhooks.signature(secret, int(time.time()) - 3600, sent.body)
    assert not genuine(secret, stale, sent.body)


def test_a_webhook_can_be_added_paused(lead_client, brand, fake):
    response = lead_client.post(
        reverse("webhook_list", args=[brand.code]),
        {"url": f"{fake.url}/receiver", "events": ["report.ready"]},
    )
    assert response.status_code == 200
    assert Webhook.objects.get().active is False
