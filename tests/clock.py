"""The day every test runs on (tests/conftest.py pins the clock to it).

A Wednesday in the middle of a quarter, so that "today", "this quarter" and
"the previous quarter" are all ordinary. Tests about a particular day travel
there themselves (tests/test_any_date.py, tests/reports/test_time_rules.py).
"""

import datetime

PINNED_NOW = datetime.datetime(2026, 11, 18, 10, 0, tzinfo=datetime.UTC)
PINNED_TODAY = PINNED_NOW.date()
