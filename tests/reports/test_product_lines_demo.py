"""Product lines and project pages on the demo data, for every kind of user."""

import pytest
from django.urls import reverse

from brands.models import Brand, Membership, ProductLine, Project, User
from tests.reports.dashboard_data import seed_demo_once


@pytest.fixture(scope="class")
def demo(django_db_setup, django_db_blocker):
    yield from seed_demo_once(django_db_blocker)


@pytest.mark.django_db
@pytest.mark.usefixtures("demo")
class TestOnTheDemoData:
    def test_a_group_viewer_sees_every_product_line_and_a_project_page(self, client):
        client.force_login(User.objects.filter(group_role__isnull=False).exclude(group_role="")[0])
        assert client.get(reverse("product_line_list")).status_code == 200
        for line in ProductLine.objects.all():
            assert client.get(reverse("product_line_detail", args=[line.code])).status_code == 200
        for project in Project.objects.order_by("?")[:5]:
            assert client.get(reverse("project_detail", args=[project.code])).status_code == 200

    def test_brand_members_never_see_another_brands_names_on_product_lines(self, client):
        names = dict(Brand.objects.values_list("id", "name"))
        projects = list(Project.objects.filter(product_line__isnull=False))
        # Projects are often named after their line; such a name tells nothing.
        line_names = set(ProductLine.objects.values_list("name", flat=True))
        for membership in Membership.objects.select_related("user").order_by("brand_id")[:6]:
            client.force_login(membership.user)
            own = set(membership.user.memberships.values_list("brand_id", flat=True))
            hidden_brands = [n for i, n in names.items() if i not in own]
            own_names = {p.name for p in projects if p.brand_id in own}
            hidden_projects = [
                p.name
                for p in projects
                if p.brand_id not in own and p.name not in line_names | own_names
            ]
            for line in ProductLine.objects.all():
                html = client.get(reverse("product_line_detail", args=[line.code])).text
                assert hidden_brands and hidden_projects
                for name in hidden_brands + hidden_projects:
                    assert name not in html, (line.name, name)
