"""Every page kind, in Chromium at a laptop's 1366 x 900 and a phone's 390 x 844: nothing
scrolls sideways (the document is no wider than the window) and axe-core finds no violation
of WCAG 2.2 AA (targets U1 and U2 of TARGETS.md).

One demo dataset (seed_demo up to the pinned day of tests/clock.py) serves the whole module:
it is built once with its own live server and flushed at the end. Each person logs in once
and keeps one browser context (and its cache of the static files); every test opens its page
in a new tab of that context.
"""

import dataclasses
import datetime
import os
from collections.abc import Callable

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from brands.models import BrandRole, Membership, TokenScope, User
from brands.tokens import service_token_create, token_create
from reports.models import ReportFormat, ReportJob, ReportScope, ReportStatus
from surveys.models import (
    Assessment,
    AssessmentMode,
    AssessmentStatus,
    QuestionSetVersion,
    ReminderDigest,
    RoundMember,
    RoundMode,
)
from surveys.services import invitation_create, round_create, round_launch, version_draft_copy
from surveys.services.reminders import round_reminders_send
from tests import factories
from tests.browser.conftest import TIMEOUT_MS, wait_until_settled
from tests.clock import PINNED_TODAY

# The marker makes sure the test database exists when this module runs alone; the module's
# data is made (and flushed) by the `site` fixture, not per test.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(databases=["default"])]

SIZES = {"laptop": (1366, 900), "phone": (390, 844)}
# WCAG 2.0, 2.1 and 2.2 at levels A and AA: what axe-core checks of them.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
DEMO_PASSWORD = "yardstick-demo"


@dataclasses.dataclass
class Site:
    url: str
    logins: dict[str, dict]  # username -> Playwright storage state
    objects: dict[str, object]
    people: dict[str, str]  # role in the world -> username


def _world() -> tuple[dict[str, object], dict[str, str]]:
    """What the pages need beyond the demo seed: a draft question set, an invitation, a job."""
    self_fill = (
        Assessment.objects.filter(status=AssessmentStatus.DRAFT, mode=AssessmentMode.SELF_FILL)
        .select_related("project__brand")
        .order_by("project__brand__name", "project__name")
        .first()
    )
    brand = self_fill.project.brand
    lead = Membership.objects.filter(brand=brand, role=BrandRole.LEAD).first().user
    interview = Assessment.objects.filter(
        status=AssessmentStatus.DRAFT, mode=AssessmentMode.INTERVIEW
    ).first()
    submitted = Assessment.objects.filter(status=AssessmentStatus.SUBMITTED).first()
    validated = (
        Assessment.objects.filter(project__brand=brand, status=AssessmentStatus.VALIDATED)
        .order_by("-assessed_on")
        .first()
    )
    admin = User.objects.get(username="admin")
    published = QuestionSetVersion.objects.filter(status="published").first()
    draft = version_draft_copy(version=published, user=admin)
    invitation_create(
        assessment=self_fill, email="someone@example.com", user=lead, base_url="http://testserver"
    )
    job = ReportJob.objects.create(
        requested_by=admin,
        scope=ReportScope.GROUP,
        format=ReportFormat.PDF,
        status=ReportStatus.FAILED,
        filename="yardstick-group-2026-Q4.pdf",
        error="The worker stopped while building it; ask again.",
        finished_at=timezone.now(),
    )
    key = self_fill.answers.select_related("question").first().question.key
    reminder_round, reminder = _round_with_reminders(self_fill, lead)
    assessor = User.objects.get(username="assessor")
    question_set = published.question_set
    round_ = round_create(
        user=assessor,
        name="Layout check round",
        question_set=question_set,
        selection={"brands": [str(brand.code)], "default_mode": RoundMode.LEAD_DECIDES},
        opens_on=PINNED_TODAY,
        due_on=PINNED_TODAY + datetime.timedelta(days=30),
    )
    round_launch(round_=round_, user=assessor, base_url="http://testserver")
    draft_round = round_create(
        user=assessor,
        name="Layout check round, not launched",
        question_set=question_set,
        selection={"criticalities": ["high"], "default_mode": RoundMode.SELF_FILL},
        opens_on=PINNED_TODAY,
        due_on=PINNED_TODAY + datetime.timedelta(days=30),
    )
    tracker, webhook = _integrations(brand, lead)
    # API tokens (issue 18): one of the lead's own and one of the brand's, so the lists show.
    expires = PINNED_TODAY + datetime.timedelta(days=90)
    token_create(user=lead, name="Nightly export", scope=TokenScope.READ, expires_on=expires)
    service_token_create(
        brand=brand, user=lead, name="GitHub Actions", scope=TokenScope.WRITE, expires_on=expires
    )
    objects = {
        "tracker": tracker,
        "webhook": webhook,
        "brand": brand,
        "project": validated.project,
        "validated": validated,
        "self_fill": self_fill,
        "self_fill_key": key,
        "ci_key": "code-ci",  # the demo's CI evidence is on it (demo/builder.py)
        "interview": interview,
        "submitted": submitted,
        "published": published,
        "draft": draft,
        "line": validated.project.product_line
        or factories.ProductLineFactory(name="Demand forecasting"),
        "job": job,
        "round": round_,
        "reminder_round": reminder_round,
        "reminder": reminder,
        "draft_round": draft_round,
        "round_member": round_.members.order_by("project__name").first(),
    }
    return objects, {"lead": lead.username}


def _integrations(brand, lead):
    """A GitHub connection with a failed and a linked issue, and a webhook with a delivery log."""
    from brands.models import WebhookAttempt, WebhookDelivery
    from brands.webhooks import webhook_create
    from scoring.models import ImprovementAction, IssueStatus, TrackerIssue
    from scoring.services.trackers import tracker_connect

    tracker, _ = tracker_connect(
        brand=brand,
        user=lead,
        kind="github",
        name="Recommendations repository",
        api_url="https://github.example.com/api/v3",
        target="acme-group/recommendations-service",
        token="not-a-real-token",
    )
    actions = ImprovementAction.objects.filter(project__brand=brand, closed_at__isnull=True)
    for action, status in zip(actions[:2], (IssueStatus.LINKED, IssueStatus.FAILED), strict=False):
        TrackerIssue.objects.create(
            action=action,
            connection=tracker,
            status=status,
            external_id="42" if status == IssueStatus.LINKED else "",
            url="https://github.example.com/acme-group/recommendations-service/issues/42",
            state="open",
            error="GitHub refused the token (401): check that it is valid and has the "
            "permissions docs/integrations.md lists.",
            requested_at=timezone.now(),
        )
    webhook, _ = webhook_create(
        brand=brand,
        user=lead,
        url="https://hooks.example.com/services/yardstick/a-rather-long-path-to-check-wrapping",
        events=["assessment.validated", "report.ready"],
    )
    delivery = WebhookDelivery.objects.create(
        webhook=webhook, event="report.ready", payload={}, status="delivered"
    )
    WebhookAttempt.objects.create(
        delivery=delivery, number=1, started_at=timezone.now(), duration_ms=10012,
        error="ReadTimeout: HTTPSConnectionPool(host='hooks.example.com', port=443): Read timed out. (read timeout=10)",
        retry_in_seconds=30,
    )  # fmt: skip
    WebhookAttempt.objects.create(
        delivery=delivery, number=2, started_at=timezone.now(), duration_ms=120, response_code=200
    )
    return tracker, webhook


def _round_with_reminders(self_fill, lead):
    """An open round of the self-fill's brand with interviews (one planned, one not), and the
    reminder its lead got the day before it is due."""
    brand = self_fill.project.brand
    due = PINNED_TODAY + datetime.timedelta(days=1)
    round_ = factories.round_(
        self_fill.version,
        name="Layout check round with reminders",
        opens_on=PINNED_TODAY - datetime.timedelta(days=30),
        due_on=due,
    )
    RoundMember.objects.create(
        round=round_, project=self_fill.project, mode=RoundMode.SELF_FILL, assessment=self_fill
    )
    others = brand.projects.exclude(pk=self_fill.project_id).order_by("name")[:2]
    for number, project in enumerate(others):
        member = factories.round_member(
            round_, project, self_fill.version, mode=RoundMode.INTERVIEW
        )
        if number == 0:
            member.interview_planned_on = PINNED_TODAY
            member.save()
    round_reminders_send(day=PINNED_TODAY)
    return round_, ReminderDigest.objects.get(user=lead, day=PINNED_TODAY)


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker, browser):
    from pytest_django.live_server_helper import LiveServer

    # The module's logins outlive one test: their cookies last as long as the browser, as
    # tests/browser/conftest.py makes them for each test (the server's clock is pinned).
    cookies = override_settings(SESSION_EXPIRE_AT_BROWSER_CLOSE=True, CSRF_COOKIE_AGE=None)
    cookies.enable()
    with django_db_blocker.unblock():
        call_command("seed_demo", today=PINNED_TODAY, stdout=open(os.devnull, "w"))  # noqa: SIM115
        objects, people = _world()
        server = LiveServer("localhost")
        server._live_server_modified_settings.enable()
        try:
            logins = {}
            for username in ("admin", "assessor", "manager", people["lead"]):
                context = browser.new_context(base_url=server.url)
                page = context.new_page()
                page.goto(reverse("login"))
                page.get_by_label("Username").fill(username)
                page.get_by_label("Password").fill(DEMO_PASSWORD)
                page.get_by_role("button", name="Log in").click()
                page.wait_for_url(lambda url: "/login/" not in url)
                logins[username] = context.storage_state()
                context.close()
            yield Site(url=server.url, logins=logins, objects=objects, people=people)
        finally:
            server._live_server_modified_settings.disable()
            server.stop()
            call_command("flush", interactive=False, verbosity=0)
            factories.default_version()
            cookies.disable()


def of(*names: str) -> Callable[[Site], list]:
    """The URL arguments: the codes (or keys) of these objects of the world."""
    return lambda site: [getattr(site.objects[n], "code", site.objects[n]) for n in names]


NONE = lambda site: []  # noqa: E731

# (page kind, who looks at it, URL name, its arguments)
PAGES: list[tuple[str, str, str, Callable[[Site], list]]] = [
    ("login", "", "login", NONE),
    ("home", "manager", "home", NONE),
    ("brand list", "manager", "brand_list", NONE),
    ("group dashboard", "manager", "group_dashboard", NONE),
    ("group common gaps", "manager", "group_gaps", NONE),
    ("product lines", "manager", "product_line_list", NONE),
    ("product line", "manager", "product_line_detail", of("line")),
    ("brand dashboard", "lead", "brand_detail", of("brand")),
    ("brand common gaps", "lead", "brand_gaps", of("brand")),
    ("brand benchmark", "lead", "brand_benchmark", of("brand")),
    ("brand trend", "lead", "brand_trend", of("brand")),
    ("project", "lead", "project_detail", of("project")),
    ("project trend", "lead", "project_trend", of("project")),
    ("improvement plan", "lead", "project_plan", of("project")),
    ("earlier round", "lead", "historic_import", of("project")),
    ("assessment", "lead", "assessment_detail", of("validated")),
    ("what moved", "lead", "assessment_moved", of("validated")),
    ("self-fill", "lead", "assessment_fill", of("self_fill")),
    ("answer history", "lead", "answer_history", of("self_fill", "self_fill_key")),
    ("answer history with CI evidence", "lead", "answer_history", of("self_fill", "ci_key")),
    ("invitations", "lead", "invitation_list", of("self_fill")),
    ("workbook upload", "lead", "workbook_upload", of("self_fill")),
    ("interview console", "assessor", "interview_console", of("interview")),
    ("review", "assessor", "assessment_review", of("submitted")),
    ("my reports", "admin", "report_list", NONE),
    ("report", "admin", "report_detail", of("job")),
    ("report jobs", "admin", "report_metrics", NONE),
    ("question sets", "admin", "question_set_list", NONE),
    ("question-set defaults", "admin", "question_set_defaults", NONE),
    ("question-set version", "admin", "version_detail", of("published")),
    ("draft editor", "admin", "draft_edit", of("draft")),
    ("draft changes", "admin", "version_diff", of("draft")),
    ("draft preview", "admin", "draft_preview", of("draft")),
    ("audit log", "admin", "audit_log", NONE),
    ("log out everywhere", "admin", "logout_everywhere", NONE),
    ("reminders received", "lead", "reminder_list", NONE),
    ("why this reminder", "lead", "reminder_detail", of("reminder")),
    ("round interviews", "lead", "round_interviews", of("reminder_round")),
    ("rounds", "assessor", "round_list", NONE),
    ("new round", "assessor", "round_create", NONE),
    ("round preview", "assessor", "round_detail", of("draft_round")),
    ("round", "assessor", "round_detail", of("round")),
    ("round for its brand lead", "lead", "round_detail", of("round")),
    ("project in a round", "lead", "round_member", of("round_member")),
    ("issue trackers", "lead", "tracker_list", of("brand")),
    ("issue tracker", "lead", "tracker_detail", of("tracker")),
    ("webhooks", "lead", "webhook_list", of("brand")),
    ("webhook", "lead", "webhook_detail", of("webhook")),
    ("API tokens", "lead", "api_tokens", NONE),
    ("brand service tokens", "lead", "brand_tokens", of("brand")),
]

# URL names that are no page of their own, and why.
NOT_PAGES = {
    "healthz": "JSON",
    "readyz": "JSON",
    "logout": "POST only",
    "oidc_authentication_init": "a redirect to the identity provider",
    "oidc_authentication_callback": "a redirect back from it",
    "brand_dashboard_csv": "CSV",
    "group_dashboard_csv": "CSV",
    "project_profile_csv": "CSV",
    "product_line_csv": "CSV",
    "group_dashboard_gaps": "a part of the group dashboard, checked there",
    "report_download": "a file",
    "report_retry": "POST only",
    "assessment_start": "POST only (the form is on the project page)",
    "assessment_submit": "POST only",
    "answer_save": "POST only",
    "invitation_remind": "POST only",
    "invitation_accept": "a redirect into the self-fill for the invited person",
    "interview_pause": "POST only",
    "interview_finalise": "POST only",
    "assessment_validate": "POST only",
    "assessment_return": "POST only",
    "question_set_state": "POST only (the buttons are on the question sets page)",
    "version_yaml": "a file",
    "version_xlsx": "a file",
    "version_draft_new": "POST only",
    "version_draft_copy": "POST only",
    "version_draft_upload": "POST only",
    "draft_question_edit": "a part of the draft editor",
    "draft_question_add": "a part of the draft editor",
    "draft_question_remove": "POST only",
    "draft_question_move": "POST only",
    "draft_section_edit": "a part of the draft editor",
    "draft_section_add": "a part of the draft editor",
    "draft_section_remove": "POST only",
    "draft_scoring_edit": "a part of the draft editor",
    "draft_publish": "POST only",
    "draft_discard": "POST only",
    "assessment_upgrade": "POST only",
    "workbook_download": "a file",
    "workbook_preview": "the answer to an upload (POST)",
    "workbook_apply": "POST only",
    "historic_template": "a file",
    "action_create": "POST only",
    "action_update": "POST only",
    "member_interview": "POST only (the form is in the round's interviews)",
    "round_launch": "POST only (the button is on the round's preview)",
    "round_close": "POST only (the button is on the round page)",
    "round_csv": "CSV",
    "round_xlsx": "a file",
    "project_plan_csv": "CSV",
    "action_issue": "POST only (the button is on the improvement plan)",
    "tracker_secret": "POST only (answers with the tracker page, showing the new secret)",
    "tracker_delete": "POST only",
    "tracker_hook": "the trackers' webhook calls (JSON)",
    "webhook_secret": "POST only (answers with the webhook page, showing the new secret)",
    "webhook_delete": "POST only",
    "api_token_revoke": "POST only (the buttons are on the token pages)",
    "set_language": "POST only (the language switcher is in every page's header)",
}


# What a reader can unfold must fit too (a chart's numbers, a statement's guidance, a
# confirmation): the width is measured with every <details> of the page open.
OPEN_EVERY_DETAILS = "document.querySelectorAll('details').forEach(d => { d.open = true; })"


def too_wide(page) -> list[str]:
    """The elements that stick out of the window on the right, outside any scroll box."""
    return page.evaluate(
        """() => {
          const width = window.innerWidth, out = [];
          for (const el of document.querySelectorAll('body *')) {
            const box = el.getBoundingClientRect();
            if (box.width === 0 || box.right <= width + 1) continue;
            let inside = false;
            for (let p = el.parentElement; p; p = p.parentElement) {
              if (getComputedStyle(p).overflowX !== 'visible') { inside = true; break; }
            }
            if (!inside) out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
              + (el.className && el.className.baseVal === undefined ? '.' + el.className : ''));
          }
          return out.slice(0, 8);
        }"""
    )


def axe_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    # Only the violations are wanted: axe then stops collecting every passing node, which
    # halves its time on the longest pages (each violation is still reported in full).
    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
    result = Axe().run(page, options=options)
    found = []
    for violation in result.response["violations"]:
        targets = ", ".join(str(node["target"]) for node in violation["nodes"][:3])
        found.append(
            f"{violation['id']} ({len(violation['nodes'])}): {violation['help']}; {targets}"
        )
    return found


def test_the_checks_find_what_they_look_for(browser):
    """The gate's own check: a page with known faults is reported, every faulty node counted."""
    page = browser.new_page(viewport={"width": 390, "height": 844})
    try:
        page.set_content(
            '<html lang="en"><head><title>Faults</title></head><body><main>'
            '<img src="a.png"><img src="b.png">'
            '<p style="color:#bbb;background:#fff">Pale words</p>'
            '<div style="width:900px">Too wide for a phone</div>'
            "</main></body></html>"
        )
        found = axe_violations(page)
        assert any(v.startswith("image-alt (2)") for v in found), found
        assert any(v.startswith("color-contrast (1)") for v in found), found
        assert page.evaluate("document.documentElement.scrollWidth") > 390
        assert too_wide(page) == ["div"]
    finally:
        page.close()


@pytest.fixture(scope="module")
def contexts(site, browser):
    """`contexts(username)`: one browser context per person for the whole module, logged in
    as that person ("" for nobody), so that each keeps its cache of the static files."""
    made = {}

    def context_of(username: str):
        if username not in made:
            made[username] = browser.new_context(
                base_url=site.url, storage_state=site.logins[username] if username else None
            )
            made[username].set_default_timeout(TIMEOUT_MS)
        return made[username]

    yield context_of
    for context in made.values():
        context.close()


@pytest.mark.parametrize(("kind", "who", "name", "args"), PAGES, ids=[p[0] for p in PAGES])
def test_the_page_fits_the_window_and_axe_finds_nothing(
    site, contexts, console, kind, who, name, args
):
    username = site.people.get(who, who)
    page = contexts(username).new_page()
    try:
        console.watch(page)
        problems = []
        url = reverse(name, args=args(site))
        for size, (width, height) in SIZES.items():
            page.set_viewport_size({"width": width, "height": height})
            response = page.goto(url)
            assert response.status == 200, url
            if username:
                assert "/login/" not in page.url, f"{url}: not logged in"
            wait_until_settled(page)
            page.evaluate(OPEN_EVERY_DETAILS)
            scroll_width = page.evaluate("document.documentElement.scrollWidth")
            inner_width = page.evaluate("window.innerWidth")
            if scroll_width > inner_width:
                problems.append(
                    f"{size}: the page is {scroll_width} px wide in a {inner_width} px window; "
                    f"sticking out: {too_wide(page)}"
                )
            problems += [f"{size}: {v}" for v in axe_violations(page)]
        assert not problems, f"{kind} ({url}):\n" + "\n".join(problems)
    finally:
        page.close()


# The languages whose words and sentences run longest: every page must fit a phone in them.
LONG_LANGUAGES = ["de", "el"]


@pytest.mark.parametrize("language", LONG_LANGUAGES)
def test_every_page_fits_a_phone_in_the_longest_languages(site, browser, console, language):
    """Only the width at 390 px: axe's checks do not depend on the words' length, and one
    context per person visits all of that person's pages."""
    problems = []
    people = dict.fromkeys(who for _, who, _, _ in PAGES)
    for who in people:
        username = site.people.get(who, who)
        context = browser.new_context(
            base_url=site.url,
            storage_state=site.logins[username] if username else None,
            viewport={"width": SIZES["phone"][0], "height": SIZES["phone"][1]},
        )
        context.set_default_timeout(TIMEOUT_MS)
        context.add_cookies([{"name": "yardstick_language", "value": language, "url": site.url}])
        try:
            page = context.new_page()
            console.watch(page)
            for kind, _, name, args in (p for p in PAGES if p[1] == who):
                url = reverse(name, args=args(site))
                response = page.goto(url)
                assert response.status == 200, url
                wait_until_settled(page)
                assert page.evaluate("document.documentElement.lang") == language, url
                page.evaluate(OPEN_EVERY_DETAILS)
                scroll_width = page.evaluate("document.documentElement.scrollWidth")
                inner_width = page.evaluate("window.innerWidth")
                if scroll_width > inner_width:
                    problems.append(
                        f"{kind} ({url}): {scroll_width} px wide in a {inner_width} px window; "
                        f"sticking out: {too_wide(page)}"
                    )
        finally:
            context.close()
    assert not problems, f"in {language}:\n" + "\n".join(problems)


def test_every_url_of_the_url_conf_is_a_page_visited_here_or_named_as_no_page():
    """A new page added to the URL configuration is added to PAGES (or said to be no page)."""
    from django.urls import get_resolver

    names = {
        name
        for name in get_resolver().reverse_dict
        if isinstance(name, str) and not name.startswith("admin")
    }
    visited = {page[2] for page in PAGES}
    assert visited & set(NOT_PAGES) == set()
    assert names - visited - set(NOT_PAGES) == set()
