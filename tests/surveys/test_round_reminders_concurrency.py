"""Round reminders run twice at the same moment (two schedulers, a retry beside beat) on
PostgreSQL: each person still gets one mail. Test data is committed first (transaction=True)."""

import datetime
import time

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend

from surveys.models import ReminderDigest, ReminderItem
from surveys.services.reminders import round_reminders_send
from tests import factories
from tests.concurrency_support import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

DUE = datetime.date(2027, 1, 15)


class SlowBackend(EmailBackend):
    """The locmem backend, slow enough that the other runs arrive while one is sending."""

    def send_messages(self, messages):
        time.sleep(0.3)
        return super().send_messages(messages)


def test_runs_at_the_same_time_send_each_digest_once(
    settings, mailoutbox, version, brand, project, data_scientist, lead
):
    settings.EMAIL_BACKEND = "tests.surveys.test_round_reminders_concurrency.SlowBackend"
    round_ = factories.round_(
        version, opens_on=datetime.date(2026, 12, 1), due_on=DUE, name="Raced round"
    )
    factories.round_member(round_, project, version)

    runs = race(*[lambda: round_reminders_send(day=DUE) for _ in range(3)])

    assert not [r for r in runs if isinstance(r, Exception)], runs
    assert sorted(email for run in runs for email in run.sent) == sorted(
        [data_scientist.email, lead.email]
    )
    assert sum(len(run.already) for run in runs) == 4
    assert sorted(m.to[0] for m in mail.outbox) == sorted([data_scientist.email, lead.email])
    assert ReminderDigest.objects.count() == 2 and ReminderItem.objects.count() == 2
