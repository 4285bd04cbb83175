"""Reports in the reader's language (issue 19, part 4): a report is built in the language it
was asked in, with the question set's texts from the set's translation in that language, and
exactly the same figures as in English.

The interface's catalogs may still be empty (the lead fills them once every part is marked):
the report's own words are compared with gettext in that language, never with French written
here, so that these tests hold before and after. The question set's texts are the shipped
default set's (edition 2), whose French translation is complete.
"""

import html
import io
import re
import shutil
import subprocess
from dataclasses import replace

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, pgettext
from openpyxl import load_workbook

from reports import builders
from reports.builders import Scope
from reports.builders.excel import SHEETS
from reports.builders.excel_sheets import SHEET_NAME_LENGTH, sheet_name
from reports.builders.pdf import render_html
from reports.dashboards import DashboardFilters
from reports.models import ReportJob, ReportStatus, report_storage
from reports.services import report_job_request, report_jobs_sweep
from reports.services.build import job_language
from reports.tasks import build_report
from scoring.selectors import assessment_result
from scoring.services import score_store
from surveys import question_set_format as fmt
from surveys import services
from surveys.management.commands.import_question_set import SHIPPED_SETS
from surveys.models import AssessmentStatus, Question
from tests import factories
from tests.clock import PINNED_TODAY
from tests.reports.dashboard_data import mean, recomputed
from tests.reports.jobs_support import celery_config, use_report_folder

pytestmark = pytest.mark.django_db

CHOICES = ("yes", "partly", "no", "yes", "na", "partly", "yes")
SHEET_CONTEXT = "Excel sheet name, 31 characters at most"
NOT_IN_SHEET_NAMES = set("[]:*?/\\")
needs_pdftotext = pytest.mark.skipif(
    shutil.which("pdftotext") is None,
    reason="pdftotext is missing: install poppler-utils (CI's .ci/run does)",
)


# --- data ---------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def eager(settings, tmp_path):
    use_report_folder(settings, tmp_path / "reports")
    with celery_config(task_always_eager=True):
        yield


@pytest.fixture(autouse=True)
def _no_language_left_behind():
    """A request in French leaves French active in this thread until something switches it
    off: do so, so that the next test in this process starts in English."""
    yield
    translation.deactivate()


@pytest.fixture
def translated_version():
    """The shipped default set (French complete), as a set of its own."""
    path = next(p for p in SHIPPED_SETS if p.name == "mlops_maturity.yaml")
    spec = replace(fmt.parse(path.read_text(encoding="utf-8")), key="mlops-reports-i18n")
    version, _ = services.question_set_import(spec=spec, publish=True)
    return version


def answers_for(version, seed: int) -> dict[str, str]:
    keys = list(version.questions.order_by("order").values_list("key", flat=True))
    return {key: CHOICES[(i * 3 + seed) % len(CHOICES)] for i, key in enumerate(keys)}


def validated(project, version, seed, on):
    assessment = factories.assessment(
        project,
        version,
        status=AssessmentStatus.VALIDATED,
        answers=answers_for(version, seed),
        assessed_on=on,
    )
    score_store(assessment=assessment)
    return assessment


@pytest.fixture
def figures(translated_version, brand, project):
    """`project` assessed twice, two more projects of its brand once, in the translated set."""
    earlier = PINNED_TODAY.replace(day=1)
    for seed, name in ((2, "Churn model"), (3, "Price elasticity")):
        other = factories.ProjectFactory(brand=brand, name=name, kind="batch")
        validated(other, translated_version, seed, earlier)
    validated(project, translated_version, 1, earlier)
    latest = validated(project, translated_version, 5, PINNED_TODAY)
    return {"version": translated_version, "latest": latest}


def set_query(version) -> str:
    return f"set={version.question_set.code}"


def french(question: Question, field: str = "text") -> str:
    return question.translations["fr"][field]


def ask(user, scope, fmt_, *, language, code=None, query="", captured=None):
    """Ask for a report in `language` and run its task (eager) once the row is committed."""
    with captured(execute=True):
        job = report_job_request(
            user=user, scope=scope, fmt=fmt_, code=code, query=query, language=language
        )
    job.refresh_from_db()
    assert job.status == ReportStatus.READY, job.error
    return job


def file_of(job) -> bytes:
    with report_storage.open(job.file.name, "rb") as stored:
        return stored.read()


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def flat(text: str) -> str:
    return " ".join(text.split())


def in_(language: str, text: str) -> str:
    with translation.override(language):
        return gettext(text)


# --- the language travels with the job ------------------------------------------------------


def test_a_report_asked_from_a_french_page_is_recorded_and_built_in_french(
    client, lead, brand, monkeypatch, django_capture_on_commit_callbacks
):
    seen = []

    def build(fmt_, scope, out, progress):
        seen.append(translation.get_language())
        out.write(b"report")

    monkeypatch.setattr(builders, "build", build)
    lead.language = "fr"
    lead.save()
    client.force_login(lead)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("report_list"),
            {"scope": "brand", "code": brand.code, "format": "pdf", "filters": ""},
        )
    job = ReportJob.objects.get(requested_by=lead)
    assert job.language == "fr" and job.report_language == "fr"
    assert seen == ["fr"]
    assert job.filename.endswith("-fr.pdf")


def test_without_a_choice_the_browsers_language_and_else_english_is_recorded(
    client, lead, brand, django_capture_on_commit_callbacks
):
    client.force_login(lead)
    form = {"scope": "brand", "code": brand.code, "format": "xlsx", "filters": ""}
    with django_capture_on_commit_callbacks():
        client.post(reverse("report_list"), form, HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9")
        client.post(reverse("report_list"), form)
    assert list(ReportJob.objects.order_by("id").values_list("language", flat=True)) == [
        "de",
        "en",
    ]
    # The English file keeps the name it always had.
    assert not ReportJob.objects.get(language="en").filename.endswith("-en.xlsx")


def test_the_celery_task_builds_in_the_jobs_language_whatever_the_worker_speaks(
    lead, brand, monkeypatch
):
    seen = []

    def build(fmt_, scope, out, progress):
        seen.append((translation.get_language(), gettext("Summary")))
        out.write(b"report")

    monkeypatch.setattr(builders, "build", build)
    job = ReportJob.objects.create(
        requested_by=lead, scope="brand", brand=brand, format="pdf", filename="r.pdf", language="fr"
    )
    with translation.override("en"):  # a worker has no request: English is active
        build_report.apply(args=[job.id]).get()
        assert translation.get_language() == "en"  # and stays so after the task
    assert seen == [("fr", in_("fr", "Summary"))]
    job.refresh_from_db()
    assert job.status == ReportStatus.READY


def test_a_job_from_before_languages_is_built_in_english(lead, brand):
    job = ReportJob.objects.create(
        requested_by=lead, scope="brand", brand=brand, format="pdf", filename="r.pdf"
    )
    assert job.language == "" and job.report_language == "en"
    assert job_language(job.id) == "en"


def test_the_sweep_writes_each_jobs_message_in_its_language(lead, brand):
    from reports.services.upkeep import _queued_message

    old = PINNED_TODAY.replace(year=PINNED_TODAY.year - 1)
    for language in ("fr", "de", ""):
        job = ReportJob.objects.create(
            requested_by=lead,
            scope="brand",
            brand=brand,
            format="pdf",
            filename="r.pdf",
            language=language,
        )
        ReportJob.objects.filter(pk=job.pk).update(created_at=f"{old}T10:00:00Z")
    assert report_jobs_sweep() == 3
    for job in ReportJob.objects.all():
        with translation.override(job.report_language):
            assert job.error == _queued_message()


# --- the PDF ---------------------------------------------------------------------------------


@needs_pdftotext
def test_a_french_project_pdf_has_the_sets_french_texts(
    figures, project, lead, tmp_path, django_capture_on_commit_callbacks
):
    """Built through the job and its task; its figures are compared with English and with
    the engine below, on the same HTML WeasyPrint prints."""
    version, latest = figures["version"], figures["latest"]
    job = ask(
        lead,
        "project",
        "pdf",
        language="fr",
        code=project.code,
        captured=django_capture_on_commit_callbacks,
    )
    text = {"fr": pdf_text(file_of(job), tmp_path)}
    fr = flat(text["fr"])

    # The set's French: statements (the answers of the latest assessment), sections, labels.
    answers = latest.answers.select_related("question__section", "option")
    for answer in answers.order_by("question__order")[:6]:
        words = " ".join(french(answer.question).split()[:5])
        assert words in fr, answer.question.key
        assert " ".join(answer.question.text.split()[:5]) not in fr
    for section in version.sections.all():
        assert flat(french(section, "title")) in fr
    assert "En partie" in fr and "Oui" in fr  # the scale's French labels
    result = assessment_result(latest)
    level = version.levels.get(name=result.level)
    assert french(level, "name") in fr
    # No statement fell back to English: nothing is marked as not yet translated.
    assert "*" not in fr

    # The report's own words, in whatever French the catalog holds.
    for heading in ("Section profile", "Improvement plan", "Answers"):
        assert in_("fr", heading) in text["fr"]
    assert f"{result.percent:.1f}".replace(".", ",") in fr  # the overall score, French style


def profile_cells(page: str) -> dict[str, list[str]]:
    """The section profile table of a project PDF's HTML: {row title: [its number cells]}."""
    table = page[page.index('id="profile"') :]
    table = table[table.index("<tbody>") : table.index("</tbody>")]
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table, re.S):
        title = re.sub(r"<[^>]+>", "", re.search(r"<th[^>]*>(.*?)</th>", row, re.S)[1])
        title = html.unescape(title).strip()
        rows[title] = [
            re.sub(r"<[^>]+>", " ", cell).split()[0]
            for cell in re.findall(r'<td class="num">(.*?)</td>', row, re.S)
        ]
    return rows


def number_cells(html: str) -> list[str]:
    """Every figure of the report's tables, in order (dates, whose months are words, left out)."""
    cells = [
        " ".join(re.sub(r"<[^>]+>", " ", cell).split())
        for cell in re.findall(r'<td class="num"[^>]*>(.*?)</td>', html, re.S)
    ]
    return [cell for cell in cells if not re.search(r"[^\W\d_]", cell)]


def test_the_french_pdfs_figures_are_the_english_ones_and_the_engines(figures, project, lead):
    version, latest = figures["version"], figures["latest"]
    scope = Scope(
        kind="project",
        user=lead,
        filters=DashboardFilters.parse({}, today=PINNED_TODAY),
        today=PINNED_TODAY,
        brand=project.brand,
        project=project,
    )
    pages = {}
    for language in ("en", "fr"):
        with translation.override(language):
            pages[language] = render_html(scope, PINNED_TODAY)
    english, french_rows = profile_cells(pages["en"]), profile_cells(pages["fr"])
    result = assessment_result(latest)
    assert french_rows.pop(in_("fr", "Overall"))[0] == f"{result.percent:.1f}".replace(".", ",")
    assert english.pop("Overall")[0] == f"{result.percent:.1f}"
    for section in version.sections.all():
        if section.key not in result.sections or result.sections[section.key].percent is None:
            continue
        cells = french_rows[french(section, "title")]
        assert cells == [c.replace(".", ",") for c in english[section.title]]
        expected = result.sections[section.key].percent
        assert float(cells[0].replace(",", ".")) == pytest.approx(expected, abs=0.05)
    # Every figure of every table, in the same order: the English ones, with French commas.
    numbers = {language: number_cells(page) for language, page in pages.items()}
    assert len(numbers["en"]) > 40
    assert numbers["fr"] == [n.replace(".", ",") for n in numbers["en"]]


@needs_pdftotext
def test_a_french_brand_pdf_gives_each_project_the_engines_figure(
    figures, brand, lead, tmp_path, django_capture_on_commit_callbacks
):
    version = figures["version"]
    job = ask(
        lead,
        "brand",
        "pdf",
        language="fr",
        code=brand.code,
        query=set_query(version),
        captured=django_capture_on_commit_callbacks,
    )
    text = pdf_text(file_of(job), tmp_path)
    results = recomputed(brand.projects.all(), PINNED_TODAY)
    mean_overall = mean(r.percent for r in results.values())
    assert f"{mean_overall:.1f}".replace(".", ",") + "%" in flat(text)
    for p in brand.projects.all():
        line = next(line for line in text.splitlines() if line.strip().startswith(p.name))
        assert f"{results[p.pk].percent:.1f}".replace(".", ",") in line, p.name
    # The twelve sections are numbered, with their French titles in the key.
    assert flat(french(version.sections.get(order=0), "title")) in flat(text)


def test_the_pdf_html_says_its_language_and_marks_texts_not_yet_translated(figures, project, lead):
    scope = Scope(
        kind="project",
        user=lead,
        filters=DashboardFilters.parse({}, today=PINNED_TODAY),
        today=PINNED_TODAY,
        brand=project.brand,
        project=project,
    )
    with translation.override("fr"):
        html = render_html(scope, PINNED_TODAY)
    assert '<html lang="fr">' in html
    assert 'class="untranslated"' not in html and 'id="untranslated-note"' not in html

    # German: the set has no German yet, so its texts show in English, marked as such.
    with translation.override("de"):
        german = render_html(scope, PINNED_TODAY)
    assert '<html lang="de">' in german
    assert 'id="untranslated-note"' in german
    question = figures["latest"].answers.order_by("question__order").first().question
    assert f'<span lang="en" class="untranslated">{question.text}</span>' in german


# --- the workbook -----------------------------------------------------------------------------


def table(ws) -> list[dict]:
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_a_french_project_workbook_has_french_texts_and_the_same_cells(
    figures, project, lead, django_capture_on_commit_callbacks
):
    latest = figures["latest"]
    books = {
        language: load_workbook(
            io.BytesIO(
                file_of(
                    ask(
                        lead,
                        "project",
                        "xlsx",
                        language=language,
                        code=project.code,
                        captured=django_capture_on_commit_callbacks,
                    )
                )
            )
        )
        for language in ("en", "fr")
    }
    en, fr = books["en"], books["fr"]
    with translation.override("fr"):
        names = [
            pgettext(SHEET_CONTEXT, name)
            for name in ("Summary", "Sections", "History", "Answers", "Improvement plan")
        ]
        statement, answer, section = gettext("Statement"), gettext("Answer"), gettext("Section")
    assert fr.sheetnames[:5] == names
    assert en.sheetnames[:5] == ["Summary", "Sections", "History", "Answers", "Improvement plan"]

    # The answers: statements, sections and labels from the set's French.
    rows = table(fr.worksheets[3])
    with translation.override("fr"):
        key = gettext("Question key")
    by_key = {row[key]: row for row in rows}
    for a in latest.answers.select_related("question__section", "option"):
        row = by_key[a.question.key]
        assert row[statement] == french(a.question)
        assert row[section] == french(a.question.section, "title")
        if a.option_id:
            assert row[answer] == french(a.option, "label")

    # Every number is the same cell as in English, and the engine's.
    def numbers(book) -> list:
        return [
            cell
            for ws in book.worksheets
            for row in ws.iter_rows(min_row=2, values_only=True)
            for cell in row
            if isinstance(cell, int | float) and not isinstance(cell, bool)
        ]

    assert numbers(fr) == numbers(en)
    result = assessment_result(latest)
    profile = table(fr.worksheets[1])
    overall = profile[0][list(profile[0])[1]]
    assert overall == pytest.approx(result.percent / 100, abs=1e-5)  # stored to 5 places


def test_an_english_and_a_french_request_for_the_same_report_are_two_files(
    figures, brand, lead, django_capture_on_commit_callbacks
):
    query = set_query(figures["version"])
    en, fr = (
        ask(
            lead,
            "brand",
            "xlsx",
            language=language,
            code=brand.code,
            query=query,
            captured=django_capture_on_commit_callbacks,
        )
        for language in ("en", "fr")
    )
    assert en.file.name != fr.file.name and en.filename != fr.filename
    assert fr.filename == en.filename.replace(".xlsx", "-fr.xlsx")
    question = figures["version"].questions.get(key="doc-purpose")
    english = load_workbook(io.BytesIO(file_of(en)))
    french_book = load_workbook(io.BytesIO(file_of(fr)))
    assert english.sheetnames[4] == "Answers"
    texts = {
        name: {cell for row in book.worksheets[4].values for cell in row}
        for name, book in (("en", english), ("fr", french_book))
    }
    assert question.text in texts["en"] and french(question) not in texts["en"]
    assert french(question) in texts["fr"] and question.text not in texts["fr"]


@pytest.mark.parametrize("code", [code for code, _ in settings.LANGUAGES])
def test_every_sheet_name_fits_excel_in_every_language(code):
    """Excel refuses a sheet name over 31 characters or with []:*?/\\ in it: each catalog's
    names must fit as they are (sheet_name would cut them, which no reader wants)."""
    with translation.override(code):
        names = [str(name) for name in SHEETS.values()]
        names += [pgettext(SHEET_CONTEXT, n) for n in ("Projects", "Brands", "Figures")]
    for name in names:
        assert len(name) <= SHEET_NAME_LENGTH, (code, name)
        assert not NOT_IN_SHEET_NAMES & set(name), (code, name)
        assert sheet_name(name) == name


def test_a_sheet_name_is_made_fit_for_excel():
    assert sheet_name("Actions: [Q3] de l'équipe / *?") == "Actions Q3 de l'équipe"
    assert len(sheet_name("Plan d'amélioration des projets de l'enseigne")) == SHEET_NAME_LENGTH
    assert sheet_name("???") == "Sheet"


# --- a download built in the request speaks its language ----------------------------------------


def test_a_rounds_workbook_downloaded_from_a_french_page_is_in_french(
    client, group_assessor, version, project
):
    from tests.surveys.test_rounds import _launch, _round

    round_ = _round(group_assessor, version.question_set)
    _launch(round_, group_assessor)
    group_assessor.language = "fr"
    group_assessor.save()
    client.force_login(group_assessor)
    response = client.get(reverse("round_xlsx", args=[round_.code]))
    book = load_workbook(io.BytesIO(response.content))
    with translation.override("fr"):
        expected = [pgettext(SHEET_CONTEXT, n) for n in ("Projects", "Brands", "Figures")]
        header = [str(h) for h in (gettext("Brand"), gettext("Project"))]
    assert book.sheetnames == expected
    assert [c.value for c in book.worksheets[0][1]][:2] == header
    csv = client.get(reverse("round_csv", args=[round_.code])).content.decode("utf-8-sig")
    assert csv.splitlines()[0].startswith(",".join(header))
