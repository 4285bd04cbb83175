"""Request ids: taken from X-Request-ID or made up, echoed back, and carried into Celery tasks.

A proxy or load balancer that already stamps requests keeps its id, so one id
follows a request through every tier's logs. An id a client sends is only
accepted when it is short and plain (letters, digits, dashes, dots, colons,
underscores) so nobody can forge log lines through it.
"""

import re
import uuid
from collections.abc import Callable

from celery.signals import before_task_publish, task_postrun, task_prerun
from django.http import HttpRequest, HttpResponse

from config.logging import request_id_var

HEADER = "X-Request-ID"
_META_KEY = "HTTP_X_REQUEST_ID"
_SANE = re.compile(r"[A-Za-z0-9._:-]{1,128}")


def sane_request_id(candidate: str | None) -> str | None:
    if candidate and _SANE.fullmatch(candidate):
        return candidate
    return None


class RequestIdMiddleware:
    """Sets the request id for everything logged while the request is handled."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = sane_request_id(request.META.get(_META_KEY)) or uuid.uuid4().hex
        request.request_id = request_id
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response[HEADER] = request_id
        return response


@before_task_publish.connect
def _add_request_id_to_task(headers: dict | None = None, **kwargs) -> None:
    """The web process queues a task: the request id travels in the message headers."""
    request_id = request_id_var.get()
    if headers is not None and request_id != "-":
        headers.setdefault("request_id", request_id)


@task_prerun.connect
def _take_request_id_from_task(task=None, **kwargs) -> None:
    """The worker starts a task: log under the id of the request that queued it."""
    request = getattr(task, "request", None)
    if request is None or request.is_eager:
        # Run in-process (no broker configured): it already sees the request's own id.
        return
    request_id_var.set(sane_request_id(getattr(request, "request_id", None)) or "-")


@task_postrun.connect
def _forget_request_id(task=None, **kwargs) -> None:
    request = getattr(task, "request", None)
    if request is not None and not request.is_eager:
        request_id_var.set("-")
