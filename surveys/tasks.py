"""Celery tasks of surveys. Each takes plain values only and calls a service."""

import datetime

from celery import shared_task

from surveys.services.reminders import round_reminders_send


@shared_task
def send_round_reminders(day: str | None = None) -> dict:
    """The day's round reminder digests (Celery beat, daily at ROUND_REMINDER_HOUR).

    `day` (YYYY-MM-DD) is the day to remind for; beat gives none, which means today.
    """
    run = round_reminders_send(day=datetime.date.fromisoformat(day) if day else None)
    return {
        "day": run.day.isoformat(),
        "sent": len(run.sent),
        "already": len(run.already),
        "failed": len(run.failed),
    }
