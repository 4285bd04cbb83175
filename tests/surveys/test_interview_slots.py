"""Interview slots of a round: the lead plans the day; the round counts planned, held, missing."""

import datetime

import pytest
from django.urls import reverse

from brands.models import BrandRole
from surveys.models import AssessmentStatus, RoundMode
from surveys.selectors.round_members import interview_slots
from tests import factories

pytestmark = pytest.mark.django_db

OPENS = datetime.date(2026, 12, 1)
DUE = datetime.date(2027, 1, 15)
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def round_(version):
    return factories.round_(version, name="2027 Q1 round", opens_on=OPENS, due_on=DUE)


@pytest.fixture
def interview(round_, project, version):
    return factories.round_member(round_, project, version, mode=RoundMode.INTERVIEW)


def _plan(client, member, value, **extra):
    return client.post(
        reverse("member_interview", args=[member.code]), {"planned_on": value}, **extra
    )


def test_a_lead_plans_an_interview_through_htmx(client, lead, interview):
    client.force_login(lead)

    response = _plan(client, interview, "2026-12-10", **HTMX)

    assert response.status_code == 200
    assert 'value="2026-12-10"' in response.text
    assert "<strong>1</strong> planned" in response.text
    interview.refresh_from_db()
    assert interview.interview_planned_on == datetime.date(2026, 12, 10)
    assert interview.interview_planned_by == lead

    # Cleared: the interview has no date again.
    assert _plan(client, interview, "", **HTMX).status_code == 200
    interview.refresh_from_db()
    assert interview.interview_planned_on is None and interview.interview_planned_by is None


def test_without_htmx_it_redirects_to_the_rounds_interviews(client, group_assessor, interview):
    client.force_login(group_assessor)

    response = _plan(client, interview, "2027-01-20")

    assert response.status_code == 302
    code = interview.round.code
    assert response["Location"] == reverse("round_detail", args=[code]) + f"#interviews-{code}"
    page = client.get(response["Location"])
    assert f'id="interviews-{code}"' in page.text
    assert "Interview date of Cross-sell API saved." in page.text
    assert "20 Jan 2027" not in page.text and 'value="2027-01-20"' in page.text


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2027-02-30", "Enter a real date, as YYYY-MM-DD (e.g. 2027-01-14)."),
        ("next tuesday", "Enter a real date, as YYYY-MM-DD (e.g. 2027-01-14)."),
        (
            "2026-11-30",
            "The interview cannot be planned before the round opens on 1 December 2026.",
        ),
        ("2207-01-10", "more than a year after the round&#x27;s due date (15 January 2027)"),
    ],
)
def test_bad_dates_are_refused_with_a_message(client, lead, interview, value, message):
    client.force_login(lead)

    response = _plan(client, interview, value, **HTMX)

    assert response.status_code == 400
    assert message in response.text
    assert f'value="{value}"' in response.text and 'aria-invalid="true"' in response.text
    interview.refresh_from_db()
    assert interview.interview_planned_on is None


def test_a_post_without_the_date_field_changes_nothing(client, lead, interview):
    interview.interview_planned_on = datetime.date(2026, 12, 10)
    interview.save()
    client.force_login(lead)

    response = client.post(reverse("member_interview", args=[interview.code]), {}, **HTMX)

    assert response.status_code == 400
    assert "Give the interview date, or an empty one to clear it." in response.text
    interview.refresh_from_db()
    assert interview.interview_planned_on == datetime.date(2026, 12, 10)


def test_only_interviews_not_yet_held_can_be_planned(client, lead, round_, brand, version):
    client.force_login(lead)
    self_fill = factories.round_member(round_, factories.ProjectFactory(brand=brand), version)
    held = factories.round_member(
        round_,
        factories.ProjectFactory(brand=brand, name="Held one"),
        version,
        mode=RoundMode.INTERVIEW,
        status=AssessmentStatus.VALIDATED,
    )

    refused = _plan(client, self_fill, "2026-12-10", **HTMX)
    assert refused.status_code == 400 and "not by interview" in refused.text
    done = _plan(client, held, "2026-12-10", **HTMX)
    assert done.status_code == 400 and "has been held already" in done.text


def test_who_may_plan(client, interview, viewer, data_scientist, outsider, brand):
    for person in (viewer, data_scientist):
        client.force_login(person)
        response = _plan(client, interview, "2026-12-10", **HTMX)
        assert response.status_code == 403
        assert (
            "Only the brand&#x27;s leads and group assessors can plan interviews." in response.text
        )
        # They see the slots of their brand, without a form.
        page = client.get(reverse("round_interviews", args=[interview.round.code]))
        assert page.status_code == 200 and 'name="planned_on"' not in page.text

    client.force_login(outsider)  # a lead of another brand: the member does not exist for them
    assert _plan(client, interview, "2026-12-10", **HTMX).status_code == 404
    assert client.get(reverse("round_interviews", args=[interview.round.code])).status_code == 404
    interview.refresh_from_db()
    assert interview.interview_planned_on is None


def test_planned_held_and_missing_counts(
    round_, brand, project, version, lead, other_project, outsider, group_assessor
):
    def member(name, **kwargs):
        return factories.round_member(
            round_, factories.ProjectFactory(brand=brand, name=name), version, **kwargs
        )

    planned = member("Planned", mode=RoundMode.INTERVIEW)
    planned.interview_planned_on = datetime.date(2026, 12, 3)
    planned.save()
    member("Answers given", mode=RoundMode.INTERVIEW, answers={"doc-purpose": "yes"})
    member("Finalised", mode=RoundMode.INTERVIEW, status=AssessmentStatus.VALIDATED)
    member("No date", mode=RoundMode.INTERVIEW)
    member("A self-fill")  # not an interview: not counted
    factories.round_member(round_, other_project, version, mode=RoundMode.INTERVIEW)

    everyone = interview_slots(round_)
    assert (everyone.planned, everyone.held, everyone.missing, everyone.total) == (1, 2, 2, 5)
    mine = interview_slots(round_, lead)
    assert (mine.planned, mine.held, mine.missing) == (1, 2, 1)
    assert [row.project.name for row in mine.rows] == [
        "Answers given",
        "Finalised",
        "No date",
        "Planned",
    ]
    assert {row.project.name: row.slot for row in mine.rows} == {
        "Answers given": "held",
        "Finalised": "held",
        "No date": "missing",
        "Planned": "planned",
    }
    assert [row.can_plan for row in mine.rows] == [True, False, True, True]
    theirs = interview_slots(round_, outsider)
    assert [row.project for row in theirs.rows] == [other_project]
    assert interview_slots(round_, group_assessor).total == 5


def test_carried_over_answers_do_not_make_an_interview_held(round_, project, version):
    member = factories.round_member(
        round_, project, version, mode=RoundMode.INTERVIEW, answers={"doc-purpose": "yes"}
    )
    member.assessment.answers.update(carried_over=True)

    (row,) = interview_slots(round_).rows
    assert row.slot == "missing"


def test_an_interview_round_page_of_a_brand_member_shows_only_their_brand(
    client, round_, project, other_project, version, brand
):
    factories.round_member(round_, project, version, mode=RoundMode.INTERVIEW)
    factories.round_member(round_, other_project, version, mode=RoundMode.INTERVIEW)
    ds = factories.member(brand, BrandRole.DATA_SCIENTIST)
    client.force_login(ds)

    page = client.get(reverse("round_interviews", args=[round_.code])).text

    assert "Cross-sell API" in page and "Demand forecast" not in page
