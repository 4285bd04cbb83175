"""Fill the database with fictional demo data: brands, people, projects and assessment history."""

import time
from collections import Counter
from datetime import date, datetime

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from brands.models import BrandRole, User
from demo import builder, data, editions
from demo.model import at
from demo.plan import SCALES, plan_scenario
from scoring.selectors import version_spec


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--today must be a date like 2026-11-26, not {text!r}") from None


class Command(BaseCommand):
    help = (
        "Create fictional demo data: brands, users, projects and quarters of assessments. "
        "--scale demo (default) is small; --scale group builds the reference dataset of "
        "TARGETS.md (1,000 projects, 8,000 assessments). Running it again changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=sorted(SCALES), default="demo")
        parser.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
        parser.add_argument(
            "--flush",
            action="store_true",
            help="first delete the brands, projects, assessments and users made by an earlier "
            "run (question sets stay)",
        )
        parser.add_argument(
            "--today",
            type=_day,
            default=None,
            help="date to build the history up to (default: today); for reproducible data",
        )

    def handle(self, *args, scale: str, seed: int, flush: bool, today: date | None, **options):
        real_today = timezone.localdate()
        today = today or real_today
        if today > real_today:
            raise CommandError("--today cannot be in the future")
        now: datetime = timezone.now() if today == real_today else at(today, 18)

        started = time.perf_counter()
        # One transaction: a failed run leaves the database as it was, earlier demo data included.
        with transaction.atomic():
            if builder.demo_present():
                if not flush:
                    if scale == "group":
                        raise CommandError(
                            "Demo data is already present. Pass --flush to delete it (brands, "
                            "projects, assessments and users made by the seed; question sets "
                            "stay) and build the group-scale dataset instead."
                        )
                    self.stdout.write("Demo data already present; nothing changed.")
                    self._print_logins()
                    return
                counts = builder.flush_demo()
                self.stdout.write(
                    f"Deleted earlier demo data ({time.perf_counter() - started:.1f} s): "
                    + self._counts(counts)
                )
            counts = self._seed(scale, seed, today, now)
            committing = time.perf_counter()
        self.stdout.write(f"  commit: {time.perf_counter() - committing:.1f} s")
        self.stdout.write(self.style.SUCCESS("Created " + self._counts(counts)))
        self.stdout.write(f"Took {time.perf_counter() - started:.1f} s.")
        self._print_logins()

    def _seed(self, scale: str, seed: int, today: date, now: datetime) -> dict[str, int]:
        version = builder.ensure_question_set()
        history = editions.history()
        version = history.before
        self.stdout.write(
            f"Seeding {scale} scale (seed {seed}, up to {today:%Y-%m-%d}) against {version}..."
        )
        if history.note:
            self.stdout.write(f"  {history.note}")
        started = time.perf_counter()
        later: tuple = ()
        switch_at = None
        if history.switching:
            later = (
                version_spec(history.after).questions
                if history.after is not None
                else editions.engine_questions(history.after_spec)
            )
            switch_at = editions.switch_moment(today, now)
        scenario = plan_scenario(
            SCALES[scale],
            seed=seed,
            questions=version_spec(version).questions,
            options=builder.options_best_first(version),
            today=today,
            now=now,
            later_questions=later,
            switch=switch_at,
        )
        taken = builder.taken_usernames(p.username for p in scenario.people)
        if taken:
            raise CommandError(
                "These usernames already belong to users who are not demo users; rename or "
                f"delete them first: {', '.join(taken)}"
            )
        self.stdout.write(f"  plan: {time.perf_counter() - started:.1f} s")
        editions.backdate_first_version(version, at(scenario.quarters[0].start, 9))

        def switch(build: builder.Builder):
            # The group's own people publish it and upgrade the open drafts.
            users = {u.username: u for u in User.objects.filter(username__in=("admin", "assessor"))}
            assert switch_at is not None
            return editions.switch(
                history,
                admin=users["admin"],
                assessor=users["assessor"],
                moment=switch_at,
                log=self.stdout.write,
            )

        return builder.build(
            scenario, version, log=self.stdout.write, switch=switch if history.switching else None
        )

    @staticmethod
    def _counts(counts: dict[str, int]) -> str:
        return ", ".join(f"{value:,} {label}" for label, value in counts.items()) + "."

    def _print_logins(self) -> None:
        logins = builder.demo_logins()
        if not logins:
            return
        # Every group user, and the people of two brands: one with a DS team, one without.
        with_team = next((b.name for b in data.ALL_BRANDS if b.has_ds_team), "")
        without = next((b.name for b in data.ALL_BRANDS if not b.has_ds_team), "")
        shown = [login for login in logins if login.brand in ("-", with_team, without)]
        width = max(len(login.username) for login in shown) + 2
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {data.PASSWORD})")
        self.stdout.write(f"  {'username':<{width}}{'role':<18}brand")
        for login in shown:
            self.stdout.write(f"  {login.username:<{width}}{login.role:<18}{login.brand}")
        slugs = sorted({login.username.split(".", 1)[1] for login in logins if login.brand != "-"})
        scientists = Counter(
            login.brand for login in logins if login.role == BrandRole.DATA_SCIENTIST.label
        )
        most = max(scientists.values(), default=1)
        self.stdout.write(
            f"Every brand has lead.<brand>, viewer.<brand> and ds1.<brand> (up to ds{most}), "
            f"with <brand> one of: {', '.join(slugs)}"
        )
