"""Respondents choose their language (issue 19, part 3): the self-fill, the interview console,
the offline questionnaire and the e-mails speak the respondent's language; each answer records
the language its statement was shown in; the scores never depend on it.

The interface catalogs may still be empty: what the interface says is compared with `gettext`
under the language, so these tests hold before and after the translations are filled in. The
statements come from the question set's own translations (the default set has nl and fr).
"""

import datetime
import html as html_lib
import io
import re

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, ngettext

from brands.models import BrandRole
from scoring.models import Score
from surveys import services, workbooks
from surveys.models import Answer, AnswerEvent, AnswerVia, AssessmentMode, Invitation, Question
from surveys.services import invitations as invitation_services
from surveys.services.reminders import round_reminders_send
from surveys.services.workbooks import workbook_apply, workbook_download, workbook_preview
from tests import factories
from tests.surveys import translated_set
from tests.surveys.workbook_files import save

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def version(version):
    """The default set, with Dutch and French texts."""
    yield translated_set.translate(version)
    translated_set.forget_languages()


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


def _answers(assessment) -> list[Answer]:
    return list(
        assessment.answers.select_related("question__section", "option").order_by("question__order")
    )


def _in(question: Question, language: str, field: str = "text") -> str:
    return question.translations[language][field]


def _page(response) -> str:
    assert response.status_code == 200, response.status_code
    return html_lib.unescape(response.content.decode())


def _save(client, assessment, row: Answer, **posted):
    return client.post(
        reverse("answer_save", args=[assessment.code, row.question.key]),
        {"base_revision": row.revision, **posted},
    )


# --- the self-fill ----------------------------------------------------------------------------


def test_the_fill_page_in_dutch_shows_the_sets_dutch_statements(client, data_scientist, self_fill):
    data_scientist.language = "nl"
    data_scientist.save(update_fields=["language"])
    client.force_login(data_scientist)
    page = _page(client.get(reverse("assessment_fill", args=[self_fill.code])))

    first = _answers(self_fill)[0].question
    assert '<html lang="nl">' in page
    assert _in(first, "nl") in page and first.text not in page
    assert _in(first.section, "nl", "title") in page
    assert _in(first, "nl", "why") in page
    assert "> Ja</label>" in page and "> Deels</label>" in page
    # The statement is in the page's own language: no lang attribute, no fallback note.
    assert f"<legend>{_in(first, 'nl')} <span class=" in page
    assert '<input type="hidden" name="language" value="nl">' in page
    with translation.override("nl"):
        assert gettext("Submit the assessment") in page


def test_a_statement_without_a_translation_shows_in_english_marked_as_such(
    client, data_scientist, self_fill
):
    first = _answers(self_fill)[0].question
    Question.objects.filter(pk=first.pk).update(translations={})
    data_scientist.language = "nl"
    data_scientist.save(update_fields=["language"])
    client.force_login(data_scientist)
    page = _page(client.get(reverse("assessment_fill", args=[self_fill.code])))
    assert f'<legend><span lang="en">{first.text}</span> ' in page
    assert '<small class="fallback-note" lang="en">(English)</small>' in page


def test_the_respondent_chooses_the_statements_language_and_it_is_kept(
    client, data_scientist, self_fill
):
    client.force_login(data_scientist)
    url = reverse("assessment_fill", args=[self_fill.code])
    page = _page(client.get(url, {"lang": "fr"}))
    first = _answers(self_fill)[0].question
    assert '<html lang="en">' in page  # the interface stays in the person's language
    assert f'<span lang="fr">{_in(first, "fr")}</span>' in page
    assert re.search(r'<option value="fr" lang="fr" selected>Français</option>', page)
    assert [code for code in re.findall(r'<option value="(\w+)" lang', page)][:3] == [
        "en",
        "nl",
        "fr",
    ]
    # Kept for this assessment while they fill, without the parameter.
    assert f'<span lang="fr">{_in(first, "fr")}</span>' in _page(client.get(url))
    # A language the set does not have is not offered and changes nothing.
    assert f'<span lang="fr">{_in(first, "fr")}</span>' in _page(client.get(url, {"lang": "xx"}))


def test_a_question_sent_back_by_an_autosave_stays_in_the_language_it_was_shown_in(
    client, data_scientist, lead, self_fill
):
    answer = _answers(self_fill)[0]
    services.answer_save(
        assessment=self_fill,
        question_key=answer.question.key,
        user=lead,
        base_revision=answer.revision,
        data=services.AnswerInput(option="no"),
        via=AnswerVia.SELF_FILL,
    )
    client.force_login(data_scientist)
    # Based on the old revision: a conflict, which sends the whole question back.
    response = client.post(
        reverse("answer_save", args=[self_fill.code, answer.question.key]),
        {"base_revision": answer.revision, "answer": "yes", "language": "fr"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 409
    fragment = html_lib.unescape(response.content.decode())
    assert (
        _in(answer.question, "fr") in fragment and '<span lang="fr">Non</span></label>' in fragment
    )
    assert '<input type="hidden" name="language" value="fr">' in fragment


def test_an_answer_records_the_language_its_statement_was_shown_in(
    client, data_scientist, self_fill
):
    first, second = _answers(self_fill)[:2]
    Question.objects.filter(pk=second.question.pk).update(translations={})
    client.force_login(data_scientist)
    assert _save(client, self_fill, first, answer="yes", language="nl").status_code == 302
    assert _save(client, self_fill, second, answer="no", language="nl").status_code == 302

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.language == "nl"
    # No Dutch text for that statement: it was shown in English, and that is what counts.
    assert second.language == "en"
    assert AnswerEvent.objects.get(answer=first).language == "nl"

    # A comment alone does not change the language the answer was chosen in.
    assert _save(client, self_fill, first, comment="Checked", language="fr").status_code == 302
    first.refresh_from_db()
    assert (first.language, first.comment) == ("nl", "Checked")
    assert AnswerEvent.objects.filter(answer=first).order_by("revision").last().language == "fr"


def test_a_language_yardstick_does_not_speak_is_refused_with_a_clear_message(
    client, data_scientist, self_fill
):
    answer = _answers(self_fill)[0]
    client.force_login(data_scientist)
    response = _save(client, self_fill, answer, answer="yes", language="xx")
    assert response.status_code == 400
    assert "The statement&#x27;s language was sent as &#x27;xx&#x27;" in response.text
    assert "Nothing was saved" in response.text
    fragment = client.post(
        reverse("answer_save", args=[self_fill.code, answer.question.key]),
        {"base_revision": answer.revision, "answer": "yes", "language": "xx"},
        HTTP_HX_REQUEST="true",
    )
    assert fragment.status_code == 400
    assert "Not saved" in fragment.text and "not one of Yardstick" in fragment.text
    answer.refresh_from_db()
    assert (answer.revision, answer.option_id, answer.language) == (0, None, "")


def test_answers_carried_over_keep_their_language(project, lead, version, data_scientist):
    validated = factories.submitted_self_fill(
        project, version, lead=lead, respondent=data_scientist
    )
    Answer.objects.filter(assessment=validated).update(language="nl")
    services.assessment_validate(assessment=validated, user=lead)
    new = services.assessment_start(
        project=project, user=lead, mode=AssessmentMode.SELF_FILL, version=version
    )
    assert {a.language for a in new.answers.all()} == {"nl"}


def test_the_same_answers_in_dutch_and_in_english_score_the_same(
    brand, lead, version, data_scientist
):
    scores = []
    for language in ("nl", "en"):
        project = factories.ProjectFactory(brand=brand, name=f"Project {language}", kind="both")
        project.team.add(data_scientist)
        assessment = services.assessment_start(
            project=project, user=lead, mode=AssessmentMode.SELF_FILL, version=version
        )
        for n, answer in enumerate(_answers(assessment)):
            services.answer_save(
                assessment=assessment,
                question_key=answer.question.key,
                user=data_scientist,
                base_revision=answer.revision,
                data=services.AnswerInput(option=("yes", "partly", "no")[n % 3]),
                via=AnswerVia.SELF_FILL,
                language=language,
            )
        assert {a.language for a in assessment.answers.all()} <= {language, "en"}
        services.assessment_submit(assessment=assessment, user=data_scientist)
        score = Score.objects.get(assessment=assessment)
        sections = {s.section.key: s.value for s in score.sections.select_related("section")}
        scores.append((score.overall, score.level, score.all_core_met, sections))
    assert scores[0] == scores[1]


# --- the interview console ----------------------------------------------------------------------


def test_the_interviewer_switches_the_statements_language_during_the_session(
    client, lead, interview
):
    client.force_login(lead)
    url = reverse("interview_console", args=[interview.code])
    first, second = (a.question for a in _answers(interview)[:2])
    page = _page(client.get(url))
    assert first.text in page

    page = _page(client.get(url, {"lang": "nl", "q": 1}))
    assert f'<span lang="nl">{_in(first, "nl")}</span>' in page
    assert f'lang="nl">{_in(first, "nl", "evidence")}' in page
    assert '<html lang="en">' in page and "Question 1 of" in page  # the console stays English

    # Kept for the rest of the session, question after question.
    page = _page(client.get(url, {"q": 2}))
    assert f'<span lang="nl">{_in(second, "nl")}</span>' in page
    assert '<input type="hidden" name="language" value="nl">' in page

    page = _page(client.get(url, {"lang": "en", "q": 2}))
    assert second.text in page and _in(second, "nl") not in page


def test_an_answer_given_in_the_console_records_the_language_shown(client, lead, interview):
    client.force_login(lead)
    answer = _answers(interview)[0]
    _save(client, interview, answer, answer="partly", language="fr")
    answer.refresh_from_db()
    assert answer.language == "fr"


# --- invitations --------------------------------------------------------------------------------


def _invite(client, lead, assessment, email, **extra):
    client.force_login(lead)
    return client.post(
        reverse("invitation_list", args=[assessment.code]), {"email": email, **extra}
    )


def test_the_invitation_is_written_in_the_language_the_inviter_chose(
    client, lead, self_fill, mailoutbox
):
    response = _invite(client, lead, self_fill, "nieuw@example.com", language="nl")
    assert response.status_code == 302
    invitation = Invitation.objects.get(email="nieuw@example.com")
    assert invitation.language == "nl"
    (mail,) = mailoutbox
    assert mail.extra_headers["Content-Language"] == "nl"
    with translation.override("nl"):
        subject = gettext("Please fill in the MLOps assessment of %(project)s") % {
            "project": self_fill.project.name
        }
        closing = gettext(
            "If you did not expect this e-mail, you can ignore it: nothing happens unless you "
            "follow the link."
        )
    assert mail.subject == subject and closing in mail.body

    # A reminder keeps the invitation's language, whoever sends it in whatever language.
    lead.language = "fr"
    lead.save(update_fields=["language"])
    client.post(reverse("invitation_remind", args=[invitation.code]))
    assert mailoutbox[-1].extra_headers["Content-Language"] == "nl"


def test_without_a_choice_a_known_invitee_gets_their_own_language_else_the_inviters(
    client, lead, self_fill, brand, mailoutbox
):
    known = factories.member(brand, BrandRole.DATA_SCIENTIST, email="known@example.com")
    known.language = "fr"
    known.save(update_fields=["language"])
    lead.language = "nl"
    lead.save(update_fields=["language"])
    _invite(client, lead, self_fill, "known@example.com")
    _invite(client, lead, self_fill, "stranger@example.com")
    languages = dict(Invitation.objects.values_list("email", "language"))
    assert languages == {"known@example.com": "fr", "stranger@example.com": "nl"}


def test_an_unknown_invitation_language_is_refused(client, lead, self_fill, mailoutbox):
    response = _invite(client, lead, self_fill, "someone@example.com", language="tlh")
    assert response.status_code == 400
    assert "Choose one of Yardstick" in response.text
    assert not Invitation.objects.exists() and mailoutbox == []


def test_the_invitation_page_and_the_self_fill_speak_its_language_to_a_newcomer(
    client, lead, self_fill
):
    invitation = Invitation.objects.create(
        assessment=self_fill, email="nieuw@example.com", created_by=lead, language="nl"
    )
    url = reverse("invitation_accept", args=[invitation_services.invitation_token(invitation)])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert '<html lang="nl">' in page.text
    with translation.override("nl"):
        assert html_lib.escape(gettext("Create your Yardstick account")) in page.text

    response = client.post(
        url,
        {
            "first_name": "Nina",
            "last_name": "de Vries",
            "password1": "a long and unusual pass phrase",
            "password2": "a long and unusual pass phrase",
        },
    )
    fill = reverse("assessment_fill", args=[self_fill.code])
    assert response.status_code == 302 and response.url == fill
    assert response.cookies["yardstick_language"].value == "nl"
    page = _page(client.get(response.url, HTTP_ACCEPT_LANGUAGE="en"))
    first = _answers(self_fill)[0].question
    assert '<html lang="nl">' in page and _in(first, "nl") in page


def test_someone_who_chose_a_language_keeps_it_on_the_invitation_page(client, lead, self_fill):
    invitation = Invitation.objects.create(
        assessment=self_fill, email="nieuw@example.com", created_by=lead, language="nl"
    )
    url = reverse("invitation_accept", args=[invitation_services.invitation_token(invitation)])
    client.cookies["yardstick_language"] = "fr"
    assert '<html lang="fr">' in client.get(url).text


# --- round reminders ----------------------------------------------------------------------------


def test_a_round_reminder_speaks_each_recipients_language(
    version, project, data_scientist, lead, mailoutbox, settings
):
    settings.ROUND_REMINDER_DAYS_BEFORE = 3
    due = datetime.date(2027, 1, 15)
    round_ = factories.round_(version, opens_on=datetime.date(2026, 12, 1), due_on=due)
    factories.round_member(round_, project, version)
    data_scientist.language = "fr"
    data_scientist.save(update_fields=["language"])

    round_reminders_send(day=due - datetime.timedelta(days=2))

    (mine,) = [m for m in mailoutbox if m.to == [data_scientist.email]]
    (leads,) = [m for m in mailoutbox if m.to == [lead.email]]
    assert mine.extra_headers["Content-Language"] == "fr"
    assert leads.extra_headers["Content-Language"] == "en-gb"
    with translation.override("fr"):
        subject = ngettext(
            "Yardstick: %(count)s assessment to fill in, due soon",
            "Yardstick: %(count)s assessments to fill in, due soon",
            1,
        ) % {"count": 1}
        state = gettext("not started")
    assert mine.subject == subject and f", {state}" in mine.body


# --- the offline questionnaire ------------------------------------------------------------------


def test_the_offline_questionnaire_in_french_comes_back_in_french(self_fill, lead):
    _, content = workbook_download(assessment=self_fill, user=lead, language="fr")
    wb = openpyxl.load_workbook(io.BytesIO(content))
    identity = workbooks.identity_read(wb)
    assert identity.language == "fr"
    questionnaire = wb[identity.layout["sheet"]]
    headers = {c.value: c.column for c in questionnaire[1]}
    columns = identity.layout["columns"]
    first, second = _answers(self_fill)[:2]
    row = {questionnaire.cell(row=r, column=headers[columns["key"]]).value: r for r in range(2, 5)}
    text = questionnaire.cell(row=row[first.question.key], column=headers[columns["text"]])
    assert text.value == _in(first.question, "fr")
    section = questionnaire.cell(row=row[first.question.key], column=headers[columns["section"]])
    assert section.value == _in(first.question.section, "fr", "title")
    guidance = questionnaire.cell(row=row[first.question.key], column=headers[columns["guidance"]])
    assert _in(first.question, "fr", "why") in guidance.value
    scale = [c.value for c in wb.worksheets[0]["A"]]
    assert {"Oui", "En partie", "Non"} <= set(scale)

    answer_column = headers[columns["answer"]]
    questionnaire.protection.sheet = False
    questionnaire.cell(row=row[first.question.key], column=answer_column).value = "Oui"
    # Labels of the set's other languages are read too, whatever the file's language.
    questionnaire.cell(row=row[second.question.key], column=answer_column).value = "Deels"

    preview = workbook_preview(
        assessment=self_fill,
        user=lead,
        upload=SimpleUploadedFile("réponses.xlsx", save(wb), content_type=""),
    )
    assert preview.language == "fr"
    assert workbook_apply(assessment=self_fill, user=lead, preview=preview, take_file=set()) == 2
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.option.key, first.language) == ("yes", "fr")
    assert (second.option.key, second.language) == ("partly", "fr")


def test_the_download_form_offers_every_language_and_the_file_follows_the_choice(
    client, data_scientist, self_fill
):
    client.force_login(data_scientist)
    page = _page(client.get(reverse("workbook_upload", args=[self_fill.code])))
    assert re.search(r'<option value="fr" lang="fr">Français</option>', page)
    assert re.search(r'<option value="de" lang="de">Deutsch \*</option>', page)
    response = client.get(reverse("workbook_download", args=[self_fill.code]), {"lang": "nl"})
    wb = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbooks.identity_read(wb).language == "nl"
