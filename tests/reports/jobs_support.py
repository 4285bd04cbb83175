"""Shared by the report job tests: report storage in a temporary folder, eager or real Celery."""

import contextlib

from config.celery import app as celery_app
from scoring.services import score_store
from surveys.models import AssessmentStatus
from tests import factories

ANSWERS = {"doc-purpose": "yes", "doc-success-metrics": "partly"}


def use_report_folder(settings, folder) -> None:
    """Point STORAGES["reports"] at `folder` (the report storage proxy follows the setting)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "reports": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(folder)},
        },
    }


def stored_files(folder) -> list:
    return sorted(p for p in folder.rglob("*") if p.is_file())


@contextlib.contextmanager
def celery_config(**changes):
    """Change the Celery app's configuration for a block; the broker connections are reopened.

    The app reads Django's settings once, so the tests change its own conf; CI sets
    REDIS_URL (real workers), and most tests want the embedded default (eager).
    """
    conf = celery_app.conf
    saved = {name: conf[name] for name in changes}
    conf.update(changes)
    _reset_connections()
    try:
        yield celery_app
    finally:
        conf.update(saved)
        _reset_connections()


def _reset_connections() -> None:
    # Forget the pools (kombu keeps them per broker URL), so the next publish uses the new URL.
    celery_app._pool = None
    amqp = celery_app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


def validated_assessment(project, version):
    """A validated, scored assessment, so that reports have figures."""
    assessment = factories.assessment(
        project, version, status=AssessmentStatus.VALIDATED, answers=ANSWERS
    )
    score_store(assessment=assessment)
    return assessment
