"""Earlier rounds from a spreadsheet: a validated assessment of a past date that the trends count."""

import datetime as dt
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from scoring.models import Score
from scoring.selectors.trends import project_series
from surveys import services
from surveys.models import AnswerEvent, AnswerVia, Assessment, AssessmentMode, AssessmentStatus
from surveys.services.imports import historic_import, historic_template
from surveys.spreadsheets import SpreadsheetError
from surveys.workbooks import QUESTIONNAIRE
from tests import factories
from tests.surveys.workbook_files import fill, rows_of

ROUND = dt.date(2023, 6, 30)


def upload(content: bytes, name="round-2023.xlsx"):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@pytest.fixture
def template(project, group_assessor, version) -> bytes:
    return historic_template(project=project, user=group_assessor, version=version)[1]


def filled(template: bytes, answer="Yes", **overrides) -> bytes:
    edits = {row["Key"]: {"Answer": answer} for row in rows_of(template)}
    for key, value in overrides.items():
        edits[key.replace("_", "-")] = value
    return fill(template, edits)


def test_the_template_lists_the_statements_that_apply_to_the_project(template, project, version):
    expected = [
        q.key for q in version.questions.order_by("order") if q.applies_to_kind(project.kind)
    ]
    rows = rows_of(template)
    assert [r["Key"] for r in rows] == expected
    assert all(r["Answer"] is None for r in rows)
    assert len(expected) < version.questions.count()  # the realtime project skips batch ones


def test_an_imported_round_is_validated_on_its_date_scored_and_in_the_trend(
    template, project, group_assessor
):
    keys = [r["Key"] for r in rows_of(template)]
    content = filled(
        template, **{keys[0]: {"Answer": "No"}, keys[1]: {"Answer": "N/A", "N/A reason": "No UI"}}
    )
    assessment = historic_import(
        project=project, user=group_assessor, upload=upload(content), assessed_on=ROUND
    )
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.VALIDATED
    assert assessment.assessed_on == ROUND
    assert timezone.localtime(assessment.validated_at).date() == ROUND
    assert timezone.localtime(assessment.created_at).date() == ROUND
    assert assessment.validated_by == group_assessor
    answers = {a.question.key: a for a in assessment.answers.select_related("question", "option")}
    assert answers[keys[0]].option.key == "no"
    assert answers[keys[1]].is_na and answers[keys[1]].na_reason == "No UI"
    assert all(a.is_answered for a in answers.values())
    events = AnswerEvent.objects.filter(answer__assessment=assessment)
    assert events.count() == len(keys)
    assert set(events.values_list("via", flat=True)) == {AnswerVia.IMPORT}
    assert "round-2023.xlsx" in events.first().note
    score = Score.objects.get(assessment=assessment)
    assert 0 < score.overall < 1

    points = project_series(project).points
    assert [(p.assessed_on, p.assessment_code) for p in points] == [(ROUND, str(assessment.code))]
    assert points[0].percent is not None


def test_a_future_date_is_refused(template, project, group_assessor):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(services.SurveyError, match="in the future"):
        historic_import(
            project=project,
            user=group_assessor,
            upload=upload(filled(template)),
            assessed_on=tomorrow,
        )
    assert not project.assessments.exists()


def test_a_second_assessment_on_the_same_day_is_refused(template, project, group_assessor, version):
    factories.assessment(project, version, assessed_on=ROUND)
    with pytest.raises(services.SurveyError, match="already has an assessment on 30 Jun 2023"):
        historic_import(
            project=project, user=group_assessor, upload=upload(filled(template)), assessed_on=ROUND
        )
    assert project.assessments.count() == 1


def test_every_statement_needs_an_answer(template, project, group_assessor):
    keys = [r["Key"] for r in rows_of(template)]
    content = filled(template, **{keys[2]: {"Answer": None}})
    with pytest.raises(SpreadsheetError) as caught:
        historic_import(
            project=project, user=group_assessor, upload=upload(content), assessed_on=ROUND
        )
    assert caught.value.problems == ["row 4, Answer: empty; an earlier round needs every answer"]
    assert not Assessment.objects.filter(project=project).exists()


def test_a_deleted_row_is_named(template, project, group_assessor):
    wb = openpyxl.load_workbook(io.BytesIO(filled(template)))
    key = wb[QUESTIONNAIRE]["B5"].value
    wb[QUESTIONNAIRE].delete_rows(5)
    out = io.BytesIO()
    wb.save(out)
    with pytest.raises(SpreadsheetError) as caught:
        historic_import(
            project=project, user=group_assessor, upload=upload(out.getvalue()), assessed_on=ROUND
        )
    assert caught.value.problems == [f"statement '{key}' is missing from the file"]


def test_a_template_of_another_project_is_refused(project, brand, group_assessor, version):
    other = factories.ProjectFactory(brand=brand, name="Demand forecast", kind="realtime")
    _, content = historic_template(project=other, user=group_assessor, version=version)
    with pytest.raises(SpreadsheetError, match="made for another project"):
        historic_import(
            project=project,
            user=group_assessor,
            upload=upload(filled(content)),
            assessed_on=ROUND,
        )
    assert not project.assessments.exists()


def test_only_group_assessors_and_admins_import_earlier_rounds(template, project, lead, version):
    with pytest.raises(services.NotAllowed):
        historic_template(project=project, user=lead, version=version)
    with pytest.raises(services.NotAllowed):
        historic_import(
            project=project, user=lead, upload=upload(filled(template)), assessed_on=ROUND
        )
    assert not project.assessments.exists()


# ---------------------------------------------------------------- the pages


def test_the_assessor_imports_a_round_through_the_page(client, template, project, group_assessor):
    client.force_login(group_assessor)
    page = client.get(reverse("project_detail", args=[project.code]))
    assert reverse("historic_import", args=[project.code]) in page.content.decode()
    response = client.get(reverse("historic_template", args=[project.code]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert rows_of(response.content)[0]["Key"] == rows_of(template)[0]["Key"]

    response = client.post(
        reverse("historic_import", args=[project.code]),
        {
            "assessed_on": "2023-06-30",
            "mode": AssessmentMode.SELF_FILL,
            "workbook": upload(filled(template)),
        },
    )
    assessment = project.assessments.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("assessment_detail", args=[assessment.code])
    assert assessment.mode == AssessmentMode.SELF_FILL and assessment.is_validated


def test_the_page_lists_the_problems_and_imports_nothing(client, template, project, group_assessor):
    client.force_login(group_assessor)
    content = filled(template, answer="Yess")
    response = client.post(
        reverse("historic_import", args=[project.code]),
        {"assessed_on": "2023-06-30", "mode": "interview", "workbook": upload(content)},
    )
    assert response.status_code == 400
    assert (
        "Row 2, Answer: &#x27;Yess&#x27; is not one of Yes, Partly, No, N/A"
        in response.content.decode()
    )
    assert not project.assessments.exists()


def test_a_lead_is_sent_back_from_the_import_page(client, project, lead):
    client.force_login(lead)
    response = client.get(reverse("historic_import", args=[project.code]), follow=True)
    assert "Only group assessors and admins" in response.content.decode()
    assert reverse("historic_import", args=[project.code]) not in response.content.decode()


def test_another_brand_gets_404(client, project, outsider):
    client.force_login(outsider)
    assert client.get(reverse("historic_import", args=[project.code])).status_code == 404
    assert client.get(reverse("historic_template", args=[project.code])).status_code == 404
