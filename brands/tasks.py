"""Celery tasks of brands: outgoing webhook deliveries (brands/webhooks.py). Ids only.

deliver_webhook is routed to settings.WEBHOOK_QUEUE (CELERY_TASK_ROUTES), so that a slow
receiver never holds up the report workers.
"""

from celery import shared_task
from django.conf import settings

from brands import webhooks


@shared_task(acks_late=True, soft_time_limit=settings.WEBHOOK_TIMEOUT * 3)
def deliver_webhook(delivery_id: int) -> str:
    """One attempt; a failed one queues the next after its backoff (the row keeps the count)."""
    retry_in = webhooks.webhook_deliver(delivery_id=delivery_id)
    if retry_in is not None:
        webhooks.webhook_enqueue(delivery_id, countdown=retry_in)
        return f"retry in {retry_in} s"
    return "done"


@shared_task
def sweep_webhook_deliveries() -> int:
    """Queue again the deliveries whose task was lost (Celery beat, every minute)."""
    return webhooks.webhook_deliveries_sweep()
