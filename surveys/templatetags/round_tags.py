"""Tags of the round pages' templates."""

from django import template
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from surveys.models import RoundMode
from surveys.selectors.rounds import NOT_STARTED, OVERDUE

register = template.Library()


@register.simple_tag
def round_member_rows(rows) -> SafeString:
    """The `<tr>`s of a brand's projects on a round's page (templates/surveys/rounds/
    detail.html), one per `MemberRow`: a group-wide round has about a thousand, drawn in
    Python rather than by a template loop. Every text is escaped; the words are the messages
    the template had."""
    modes = {}
    already_open = f' <span class="muted">{escape(gettext("(already open)"))}</span>'
    late = f' <span class="tag overdue">{escape(gettext("late"))}</span>'
    lead_chooses = f' <span class="muted">{escape(gettext("the lead chooses the mode"))}</span>'
    html = []
    for row in rows:
        member = row.member
        link = reverse("round_member", args=[member.code])
        if member.mode not in modes:
            modes[member.mode] = escape(member.get_mode_display())
        mode = modes[member.mode] + (already_open if member.already_open else "")
        state = escape(row.state) + (" overdue" if row.state == OVERDUE else "")
        notes = late if row.late else ""
        if (
            row.state == NOT_STARTED
            and not row.assessment
            and member.mode == RoundMode.LEAD_DECIDES
        ):
            notes += lead_chooses
        score = "\u2013" if row.percent is None else f"{floatformat(row.percent, 1)}%"
        html.append(
            f'<tr><th scope="row"><a href="{link}">{escape(member.project.name)}</a></th>'
            f"<td>{mode}</td>"
            f'<td><span class="tag state-{state}">{escape(row.state_label)}</span>{notes}</td>'
            f'<td class="num">{score}</td></tr>'
        )
    return SafeString("".join(html))
