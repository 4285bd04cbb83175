"""The random model behind the demo data. Pure Python: no Django, no database.

Each project has a latent maturity (0 to 1) that starts low and climbs
unevenly from quarter to quarter. The chance that a statement is met depends
on that maturity, on how hard the statement is (core and basic statements
such as version control are met far more often than explainability or
experimentation) and on the team's strengths per section.

Answers stay consistent over time: every (project, question) pair keeps a
fixed random draw, and the answer is the option that draw lands on given the
current chance. When maturity rises, some answers move up; a draw is renewed
only now and then, which makes the odd answer move for no visible reason, as
in real interviews.

All randomness comes from the `random.Random` passed in, so a seed gives the
same data every time.
"""

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import TypeVar

from scoring.engine import QuestionSpec, applies

T = TypeVar("T")

# --- Tunable figures of the model ------------------------------------------------------------
# Starting maturity: brands with their own DS team start higher than brands served centrally.
BRAND_BASELINE = {True: (0.28, 0.05), False: (0.18, 0.04)}  # mean, spread
PROJECT_SPREAD = 0.08
START_RANGE = (0.06, 0.55)
MAX_MATURITY = 0.93
# A quarter's change: mostly a climb, sometimes flat, now and then a small dip.
CLIMB = (0.62, 0.015, 0.075)  # probability, smallest step, largest step
FLAT = 0.26  # probability (the rest is a dip)
DIP = (0.0, 0.035)
# How much harder statements are than the section average, in logit units per unit difficulty.
DIFFICULTY_SLOPE = 4.0
# Strengths and weaknesses per section (logit units) of a brand and of a project team.
BRAND_SECTION_SPREAD = 0.30
PROJECT_SECTION_SPREAD = 0.35
# Width of the band of draws around the chance that ends on a middle option ("partly").
PARTLY_BAND = 0.24
# Chance per quarter that an answer's draw is renewed (an answer moving for no visible reason).
REDRAW = 0.06
# Chance that a question is N/A for a project: higher for the usual suspects.
NA_LIKELY, NA_RARE = 0.2, 0.006

# How hard a statement is, by section (0 easy .. 1 hard); questions later in a
# section are a little harder than earlier ones, core ones a little easier.
SECTION_DIFFICULTY = {
    "documentation": 0.36,
    "code-quality": 0.30,
    "traceability": 0.52,
    "monitoring": 0.55,
    "data-pipelines": 0.52,
    "explainability": 0.74,
    "experimentation": 0.72,
}
DEFAULT_DIFFICULTY = 0.55
# Basics that most teams have from day one.
EASY_QUESTIONS = {
    "code-vcs": 0.02,
    "doc-purpose": 0.12,
    "code-review": 0.2,
    "doc-data-sources": 0.28,
    "mon-ownership": 0.3,
    "data-access-control": 0.3,
    "exp-tracking": 0.45,
    "exp-baseline": 0.45,
}


# --- Small helpers ---------------------------------------------------------------------------
def clamp(value: float, low: float, high: float) -> float:
    return min(high, max(low, value))


def logit(p: float) -> float:
    p = clamp(p, 1e-6, 1 - 1e-6)
    return math.log(p / (1 - p))


def sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def weighted_sample(
    rng: random.Random, items: Sequence[T], weights: Sequence[float], k: int
) -> list[T]:
    """`k` distinct items, heavier ones more likely (keeps the input order)."""
    keyed = sorted(range(len(items)), key=lambda i: rng.random() ** (1 / weights[i]), reverse=True)
    return [items[i] for i in sorted(keyed[:k])]


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


def working_time(rng: random.Random, day: date) -> datetime:
    """A moment during office hours on `day`."""
    return at(day, rng.randint(8, 17), rng.randint(0, 59))


# --- Quarters --------------------------------------------------------------------------------
@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int

    @classmethod
    def of(cls, day: date) -> "Quarter":
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def start(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> date:
        return self.next().start - timedelta(days=1)

    @property
    def label(self) -> str:
        return f"{self.year} Q{self.number}"

    def next(self) -> "Quarter":
        return (
            Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)
        )

    def previous(self) -> "Quarter":
        return (
            Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)
        )

    def assessment_day(self, rng: random.Random, latest: date) -> date | None:
        """A weekday at least three weeks into the quarter, never after `latest`.

        None when the quarter starts after `latest`.
        """
        if latest < self.start:
            return None
        last = min(self.end - timedelta(days=4), latest)
        first = min(self.start + timedelta(days=20), last)
        day = first + timedelta(days=rng.randint(0, (last - first).days))
        while day.weekday() >= 5 and day > first:  # move weekend dates back to Friday
            day -= timedelta(days=1)
        return day


def recent_quarters(today: date, count: int) -> list[Quarter]:
    """The `count` most recent quarters, oldest first, the last one containing `today`."""
    quarters = [Quarter.of(today)]
    while len(quarters) < count:
        quarters.append(quarters[-1].previous())
    return quarters[::-1]


# --- Maturity --------------------------------------------------------------------------------
def brand_baseline(rng: random.Random, has_ds_team: bool) -> float:
    mean, spread = BRAND_BASELINE[has_ds_team]
    return rng.gauss(mean, spread)


def initial_maturity(rng: random.Random, baseline: float) -> float:
    return clamp(rng.gauss(baseline, PROJECT_SPREAD), *START_RANGE)


def next_maturity(rng: random.Random, level: float) -> float:
    """One quarter later: mostly a climb, sometimes flat, now and then a small dip."""
    roll = rng.random()
    chance, low, high = CLIMB
    if roll < chance:
        level += rng.uniform(low, high)
    elif roll >= chance + FLAT:
        level -= rng.uniform(*DIP)
    return clamp(level, 0.02, MAX_MATURITY)


def section_offsets(rng: random.Random, sections: Sequence[str], spread: float) -> dict[str, float]:
    return {key: rng.gauss(0, spread) for key in sections}


def question_difficulties(questions: Sequence[QuestionSpec]) -> dict[str, float]:
    """How hard each statement is to meet (0 easy .. 1 hard)."""
    by_section: dict[str, list[QuestionSpec]] = {}
    for question in questions:
        by_section.setdefault(question.section, []).append(question)
    difficulty = {}
    for section, members in by_section.items():
        base = SECTION_DIFFICULTY.get(section, DEFAULT_DIFFICULTY)
        for index, question in enumerate(members):
            position = index / (len(members) - 1) if len(members) > 1 else 0.5
            value = base + 0.16 * (position - 0.5) - (0.05 if question.core else 0)
            difficulty[question.key] = EASY_QUESTIONS.get(question.key, value)
    return difficulty


def chance_met(level: float, difficulty: float, offset: float = 0.0) -> float:
    """Chance that a statement of `difficulty` is met at maturity `level`.

    Averaged over a question set it comes out near `level`.
    """
    mean_difficulty = 0.5
    return sigmoid(logit(level) + DIFFICULTY_SLOPE * (mean_difficulty - difficulty) + offset)


def option_rank(chance: float, draw: float, options: int) -> int:
    """Which option a draw lands on: 0 is the best (e.g. "yes"), `options - 1` the worst.

    Draws below `chance - PARTLY_BAND / 2` land on the best option, draws above
    `chance + PARTLY_BAND / 2` on the worst, those in between on the middle
    options, so that the expected score is about `chance`.
    """
    if options <= 1:
        return 0
    if options == 2:
        return 0 if draw < chance else 1
    low, high = chance - PARTLY_BAND / 2, chance + PARTLY_BAND / 2
    if draw < low:
        return 0
    if draw >= high:
        return options - 1
    middle = options - 2
    return 1 + min(middle - 1, int((draw - low) / PARTLY_BAND * middle))


def na_chance(question_key: str, likely: set[str] | frozenset[str]) -> float:
    return NA_LIKELY if question_key in likely else NA_RARE


@dataclass
class ProjectMaturity:
    """The hidden state of one project: its maturity and its answers' fixed draws."""

    kind: str
    level: float
    offsets: dict[str, float]  # by section, logit units
    draws: dict[str, float]  # by question key, uniform 0..1
    na: frozenset[str] = field(default_factory=frozenset)  # questions N/A for this project

    @classmethod
    def start(
        cls,
        rng: random.Random,
        *,
        kind: str,
        baseline: float,
        brand_offsets: dict[str, float],
        questions: Sequence[QuestionSpec],
        na_likely: frozenset[str],
    ) -> "ProjectMaturity":
        # A statement may be listed twice (once per edition, applying to other kinds): one draw.
        applicable = list({q.key: q for q in questions if applies(q, kind)}.values())
        offsets = {
            section: brand_offsets.get(section, 0.0) + rng.gauss(0, PROJECT_SECTION_SPREAD)
            for section in dict.fromkeys(q.section for q in questions)
        }
        return cls(
            kind=kind,
            level=initial_maturity(rng, baseline),
            offsets=offsets,
            draws={q.key: rng.random() for q in applicable},
            na=frozenset(
                q.key
                for q in applicable
                if not q.core and rng.random() < na_chance(q.key, na_likely)
            ),
        )

    def advance(self, rng: random.Random) -> None:
        """Move one quarter on: maturity changes, a few draws are renewed."""
        self.level = next_maturity(rng, self.level)
        for key in self.draws:
            if rng.random() < REDRAW:
                self.draws[key] = rng.random()

    def ranks(
        self, questions: Sequence[QuestionSpec], difficulty: dict[str, float], options: int
    ) -> dict[str, int | None]:
        """The option rank of every applicable question now; None for N/A."""
        return {
            q.key: None
            if q.key in self.na
            else option_rank(
                chance_met(self.level, difficulty[q.key], self.offsets[q.section]),
                self.draws[q.key],
                options,
            )
            for q in questions
            if q.key in self.draws and applies(q, self.kind)
        }
