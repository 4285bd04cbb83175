"""Celery tasks of scoring: improvement actions in issue trackers. Each takes ids only and
calls a service (scoring/services/trackers.py)."""

from celery import shared_task
from django.conf import settings

from scoring.services import trackers


@shared_task(acks_late=True, soft_time_limit=settings.TRACKER_TIMEOUT * 3)
def create_tracker_issue(issue_id: int) -> str | None:
    """Create one action's issue in its tracker; the outcome is recorded on the row."""
    return trackers.issue_create(issue_id=issue_id)


@shared_task
def poll_tracker_issues() -> dict:
    """The state of the linked open issues, from the trackers (Celery beat)."""
    return trackers.tracker_issues_poll()
