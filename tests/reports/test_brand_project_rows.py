"""The brand page's project rows drawn by `brand_project_rows` read as the template loop drew
them: the same cells, words in the reader's language, every text escaped."""

import datetime

import pytest
from django.template import Context, Template
from django.utils import translation

from reports.dashboards.brand import OpenAssessment, ProjectRow
from surveys.models import AssessmentStatus
from tests import factories
from tests.markup import same_html

pytestmark = pytest.mark.django_db

# What templates/reports/brand_detail.html looped over before the tag, row by row.
LOOP = Template(
    "{% load i18n dashboard_tags %}"
    + """      {% for row in rows %}
        <tr>
          <th scope="row"><a href="{% url 'project_detail' row.project.code %}">{{ row.project.name }}</a></th>
          {% if row.overall is None %}
          <td colspan="2">{% if row.open %}<span class="muted">{% translate "No figure yet" %}</span>{% else %}{% url 'project_detail' row.project.code as start_url %}{% blocktranslate trimmed %}No assessment yet — <a href="{{ start_url }}">start one</a>{% endblocktranslate %}{% endif %}</td>
          {% else %}
          <td class="num">{{ row.overall|percent }}</td>
          <td>{{ row.level|default:"\u2013" }}</td>
          {% endif %}
          <td>{% if row.open %}{% url 'assessment_detail' row.open.code as open_url %}{% blocktranslate trimmed with status=row.open.status_label answered=row.open.answered total=row.open.total %}<a href="{{ open_url }}">{{ status }}</a>, {{ answered }} of {{ total }} answered{% endblocktranslate %}{% else %}<span class="muted">\u2013</span>{% endif %}</td>
          <td class="num">{% if row.assessed_on %}{{ row.assessed_on|date:"DATE_FORMAT" }}{% if row.figure_status == "submitted" %} <span class="tag">{% translate "submitted" context "figure" %}</span>{% endif %}{% else %}<span class="muted">\u2013</span>{% endif %}</td>
          <td>{{ row.project.get_kind_display }}</td>
          <td>{{ row.project.get_criticality_display }}</td>
          <td>{{ row.project.product_line|default:"\u2013" }}</td>
          {% if row.overall is None %}{% for s in data.sections %}<td class="num"><span class="muted">\u2013</span></td>{% endfor %}<td class="num"><span class="muted">\u2013</span></td>
          {% else %}
          {{ row.sections|percent_cells }}
          <td class="num">{{ row.age_days }}</td>
          {% endif %}
        </tr>
      {% endfor %}
"""
)
TAG = Template("{% load dashboard_tags %}{% brand_project_rows rows sections %}")


def _open(status: str, answered: int, total: int) -> OpenAssessment:
    return OpenAssessment(
        code="0b9c1f64-6a4e-4f0e-9a55-0d4c6b1e2f3a",
        status=status,
        mode="self_fill",
        assessed_on=datetime.date(2026, 11, 2),
        answered=answered,
        total=total,
    )


def _rows() -> list[ProjectRow]:
    brand = factories.BrandFactory(name="Acme")
    line = factories.ProductLineFactory(name="Pricing <& Promotions>")
    named = [
        factories.ProjectFactory(brand=brand, name='Churn <b>"model"</b> & co', kind="realtime"),
        factories.ProjectFactory(brand=brand, name="Demand forecast", product_line=line),
        factories.ProjectFactory(brand=brand, name="Groß-Projekt", criticality="high"),
        factories.ProjectFactory(brand=brand, name="Nothing yet"),
        factories.ProjectFactory(brand=brand, name="Only a draft"),
    ]
    figure = {"version": "1.0"}
    return [
        ProjectRow(
            named[0],
            62.45,
            "Managed <2>",
            [50.0, None, 99.5],
            datetime.date(2026, 9, 30),
            49,
            AssessmentStatus.VALIDATED,
            open=_open("draft", 12, 60),
            **figure,
        ),
        ProjectRow(
            named[1],
            0.0,
            "",
            [0.0, 0.0, 0.0],
            datetime.date(2026, 2, 28),
            1_000,
            AssessmentStatus.SUBMITTED,
            open=None,
            **figure,
        ),
        ProjectRow(
            named[2],
            100.0,
            "Optimised",
            [100.0, 100.0, None],
            datetime.date(2025, 12, 31),
            0,
            AssessmentStatus.VALIDATED,
            open=_open("submitted", 1234, 1234),
            **figure,
        ),
        ProjectRow(named[3], None, "", [], None, None, "", version="", open=None),
        ProjectRow(named[4], None, "", [], None, None, "", version="", open=_open("draft", 0, 7)),
    ]


@pytest.mark.parametrize("language", ["en", "de", "fr", "el"])
def test_the_tag_draws_what_the_loop_drew(language):
    rows = _rows()
    sections = ["a", "b", "c"]
    with translation.override(language):
        expected = LOOP.render(Context({"rows": rows, "data": {"sections": sections}}))
        drawn = TAG.render(Context({"rows": rows, "sections": sections}))
    assert same_html(drawn) == same_html(expected)
    assert "<b>" not in drawn and "&lt;b&gt;" in drawn
    assert drawn.count("<tr>") == 5


def test_no_rows_draw_nothing():
    assert TAG.render(Context({"rows": [], "sections": []})) == ""
