"""Requests per token: a fixed window counted in the `api` cache (Redis in production).

Each token may make API_RATE_LIMIT requests per API_RATE_LIMIT_WINDOW seconds. A cache that
does not answer lets the request through: a Redis outage must not stop the API (TARGETS R4).
"""

import logging
import math
import time

from django.conf import settings
from django.core.cache import caches

from brands.models import ApiToken

log = logging.getLogger(__name__)


def retry_after(token: ApiToken) -> int | None:
    """Count one request of `token`; the seconds to wait when it is over its limit, else None."""
    window = settings.API_RATE_LIMIT_WINDOW
    now = time.time()
    slot = int(now // window)
    # The digest, not the row id: test databases (and installations) sharing one Redis never
    # count each other's tokens.
    key = f"rate:{token.secret_hash[:32]}:{slot}"
    cache = caches["api"]
    try:
        cache.add(key, 0, timeout=window + 1)
        count = cache.incr(key)
    except Exception:  # any cache failure: let the request through
        log.warning("API rate limit cache unavailable; request let through", exc_info=True)
        return None
    if count <= settings.API_RATE_LIMIT:
        return None
    return max(1, math.ceil((slot + 1) * window - now))
