"""A transactional test empties the tables when it ends; the next test still finds the default
question set that every test starts from (tests/conftest.py puts it back).

Both tests are transactional: pytest-django runs transactional tests after the others, keeping
their order, so the second one runs right after the first one's tables were emptied."""

import pytest

from surveys.models import QuestionSetVersion

pytestmark = pytest.mark.django_db(transaction=True)


def main_set_published() -> bool:
    return QuestionSetVersion.objects.filter(
        status="published", question_set__is_main=True
    ).exists()


def test_a_transactional_test_starts_from_the_default_set():
    assert main_set_published()


def test_the_next_one_does_too_after_the_first_emptied_the_tables():
    assert main_set_published()
