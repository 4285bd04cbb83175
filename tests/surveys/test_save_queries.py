"""What one autosave costs in queries, and that the lean response still says what changed.

The save endpoint is the app's busiest (P3 in docs/benchmarks.md). A save is BEGIN
and COMMIT plus: the session, the user, the assessment (with the user's role in its
brand and whether they are on the project's team, read along), the answer locked,
then its UPDATE and the history INSERT (one statement on PostgreSQL). The test
database runs the transaction as a savepoint, so BEGIN and COMMIT show up here as
SAVEPOINT and RELEASE.
"""

import html as html_lib
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from surveys import services
from surveys.models import Answer, AnswerEvent, AssessmentMode

pytestmark = pytest.mark.django_db


def _one_save() -> list[str]:
    """The statements of one save. On PostgreSQL the UPDATE and the history INSERT are one
    statement (a data-modifying WITH); elsewhere they are two."""
    write = (
        ["WITH"]
        if connection.vendor == "postgresql"
        else ["UPDATE surveys_answer", "INSERT surveys_answerevent"]
    )
    return [
        "SELECT django_session",
        "SELECT brands_user",
        "SELECT surveys_assessment",
        "SAVEPOINT",
        "SELECT surveys_answer",
        *write,
        "RELEASE",
    ]


# Five or six statements and the transaction's two.
ONE_SAVE = len(_one_save())


@pytest.fixture
def self_fill(project, lead, version):
    return services.assessment_start(
        project=project, user=lead, mode=AssessmentMode.SELF_FILL, version=version
    )


@pytest.fixture
def key(self_fill):
    return self_fill.answers.select_related("question").order_by("question__order")[0].question.key


def _autosave(client, assessment, key, data, *, with_progress=True):
    answer = Answer.objects.get(assessment=assessment, question__key=key)
    body = {"base_revision": answer.revision, **data}
    if with_progress:
        body["with_progress"] = "1"
    url = reverse("answer_save", args=[assessment.code, key])
    with CaptureQueriesContext(connection) as captured:
        response = client.post(url, body, HTTP_HX_REQUEST="true")
    assert response.status_code == 200, response.content
    return html_lib.unescape(response.content.decode()), captured.captured_queries


def _tables(queries) -> list[str]:
    found = []
    for q in queries:
        sql = q["sql"]
        # The table of the first column selected, or the one written to.
        match = re.match(r'(?:SELECT (?:DISTINCT )?|UPDATE |INSERT INTO )"(\w+)"', sql)
        found.append(sql.split()[0] + (" " + match.group(1) if match else ""))
    return found


def test_a_save_takes_the_same_statements_however_long_the_answers_history(
    client, data_scientist, self_fill, key
):
    client.force_login(data_scientist)
    _autosave(client, self_fill, key, {"answer": "yes", "comment": "first"})  # progress moves
    counts = []
    for i in range(30):
        _, queries = _autosave(
            client, self_fill, key, {"answer": ("no", "partly")[i % 2], "comment": f"c {i}"}
        )
        counts.append(len(queries))
    assert counts == [ONE_SAVE] * 30
    assert _tables(queries) == _one_save()
    assert AnswerEvent.objects.filter(answer__assessment=self_fill).count() == 31


def test_a_lead_saving_in_their_brand_takes_no_more(client, lead, self_fill, key):
    client.force_login(lead)
    _autosave(client, self_fill, key, {"answer": "yes"})
    _, queries = _autosave(client, self_fill, key, {"answer": "no"})
    assert len(queries) == ONE_SAVE


def test_the_first_answer_also_counts_the_progress_in_one_more_query(
    client, data_scientist, self_fill, key
):
    client.force_login(data_scientist)
    page, queries = _autosave(client, self_fill, key, {"answer": "yes"})
    # The version's answer scale is read once per process and published version.
    extra = [t for t in _tables(queries) if t == "SELECT surveys_answeroption"]
    assert len(queries) == ONE_SAVE + 1 + len(extra)
    assert 'id="overall-progress"' in page


def test_changing_the_answer_under_a_comment_marks_the_comment_as_written_for_the_old_one(
    client, data_scientist, self_fill, key
):
    client.force_login(data_scientist)
    _autosave(client, self_fill, key, {"answer": "yes", "comment": "Runs nightly"})
    page, queries = _autosave(client, self_fill, key, {"answer": "no"})
    # This needs the answer's history: one query more than a plain save.
    assert len(queries) == ONE_SAVE + 1
    assert "written for the previous answer, Yes" in page

    page, queries = _autosave(client, self_fill, key, {"comment": "Runs weekly now"})
    assert len(queries) == ONE_SAVE
    # The note beside the comment is replaced by an empty one: the comment is new.
    assert f'id="cp-{key}" hx-swap-oob="true"></span>' in page
    assert "written for the previous answer" not in page


def test_a_save_that_cannot_move_the_comment_note_leaves_it_on_the_screen(
    client, data_scientist, self_fill, key
):
    client.force_login(data_scientist)
    _autosave(client, self_fill, key, {"answer": "yes", "comment": "Runs nightly"})
    _autosave(client, self_fill, key, {"answer": "no"})
    page, queries = _autosave(client, self_fill, key, {"evidence_url": "https://example.com/ci"})
    assert len(queries) == ONE_SAVE
    assert f'id="cp-{key}"' not in page  # not swapped: what the screen shows still holds
    fill = client.get(reverse("assessment_fill", args=[self_fill.code]))
    assert "written for the previous answer, Yes" in html_lib.unescape(fill.content.decode())


def test_an_outsider_still_gets_404_and_nothing_is_written(client, outsider, self_fill, key):
    client.force_login(outsider)
    url = reverse("answer_save", args=[self_fill.code, key])
    response = client.post(url, {"base_revision": 0, "answer": "yes"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 404
    assert not AnswerEvent.objects.filter(answer__assessment=self_fill).exists()


def test_a_viewer_of_the_brand_may_not_save(client, viewer, self_fill, key):
    client.force_login(viewer)
    url = reverse("answer_save", args=[self_fill.code, key])
    response = client.post(url, {"base_revision": 0, "answer": "yes"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 403
    assert not AnswerEvent.objects.filter(answer__assessment=self_fill).exists()
