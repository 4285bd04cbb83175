"""Probes of the database, the broker and the Celery workers, shared by /readyz and the metrics page.

They live outside the views so that the readiness probe and the group admins'
report-jobs page ask the same questions the same way. None of them raises for
an unreachable service: the answer says so instead.
"""

from django.conf import settings
from django.db import connection

# How long a probe waits for workers to answer a ping. Replies are collected for the whole
# window, so this is also the least time a probe takes when a broker is configured.
WORKER_PING_SECONDS = 1.0


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:
        return False


def _redis():
    import redis

    return redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)


def broker_status() -> str:
    """ "in-process" without REDIS_URL (tasks run in the web process), else "ok" or "unreachable"."""
    if not settings.REDIS_URL:
        return "in-process"
    import redis

    try:
        _redis().ping()
        return "ok"
    except redis.RedisError:
        return "unreachable"


def queue_depth() -> int:
    """Messages waiting in the default Celery queue, all its priority levels included."""
    from config.celery import app

    queue = app.conf.task_default_queue
    client = _redis()
    # kombu's Redis transport keeps one list per priority step: the queue's own name for the
    # default priority, "<queue>\x06\x16<n>" for the others.
    names = [queue, *(f"{queue}\x06\x16{step}" for step in range(1, 10))]
    with client.pipeline(transaction=False) as pipe:
        for name in names:
            pipe.llen(name)
        return sum(pipe.execute())


_probe_apps: dict[str, object] = {}


def workers() -> list[str]:
    """Names of the Celery workers that answered a ping within WORKER_PING_SECONDS.

    The ping goes through a Celery app of its own bound to REDIS_URL, so the probe
    asks the broker it reports on whatever the main app was configured with.
    """
    from celery import Celery

    app = _probe_apps.get(settings.REDIS_URL)
    if app is None:
        app = Celery("yardstick-readyz", broker=settings.REDIS_URL, set_as_current=False, fixups=[])
        app.conf.broker_transport_options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
        app.conf.broker_connection_timeout = settings.CELERY_BROKER_CONNECTION_TIMEOUT
        _probe_apps[settings.REDIS_URL] = app
    replies = app.control.inspect(timeout=WORKER_PING_SECONDS).ping()
    return sorted(replies or {})


def report_machinery() -> dict:
    """The broker's state, the workers answering and the queue depth, as /readyz reports them.

    "workers" is "in-process" without a broker, the number answering (or "none")
    when the broker answers, and "unknown" when it does not; "worker_names" is
    only there when the workers could be asked. A broker that stops answering
    half-way is reported as unreachable with the reason in "error".
    """
    body: dict = {"broker": broker_status()}
    if body["broker"] == "in-process":
        body.update(workers="in-process", queue_depth=0)
    elif body["broker"] == "ok":
        import redis
        from kombu.exceptions import OperationalError as BrokerError

        try:
            names = workers()
            body.update(workers=len(names) or "none", worker_names=names)
            body["queue_depth"] = queue_depth()
        except (redis.RedisError, BrokerError, OSError) as error:
            body.update(broker="unreachable", workers="unknown", queue_depth=None)
            body["error"] = f"the broker stopped answering: {error}"
    else:
        body.update(workers="unknown", queue_depth=None)
    return body
