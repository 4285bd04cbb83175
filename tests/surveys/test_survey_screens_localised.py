"""The survey screens with another language active: what a script, a style or the upload reads
stays in machine form (issue 19, part 1), and survey.js gets its words from the page."""

import io
import json
import re

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from surveys import services, workbooks
from surveys.models import AnswerEvent, AnswerVia, Assessment, AssessmentMode
from surveys.services.workbooks import workbook_apply, workbook_download, workbook_preview
from surveys.spreadsheets import SpreadsheetError
from tests.surveys.workbook_files import save

pytestmark = pytest.mark.django_db


@pytest.fixture
def self_fill(project, lead, version):
    return services.assessment_start(
        project=project, user=lead, mode=AssessmentMode.SELF_FILL, version=version
    )


@pytest.fixture
def interview(project, lead, version):
    return services.assessment_start(
        project=project, user=lead, mode=AssessmentMode.INTERVIEW, version=version
    )


def _in_french(client, user):
    client.force_login(user)
    client.cookies["yardstick_language"] = "fr"
    user.language = "fr"
    user.save(update_fields=["language"])


def _answer_first(assessment, user, via):
    answer = assessment.answers.select_related("question").order_by("question__order").first()
    services.answer_save(
        assessment=assessment,
        question_key=answer.question.key,
        user=user,
        base_revision=answer.revision,
        data=services.AnswerInput(option="yes"),
        via=via,
    )


def test_the_fill_page_in_french_writes_the_progress_bar_for_the_browser(
    client, data_scientist, self_fill
):
    _answer_first(self_fill, data_scientist, AnswerVia.SELF_FILL)
    _in_french(client, data_scientist)
    page = client.get(reverse("assessment_fill", args=[self_fill.code])).content.decode()
    assert '<html lang="fr">' in page
    total = self_fill.answers.count()
    assert f'<progress id="overall-bar" max="{total}" value="1">' in page


def test_the_fill_page_hands_survey_js_its_words_with_every_plural_sample(
    client, data_scientist, self_fill
):
    client.force_login(data_scientist)
    page = client.get(reverse("assessment_fill", args=[self_fill.code])).content.decode()
    blob = re.search(r'<script id="survey-texts" type="application/json">(.*?)</script>', page)
    texts = json.loads(blob.group(1))
    assert texts["saving"] == "still saving"
    assert texts["verb"] % {"verb": "Not submitted"} == "Not submitted: "
    assert texts["pending"]["1"] % {"count": 1} == (
        "1 statement has a change not saved. Fix or undo it first."
    )
    assert set(texts["pending"]) == {"1", "2", "5", "20"}
    assert texts["answered"] % {"done": 3, "total": 5} == "Answered: 3 of 5."


def test_the_interview_console_in_french_writes_its_clock_in_seconds(client, lead, interview):
    Assessment.objects.filter(pk=interview.pk).update(interview_seconds=12345)
    _in_french(client, lead)
    page = client.get(reverse("interview_console", args=[interview.code])).content.decode()
    seconds = re.search(r'data-seconds="([^"]*)"', page).group(1)
    assert seconds.isdigit() and int(seconds) >= 12345
    assert 'data-said-answered="' in page and 'id="survey-texts"' in page


def test_the_answer_history_names_each_field_in_words(client, data_scientist, self_fill):
    _answer_first(self_fill, data_scientist, AnswerVia.SELF_FILL)
    key = self_fill.answers.order_by("question__order").first().question.key
    client.force_login(data_scientist)
    page = client.get(reverse("answer_history", args=[self_fill.code, key])).content.decode()
    assert '<span class="field">Option</span>: \u2013 → yes' in page


# --- the offline questionnaire is read by how it was written, not by the reader's words ---


FRENCH = {
    "sheets": {"Instructions": "Mode d'emploi", "Questionnaire": "Questionnaire rempli"},
    "headers": {
        "section": "Partie",
        "key": "Clé",
        "text": "Énoncé",
        "guidance": "Conseils",
        "core": "Essentiel",
        "answer": "Réponse",
        "na_reason": "Raison du sans objet",
        "comment": "Remarque",
        "evidence_url": "Lien vers la preuve",
    },
    "na": "Sans objet",
}


def test_a_workbook_written_in_other_words_is_read_back_by_its_recorded_layout(
    self_fill, lead, monkeypatch
):
    # Other sheet names, headers and N/A word, as a translated catalog gives them (the
    # catalogs may still be empty): reading the file back must not depend on the words.
    with monkeypatch.context() as patched:
        patched.setattr(workbooks, "_SHEET_TITLES", FRENCH["sheets"])
        patched.setattr(workbooks, "_HEADERS", FRENCH["headers"])
        patched.setattr(workbooks, "_NA_WORD", FRENCH["na"])
        with translation.override("fr"):
            _, content = workbook_download(assessment=self_fill, user=lead)

    wb = openpyxl.load_workbook(io.BytesIO(content))
    assert wb.sheetnames == ["Mode d'emploi", "Questionnaire rempli", workbooks.IDENTITY]
    sheet = wb["Questionnaire rempli"]
    headers = {c.value: c.column for c in sheet[1]}
    assert "Réponse" in headers and "Answer" not in headers
    first, second = (sheet.cell(row=r, column=headers["Clé"]).value for r in (2, 3))
    sheet.cell(row=2, column=headers["Réponse"]).value = "Yes"
    sheet.cell(row=3, column=headers["Réponse"]).value = "Sans objet"
    sheet.cell(row=3, column=headers["Raison du sans objet"]).value = "Pas de modèle en production"
    filled = save(wb)

    # Read back in English, with the words of the English file: the recorded layout rules.
    preview = workbook_preview(
        assessment=self_fill,
        user=lead,
        upload=SimpleUploadedFile("réponses.xlsx", filled, content_type=""),
    )
    assert [c.key for c in preview.changes] == [first, second]
    assert workbook_apply(assessment=self_fill, user=lead, preview=preview, take_file=set()) == 2
    answers = {a.question.key: a for a in self_fill.answers.select_related("question", "option")}
    assert answers[first].option.key == "yes"
    assert answers[second].is_na and answers[second].na_reason == "Pas de modèle en production"
    assert (
        AnswerEvent.objects.filter(answer__assessment=self_fill, via=AnswerVia.IMPORT).count() == 2
    )


def test_problems_in_a_workbook_name_its_columns_as_the_file_does(self_fill, lead, monkeypatch):
    with monkeypatch.context() as patched:
        patched.setattr(workbooks, "_SHEET_TITLES", FRENCH["sheets"])
        patched.setattr(workbooks, "_HEADERS", FRENCH["headers"])
        _, content = workbook_download(assessment=self_fill, user=lead)
    wb = openpyxl.load_workbook(io.BytesIO(content))
    sheet = wb["Questionnaire rempli"]
    sheet["F2"] = "Peut-être"
    with pytest.raises(SpreadsheetError) as refused:
        workbook_preview(
            assessment=self_fill,
            user=lead,
            upload=SimpleUploadedFile("a.xlsx", save(wb), content_type=""),
        )
    (problem,) = refused.value.problems
    assert problem.startswith("row 2, Réponse: 'Peut-être' is not one of Yes, Partly, No, N/A")
