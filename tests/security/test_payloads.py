"""User-entered text is shown as text everywhere: script payloads escaped on every page and
HTMX partial, formula payloads neutralised in every CSV and workbook, payloads printed as
literal text in every PDF, links only to web addresses, e-mails with the names as typed.

The data (tests/security/payloads.py) is entered through the real inputs and built once
for the module; the pages are found by walking the URL map, as the tenant-isolation test
does, so a new page is checked the day it is added.
"""

import csv
import io
import re
import shutil
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from reports.builders import Scope, build
from reports.dashboards import DashboardFilters
from surveys import question_set_format as fmt
from surveys.models import Answer, QuestionSetVersion
from surveys.selectors import version_as_spec
from surveys.services.invitations import invitation_token
from tests.security.payloads import (
    BAD_LINKS,
    EMAIL,
    EVIDENCE,
    FORMULA_START,
    HTML,
    HYPERLINK,
    MARKERS,
    html_problems,
    workbook_cells,
)
from tests.test_tenant_isolation import OBJECT_FOR_URL, PARAMS, POST_ONLY, URLS

pytestmark = pytest.mark.django_db

ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"
# Query-string parameters the pages read; each gets a payload as its value.
QUERY_NAMES = (
    "quarter",
    "submitted",
    "version",
    "line",
    "kind",
    "criticality",
    "sort",
    "dir",
    "q",
    "from",
    "key",
    "section",
    "page",
    "next",
    "action",
    "actor",
    "error",
    "scope",
)


# --------------------------------------------------------------------------- the URL walk


def _answer_urls(name, world):
    for assessment in (world.interview, world.self_fill):
        for key in world.payload_keys:
            yield reverse(name, kwargs={"code": assessment.code, "key": key})


def urls_to_visit(world) -> list[tuple[str, str]]:
    """(name, url) of every page that answers GET, filled with the payload world's objects."""
    objects = {
        "brand": [world.brand, *world.other_brands],
        "project": [world.project],
        "assessment": [world.interview, world.self_fill],
        "invitation": [world.invitation],
        "version": [world.version, world.draft],
        "question_set": [world.version.question_set],
        "action": [world.action],
        "product_line": [world.product_line],
        "report": list(world.reports),
        "round": [world.round],
        "round member": [world.round_member],
        "reminder": [world.reminder],
        "tracker": [world.tracker],
        "webhook": [world.webhook],
    }
    first_section = world.draft.sections.order_by("order").first().key
    visits = []
    for name, _, params in URLS:
        if name is None or name in POST_ONLY or name in ("logout",):
            continue
        if not params:
            visits.append((name, reverse(name)))
            continue
        kind = OBJECT_FOR_URL[name]
        if kind == "answer":
            visits += [(name, url) for url in _answer_urls(name, world)]
        elif kind == "chart":
            visits += [(name, reverse(name, kwargs={"chart": c})) for c in world.group_charts]
        elif kind == "brand chart":
            visits += [
                (name, reverse(name, kwargs={"code": b.code, "chart": c}))
                for b in objects["brand"]
                for c in world.brand_charts
            ]
        elif kind == "invitation link":
            visits.append((name, reverse(name, args=[invitation_token(world.invitation)])))
        else:
            # A kind of object not known here is left out: the coverage test names it.
            for obj in objects.get(kind, []):
                url = reverse(name, kwargs={"code": obj.code})
                if name == "draft_question_edit":
                    url += f"?key={world.payload_keys[0]}"
                elif name == "draft_section_edit":
                    url += f"?key={first_section}"
                visits.append((name, url))
    return visits


def visit(client: Client, url: str, **headers):
    response = client.get(url, follow=True, **headers)
    body = response.content.decode("utf-8", "replace")
    return response, body


def test_the_walk_covers_every_url_that_answers_get(world):
    visited = {name for name, _ in urls_to_visit(world)}
    expected = {name for name in PARAMS if name not in POST_ONLY and name != "logout"}
    missing = expected - visited
    assert missing == set(), f"give urls_to_visit objects for {sorted(missing)}"


def walk(world, user, **headers) -> tuple[dict, dict, dict]:
    """Every page as `user` sees it: (server errors, payloads a browser would run,
    the pages where each field's text is shown escaped)."""
    client = Client()
    client.force_login(user)
    escaped = {name: escape(text) for name, text in world.fields.items()}
    problems, errors, shown = {}, {}, {name: set() for name in world.fields}
    for name, url in urls_to_visit(world):
        response, body = visit(client, url, **headers)
        if response.status_code >= 500:
            errors[url] = response.status_code
        if not response["Content-Type"].startswith("text/html"):
            continue
        found = html_problems(body)
        if found:
            problems[f"{name} {url}"] = found
        for field, text in escaped.items():
            if text in body:
                shown[field].add(name)
    return errors, problems, shown


@pytest.mark.parametrize("who", ["admin", "lead", "ds"])
@pytest.mark.parametrize("htmx", [False, True], ids=["page", "partial"])
def test_every_page_and_partial_shows_user_text_escaped(world, who, htmx):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    errors, problems, shown = walk(world, getattr(world, who), **headers)
    assert errors == {}
    assert problems == {}
    if who == "admin" and not htmx:
        # Every field entered is shown somewhere (escaped): the walk checked real output.
        missing = [field for field, pages in shown.items() if not pages]
        assert missing == [], missing


def test_the_evidence_link_is_an_escaped_attribute(world):
    client = Client()
    client.force_login(world.lead)
    page = client.get(reverse("assessment_detail", args=[world.interview.code])).content.decode()
    escaped = EVIDENCE.replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    assert f'href="{escaped}"' in page
    assert EVIDENCE not in page


@pytest.mark.parametrize("link", BAD_LINKS)
def test_links_other_than_web_addresses_are_refused_and_never_stored(world, link):
    response = world.refused_links[link]
    assert response.status_code == 400
    assert "must be a web address starting with http:// or https://" in response.content.decode()
    stored = Answer.objects.filter(evidence_url__startswith=link.split(":")[0] + ":")
    assert not stored.exists()


@pytest.mark.parametrize("who", ["admin", "lead"])
def test_payloads_in_query_strings_are_escaped_and_never_a_server_error(world, who):
    client = Client()
    client.force_login(getattr(world, who))
    query = "&".join(f"{name}={HTML}" for name in QUERY_NAMES)
    problems, errors = {}, {}
    for name, url in urls_to_visit(world):
        response, body = visit(client, f"{url}?{query}")
        if response.status_code >= 500:
            errors[url] = response.status_code
        elif response["Content-Type"].startswith("text/html") and html_problems(body):
            problems[f"{name} {url}"] = html_problems(body)
    assert errors == {}
    assert problems == {}


def test_a_report_asked_for_with_payload_filters_is_refused_or_shown_escaped(world):
    client = Client()
    client.force_login(world.lead)
    response = client.post(
        reverse("report_list"),
        {"scope": "brand", "code": world.brand.code, "format": "pdf", "filters": f"q={HTML}"},
        follow=True,
    )
    assert response.status_code < 500
    assert html_problems(response.content.decode()) == []


# --------------------------------------------------------------------------- CSV


def _formula_like(value: str) -> bool:
    """A text cell a spreadsheet would run: starts like a formula and is not a plain number."""
    if not value.startswith(FORMULA_START):
        return False
    return re.fullmatch(r"[+-]?\d+(\.\d+)?", value) is None


def test_every_csv_download_writes_formula_text_as_text(world):
    client = Client()
    client.force_login(world.admin)
    downloads, cells = 0, []
    for _, url in urls_to_visit(world):
        response = client.get(url)
        if not response["Content-Type"].startswith("text/csv"):
            continue
        downloads += 1
        text = response.content.decode("utf-8-sig")
        cells += [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert downloads >= len(world.group_charts) + 3
    assert [c for c in cells if _formula_like(c)] == []
    assert any(c.startswith("'" + HYPERLINK) for c in cells)
    assert any(c.startswith("'@SUM(A1)") for c in cells)
    assert any(c.startswith("'\t=1+1") for c in cells)
    assert any(c.startswith("'\r=1+1") for c in cells)


# --------------------------------------------------------------------------- Excel


def assert_no_runnable_cells(content: bytes, guard: str) -> list[str]:
    """Checks every cell of a workbook and returns the texts of those that came from users.

    No cell is a formula; a text from a user that starts like a formula is stored as
    text with the writer's guard: "apostrophe" (a leading single quote, the report
    builders) or "quote_prefix" (Excel's quote-prefix style, surveys.spreadsheets).
    """
    from_users = []
    for sheet, cell in workbook_cells(content):
        value = cell.value
        if not isinstance(value, str) or not any(marker in value for marker in MARKERS):
            continue
        from_users.append(value)
        where = f"{sheet}!{cell.coordinate} {value[:60]!r}"
        assert cell.data_type != "f", where
        if guard == "apostrophe":
            assert not value.startswith(FORMULA_START), where
        elif value.startswith(FORMULA_START):
            assert cell.quotePrefix, where
    return from_users


def _report(kind: str, fmt_: str, world, user, **kwargs) -> bytes:
    out = io.BytesIO()
    filters = DashboardFilters.parse({}, today=world.interview.assessed_on)
    scope = Scope(kind=kind, user=user, filters=filters, **kwargs)
    build(fmt_, scope, out, lambda percent: None)
    return out.getvalue()


def _scopes(world):
    return {
        "group": (world.admin, {}),
        "brand": (world.lead, {"brand": world.brand}),
        "project": (world.lead, {"brand": world.brand, "project": world.project}),
    }


@pytest.mark.parametrize("kind", ["group", "brand", "project"])
def test_report_workbooks_hold_user_text_as_text(world, kind):
    user, kwargs = _scopes(world)[kind]
    texts = assert_no_runnable_cells(_report(kind, "xlsx", world, user, **kwargs), "apostrophe")
    assert any(t.startswith("'@SUM(A1)") for t in texts), "the brand's name is in the workbook"
    if kind == "group":
        assert any(t.startswith(("'\t=1+1", "'\r=1+1")) for t in texts), "other projects"
    if kind != "group":
        assert any(t.startswith("'" + HYPERLINK) for t in texts), "the project's name"


def test_the_offline_questionnaire_holds_user_text_as_text(world):
    client = Client()
    client.force_login(world.lead)
    content = client.get(reverse("workbook_download", args=[world.self_fill.code])).content
    texts = assert_no_runnable_cells(content, "quote_prefix")
    assert any(t.startswith(HYPERLINK) for t in texts), "the payload statement is there"
    assert any(t.startswith("+1+1") and "workbook comment" in t for t in texts)


def test_the_earlier_round_template_holds_user_text_as_text(world):
    client = Client()
    client.force_login(world.admin)
    response = client.get(reverse("historic_template", args=[world.project.code]))
    assert response.status_code == 200
    texts = assert_no_runnable_cells(response.content, "quote_prefix")
    assert any(t.startswith(HYPERLINK) for t in texts)


def test_the_question_set_workbook_holds_its_text_as_text_and_reads_back_the_same(world):
    client = Client()
    client.force_login(world.admin)
    content = client.get(reverse("version_xlsx", args=[world.version.code])).content
    texts = assert_no_runnable_cells(content, "quote_prefix")
    assert any(t.startswith(HYPERLINK) for t in texts)
    # Uploaded again as it is, the texts come back unchanged (not as formulas, not quoted).
    world.draft.delete()
    response = client.post(
        reverse("version_draft_upload", args=[world.version.code]),
        {"file": SimpleUploadedFile(f"{HTML}.xlsx", content)},
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    draft = QuestionSetVersion.objects.get(question_set=world.version.question_set, status="draft")
    spec = fmt.parse(fmt.to_yaml(_spec(draft)))
    assert spec.sections == _spec(world.version).sections
    assert spec.scale == _spec(world.version).scale
    # The draft made from the workbook shows its texts escaped in the editor.
    page = client.get(reverse("draft_edit", args=[draft.code])).content.decode()
    assert html_problems(page) == []
    assert escape(world.fields["statement"]) in page


def _spec(version):
    return version_as_spec(version)


# --------------------------------------------------------------------------- PDF


def _pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(content)
    done = subprocess.run(
        ["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True
    )
    return done.stdout


def _pdf_links(content: bytes, tmp_path) -> list[str]:
    path = tmp_path / "links.pdf"
    path.write_bytes(content)
    done = subprocess.run(
        ["pdfinfo", "-url", str(path)], capture_output=True, text=True, check=True
    )
    # "Page  Type  URL" and one line per link: the page, the kind of object, the address.
    rows = [line.split(None, 2) for line in done.stdout.splitlines()[1:] if line.strip()]
    return [row[2] for row in rows if len(row) == 3]


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext is missing")
@pytest.mark.parametrize("kind", ["group", "brand", "project"])
def test_pdf_reports_print_user_text_literally_and_link_only_to_the_web(world, kind, tmp_path):
    user, kwargs = _scopes(world)[kind]
    content = _report(kind, "pdf", world, user, **kwargs)
    text = re.sub(r"\s+", " ", _pdf_text(content, tmp_path))
    # The payloads are text on the page, not markup WeasyPrint obeyed (or dropped).
    assert "<script>alert(1)</script><img src=x onerror=alert(1)>" in text
    assert "@SUM(A1)<script>" in text
    # Every link annotation (pdfinfo reads them from the compressed objects) goes to the web.
    links = _pdf_links(content, tmp_path)
    assert [url for url in links if not url.startswith(("http://", "https://"))] == []
    assert b"/JavaScript" not in content
    if kind == "project":
        # The evidence link stays a link, to the web address it was given.
        assert any(url.startswith("https://example.com/?q=") for url in links), links


# --------------------------------------------------------------------------- e-mail


def test_the_invitation_email_shows_names_as_typed(world):
    assert len(world.mail) == 2
    message, to_markup = world.mail
    assert to_markup.to == [EMAIL]
    assert EMAIL in to_markup.body
    assert world.project.name in message.body
    assert world.brand.name in message.body
    assert HTML in message.body  # the inviter's name, as typed: a text e-mail is not HTML
    assert "&lt;" not in message.body and "&#x27;" not in message.body
    assert "\n" not in message.subject and "\r" not in message.subject
    # Plain text only: no HTML part beside it.
    assert message.content_subtype == "plain"
    assert not getattr(message, "alternatives", [])


def test_the_invitation_page_shows_the_invitation_escaped_to_a_visitor(world):
    invitation = world.self_fill.invitations.get(email=EMAIL)
    response = Client().get(reverse("invitation_accept", args=[invitation_token(invitation)]))
    assert response.status_code == 200
    page = response.content.decode()
    assert html_problems(page) == []
    assert escape(world.fields["project"]) in page
    assert escape(EMAIL) in page
