"""A round page's project rows drawn by `round_member_rows` read as the template loop drew
them: the same cells, words in the reader's language, every text escaped."""

import datetime

import pytest
from django.template import Context, Template
from django.utils import translation

from surveys.models import AssessmentMode, AssessmentStatus, RoundMode
from surveys.selectors.rounds import MemberRow
from tests import factories
from tests.markup import same_html

pytestmark = pytest.mark.django_db

# What templates/surveys/rounds/detail.html looped over before the tag, row by row.
LOOP = Template(
    "{% load i18n %}"
    + """    {% for row in b.rows %}
    <tr>
      <th scope="row"><a href="{% url 'round_member' row.member.code %}">{{ row.member.project.name }}</a></th>
      <td>{{ row.member.get_mode_display }}{% if row.member.already_open %} <span class="muted">{% translate "(already open)" %}</span>{% endif %}</td>
      <td><span class="tag state-{{ row.state }}{% if row.state == 'overdue' %} overdue{% endif %}">{{ row.state_label }}</span>{% if row.late %} <span class="tag overdue">{% translate "late" %}</span>{% endif %}{% if row.state == "not_started" and not row.assessment and row.member.mode == "lead_decides" %} <span class="muted">{% translate "the lead chooses the mode" %}</span>{% endif %}</td>
      <td class="num">{% if row.percent is not None %}{{ row.percent|floatformat:1 }}%{% else %}\u2013{% endif %}</td>
    </tr>
    {% endfor %}
"""
)
TAG = Template("{% load round_tags %}{% round_member_rows rows %}")


def _rows(version) -> list[MemberRow]:
    brand = factories.BrandFactory(name="Acme")
    round_ = factories.round_(
        version, opens_on=datetime.date(2026, 10, 1), due_on=datetime.date(2026, 11, 30)
    )

    def member(name, **kwargs):
        project = factories.ProjectFactory(brand=brand, name=name)
        return factories.round_member(round_, project, version, **kwargs)

    waiting = member("Lead <decides>", with_assessment=False)
    waiting.mode = RoundMode.LEAD_DECIDES
    reopened = member('Churn "model" & co', mode=AssessmentMode.INTERVIEW)
    reopened.already_open = True
    done = member("Groß-Projekt", status=AssessmentStatus.VALIDATED)
    late = member("Late one", status=AssessmentStatus.SUBMITTED)
    nothing = member("Not started", with_assessment=False)
    return [
        MemberRow(waiting, None, "not_started", False),
        MemberRow(reopened, reopened.assessment, "overdue", False),
        MemberRow(done, done.assessment, "validated", False, 62.45),
        MemberRow(late, late.assessment, "submitted", True, 0.05),
        MemberRow(nothing, None, "in_progress", True, 100.0),
    ]


@pytest.mark.parametrize("language", ["en", "de", "fr", "el"])
def test_the_tag_draws_what_the_loop_drew(language, version):
    rows = _rows(version)
    with translation.override(language):
        expected = LOOP.render(Context({"b": {"rows": rows}}))
        drawn = TAG.render(Context({"rows": rows}))
    assert same_html(drawn) == same_html(expected)
    assert "<decides>" not in drawn and "&lt;decides&gt;" in drawn
    assert drawn.count("<tr>") == 5


def test_no_rows_draw_nothing():
    assert TAG.render(Context({"rows": []})) == ""
