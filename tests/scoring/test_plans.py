"""Improvement plans: the order of the unmet statements, the easy-win shares, actions and who may
change them, and actions closing themselves when a validated assessment meets the statement."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from brands.models import BrandRole
from scoring.models import ActionStatus, ImprovementAction
from scoring.selectors import project_plan
from scoring.selectors.figures_cache import forget_cached_figures
from scoring.services import (
    ActionConflict,
    ActionError,
    ActionNotAllowed,
    action_create,
    action_update,
    actions_close_met,
    score_store,
)
from surveys.models import AssessmentMode, AssessmentStatus
from surveys.services import assessment_validate
from tests import factories

pytestmark = pytest.mark.django_db

JAN = datetime.date(2025, 1, 15)
APR = datetime.date(2025, 4, 10)


def validated(project, version, answers: dict, on: datetime.date = JAN):
    assessment = factories.assessment(
        project, version, status=AssessmentStatus.VALIDATED, answers=answers, assessed_on=on
    )
    score_store(assessment=assessment)
    return assessment


def keys(plan) -> list[str]:
    return [item.key for item in plan.items]


def make_action(project, key: str, by, **fields) -> ImprovementAction:
    return ImprovementAction.objects.create(
        project=project,
        question_key=key,
        question_text=f"The statement {key}",
        title=f"Do {key}",
        created_by=by,
        **fields,
    )


@pytest.fixture
def peers(brand, other_brand):
    """Three more real-time projects (one in the same brand), for the easy wins."""
    return [
        factories.ProjectFactory(brand=other_brand, kind="realtime", name="Peer A"),
        factories.ProjectFactory(brand=other_brand, kind="realtime", name="Peer B"),
        factories.ProjectFactory(brand=brand, kind="realtime", name="Peer C"),
    ]


class TestPlanOrder:
    def test_core_statements_come_first_then_weight_then_easy_wins_then_question_order(
        self, project, version, peers
    ):
        validated(
            project,
            version,
            {
                "doc-purpose": "no",  # core, weight 1
                "doc-model-card": "partly",  # core, weight 1, later in the set
                "trace-lineage": "partly",  # core, weight 2
                "xai-global": "no",  # weight 1, met by 1 of 3 peers
                "xai-local": "no",  # weight 1, met by 3 of 3 peers
                "exp-tracking": "no",  # weight 1, met by no peer
                "code-shared-libs": "no",  # weight 0.5
                "doc-success-metrics": "yes",  # met: not in the plan
            },
        )
        for index, peer in enumerate(peers):
            validated(
                peer,
                version,
                {
                    "xai-local": "yes",
                    "xai-global": "yes" if index == 0 else "no",
                    "exp-tracking": "no",
                },
            )

        plan = project_plan(project)

        assert keys(plan) == [
            "trace-lineage",
            "doc-purpose",
            "doc-model-card",
            "xai-local",
            "xai-global",
            "exp-tracking",
            "code-shared-libs",
        ]

    def test_na_answers_and_statements_that_do_not_apply_are_not_in_the_plan(self, brand, version):
        batch = factories.ProjectFactory(brand=brand, kind="batch")
        validated(
            batch,
            version,
            {"doc-purpose": "na", "mon-latency-slo": "no", "mon-job-alerting": "no"},
        )
        assert keys(project_plan(batch)) == ["mon-job-alerting"]

    def test_it_is_read_from_the_latest_validated_assessment_only(self, project, version):
        validated(project, version, {"doc-purpose": "no", "doc-runbook": "no"}, on=JAN)
        validated(project, version, {"doc-purpose": "yes", "doc-runbook": "partly"}, on=APR)
        factories.assessment(project, version, answers={"doc-runbook": "yes", "doc-privacy": "no"})

        plan = project_plan(project)

        assert plan.assessment.assessed_on == APR
        assert keys(plan) == ["doc-runbook"]
        assert plan.items[0].answer.option.key == "partly"

    def test_a_project_without_a_validated_assessment_has_an_empty_plan(self, project, version):
        factories.assessment(project, version, answers={"doc-purpose": "no"})
        plan = project_plan(project)
        assert plan.assessment is None
        assert plan.items == []


class TestEasyWins:
    def test_the_share_counts_the_other_comparable_projects_latest_validated_answers(
        self, project, version, peers, other_brand
    ):
        validated(project, version, {"xai-local": "no"})
        a, b, c = peers
        validated(a, version, {"xai-local": "no"}, on=JAN)
        validated(a, version, {"xai-local": "yes"}, on=APR)  # latest: meets it
        validated(b, version, {"xai-local": "yes"})
        validated(c, version, {"xai-local": "partly"})  # Partly does not meet it
        factories.assessment(c, version, answers={"xai-local": "yes"})  # a draft does not count
        batch = factories.ProjectFactory(brand=other_brand, kind="batch")
        validated(batch, version, {"xai-local": "yes"})  # another kind: not comparable

        plan = project_plan(project)

        item = plan.items[0]
        assert (item.peers_met, item.peers_answered) == (2, 3)
        assert item.share == pytest.approx(2 / 3)
        assert plan.peers == 3
        assert plan.comparison == "other real-time projects"

    def test_na_answers_of_other_projects_leave_the_denominator(self, project, version, peers):
        validated(project, version, {"xai-local": "no"})
        for peer in peers:
            validated(peer, version, {"xai-local": "yes"})
        validated(factories.ProjectFactory(kind="realtime"), version, {"xai-local": "na"})

        item = project_plan(project).items[0]

        assert (item.peers_met, item.peers_answered) == (3, 3)

    def test_projects_of_a_product_line_compare_with_that_product_line(
        self, project, version, peers, other_brand
    ):
        line = factories.ProductLineFactory(name="Cross-sell")
        project.product_line = line
        project.save()
        same_line = [
            factories.ProjectFactory(brand=other_brand, kind="batch", product_line=line)
            for _ in range(3)
        ]
        validated(project, version, {"xai-local": "no"})
        for peer in same_line:
            validated(peer, version, {"xai-local": "yes"})
        for peer in peers:  # same kind, other product line: not comparable here
            validated(peer, version, {"xai-local": "no"})

        plan = project_plan(project)

        assert plan.comparison == "other projects of the Cross-sell product line"
        assert (plan.items[0].peers_met, plan.items[0].peers_answered) == (3, 3)

    def test_fewer_than_three_comparable_answers_give_no_share(self, project, version, peers):
        validated(project, version, {"xai-local": "no"})
        validated(peers[0], version, {"xai-local": "yes"})
        validated(peers[1], version, {"xai-local": "yes"})

        item = project_plan(project).items[0]

        assert item.peers_answered == 2
        assert item.share is None

    def test_the_plan_takes_the_same_number_of_queries_whatever_its_size(
        self, project, version, peers, lead
    ):
        validated(project, version, {"doc-purpose": "no", "xai-local": "no"})
        for peer in peers:
            validated(peer, version, {"doc-purpose": "yes"})
        make_action(project, "doc-purpose", lead)
        forget_cached_figures()  # the comparable projects' counts are cached until a figure changes
        with CaptureQueriesContext(connection) as small:
            project_plan(project)
        with CaptureQueriesContext(connection) as small_cached:
            project_plan(project)

        validated(
            project,
            version,
            {key: "no" for key in ["doc-purpose", "xai-local", "xai-global", "exp-tracking"]},
            on=APR,
        )
        for _ in range(4):
            validated(factories.ProjectFactory(kind="realtime"), version, {"xai-global": "yes"})
        make_action(project, "xai-local", lead)
        make_action(project, "exp-tracking", lead)
        forget_cached_figures()
        with CaptureQueriesContext(connection) as large:
            plan = project_plan(project)
        with CaptureQueriesContext(connection) as large_cached:
            project_plan(project)

        assert len(plan.items) == 4
        assert len(large) == len(small) <= 8
        assert len(large_cached) == len(small_cached) == len(small) - 3


class TestActionCreate:
    @pytest.fixture
    def planned(self, project, version):
        return validated(project, version, {"doc-purpose": "no", "doc-runbook": "yes"})

    @pytest.mark.parametrize("who", ["lead", "group_admin", "group_assessor"])
    def test_leads_and_group_admins_and_assessors_create_actions(
        self, request, who, project, planned, data_scientist
    ):
        user = request.getfixturevalue(who)
        action = action_create(
            project=project,
            user=user,
            question_key="doc-purpose",
            title="Write the one-pager",
            owner=data_scientist,
            due_on=datetime.date(2025, 6, 30),
        )
        assert action.status == ActionStatus.OPEN
        assert action.question_text.startswith("The business problem the model addresses")
        assert action.created_by == user
        assert action.owner == data_scientist

    @pytest.mark.parametrize("who", ["viewer", "data_scientist", "group_viewer"])
    def test_viewers_and_data_scientists_cannot_create_actions(
        self, request, who, project, planned
    ):
        with pytest.raises(ActionNotAllowed):
            action_create(
                project=project,
                user=request.getfixturevalue(who),
                question_key="doc-purpose",
                title="x",
            )

    def test_only_statements_of_the_plan_become_actions(self, project, planned, lead):
        for key in ("doc-runbook", "no-such-statement"):
            with pytest.raises(ActionError) as refused:
                action_create(project=project, user=lead, question_key=key, title="x")
            assert refused.value.status == 400

    def test_a_statement_has_one_open_action_at_a_time(self, project, planned, lead):
        action_create(project=project, user=lead, question_key="doc-purpose", title="First")
        with pytest.raises(ActionConflict):
            action_create(project=project, user=lead, question_key="doc-purpose", title="Again")

    def test_the_owner_is_a_member_of_the_brand_or_the_team(
        self, project, planned, lead, outsider, group_assessor
    ):
        with pytest.raises(ActionError):
            action_create(
                project=project, user=lead, question_key="doc-purpose", title="x", owner=outsider
            )
        project.team.add(group_assessor)  # the central team working with the project
        action = action_create(
            project=project,
            user=lead,
            question_key="doc-purpose",
            title="x",
            owner=group_assessor,
        )
        assert action.owner == group_assessor


class TestActionUpdate:
    @pytest.fixture
    def action(self, project, lead, data_scientist):
        return make_action(project, "doc-purpose", lead, owner=data_scientist)

    def test_a_lead_changes_everything_and_closing_records_who_and_when(self, action, lead, viewer):
        action_update(
            action=action, user=lead, owner=viewer, due_on=datetime.date(2025, 9, 30), note="ok"
        )
        action_update(action=action, user=lead, status=ActionStatus.DONE)
        action.refresh_from_db()
        assert action.owner == viewer
        assert action.due_on == datetime.date(2025, 9, 30)
        assert action.status == ActionStatus.DONE
        assert action.closed_at is not None
        assert action.closed_reason == f"Marked done by {lead}"

    def test_reopening_an_action_clears_its_closing(self, action, lead):
        action_update(action=action, user=lead, status=ActionStatus.DROPPED)
        action_update(action=action, user=lead, status=ActionStatus.IN_PROGRESS)
        action.refresh_from_db()
        assert (action.closed_at, action.closed_reason) == (None, "")

    def test_the_owning_data_scientist_updates_status_and_note(self, action, data_scientist):
        action_update(
            action=action, user=data_scientist, status=ActionStatus.IN_PROGRESS, note="Started"
        )
        action.refresh_from_db()
        assert (action.status, action.note) == (ActionStatus.IN_PROGRESS, "Started")

    def test_the_owning_data_scientist_cannot_change_owner_or_due_date(
        self, action, data_scientist, lead
    ):
        with pytest.raises(ActionNotAllowed):
            action_update(action=action, user=data_scientist, owner=lead)
        with pytest.raises(ActionNotAllowed):
            action_update(action=action, user=data_scientist, due_on=datetime.date(2025, 1, 1))

    def test_a_data_scientist_cannot_update_someone_elses_action(
        self, project, lead, brand, data_scientist
    ):
        other_ds = factories.member(brand, BrandRole.DATA_SCIENTIST)
        project.team.add(other_ds)
        action = make_action(project, "doc-runbook", lead, owner=other_ds)
        with pytest.raises(ActionNotAllowed):
            action_update(action=action, user=data_scientist, status=ActionStatus.DONE)

    @pytest.mark.parametrize("who", ["viewer", "group_viewer"])
    def test_viewers_cannot_update_actions(self, request, who, action):
        with pytest.raises(ActionNotAllowed):
            action_update(
                action=action, user=request.getfixturevalue(who), status=ActionStatus.DONE
            )

    def test_a_viewer_who_owns_an_action_still_only_reads(self, project, lead, viewer):
        action = make_action(project, "doc-runbook", lead, owner=viewer)
        with pytest.raises(ActionNotAllowed):
            action_update(action=action, user=viewer, status=ActionStatus.DONE)


class TestActionsCloseWhenMet:
    @pytest.fixture
    def actions(self, project, version, lead):
        validated(project, version, {"doc-purpose": "no", "doc-runbook": "no"}, on=JAN)
        return {
            "met": make_action(project, "doc-purpose", lead),
            "unmet": make_action(project, "doc-runbook", lead, status=ActionStatus.IN_PROGRESS),
        }

    def interview(self, project, version, answers, on=APR):
        return factories.assessment(
            project, version, answers=answers, assessed_on=on, mode=AssessmentMode.INTERVIEW
        )

    def test_validating_an_assessment_closes_the_actions_it_meets(
        self, project, version, actions, lead
    ):
        later = self.interview(project, version, {"doc-purpose": "yes", "doc-runbook": "partly"})

        assessment_validate(assessment=later, user=lead)

        met, unmet = actions["met"], actions["unmet"]
        met.refresh_from_db()
        unmet.refresh_from_db()
        assert met.status == ActionStatus.DONE
        assert met.closed_reason == "Met in the assessment of 10 Apr 2025"
        assert met.closed_by_assessment == later
        assert met.closed_at is not None
        assert unmet.status == ActionStatus.IN_PROGRESS
        assert unmet.closed_at is None

    def test_closed_actions_and_other_projects_actions_are_left_alone(
        self, project, version, actions, lead, other_project
    ):
        dropped = actions["met"]
        action_update(action=dropped, user=lead, status=ActionStatus.DROPPED)
        elsewhere = make_action(other_project, "doc-purpose", lead)
        later = validated(project, version, {"doc-purpose": "yes"}, on=APR)

        assert actions_close_met(assessment=later) == 0

        dropped.refresh_from_db()
        elsewhere.refresh_from_db()
        assert dropped.status == ActionStatus.DROPPED
        assert dropped.closed_reason == f"Dropped by {lead}"
        assert elsewhere.status == ActionStatus.OPEN

    def test_an_assessment_that_is_not_validated_closes_nothing(self, project, version, actions):
        submitted = factories.assessment(
            project, version, status=AssessmentStatus.SUBMITTED, answers={"doc-purpose": "yes"}
        )
        assert actions_close_met(assessment=submitted) == 0
        assert ImprovementAction.objects.get(pk=actions["met"].pk).status == ActionStatus.OPEN

    def test_validating_an_older_assessment_late_closes_nothing(
        self, project, version, actions, lead
    ):
        older = self.interview(project, version, {"doc-purpose": "yes"}, on=JAN.replace(day=1))
        assessment_validate(assessment=older, user=lead)
        assert ImprovementAction.objects.get(pk=actions["met"].pk).status == ActionStatus.OPEN


class TestPlanPage:
    @pytest.fixture
    def planned(self, project, version, lead, data_scientist):
        validated(project, version, {"doc-purpose": "no", "trace-lineage": "partly"})
        return make_action(project, "doc-purpose", lead, owner=data_scientist)

    @pytest.mark.parametrize("who", ["lead", "viewer", "data_scientist", "group_viewer"])
    def test_everyone_who_sees_the_project_reads_its_plan(self, client, request, who, planned):
        client.force_login(request.getfixturevalue(who))
        response = client.get(reverse("project_plan", kwargs={"code": planned.project.code}))
        html = response.content.decode()
        assert response.status_code == 200
        # Heavier core statement first.
        assert html.index("lineage") < html.index("The business problem")
        assert "Do doc-purpose" in html

    def test_only_managers_get_the_forms_to_create_actions(self, client, lead, viewer, planned):
        url = reverse("project_plan", kwargs={"code": planned.project.code})
        client.force_login(lead)
        assert "Make this an action" in client.get(url).content.decode()
        client.force_login(viewer)
        html = client.get(url).content.decode()
        assert "Make this an action" not in html
        assert reverse("action_update", kwargs={"code": planned.code}) not in html

    def test_the_owning_data_scientist_gets_a_status_form_without_owner_and_due_date(
        self, client, data_scientist, planned
    ):
        client.force_login(data_scientist)
        html = client.get(
            reverse("project_plan", kwargs={"code": planned.project.code})
        ).content.decode()
        assert reverse("action_update", kwargs={"code": planned.code}) in html
        assert f'id="owner-{planned.code}"' not in html

    def test_it_only_takes_get(self, client, lead, planned):
        client.force_login(lead)
        url = reverse("project_plan", kwargs={"code": planned.project.code})
        assert client.post(url).status_code == 405

    def test_a_user_of_another_brand_gets_404(self, client, outsider, planned):
        client.force_login(outsider)
        url = reverse("project_plan", kwargs={"code": planned.project.code})
        assert client.get(url).status_code == 404


class TestActionViews:
    @pytest.fixture
    def planned(self, project, version):
        validated(project, version, {"doc-purpose": "no", "trace-lineage": "partly"})
        return project

    def create(self, client, project, **data):
        url = reverse("action_create", kwargs={"code": project.code})
        return client.post(url, {"question_key": "trace-lineage", "title": "Log lineage", **data})

    def test_a_lead_creates_an_action_and_returns_to_the_plan(self, client, lead, planned):
        client.force_login(lead)
        response = self.create(client, planned, due_on="2025-06-30", owner=str(lead.pk))
        action = ImprovementAction.objects.get()
        assert response.status_code == 302
        assert response["Location"].endswith(f"/plan/#action-{action.code}")
        assert (action.title, action.owner, action.due_on) == (
            "Log lineage",
            lead,
            datetime.date(2025, 6, 30),
        )

    def test_a_viewer_cannot_create_an_action(self, client, viewer, planned):
        client.force_login(viewer)
        assert self.create(client, planned).status_code == 403
        assert not ImprovementAction.objects.exists()

    def test_an_incomplete_form_shows_the_plan_again_with_the_problem(self, client, lead, planned):
        client.force_login(lead)
        response = self.create(client, planned, title="")
        assert response.status_code == 400
        assert "That was not saved" in response.content.decode()

    def test_creating_takes_only_post(self, client, lead, planned):
        client.force_login(lead)
        assert (
            client.get(reverse("action_create", kwargs={"code": planned.code})).status_code == 405
        )

    def test_a_user_of_another_brand_cannot_create_an_action(self, client, outsider, planned):
        client.force_login(outsider)
        assert self.create(client, planned).status_code == 404

    def test_the_owning_data_scientist_updates_status_and_note(
        self, client, planned, lead, data_scientist
    ):
        action = make_action(planned, "trace-lineage", lead, owner=data_scientist)
        client.force_login(data_scientist)
        response = client.post(
            reverse("action_update", kwargs={"code": action.code}),
            {"status": "in_progress", "note": "Started on it", "owner": str(lead.pk)},
        )
        action.refresh_from_db()
        assert response.status_code == 302
        assert (action.status, action.note) == ("in_progress", "Started on it")
        assert action.owner == data_scientist  # not theirs to change: ignored

    def test_a_data_scientist_cannot_update_an_action_they_do_not_own(
        self, client, planned, lead, data_scientist
    ):
        action = make_action(planned, "trace-lineage", lead, owner=lead)
        client.force_login(data_scientist)
        response = client.post(
            reverse("action_update", kwargs={"code": action.code}), {"status": "done"}
        )
        assert response.status_code == 403
        assert ImprovementAction.objects.get().status == ActionStatus.OPEN

    def test_a_viewer_cannot_update_an_action(self, client, planned, lead, viewer):
        action = make_action(planned, "trace-lineage", lead)
        client.force_login(viewer)
        response = client.post(
            reverse("action_update", kwargs={"code": action.code}), {"status": "done"}
        )
        assert response.status_code == 403

    def test_a_lead_closes_an_action(self, client, planned, lead):
        action = make_action(planned, "trace-lineage", lead)
        client.force_login(lead)
        response = client.post(
            reverse("action_update", kwargs={"code": action.code}),
            {"status": "done", "note": "Lineage is logged", "owner": "", "due_on": ""},
        )
        action.refresh_from_db()
        assert response.status_code == 302
        assert action.status == ActionStatus.DONE
        assert action.closed_reason == f"Marked done by {lead}"

    def test_updating_takes_only_post(self, client, planned, lead):
        action = make_action(planned, "trace-lineage", lead)
        client.force_login(lead)
        assert client.get(reverse("action_update", kwargs={"code": action.code})).status_code == 405

    def test_an_action_of_another_brand_is_404(self, client, other_project, lead, outsider):
        action = make_action(other_project, "trace-lineage", outsider)
        client.force_login(lead)
        response = client.post(
            reverse("action_update", kwargs={"code": action.code}), {"status": "done"}
        )
        assert response.status_code == 404
