"""Trackers, webhooks and pipeline evidence through a real Celery worker process and Redis, as
in production (CI runs this; it needs DATABASE_URL on PostgreSQL and REDIS_URL).

The worker (`celery -A config worker`) consumes a queue of its own for the default tasks and
another one standing for the "webhooks" queue (WEBHOOK_QUEUE), so that the routing of
deliveries to their own queue is exercised too. GitHub and the webhook receiver are played by
the local fake server in this test process, which the worker calls over 127.0.0.1.
"""

import datetime
import json
import os
import uuid

import pytest
from celery.beat import Scheduler
from django.urls import reverse
from django.utils import timezone

from brands import webhooks
from brands.models import DeliveryStatus, WebhookAttempt, WebhookDelivery
from brands.tokens import service_token_create
from scoring.models import ActionStatus, ImprovementAction, IssueStatus, TrackerIssue
from scoring.services import trackers as tracker_services
from surveys.models import Answer, PipelineEvidence
from tests import factories
from tests.integrations.test_trackers import GITHUB_TOKEN, make_action
from tests.integrations.test_webhooks import verify
from tests.reports.jobs_support import (
    celery_config,
    forget_queue,
    start_worker,
    stop_worker,
    wait_for,
)

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(settings, tmp_path, real_clock):
    queue = f"yardstick-test-{uuid.uuid4().hex[:12]}"
    hooks_queue = f"{queue}-webhooks"
    log = tmp_path / "worker.log"
    process = start_worker(
        base_dir=settings.BASE_DIR,
        queue=queue,
        extra_queues=(hooks_queue,),
        broker_url=os.environ["REDIS_URL"],
        folder=tmp_path / "reports",
        log=log,
        env={"WEBHOOK_QUEUE": hooks_queue, "WEBHOOK_RETRY_BASE_SECONDS": "1"},
    )
    try:
        with celery_config(
            task_always_eager=False,
            broker_url=os.environ["REDIS_URL"],
            task_default_queue=queue,
            task_routes={"brands.tasks.deliver_webhook": {"queue": hooks_queue}},
        ) as app:
            yield app, process, log
    finally:
        stop_worker(process)
        forget_queue(queue)
        forget_queue(hooks_queue)
        print(log.read_text(errors="replace")[-4000:])  # shown when the test fails


def test_an_issue_is_created_by_the_worker_and_its_closing_comes_back_by_the_poll(
    worker, client, brand, project, lead, fake
):
    app, process, log = worker
    connection, _ = tracker_services.tracker_connect(
        brand=brand,
        user=lead,
        kind="github",
        name="",
        api_url=fake.url,
        target="acme/recs",
        token=GITHUB_TOKEN,
    )
    action = make_action(project, lead)
    client.force_login(lead)
    response = client.post(
        reverse("action_issue", args=[action.code]), {"connection": str(connection.code)}
    )
    assert response.status_code == 302

    def linked():
        return TrackerIssue.objects.filter(action=action, status=IssueStatus.LINKED).exists()

    wait_for(linked, process, "linked by the worker")
    issue = TrackerIssue.objects.get(action=action)
    assert (issue.external_id, issue.url) == ("1", f"{fake.url}/acme/recs/issues/1")
    assert "scoring.tasks.create_tracker_issue" in log.read_text(errors="replace")

    # Closed in GitHub; no webhook came: Celery beat's poll, run by the worker, brings it back.
    fake.close_github_issue("acme/recs", 1)
    scheduler = Scheduler(app=app, lazy=True)
    scheduler.setup_schedule()
    scheduler.apply_entry(scheduler.schedule["tracker-issues-poll"])

    def done():
        return ImprovementAction.objects.get(pk=action.pk).status == ActionStatus.DONE

    wait_for(done, process, "closed by the poll")
    assert TrackerIssue.objects.get(pk=issue.pk).state == "closed"


def test_a_webhook_is_delivered_by_the_worker_on_its_queue_after_a_retry(worker, brand, lead, fake):
    _app, process, log = worker
    hook, secret = webhooks.webhook_create(
        brand=brand, user=lead, url=f"{fake.url}/receiver", events=["report.ready"]
    )
    fake.receiver_statuses = [500]
    webhooks.webhooks_fire(brand_id=brand.pk, event="report.ready", data={"worker": True})

    def delivered():
        return WebhookDelivery.objects.filter(status=DeliveryStatus.DELIVERED).exists()

    wait_for(delivered, process, "delivered by the worker")
    attempts = list(WebhookAttempt.objects.order_by("number"))
    assert [(a.response_code, a.retry_in_seconds) for a in attempts] == [(500, 1), (200, None)]
    sent = fake.seen("POST", "/receiver")
    assert len(sent) == 2
    assert verify(secret, sent[-1].headers["X-Yardstick-Signature"], sent[-1].body)
    assert log.read_text(errors="replace").count("brands.tasks.deliver_webhook[") >= 2
    assert hook.deliveries.count() == 1


def test_pipeline_evidence_round_trip_from_the_api_to_the_validated_webhook(
    worker, client, brand, project, lead, data_scientist, version, fake
):
    """A pipeline posts evidence with the brand's service token; the reviewer adopts it as the
    answer's evidence and validates; the worker tells the brand's webhook, signed."""
    _app, process, _log = worker
    hook, secret = webhooks.webhook_create(
        brand=brand, user=lead, url=f"{fake.url}/receiver", events=["assessment.validated"]
    )
    assessment = factories.submitted_self_fill(
        project, version, lead=lead, respondent=data_scientist
    )

    _, token = service_token_create(
        brand=brand,
        user=lead,
        name="CI",
        scope="write",
        expires_on=timezone.localdate() + datetime.timedelta(days=365),
    )
    link = "https://ci.example.com/acme/cross-sell/runs/77"
    posted = client.post(
        f"/api/v1/projects/{project.code}/evidence",
        json.dumps({"question_key": "code-ci", "url": link, "outcome": "passed", "run_id": 77}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert posted.status_code == 201, posted.content
    evidence = PipelineEvidence.objects.get(code=posted.json()["code"])

    client.force_login(lead)
    answer = Answer.objects.get(assessment=assessment, question__key="code-ci")
    adopted = client.post(
        reverse("answer_save", args=[assessment.code, "code-ci"]),
        {
            "base_revision": answer.revision,
            "answer": "yes",
            "comment": "",
            "evidence_url": "",
            "note": "",
            "adopt": str(evidence.code),
        },
        HTTP_HX_REQUEST="true",
    )
    assert adopted.status_code == 200
    assert Answer.objects.get(pk=answer.pk).evidence_url == link
    validated = client.post(reverse("assessment_validate", args=[assessment.code]))
    assert validated.status_code == 302

    def delivered():
        return hook.deliveries.filter(status=DeliveryStatus.DELIVERED).exists()

    wait_for(delivered, process, "the validation's webhook delivered by the worker")
    (sent,) = fake.seen("POST", "/receiver")
    assert verify(secret, sent.headers["X-Yardstick-Signature"], sent.body)
    payload = json.loads(sent.body)
    assert payload["event"] == "assessment.validated"
    assert payload["data"]["assessment"]["code"] == str(assessment.code)
