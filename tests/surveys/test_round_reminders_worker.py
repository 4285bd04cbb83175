"""Round reminders through Celery beat's schedule and a real worker process with Redis (CI runs
this; it needs DATABASE_URL on PostgreSQL and REDIS_URL).

The beat entry is applied by Celery's own scheduler, as `celery beat` does when the hour comes;
the worker (`celery -A config worker`, a queue of its own) runs the task against the test
database and writes its mails to files, which this test reads. The worker keeps the real clock,
so the round here is due the day after the real today (and the test uses the real clock too).
"""

import datetime
import os
import time
import uuid
from email import message_from_bytes

import pytest
from celery.beat import Scheduler
from django.utils import timezone

from brands.models import BrandRole
from surveys.models import AssessmentStatus, ReminderDigest, ReminderItem
from tests import factories
from tests.reports.jobs_support import (
    WAIT_SECONDS,
    celery_config,
    forget_queue,
    start_worker,
    stop_worker,
)

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(settings, tmp_path, real_clock):
    """A worker process on a queue of its own, sending mail into files under tmp_path."""
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    queue = f"yardstick-test-{uuid.uuid4().hex[:12]}"
    log = tmp_path / "worker.log"
    process = start_worker(
        base_dir=settings.BASE_DIR,
        queue=queue,
        broker_url=os.environ["REDIS_URL"],
        folder=tmp_path / "reports",
        log=log,
        env={
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(mail_dir),
            "SITE_URL": "https://yardstick.example.com",
        },
    )
    try:
        with celery_config(
            task_always_eager=False, broker_url=os.environ["REDIS_URL"], task_default_queue=queue
        ) as app:
            yield app, process, log, mail_dir
    finally:
        stop_worker(process)
        forget_queue(queue)
        print(log.read_text(errors="replace")[-4000:])  # shown when the test fails


def _mails(mail_dir) -> list:
    """The messages the worker wrote (the file backend puts one file per connection)."""
    found = []
    for path in sorted(mail_dir.iterdir()):
        for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if chunk.strip():
                found.append(message_from_bytes(chunk.strip()))
    return found


def _wait_for_digests(count: int, process) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        assert process.poll() is None, "the worker process stopped"
        if ReminderDigest.objects.filter(sent_at__isnull=False).count() >= count:
            return
        time.sleep(0.5)
    pytest.fail(f"fewer than {count} reminder digests after {WAIT_SECONDS} s")


def _beat_fires(app) -> None:
    """What `celery beat` does when the round-reminders entry is due: send it as scheduled."""
    scheduler = Scheduler(app=app, lazy=True)
    scheduler.setup_schedule()
    scheduler.apply_entry(scheduler.schedule["round-reminders"])


def test_beat_and_a_worker_send_one_digest_per_person_once_a_day(
    worker, brand, project, version, lead
):
    app, process, log, mail_dir = worker
    today = timezone.localdate()
    round_ = factories.round_(
        version,
        name="Worker round",
        opens_on=today - datetime.timedelta(days=20),
        due_on=today + datetime.timedelta(days=1),
    )
    ds = factories.member(brand, BrandRole.DATA_SCIENTIST, username="ds-worker")
    second = factories.ProjectFactory(brand=brand, name="Demand forecast")
    for p in (project, second):
        p.team.add(ds)
        factories.round_member(round_, p, version)
    done = factories.ProjectFactory(brand=brand, name="Already submitted")
    factories.round_member(round_, done, version, status=AssessmentStatus.SUBMITTED)

    _beat_fires(app)
    _wait_for_digests(2, process)

    mails = _mails(mail_dir)
    by_address = {m["To"]: m for m in mails}
    assert sorted(by_address) == sorted([ds.email, lead.email]) and len(mails) == 2
    mine = by_address[ds.email]
    assert mine["Subject"] == "Yardstick: 2 assessments to fill in, due soon"
    text = mine.get_payload()[0].get_payload(decode=True).decode()
    assert "Cross-sell API" in text and "Demand forecast" in text and "due in 1 day" in text
    assert "https://yardstick.example.com/reminders/" in text
    assert "Already submitted" not in by_address[lead.email].as_string()
    assert "Task surveys.tasks.send_round_reminders[" in log.read_text(errors="replace")
    assert ReminderItem.objects.filter(digest__email=ds.email).count() == 2

    # Beat fires again the same day (a restart, a second scheduler): nothing goes out twice.
    _beat_fires(app)
    deadline = time.monotonic() + WAIT_SECONDS
    while log.read_text(errors="replace").count("send_round_reminders[") < 4:  # received+done x2
        assert time.monotonic() < deadline, "the second run did not finish"
        time.sleep(0.5)
    assert "'already': 2" in log.read_text(errors="replace")
    assert len(_mails(mail_dir)) == 2
    assert ReminderDigest.objects.count() == 2
