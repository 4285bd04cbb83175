"""Assessment rounds: creating, launching (once), following progress, closing, figures, exports.

Dates are relative to the pinned day (tests/clock.py, 18 Nov 2026); a test about another day
travels there with time_machine.
"""

import csv
import datetime
import io
import statistics

import openpyxl
import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from brands.models import AuditAction, AuditEvent, BrandRole, Criticality
from scoring.models import Score
from scoring.selectors.rounds import round_figures
from scoring.services import score_store
from surveys import services
from surveys.models import (
    Assessment,
    AssessmentMode,
    AssessmentStatus,
    Invitation,
    Round,
    RoundMember,
    RoundMode,
    RoundStatus,
)
from surveys.selectors import rounds as selectors
from tests import factories
from tests.clock import PINNED_NOW, PINNED_TODAY

DAY = datetime.timedelta(days=1)
ALL_YES = None  # filled lazily: every applicable question answered "yes"


def _round(user, question_set, *, name="2026 Q4 round", selection=None, due=None, opens=None):
    return services.round_create(
        user=user,
        name=name,
        question_set=question_set,
        selection=selection or {"default_mode": RoundMode.SELF_FILL},
        opens_on=opens or PINNED_TODAY,
        due_on=due or PINNED_TODAY + 30 * DAY,
    )


def _launch(round_, user, modes=None):
    return services.round_launch(
        round_=round_, user=user, modes=modes or {}, base_url="http://testserver"
    )


def _validated(project, version, answers, *, on=None):
    assessment = factories.assessment(
        project, version, status=AssessmentStatus.VALIDATED, answers=answers, assessed_on=on
    )
    score_store(assessment=assessment)
    return assessment


@pytest.fixture
def world(brand, other_brand, project, version, data_scientist, lead):
    """Two brands: `brand` with two projects (one high-criticality), `other_brand` with four."""
    project.criticality = Criticality.HIGH
    project.save()
    low = factories.ProjectFactory(brand=brand, name="Shelf gaps", criticality=Criticality.LOW)
    others = [
        factories.ProjectFactory(brand=other_brand, name=f"Other {i}", criticality=Criticality.HIGH)
        for i in range(4)
    ]
    return {"project": project, "low": low, "others": others, "set": version.question_set}


# -- Creating ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_round_is_created_in_draft_and_starts_nothing(world, group_assessor):
    round_ = _round(group_assessor, world["set"])
    assert round_.status == RoundStatus.DRAFT
    assert Assessment.objects.count() == 0


@pytest.mark.django_db
def test_a_due_date_before_the_opening_is_refused_with_both_dates(world, group_assessor):
    with pytest.raises(services.SurveyError, match="before the opening date"):
        _round(group_assessor, world["set"], due=PINNED_TODAY - DAY)


@pytest.mark.django_db
def test_only_group_admins_and_assessors_create_rounds(world, lead):
    with pytest.raises(services.NotAllowed):
        _round(lead, world["set"])


@pytest.mark.django_db
def test_two_rounds_cannot_share_a_name(world, group_assessor):
    _round(group_assessor, world["set"])
    with pytest.raises(services.SurveyError, match="already a round called"):
        _round(group_assessor, world["set"], name="2026  q4 ROUND".replace("  ", " "))


# -- Launching --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_launch_starts_an_assessment_per_project_and_invites_the_data_scientists(
    world, group_assessor, data_scientist, django_capture_on_commit_callbacks
):
    round_ = _round(group_assessor, world["set"], selection={"criticalities": ["high"]})
    with django_capture_on_commit_callbacks(execute=True):
        result = _launch(round_, group_assessor)
    assert len(result.started) == 5  # the high-criticality ones: one here, four there
    members = RoundMember.objects.filter(round=round_)
    assert world["low"].pk not in set(members.values_list("project_id", flat=True))
    assert all(m.assessment.mode == AssessmentMode.SELF_FILL for m in members)
    invitation = Invitation.objects.get(assessment__project=world["project"])
    assert invitation.user == data_scientist
    assert [m.to for m in mail.outbox] == [[data_scientist.email]]
    round_.refresh_from_db()
    assert round_.status == RoundStatus.OPEN and round_.launched_at is not None


@pytest.mark.django_db
def test_launching_twice_creates_nothing_twice(world, group_assessor):
    round_ = _round(group_assessor, world["set"])
    _launch(round_, group_assessor)
    counts = (Assessment.objects.count(), RoundMember.objects.count(), Invitation.objects.count())
    again = _launch(Round.objects.get(pk=round_.pk), group_assessor)
    assert again.already_launched
    assert counts == (
        Assessment.objects.count(),
        RoundMember.objects.count(),
        Invitation.objects.count(),
    )


@pytest.mark.django_db
def test_an_open_assessment_of_the_same_set_is_listed_not_duplicated(world, group_assessor):
    open_one = factories.assessment(world["project"], world["set"].versions.first())
    round_ = _round(group_assessor, world["set"], selection={"criticalities": ["high"]})
    result = _launch(round_, group_assessor)
    member = RoundMember.objects.get(round=round_, project=world["project"])
    assert member.assessment == open_one and member.already_open
    assert [m.project for m in result.listed] == [world["project"]]
    assert world["project"].assessments.count() == 1


@pytest.mark.django_db
def test_modes_are_chosen_per_project_and_lead_decides_starts_nothing(world, group_assessor):
    round_ = _round(
        group_assessor, world["set"], selection={"brands": [str(world["project"].brand.code)]}
    )
    _launch(
        round_,
        group_assessor,
        {str(world["project"].code): RoundMode.INTERVIEW, str(world["low"].code): "lead_decides"},
    )
    interview = RoundMember.objects.get(round=round_, project=world["project"])
    waiting = RoundMember.objects.get(round=round_, project=world["low"])
    assert interview.assessment.mode == AssessmentMode.INTERVIEW
    assert waiting.assessment is None and waiting.mode == RoundMode.LEAD_DECIDES


@pytest.mark.django_db
def test_an_unknown_mode_rolls_the_whole_launch_back(world, group_assessor):
    round_ = _round(group_assessor, world["set"])
    with pytest.raises(services.SurveyError, match="Unknown mode"):
        _launch(round_, group_assessor, {str(world["project"].code): "telepathy"})
    assert RoundMember.objects.count() == 0
    assert Round.objects.get(pk=round_.pk).status == RoundStatus.DRAFT


@pytest.mark.django_db
def test_not_assessed_for_n_quarters_keeps_only_the_stale_projects(world, group_assessor, version):
    _validated(world["project"], version, {"doc-purpose": "yes"}, on=PINNED_TODAY - 30 * DAY)
    _validated(world["low"], version, {"doc-purpose": "yes"}, on=datetime.date(2025, 12, 1))
    round_ = _round(
        group_assessor,
        world["set"],
        selection={"brands": [str(world["project"].brand.code)], "not_assessed_quarters": 2},
    )
    names = [row.project.name for row in selectors.round_preview(round_, today=PINNED_TODAY)]
    assert names == ["Shelf gaps"]


@pytest.mark.django_db
def test_the_lead_chooses_the_mode_which_starts_the_assessment(world, group_assessor, lead):
    round_ = _round(group_assessor, world["set"], selection={"default_mode": "lead_decides"})
    _launch(round_, group_assessor)
    member = RoundMember.objects.get(round=round_, project=world["project"])
    services.round_member_choose_mode(
        member=member, user=lead, mode=RoundMode.INTERVIEW, base_url="http://testserver"
    )
    member.refresh_from_db()
    assert member.assessment.mode == AssessmentMode.INTERVIEW
    with pytest.raises(services.SurveyError, match="already being assessed"):
        services.round_member_choose_mode(
            member=member, user=lead, mode=RoundMode.SELF_FILL, base_url="http://testserver"
        )


@pytest.mark.django_db
def test_a_lead_of_another_brand_cannot_choose(world, group_assessor, outsider):
    round_ = _round(group_assessor, world["set"], selection={"default_mode": "lead_decides"})
    _launch(round_, group_assessor)
    member = RoundMember.objects.get(round=round_, project=world["project"])
    with pytest.raises(services.NotAllowed):
        services.round_member_choose_mode(
            member=member, user=outsider, mode=RoundMode.INTERVIEW, base_url="http://x"
        )


# -- Progress, closing, late ------------------------------------------------------------------


def _states(round_, user, today):
    progress = selectors.round_progress(user, round_, today=today)
    return {
        row.member.project.name: (row.state, row.late) for b in progress.brands for row in b.rows
    }


@pytest.mark.django_db
def test_progress_states_follow_the_assessments_and_the_due_date(world, group_assessor, version):
    round_ = _round(
        group_assessor,
        world["set"],
        selection={"brands": [str(world["project"].brand.code)]},
        due=PINNED_TODAY + 7 * DAY,
    )
    _launch(round_, group_assessor, {str(world["low"].code): "lead_decides"})
    fill = RoundMember.objects.get(round=round_, project=world["project"]).assessment
    assert _states(round_, group_assessor, PINNED_TODAY) == {
        "Cross-sell API": ("not_started", False),
        "Shelf gaps": ("not_started", False),
    }
    answer = fill.answers.first()
    answer.option = version.options.get(key="yes")
    answer.save()
    assert _states(round_, group_assessor, PINNED_TODAY)["Cross-sell API"] == ("in_progress", False)
    # After the due date, what is not submitted is overdue.
    after = PINNED_TODAY + 8 * DAY
    assert _states(round_, group_assessor, after) == {
        "Cross-sell API": ("overdue", False),
        "Shelf gaps": ("overdue", False),
    }
    Assessment.objects.filter(pk=fill.pk).update(
        status=AssessmentStatus.SUBMITTED, submitted_at=PINNED_NOW + 8 * DAY
    )
    assert _states(round_, group_assessor, after)["Cross-sell API"] == ("submitted", True)
    Assessment.objects.filter(pk=fill.pk).update(
        status=AssessmentStatus.VALIDATED, validated_at=PINNED_NOW + 9 * DAY
    )
    assert _states(round_, group_assessor, after)["Cross-sell API"] == ("validated", True)


@pytest.mark.django_db
def test_closing_freezes_the_round_and_marks_open_work_late(world, group_assessor):
    round_ = _round(group_assessor, world["set"], selection={"criticalities": ["high"]})
    _launch(round_, group_assessor)
    services.round_close(round_=round_, user=group_assessor)
    round_.refresh_from_db()
    assert round_.status == RoundStatus.CLOSED and round_.closed_by == group_assessor
    assert set(_states(round_, group_assessor, PINNED_TODAY).values()) == {("not_started", True)}
    # Launching a closed round adds nobody.
    members = RoundMember.objects.count()
    assert _launch(round_, group_assessor).already_launched
    assert RoundMember.objects.count() == members
    with pytest.raises(services.SurveyError, match="already closed"):
        services.round_close(round_=round_, user=group_assessor)


@pytest.mark.django_db
def test_launching_and_closing_are_in_the_audit_log(world, group_assessor):
    round_ = _round(group_assessor, world["set"], selection={"criticalities": ["high"]})
    result = _launch(round_, group_assessor)
    _launch(round_, group_assessor)  # a second click launches nothing and logs nothing
    services.round_close(round_=round_, user=group_assessor)
    events = list(AuditEvent.objects.filter(target_code=str(round_.code)).order_by("at", "pk"))
    assert [(e.action, e.actor) for e in events] == [
        (AuditAction.ROUND_LAUNCHED, group_assessor),
        (AuditAction.ROUND_CLOSED, group_assessor),
    ]
    assert events[0].details["started"] == len(result.started)


# -- Figures against the previous round -------------------------------------------------------


@pytest.mark.django_db
def test_round_figures_against_the_previous_round_equal_a_recomputation(
    world, group_assessor, version
):
    high = [world["project"], *world["others"]]
    with time_machine.travel(PINNED_NOW - 90 * DAY, tick=False):
        before = _round(
            group_assessor,
            world["set"],
            name="2026 Q3 round",
            selection={"criticalities": ["high"]},
            opens=PINNED_TODAY - 90 * DAY,
            due=PINNED_TODAY - 60 * DAY,
        )
        _launch(before, group_assessor)
    answers_then = [{"doc-purpose": "no"}, {"doc-purpose": "yes"}, {"doc-purpose": "partly"}]
    for project, answers in zip(high, answers_then, strict=False):
        member = RoundMember.objects.get(round=before, project=project)
        Assessment.objects.filter(pk=member.assessment_id).delete()
        member.assessment = _validated(project, version, answers, on=PINNED_TODAY - 80 * DAY)
        member.save()
    services.round_close(round_=before, user=group_assessor)
    now = _round(group_assessor, world["set"], selection={"criticalities": ["high"]})
    _launch(now, group_assessor)
    answers_now = {0: {"doc-purpose": "yes"}, 1: {"doc-purpose": "yes"}, 4: {"doc-purpose": "no"}}
    for i, answers in answers_now.items():
        member = RoundMember.objects.get(round=now, project=high[i])
        Assessment.objects.filter(pk=member.assessment_id).delete()
        member.assessment = _validated(high[i], version, answers)
        member.save()

    figures = round_figures(now)

    def stored(round_):
        return {
            m.project_id: float(Score.objects.get(assessment=m.assessment).overall) * 100
            for m in RoundMember.objects.filter(
                round=round_, assessment__status=AssessmentStatus.VALIDATED
            )
        }

    this, last = stored(now), stored(before)
    both = set(this) & set(last)
    assert figures.previous == before
    assert figures.n == 3 and figures.mean == pytest.approx(statistics.fmean(this.values()))
    assert figures.n_both == 2 == len(both)
    assert figures.mean_now_both == pytest.approx(statistics.fmean(this[p] for p in both))
    assert figures.mean_before_both == pytest.approx(statistics.fmean(last[p] for p in both))
    assert figures.change == pytest.approx(figures.mean_now_both - figures.mean_before_both)


# -- Pages, access and exports ----------------------------------------------------------------


@pytest.fixture
def launched(world, group_assessor):
    round_ = _round(group_assessor, world["set"], selection={"default_mode": "lead_decides"})
    _launch(round_, group_assessor)
    return round_


@pytest.mark.django_db
def test_a_brand_lead_sees_their_brand_and_others_only_together(launched, world, lead, client):
    client.force_login(lead)
    page = client.get(reverse("round_detail", args=[launched.code])).content.decode()
    assert "Cross-sell API" in page and "Shelf gaps" in page
    assert "Other brands, together" in page
    for other in world["others"]:
        assert other.name not in page and str(other.code) not in page
    assert "Other Foods" not in page


@pytest.mark.django_db
def test_other_brands_with_fewer_than_three_projects_are_not_shown(
    world, group_assessor, lead, client
):
    for extra in world["others"][2:]:
        extra.delete()
    round_ = _round(group_assessor, world["set"])
    _launch(round_, group_assessor)
    client.force_login(lead)
    page = client.get(reverse("round_detail", args=[round_.code])).content.decode()
    assert "Other brands, together" not in page
    assert "too few to show" in page


@pytest.mark.django_db
def test_a_lead_of_another_brand_gets_404_for_this_brands_project_page(
    launched, world, outsider, client
):
    member = RoundMember.objects.get(round=launched, project=world["project"])
    client.force_login(outsider)
    assert client.get(reverse("round_member", args=[member.code])).status_code == 404
    assert (
        client.post(reverse("round_member", args=[member.code]), {"mode": "interview"}).status_code
        == 404
    )


@pytest.mark.django_db
def test_someone_of_a_brand_not_in_the_round_gets_404(world, group_assessor, client):
    round_ = _round(
        group_assessor, world["set"], selection={"brands": [str(world["project"].brand.code)]}
    )
    _launch(round_, group_assessor)
    stranger = factories.member(world["others"][0].brand, BrandRole.LEAD)
    client.force_login(stranger)
    assert client.get(reverse("round_detail", args=[round_.code])).status_code == 404
    assert client.get(reverse("round_csv", args=[round_.code])).status_code == 404


@pytest.mark.django_db
def test_a_draft_round_is_hidden_from_brand_members(world, group_assessor, lead, client):
    round_ = _round(group_assessor, world["set"])
    client.force_login(lead)
    assert client.get(reverse("round_detail", args=[round_.code])).status_code == 404


@pytest.mark.django_db
def test_the_lead_chooses_a_mode_on_the_page(launched, world, lead, client):
    member = RoundMember.objects.get(round=launched, project=world["project"])
    client.force_login(lead)
    url = reverse("round_member", args=[member.code])
    refused = client.post(url, {"mode": "telepathy"})
    assert refused.status_code == 400
    assert "Choose self-fill or interview." in refused.content.decode()
    assert client.post(url, {"mode": "self_fill"}).status_code == 302
    member.refresh_from_db()
    assert member.assessment.mode == AssessmentMode.SELF_FILL


@pytest.mark.django_db
def test_a_data_scientist_cannot_choose_the_mode(launched, world, data_scientist, client):
    member = RoundMember.objects.get(round=launched, project=world["project"])
    client.force_login(data_scientist)
    response = client.post(reverse("round_member", args=[member.code]), {"mode": "interview"})
    assert response.status_code == 403
    member.refresh_from_db()
    assert member.assessment is None


@pytest.mark.django_db
def test_the_create_form_names_each_problem(world, group_assessor, client):
    client.force_login(group_assessor)
    response = client.post(
        reverse("round_create"),
        {
            "name": "Bad dates",
            "question_set": str(world["set"].code),
            "default_mode": "self_fill",
            "opens_on": "2026-12-01",
            "due_on": "2026-11-01",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "is before the opening date" in page
    response = client.post(reverse("round_create"), {"name": "", "opens_on": "tomorrow"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Enter a date such as 2027-01-15." in page
    assert Round.objects.count() == 0


@pytest.mark.django_db
def test_creating_and_launching_through_the_pages(world, group_assessor, client):
    client.force_login(group_assessor)
    response = client.post(
        reverse("round_create"),
        {
            "name": "2027 Q1 round",
            "question_set": str(world["set"].code),
            "criticalities": ["high"],
            "default_mode": "self_fill",
            "opens_on": "2026-11-18",
            "due_on": "2026-12-18",
        },
    )
    round_ = Round.objects.get(name="2027 Q1 round")
    assert response["Location"] == reverse("round_detail", args=[round_.code])
    preview = client.get(response["Location"]).content.decode()
    assert "Cross-sell API" in preview and "Shelf gaps" not in preview
    launch = reverse("round_launch", args=[round_.code])
    client.post(launch, {f"mode-{world['project'].code}": "interview"})
    client.post(launch, {f"mode-{world['project'].code}": "interview"})
    assert RoundMember.objects.filter(round=round_).count() == 5
    assert world["project"].assessments.get().mode == AssessmentMode.INTERVIEW


@pytest.mark.django_db
def test_a_lead_cannot_create_launch_or_close(launched, lead, client):
    client.force_login(lead)
    assert client.get(reverse("round_create")).status_code == 403
    assert client.post(reverse("round_close", args=[launched.code])).status_code == 403
    assert Round.objects.get(pk=launched.pk).status == RoundStatus.OPEN


@pytest.mark.django_db
def test_csv_and_excel_exports_hold_what_the_page_shows(
    launched, world, lead, group_assessor, client
):
    member = RoundMember.objects.get(round=launched, project=world["project"])
    services.round_member_choose_mode(
        member=member, user=lead, mode=RoundMode.INTERVIEW, base_url="http://x"
    )
    client.force_login(lead)
    body = client.get(reverse("round_csv", args=[launched.code])).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][:4] == ["Brand", "Project", "Mode", "State"]
    assert sorted(r[1] for r in rows[1:]) == ["Cross-sell API", "Shelf gaps"]
    assert {r[1]: r[2] for r in rows[1:]}["Cross-sell API"] == "Interview"

    client.force_login(group_assessor)
    data = client.get(reverse("round_xlsx", args=[launched.code])).content
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    projects = [row for row in workbook["Projects"].iter_rows(min_row=2, values_only=True)]
    assert len(projects) == 6
    brands = {row[0]: row for row in workbook["Brands"].iter_rows(min_row=2, values_only=True)}
    assert brands["Other Foods"][1] == 4 and brands["Acme Groceries"][1] == 2
    # The lead's workbook has the other brands only together.
    client.force_login(lead)
    workbook = openpyxl.load_workbook(
        io.BytesIO(client.get(reverse("round_xlsx", args=[launched.code])).content)
    )
    names = [row[0] for row in workbook["Brands"].iter_rows(min_row=2, values_only=True)]
    assert names == ["Acme Groceries", "Other brands, together"]
    assert all(
        r[1] not in {o.name for o in world["others"]}
        for r in workbook["Projects"].iter_rows(values_only=True)
    )


# -- A closed round as a named point ----------------------------------------------------------


@pytest.mark.django_db
def test_a_closed_round_is_a_named_point_on_the_dashboard_and_the_project_history(
    world, group_assessor, group_viewer, lead, version, client
):
    round_ = _round(
        group_assessor, world["set"], name="2027 Q1 round", selection={"criticalities": ["high"]}
    )
    _launch(round_, group_assessor)
    member = RoundMember.objects.get(round=round_, project=world["project"])
    Assessment.objects.filter(pk=member.assessment_id).delete()
    member.assessment = _validated(world["project"], version, {"doc-purpose": "yes"})
    member.save()
    client.force_login(group_viewer)
    dashboard = reverse("group_dashboard")
    assert "Closed rounds" not in client.get(dashboard).content.decode()
    services.round_close(round_=round_, user=group_assessor)
    page = client.get(dashboard).content.decode()
    assert "Closed rounds" in page and "2027 Q1 round" in page
    stored = float(Score.objects.get(assessment=member.assessment).overall) * 100
    assert f"{stored:.1f}%" in page
    client.force_login(lead)
    history = client.get(reverse("project_detail", args=[world["project"].code])).content.decode()
    assert '<span class="tag">2027 Q1 round</span>' in history


@pytest.mark.django_db
def test_the_group_excel_and_pdf_reports_list_closed_rounds_with_their_figures(
    world, group_assessor, group_viewer, version
):
    import io as _io

    from reports.builders import Scope, build
    from reports.dashboards import DashboardFilters

    round_ = _round(
        group_assessor, world["set"], name="2027 Q1 round", selection={"criticalities": ["high"]}
    )
    _launch(round_, group_assessor)
    scores = []
    for project, answer in zip(world["others"][:2], ("yes", "no"), strict=True):
        member = RoundMember.objects.get(round=round_, project=project)
        Assessment.objects.filter(pk=member.assessment_id).delete()
        member.assessment = _validated(project, version, {"doc-purpose": answer})
        member.save()
        scores.append(float(Score.objects.get(assessment=member.assessment).overall))
    services.round_close(round_=round_, user=group_assessor)

    out = _io.BytesIO()
    scope = Scope(
        kind="group",
        user=group_viewer,
        filters=DashboardFilters.parse({}, today=PINNED_TODAY),
        today=PINNED_TODAY,
    )
    build("xlsx", scope, out, lambda percent: None)
    out.seek(0)
    sheet = openpyxl.load_workbook(out)["Rounds"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("Round", "Closed on", "Projects validated", "Mean overall")
    name, closed_on, n, mean, change, previous = rows[1]
    assert (name, n, change, previous) == ("2027 Q1 round", 2, None, None)
    assert closed_on.date() == PINNED_TODAY
    assert mean == pytest.approx(statistics.fmean(scores))

    from reports.builders.pdf import render_html

    html = render_html(scope, PINNED_TODAY)
    assert "Closed rounds: mean overall %" in html
    assert '<th scope="row">2027 Q1 round</th>' in html
    assert f"{statistics.fmean(scores) * 100:.1f}" in html
