"""The payload world, built once per test module and rolled back after it."""

import pytest
from django.core import mail
from django.db import transaction

from tests.security.payloads import build_world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Every free-text field filled with payloads (see payloads.py); shared by a module's
    tests, which only read it. Everything it wrote is rolled back at the end."""
    with django_db_blocker.unblock():
        mail.outbox = []
        with transaction.atomic():
            built = build_world(mail.outbox)
            yield built
            transaction.set_rollback(True)
