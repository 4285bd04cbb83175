"""Browser tests: Debian's Chromium driven by Playwright against Django's live server.

Every test here is marked `browser`. A test fails on any console error or uncaught
exception in the page, except those it declares expected (`console.allow(...)`).
"""

import contextlib
import os
import re
from pathlib import Path

import pytest
from django.urls import reverse

from surveys import selectors, services
from surveys.models import AnswerVia
from tests import factories

# Playwright's sync API runs an event loop in this thread; Django's ORM refuses
# to run in a thread with an event loop unless told it is safe (it is: one test
# at a time, and the live server answers requests in its own threads).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
TIMEOUT_MS = 20_000  # generous: CI shares two cores with the live server and the worker


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.path).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    path = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    if not Path(path).exists():
        pytest.skip(f"Chromium not found at {path}; CI installs it (apt-get install chromium)")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


class ConsoleWatch:
    """Collects console errors and uncaught page errors of every page a test opens."""

    IGNORED = (re.compile(r"favicon\.ico"),)

    def __init__(self):
        self.errors: list[str] = []
        self.allowed: list[re.Pattern] = []

    def allow(self, pattern: str) -> None:
        """Declare an error the test expects, e.g. the 409 of a conflicting save."""
        self.allowed.append(re.compile(pattern))

    def watch(self, page) -> None:
        page.on("pageerror", lambda exc: self.errors.append(f"uncaught: {exc}"))
        page.on("console", self._on_console)

    def _on_console(self, message) -> None:
        if message.type != "error":
            return
        location = message.location.get("url", "") if message.location else ""
        self.errors.append(f"console: {message.text} ({location})")

    def unexpected(self) -> list[str]:
        patterns = self.IGNORED + tuple(self.allowed)
        return [e for e in self.errors if not any(p.search(e) for p in patterns)]


@pytest.fixture(autouse=True)
def _cookies_without_dates(settings):
    """The server's clock is pinned (tests/conftest.py) and Chromium's is not: a cookie whose
    expiry the server computes from the pinned date would be out of date for the browser, so the
    session and CSRF cookies last as long as the browser instead."""
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    settings.CSRF_COOKIE_AGE = None


@pytest.fixture
def console() -> ConsoleWatch:
    return ConsoleWatch()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    result = yield
    watch = item.funcargs.get("console")
    if isinstance(watch, ConsoleWatch) and watch.unexpected():
        pytest.fail("Errors in the browser:\n" + "\n".join(watch.unexpected()), pytrace=False)
    return result


@pytest.fixture
def open_page(browser, live_server, console):
    """`open_page(user=None)`: a page in a fresh browser context, logged in as `user`."""
    contexts = []

    def open_page(user=None):
        context = browser.new_context(base_url=live_server.url)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        console.watch(page)
        if user is not None:
            log_in(page, user)
        return page

    yield open_page
    for context in contexts:
        context.close()


def log_in(page, user) -> None:
    """Log in through the real login form."""
    page.goto(reverse("login"))
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/login/" not in url)


@pytest.fixture
def page(open_page, lead):
    """A page logged in as the brand's lead."""
    return open_page(lead)


@pytest.fixture
def saved():
    """`with saved(page, key): ...` waits for the question's save to answer and show "Saved"."""
    from playwright.sync_api import expect

    @contextlib.contextmanager
    def saved(page, key: str, *, status: int = 200):
        def is_save(response):
            return response.request.method == "POST" and f"/answers/{key}/" in response.url

        with page.expect_response(is_save) as response:
            yield
        assert response.value.status == status, f"saving {key} answered {response.value.status}"
        if status == 200:
            expect(page.locator(f"#state-{key}")).to_contain_text("Saved", use_inner_text=True)

    return saved


@pytest.fixture
def answer_by_service():
    """`answer_by_service(assessment, user, keys, option="yes")`: quick answers for the setup."""

    def answer_by_service(assessment, user, keys, option: str = "yes") -> None:
        via = AnswerVia.INTERVIEW if assessment.mode == "interview" else AnswerVia.SELF_FILL
        answers = assessment.answers.filter(question__key__in=keys).select_related("question")
        for answer in answers:
            services.answer_save(
                assessment=assessment,
                question_key=answer.question.key,
                user=user,
                base_revision=answer.revision,
                data=services.AnswerInput(option=option),
                via=via,
            )

    return answer_by_service


def question_keys(assessment) -> list[str]:
    """The assessment's applicable statements, in the order the screens show them."""
    return [a.question.key for a in selectors.answers_of_assessment(assessment)]


@pytest.fixture
def keys_of():
    return question_keys


def accept_next_dialog(page) -> list[str]:
    """Accept the next confirm() the page asks (Submit, Finalise, Validate), keeping its text."""
    messages: list[str] = []

    def accept(dialog):
        messages.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    return messages


# What a page still waits for after its load event: the parts HTMX loads on its own
# (hx-trigger="load", replaced when they arrive), requests and swaps in flight, web fonts and
# the charts plotly draws (data-drawn="yes"; a chart that is not shown is not drawn).
_SETTLED = """() =>
  document.readyState === 'complete'
  && document.fonts.status === 'loaded'
  && !document.querySelector(
    '[hx-trigger="load"], .htmx-request, .htmx-swapping, .htmx-settling')
  && Array.from(document.querySelectorAll('[data-figure-id]'))
    .every(el => el.dataset.drawn === 'yes' || !el.offsetParent)"""


def wait_until_settled(page) -> None:
    """Until the page has everything it loads by itself and has drawn its charts.

    Playwright's "networkidle" would wait for the same and then half a second more of
    silence on every page; this asks the page itself, and returns as soon as it is true.
    """
    page.wait_for_function(_SETTLED)
