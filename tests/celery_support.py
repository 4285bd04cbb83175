"""An in-thread Celery worker for a test's own Celery app, that leaves ours current."""

import contextlib

from celery.contrib.testing.worker import start_worker

from config.celery import app as yardstick_celery


@contextlib.contextmanager
def own_app_worker(app, **options):
    """celery.contrib.testing's start_worker for `app`, then our app current again.

    Our tasks (shared_task) follow Celery's *current* app, and start_worker makes the
    test's app current and leaves it so: every later report task would go to that
    app's broker and never run.
    """
    try:
        with start_worker(app, **options) as worker:
            yield worker
    finally:
        yardstick_celery.set_current()
        yardstick_celery.set_default()
