"""Run jobs in threads released at the same moment (the PostgreSQL concurrency tests)."""

import threading

from django.db import connection


def race(*jobs, timeout: float = 120) -> list:
    """Run each job in its own thread, all released at once; each result or raised error."""
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)

    def run(index, job):
        try:
            barrier.wait(timeout=timeout)
            results[index] = job()
        except Exception as exc:
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(t.is_alive() for t in threads), "a thread is still waiting: a deadlock?"
    return results
