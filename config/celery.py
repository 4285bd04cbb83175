"""The Celery application. Tasks live in each app's tasks.py and take ids only."""

import os

from celery import Celery

import config.request_id  # noqa: F401  (carries request ids into tasks: signal handlers)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("yardstick")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
