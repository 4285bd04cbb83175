"""The shipped sets on a fresh install, used through the real views: a lead starts an
assessment on each, it is answered on the fill and interview screens, submitted, validated,
and its stored score is the engine's (for the rubric, the ML Test Score's rule computed here
on its own); the pages that show one assessment's figure show the rubric in points."""

import datetime
from decimal import Decimal
from fractions import Fraction
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from scoring import engine
from scoring.models import Score
from scoring.services.scores import stored_decimal
from surveys import question_set_format as fmt
from surveys.management.commands.import_question_set import GENAI_SET, TEST_RUBRIC_SET
from surveys.models import Answer, Assessment, AssessmentStatus, QuestionSet
from tests.surveys.test_shipped_sets import engine_spec, paper_band

pytestmark = pytest.mark.usefixtures("no_question_sets")

RUBRIC = fmt.parse(TEST_RUBRIC_SET.read_text(encoding="utf-8"))
GENAI = fmt.parse(GENAI_SET.read_text(encoding="utf-8"))
ASSESSED_ON = datetime.date(2026, 11, 2)  # before the pinned clock (tests/clock.py)


@pytest.fixture
def installed(db):
    """What `make run` does before the demo: every shipped set loaded."""
    call_command("import_question_set", stdout=StringIO())
    return {s.key: s for s in QuestionSet.objects.all()}


def start(client, user, project, question_set, mode: str) -> Assessment:
    client.force_login(user)
    response = client.post(
        reverse("assessment_start", args=[project.code]),
        {"mode": mode, "question_set": str(question_set.code), "assessed_on": str(ASSESSED_ON)},
    )
    assert response.status_code == 302, response.content[:500]
    return Assessment.objects.get(project=project, version__question_set=question_set)


def save(client, assessment, key: str, choice: str, **extra):
    answer = Answer.objects.get(assessment=assessment, question__key=key)
    return client.post(
        reverse("answer_save", args=[assessment.code, key]),
        {"base_revision": answer.revision, "answer": choice, **extra},
    )


def rubric_answers() -> dict[str, str]:
    """Data 5 of 7 (5 automated), model 2.5 of 7, infrastructure 7 of 7, monitoring 4 of 7."""
    plans = (
        ["automated"] * 5 + ["not-done"] * 2,
        ["automated"] + ["manual"] * 3 + ["not-done"] * 3,
        ["automated"] * 7,
        ["automated"] * 3 + ["manual"] * 2 + ["not-done"] * 2,
    )
    answers = {}
    for section, plan in zip(RUBRIC.sections, plans, strict=True):
        answers |= {q.key: o for q, o in zip(section.questions, plan, strict=True)}
    return answers


def test_a_fresh_install_offers_both_sets_when_starting_work(client, installed, lead, project):
    client.force_login(lead)
    page = client.get(reverse("project_detail", args=[project.code])).text
    assert f'<option value="{installed["ml-test-rubric"].code}">ML test rubric' in page
    assert f'<option value="{installed["genai-products"].code}">GenAI and LLM products' in page
    main = installed["mlops-maturity"]
    assert f'<option value="{main.code}" selected>{main.name} (default)</option>' in page


class TestTheRubricAsASelfFill:
    @pytest.fixture
    def assessment(self, client, installed, lead, project):
        return start(client, lead, project, installed["ml-test-rubric"], "self_fill")

    def test_the_fill_screen_offers_the_rubrics_answers_and_no_na(
        self, client, assessment, data_scientist
    ):
        client.force_login(data_scientist)
        page = client.get(reverse("assessment_fill", args=[assessment.code])).text
        assert "Automated, runs repeatedly" in page and "By hand, written down" in page
        assert 'value="na"' not in page
        assert "Data and features" in page and "Monitoring in production" in page

    def test_na_is_refused_from_the_browser(self, client, assessment, data_scientist):
        client.force_login(data_scientist)
        response = save(client, assessment, "ts-data-expectations", "na", na_reason="no data")
        assert response.status_code == 400
        assert "N/A is not an answer to this statement" in response.text
        answer = Answer.objects.get(assessment=assessment, question__key="ts-data-expectations")
        assert not answer.is_na and answer.option is None

    def test_answered_submitted_and_validated_it_stores_the_papers_score(
        self, client, assessment, data_scientist, group_assessor, project
    ):
        answers = rubric_answers()
        client.force_login(data_scientist)
        for key, choice in answers.items():
            assert save(client, assessment, key, choice).status_code in (200, 302)
        response = client.post(reverse("assessment_submit", args=[assessment.code]))
        assert response.status_code == 302
        client.force_login(group_assessor)
        response = client.post(reverse("assessment_validate", args=[assessment.code]))
        assert response.status_code == 302
        assessment.refresh_from_db()
        assert assessment.status == AssessmentStatus.VALIDATED

        # The rule of the ML Test Score, in exact arithmetic: sum per area, the lowest sum.
        value = {"automated": Fraction(1), "manual": Fraction(1, 2), "not-done": Fraction(0)}
        sums = {s.key: sum(value[answers[q.key]] for q in s.questions) for s in RUBRIC.sections}
        final = min(sums.values())
        assert final == Fraction(5, 2)
        score = Score.objects.get(assessment=assessment)
        assert score.overall == Decimal(str(round(float(final / 7), 5)))
        stored = {s.section.key: s.value for s in score.sections.select_related("section")}
        assert stored == {k: Decimal(str(round(float(v / 7), 5))) for k, v in sums.items()}
        assert score.level == RUBRIC.levels[paper_band(final)].name == "Reasonably tested"
        assert (score.answered, score.applicable) == (28, 28)

        # Shown in points wherever one assessment's figure is.
        detail = client.get(reverse("assessment_detail", args=[assessment.code])).text
        assert "2.5 of 7 points" in detail
        for text in ("5 of 7", "2.5 of 7", "7 of 7", "4 of 7"):
            assert f'<td class="num points">{text}</td>' in detail
        code = installed_code(project, "ml-test-rubric")
        page = client.get(reverse("project_detail", args=[project.code]), {"set": code}).text
        assert "<strong>2.5 of 7 points</strong>" in page
        assert "(Reasonably tested)" in page


def installed_code(project, key: str) -> str:
    return str(QuestionSet.objects.get(key=key).code)


class TestTheGenAISetAsAnInterview:
    def test_answered_in_the_console_and_finalised_it_stores_the_engines_score(
        self, client, installed, lead, project
    ):
        assessment = start(client, lead, project, installed["genai-products"], "interview")
        page = client.get(reverse("interview_console", args=[assessment.code])).text
        assert "Guard rails on inputs and outputs" in page
        assert "Human oversight and transparency" in page

        options = ["yes", "partly", "no"]
        applicable = [q for q in GENAI.questions if q.applies_to in ("all", project.kind)]
        answers: dict[str, str] = {}
        for index, question in enumerate(applicable):
            choice = "na" if question.key == "llm-tool-permissions" else options[index % 3]
            extra = {"na_reason": "The assistant calls no tools."} if choice == "na" else {}
            assert save(client, assessment, question.key, choice, **extra).status_code in (
                200,
                302,
            )
            answers[question.key] = choice
        response = client.post(reverse("interview_finalise", args=[assessment.code]))
        assert response.status_code == 302
        assessment.refresh_from_db()
        assert assessment.status == AssessmentStatus.VALIDATED

        result = engine.score(
            engine_spec(GENAI),
            [
                engine.AnswerInput(k, na=True) if v == "na" else engine.AnswerInput(k, option=v)
                for k, v in answers.items()
            ],
            project.kind,
        )
        score = Score.objects.get(assessment=assessment)
        assert score.overall == stored_decimal(result.overall)
        assert score.level == result.level
        stored = {s.section.key: s.value for s in score.sections.select_related("section")}
        assert stored == {k: stored_decimal(s.score) for k, s in result.sections.items()}
        # The batch-only statements are not asked of this real-time project.
        assert score.applicable == len(applicable) < len(GENAI.questions)
        detail = client.get(reverse("assessment_detail", args=[assessment.code])).text
        assert " of " not in detail.split('class="bigfigure"')[1].split("</p>")[0]


@pytest.mark.parametrize("key", ["ml-test-rubric", "genai-products"])
def test_the_sets_page_downloads_round_trip_through_excel_and_yaml(
    client, installed, group_admin, key
):
    """Download the published version as Excel from its page, load the workbook back as a
    new draft: the draft is the same set, and its YAML download is the shipped file's text."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from surveys import selectors

    spec = RUBRIC if key == "ml-test-rubric" else GENAI
    version = selectors.current_version(installed[key])
    client.force_login(group_admin)
    shipped_yaml = client.get(reverse("version_yaml", args=[version.code])).content
    assert shipped_yaml.decode("utf-8") == fmt.to_yaml(spec)
    workbook = client.get(reverse("version_xlsx", args=[version.code])).content
    response = client.post(
        reverse("version_draft_upload", args=[version.code]),
        {"file": SimpleUploadedFile(f"{key}.xlsx", workbook)},
    )
    assert response.status_code == 302
    draft = selectors.draft_of(installed[key])
    assert draft is not None and draft.number == 2
    assert selectors.version_as_spec(draft) == spec
    assert client.get(reverse("version_yaml", args=[draft.code])).content == shipped_yaml
