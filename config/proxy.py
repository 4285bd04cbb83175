"""The address a request came from, as far as we can trust it.

Behind a reverse proxy every request arrives from the proxy's address, so login
throttling would lock out everyone at once and the audit log would name the
proxy. The proxy's X-Forwarded-For header names the client, but any client can
send that header too; only the entries appended by proxies we run can be
believed. TRUSTED_PROXY_COUNT says how many there are (0, the default, ignores
the header entirely).
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _valid(candidate: str) -> str | None:
    try:
        return str(ipaddress.ip_address(candidate.strip()))
    except ValueError:
        return None


def client_address(request: HttpRequest) -> str | None:
    """The client's IP address: REMOTE_ADDR, or the entry our nearest trusted proxy appended."""
    remote = _valid(request.META.get("REMOTE_ADDR", "") or "")
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if not count:
        return remote
    forwarded = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part]
    # Each of our `count` proxies appends the address it received the request from, so the
    # client as our outermost proxy saw it is `count` entries from the right.
    if len(forwarded) < count:
        return remote
    return _valid(forwarded[-count]) or remote
