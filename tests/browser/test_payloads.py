"""The payload world in Chromium: the pages that show user text, with their scripts running
(HTMX, plotly.js drawing and hovering the charts), show the payloads as text. An escaping
slip would show as an alert, as an element the payload made, or as a Content-Security-Policy
refusal or a failed image in the console (the browser tests' console watch)."""

import pytest
from django.core import mail
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.conftest import log_in, wait_until_settled
from tests.security.payloads import HTML, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def opened(browser, live_server, console):
    contexts, dialogs = [], []

    def open_as(user):
        context = browser.new_context(base_url=live_server.url)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        console.watch(page)
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        log_in(page, user)
        return page

    yield open_as, dialogs
    for context in contexts:
        context.close()


def hover_charts(page) -> None:
    """Move the mouse over every drawn chart, so that plotly.js renders its hover labels."""
    for chart in page.locator("[data-drawn=yes]").all():
        box = chart.bounding_box()
        if not box:
            continue
        for fx in (0.3, 0.5, 0.7):
            for fy in (0.3, 0.5, 0.7):
                page.mouse.move(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy)


def test_pages_with_payloads_run_no_payload_in_the_browser(opened, console):
    world = build_world(mail.outbox)
    open_as, dialogs = opened
    pages = {
        world.lead: [
            reverse("brand_detail", args=[world.brand.code]),
            reverse("project_detail", args=[world.project.code]),
            reverse("project_plan", args=[world.project.code]),
            reverse("assessment_detail", args=[world.interview.code]),
            reverse("assessment_fill", args=[world.self_fill.code]),
            reverse("assessment_detail", args=[world.self_fill.code]),
            reverse("product_line_detail", args=[world.product_line.code]),
        ],
        world.admin: [
            reverse("group_dashboard"),
            reverse("draft_edit", args=[world.draft.code]),
            reverse("version_detail", args=[world.version.code]),
            reverse("audit_log"),
        ],
    }
    seen = 0
    for user, urls in pages.items():
        page = open_as(user)
        for url in urls:
            page.goto(url)
            wait_until_settled(page)
            hover_charts(page)
            # The payload is on the page as text, and made no element of its own.
            seen += "<script>alert(1)</script>" in page.locator("main").inner_text()
            assert page.locator("img[src=x], main script:not([type])").count() == 0, url
        page.close()
    assert dialogs == []
    assert seen >= len(pages[world.lead])
    # Typed into the fill page, a payload is saved through HTMX and shown back as text.
    page = open_as(world.lead)
    page.goto(reverse("assessment_fill", args=[world.self_fill.code]))
    key = world.payload_keys[1]
    comment = page.locator(f"#c-{key}")
    with page.expect_response(lambda r: r.request.method == "POST" and f"/answers/{key}/" in r.url):
        comment.fill(HTML + " typed in the browser")
        comment.blur()
    expect(page.locator(f"#state-{key}")).to_contain_text("Saved", use_inner_text=True)
    page.reload()
    expect(comment).to_have_value(HTML + " typed in the browser")
    # Its history page lists every earlier payload of the answer as text.
    page.goto(reverse("answer_history", args=[world.self_fill.code, key]))
    expect(page.locator("main")).to_contain_text(HTML + " typed in the browser")
    assert page.locator("img[src=x], main script:not([type])").count() == 0
    assert dialogs == []
    assert console.unexpected() == []
