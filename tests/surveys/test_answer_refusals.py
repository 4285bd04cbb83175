"""A refused value is named next to its field and keeps what was typed; the rest of the
answer is saved when only a text field is wrong."""

import html

import pytest
from django.urls import reverse

from surveys.models import Answer, AnswerEvent
from surveys.services import assessment_start

pytestmark = pytest.mark.django_db


@pytest.fixture
def self_fill(version, project, lead):
    return assessment_start(project=project, user=lead, mode="self_fill", version=version)


@pytest.fixture
def first(self_fill):
    return self_fill.answers.select_related("question").order_by("question__order").first()


def _save(client, assessment, answer, data, *, htmx=True):
    url = reverse("answer_save", args=[assessment.code, answer.question.key])
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(url, {"base_revision": answer.revision, **data}, **headers)


def test_a_link_without_a_scheme_is_refused_beside_its_field_with_the_typed_value(
    client, self_fill, first, data_scientist
):
    client.force_login(data_scientist)
    response = _save(client, self_fill, first, {"evidence_url": "confluence/runbook"})
    assert response.status_code == 400
    page = html.unescape(response.content.decode())
    assert "Not saved" in page
    assert (
        'value="confluence/runbook" placeholder="https://" maxlength="500" aria-invalid="true"'
        in page
    )
    assert f'id="err-{first.question.key}"' in page
    assert "is-refused" in page
    assert not AnswerEvent.objects.filter(answer=first).exists()


def test_a_choice_sent_with_a_bad_link_is_saved_without_the_link(
    client, self_fill, first, data_scientist
):
    client.force_login(data_scientist)
    response = _save(
        client, self_fill, first, {"answer": "partly", "evidence_url": "see the wiki page"}
    )
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert "The rest of this answer is saved" in page
    assert 'value="see the wiki page"' in page
    assert 'name="base_revision" value="1"' in page
    first.refresh_from_db()
    assert first.option.key == "partly" and first.evidence_url == "" and first.revision == 1


def test_a_choice_sent_with_a_bad_link_without_htmx_saves_nothing(
    client, self_fill, first, data_scientist
):
    client.force_login(data_scientist)
    response = _save(
        client, self_fill, first, {"answer": "yes", "evidence_url": "ftp://x"}, htmx=False
    )
    assert response.status_code == 400
    assert "http:// or https://" in response.content.decode()
    assert not Answer.objects.filter(pk=first.pk, revision__gt=0).exists()


def test_a_too_long_link_is_refused_beside_its_field(client, self_fill, first, data_scientist):
    client.force_login(data_scientist)
    response = _save(
        client, self_fill, first, {"answer": "yes", "evidence_url": "https://x.org/" + "a" * 600}
    )
    assert response.status_code == 200
    assert "The evidence link: Ensure this value has at most 500 characters" in (
        html.unescape(response.content.decode())
    )
    first.refresh_from_db()
    assert first.option.key == "yes" and first.evidence_url == ""


def test_a_viewer_cannot_save_even_a_refused_value(client, self_fill, first, viewer):
    client.force_login(viewer)
    response = _save(client, self_fill, first, {"answer": "yes", "evidence_url": "wiki"})
    assert response.status_code == 403
    assert not Answer.objects.filter(pk=first.pk, revision__gt=0).exists()
