"""Stored values in words: labels, signs and the Unicode collation of names."""

import pytest
from django.urls import reverse

from brands.models import Criticality, ProjectKind
from reports.words import by_name, choice_label, name_key, signed
from tests import factories


def test_a_stored_choice_reads_as_its_label_and_an_unknown_one_as_it_is():
    assert choice_label(ProjectKind, "realtime") == "Real-time"
    assert choice_label(Criticality, "high") == "High"
    assert choice_label(ProjectKind, "quantum") == "quantum"


@pytest.mark.parametrize(
    "value, digits, expected",
    [
        (3.46, 1, "+3.5"),
        (-2, 1, "-2.0"),
        (0.04, 1, "\u00b10.0"),
        (12.5, 0, "+12"),  # Python rounds half to even
        (None, 1, "\u2013"),
    ],
)
def test_a_change_prints_its_sign(value, digits, expected):
    assert signed(value, digits) == expected


def test_names_sort_by_the_unicode_collation_not_by_code_point():
    names = ["Zelený Košík", "Épicerie Lumière", "agora fresh", "Čamara Bună", "Bel Panier"]
    assert sorted(names, key=name_key) == [
        "agora fresh",
        "Bel Panier",
        "Čamara Bună",
        "Épicerie Lumière",
        "Zelený Košík",
    ]


@pytest.mark.django_db
def test_the_brand_list_and_the_groups_brands_follow_the_collation(client, group_viewer):
    for name in ("Zelený Košík", "Épicerie Lumière", "Agora Fresh"):
        factories.BrandFactory(name=name)
    client.force_login(group_viewer)
    page = client.get(reverse("brand_list")).content.decode()
    positions = [page.index(name) for name in ("Agora Fresh", "Épicerie Lumière", "Zelený Košík")]
    assert positions == sorted(positions)
    dashboard = client.get(reverse("group_dashboard")).content.decode()
    options = dashboard[dashboard.index('id="filter-brand"') :]
    positions = [options.index(n) for n in ("Agora Fresh", "Épicerie Lumière", "Zelený Košík")]
    assert positions == sorted(positions)
    assert [b.name for b in by_name(factories.BrandFactory._meta.model.objects.all())][-1] == (
        "Zelený Košík"
    )
