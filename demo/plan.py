"""A whole demo scenario planned in memory: people, brands, projects and their assessments.

No database here either: the plan is plain objects built from one seed, so
the same seed always gives the same plan. `builder` writes it to the database.
"""

import random
import unicodedata
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.utils.text import slugify

from brands.models import BrandRole, Criticality, GroupRole
from demo import data
from demo.model import (
    BRAND_SECTION_SPREAD,
    ProjectMaturity,
    Quarter,
    at,
    brand_baseline,
    question_difficulties,
    recent_quarters,
    section_offsets,
    weighted_sample,
    working_time,
)
from scoring.engine import QuestionSpec
from surveys.models import AssessmentMode, AssessmentStatus


@dataclass(frozen=True)
class ScaleConfig:
    """How big a scenario is and how it behaves."""

    name: str
    brands: tuple[data.BrandEntry, ...]
    quarters: int
    projects: dict[bool, tuple[int, int]]  # by has_ds_team: (fewest, most) per brand
    data_scientists: dict[bool, tuple[int, int]]  # by has_ds_team: (fewest, most) per brand
    late_start: float  # chance that a project is first assessed after the first quarter
    unassessed: float  # chance that a project was registered recently and never assessed
    skip: float  # chance that a project is not assessed in a later quarter
    not_yet: float  # chance that a project is not yet assessed in the current quarter
    drafts: int
    submitted: int
    self_fill: float  # share of validated assessments taken by self-fill (brands with a team)
    upgraded: int = 2  # drafts started on the older edition shortly before the newer one came out
    comment: float = 0.18  # chance of a comment on a new answer
    product_line_weight: float = 4.0  # how much likelier catalogue projects with a line are


SCALES: dict[str, ScaleConfig] = {
    "demo": ScaleConfig(
        name="demo",
        brands=data.DEMO_BRANDS,
        quarters=6,
        projects={True: (3, 8), False: (2, 3)},
        data_scientists={True: (1, 3), False: (1, 1)},
        late_start=0.35,
        unassessed=0.04,
        skip=0.12,
        not_yet=0.35,
        drafts=5,
        submitted=3,
        self_fill=0.25,
    ),
    # The reference dataset of TARGETS.md: 15 x 60 + 5 x 20 = 1,000 projects, 8 quarters each.
    "group": ScaleConfig(
        name="group",
        brands=data.ALL_BRANDS,
        quarters=8,
        projects={True: (60, 60), False: (20, 20)},
        data_scientists={True: (3, 6), False: (1, 2)},
        late_start=0.0,
        unassessed=0.0,
        skip=0.0,
        not_yet=0.0,
        drafts=30,
        submitted=12,
        self_fill=0.25,
        product_line_weight=2.0,
    ),
}


# --- The plan's objects ----------------------------------------------------------------------
@dataclass(eq=False)
class Person:
    username: str
    first_name: str
    last_name: str
    email: str
    joined: datetime
    group_role: str = ""
    brand_role: str = ""
    is_staff: bool = False
    is_superuser: bool = False
    pk: int | None = None  # set by the builder

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclass(eq=False)
class BrandPlan:
    entry: data.BrandEntry
    slug: str
    code: uuid.UUID
    created_at: datetime
    lead: Person
    viewer: Person
    data_scientists: list[Person]
    baseline: float
    offsets: dict[str, float]
    pk: int | None = None

    @property
    def members(self) -> list[Person]:
        return [self.lead, self.viewer, *self.data_scientists]


@dataclass(frozen=True, slots=True)
class AnswerPlan:
    """What an answer says; shared by consecutive assessments while it does not change."""

    option: str | None  # None means N/A
    na_reason: str = ""
    comment: str = ""
    evidence_url: str = ""


@dataclass(slots=True)
class AnswerRow:
    """One answer row of one assessment."""

    question: str
    answer: AnswerPlan
    answered_by: Person
    answered_at: datetime
    carried_over: bool = False
    interviewer_note: str = ""


@dataclass(eq=False)
class AssessmentPlan:
    code: uuid.UUID
    status: str
    mode: str
    assessed_on: date
    created_at: datetime
    created_by: Person
    conducted_by: Person | None = None
    interviewees: str = ""
    submitted_at: datetime | None = None
    validated_at: datetime | None = None
    validated_by: Person | None = None
    previous: "AssessmentPlan | None" = None
    rows: list[AnswerRow] = field(default_factory=list)
    edition: int = 0  # 0: the older question-set version; 1: the newer one (after the switch)
    pk: int | None = None

    @property
    def answers(self) -> dict[str, AnswerPlan]:
        return {row.question: row.answer for row in self.rows}

    @property
    def is_scored(self) -> bool:
        """Scores are stored on submit and on validation, not for drafts."""
        return self.status != AssessmentStatus.DRAFT

    @property
    def quarter(self) -> Quarter:
        return Quarter.of(self.assessed_on)


@dataclass(eq=False)
class ProjectPlan:
    brand: BrandPlan
    code: uuid.UUID
    name: str
    slug: str
    description: str
    kind: str
    criticality: str
    product_line: str | None
    team: list[Person]
    created_at: datetime | None = None
    assessments: list[AssessmentPlan] = field(default_factory=list)
    maturity: ProjectMaturity | None = None
    pk: int | None = None

    @property
    def validated(self) -> list[AssessmentPlan]:
        return [a for a in self.assessments if a.status == AssessmentStatus.VALIDATED]


@dataclass
class Scenario:
    config: ScaleConfig
    today: date
    quarters: list[Quarter]
    group_people: list[Person]
    brands: list[BrandPlan]
    projects: list[ProjectPlan]
    switch: datetime | None = None  # when the newer edition is published; None: one edition

    @property
    def people(self) -> list[Person]:
        return [*self.group_people, *(p for brand in self.brands for p in brand.members)]

    @property
    def assessments(self) -> list[AssessmentPlan]:
        return [a for project in self.projects for a in project.assessments]


# --- Names -----------------------------------------------------------------------------------
def ascii_slug(text: str, separator: str = "") -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return slugify(plain).replace("-", separator)


class NamePicker:
    """Unique, real-looking fictional names and addresses per country."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used_names: set[tuple[str, str]] = set()
        self.used_emails: set[str] = set()

    def name(self, country: str) -> tuple[str, str]:
        bank = data.NAMES.get(country, data.NAMES["US"])
        for _ in range(100):
            female = self.rng.random() < 0.5
            first = self.rng.choice(bank.female if female else bank.male)
            index = self.rng.randrange(len(bank.surnames))
            last = (
                (bank.female_surnames or bank.surnames)[index] if female else bank.surnames[index]
            )
            if (first, last) not in self.used_names:
                self.used_names.add((first, last))
                return first, last
        raise ValueError(f"ran out of names for {country}")

    def email(self, first: str, last: str) -> str:
        stem = f"{ascii_slug(first)}.{ascii_slug(last)}"
        candidate, n = stem, 1
        while candidate in self.used_emails:
            n += 1
            candidate = f"{stem}{n}"
        self.used_emails.add(candidate)
        return f"{candidate}@{data.EMAIL_DOMAIN}"

    def person(self, username: str, country: str, joined: datetime, **roles: object) -> Person:
        first, last = self.name(country)
        return Person(username, first, last, self.email(first, last), joined, **roles)


# --- Planning --------------------------------------------------------------------------------
def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _before(rng: random.Random, day: date, low: int, high: int) -> datetime:
    return working_time(rng, day - timedelta(days=rng.randint(low, high)))


def _class_of(rank: int, options: int) -> str:
    """The comment pool of an option rank: "yes", "partly" or "no"."""
    if rank == 0:
        return "yes"
    return "no" if rank == options - 1 else "partly"


class Planner:
    """Plans a scenario; every random choice goes through one seeded generator in a fixed order."""

    def __init__(
        self,
        config: ScaleConfig,
        *,
        seed: int,
        questions: Sequence[QuestionSpec],
        options: Sequence[str],
        today: date,
        now: datetime,
        later_questions: Sequence[QuestionSpec] = (),
        switch: datetime | None = None,
    ) -> None:
        self.config = config
        self.rng = random.Random(seed)
        self.names = NamePicker(self.rng)
        # Questions by edition: the older version's, and the newer one's from `switch` on.
        self.switch = switch if later_questions else None
        self.editions = [list(questions), list(later_questions or questions)]
        older = {q.key for q in questions}
        # A project's hidden state covers both editions; a statement in both keeps its draw.
        self.questions = [*questions, *(q for q in later_questions if q.key not in older)]
        self.section_of = {q.key: q.section for q in self.questions}
        self.sections = list(dict.fromkeys(q.section for q in self.questions))
        self.options = list(options)  # best first
        self.difficulty = {
            **question_difficulties(self.editions[1]),
            **question_difficulties(self.editions[0]),
        }
        self.na_likely = frozenset(data.NA_REASONS)
        self.today = today
        self.now = now
        self.quarters = recent_quarters(today, config.quarters)
        self.epoch = self.quarters[0].start
        # The group's own people, at the head office.
        central = data.CENTRAL_TEAM_COUNTRY
        joined = _before(self.rng, self.epoch, 200, 400)
        self.admin = self.names.person(
            "admin", central, joined, group_role=GroupRole.ADMIN, is_staff=True, is_superuser=True
        )
        self.assessor = self.names.person(
            "assessor", central, joined, group_role=GroupRole.ASSESSOR
        )
        self.manager = self.names.person("manager", central, joined, group_role=GroupRole.VIEWER)

    # -- top level
    def plan(self) -> Scenario:
        brands = [self._brand(entry) for entry in self.config.brands]
        projects = [project for brand in brands for project in self._projects(brand)]
        for project in projects:
            self._history(project)
        self._pending(projects)
        return Scenario(
            config=self.config,
            today=self.today,
            quarters=self.quarters,
            group_people=[self.admin, self.assessor, self.manager],
            brands=brands,
            projects=projects,
            switch=self.switch,
        )

    # -- brands and people
    def _brand(self, entry: data.BrandEntry) -> BrandPlan:
        rng, names = self.rng, self.names
        slug = ascii_slug(entry.name)
        created = _before(rng, self.epoch, 150, 300)
        joined = created + timedelta(days=rng.randint(1, 20))
        # Brands without their own team are served by data scientists of the central team.
        ds_country = entry.country if entry.has_ds_team else data.CENTRAL_TEAM_COUNTRY
        count = rng.randint(*self.config.data_scientists[entry.has_ds_team])
        return BrandPlan(
            entry=entry,
            slug=slug,
            code=_uuid(rng),
            created_at=created,
            lead=names.person(f"lead.{slug}", entry.country, joined, brand_role=BrandRole.LEAD),
            viewer=names.person(
                f"viewer.{slug}", entry.country, joined, brand_role=BrandRole.VIEWER
            ),
            data_scientists=[
                names.person(
                    f"ds{n}.{slug}", ds_country, joined, brand_role=BrandRole.DATA_SCIENTIST
                )
                for n in range(1, count + 1)
            ],
            baseline=brand_baseline(rng, entry.has_ds_team),
            offsets=section_offsets(rng, self.sections, BRAND_SECTION_SPREAD),
        )

    # -- projects
    def _projects(self, brand: BrandPlan) -> list[ProjectPlan]:
        rng = self.rng
        count = rng.randint(*self.config.projects[brand.entry.has_ds_team])
        weights = [
            self.config.product_line_weight if entry.product_line else 1.0
            for entry in data.PROJECTS
        ]
        entries = weighted_sample(rng, data.PROJECTS, weights, min(count, len(data.PROJECTS)))
        names = [entry.name for entry in entries]
        while len(entries) < count:  # more than the catalogue holds: scoped variants
            entry = rng.choice(data.PROJECTS)
            name = f"{entry.name} ({rng.choice(data.PROJECT_SCOPES)})"
            if name not in names:
                entries.append(entry)
                names.append(name)
        projects = [
            self._project(brand, entry, name) for entry, name in zip(entries, names, strict=True)
        ]
        for person in brand.data_scientists:  # everybody works on something
            if not any(person in project.team for project in projects):
                rng.choice(projects).team.append(person)
        return projects

    def _project(self, brand: BrandPlan, entry: data.ProjectEntry, name: str) -> ProjectPlan:
        rng = self.rng
        levels = list(Criticality.values)
        criticality = entry.criticality
        if rng.random() < 0.25:  # the same product matters more to some brands than to others
            index = levels.index(criticality) + rng.choice((-1, 1))
            criticality = levels[min(len(levels) - 1, max(0, index))]
        size = min(len(brand.data_scientists), rng.choice((1, 2, 2, 3)))
        return ProjectPlan(
            brand=brand,
            code=_uuid(rng),
            name=name,
            slug=ascii_slug(name, "-"),
            description=entry.description.format(brand=brand.entry.name),
            kind=entry.kind,
            criticality=criticality,
            product_line=entry.product_line,
            team=rng.sample(brand.data_scientists, size),
        )

    # -- validated history
    def _history(self, project: ProjectPlan) -> None:
        rng, config = self.rng, self.config
        maturity = ProjectMaturity.start(
            rng,
            kind=project.kind,
            baseline=project.brand.baseline,
            brand_offsets=project.brand.offsets,
            questions=[*self.questions, *self.editions[1]],
            na_likely=self.na_likely,
        )
        last = len(self.quarters) - 1
        roll = rng.random()
        if roll < config.unassessed:
            first = last + 1  # registered recently, not assessed yet
        elif roll < config.unassessed + config.late_start:
            first = rng.randint(1, last)
        else:
            first = 0
        first_day = self.quarters[min(first, last)].start
        project.created_at = _before(rng, first_day, 10, 120)
        previous: AssessmentPlan | None = None
        for index, quarter in enumerate(self.quarters):
            if index:
                maturity.advance(rng)
            if index < first:
                continue
            gap = config.not_yet if index == last else config.skip
            if index > first and rng.random() < gap:
                continue
            day = quarter.assessment_day(rng, self.today - timedelta(days=1))
            if day is None:
                continue
            previous = self._validated(project, maturity, day, previous)
            project.assessments.append(previous)
        project.maturity = maturity

    def _validated(
        self,
        project: ProjectPlan,
        maturity: ProjectMaturity,
        day: date,
        previous: "AssessmentPlan | None",
    ) -> AssessmentPlan:
        rng, brand = self.rng, project.brand
        edition = self._edition(at(day, 0))
        answers = self._answers(project, maturity, previous, edition)
        self_fill = brand.entry.has_ds_team and rng.random() < self.config.self_fill
        if self_fill:
            respondent = rng.choice(project.team)
            submitted = working_time(rng, day)
            validated = min(
                working_time(rng, day + timedelta(days=rng.randint(1, 8))),
                at(self.today - timedelta(days=1), 18),
            )
            validated = max(validated, submitted + timedelta(hours=1))
            reviewer = self.assessor if rng.random() < 0.6 else brand.lead
            start = submitted - timedelta(days=rng.randint(2, 10))
            assessment = AssessmentPlan(
                code=_uuid(rng),
                status=AssessmentStatus.VALIDATED,
                mode=AssessmentMode.SELF_FILL,
                assessed_on=day,
                created_at=start - timedelta(hours=rng.randint(1, 72)),
                created_by=reviewer,
                submitted_at=submitted,
                validated_at=validated,
                validated_by=reviewer,
                previous=previous,
            )
            assessment.rows = self._rows(answers, [respondent], start, submitted, spread=True)
            assessment.edition = edition
        else:
            assessor_odds = 0.6 if brand.entry.has_ds_team else 0.85
            conductor = self.assessor if rng.random() < assessor_odds else brand.lead
            begin = at(day, rng.randint(9, 15), rng.choice((0, 30)))
            end = begin + timedelta(minutes=rng.randint(50, 90))
            interviewees = list(project.team)
            if rng.random() < 0.4 and conductor is not brand.lead:
                interviewees.append(brand.lead)
            assessment = AssessmentPlan(
                code=_uuid(rng),
                status=AssessmentStatus.VALIDATED,
                mode=AssessmentMode.INTERVIEW,
                assessed_on=day,
                created_at=_before(rng, day, 1, 14),
                created_by=conductor,
                conducted_by=conductor,
                interviewees=", ".join(p.full_name for p in interviewees),
                validated_at=end + timedelta(minutes=rng.randint(5, 120)),
                validated_by=conductor,
                previous=previous,
            )
            assessment.rows = self._rows(answers, interviewees, begin, end, notes=True)
            assessment.edition = edition
        if edition and self.switch is not None:  # started once the newer edition was out
            assessment.created_at = max(assessment.created_at, self.switch + timedelta(hours=1))
        return assessment

    def _edition(self, moment: datetime) -> int:
        """Which question-set version work started at `moment` uses."""
        return int(self.switch is not None and moment >= self.switch)

    # -- drafts and submitted self-fills of the current quarter
    def _pending(self, projects: list[ProjectPlan]) -> None:
        rng, config = self.rng, self.config
        current = self.quarters[-1]
        never = [p for p in projects if not p.assessments]
        behind = [p for p in projects if p.assessments and p.assessments[-1].quarter != current]
        rest = [p for p in projects if p.assessments and p.assessments[-1].quarter == current]
        for group in (never, behind, rest):
            rng.shuffle(group)
        candidates = never[:2] + behind + rest
        drafts = candidates[: config.drafts]
        with_team = [p for p in candidates[config.drafts :] if p.brand.entry.has_ds_team]
        for project in drafts:
            project.assessments.append(self._draft(project))
        submitted = with_team[: config.submitted]
        for project in submitted:
            project.assessments.append(self._submitted(project))
        if self.switch is None:
            return
        # A few drafts started on the older edition shortly before the newer one came out:
        # the switch upgrades them (with every draft still open on the older edition).
        taken = {id(p) for p in [*drafts, *submitted]}
        switch_day = self.switch.date()
        ready = [
            p
            for p in behind
            if id(p) not in taken
            and p.validated
            and (p.validated[-1].validated_at or p.validated[-1].created_at).date()
            < switch_day - timedelta(days=3)
        ]
        for project in ready[: config.upgraded]:
            project.assessments.append(self._draft(project, before_switch=True))

    def _pending_start(self, project: ProjectPlan, low: int, high: int) -> date:
        """A day in the last few weeks, after the project's latest validated assessment."""
        day = self.today - timedelta(days=self.rng.randint(low, high))
        if project.assessments:
            last = project.assessments[-1]
            day = max(day, (last.validated_at or last.created_at).date() + timedelta(days=1))
        return min(day, self.today)

    def _moved_on(self, project: ProjectPlan, previous: "AssessmentPlan | None") -> ProjectMaturity:
        """The project's maturity now; a little further on if it was validated this quarter."""
        maturity = project.maturity
        assert maturity is not None
        if previous is not None and previous.quarter == self.quarters[-1]:
            maturity.advance(self.rng)
        return maturity

    def _draft(self, project: ProjectPlan, before_switch: bool = False) -> AssessmentPlan:
        rng, brand = self.rng, project.brand
        previous = project.validated[-1] if project.validated else None
        day = self._pending_start(project, 1, 20)
        end_by = self.now
        if before_switch and self.switch is not None:
            last = previous.validated_at or previous.created_at if previous else None
            day = self.switch.date() - timedelta(days=rng.randint(2, 12))
            if last is not None:
                day = max(day, last.date() + timedelta(days=1))
            end_by = self.switch - timedelta(hours=2)
        self_fill = brand.entry.has_ds_team and rng.random() < 0.7
        creator = self.assessor if rng.random() < 0.5 else brand.lead
        created = min(working_time(rng, day), end_by - timedelta(minutes=30))
        edition = self._edition(created)
        if edition == 0 and self.switch is not None:  # answered before the newer edition came out
            end_by = min(end_by, self.switch - timedelta(minutes=30))
        assessment = AssessmentPlan(
            code=_uuid(rng),
            status=AssessmentStatus.DRAFT,
            mode=AssessmentMode.SELF_FILL if self_fill else AssessmentMode.INTERVIEW,
            assessed_on=day,
            created_at=created,
            created_by=creator,
            conducted_by=None if self_fill else self.assessor,
            interviewees="" if self_fill else ", ".join(p.full_name for p in project.team),
            previous=previous,
            edition=edition,
        )
        answers = self._answers(project, self._moved_on(project, previous), previous, edition)
        # Work goes top to bottom: the first part is answered, the rest is copied or open.
        done = int(len(answers) * rng.uniform(0.25, 0.7))
        worked = dict(list(answers.items())[:done])
        end = end_by if self_fill else min(created + timedelta(minutes=45), end_by)
        rows = self._rows(worked, project.team, created, end, spread=self_fill)
        if previous is not None:
            # Copied by key: statements the draft's version no longer has are left behind.
            copied = {
                r.question: r
                for r in previous.rows
                if r.question not in worked and r.question in answers
            }
            rows += [
                AnswerRow(r.question, r.answer, r.answered_by, r.answered_at, carried_over=True)
                for r in copied.values()
            ]
        order = {key: index for index, key in enumerate(answers)}
        assessment.rows = sorted(rows, key=lambda r: order.get(r.question, len(order)))
        return assessment

    def _submitted(self, project: ProjectPlan) -> AssessmentPlan:
        rng, brand = self.rng, project.brand
        previous = project.validated[-1] if project.validated else None
        day = self._pending_start(project, 1, 10)
        submitted = min(working_time(rng, day), self.now - timedelta(minutes=5))
        start = submitted - timedelta(days=rng.randint(2, 8))
        if previous is not None and previous.validated_at is not None:
            start = max(start, previous.validated_at)
        start = min(start, submitted - timedelta(hours=1))
        edition = self._edition(start)
        answers = self._answers(project, self._moved_on(project, previous), previous, edition)
        assessment = AssessmentPlan(
            code=_uuid(rng),
            edition=edition,
            status=AssessmentStatus.SUBMITTED,
            mode=AssessmentMode.SELF_FILL,
            assessed_on=submitted.date(),
            created_at=start - timedelta(minutes=rng.randint(10, 600)),
            created_by=brand.lead,
            submitted_at=submitted,
            previous=previous,
        )
        assessment.rows = self._rows(answers, project.team, start, submitted, spread=True)
        return assessment

    # -- answers
    def _answers(
        self,
        project: ProjectPlan,
        maturity: ProjectMaturity,
        previous: "AssessmentPlan | None",
        edition: int = 0,
    ) -> dict[str, AnswerPlan]:
        """This quarter's answers to the edition's statements: unchanged ones are the previous
        objects, comments and all."""
        before = previous.answers if previous else {}
        ranks = maturity.ranks(self.editions[edition], self.difficulty, len(self.options))
        answers = {}
        for key, rank in ranks.items():
            option = None if rank is None else self.options[rank]
            old = before.get(key)
            if old is not None and old.option == option:
                answers[key] = old
            else:
                answers[key] = self._answer(project, key, rank, old)
        return answers

    def _answer(
        self, project: ProjectPlan, key: str, rank: int | None, old: AnswerPlan | None
    ) -> AnswerPlan:
        rng, section = self.rng, self.section_of[key]
        if rank is None:
            reasons = data.NA_REASONS.get(key, data.GENERIC_NA_REASONS)
            return AnswerPlan(option=None, na_reason=rng.choice(reasons))
        option, kind = self.options[rank], _class_of(rank, len(self.options))
        comment = ""
        if old is not None and old.option is not None and rng.random() < 0.35:
            better = rank < self.options.index(old.option)
            comment = rng.choice(data.IMPROVED_COMMENTS if better else data.WORSENED_COMMENTS)
        elif rng.random() < self.config.comment:
            pool = data.SECTION_COMMENTS.get(section, data.GENERIC_COMMENTS)[kind]
            comment = rng.choice(pool + data.GENERIC_COMMENTS[kind])
        evidence = ""
        if old is not None and old.evidence_url and kind != "no":
            evidence = old.evidence_url
        elif rng.random() < {"yes": 0.3, "partly": 0.12}.get(kind, 0.0):
            evidence = self._evidence(project, section)
        return AnswerPlan(option=option, comment=comment, evidence_url=evidence)

    def _evidence(self, project: ProjectPlan, section: str) -> str:
        where, _, path = self.rng.choice(
            data.EVIDENCE.get(section, data.GENERIC_EVIDENCE)
        ).partition(":")
        brand = project.brand.slug
        if where == "git":
            return f"{data.GIT_URL}/{brand}/{project.slug}/{path}"
        return f"{data.WIKI_URL}/{brand}/ml/{project.slug}/{path}"

    def _rows(
        self,
        answers: dict[str, AnswerPlan],
        people: Sequence[Person],
        start: datetime,
        end: datetime,
        *,
        spread: bool = False,
        notes: bool = False,
    ) -> list[AnswerRow]:
        """Answer rows, answered in question order between `start` and `end`.

        In an interview the answers follow each other within the call; a
        self-fill is spread over several sittings (`spread`).
        """
        rng = self.rng
        end = min(end, self.now)
        start = min(start, end)
        span = (end - start).total_seconds()
        count = max(1, len(answers))
        rows = []
        for index, (key, answer) in enumerate(answers.items()):
            # Draw the same numbers whatever the clock says, so that a seed gives the same data.
            offset, daytime, person = rng.random(), rng.randint(9, 17), rng.choice(people)
            moment = start + timedelta(seconds=span * (index + offset) / count)
            if spread and moment.hour >= 18:  # nobody fills it in at night
                moment = min(max(moment.replace(hour=daytime), start), end)
            note = ""
            if notes and rng.random() < 0.04:
                note = rng.choice(data.INTERVIEWER_NOTES)
            rows.append(AnswerRow(key, answer, person, moment, interviewer_note=note))
        return rows


def plan_scenario(
    config: ScaleConfig,
    *,
    seed: int,
    questions: Sequence[QuestionSpec],
    options: Sequence[str],
    today: date,
    now: datetime,
    later_questions: Sequence[QuestionSpec] = (),
    switch: datetime | None = None,
) -> Scenario:
    """Plan a whole scenario. `options` are the answer scale's keys, best first (the same in
    both editions). With `later_questions` and `switch`, work started from `switch` on answers
    the newer edition's statements."""
    planner = Planner(
        config,
        seed=seed,
        questions=questions,
        options=options,
        today=today,
        now=now,
        later_questions=later_questions,
        switch=switch,
    )
    return planner.plan()
