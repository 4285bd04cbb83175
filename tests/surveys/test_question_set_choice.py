"""Several question sets side by side: a group admin activates, retires and ranks them, sets
defaults per brand and per project kind, and starting new work asks which set to use.
Loading a set never changes which set new work uses."""

import io

import openpyxl
import pytest
from django.urls import reverse

from brands.models import ProjectKind
from surveys import question_set_format as fmt
from surveys import selectors, services
from surveys.management.commands.import_question_set import DEMO_SECOND_SET
from surveys.models import Assessment, AssessmentMode, AssessmentStatus, QuestionSet
from tests import factories

pytestmark = pytest.mark.django_db


def load_second(key: str = "demo-release-check"):
    text = DEMO_SECOND_SET.read_text(encoding="utf-8").replace("demo-release-check", key)
    version, _ = services.question_set_import(spec=fmt.parse(text), publish=True)
    return version


@pytest.fixture
def second(version, group_admin):
    """The small demo set, loaded beside the default one and activated by a group admin."""
    loaded = load_second()
    services.question_set_activate(question_set=loaded.question_set, user=group_admin, active=True)
    loaded.question_set.refresh_from_db()
    return loaded


def state(client, user, question_set, action: str):
    client.force_login(user)
    return client.post(reverse("question_set_state", args=[question_set.code]), {"action": action})


class TestLoadingASet:
    def test_a_set_whose_key_sorts_first_does_not_take_over_new_work(self, version, project):
        loaded = load_second(key="aaa-first-by-key")
        assert not loaded.question_set.active
        assert selectors.default_version() == version
        assert selectors.default_question_set(project) == version.question_set
        assert selectors.startable_question_sets() == [version.question_set]

    def test_the_first_set_loaded_is_active_and_the_main_set(self, version):
        assert version.question_set.active
        assert version.question_set.is_main


class TestManagingSets:
    def test_a_group_admin_activates_a_set(self, client, version, group_admin):
        loaded = load_second()
        response = state(client, group_admin, loaded.question_set, "activate")
        assert response.status_code == 302
        loaded.question_set.refresh_from_db()
        assert loaded.question_set.active
        page = client.get(reverse("question_set_list")).text
        assert "Release check (demo)" in page
        assert "is active" in page

    @pytest.mark.parametrize("who", ["lead", "group_assessor", "group_viewer"])
    def test_only_group_admins_change_a_set(self, client, version, who, request):
        loaded = load_second()
        response = state(client, request.getfixturevalue(who), loaded.question_set, "activate")
        assert response.status_code == 403
        loaded.question_set.refresh_from_db()
        assert not loaded.question_set.active

    def test_it_only_takes_post(self, client, version, group_admin):
        client.force_login(group_admin)
        url = reverse("question_set_state", args=[version.question_set.code])
        assert client.get(url).status_code == 405

    def test_an_unknown_action_is_refused(self, client, version, group_admin):
        assert state(client, group_admin, version.question_set, "explode").status_code == 400

    def test_the_main_set_cannot_be_retired(self, client, version, group_admin):
        response = state(client, group_admin, version.question_set, "retire")
        assert response.status_code == 400
        assert "make another set the main one" in response.text
        version.question_set.refresh_from_db()
        assert version.question_set.active

    def test_making_another_set_main_moves_the_default(self, client, second, group_admin, project):
        assert state(client, group_admin, second.question_set, "main").status_code == 302
        assert selectors.main_question_set() == second.question_set
        assert selectors.default_question_set(project) == second.question_set
        assert QuestionSet.objects.filter(is_main=True).count() == 1

    def test_a_retired_set_is_no_longer_offered_and_refuses_new_work(
        self, client, second, group_admin, lead, project
    ):
        assert state(client, group_admin, second.question_set, "retire").status_code == 302
        assert second.question_set not in selectors.startable_question_sets()
        client.force_login(lead)
        response = client.post(
            reverse("assessment_start", args=[project.code]),
            {"mode": "interview", "question_set": str(second.question_set.code)},
            follow=True,
        )
        assert "is retired: it takes no new assessments" in response.text
        assert not Assessment.objects.filter(project=project).exists()


class TestDefaults:
    def test_brand_first_then_kind_then_main_set(self, second, group_admin, project):
        other = second.question_set
        main = selectors.main_question_set()
        assert selectors.default_question_set(project) == main
        services.question_set_default_set(
            user=group_admin, question_set=other, project_kind=project.kind
        )
        assert selectors.default_question_set(project) == other
        services.question_set_default_set(user=group_admin, question_set=main, brand=project.brand)
        assert selectors.default_question_set(project) == main
        services.question_set_default_set(user=group_admin, question_set=None, brand=project.brand)
        assert selectors.default_question_set(project) == other

    def test_a_group_admin_sets_defaults_in_the_browser(
        self, client, second, group_admin, brand, project
    ):
        client.force_login(group_admin)
        url = reverse("question_set_defaults")
        page = client.get(url)
        assert page.status_code == 200
        assert brand.name in page.text
        response = client.post(url, {f"brand-{brand.code}": str(second.question_set.code)})
        assert response.status_code == 302
        assert selectors.default_question_set(project) == second.question_set
        assert selectors.question_set_defaults() == {brand.pk: second.question_set}

    def test_an_unknown_set_is_refused_with_the_form(self, client, second, group_admin, brand):
        client.force_login(group_admin)
        response = client.post(
            reverse("question_set_defaults"), {f"kind-{ProjectKind.BATCH}": "not-a-set"}
        )
        assert response.status_code == 400
        assert "Select a valid choice" in response.text
        assert selectors.question_set_defaults() == {}

    @pytest.mark.parametrize("who", ["lead", "viewer", "group_assessor"])
    def test_only_group_admins_see_the_defaults(self, client, version, who, request):
        client.force_login(request.getfixturevalue(who))
        assert client.get(reverse("question_set_defaults")).status_code == 403
        assert client.post(reverse("question_set_defaults"), {}).status_code == 403

    def test_several_defaults_are_saved_all_or_none(self, second, group_admin, brand, version):
        retired = load_second(key="retired-set").question_set
        changes = [
            ({"brand": brand}, second.question_set),
            ({"project_kind": ProjectKind.BATCH}, retired),
        ]
        with pytest.raises(services.SurveyError, match="retired"):
            services.question_set_defaults_update(user=group_admin, changes=changes)
        assert selectors.question_set_defaults() == {}

    def test_a_retired_set_cannot_be_a_default(self, second, group_admin, brand):
        services.question_set_activate(
            question_set=second.question_set, user=group_admin, active=False
        )
        with pytest.raises(services.SurveyError, match="retired"):
            services.question_set_default_set(
                user=group_admin, question_set=second.question_set, brand=brand
            )


class TestStartingWork:
    def test_the_project_page_asks_which_set_with_the_default_chosen(
        self, client, second, lead, project
    ):
        client.force_login(lead)
        page = client.get(reverse("project_detail", args=[project.code])).text
        assert '<select name="question_set" id="start-set">' in page
        main = selectors.main_question_set()
        assert f'<option value="{main.code}" selected>{main.name} (default)</option>' in page
        assert f'<option value="{second.question_set.code}">Release check (demo)' in page

    def test_a_lead_starts_an_interview_in_the_second_set(self, client, second, lead, project):
        client.force_login(lead)
        response = client.post(
            reverse("assessment_start", args=[project.code]),
            {"mode": "interview", "question_set": str(second.question_set.code)},
        )
        assessment = Assessment.objects.get(project=project)
        assert response["Location"] == reverse("interview_console", args=[assessment.code])
        assert assessment.version == second
        assert assessment.answers.count() == 5

    def test_without_a_choice_the_default_set_is_used(self, client, second, lead, project):
        client.force_login(lead)
        client.post(reverse("assessment_start", args=[project.code]), {"mode": "self_fill"})
        assert Assessment.objects.get(project=project).version == selectors.default_version()

    def test_answers_carry_over_only_within_a_set_and_each_set_has_its_own_open_work(
        self, second, lead, project, version
    ):
        factories.assessment(
            project,
            version,
            status=AssessmentStatus.VALIDATED,
            answers={"doc-purpose": "yes"},
        )
        first = services.assessment_start(
            project=project, user=lead, mode=AssessmentMode.INTERVIEW, version=second
        )
        assert first.previous is None
        assert not first.answers.filter(option__isnull=False).exists()
        again = services.assessment_start(
            project=project, user=lead, mode=AssessmentMode.INTERVIEW, version=version
        )
        assert again.previous is not None
        with pytest.raises(services.SurveyError, match="in Release check"):
            services.assessment_start(
                project=project, user=lead, mode=AssessmentMode.INTERVIEW, version=second
            )

    def test_an_interview_cannot_start_from_another_sets_self_fill(
        self, second, lead, project, version
    ):
        self_fill = factories.assessment(
            project, version, status=AssessmentStatus.SUBMITTED, mode=AssessmentMode.SELF_FILL
        )
        with pytest.raises(services.SurveyError, match="only carried over within one question"):
            services.assessment_start(
                project=project,
                user=lead,
                mode=AssessmentMode.INTERVIEW,
                version=second,
                source=self_fill,
            )

    def test_the_earlier_round_template_is_for_the_chosen_set(
        self, client, second, group_assessor, project
    ):
        client.force_login(group_assessor)
        page = client.get(reverse("historic_import", args=[project.code])).text
        assert 'name="set"' in page
        response = client.get(
            reverse("historic_template", args=[project.code]), {"set": second.question_set.code}
        )
        assert response.status_code == 200
        workbook = openpyxl.load_workbook(io.BytesIO(response.content))
        cells = {str(c) for sheet in workbook for row in sheet.values for c in row if c}
        assert "release-rollback" in cells
        assert "doc-purpose" not in cells


class TestTheProjectPage:
    def test_one_block_per_set_and_figures_of_the_chosen_set(
        self, client, second, lead, project, version
    ):
        factories.assessment(project, version, status=AssessmentStatus.VALIDATED)
        factories.assessment(project, second, status=AssessmentStatus.VALIDATED)
        client.force_login(lead)
        url = reverse("project_detail", args=[project.code])
        page = client.get(url).text
        assert 'id="h-sets"' in page
        assert "MLOps maturity assessment" in page and "Release check (demo)" in page
        chosen = client.get(url, {"set": second.question_set.code}).text
        assert "Where the project stands in Release check (demo)" in chosen
        assert chosen.count(f"{second}</td>") == 1
        assert f"{version}</td>" not in chosen

    def test_another_brand_cannot_see_the_page_whatever_the_set(
        self, client, second, outsider, project
    ):
        client.force_login(outsider)
        url = reverse("project_detail", args=[project.code])
        assert client.get(url, {"set": second.question_set.code}).status_code == 404

    def test_the_trend_and_the_plan_are_for_one_set_at_a_time(
        self, client, second, lead, project, version
    ):
        factories.assessment(
            project, version, status=AssessmentStatus.VALIDATED, answers={"doc-purpose": "no"}
        )
        factories.assessment(
            project, second, status=AssessmentStatus.VALIDATED, answers={"release-owner": "no"}
        )
        client.force_login(lead)
        trend_url = reverse("project_trend", args=[project.code])
        plan_url = reverse("project_plan", args=[project.code])
        chosen = {"set": second.question_set.code}
        trend = client.get(trend_url, chosen).text
        assert str(second) in trend and str(version) not in trend
        assert '<strong aria-current="true">Release check (demo)</strong>' in trend
        plan = client.get(plan_url, chosen).text
        assert "A named person decides whether the release stays" in plan
        other = client.get(plan_url, {"set": version.question_set.code}).text
        assert "A named person decides whether the release stays" not in other

    def test_what_moved_compares_only_within_a_set(self, client, second, lead, project, version):
        import datetime

        earlier = factories.assessment(
            project,
            version,
            status=AssessmentStatus.VALIDATED,
            assessed_on=datetime.date(2026, 5, 1),
        )
        later = factories.assessment(
            project,
            second,
            status=AssessmentStatus.VALIDATED,
            assessed_on=datetime.date(2026, 9, 1),
        )
        client.force_login(lead)
        url = reverse("assessment_moved", args=[later.code])
        page = client.get(url)
        assert page.status_code == 200
        assert str(version) not in page.text  # neither compared with nor offered
        assert client.get(url, {"from": earlier.code}).status_code == 404
