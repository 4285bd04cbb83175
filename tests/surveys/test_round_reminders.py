"""Round reminders: one daily digest per person, the windows, idempotency, "why did I get this".

Every day here is given explicitly (relative to the round's due date), so the tests hold on any
calendar day; the Celery worker path is in tests/surveys/test_round_reminders_worker.py.
"""

import datetime
import uuid

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from brands.models import BrandRole
from surveys.models import (
    AssessmentStatus,
    Invitation,
    ReminderDigest,
    ReminderItem,
    ReminderReason,
    ReminderRole,
    RoundMode,
)
from surveys.services.reminders import round_reminders_send
from surveys.tasks import send_round_reminders
from tests import factories

pytestmark = pytest.mark.django_db

DUE = datetime.date(2027, 1, 15)
OPENS = datetime.date(2026, 12, 1)


def day(offset: int) -> datetime.date:
    """A day relative to the due date: -3 is three days before, 1 the day after."""
    return DUE + datetime.timedelta(days=offset)


@pytest.fixture
def round_(version):
    return factories.round_(version, name="2027 Q1 round", opens_on=OPENS, due_on=DUE)


@pytest.fixture
def member(round_, project, version, data_scientist):
    return factories.round_member(round_, project, version)


def _mails_to(mailoutbox, address: str) -> list:
    return [m for m in mailoutbox if m.to == [address]]


def test_one_digest_per_person_for_several_assessments_and_rounds(
    version, brand, project, data_scientist, lead, round_, mailoutbox, settings
):
    settings.ROUND_REMINDER_DAYS_BEFORE = 3
    second = factories.ProjectFactory(brand=brand, name="Demand forecast")
    second.team.add(data_scientist)
    third = factories.ProjectFactory(brand=brand, name="Offers ranking")
    third.team.add(data_scientist)
    later = factories.round_(version, name="GenAI check", opens_on=OPENS, due_on=day(2))
    factories.round_member(round_, project, version)
    factories.round_member(round_, second, version)
    factories.round_member(later, third, version)

    run = round_reminders_send(day=day(-1))

    assert sorted(run.sent) == sorted([data_scientist.email, lead.email])
    assert len(mailoutbox) == 2
    (mine,) = _mails_to(mailoutbox, data_scientist.email)
    assert mine.subject == "Yardstick: 3 assessments to fill in, due soon"
    for name in ("Cross-sell API", "Demand forecast", "Offers ranking", "2027 Q1 round"):
        assert name in mine.body
    assert "GenAI check" in mine.body and "due in 3 days" in mine.body
    assert "due in 1 day." in mine.body
    html, kind = mine.alternatives[0]
    assert kind == "text/html" and "Offers ranking" in html
    fill = reverse("assessment_fill", args=[project.round_members.get().assessment.code])
    assert f"{settings.SITE_URL}{fill}" in mine.body
    digest = ReminderDigest.objects.get(email=data_scientist.email)
    assert digest.user == data_scientist and digest.day == day(-1) and digest.sent_at
    assert reverse("reminder_detail", args=[digest.code]) in mine.body
    assert digest.items.filter(role=ReminderRole.RESPONDENT).count() == 3

    (overview,) = _mails_to(mailoutbox, lead.email)
    assert "which you lead" in overview.body
    assert (
        ReminderItem.objects.filter(digest__email=lead.email, role=ReminderRole.LEAD).count() == 3
    )


def test_running_twice_on_a_day_sends_nothing_twice(member, data_scientist, lead, mailoutbox):
    first = round_reminders_send(day=day(-2))
    second = round_reminders_send(day=day(-2))

    assert len(first.sent) == 2 and len(mailoutbox) == 2
    assert second.sent == [] and sorted(second.already) == sorted(first.sent)
    assert ReminderDigest.objects.count() == 2
    assert ReminderItem.objects.count() == 2


@pytest.mark.parametrize(
    ("offset", "reason", "days"),
    [
        (-4, None, None),  # one day before the window
        (-3, ReminderReason.DUE_SOON, 3),  # exactly N days before
        (0, ReminderReason.DUE_SOON, 0),  # the due day
        (1, ReminderReason.OVERDUE, 1),  # the day after
    ],
)
def test_the_window_edges(member, data_scientist, settings, mailoutbox, offset, reason, days):
    settings.ROUND_REMINDER_DAYS_BEFORE = 3

    round_reminders_send(day=day(offset))

    items = ReminderItem.objects.filter(digest__email=data_scientist.email)
    if reason is None:
        assert not items.exists() and _mails_to(mailoutbox, data_scientist.email) == []
        return
    (item,) = items
    assert (item.reason, item.days, item.state) == (reason, days, "not started")
    (mail,) = _mails_to(mailoutbox, data_scientist.email)
    expected = {0: "due today", 1: "overdue by 1 day", 3: "due in 3 days"}[days]
    assert expected in mail.body


def test_due_soon_is_told_once_and_overdue_every_n_days(
    member, data_scientist, settings, mailoutbox
):
    settings.ROUND_REMINDER_DAYS_BEFORE = 3
    settings.ROUND_REMINDER_OVERDUE_EVERY_DAYS = 7

    sent_on = {}
    for offset in (-3, -2, 0, 1, 2, 7, 8, 15):
        run = round_reminders_send(day=day(offset))
        sent_on[offset] = data_scientist.email in run.sent

    assert sent_on == {
        -3: True,  # due soon, first time
        -2: False,
        0: False,  # told already that it is due soon
        1: True,  # overdue
        2: False,
        7: False,
        8: True,  # seven days after the last overdue reminder
        15: True,
    }
    assert len(_mails_to(mailoutbox, data_scientist.email)) == 4


@pytest.mark.parametrize("status", [AssessmentStatus.SUBMITTED, AssessmentStatus.VALIDATED])
def test_done_members_are_left_out(
    round_, brand, project, version, data_scientist, lead, mailoutbox, status
):
    factories.round_member(round_, project, version, status=status)
    open_one = factories.ProjectFactory(brand=brand, name="Still open")
    factories.round_member(round_, open_one, version)

    round_reminders_send(day=day(1))

    assert _mails_to(mailoutbox, data_scientist.email) == []  # their only project is done
    (overview,) = _mails_to(mailoutbox, lead.email)
    assert "Still open" in overview.body and "Cross-sell API" not in overview.body


@pytest.mark.parametrize("status", ["closed", "draft"])
def test_rounds_that_are_not_open_send_nothing(
    version, project, data_scientist, lead, mailoutbox, status
):
    shut = factories.round_(version, opens_on=OPENS, due_on=DUE, status=status)
    factories.round_member(shut, project, version)

    run = round_reminders_send(day=day(1))

    assert run.sent == [] and mailoutbox == [] and not ReminderDigest.objects.exists()


def test_nothing_before_the_round_opens(version, project, data_scientist, mailoutbox):
    early = factories.round_(version, opens_on=day(-1), due_on=DUE)
    factories.round_member(early, project, version)

    assert round_reminders_send(day=day(-2)).sent == []
    assert data_scientist.email in round_reminders_send(day=day(-1)).sent


def test_a_lead_hears_only_of_their_own_brand(
    round_, project, other_project, version, lead, outsider, mailoutbox
):
    factories.round_member(round_, project, version, mode=RoundMode.INTERVIEW)
    factories.round_member(round_, other_project, version)

    round_reminders_send(day=day(0))

    (mine,) = _mails_to(mailoutbox, lead.email)
    assert "Cross-sell API" in mine.body and "Demand forecast" not in mine.body
    assert "no interview date yet" in mine.body
    (theirs,) = _mails_to(mailoutbox, outsider.email)
    assert "Demand forecast" in theirs.body and "Cross-sell API" not in theirs.body
    assert set(
        ReminderItem.objects.filter(digest__email=lead.email).values_list(
            "member__project__brand", flat=True
        )
    ) == {project.brand_id}


def test_members_waiting_for_the_leads_choice_are_in_the_overview_only(
    round_, project, version, lead, data_scientist, mailoutbox
):
    factories.round_member(
        round_, project, version, mode=RoundMode.LEAD_DECIDES, with_assessment=False
    )

    round_reminders_send(day=day(-1))

    assert _mails_to(mailoutbox, data_scientist.email) == []
    (overview,) = _mails_to(mailoutbox, lead.email)
    assert "Cross-sell API: brand lead decides, mode to choose" in overview.body


def test_people_invited_by_address_get_their_invitation_link(member, lead, mailoutbox, settings):
    Invitation.objects.create(
        assessment=member.assessment, email="freelancer@example.org", created_by=lead
    )
    # A viewer of the brand on the team is no respondent; a data scientist off the team neither.
    viewer = factories.member(member.project.brand, BrandRole.VIEWER)
    member.project.team.add(viewer)
    factories.member(member.project.brand, BrandRole.DATA_SCIENTIST)

    run = round_reminders_send(day=day(-3))

    assert "freelancer@example.org" in run.sent and viewer.email not in run.sent
    (mail,) = _mails_to(mailoutbox, "freelancer@example.org")
    assert f"{settings.SITE_URL}/invite/" in mail.body
    assert ReminderDigest.objects.get(email="freelancer@example.org").user is None
    assert len(run.sent) == 3  # the data scientist on the team, the invitee, the lead


def test_a_failed_mail_is_not_recorded_and_goes_out_on_the_next_run(
    member, data_scientist, settings, mailoutbox
):
    settings.EMAIL_BACKEND = "tests.surveys.test_round_reminders.BrokenBackend"
    failed = round_reminders_send(day=day(-1))
    assert failed.failed == [data_scientist.email] and failed.sent == []
    assert not ReminderDigest.objects.exists()

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert data_scientist.email in round_reminders_send(day=day(-1)).sent


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("the mail server is down")


def test_the_command_and_the_task_run_it_in_process(member, data_scientist, mailoutbox, capsys):
    call_command("send_round_reminders", "--day", day(-1).isoformat())
    assert "1 sent, 0 already sent today, 0 failed" in capsys.readouterr().out

    result = send_round_reminders.apply(args=[day(-1).isoformat()]).get()
    assert result == {"day": day(-1).isoformat(), "sent": 0, "already": 1, "failed": 0}
    assert len(mailoutbox) == 1

    with pytest.raises(CommandError, match="is not a date; give it as YYYY-MM-DD"):
        call_command("send_round_reminders", "--day", "15/01/2027")


def test_beat_runs_the_reminders_daily_at_the_configured_hour(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["round-reminders"]
    assert entry["task"] == send_round_reminders.name == "surveys.tasks.send_round_reminders"
    assert entry["schedule"].hour == {settings.ROUND_REMINDER_HOUR}
    assert entry["schedule"].minute == {0}


# --- "Why did I get this" -----------------------------------------------------------------


def test_the_why_page_lists_a_persons_reminders_newest_first(
    client, member, data_scientist, lead, version
):
    round_reminders_send(day=day(-3))
    round_reminders_send(day=day(1))
    client.force_login(data_scientist)

    page = client.get(reverse("reminder_list"))

    assert page.status_code == 200
    text = page.text
    assert text.index("Saturday 16 January 2027") < text.index("Tuesday 12 January 2027")
    assert "overdue by 1 day" in text and "due in 3 days" in text
    assert "Self-fills you answer" in text
    assert "Your brand's overview" not in text  # the lead's digests are theirs alone

    digest = ReminderDigest.objects.get(email=data_scientist.email, day=day(1))
    detail = client.get(reverse("reminder_detail", args=[digest.code]))
    assert detail.status_code == 200 and "Why did I get this reminder?" in detail.text
    assert "2027 Q1 round" in detail.text

    client.force_login(lead)
    assert client.get(reverse("reminder_detail", args=[digest.code])).status_code == 404
    lead_page = client.get(reverse("reminder_list")).text
    assert "Your brand's overview" in lead_page and "(self-fill)" in lead_page


def test_the_why_page_needs_a_login_and_my_work_links_to_it(client, member, data_scientist):
    round_reminders_send(day=day(-3))
    digest = ReminderDigest.objects.get(email=data_scientist.email)

    response = client.get(reverse("reminder_detail", args=[digest.code]))
    assert response.status_code == 302 and "/login/" in response["Location"]

    client.force_login(data_scientist)
    assert reverse("reminder_list") in client.get(reverse("home")).text
    assert client.get(reverse("reminder_detail", args=[uuid.uuid4()])).status_code == 404
