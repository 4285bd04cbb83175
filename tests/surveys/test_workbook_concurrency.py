"""Applying a workbook while others write, under real parallel transactions on PostgreSQL.

Each thread has its own connection; the data is committed first (transaction=True).
"""

import time
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from surveys import services
from surveys.models import AnswerEvent, AnswerVia, Assessment, AssessmentMode
from surveys.services import workbooks as module
from surveys.services.workbooks import (
    StalePreview,
    workbook_apply,
    workbook_download,
    workbook_preview,
)
from tests.concurrency_support import race
from tests.surveys.workbook_files import fill

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def slow_saves():
    """Each answer written by an apply takes a little longer, so the other side arrives
    while the apply holds its locks."""
    real = module.answer_save

    def slow(**kwargs):
        time.sleep(0.05)
        return real(**kwargs)

    with mock.patch.object(module, "answer_save", side_effect=slow):
        yield


@pytest.fixture
def prepared(project, lead, version):
    assessment = services.assessment_start(
        project=project, user=lead, mode=AssessmentMode.SELF_FILL, version=version
    )
    keys = list(
        assessment.answers.order_by("question__order").values_list("question__key", flat=True)
    )[:5]
    _, content = workbook_download(assessment=assessment, user=lead)
    filled = fill(content, {k: {"Answer": "Yes"} for k in keys})
    upload = SimpleUploadedFile("f.xlsx", filled, content_type="application/octet-stream")
    preview = workbook_preview(assessment=assessment, user=lead, upload=upload)
    return assessment, keys, preview


def fresh(assessment) -> Assessment:
    return Assessment.objects.select_related("project", "version").get(pk=assessment.pk)


def test_the_same_preview_applied_twice_at_once_saves_once(prepared, lead, slow_saves):
    assessment, _, preview = prepared

    def apply():
        return workbook_apply(
            assessment=fresh(assessment), user=lead, preview=preview, take_file=set()
        )

    results = race(apply, apply)
    assert sorted(type(r).__name__ for r in results) == ["StalePreview", "int"]
    assert [r for r in results if isinstance(r, int)] == [5]
    events = AnswerEvent.objects.filter(answer__assessment=assessment, via=AnswerVia.IMPORT)
    assert events.count() == 5


def test_an_online_save_racing_an_apply_is_never_silently_overwritten(
    prepared, lead, data_scientist, slow_saves
):
    assessment, keys, preview = prepared
    last = keys[-1]

    def apply():
        return workbook_apply(
            assessment=fresh(assessment), user=lead, preview=preview, take_file=set()
        )

    def online():
        return services.answer_save(
            assessment=fresh(assessment),
            question_key=last,
            user=data_scientist,
            base_revision=0,
            data=services.AnswerInput(option="no"),
            via=AnswerVia.SELF_FILL,
        )

    applied, saved = race(apply, online)
    answer = assessment.answers.select_related("option").get(question__key=last)
    imports = AnswerEvent.objects.filter(answer__assessment=assessment, via=AnswerVia.IMPORT)
    if isinstance(applied, StalePreview):
        # The online save came first: it stands, and the workbook wrote nothing.
        assert not isinstance(saved, Exception)
        assert answer.option.key == "no"
        assert imports.count() == 0
    else:
        # The workbook came first: the online save was told of the conflict.
        assert applied == 5
        assert isinstance(saved, services.AnswerConflict)
        assert answer.option.key == "yes"
        assert imports.count() == 5
