"""Offline questionnaires through the services: download, fill, preview, apply, conflicts."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from surveys import services
from surveys.models import Answer, AnswerEvent, AnswerVia, AssessmentMode, AssessmentStatus
from surveys.services.imports import historic_template
from surveys.services.workbooks import (
    StalePreview,
    workbook_apply,
    workbook_download,
    workbook_preview,
)
from surveys.spreadsheets import SpreadsheetError
from surveys.workbooks import IDENTITY, INSTRUCTIONS, QUESTIONNAIRE
from tests import factories
from tests.surveys.workbook_files import fill, row_number, rows_of, save


def upload(content: bytes, name="answers.xlsx"):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@pytest.fixture
def self_fill(project, lead, version):
    return services.assessment_start(
        project=project, user=lead, mode=AssessmentMode.SELF_FILL, version=version
    )


def answers(assessment) -> dict[str, Answer]:
    return {
        a.question.key: a for a in assessment.answers.select_related("question", "option").all()
    }


def import_events(assessment):
    return AnswerEvent.objects.filter(answer__assessment=assessment, via=AnswerVia.IMPORT)


def save_online(assessment, user, key, **fields):
    answer = answers(assessment)[key]
    return services.answer_save(
        assessment=assessment,
        question_key=key,
        user=user,
        base_revision=answer.revision,
        data=services.AnswerInput(**fields),
        via=AnswerVia.SELF_FILL,
    )


def keys(assessment) -> list[str]:
    return [
        a.question.key
        for a in assessment.answers.select_related("question").order_by("question__order")
    ]


def test_the_download_has_instructions_first_and_one_row_per_applicable_statement(self_fill, lead):
    name, content = workbook_download(assessment=self_fill, user=lead)
    assert name.endswith(".xlsx") and "Cross-sell-API" in name
    wb = openpyxl.load_workbook(io.BytesIO(content))
    assert wb.sheetnames == [INSTRUCTIONS, QUESTIONNAIRE, IDENTITY]
    assert wb[IDENTITY].sheet_state == "veryHidden"
    rows = rows_of(content)
    assert [r["Key"] for r in rows] == keys(self_fill)
    assert all(r["Statement"] and r["Section"] for r in rows)
    sheet = wb[QUESTIONNAIRE]
    assert sheet.protection.sheet
    assert sheet["B2"].protection.locked and sheet["C2"].protection.locked
    assert not sheet["F2"].protection.locked and not sheet["H2"].protection.locked
    [validation] = sheet.data_validations.dataValidation
    assert validation.type == "list" and "F2" in str(validation.sqref)
    scale = [c.value for c in wb[INSTRUCTIONS]["A"] if c.value in {"Yes", "Partly", "No", "N/A"}]
    assert scale == ["Yes", "Partly", "No", "N/A"]


def test_a_round_trip_changes_exactly_what_was_typed_with_history_via_import(self_fill, lead):
    _, content = workbook_download(assessment=self_fill, user=lead)
    first, second, third = keys(self_fill)[:3]
    filled = fill(
        content,
        {
            first: {
                "Answer": "Yes",
                "Comment": "In git since 2021",
                "Evidence link": "https://git.example.com/x",
            },
            second: {"Answer": "partly"},
            third: {"Answer": "N/A", "N/A reason": "No model in production yet"},
        },
    )

    preview = workbook_preview(assessment=self_fill, user=lead, upload=upload(filled))
    assert [c.key for c in preview.changes] == [first, second, third]
    assert preview.changes[0].before["answer"] == "" and preview.changes[0].after["answer"] == "Yes"
    assert preview.conflicts == []
    assert import_events(self_fill).count() == 0  # the preview writes nothing

    assert workbook_apply(assessment=self_fill, user=lead, preview=preview, take_file=set()) == 3
    now = answers(self_fill)
    assert now[first].option.key == "yes"
    assert now[first].comment == "In git since 2021"
    assert now[first].evidence_url == "https://git.example.com/x"
    assert now[second].option.key == "partly"
    assert now[third].is_na and now[third].na_reason == "No model in production yet"
    events = import_events(self_fill)
    assert events.count() == 3
    assert all(e.actor == lead and "answers.xlsx" in e.note for e in events)


def test_the_downloaded_file_uploaded_as_it_is_changes_nothing(self_fill, lead):
    key = keys(self_fill)[0]
    save_online(self_fill, lead, key, option="no", comment='=HYPERLINK("http://evil")  ')
    _, content = workbook_download(assessment=self_fill, user=lead)
    cell = openpyxl.load_workbook(io.BytesIO(content))[QUESTIONNAIRE]["H2"]
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")

    preview = workbook_preview(assessment=self_fill, user=lead, upload=upload(content))
    assert preview.changes == [] and preview.kept_online == []
    assert preview.unchanged == len(keys(self_fill))


def test_an_answer_changed_online_and_in_the_file_is_a_conflict_the_user_decides(
    self_fill, lead, data_scientist
):
    a, b, c = keys(self_fill)[:3]
    _, content = workbook_download(assessment=self_fill, user=lead)
    save_online(self_fill, data_scientist, a, option="no")
    save_online(self_fill, data_scientist, b, option="partly")
    filled = fill(content, {a: {"Answer": "Yes"}, c: {"Answer": "Yes"}})

    preview = workbook_preview(assessment=self_fill, user=lead, upload=upload(filled))
    assert [(ch.key, ch.conflict) for ch in preview.changes] == [(a, True), (c, False)]
    assert preview.changes[0].before["answer"] == "No"
    # b was changed online only: the file left it alone, so the online answer stays.
    assert [k["key"] for k in preview.kept_online] == [b]

    workbook_apply(assessment=self_fill, user=lead, preview=preview, take_file=set())
    now = answers(self_fill)
    assert (now[a].option.key, now[b].option.key, now[c].option.key) == ("no", "partly", "yes")


def test_taking_the_file_for_a_conflict_overwrites_the_online_answer(
    self_fill, lead, data_scientist
):
    a = keys(self_fill)[0]
    _, content = workbook_download(assessment=self_fill, user=lead)
    save_online(self_fill, data_scientist, a, option="no")
    preview = workbook_preview(
        assessment=self_fill, user=lead, upload=upload(fill(content, {a: {"Answer": "Yes"}}))
    )
    workbook_apply(assessment=self_fill, user=lead, preview=preview, take_file={a})
    assert answers(self_fill)[a].option.key == "yes"
    assert answers(self_fill)[a].events.order_by("-revision").first().via == AnswerVia.IMPORT


def test_a_stale_preview_is_refused_and_nothing_is_written(self_fill, lead, data_scientist):
    a, b = keys(self_fill)[:2]
    _, content = workbook_download(assessment=self_fill, user=lead)
    filled = fill(content, {a: {"Answer": "Yes"}, b: {"Answer": "Yes"}})
    preview = workbook_preview(assessment=self_fill, user=lead, upload=upload(filled))
    save_online(self_fill, data_scientist, b, option="no")

    with pytest.raises(StalePreview, match=r"changed since the preview \(rows 3\)"):
        workbook_apply(assessment=self_fill, user=lead, preview=preview, take_file=set())
    assert import_events(self_fill).count() == 0
    assert answers(self_fill)[a].option is None


def test_a_fault_in_the_middle_of_apply_leaves_nothing_half_written(self_fill, lead, monkeypatch):
    a, b = keys(self_fill)[:2]
    _, content = workbook_download(assessment=self_fill, user=lead)
    filled = fill(content, {a: {"Answer": "Yes"}, b: {"Answer": "Yes"}})
    preview = workbook_preview(assessment=self_fill, user=lead, upload=upload(filled))
    from surveys.services import workbooks as module

    real = module.answer_save
    calls = []

    def failing_second(**kwargs):
        calls.append(kwargs["question_key"])
        if len(calls) == 2:
            raise services.BadAnswer("The disk is full.")
        return real(**kwargs)

    monkeypatch.setattr(module, "answer_save", failing_second)
    with pytest.raises(
        services.SurveyError, match=r"Row 3: The disk is full\. Nothing was saved\."
    ):
        workbook_apply(assessment=self_fill, user=lead, preview=preview, take_file=set())
    assert import_events(self_fill).count() == 0
    assert answers(self_fill)[a].option is None


def problems(assessment, user, content) -> list[str]:
    with pytest.raises(SpreadsheetError) as caught:
        workbook_preview(assessment=assessment, user=user, upload=upload(content))
    return caught.value.problems or [caught.value.message]


def test_bad_rows_are_listed_by_row_and_column_and_nothing_is_written(self_fill, lead):
    a, b, c, d, e = keys(self_fill)[:5]
    _, content = workbook_download(assessment=self_fill, user=lead)
    filled = fill(
        content,
        {
            a: {"Answer": "Yess"},
            b: {"Answer": "N/A"},
            c: {"Answer": "Yes", "Evidence link": "javascript:alert(1)"},
            d: {"Answer": "=A1"},
            e: {"Answer": "No", "Comment": "x" * 5001},
        },
    )
    found = problems(self_fill, lead, filled)
    row = {k: row_number(content, k) for k in (a, b, c, d, e)}
    assert found == [
        f"row {row[d]}, Answer: a formula (=A1) where a value is expected",
        f"row {row[e]}, Comment: is 5001 characters long, more than 5000",
    ]
    # Cell-level problems come first (the whole sheet is read before the answers are
    # matched); with those fixed, the answer-level ones are listed.
    fixed = fill(filled, {d: {"Answer": "Yes"}, e: {"Comment": "short"}})
    assert problems(self_fill, lead, fixed) == [
        f"row {row[a]}, Answer: 'Yess' is not one of Yes, Partly, No, N/A",
        f"row {row[b]}, N/A reason: N/A needs a reason (say why the statement does not apply)",
        f"row {row[c]}, Evidence link: 'javascript:alert(1)' is not a web address starting "
        "with http:// or https://",
    ]
    assert import_events(self_fill).count() == 0


def test_unknown_and_duplicate_keys_are_named(self_fill, lead):
    _, content = workbook_download(assessment=self_fill, user=lead)
    wb = openpyxl.load_workbook(io.BytesIO(content))
    sheet = wb[QUESTIONNAIRE]
    sheet.protection.sheet = False
    sheet["B2"] = "made-up-key"
    sheet["B4"] = sheet["B3"].value
    found = problems(self_fill, lead, save(wb))
    assert found == [f"row 4, Key: '{sheet['B3'].value}' is already on row 3"]
    sheet["B4"] = "another-one"
    found = problems(self_fill, lead, save(wb))
    assert found == [
        "row 2, Key: 'made-up-key' is not a statement of this assessment",
        "row 4, Key: 'another-one' is not a statement of this assessment",
    ]


def test_a_deleted_column_is_named(self_fill, lead):
    _, content = workbook_download(assessment=self_fill, user=lead)
    wb = openpyxl.load_workbook(io.BytesIO(content))
    wb[QUESTIONNAIRE].delete_cols(7)
    [problem] = problems(self_fill, lead, save(wb))
    assert "missing the column 'N/A reason'" in problem


def test_a_workbook_of_another_assessment_is_refused_naming_it(self_fill, lead, project, version):
    _, content = workbook_download(assessment=self_fill, user=lead)
    other = services.assessment_start(
        project=factories.ProjectFactory(brand=project.brand, name="Demand forecast"),
        user=lead,
        mode=AssessmentMode.SELF_FILL,
        version=version,
    )
    [message] = problems(other, lead, content)
    assert "belongs to another assessment: Cross-sell API" in message
    assert "not Demand forecast" in message


def test_a_workbook_of_another_brand_is_refused_without_naming_it(
    self_fill, lead, other_project, version
):
    outsider = factories.member(other_project.brand)
    theirs = services.assessment_start(
        project=other_project, user=outsider, mode=AssessmentMode.SELF_FILL, version=version
    )
    _, content = workbook_download(assessment=theirs, user=outsider)
    [message] = problems(self_fill, lead, content)
    assert "another assessment, one you cannot see" in message
    assert other_project.name not in message


def test_a_tampered_identity_is_refused(self_fill, lead):
    _, content = workbook_download(assessment=self_fill, user=lead)
    wb = openpyxl.load_workbook(io.BytesIO(content))
    token = wb[IDENTITY]["B2"].value
    wb[IDENTITY]["B2"] = token[:-3] + ("abc" if not token.endswith("abc") else "xyz")
    [message] = problems(self_fill, lead, save(wb))
    assert "identity" in message and "changed or damaged" in message


def test_a_workbook_without_identity_is_refused(self_fill, lead):
    _, content = workbook_download(assessment=self_fill, user=lead)
    wb = openpyxl.load_workbook(io.BytesIO(content))
    del wb[IDENTITY]
    [message] = problems(self_fill, lead, save(wb))
    assert "not downloaded from Yardstick" in message


def test_a_historic_template_is_not_an_assessment_questionnaire(
    self_fill, project, group_assessor, lead, version
):
    _, content = historic_template(project=project, user=group_assessor, version=version)
    [message] = problems(self_fill, lead, content)
    assert "template for importing an earlier round" in message


def test_a_workbook_from_before_an_upgrade_names_the_upgrade(self_fill, lead, version):
    _, content = workbook_download(assessment=self_fill, user=lead)
    admin = factories.UserFactory(group_role="admin")
    draft = services.version_draft_copy(version=version, user=admin)
    services.draft_question_add(
        version=draft,
        user=admin,
        key="doc-glossary",
        edit=services.QuestionEdit(text="The terms are explained.", section="documentation"),
    )
    services.draft_publish(version=draft, user=admin)
    upgraded = services.assessment_upgrade(assessment=self_fill, user=lead)
    [message] = problems(upgraded, lead, content)
    assert "downloaded before the assessment was upgraded" in message


def test_only_people_who_may_edit_the_answers_download_or_upload(
    self_fill, viewer, lead, version, project
):
    with pytest.raises(services.NotAllowed):
        workbook_download(assessment=self_fill, user=viewer)
    _, content = workbook_download(assessment=self_fill, user=lead)
    with pytest.raises(services.NotAllowed):
        workbook_preview(assessment=self_fill, user=viewer, upload=upload(content))
    validated = factories.assessment(project, version, status=AssessmentStatus.VALIDATED)
    with pytest.raises(services.NotAllowed):
        workbook_download(assessment=validated, user=lead)


def test_rows_are_matched_by_key_whatever_their_order(self_fill, lead):
    a, b = keys(self_fill)[:2]
    _, content = workbook_download(assessment=self_fill, user=lead)
    wb = openpyxl.load_workbook(
        io.BytesIO(fill(content, {a: {"Answer": "No"}, b: {"Answer": "Yes"}}))
    )
    sheet = wb[QUESTIONNAIRE]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    for number, values in enumerate(reversed(rows), 2):
        for column, value in enumerate(values, 1):
            sheet.cell(row=number, column=column).value = value
    preview = workbook_preview(assessment=self_fill, user=lead, upload=upload(save(wb)))
    last = len(rows) + 1
    assert [(c.key, c.row, c.after["option"]) for c in preview.changes] == [
        (b, last - 1, "yes"),
        (a, last, "no"),
    ]


def test_a_reviewer_can_bring_in_a_workbook_for_a_submitted_self_fill(self_fill, lead):
    for answer in self_fill.answers.select_related("question"):
        save_online(self_fill, lead, answer.question.key, option="partly")
    services.assessment_submit(assessment=self_fill, user=lead)
    self_fill.refresh_from_db()
    [a] = keys(self_fill)[:1]
    _, content = workbook_download(assessment=self_fill, user=lead)
    preview = workbook_preview(
        assessment=self_fill, user=lead, upload=upload(fill(content, {a: {"Answer": "Yes"}}))
    )
    with pytest.raises(services.BadAnswer, match="in review needs a note"):
        workbook_apply(assessment=self_fill, user=lead, preview=preview, take_file=set())
    assert import_events(self_fill).count() == 0

    saved = workbook_apply(
        assessment=self_fill, user=lead, preview=preview, take_file=set(), note="Agreed on a call"
    )
    assert saved == 1
    assert answers(self_fill)[a].option.key == "yes"
    assert import_events(self_fill).get().note == (
        "Agreed on a call (imported from the workbook answers.xlsx)"
    )


def test_the_interviewer_fills_an_interview_offline(project, lead, version):
    interview = services.assessment_start(
        project=project, user=lead, mode=AssessmentMode.INTERVIEW, version=version
    )
    [a] = keys(interview)[:1]
    _, content = workbook_download(assessment=interview, user=lead)
    preview = workbook_preview(
        assessment=interview, user=lead, upload=upload(fill(content, {a: {"Answer": "No"}}))
    )
    workbook_apply(assessment=interview, user=lead, preview=preview, take_file=set())
    assert answers(interview)[a].option.key == "no"
