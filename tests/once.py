"""Rows built once for a whole module, as Django's `TestCase.setUpTestData` builds them.

`built_once` is the body of a module-scoped fixture: it runs `build()` inside a transaction
that every test's own transaction then nests in (as a savepoint), and rolls it back when the
module ends. Each test starts from the same rows and leaves nothing behind, without paying for
the build again.

The build's deferred constraint checks are run once, straight after it: PostgreSQL would
otherwise keep them pending for the whole module, and Django checks every pending one at the
end of each test (about 0.7 s a test after seeding the demo).
"""

import sys
from collections.abc import Callable, Iterator
from typing import TypeVar

from django.db import connection, transaction

T = TypeVar("T")


def built_once(django_db_blocker, build: Callable[[], T]) -> Iterator[T]:
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            built = build()
            connection.check_constraints()
        except BaseException:
            outer.__exit__(*sys.exc_info())
            raise
    try:
        yield built
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
