"""The PDF reports: HTML templates rendered by Django, laid out and printed by WeasyPrint.

`templates/reports/pdf/` holds one template per scope and
`static/yardstick/print.css` the print stylesheet (pages, margin boxes with
page numbers and the footer, contents with `target-counter`). Charts are SVG
drawn in Python and embedded inline, so the PDF keeps them as vectors and no
browser is needed in the workers.

WeasyPrint would fetch any URL a document names; reports are built from
user-entered text, so the fetcher refuses everything except our own static
files (read from disk through the staticfiles finders): no network access,
no local file outside the static folders.
"""

import datetime
import logging
import mimetypes
from pathlib import Path
from typing import BinaryIO
from urllib.parse import unquote, urlsplit

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from reports.builders import Progress, Scope
from reports.builders.pdf_data import CONTEXTS, TEMPLATES

# WeasyPrint logs every layout step at INFO; a worker's log needs its warnings only.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

# Documents are rendered against this made-up origin; only its static path is served,
# whatever STATIC_URL says (that one is for browsers, and may point at a CDN).
BASE_URL = "https://yardstick.invalid/"
STATIC_PREFIX = "/static/"


class StaticOnlyFetcher(URLFetcher):
    """Serves `BASE_URL` + STATIC_URL paths from the static files on disk; refuses the rest."""

    def __init__(self):
        super().__init__(allowed_protocols=("https",), allow_redirects=False)

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        path = static_path(url)
        if path is None:
            raise ValueError(f"reports load only their own static files, not {url[:200]!r}")
        content_type, _ = mimetypes.guess_type(path.name)
        return URLFetcherResponse(
            url=url,
            body=path.read_bytes(),
            headers={"Content-Type": content_type or "application/octet-stream"},
        )


def static_path(url: str) -> Path | None:
    """The file on disk behind a static URL of BASE_URL, or None for any other URL."""
    base = urlsplit(BASE_URL)
    parts = urlsplit(url)
    prefix = STATIC_PREFIX
    if (parts.scheme, parts.netloc) != (base.scheme, base.netloc):
        return None
    if not parts.path.startswith(prefix):
        return None
    relative = unquote(parts.path[len(prefix) :])
    if not relative or ".." in relative.split("/") or relative.startswith("/"):
        return None
    found = finders.find(relative)
    return Path(found) if found else None


def render_html(scope: Scope, today: datetime.date) -> str:
    """The report's HTML (the template of its scope with its figures)."""
    context = CONTEXTS[scope.kind](scope, today)
    return render_to_string(TEMPLATES[scope.kind], context)


def build_pdf(scope: Scope, out: BinaryIO, progress: Progress) -> None:
    """Write the PDF report of `scope` into `out`."""
    today = scope.today or timezone.localdate()
    progress(5)
    html = render_html(scope, today)
    progress(40)
    # Tagged PDF: headings, paragraphs, lists and tables carry their structure, so that
    # screen readers can navigate the report (pdfinfo says "Tagged: yes").
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=StaticOnlyFetcher()).render(
        pdf_tags=True
    )
    progress(85)
    document.write_pdf(out, pdf_tags=True)
    progress(100)
