"""How many cases the fuzz and property tests try.

`make test` and CI run the full counts. While working on something else, a
developer can ask for a quick pass with YARDSTICK_TEST_DEPTH=quick: every fuzz
and property test still runs, with a tenth of its cases (at least a few).
"""

import os

DEPTHS = ("full", "quick")
DEPTH = os.environ.get("YARDSTICK_TEST_DEPTH", "full").strip().lower() or "full"
if DEPTH not in DEPTHS:
    raise RuntimeError(f"YARDSTICK_TEST_DEPTH must be one of {', '.join(DEPTHS)}, not {DEPTH!r}")


def cases(full: int) -> int:
    """`full` cases, or a tenth of them (at least 5) in a quick pass."""
    return full if DEPTH == "full" else min(full, max(5, full // 10))
