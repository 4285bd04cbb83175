"""The group's common gaps: counts, shares and brands per statement, the change since the previous
quarter's end, and who sees which page."""

import datetime

import pytest
from django.urls import reverse

from brands.models import Brand, Project
from scoring.selectors import common_gaps
from scoring.selectors.figures_cache import forget_cached_figures
from scoring.services import score_store
from surveys.models import Assessment, AssessmentStatus
from tests import factories

pytestmark = pytest.mark.django_db

Q4_END = datetime.date(2024, 12, 31)
Q1_END = datetime.date(2025, 3, 31)
IN_Q4 = datetime.date(2024, 11, 20)
IN_Q1 = datetime.date(2025, 2, 10)
GROUP_ROLES = ["group_admin", "group_assessor", "group_viewer"]


def validated(project, version, answers: dict, on: datetime.date):
    assessment = factories.assessment(
        project, version, status=AssessmentStatus.VALIDATED, answers=answers, assessed_on=on
    )
    score_store(assessment=assessment)
    return assessment


def gap(report, key):
    return next(g for g in report.gaps if g.key == key)


@pytest.fixture
def group(brand, other_brand, version):
    """Four projects in three brands, assessed in 2024 Q4 and again in 2025 Q1."""
    third = factories.BrandFactory(name="Third Mart")
    acme_api = factories.ProjectFactory(brand=brand, kind="realtime", name="Acme API")
    acme_batch = factories.ProjectFactory(brand=brand, kind="batch", name="Acme batch")
    other = factories.ProjectFactory(brand=other_brand, kind="batch", name="Other batch")
    third_api = factories.ProjectFactory(brand=third, kind="realtime", name="Third API")

    # End of 2024 Q4: doc-purpose failed by two, doc-runbook by one, mon-drift by three.
    validated(acme_api, version, {"doc-purpose": "no", "mon-drift": "no"}, IN_Q4)
    validated(acme_batch, version, {"doc-purpose": "partly", "mon-drift": "no"}, IN_Q4)
    validated(other, version, {"doc-purpose": "yes", "doc-runbook": "no", "mon-drift": "no"}, IN_Q4)
    validated(third_api, version, {"doc-purpose": "yes"}, IN_Q4)

    # End of 2025 Q1: doc-purpose failed by three (one N/A), doc-runbook by none,
    # xai-global newly failed by one, mon-drift by one.
    validated(acme_api, version, {"doc-purpose": "no", "mon-drift": "yes"}, IN_Q1)
    validated(acme_batch, version, {"doc-purpose": "na", "mon-drift": "yes"}, IN_Q1)
    validated(
        other,
        version,
        {"doc-purpose": "no", "doc-runbook": "yes", "mon-drift": "partly", "xai-global": "no"},
        IN_Q1,
    )
    validated(third_api, version, {"doc-purpose": "partly", "mon-drift": "yes"}, IN_Q1)
    # Not counted: a draft, and an assessment after the quarter's end.
    factories.assessment(third_api, version, answers={"doc-purpose": "yes"}, assessed_on=IN_Q1)
    validated(other, version, {"doc-purpose": "yes"}, datetime.date(2025, 4, 2))
    return {"third": third, "acme_api": acme_api}


class TestCommonGaps:
    def test_it_counts_per_statement_the_projects_that_do_not_meet_it(self, group):
        report = common_gaps(brands=Brand.objects.all(), quarter_end=Q1_END)

        purpose = gap(report, "doc-purpose")
        assert (purpose.unmet, purpose.applicable) == (3, 3)  # the N/A is left out
        assert purpose.share == 1
        assert purpose.core
        assert purpose.text.startswith("The business problem")
        assert purpose.section == "Documentation"
        assert report.projects == 4

    def test_it_names_the_brands_concerned_with_their_counts(self, group):
        report = common_gaps(brands=Brand.objects.all(), quarter_end=Q1_END)

        concerned = [(b.name, b.unmet) for b in gap(report, "doc-purpose").brands]
        assert concerned == [("Acme Groceries", 1), ("Other Foods", 1), ("Third Mart", 1)]
        assert [b.name for b in gap(report, "mon-drift").brands] == ["Other Foods"]

    def test_statements_are_ordered_by_how_many_projects_fail_them(self, group):
        report = common_gaps(brands=Brand.objects.all(), quarter_end=Q1_END)

        assert [(g.key, g.rank, g.unmet) for g in report.gaps] == [
            ("doc-purpose", 1, 3),
            ("xai-global", 2, 1),  # as many as mon-drift, but 1 of 1 rather than 1 of 4
            ("mon-drift", 3, 1),
        ]

    def test_it_compares_with_the_end_of_the_previous_quarter(self, group):
        report = common_gaps(brands=Brand.objects.all(), quarter_end=Q1_END)

        assert report.previous_as_of == Q4_END
        assert report.previous_quarter == "2024 Q4"
        purpose, drift, xai = (gap(report, k) for k in ("doc-purpose", "mon-drift", "xai-global"))
        # Q4: mon-drift 3 of 3 (rank 1), doc-purpose 2 of 4 (rank 2), doc-runbook 1 of 1 (rank 3).
        assert (purpose.previous_rank, purpose.previous_unmet, purpose.movement) == (2, 2, "up")
        assert (drift.previous_rank, drift.previous_unmet, drift.movement) == (1, 3, "down")
        assert (xai.previous_rank, xai.movement) == (None, "new")
        assert [(c.key, c.previous_rank, c.previous_unmet) for c in report.closed] == [
            ("doc-runbook", 3, 1)
        ]

    def test_statements_that_do_not_apply_to_a_projects_kind_are_left_out(self, brand, version):
        batch = factories.ProjectFactory(brand=brand, kind="batch")
        validated(batch, version, {"mon-latency-slo": "no", "mon-job-alerting": "no"}, IN_Q1)

        report = common_gaps(brands=Brand.objects.all(), quarter_end=Q1_END)

        assert [g.key for g in report.gaps] == ["mon-job-alerting"]

    def test_it_covers_only_the_brands_given(self, group, brand):
        report = common_gaps(brands=[brand], quarter_end=Q1_END)

        assert report.projects == 2
        assert (gap(report, "doc-purpose").unmet, gap(report, "doc-purpose").applicable) == (1, 1)
        assert {b.name for g in report.gaps for b in g.brands} == {"Acme Groceries"}

    def test_without_a_date_it_reads_today_and_the_last_quarter_end(self, group):
        report = common_gaps(brands=Brand.objects.all())
        # Today every project's latest validated assessment counts, including April's.
        assert report.projects == 4
        assert report.previous_as_of < report.as_of


class TestGroupGapsPage:
    @pytest.mark.parametrize("who", GROUP_ROLES)
    def test_group_roles_see_the_gaps_with_the_brands_concerned(self, client, request, who, group):
        client.force_login(request.getfixturevalue(who))
        response = client.get(reverse("group_gaps"), {"quarter": Q1_END.isoformat()})
        html = response.content.decode()
        assert response.status_code == 200
        assert "Third Mart" in html and "Other Foods" in html
        assert "3 of 3" in html
        assert reverse("brand_gaps", kwargs={"code": group["third"].code}) in html

    @pytest.mark.parametrize("who", ["lead", "viewer", "data_scientist"])
    def test_brand_members_are_refused(self, client, request, who, group):
        client.force_login(request.getfixturevalue(who))
        response = client.get(reverse("group_gaps"))
        assert response.status_code == 403
        assert "Third Mart" not in response.content.decode()

    def test_an_unknown_quarter_is_refused(self, client, group_viewer):
        client.force_login(group_viewer)
        assert client.get(reverse("group_gaps"), {"quarter": "1999-03-31"}).status_code == 400

    def test_it_only_takes_get(self, client, group_admin):
        client.force_login(group_admin)
        assert client.post(reverse("group_gaps")).status_code == 405

    def test_group_roles_find_it_in_the_navigation_and_brand_members_do_not(
        self, client, group_viewer, lead, brand
    ):
        client.force_login(group_viewer)
        link = f'href="{reverse("group_gaps")}"'
        assert link in client.get(reverse("brand_list")).content.decode()
        client.force_login(lead)
        page = client.get(reverse("brand_detail", kwargs={"code": brand.code})).content.decode()
        assert link not in page


class TestBrandGapsPage:
    def url(self, brand):
        return reverse("brand_gaps", kwargs={"code": brand.code})

    @pytest.mark.parametrize("who", ["lead", "viewer", "data_scientist"])
    def test_a_brand_member_sees_their_brands_gaps_and_no_other_brand(
        self, client, request, who, brand, group
    ):
        client.force_login(request.getfixturevalue(who))
        response = client.get(self.url(brand), {"quarter": Q1_END.isoformat()})
        html = response.content.decode()
        assert response.status_code == 200
        assert "1 of 1" in html
        assert "Other Foods" not in html
        assert "Third Mart" not in html
        assert "Brands concerned" not in html

    def test_the_brand_page_links_to_it(self, client, lead, brand):
        client.force_login(lead)
        page = client.get(reverse("brand_detail", kwargs={"code": brand.code})).content.decode()
        assert self.url(brand) in page

    @pytest.mark.parametrize("who", GROUP_ROLES)
    def test_group_roles_see_any_brands_gaps(self, client, request, who, group):
        client.force_login(request.getfixturevalue(who))
        assert client.get(self.url(group["third"])).status_code == 200

    def test_a_user_of_another_brand_gets_404(self, client, outsider, brand, group):
        client.force_login(outsider)
        assert client.get(self.url(brand)).status_code == 404

    def test_it_only_takes_get(self, client, lead, brand):
        client.force_login(lead)
        assert client.post(self.url(brand)).status_code == 405


def recomputed(brands, as_of):
    """The gaps' counts worked out plainly, project by project, answer by answer."""
    counts = {}
    projects = 0
    for brand in brands:
        for project in brand.projects.all():
            candidates = [
                a
                for a in Assessment.objects.filter(project=project, status="validated")
                if a.assessed_on <= as_of
            ]
            if not candidates:
                continue
            projects += 1
            latest = max(candidates, key=lambda a: (a.assessed_on, a.created_at))
            top = max(o.score for o in latest.version.options.all())
            for answer in latest.answers.all():
                if answer.option is None or not answer.question.applies_to_kind(project.kind):
                    continue
                count = counts.setdefault(answer.question.key, {}).setdefault(brand.name, [0, 0])
                count[1] += 1
                count[0] += answer.option.score < top
    return projects, counts


@pytest.mark.parametrize("as_of", [Q4_END, Q1_END, datetime.date(2025, 6, 30)])
def test_it_agrees_with_a_plain_recomputation(group, as_of):
    brands = list(Brand.objects.order_by("name"))
    report = common_gaps(brands=Brand.objects.all(), quarter_end=as_of)
    projects, counts = recomputed(brands, as_of)
    previous_projects, previous_counts = recomputed(brands, report.previous_as_of)

    assert (report.projects, report.previous_projects) == (projects, previous_projects)
    failing = {key for key, by in counts.items() if sum(u for u, _ in by.values())}
    assert {g.key for g in report.gaps} == failing
    for g in report.gaps:
        assert g.unmet == sum(u for u, _ in counts[g.key].values())
        assert g.applicable == sum(a for _, a in counts[g.key].values())
        assert {(b.name, b.unmet) for b in g.brands} == {
            (name, u) for name, (u, _) in counts[g.key].items() if u
        }
        before = previous_counts.get(g.key, {})
        assert g.previous_unmet == sum(u for u, _ in before.values())
        assert g.previous_applicable == sum(a for _, a in before.values())
    previously_failing = {k for k, by in previous_counts.items() if sum(u for u, _ in by.values())}
    assert {c.key for c in report.closed} == previously_failing - failing


def test_it_takes_a_fixed_number_of_queries(group, version, django_assert_num_queries):
    forget_cached_figures()
    # The figures token, the projects' ids, then the four reads.
    with django_assert_num_queries(6):
        first = common_gaps(brands=Brand.objects.all(), quarter_end=Q1_END)
    with django_assert_num_queries(2):  # kept until a figure changes
        assert common_gaps(brands=Brand.objects.all(), quarter_end=Q1_END) == first
    for brand in Brand.objects.all():
        project = factories.ProjectFactory(brand=brand, kind="both")
        validated(project, version, {"doc-purpose": "no", "mon-drift": "partly"}, IN_Q4)
    with django_assert_num_queries(6):  # a validation: read again, with the new projects
        again = common_gaps(brands=Brand.objects.all(), quarter_end=Q1_END)
    assert again.projects == first.projects + Brand.objects.count()


def test_what_is_kept_depends_on_the_projects_the_filters_choose(group, version):
    forget_cached_figures()
    everything = common_gaps(brands=Brand.objects.all(), quarter_end=Q1_END)
    batch = Project.objects.filter(kind="batch")
    narrowed = common_gaps(brands=Brand.objects.all(), quarter_end=Q1_END, projects=batch)
    assert narrowed.projects == batch.count() < everything.projects
    assert common_gaps(brands=Brand.objects.all(), quarter_end=Q1_END) == everything
