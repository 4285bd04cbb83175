"""What moved between two assessments of a project: the selector and the page."""

import datetime

import pytest
from django.urls import reverse

from brands.models import BrandRole
from scoring.selectors import movement
from surveys.models import AssessmentStatus
from tests import factories
from tests.scoring.test_trends import V1_ANSWERS, V2_ANSWERS, import_two_versions, validated

pytestmark = pytest.mark.django_db

D = datetime.date

BEFORE = {
    "doc-purpose": "partly",  # core, documentation
    "doc-success-metrics": "yes",  # core, documentation
    "doc-data-sources": "no",
}
AFTER = {
    "doc-purpose": "yes",  # newly met
    "doc-success-metrics": "no",  # lost
    "doc-data-sources": "no",  # unchanged
    "doc-model-card": "na",  # new answer
}


@pytest.fixture
def two_versions(db):
    return import_two_versions()


@pytest.fixture
def pair(project, version, lead):
    before = validated(project, version, BEFORE, D(2024, 11, 5))
    after = validated(project, version, AFTER, D(2025, 2, 14))
    after.answers.update(answered_by=lead)
    return before, after


def test_the_default_is_the_latest_two_validated(project, version, pair):
    factories.assessment(project, version, answers=BEFORE, assessed_on=D(2025, 5, 1))
    before, after = pair
    assert movement.latest_two_validated(project.pk) == (before, after)
    assert movement.previous_validated(after) == before
    assert movement.previous_validated(before) is None


def test_of_two_on_the_same_day_the_earlier_created_comes_first(project, version):
    first = validated(project, version, BEFORE, D(2025, 2, 14))
    second = validated(project, version, AFTER, D(2025, 2, 14))
    assert movement.previous_validated(second) == first
    assert movement.previous_validated(first) is None


def test_it_lists_the_answers_that_changed_with_who_answered(pair, lead, version):
    moved = movement.assessment_movement(*pair)

    by_key = {a.key: a for a in moved.answers}
    assert list(by_key) == ["doc-purpose", "doc-success-metrics", "doc-model-card"]
    purpose = by_key["doc-purpose"]
    assert purpose.text == version.questions.get(key="doc-purpose").text
    assert purpose.section == "Documentation"
    assert (purpose.before, purpose.after, purpose.direction) == ("Partly", "Yes", "up")
    assert (purpose.before_score, purpose.after_score) == (0.5, 1.0)
    assert purpose.by == lead
    assert by_key["doc-success-metrics"].direction == "down"
    card = by_key["doc-model-card"]
    assert (card.before, card.after, card.direction) == ("no answer", "N/A", "changed")


def test_it_says_how_far_each_section_and_the_whole_moved(pair):
    moved = movement.assessment_movement(*pair)

    documentation = moved.sections[0]
    assert documentation.key == "documentation"
    # before: (0.5 + 1 + 0) / 3 = 50 %; after: (1 + 0 + 0) / 3 = 33.3 % (the N/A is left out)
    assert documentation.before == pytest.approx(50)
    assert documentation.after == pytest.approx(100 / 3)
    assert documentation.points == pytest.approx(100 / 3 - 50)
    # Only documentation is answered, so the whole moves as it does.
    assert moved.overall_points == pytest.approx(100 / 3 - 50)
    others = [s for s in moved.sections if s.key != "documentation"]
    assert {(s.before, s.after, s.points) for s in others} == {(None, None, None)}
    assert len(moved.sections) == 7


def test_it_names_core_statements_newly_met_and_lost(pair, version):
    moved = movement.assessment_movement(*pair)
    assert [s.key for s in moved.core_newly_met] == ["doc-purpose"]
    assert [s.key for s in moved.core_lost] == ["doc-success-metrics"]
    assert moved.core_lost[0].text == version.questions.get(key="doc-success-metrics").text
    assert (moved.only_before, moved.only_after) == ([], [])
    assert moved.same_version


def test_nothing_moved_between_identical_answers(project, version):
    before = validated(project, version, BEFORE, D(2024, 11, 5))
    after = validated(project, version, BEFORE, D(2025, 2, 14))
    moved = movement.assessment_movement(before, after)
    assert moved.nothing_moved
    assert moved.overall_points == 0


def test_across_versions_questions_are_matched_by_key(project, two_versions):
    v1, v2 = two_versions
    before = validated(project, v1, V1_ANSWERS, D(2024, 2, 1))
    after = validated(project, v2, V2_ANSWERS, D(2024, 5, 1))

    moved = movement.assessment_movement(before, after)

    assert not moved.same_version
    assert [(a.key, a.before, a.after) for a in moved.answers] == [
        ("a2", "Partly", "Yes"),
        ("b1", "No", "Partly"),
    ]
    assert [s.key for s in moved.only_before] == ["b2"]
    assert [s.text for s in moved.only_after] == ["Beta three (new)"]
    # own figures: 50 % -> 60 %
    assert moved.overall_points == pytest.approx(10)


def test_two_projects_cannot_be_compared(pair, other_project, version):
    elsewhere = validated(other_project, version, BEFORE, D(2024, 1, 1))
    with pytest.raises(ValueError, match="same project"):
        movement.assessment_movement(elsewhere, pair[1])


def test_a_draft_can_be_compared_as_it_stands(project, version, pair):
    draft = factories.assessment(
        project, version, answers={**AFTER, "doc-purpose": "no"}, assessed_on=D(2025, 5, 1)
    )
    moved = movement.assessment_movement(pair[1], draft)
    assert [(a.key, a.before, a.after) for a in moved.answers] == [("doc-purpose", "Yes", "No")]


class TestPage:
    def url(self, assessment, before=None) -> str:
        path = reverse("assessment_moved", kwargs={"code": assessment.code})
        return path + (f"?from={before.code}" if before is not None else "")

    def test_a_viewer_sees_what_moved_since_the_previous(self, client, viewer, pair, version):
        before, after = pair
        client.force_login(viewer)
        response = client.get(self.url(after))
        assert response.status_code == 200
        page = response.content.decode()
        assert response.context["moved"].before == before
        assert version.questions.get(key="doc-purpose").text in page
        assert "-16.7 points" in page
        assert 'id="core-met"' in page and 'id="core-lost"' in page

    def test_any_other_assessment_of_the_project_can_be_chosen(self, client, lead, pair, project):
        before = pair[0]
        later = validated(project, before.version, AFTER, D(2025, 6, 1))
        client.force_login(lead)
        response = client.get(self.url(later, before))
        assert response.status_code == 200
        assert response.context["moved"].before == before
        assert f'<option value="{before.code}" selected>' in response.content.decode()

    def test_an_assessment_of_another_project_is_404(self, client, lead, pair, brand, version):
        sibling = factories.ProjectFactory(brand=brand)
        elsewhere = validated(sibling, version, BEFORE, D(2024, 1, 1))
        client.force_login(lead)
        assert client.get(self.url(pair[1], elsewhere)).status_code == 404

    def test_an_assessment_of_another_brand_is_404(self, client, lead, pair, other_project):
        elsewhere = validated(other_project, pair[0].version, BEFORE, D(2024, 1, 1))
        client.force_login(lead)
        assert client.get(self.url(pair[1], elsewhere)).status_code == 404

    def test_a_malformed_code_is_404(self, client, lead, pair):
        client.force_login(lead)
        assert client.get(self.url(pair[1]) + "?from=not-a-code").status_code == 404

    def test_without_an_earlier_validated_assessment_it_says_so(self, client, lead, pair):
        client.force_login(lead)
        page = client.get(self.url(pair[0])).content.decode()
        assert "There is no validated assessment" in page

    def test_it_only_takes_get(self, client, lead, pair):
        client.force_login(lead)
        assert client.post(self.url(pair[1])).status_code == 405

    @pytest.mark.parametrize("role", [BrandRole.LEAD, BrandRole.VIEWER, BrandRole.DATA_SCIENTIST])
    def test_a_user_of_another_brand_gets_404(self, client, pair, other_brand, role):
        client.force_login(factories.member(other_brand, role))
        assert client.get(self.url(pair[1], pair[0])).status_code == 404

    def test_question_text_is_escaped(self, client, lead, project, two_versions):
        v1, v2 = two_versions
        before = validated(project, v1, {**V1_ANSWERS, "a1": "no"}, D(2024, 2, 1))
        after = validated(project, v2, V2_ANSWERS, D(2024, 5, 1))
        client.force_login(lead)
        page = client.get(self.url(after, before)).content.decode()
        assert "The &lt;b&gt;alpha&lt;/b&gt; one" in page
        assert "<b>alpha</b>" not in page

    def test_the_project_page_links_validated_assessments_to_it(self, client, lead, pair, project):
        client.force_login(lead)
        page = client.get(reverse("project_detail", kwargs={"code": project.code})).content.decode()
        assert self.url(pair[1]) in page
        assert self.url(pair[0]) not in page  # the first has nothing before it


def test_submitted_assessments_are_compared_with_the_previous_validated(project, version, pair):
    submitted = validated(project, version, AFTER, D(2025, 5, 1), status=AssessmentStatus.SUBMITTED)
    assert movement.previous_validated(submitted) == pair[1]
