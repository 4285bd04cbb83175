"""Group-wide aggregates kept in Django's cache until the figures they come from change.

Dashboards compare a brand or a project with every other project of the
group; at group scale that read is most of a page's time, and it changes only
when an assessment is validated, submitted or rescored, a project or brand is
edited, or a question set changes. A token in the database
(`scoring_figures_generation`, migration scoring 0003) is replaced by triggers
on every such write, whoever makes it; entries are cached under the token, so a
change makes every earlier entry unreachable at once. Reading the token is one
query of one row.

The token is read before the figures: an entry never holds figures older than
its token. Without a token (the row missing after a flush) nothing is cached.
A cache that fails (a backend down) is read through, never an error page.

The cache is `CACHES["figures"]` when the settings name one (a shared Redis
cache makes one computation per change serve every web process; in production
the settings name Redis: `FIGURES_CACHE_URL`, by default `REDIS_URL`); otherwise a
local-memory cache of this process, large enough for every project's entries
at group scale (Django's default cache keeps 300 entries, and the project
pages alone would push the group dashboard's out).

What depends only on data that never changes once written (the answers of two validated
assessments, the questions of published versions) is kept by `cached_settled` under a
key that names those rows, without the token: a validation of another project, which
replaces the token, does not make the project pages compute it again.

A GET or HEAD request reads the token once (requests that read do not write);
any other request, a task or a shell reads it at every use, so that what a
request writes is never hidden from what it reads next.
"""

import hashlib
import logging
import threading
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.signals import request_finished, request_started
from django.db import connection
from django.utils import translation

from scoring.engine import ENGINE_VERSION

T = TypeVar("T")
TIMEOUT = 6 * 60 * 60  # unchanged figures are recomputed after six hours all the same
MAX_ENTRIES = 20_000
logger = logging.getLogger(__name__)
_local = LocMemCache("yardstick-figures", {"OPTIONS": {"MAX_ENTRIES": MAX_ENTRIES}})


def figures_cache():
    """The cache the figures are kept in (see the module's docstring)."""
    return caches["figures"] if "figures" in settings.CACHES else _local


def forget_cached_figures() -> None:
    """Empty the figures cache (tests; the token makes it unnecessary anywhere else)."""
    figures_cache().clear()


_request = threading.local()


def _request_started(sender, environ=None, **kwargs) -> None:
    method = (environ or {}).get("REQUEST_METHOD", "")
    _request.reads_only = method in ("GET", "HEAD")
    _request.token = None


def _request_finished(sender, **kwargs) -> None:
    _request.reads_only = False
    _request.token = None


request_started.connect(_request_started, dispatch_uid="figures_cache_request_started")
request_finished.connect(_request_finished, dispatch_uid="figures_cache_request_finished")


def _read_token() -> str | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT value FROM scoring_figures_generation WHERE id = 1")
        row = cursor.fetchone()
    return row[0] if row else None


def figures_token() -> str | None:
    """The current token; None when there is none (then nothing may be cached)."""
    if not getattr(_request, "reads_only", False):
        return _read_token()
    if _request.token is None:
        _request.token = _read_token()
    return _request.token


def _key(token: str, name: str, parts: tuple) -> str:
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    # Some entries hold words as well as figures (chart titles, section names): each
    # language keeps its own.
    return f"figures:{token}:{translation.get_language() or 'en'}:{name}:{digest}"


def cached_figures(name: str, parts: tuple, compute: Callable[[], T], *, token=...) -> T:
    """`compute()`, or what it gave for the same `name` and `parts` under the current token.

    `parts` must name everything the result depends on besides the figures (the
    filters, the brand, the date, ...); its repr is hashed into the key. Pass
    `token` when the caller has read it already (one query per page).
    """
    if token is ...:
        token = figures_token()
    if token is None:
        return compute()
    return _kept(_key(token, name, parts), name, compute)


def cached_settled(name: str, parts: tuple, compute: Callable[[], T]) -> T:
    """`compute()`, or what it gave for the same `name` and `parts`, whatever the token.

    Only for results that depend on nothing but rows that never change once written
    (validated assessments and their answers, published versions: R7, enforced in the
    services) and on what `parts` names besides them (a project's kind, the stored
    scores' engine and time; the language is part of the key). Kept `TIMEOUT` like the
    figures, so that names shown with them (who gave an answer) are read again in time.
    """
    return _kept(_key("settled", name, parts), name, compute)


def settled(assessment) -> tuple:
    """What names a validated assessment in a `cached_settled` key: its code (an id can come
    back on SQLite after a rollback; a code never does), its version, and its stored score's
    engine and time, with the engine of this code (a rescore, or new code, is a new key)."""
    score = getattr(assessment, "score", None)
    stored = (score.engine_version, score.computed_at) if score is not None else None
    return str(assessment.code), assessment.version_id, stored, ENGINE_VERSION


def _kept(key: str, name: str, compute: Callable[[], T]) -> T:
    try:
        found = figures_cache().get(key)
    except Exception:  # a broken cache must not break a page
        logger.warning("figures cache unavailable; computing %s", name, exc_info=True)
        return compute()
    if found is not None:
        return found
    value = compute()
    try:
        figures_cache().set(key, value, TIMEOUT)
    except Exception:
        logger.warning("figures cache unavailable; %s not kept", name, exc_info=True)
    return value
