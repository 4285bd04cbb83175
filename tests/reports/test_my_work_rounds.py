"""My work lists what a person has to do in open rounds, and the navigation counts it."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from brands.models import Criticality
from reports.my_work import work_count
from surveys import services
from surveys.models import RoundMember, RoundMode
from tests import factories
from tests.clock import PINNED_NOW, PINNED_TODAY

DUE = PINNED_TODAY + datetime.timedelta(days=10)


@pytest.fixture
def second(brand):
    return factories.ProjectFactory(brand=brand, name="Shelf gaps", criticality=Criticality.LOW)


@pytest.fixture
def round_(project, second, version, group_assessor, data_scientist):
    round_ = services.round_create(
        user=group_assessor,
        name="2026 Q4 round",
        question_set=version.question_set,
        selection={"brands": [str(project.brand.code)], "default_mode": RoundMode.SELF_FILL},
        opens_on=PINNED_TODAY,
        due_on=DUE,
    )
    services.round_launch(
        round_=round_,
        user=group_assessor,
        modes={str(second.code): RoundMode.LEAD_DECIDES},
        base_url="http://testserver",
    )
    return round_


@pytest.mark.django_db
def test_a_data_scientist_sees_their_self_fill_with_the_due_date(round_, data_scientist, client):
    client.force_login(data_scientist)
    page = client.get(reverse("home")).content.decode()
    assert "Cross-sell API" in page
    assert "2026 Q4 round · due 28 Nov 2026" in page
    assert "Shelf gaps" not in page  # not on its team, and its mode is not chosen yet


@pytest.mark.django_db
def test_after_the_due_date_the_self_fill_is_marked_overdue(round_, data_scientist, client):
    with time_machine.travel(PINNED_NOW + datetime.timedelta(days=11), tick=False):
        client.force_login(data_scientist)
        page = client.get(reverse("home")).content.decode()
    assert "overdue</strong> since 28 Nov 2026" in page


@pytest.mark.django_db
def test_the_lead_is_asked_to_choose_a_mode_and_the_count_includes_it(round_, lead, client):
    member = RoundMember.objects.get(round=round_, project__name="Shelf gaps")
    before = work_count(lead)
    client.force_login(lead)
    page = client.get(reverse("home")).content.decode()
    assert "Choose how to assess Shelf gaps" in page
    assert reverse("round_member", args=[member.code]) in page
    services.round_member_choose_mode(
        member=member, user=lead, mode=RoundMode.INTERVIEW, base_url="http://x"
    )
    assert work_count(lead) == before  # no longer to choose; now an interview to run
    assert "Choose how to assess" not in client.get(reverse("home")).content.decode()


@pytest.mark.django_db
def test_a_lead_of_another_brand_sees_nothing_of_the_round(round_, outsider, client):
    client.force_login(outsider)
    page = client.get(reverse("home")).content.decode()
    assert "Shelf gaps" not in page and "2026 Q4 round" not in page
    assert work_count(outsider) == 0


@pytest.mark.django_db
def test_an_assessor_sees_the_rounds_they_run(round_, group_assessor, client):
    client.force_login(group_assessor)
    page = client.get(reverse("home")).content.decode()
    assert "Rounds I run" in page
    assert reverse("round_detail", args=[round_.code]) in page
    assert "0% of 2 validated" in page


def test_an_assessment_in_two_open_rounds_shows_the_one_due_soonest(project, version):
    from reports.my_work import mark_round_due_dates

    assessment = factories.assessment(project, version)
    soon, later = (
        factories.round_(version, name=name, opens_on=PINNED_TODAY, due_on=due)
        for name, due in (("A, due soon", DUE), ("B, due later", DUE + datetime.timedelta(days=30)))
    )
    for round_ in (later, soon, later):  # whatever order the rows come in
        RoundMember.objects.get_or_create(
            round=round_, project=project, defaults={"mode": "self_fill", "assessment": assessment}
        )
        mark_round_due_dates([assessment], today=PINNED_TODAY)
    assert (assessment.round_name, assessment.due_on) == ("A, due soon", DUE)


@pytest.mark.django_db
def test_a_self_fill_upgraded_to_a_newer_version_keeps_its_round_and_due_date(
    round_, project, version, lead, data_scientist, client
):
    admin = factories.UserFactory(group_role="admin")
    draft = services.version_draft_copy(version=version, user=admin)
    services.draft_question_add(
        version=draft,
        user=admin,
        key="doc-glossary",
        edit=services.QuestionEdit(text="The terms are explained.", section="documentation"),
    )
    services.draft_publish(version=draft, user=admin)
    member = RoundMember.objects.get(round=round_, project=project)
    upgraded = services.assessment_upgrade(assessment=member.assessment, user=lead)

    client.force_login(data_scientist)
    page = client.get(reverse("home")).content.decode()
    assert reverse("assessment_fill", args=[upgraded.code]) in page
    assert "2026 Q4 round · due 28 Nov 2026" in page
