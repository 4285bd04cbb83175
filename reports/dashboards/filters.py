"""The dashboards' filters, read from a query string and written back as one.

Pure Python but for the messages' translation: a bad value is never an exception, it
becomes a message in `errors` (in the active language) and the filter falls back to its
default, so a mistyped bookmark still shows a page that says what was ignored.

Parameters (repeat `brand`, `line`, `kind` and `criticality` to choose several):

    quarter=2025-Q3     the quarter whose end the figures are taken at; the current
                        quarter's figures are taken today ("so far", docs/scoring.md)
    brand=<code>        brands, by their opaque code
    line=<code>         product lines, by code
    kind=batch          batch, realtime, both
    criticality=high    low, medium, high
    submitted=1         count submitted self-fills too (default: validated only)
    version=<code>      only assessments of this question-set version
    set=<code>          the question set whose figures are shown (figures never mix sets;
                        without it, the group's main set)
"""

import datetime
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.utils.translation import gettext as _

# The values of brands.models.ProjectKind and Criticality (a test keeps them equal).
KINDS = ("batch", "realtime", "both")
CRITICALITIES = ("low", "medium", "high")

_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off", "")


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int  # 1 to 4

    @classmethod
    def of(cls, day: datetime.date) -> "Quarter":
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def start(self) -> datetime.date:
        return datetime.date(self.year, self.number * 3 - 2, 1)

    @property
    def end(self) -> datetime.date:
        """The last day of the quarter."""
        if self.number == 4:
            return datetime.date(self.year, 12, 31)
        return datetime.date(self.year, self.number * 3 + 1, 1) - datetime.timedelta(days=1)

    def previous(self) -> "Quarter":
        return (
            Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)
        )

    def last(self, count: int) -> list["Quarter"]:
        """The `count` quarters up to and including this one, oldest first."""
        quarters = [self]
        while len(quarters) < count:
            quarters.append(quarters[-1].previous())
        return quarters[::-1]

    @property
    def code(self) -> str:
        """As in the query string: 2025-Q3."""
        return f"{self.year}-Q{self.number}"

    @property
    def label(self) -> str:
        """As shown everywhere else (scoring's quarter_label): 2025 Q3."""
        return f"{self.year} Q{self.number}"

    def __str__(self) -> str:
        return self.code


def _values(data: Mapping, name: str) -> list[str]:
    """All values of `name`: QueryDict.getlist when there is one, else a value or a list."""
    if hasattr(data, "getlist"):
        values = data.getlist(name)
    else:
        value = data.get(name)
        values = (
            [] if value is None else list(value) if isinstance(value, list | tuple) else [value]
        )
    return [str(v).strip() for v in values]


def _one(data: Mapping, name: str, errors: list[str]) -> str | None:
    values = [v for v in _values(data, name) if v]
    if len(values) > 1:
        errors.append(
            _("%(name)s: give one value, not %(count)s; the first one is used.")
            % {"name": name, "count": len(values)}
        )
    return values[0] if values else None


def _codes(data: Mapping, name: str, refused: str, errors: list[str]) -> tuple[str, ...]:
    """`refused`: the message for a value that is not a code, with %(name)s and %(value)s."""
    codes = []
    for value in _values(data, name):
        if not value:
            continue
        try:
            code = str(uuid.UUID(value))
        except ValueError:
            errors.append(refused % {"name": name, "value": repr(value)})
            continue
        if code not in codes:
            codes.append(code)
    return tuple(sorted(codes))


def _choices(data: Mapping, name: str, allowed: tuple[str, ...], errors: list[str]):
    chosen = []
    for value in _values(data, name):
        if not value:
            continue
        if value.lower() not in allowed:
            errors.append(
                _("%(name)s: %(value)s is not one of %(allowed)s; it is ignored.")
                % {"name": name, "value": repr(value), "allowed": ", ".join(allowed)}
            )
        elif value.lower() not in chosen:
            chosen.append(value.lower())
    return tuple(v for v in allowed if v in chosen)


@dataclass(frozen=True)
class DashboardFilters:
    """What a dashboard shows. Empty tuples mean "all"."""

    quarter: Quarter
    today: datetime.date  # the day the figures are read on: it ends the current quarter
    brands: tuple[str, ...] = ()  # brand codes
    product_lines: tuple[str, ...] = ()  # product line codes
    kinds: tuple[str, ...] = ()
    criticalities: tuple[str, ...] = ()
    include_submitted: bool = False
    version: str | None = None  # question-set version code
    question_set: str | None = None  # question-set code
    errors: tuple[str, ...] = field(default=(), compare=False)

    @classmethod
    def parse(cls, data: Mapping, *, today: datetime.date) -> "DashboardFilters":
        """Filters from a QueryDict (or any mapping of names to a value or a list of values).

        The default quarter is the current one (`today`'s): its figures are the
        latest ones. A quarter after the current one is refused.
        """
        errors: list[str] = []
        current = Quarter.of(today)
        quarter = current
        text = _one(data, "quarter", errors)
        if text is not None:
            match = _QUARTER.match(text.upper())
            if match is None:
                errors.append(
                    _("quarter: %(value)s is not a quarter like %(example)s.")
                    % {"value": repr(text), "example": current.code}
                )
            elif Quarter(int(match[1]), int(match[2])) > current:
                errors.append(
                    _("quarter: %(value)s has not started yet; %(current)s is shown.")
                    % {"value": text, "current": current.code}
                )
            else:
                quarter = Quarter(int(match[1]), int(match[2]))

        include_submitted = False
        text = _one(data, "submitted", errors)
        if text is not None:
            if text.lower() in _TRUE:
                include_submitted = True
            elif text.lower() not in _FALSE:
                errors.append(
                    _("submitted: %(value)s is neither 1 nor 0; validated only is shown.")
                    % {"value": repr(text)}
                )

        version = None
        text = _one(data, "version", errors)
        if text is not None:
            try:
                version = str(uuid.UUID(text))
            except ValueError:
                errors.append(
                    _("version: %(value)s is not a version code; all versions are shown.")
                    % {"value": repr(text)}
                )

        question_set = None
        text = _one(data, "set", errors)
        if text is not None:
            try:
                question_set = str(uuid.UUID(text))
            except ValueError:
                errors.append(
                    _("set: %(value)s is not a question-set code; the main set is shown.")
                    % {"value": repr(text)}
                )

        return cls(
            quarter=quarter,
            today=today,
            brands=_codes(
                data, "brand", _("%(name)s: %(value)s is not a brand code; it is ignored."), errors
            ),
            product_lines=_codes(
                data,
                "line",
                _("%(name)s: %(value)s is not a product line code; it is ignored."),
                errors,
            ),
            kinds=_choices(data, "kind", KINDS, errors),
            criticalities=_choices(data, "criticality", CRITICALITIES, errors),
            include_submitted=include_submitted,
            version=version,
            question_set=question_set,
            errors=tuple(errors),
        )

    @property
    def so_far(self) -> bool:
        """The chosen quarter is the current one: its figures can still change."""
        return self.quarter.end >= self.today

    @property
    def as_of(self) -> datetime.date:
        """The date the figures are taken at: the end of the quarter, or today in the current
        one, so that an assessment dated later in the quarter never counts before its day."""
        return min(self.quarter.end, self.today)

    @property
    def period_label(self) -> str:
        """The quarter as pages and reports name it: "2026 Q4 so far" or "2026 Q3"."""
        if self.so_far:
            return _("%(quarter)s so far") % {"quarter": self.quarter.label}
        return self.quarter.label

    def point_at(self, quarter: Quarter) -> datetime.date:
        """The date a trend's point for `quarter` is taken at: its end, or today."""
        return min(quarter.end, self.today)

    def quarters(self, count: int = 8) -> list[Quarter]:
        """The `count` quarters of a trend, ending with the chosen one."""
        return self.quarter.last(count)

    def params(self) -> list[tuple[str, str]]:
        pairs: list[tuple[str, str]] = [("quarter", self.quarter.code)]
        pairs += [("brand", code) for code in self.brands]
        pairs += [("line", code) for code in self.product_lines]
        pairs += [("kind", kind) for kind in self.kinds]
        pairs += [("criticality", value) for value in self.criticalities]
        if self.include_submitted:
            pairs.append(("submitted", "1"))
        if self.version:
            pairs.append(("version", self.version))
        if self.question_set:
            pairs.append(("set", self.question_set))
        return pairs

    def to_query(self) -> str:
        """The canonical query string (no leading "?"): the same view always gives the same text.

        The quarter is always written, so that a shared link shows the same
        figures next quarter too.
        """
        return urlencode(self.params())

    @property
    def narrows_projects(self) -> bool:
        """Whether any filter leaves projects out (the quarter and basis do not)."""
        return bool(self.brands or self.product_lines or self.kinds or self.criticalities)
