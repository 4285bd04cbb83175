"""The question-set browser and the assessment summary page."""

import datetime
import html as html_lib

import pytest
from django.urls import reverse

from scoring.services import score_store
from surveys import question_set_format as fmt
from surveys.models import AssessmentMode, AssessmentStatus
from surveys.services import question_set_import
from tests import factories
from tests.surveys.test_question_set_format import TINY

pytestmark = pytest.mark.django_db

EVERY_ROLE = ["lead", "viewer", "data_scientist", "group_admin", "group_assessor", "group_viewer"]
SECRET_NOTE = "Interviewer only: the team seemed unsure"


def page(client, user, url: str) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return html_lib.unescape(response.content.decode())


@pytest.fixture
def draft_version(version):
    spec = fmt.parse(TINY.replace("key: tiny", "key: draft-set").replace("Tiny set", "Draft set"))
    draft, _ = question_set_import(spec=spec, publish=False)
    return draft


class TestQuestionSetList:
    @pytest.mark.parametrize("who", EVERY_ROLE)
    def test_everyone_sees_the_published_versions(self, client, request, who, version):
        html = page(client, request.getfixturevalue(who), reverse("question_set_list"))
        assert "MLOps maturity assessment" in html
        assert reverse("version_detail", args=[version.code]) in html

    @pytest.mark.parametrize("who", ["lead", "group_assessor", "group_viewer"])
    def test_drafts_are_hidden_from_everyone_but_group_admins(
        self, client, request, who, draft_version
    ):
        html = page(client, request.getfixturevalue(who), reverse("question_set_list"))
        assert reverse("version_detail", args=[draft_version.code]) not in html
        assert "No published version yet" in html

    def test_group_admins_see_drafts(self, client, group_admin, draft_version):
        html = page(client, group_admin, reverse("question_set_list"))
        assert reverse("version_detail", args=[draft_version.code]) in html

    def test_with_no_set_loaded_it_says_how_to_load_one(self, client, lead, no_question_sets):
        assert "import_question_set" in page(client, lead, reverse("question_set_list"))

    def test_it_only_takes_get(self, client, lead):
        client.force_login(lead)
        assert client.post(reverse("question_set_list")).status_code == 405


class TestVersionDetail:
    @pytest.mark.parametrize("who", EVERY_ROLE)
    def test_it_shows_questions_with_their_guidance(self, client, request, who, version):
        html = page(
            client, request.getfixturevalue(who), reverse("version_detail", args=[version.code])
        )
        question = version.questions.get(key="doc-purpose")
        assert question.text in html
        assert question.why in html
        assert question.good in html
        assert question.evidence in html

    def test_it_shows_every_section_scale_option_and_level(self, client, lead, version):
        html = page(client, lead, reverse("version_detail", args=[version.code]))
        for section in version.sections.all():
            assert section.title in html
        for option in version.options.all():
            assert option.label in html
        for level in version.levels.all():
            assert level.name in html
        assert html.count('class="question"') == version.questions.count()

    def test_a_draft_is_404_for_everyone_but_group_admins(
        self, client, lead, group_admin, draft_version
    ):
        url = reverse("version_detail", args=[draft_version.code])
        client.force_login(lead)
        assert client.get(url).status_code == 404
        client.force_login(group_admin)
        assert client.get(url).status_code == 200

    def test_it_only_takes_get(self, client, lead, version):
        client.force_login(lead)
        assert client.post(reverse("version_detail", args=[version.code])).status_code == 405


@pytest.fixture
def validated_assessment(project, version, lead):
    assessment = factories.assessment(
        project,
        version,
        status=AssessmentStatus.VALIDATED,
        answers={"doc-purpose": "yes", "doc-success-metrics": "no", "doc-data-sources": "na"},
        assessed_on=datetime.date(2025, 3, 31),
    )
    assessment.answers.filter(question__key="doc-purpose").update(
        comment="README has it", interviewer_note=SECRET_NOTE, answered_by=lead
    )
    score_store(assessment=assessment)
    return assessment


class TestAssessmentDetail:
    @pytest.mark.parametrize("who", EVERY_ROLE)
    def test_it_shows_the_answers_and_the_stored_score(
        self, client, request, who, validated_assessment
    ):
        html = page(
            client,
            request.getfixturevalue(who),
            reverse("assessment_detail", args=[validated_assessment.code]),
        )
        # doc-purpose yes (1), doc-success-metrics no (0), doc-data-sources N/A: 1 / 2 = 50 %
        assert '<span class="pct">50%</span>' in html
        assert "2025 Q1" in html
        assert "Answered 3 of" in html
        assert "README has it" in html
        assert "N/A: " in html
        assert validated_assessment.answers.get(question__key="doc-purpose").question.text in html

    @pytest.mark.parametrize("who", EVERY_ROLE)
    def test_it_never_shows_the_interviewer_note(self, client, request, who, validated_assessment):
        html = page(
            client,
            request.getfixturevalue(who),
            reverse("assessment_detail", args=[validated_assessment.code]),
        )
        assert SECRET_NOTE not in html

    def test_an_open_assessment_shows_where_it_stands_now(self, client, lead, project, version):
        draft = factories.assessment(
            project,
            version,
            mode=AssessmentMode.SELF_FILL,
            answers={"doc-purpose": "partly", "doc-success-metrics": "yes"},
        )
        html = page(client, lead, reverse("assessment_detail", args=[draft.code]))
        # (0.5 + 1) / 2 = 75 %, with nothing stored yet
        assert "Provisional figure: 75%" in html
        assert "2 of" in html

    def test_an_assessment_without_answers_says_so(self, client, lead, project, version):
        draft = factories.assessment(project, version, mode=AssessmentMode.SELF_FILL)
        html = page(client, lead, reverse("assessment_detail", args=[draft.code]))
        assert "No answers recorded yet" in html

    def test_another_brands_member_gets_404(self, client, outsider, validated_assessment):
        client.force_login(outsider)
        url = reverse("assessment_detail", args=[validated_assessment.code])
        assert client.get(url).status_code == 404

    def test_it_only_takes_get(self, client, lead, validated_assessment):
        client.force_login(lead)
        url = reverse("assessment_detail", args=[validated_assessment.code])
        assert client.post(url).status_code == 405


def test_the_fill_page_lists_the_statements_that_do_not_apply_to_the_projects_kind(
    client, version, project, lead
):
    from surveys.services import assessment_start

    assessment = assessment_start(project=project, user=lead, mode="self_fill", version=version)
    batch_only = version.questions.filter(applies_to="batch").first()
    client.force_login(lead)
    response = client.get(f"/assessments/{assessment.code}/fill/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "do not apply to a real-time project" in body or "does not apply to a real-time" in body
    assert f'id="q-{batch_only.key}"' not in body
