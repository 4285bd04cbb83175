"""Writes a planned scenario to the database with bulk inserts; finds and removes demo data.

The stored scores are computed here with the scoring engine, exactly as
`scoring.services.score_store` would store them, but in bulk: per-assessment
services would take minutes at group scale.
"""

import hashlib
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    CharField,
    Field,
    ForeignKey,
    IntegerField,
    JSONField,
    Model,
    QuerySet,
    TextField,
)
from django.utils import timezone

from brands.models import Brand, BrandRole, GroupRole, Membership, ProductLine, Project, User
from demo import data
from demo.model import at
from demo.plan import AnswerRow, AssessmentPlan, Scenario, ascii_slug
from scoring import engine
from scoring.models import Score, SectionScore
from scoring.selectors import version_spec
from scoring.services.scores import score_figures, stored_decimal
from surveys import question_set_format as fmt
from surveys.management.commands.import_question_set import DEFAULT_SET_HISTORY, DEMO_SECOND_SET
from surveys.models import (
    Answer,
    AnswerEvent,
    AnswerVia,
    Assessment,
    AssessmentStatus,
    EvidenceOutcome,
    PipelineEvidence,
    QuestionSetVersion,
    Round,
    RoundMember,
    RoundMode,
    RoundStatus,
    VersionStatus,
)
from surveys.selectors import default_version
from surveys.services import question_set_import

BATCH_SIZE = 5000
_PRODUCT_LINE_NAMESPACE = uuid.UUID("5f0c1e9a-3d7b-4c1e-9a55-0d1e7a6b2c40")

Log = Callable[[str], None]

# Fields whose Python values SQLite stores as they are (see `_insert_rows_sqlite`).
_PLAIN_FIELDS = (BooleanField, CharField, ForeignKey, IntegerField, TextField)


def quarter_start(day: date) -> date:
    return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


# --- Question set ----------------------------------------------------------------------------
def ensure_question_set() -> QuestionSetVersion:
    """The version to seed against; loads and publishes the default set's first edition if
    nothing is published (the seed then takes it to the current edition: demo.editions)."""
    if not QuestionSetVersion.objects.filter(status=VersionStatus.PUBLISHED).exists():
        first = DEFAULT_SET_HISTORY[0]
        question_set_import(spec=fmt.parse(first.read_text(encoding="utf-8")), publish=True)
    # A second, small set beside it, inactive until a group admin activates it.
    second = fmt.parse(DEMO_SECOND_SET.read_text(encoding="utf-8"))
    if not QuestionSetVersion.objects.filter(question_set__key=second.key).exists():
        question_set_import(spec=second, publish=True)
    version = default_version()
    assert version is not None
    return version


def options_best_first(version: QuestionSetVersion) -> list[str]:
    return [o.key for o in sorted(version.options.all(), key=lambda o: (-o.score, o.order))]


# --- Finding and removing demo data ----------------------------------------------------------
def demo_brand_names() -> list[str]:
    return [entry.name for entry in data.ALL_BRANDS]


def demo_usernames() -> list[str]:
    """Every username the seed can create."""
    names = ["admin", "assessor", "manager"]
    for entry in data.ALL_BRANDS:
        slug = ascii_slug(entry.name)
        names += [f"lead.{slug}", f"viewer.{slug}"]
        names += [f"ds{n}.{slug}" for n in range(1, 21)]
    return names


def demo_users() -> QuerySet[User]:
    return User.objects.filter(
        username__in=demo_usernames(), email__endswith=f"@{data.EMAIL_DOMAIN}"
    )


def demo_present() -> bool:
    return Brand.objects.filter(name__in=demo_brand_names()).exists() or demo_users().exists()


def taken_usernames(usernames: Iterable[str]) -> list[str]:
    """Those of `usernames` that belong to somebody other than the demo."""
    taken = User.objects.filter(username__in=list(usernames)).exclude(pk__in=demo_users())
    return sorted(taken.values_list("username", flat=True))


@transaction.atomic
def flush_demo() -> dict[str, int]:
    """Delete the brands, projects, assessments and users created by the seed.

    Question sets and product lines stay. Answers and their history are
    deleted with plain DELETE statements first: at group scale, Django's
    cascade would load half a million answers into memory to delete them.
    """
    brands = Brand.objects.filter(name__in=demo_brand_names())
    rounds = Round.objects.filter(selection__demo=True).delete()[1].get("surveys.Round", 0)
    assessments = Assessment.objects.filter(project__brand__in=brands)
    answers = Answer.objects.filter(assessment__in=assessments)
    # History refuses deletion through the ORM (it is append-only for the app); wiping
    # the demo is the one deliberate exception.
    events_qs = AnswerEvent.objects.filter(answer__in=answers)
    events = events_qs._raw_delete(events_qs.db)
    sections, _ = SectionScore.objects.filter(score__assessment__in=assessments).delete()
    counts = {"answer events": events, "section scores": sections, "rounds": rounds}
    # Nothing else refers to answers once their events are gone, so no cascade is skipped.
    counts["answers"] = answers._raw_delete(answers.db)
    counts["scores"] = Score.objects.filter(assessment__in=assessments).delete()[0]
    counts["assessments"] = assessments.count()
    counts["projects"] = Project.objects.filter(brand__in=brands).count()
    counts["brands"] = brands.count()
    brands.delete()
    counts["users"] = demo_users().count()
    demo_users().delete()
    return counts


@dataclass(frozen=True)
class Login:
    username: str
    role: str
    brand: str


def demo_logins() -> list[Login]:
    """The demo users as they are in the database: group roles first, then brand by brand."""
    users = demo_users().prefetch_related("memberships__brand")
    group = {role.value: role.label for role in GroupRole}
    brand_roles = dict(BrandRole.choices)
    logins = [Login(u.username, group[u.group_role], "-") for u in users if u.group_role]
    for user in users:
        for membership in user.memberships.all():
            logins.append(Login(user.username, brand_roles[membership.role], membership.brand.name))
    order = {name: index for index, name in enumerate(demo_usernames())}
    return sorted(logins, key=lambda login: order.get(login.username, len(order)))


# --- Building --------------------------------------------------------------------------------
def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# Column order of the rows given to `insert_rows` for the two big tables.
ANSWER_COLUMNS = (
    "assessment_id",
    "question_id",
    "option_id",
    "is_na",
    "na_reason",
    "comment",
    "evidence_url",
    "interviewer_note",
    "carried_over",
    "answered_by_id",
    "answered_at",
    "revision",
)
EVENT_COLUMNS = ("answer_id", "actor_id", "at", "via", "revision", "changes")


def insert_rows(
    model: type[Model], columns: Sequence[str], rows: list[tuple[Any, ...]]
) -> list[int]:
    """Insert `rows` (values in `columns` order, attnames) and return their ids, in order.

    On PostgreSQL the rows go in with COPY, their ids drawn from the table's
    sequence first: at half a million answers plus as many events this is
    several times faster than bulk_create, whose per-value preparation and
    client-side quoting dominate. On SQLite one `executemany` of a single-row
    INSERT with ids numbered after the table's highest (the seed's transaction
    holds SQLite's write lock, so nobody else takes them): bulk_create there
    compiles a statement of at most 999 values at a time, and building the
    model instances and compiling those statements was most of the demo seed's
    time. Elsewhere bulk_create.
    """
    if connection.vendor not in ("postgresql", "sqlite"):
        objects = model.objects.bulk_create(
            model(**dict(zip(columns, row, strict=True))) for row in rows
        )
        return [obj.pk for obj in objects]
    meta = model._meta
    table = meta.db_table
    # Neither COPY nor a raw INSERT knows Django's defaults: fill the columns not given as
    # bulk_create would.
    rest = [f for f in meta.concrete_fields if not f.primary_key and f.attname not in columns]
    fields = [meta.get_field(c) for c in columns] + rest
    names = ", ".join(connection.ops.quote_name(f.column) for f in [meta.pk, *fields])
    if connection.vendor == "sqlite":
        return _insert_rows_sqlite(meta, fields, names, rows, len(columns))
    from psycopg.types.json import Jsonb

    json_columns = [i for i, f in enumerate(fields) if isinstance(f, JSONField)]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, meta.pk.column, len(rows)],
        )
        ids = [pk for (pk,) in cursor.fetchall()]
        sql = f"COPY {connection.ops.quote_name(table)} ({names}) FROM STDIN"
        with cursor.cursor.copy(sql) as copy:
            for pk, row in zip(ids, rows, strict=True):
                values = [pk, *row, *(_default(f) for f in rest)]
                for i in json_columns:
                    values[i + 1] = Jsonb(values[i + 1])
                copy.write_row(values)
    return ids


def _insert_rows_sqlite(
    meta: Any, fields: list[Field], names: str, rows: list[tuple[Any, ...]], given: int
) -> list[int]:
    """`insert_rows` on SQLite: each value prepared by its field exactly as bulk_create
    prepares it (dates to text, JSON to text), the ids taken after the highest ever used
    (the table is AUTOINCREMENT: sqlite_sequence remembers ids of deleted rows too)."""
    table = meta.db_table
    quoted = connection.ops.quote_name(table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX({connection.ops.quote_name(meta.pk.column)}) FROM {quoted}")
        highest = cursor.fetchone()[0] or 0
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        remembered = cursor.fetchone()
        if remembered is not None:
            highest = max(highest, remembered[0] or 0)
        ids = list(range(highest + 1, highest + 1 + len(rows)))
        # Plain Python values (ints, text, booleans, None) need no preparation; the others go
        # through their field, as bulk_create sends them.
        prepare = [None if isinstance(f, _PLAIN_FIELDS) else f.get_db_prep_save for f in fields]
        defaults = [_default(f) for f in fields[given:]]
        prepared = []
        for pk, row in zip(ids, rows, strict=True):
            values = [*row, *defaults]
            for i, convert in enumerate(prepare):
                if convert is not None:
                    values[i] = convert(values[i], connection)
            prepared.append((pk, *values))
        marks = ", ".join(["%s"] * (len(fields) + 1))
        cursor.executemany(f"INSERT INTO {quoted} ({names}) VALUES ({marks})", prepared)
    return ids


def _default(field: Field) -> Any:
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return timezone.now()
    return field.get_default()


def _backdate(model: type[Model], stamps: dict[int, Any]) -> None:
    """Set `created_at` (filled with "now" by auto_now_add on insert) to the planned moments."""
    objects = [model(pk=pk, created_at=moment) for pk, moment in stamps.items()]
    model.objects.bulk_update(objects, ["created_at"], batch_size=1000)


def _changes(row: AnswerRow) -> dict[str, list[Any]]:
    """The first event of an answer: every field that left its empty value."""
    answer = row.answer
    if answer.option is None:
        changes: dict[str, list[Any]] = {
            "is_na": [False, True],
            "na_reason": ["", answer.na_reason],
        }
    else:
        changes = {"option": [None, answer.option]}
    if answer.comment:
        changes["comment"] = ["", answer.comment]
    if answer.evidence_url:
        changes["evidence_url"] = ["", answer.evidence_url]
    return changes


@dataclass
class _Edition:
    """One question-set version and its rows' ids, by key."""

    version: QuestionSetVersion

    def __post_init__(self) -> None:
        version = self.version
        self.spec = version_spec(version)
        self.questions = dict(version.questions.values_list("key", "id"))
        self.options = dict(version.options.values_list("key", "id"))
        self.sections = dict(version.sections.values_list("key", "id"))


# Called between the editions with the builder (its people have ids by then); returns the
# newer version.
Switch = Callable[["Builder"], QuestionSetVersion]


class Builder:
    """Writes one scenario: everything on `version`, or, when the scenario switches editions,
    the older edition's assessments on `version`, then `switch`, then the newer edition's on
    the version it returns. Use `build()`."""

    def __init__(
        self,
        scenario: Scenario,
        version: QuestionSetVersion,
        log: Log,
        switch: Switch | None = None,
    ) -> None:
        self.scenario = scenario
        self.editions = [_Edition(version)]
        self.switch = switch
        self.log = log
        self.counts: dict[str, int] = {}

    def build(self) -> dict[str, int]:
        steps: list[tuple[str, Callable[[], None]]] = [
            ("people and brands", self._people_and_brands),
            ("projects", self._projects),
        ]
        editions = [0, 1] if self.scenario.switch is not None and self.switch else [0]
        for edition in editions:
            if edition:
                steps.append(("new edition", self._switch))
            steps += [
                ("assessments", lambda e=edition: self._assessments(e)),
                ("scores", lambda e=edition: self._scores(e)),
                ("answers and their history", lambda e=edition: self._answers(e)),
            ]
        steps.append(("rounds", self._rounds))
        steps.append(("pipeline evidence", self._pipeline_evidence))
        for label, step in steps:
            started = time.perf_counter()
            step()
            self.log(f"  {label}: {time.perf_counter() - started:.1f} s")
        plans = self.scenario.assessments
        for status in ("validated", "submitted", "draft"):
            self.counts[f"assessments {status}"] = sum(a.status == status for a in plans)
        return self.counts

    def _switch(self) -> None:
        assert self.switch is not None
        self.editions.append(_Edition(self.switch(self)))

    def person_pk(self, username: str) -> int | None:
        return next((p.pk for p in self.scenario.people if p.username == username), None)

    def _people_and_brands(self) -> None:
        self._people()
        self._brands()

    def _people(self) -> None:
        password = make_password(data.PASSWORD)  # hashing is slow: once for everybody
        people = self.scenario.people
        users = User.objects.bulk_create(
            User(
                username=p.username,
                first_name=p.first_name,
                last_name=p.last_name,
                email=p.email,
                password=password,
                group_role=p.group_role,
                is_staff=p.is_staff,
                is_superuser=p.is_superuser,
                date_joined=p.joined,
            )
            for p in people
        )
        for person, user in zip(people, users, strict=True):
            person.pk = user.pk
        self.counts["users"] = len(users)

    def _brands(self) -> None:
        plans = self.scenario.brands
        brands = Brand.objects.bulk_create(
            Brand(
                code=b.code,
                name=b.entry.name,
                country=b.entry.country,
                has_ds_team=b.entry.has_ds_team,
            )
            for b in plans
        )
        for plan, brand in zip(plans, brands, strict=True):
            plan.pk = brand.pk
        _backdate(Brand, {b.pk: b.created_at for b in plans})
        memberships = Membership.objects.bulk_create(
            Membership(user_id=p.pk, brand_id=b.pk, role=p.brand_role)
            for b in plans
            for p in b.members
        )
        people = [p for b in plans for p in b.members]
        _backdate(Membership, {m.pk: p.joined for m, p in zip(memberships, people, strict=True)})
        self.counts["brands"] = len(brands)

    def _product_lines(self) -> dict[str, int]:
        lines = {}
        for entry in data.PRODUCT_LINES:
            line, _ = ProductLine.objects.get_or_create(
                name=entry.name,
                defaults={
                    "description": entry.description,
                    "code": uuid.uuid5(_PRODUCT_LINE_NAMESPACE, entry.name),
                },
            )
            lines[entry.name] = line.pk
        return lines

    def _projects(self) -> None:
        lines = self._product_lines()
        plans = self.scenario.projects
        projects = Project.objects.bulk_create(
            (
                Project(
                    code=p.code,
                    brand_id=p.brand.pk,
                    name=p.name,
                    description=p.description,
                    kind=p.kind,
                    criticality=p.criticality,
                    product_line_id=lines[p.product_line] if p.product_line else None,
                )
                for p in plans
            ),
            batch_size=BATCH_SIZE,
        )
        for plan, project in zip(plans, projects, strict=True):
            plan.pk = project.pk
        _backdate(Project, {p.pk: p.created_at for p in plans})
        Team = Project.team.through
        Team.objects.bulk_create(
            (Team(project_id=p.pk, user_id=person.pk) for p in plans for person in p.team),
            batch_size=BATCH_SIZE,
        )
        self.counts["projects"] = len(projects)

    def _assessments(self, edition: int) -> None:
        """Insert the edition's assessments in rounds (every project's first, then second, ...)
        so that each one's `previous` already has its id."""
        of_edition = [
            (p, [a for a in p.assessments if a.edition == edition]) for p in self.scenario.projects
        ]
        rounds = max((len(plans) for _, plans in of_edition), default=0)
        for index in range(rounds):
            pairs = [(p, plans[index]) for p, plans in of_edition if len(plans) > index]
            rows = Assessment.objects.bulk_create(
                (self._assessment_row(project.pk, plan) for project, plan in pairs),
                batch_size=BATCH_SIZE,
            )
            for (_, plan), row in zip(pairs, rows, strict=True):
                plan.pk = row.pk
        plans = [a for _, plans in of_edition for a in plans]
        _backdate(Assessment, {a.pk: a.created_at for a in plans})

    def _assessment_row(self, project_id: int | None, plan: AssessmentPlan) -> Assessment:
        return Assessment(
            code=plan.code,
            project_id=project_id,
            version=self.editions[plan.edition].version,
            mode=plan.mode,
            status=plan.status,
            assessed_on=plan.assessed_on,
            conducted_by_id=plan.conducted_by.pk if plan.conducted_by else None,
            interviewees=plan.interviewees,
            previous_id=plan.previous.pk if plan.previous else None,
            created_by_id=plan.created_by.pk,
            submitted_at=plan.submitted_at,
            validated_at=plan.validated_at,
            validated_by_id=plan.validated_by.pk if plan.validated_by else None,
        )

    def _result(self, plan: AssessmentPlan, kind: str) -> engine.Result:
        inputs = [
            engine.AnswerInput(
                question=r.question, option=r.answer.option, na=r.answer.option is None
            )
            for r in plan.rows
        ]
        return engine.score(self.editions[plan.edition].spec, inputs, kind)

    def _scores(self, edition: int) -> None:
        scored = [
            (plan, self._result(plan, project.kind))
            for project in self.scenario.projects
            for plan in project.assessments
            if plan.is_scored and plan.edition == edition
        ]
        sections = self.editions[edition].sections
        scores = Score.objects.bulk_create(
            (
                Score(
                    assessment_id=plan.pk,
                    **score_figures(result),
                    engine_version=result.engine_version,
                    computed_at=plan.validated_at or plan.submitted_at,
                )
                for plan, result in scored
            ),
            batch_size=BATCH_SIZE,
        )
        SectionScore.objects.bulk_create(
            (
                SectionScore(
                    score_id=score.pk,
                    section_id=sections[key],
                    value=stored_decimal(section.score),
                )
                for score, (_, result) in zip(scores, scored, strict=True)
                for key, section in result.sections.items()
            ),
            batch_size=BATCH_SIZE,
        )
        self.counts["scores"] = self.counts.get("scores", 0) + len(scores)

    def _answers(self, edition: int) -> None:
        """Answers and their first history event, a chunk at a time to keep memory flat."""
        pairs = (
            (plan, row)
            for plan in self.scenario.assessments
            if plan.edition == edition
            for row in plan.rows
        )
        answers = 0
        for chunk in _chunks(pairs, BATCH_SIZE):
            ids = insert_rows(
                Answer, ANSWER_COLUMNS, [self._answer_values(plan, row) for plan, row in chunk]
            )
            insert_rows(
                AnswerEvent,
                EVENT_COLUMNS,
                [
                    self._event_values(answer_id, plan, row)
                    for answer_id, (plan, row) in zip(ids, chunk, strict=True)
                ],
            )
            answers += len(ids)
        answers += self.counts.get("answers", 0)
        self.counts["answers"] = self.counts["answer events"] = answers

    def _rounds(self) -> None:
        """Two rounds: last quarter's of the high-criticality projects, closed, and this
        quarter's, open and half done (validated, submitted, in progress, not started).

        Built from the assessments just written: a round takes each project's assessment of
        its quarter. A project of last quarter's round that nobody started is left overdue
        (and late, the round being closed); one of this quarter's without an assessment waits
        for its brand lead to choose a mode.
        """
        today = self.scenario.today
        this_start = quarter_start(today)
        last_start = quarter_start(this_start - timedelta(days=1))
        creator = User.objects.filter(username="assessor").first()
        high = [p for p in self.scenario.projects if p.criticality == "high"]
        # This quarter's round takes every project of the brands with work still open, so
        # that it shows each state; last quarter's took the high-criticality projects.
        busy = {
            p.brand.code: p.brand
            for p in self.scenario.projects
            for a in p.assessments
            if a.assessed_on >= this_start and a.status != AssessmentStatus.VALIDATED
        }
        busy_brands = sorted(busy.values(), key=lambda b: b.entry.name)
        question_set = self.editions[0].version.question_set
        made = []
        for start, end, closed in (
            (last_start, this_start - timedelta(days=1), True),
            (this_start, None, False),
        ):
            name = f"{start.year} Q{(start.month - 1) // 3 + 1} round"
            if Round.objects.filter(name=name).exists():
                continue  # a round of that name was made by hand: leave it alone
            if closed:
                projects = high
                selection = {"criticalities": ["high"]}
            else:
                projects = [p for p in self.scenario.projects if p.brand.code in busy]
                selection = {
                    "brands": [str(b.code) for b in busy_brands],
                    "brand_names": [b.entry.name for b in busy_brands],
                }
            opens_on = min(start + timedelta(days=7), today)
            due_on = start + timedelta(days=60) if closed else today + timedelta(days=21)
            round_ = Round.objects.create(
                name=name,
                question_set=question_set,
                status=RoundStatus.CLOSED if closed else RoundStatus.OPEN,
                opens_on=opens_on,
                due_on=max(due_on, opens_on),
                selection={**selection, "default_mode": "self_fill", "demo": True},
                created_by=creator,
                launched_at=at(opens_on, 9),
                closed_at=at(end, 18) if closed else None,
                closed_by=creator if closed else None,
            )
            members = []
            for project in projects:
                plans = [
                    a
                    for a in project.assessments
                    if a.assessed_on >= start and (end is None or a.assessed_on <= end)
                ]
                if closed:
                    plans = [a for a in plans if a.status == AssessmentStatus.VALIDATED]
                plan = plans[-1] if plans else None
                members.append(
                    RoundMember(
                        round=round_,
                        project_id=project.pk,
                        mode=plan.mode if plan else RoundMode.LEAD_DECIDES,
                        assessment_id=plan.pk if plan else None,
                    )
                )
            RoundMember.objects.bulk_create(members, batch_size=BATCH_SIZE)
            made.append(round_)
        self.counts["rounds"] = len(made)

    def _pipeline_evidence(self) -> None:
        """What CI reported for a few statements of every project with open work, so that the
        review page and the interview console show it: tests passed two days ago, the pipeline
        test failed yesterday, the unit tests passed long enough ago to be stale."""
        now = min(timezone.now(), at(self.scenario.today, 18))
        stale = timedelta(days=settings.EVIDENCE_STALE_DAYS + 15)
        reports = (
            ("code-ci", EvidenceOutcome.PASSED, timedelta(days=2, hours=3)),
            ("code-pipeline-test", EvidenceOutcome.FAILED, timedelta(days=1, hours=5)),
            ("code-unit-tests", EvidenceOutcome.PASSED, stale),
        )
        rows = []
        for project in self.scenario.projects:
            if all(a.status == AssessmentStatus.VALIDATED for a in project.assessments):
                continue
            repository = f"https://git.example.com/{project.brand.slug}/{project.slug}"
            for number, (key, outcome, age) in enumerate(reports):
                run = 4000 + (project.pk or 0) * 10 + number
                rows.append(
                    PipelineEvidence(
                        project_id=project.pk,
                        question_key=key,
                        url=f"{repository}/-/pipelines/{run}/test_report#{key}",
                        outcome=outcome,
                        run_id=str(run),
                        run_url=f"{repository}/-/pipelines/{run}",
                        commit=hashlib.sha1(f"{project.code}{key}".encode()).hexdigest(),
                        observed_at=now - age,
                        received_at=now - age + timedelta(seconds=40),
                        posted_by_id=project.brand.lead.pk,
                        source="GitLab CI",  # the demo's repositories are GitLab-style
                    )
                )
        PipelineEvidence.objects.bulk_create(rows, batch_size=BATCH_SIZE)
        self.counts["pipeline evidence"] = len(rows)

    def _answer_values(self, plan: AssessmentPlan, row: AnswerRow) -> tuple[Any, ...]:
        answer = row.answer
        edition = self.editions[plan.edition]
        return (
            plan.pk,
            edition.questions[row.question],
            edition.options[answer.option] if answer.option else None,
            answer.option is None,
            answer.na_reason,
            answer.comment,
            answer.evidence_url,
            row.interviewer_note,
            row.carried_over,
            row.answered_by.pk,
            row.answered_at,
            1,
        )

    def _event_values(
        self, answer_id: int, plan: AssessmentPlan, row: AnswerRow
    ) -> tuple[Any, ...]:
        if row.carried_over:  # copied into a draft when it was started, by whoever started it
            actor, moment = plan.created_by, plan.created_at
        else:
            actor, moment = row.answered_by, row.answered_at
        return (answer_id, actor.pk, moment, AnswerVia.SEED, 1, _changes(row))


@transaction.atomic
def build(
    scenario: Scenario,
    version: QuestionSetVersion,
    log: Log = print,
    switch: Switch | None = None,
) -> dict[str, int]:
    """Write `scenario` in one transaction; returns row counts. `switch` (for a scenario
    that switches editions) makes the newer version once the older edition's work is in."""
    return Builder(scenario, version, log, switch).build()
