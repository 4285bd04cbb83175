"""Dashboard filters: read from a query string, bad values reported and never raised, written back."""

import datetime
import uuid

import pytest
from django.http import QueryDict

from brands.models import Criticality, ProjectKind
from reports.dashboards.filters import CRITICALITIES, KINDS, DashboardFilters, Quarter

TODAY = datetime.date(2025, 8, 14)  # 2025 Q3
A, B = str(uuid.UUID(int=1)), str(uuid.UUID(int=2))


def parse(query: str) -> DashboardFilters:
    return DashboardFilters.parse(QueryDict(query), today=TODAY)


def test_the_defaults_are_the_current_quarter_everything_and_validated_only():
    filters = parse("")
    assert filters.quarter == Quarter(2025, 3)
    assert filters.as_of == TODAY  # the current quarter so far (docs/scoring.md)
    assert filters.so_far and filters.period_label == "2025 Q3 so far"
    assert (filters.brands, filters.product_lines, filters.kinds, filters.criticalities) == (
        (),
        (),
        (),
        (),
    )
    assert filters.include_submitted is False
    assert filters.version is None
    assert filters.errors == ()


def test_it_reads_every_filter():
    filters = parse(
        f"quarter=2024-Q4&brand={B}&brand={A}&line={A}&kind=realtime&kind=batch"
        f"&criticality=HIGH&submitted=1&version={B}"
    )
    assert filters.quarter == Quarter(2024, 4)
    assert filters.as_of == datetime.date(2024, 12, 31)
    assert filters.brands == (A, B)
    assert filters.product_lines == (A,)
    assert filters.kinds == ("batch", "realtime")
    assert filters.criticalities == ("high",)
    assert filters.include_submitted is True
    assert filters.version == B
    assert filters.errors == ()


def test_a_plain_dict_works_as_well_as_a_querydict():
    filters = DashboardFilters.parse({"brand": [A, B], "kind": "both"}, today=TODAY)
    assert filters.brands == (A, B)
    assert filters.kinds == ("both",)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("quarter=2025-Q5", "quarter"),
        ("quarter=last", "quarter"),
        ("quarter=2025-Q4", "quarter"),  # has not started yet
        ("brand=acme", "brand"),
        ("line=<script>", "line"),
        ("kind=streaming", "kind"),
        ("criticality=extreme", "criticality"),
        ("submitted=maybe", "submitted"),
        ("version=v2", "version"),
        ("quarter=2024-Q1&quarter=2024-Q2", "quarter"),
    ],
)
def test_a_bad_value_is_reported_by_name_and_never_raised(query, field):
    filters = parse(query)
    assert len(filters.errors) == 1
    assert filters.errors[0].startswith(f"{field}: ")


def test_a_bad_value_falls_back_to_the_default_and_keeps_the_good_ones():
    filters = parse(f"quarter=2099-Q1&brand=nope&brand={A}&kind=batch&kind=nope")
    assert filters.quarter == Quarter(2025, 3)
    assert filters.brands == (A,)
    assert filters.kinds == ("batch",)
    assert len(filters.errors) == 3


def test_the_query_string_is_canonical_and_reads_back_to_the_same_filters():
    filters = parse(
        f"version={B}&submitted=on&kind=realtime&kind=batch&brand={B}&brand={A}&brand={A}"
        "&quarter=2024-q2&criticality=low"
    )
    query = filters.to_query()
    assert query == (
        f"quarter=2024-Q2&brand={A}&brand={B}&kind=batch&kind=realtime"
        f"&criticality=low&submitted=1&version={B}"
    )
    assert parse(query) == filters
    assert parse(query).to_query() == query


def test_the_default_query_names_the_quarter_so_a_shared_link_stays_put():
    assert parse("").to_query() == "quarter=2025-Q3"


def test_quarters_of_a_trend_end_with_the_chosen_one():
    quarters = parse("quarter=2025-Q1").quarters(3)
    assert [q.code for q in quarters] == ["2024-Q3", "2024-Q4", "2025-Q1"]
    assert [q.end for q in quarters] == [
        datetime.date(2024, 9, 30),
        datetime.date(2024, 12, 31),
        datetime.date(2025, 3, 31),
    ]


def test_the_choices_are_the_models_choices():
    assert set(KINDS) == set(ProjectKind.values)
    assert set(CRITICALITIES) == set(Criticality.values)
