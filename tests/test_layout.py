"""The base layout: the navigation says where you are, the menu folds on phones, a refused
login marks its fields invalid."""

import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


def test_the_navigation_marks_the_current_page_and_its_part_of_the_site(
    client, group_viewer, brand
):
    client.force_login(group_viewer)
    page = client.get(reverse("brand_list")).content.decode()
    assert f'<a href="{reverse("brand_list")}" aria-current="page">Brands</a>' in page
    assert page.count("aria-current=") == 1
    inside = client.get(reverse("brand_detail", args=[brand.code])).content.decode()
    assert f'<a href="{reverse("brand_list")}" aria-current="true">Brands</a>' in inside
    dashboard = client.get(reverse("group_dashboard")).content.decode()
    assert f'<a href="{reverse("group_dashboard")}" aria-current="page">Dashboard</a>' in dashboard


def test_the_menu_folds_behind_a_button_that_says_what_it_controls(client, group_viewer):
    client.force_login(group_viewer)
    page = client.get(reverse("brand_list")).content.decode()
    assert (
        '<button type="button" class="menu-toggle" aria-expanded="false" '
        'aria-controls="topbar-menu" hidden>Menu</button>'
    ) in page
    assert 'id="topbar-menu"' in page
    assert "yardstick/layout.js" in page


def test_a_refused_login_marks_both_fields_invalid_and_points_at_the_message(client):
    user = factories.UserFactory()
    response = client.post(reverse("login"), {"username": user.username, "password": "wrong"})
    page = response.content.decode()
    assert 'id="login-error"' in page and 'role="alert"' in page
    assert page.count('aria-invalid="true" aria-describedby="login-error"') == 2
    assert f'value="{user.username}"' in page
    fresh = client.get(reverse("login")).content.decode()
    assert "aria-invalid" not in fresh
