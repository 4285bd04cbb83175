"""Issue 16, "Done when": a round's whole life on the seeded demo, through the real pages.

The assessor launches a round of every high-criticality project (twice: nothing is made
twice), two data scientists of two brands fill in and submit their self-fills from My work,
a brand lead validates one, the reminders go out two days before the due date (in process,
the embedded default), the round page shows the progress and the figures against the
previous round as recomputed here from the stored rows, and the round closes.

The demo is seeded once for the module, on the pinned day (tests/clock.py), inside a
transaction rolled back at the end; the journey is one test, its steps in order.
"""

import datetime
import re
import statistics
from collections import Counter
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db.models import Q
from django.urls import reverse

from brands.models import BrandRole, Criticality, GroupSettings, Membership, Project, User
from scoring.models import Score
from surveys.models import (
    Answer,
    Assessment,
    AssessmentMode,
    AssessmentStatus,
    Invitation,
    QuestionSet,
    ReminderDigest,
    ReminderItem,
    Round,
    RoundMember,
    RoundStatus,
)
from tests import factories
from tests.clock import PINNED_TODAY
from tests.once import built_once

NAME = "High-criticality products, winter 2026"
DUE = PINNED_TODAY + datetime.timedelta(weeks=3)
REMINDER_DAY = DUE - datetime.timedelta(days=2)


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    yield from built_once(
        django_db_blocker, lambda: call_command("seed_demo", today=PINNED_TODAY, stdout=StringIO())
    )


pytestmark = [pytest.mark.usefixtures("seeded"), pytest.mark.django_db]


def user(username: str) -> User:
    return User.objects.get(username=username)


def get(client, who: User, url: str, status: int = 200) -> str:
    client.force_login(who)
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.content.decode()


def post(client, who: User, url: str, data: dict | None = None, status: int = 302):
    client.force_login(who)
    response = client.post(url, data or {})
    assert response.status_code == status, (url, response.status_code, response.content[:500])
    return response


def counts() -> tuple[int, int, int]:
    return Assessment.objects.count(), Invitation.objects.count(), RoundMember.objects.count()


def data_scientists(project: Project) -> list[User]:
    """The data scientists of the project's brand on its team, by username."""
    ds = Membership.objects.filter(brand=project.brand, role=BrandRole.DATA_SCIENTIST)
    return list(project.team.filter(id__in=ds.values("user_id")).order_by("username"))


def lead_of(project: Project) -> User:
    return (
        User.objects.filter(memberships__brand=project.brand, memberships__role=BrandRole.LEAD)
        .filter(username__startswith="lead.")
        .get()
    )


FORM = re.compile(
    r'<form class="qform[^"]*" id="q-(?P<key>[\w-]+)".*?name="base_revision" value="(?P<rev>\d+)"',
    re.S,
)


def fill_in(client, ds: User, assessment: Assessment) -> int:
    """Answer every statement the self-fill page shows, through the endpoint it posts to, with
    the revision the page gives; the options taken in turn, so that the score is not trivial."""
    page = get(client, ds, reverse("assessment_fill", args=[assessment.code]))
    forms = FORM.findall(page)
    options = list(
        assessment.version.options.order_by("order", "key").values_list("key", flat=True)
    )
    assert forms and len(options) > 1
    for i, (key, revision) in enumerate(forms):
        post(
            client,
            ds,
            reverse("answer_save", args=[assessment.code, key]),
            {"base_revision": revision, "answer": options[i % len(options)]},
        )
    return len(forms)


# -- The expected figures, recomputed here from the stored rows -------------------------------


def expected_states(round_: Round) -> dict[str, Counter]:
    """Brand name -> Counter of states, from the members' assessments (before the due date)."""
    by_brand: dict[str, Counter] = {}
    for member in RoundMember.objects.filter(round=round_).select_related("project__brand"):
        assessment = member.assessment
        while assessment is not None and assessment.superseded_by_id:
            assessment = assessment.superseded_by
        if assessment is None:
            state = "Not started"
        elif assessment.status == AssessmentStatus.VALIDATED:
            state = "Validated"
        elif assessment.status == AssessmentStatus.SUBMITTED:
            state = "Submitted"
        else:
            own = Answer.objects.filter(assessment=assessment, carried_over=False).filter(
                Q(option__isnull=False) | Q(is_na=True)
            )
            state = "In progress" if own.exists() else "Not started"
        by_brand.setdefault(member.project.brand.name, Counter())[state] += 1
    return by_brand


def validated_percent(round_: Round) -> dict[int, float]:
    """Project id -> stored overall % of its validated assessment in the round."""
    found = {}
    for member in RoundMember.objects.filter(round=round_, assessment__isnull=False):
        if member.assessment.status == AssessmentStatus.VALIDATED:
            score = Score.objects.get(assessment=member.assessment)
            found[member.project_id] = float(score.overall) * 100
    return found


def brand_row(page: str, code) -> list[str]:
    """The cells of a brand's row in the round page's progress table."""
    row = re.search(rf'<tr><th scope="row"><a href="#brand-{code}">.*?</tr>', page, re.S)
    assert row, code
    return re.findall(r'<td class="num">([^<]*)</td>', row.group(0))


# -- The journey -------------------------------------------------------------------------------


def test_a_round_from_launch_to_close_on_the_demo(client, django_capture_on_commit_callbacks):
    assessor = user("assessor")
    main = QuestionSet.objects.get(is_main=True)
    high = list(
        Project.objects.filter(criticality=Criticality.HIGH)
        .select_related("brand")
        .order_by("brand__name", "name")
    )
    assert len({p.brand_id for p in high}) >= 4

    # A lead has already opened a self-fill of the main set on one high-criticality project:
    # the round lists it rather than starting a second one.
    already = high[0]
    post(
        client,
        lead_of(already),
        reverse("assessment_start", args=[already.code]),
        {"mode": AssessmentMode.SELF_FILL, "assessed_on": PINNED_TODAY.isoformat()},
    )
    (open_one,) = Assessment.objects.filter(project=already, status=AssessmentStatus.DRAFT)

    # 1. The assessor creates the round, checks the preview and launches it, twice.
    response = post(
        client,
        assessor,
        reverse("round_create"),
        {
            "name": NAME,
            "question_set": str(main.code),
            "criticalities": [Criticality.HIGH],
            "default_mode": "self_fill",
            "opens_on": PINNED_TODAY.isoformat(),
            "due_on": DUE.isoformat(),
        },
    )
    round_ = Round.objects.get(name=NAME)
    assert response["Location"] == reverse("round_detail", args=[round_.code])
    assert round_.status == RoundStatus.DRAFT and round_.due_on == DUE
    preview = get(client, assessor, response["Location"])
    for project in high:
        assert f'<th scope="row">{project.name}</th>' in preview
        assert f'name="mode-{project.code}"' in preview or project == already
    assert f"{len(high)} projects match" in preview
    assert "1 already has an open assessment of this set" in preview
    assert "already open: self-fill, draft" in preview
    before = counts()
    with django_capture_on_commit_callbacks(execute=True):
        post(client, assessor, reverse("round_launch", args=[round_.code]))
    members = {
        m.project_id: m for m in RoundMember.objects.filter(round=round_).select_related("project")
    }
    assert set(members) == {p.pk for p in high}
    assert members[already.pk].assessment == open_one and members[already.pk].already_open
    assert already.assessments.filter(status=AssessmentStatus.DRAFT).count() == 1
    started = [m for m in members.values() if not m.already_open]
    assert all(m.assessment.mode == AssessmentMode.SELF_FILL for m in started)
    invited = Invitation.objects.filter(assessment__round_members__round=round_).count()
    after = counts()
    assert after == (before[0] + len(high) - 1, before[1] + invited, before[2] + len(high))
    invited_emails = sorted(m.to[0] for m in mail.outbox)
    assert invited_emails == sorted(
        u.email for m in started for u in data_scientists(m.project) if u.email
    )
    with django_capture_on_commit_callbacks(execute=True):
        post(client, assessor, reverse("round_launch", args=[round_.code]))
    assert counts() == after
    assert len(mail.outbox) == len(invited_emails)
    round_.refresh_from_db()
    assert round_.status == RoundStatus.OPEN

    # The previous round of the set is the demo's open quarter round (it opened before this
    # one); choose one data scientist whose project it validated, so that the figures compare.
    previous = (
        Round.objects.filter(question_set=main, opens_on__lt=round_.opens_on)
        .exclude(status=RoundStatus.DRAFT)
        .order_by("-opens_on")
        .first()
    )
    assert previous.name == "2026 Q4 round"
    validated_before = validated_percent(previous)

    def sole_ds(member):
        team = data_scientists(member.project)
        return team[0] if len(team) == 1 else None

    candidates = [m for m in started if sole_ds(m)]
    first = next(m for m in candidates if m.project_id in validated_before)
    second = next(
        m
        for m in candidates
        if m.project.brand_id != first.project.brand_id and m.project_id not in validated_before
    )
    ds_first, ds_second = sole_ds(first), sole_ds(second)

    # A data scientist of the listed project answers one statement: it is in progress.
    listed = members[already.pk].assessment
    page = get(client, data_scientists(already)[0], reverse("assessment_fill", args=[listed.code]))
    key, revision = FORM.findall(page)[0]
    post(
        client,
        data_scientists(already)[0],
        reverse("answer_save", args=[listed.code, key]),
        {"base_revision": revision, "answer": listed.version.options.order_by("order").first().key},
    )

    # 2. Each data scientist finds the self-fill in My work, answers it and submits it.
    for member, ds in ((first, ds_first), (second, ds_second)):
        work = get(client, ds, reverse("home"))
        fill = reverse("assessment_fill", args=[member.assessment.code])
        assert re.search(
            rf'href="{fill}">(Start|Continue): {re.escape(member.project.name)}</a>', work
        ), work[work.find("<main") :]
        assert f"{NAME} · due {DUE.day} {DUE:%b %Y}" in work
        answered = fill_in(client, ds, member.assessment)
        assert answered == member.assessment.answers.count()
        post(client, ds, reverse("assessment_submit", args=[member.assessment.code]))
        member.assessment.refresh_from_db()
        assert member.assessment.status == AssessmentStatus.SUBMITTED
        assert not member.assessment.answers.filter(option__isnull=True, is_na=False).exists()

    # 3. The lead of the first brand sees it waiting in My work and validates it; under the
    # four-eyes rule too, since the lead did not run it (the data scientist answered it).
    settings_row = GroupSettings.current()
    settings_row.four_eyes = True
    settings_row.save()
    lead = lead_of(first.project)
    review = reverse("assessment_review", args=[first.assessment.code])
    work = get(client, lead, reverse("home"))
    assert f'href="{review}">Review {first.project.name}</a>' in work
    get(client, lead, review)
    post(client, lead, reverse("assessment_validate", args=[first.assessment.code]))
    first.assessment.refresh_from_db()
    assert first.assessment.status == AssessmentStatus.VALIDATED
    assert first.assessment.validated_by == lead
    assert f"Review {first.project.name}" not in get(client, lead, reverse("home"))

    # 4. Two days before the due date the reminders go out, in this process.
    mail.outbox.clear()
    with time_machine.travel(datetime.datetime(2026, 12, 7, 8, 0, tzinfo=datetime.UTC)):
        assert datetime.date.today() == REMINDER_DAY
        call_command("send_round_reminders", stdout=StringIO())
    recipients = [m.to for m in mail.outbox]
    assert all(len(to) == 1 for to in recipients)
    assert len({to[0] for to in recipients}) == len(recipients)  # one digest per person
    assert ReminderDigest.objects.filter(day=REMINDER_DAY).count() == len(recipients)
    by_address = {m.to[0].lower(): m for m in mail.outbox}
    waiting = [m for m in started if m not in (first, second) and m.assessment.mode == "self_fill"]
    assert waiting
    for member in waiting:
        for ds in data_scientists(member.project):
            message = by_address[ds.email.lower()]
            assert member.project.name in message.body and NAME in message.body
            assert ReminderItem.objects.filter(
                digest__email=ds.email, digest__day=REMINDER_DAY, member=member, role="respondent"
            ).exists()
    for member, ds in ((first, ds_first), (second, ds_second)):
        assert not ReminderItem.objects.filter(member=member).exists()
        assert member.project.name not in getattr(by_address.get(ds.email.lower()), "body", "")
    # The second brand (Frischfeld on the demo) has nothing else in an open round: its data
    # scientist, done, hears nothing at all.
    assert ds_second.email.lower() not in by_address
    reminded = data_scientists(waiting[0].project)[0]
    digest = ReminderDigest.objects.get(email=reminded.email, day=REMINDER_DAY)
    why = get(client, reminded, reverse("reminder_list"))
    assert waiting[0].project.name in why and NAME in why and "due in 2 days" in why
    get(client, ds_first, reverse("reminder_detail", args=[digest.code]), status=404)

    # 5. The round page: progress per brand and the figures against the previous round.
    page = get(client, assessor, reverse("round_detail", args=[round_.code]))
    states = expected_states(round_)
    assert states[first.project.brand.name]["Validated"] >= 1
    assert states[second.project.brand.name]["Submitted"] >= 1
    order = ["Not started", "In progress", "Submitted", "Validated", "Overdue"]
    for member in members.values():
        brand = member.project.brand
        cells = brand_row(page, brand.code)
        total = sum(states[brand.name].values())
        assert cells[0] == str(total)
        assert cells[1:6] == [str(states[brand.name][s]) for s in order], brand.name
        assert cells[6] == "0"  # nothing late before the due date
    assert states[already.brand.name]["In progress"] == 1
    now = validated_percent(round_)
    both = sorted(set(now) & set(validated_before))
    assert both == [first.project_id]
    mean_now = statistics.fmean(now.values())
    assert f"validated assessment: <strong>{mean_now:.1f}%</strong>" in page
    then_both = statistics.fmean(validated_before[p] for p in both)
    now_both = statistics.fmean(now[p] for p in both)
    change = now_both - then_both
    assert (
        f"Against {previous.name}, over the 1 project validated in both: "
        f"{then_both:.1f}% then, {now_both:.1f}% now "
        f"(<strong>{'+' if change >= 0 else ''}{change:.1f} points</strong>)"
    ) in page

    # 6. The assessor closes it: nobody joins it any more, and it is a point on the dashboard.
    post(client, assessor, reverse("round_close", args=[round_.code]))
    round_.refresh_from_db()
    assert round_.status == RoundStatus.CLOSED and round_.closed_by == assessor
    assert "closed since" in get(client, assessor, reverse("round_detail", args=[round_.code]))
    factories.ProjectFactory(brand=first.project.brand, criticality=Criticality.HIGH)
    frozen = counts()
    post(client, assessor, reverse("round_launch", args=[round_.code]))
    assert counts() == frozen
    dashboard = get(client, user("manager"), reverse("group_dashboard"))
    assert "Closed rounds" in dashboard and NAME in dashboard

    # 7. A lead of a brand without a project in the round gets "not found" for its members.
    outside = (
        User.objects.filter(username__startswith="lead.", memberships__role=BrandRole.LEAD)
        .exclude(memberships__brand_id__in=[p.brand_id for p in high])
        .order_by("username")
        .first()
    )
    assert outside is not None
    for member in (first, second):
        get(client, outside, reverse("round_member", args=[member.code]), status=404)
    get(client, outside, reverse("round_detail", args=[round_.code]), status=404)
