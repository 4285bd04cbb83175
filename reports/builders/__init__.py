"""Report builders: each writes one file (PDF or Excel) for a scope.

The contract between report jobs (reports/tasks.py, reports/services) and the
builders. A builder reads its figures through the dashboards' data functions
(reports/dashboards) and scoring's selectors, never computes scores itself,
and applies the same role rules as the dashboards: it is given the user who
asked for the report.

    build(fmt, scope, out, progress)

writes the file into the binary stream `out` and calls `progress(percent)`
now and then (0-100) so that the job can show how far it is.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

from brands.models import Brand, Project, User
from reports.dashboards.filters import DashboardFilters

Progress = Callable[[int], None]

SCOPES = ("group", "brand", "project")
FORMATS = {
    "pdf": ("application/pdf", "pdf"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
}


@dataclass(frozen=True)
class Scope:
    """What a report covers: the group, one brand or one project, with the dashboard filters."""

    kind: str  # one of SCOPES
    user: User  # who asked: the role rules are theirs
    filters: DashboardFilters
    brand: Brand | None = None  # set for "brand" and "project"
    project: Project | None = None  # set for "project"
    today: datetime.date | None = None  # default: the local date when the report is built

    def __post_init__(self):
        if self.kind not in SCOPES:
            raise ValueError(f"unknown scope {self.kind!r}")
        if self.kind in ("brand", "project") and self.brand is None:
            raise ValueError(f"a {self.kind} report needs its brand")
        if self.kind == "project" and self.project is None:
            raise ValueError("a project report needs its project")


def build(fmt: str, scope: Scope, out: BinaryIO, progress: Progress) -> None:
    """Write the `fmt` ("pdf" or "xlsx") report of `scope` into `out`."""
    if fmt == "xlsx":
        from reports.builders.excel import build_excel

        build_excel(scope, out, progress)
    elif fmt == "pdf":
        from reports.builders.pdf import build_pdf

        build_pdf(scope, out, progress)
    else:
        raise ValueError(f"unknown report format {fmt!r}")
