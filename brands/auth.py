"""Login throttling in front of Django's own password check."""

from axes.backends import AxesStandaloneBackend
from django.http import HttpRequest


class ThrottledLoginBackend(AxesStandaloneBackend):
    """django-axes' lockout check, for logins that come from a request.

    Every login from the network (our login page, the admin's) passes the
    request, and those are throttled. Code that authenticates without one
    (management commands, the test client's `login`) has no address to throttle
    and is let through to the next backend, where axes' own backend would fail.
    """

    def authenticate(self, request: HttpRequest | None, *args, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, *args, **kwargs)
