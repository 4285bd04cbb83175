"""The main set's edition history in the demo: earlier quarters on edition 1, then edition 2.

The seed builds the quarters before the switch on the older version, then takes the newer one
through Yardstick's own version flow - a draft loaded from the file, its differences, the impact
preview on the demo's figures, publishing - and upgrades the drafts still open on the older one,
all with the clock at the switch. Assessments after the switch are built on the newer version.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils import timezone

from demo.model import Quarter, at
from scoring.engine import QuestionSpec
from surveys import question_set_format as fmt
from surveys.management.commands.import_question_set import DEFAULT_SET, DEFAULT_SET_HISTORY
from surveys.models import Assessment, AssessmentStatus, QuestionSetVersion, VersionStatus
from surveys.question_set_diff import diff
from surveys.selectors import default_version, draft_of, version_as_spec, version_publish_preview

EDITION_1 = DEFAULT_SET_HISTORY[0]

Log = Callable[[str], None]


def edition_spec(path=DEFAULT_SET) -> fmt.QuestionSetSpec:
    return fmt.parse(path.read_text(encoding="utf-8"))


def engine_questions(spec: fmt.QuestionSetSpec) -> tuple[QuestionSpec, ...]:
    """The scoring engine's view of a file's questions (for planning before it is stored)."""
    return tuple(
        QuestionSpec(
            key=q.key,
            section=s.key,
            weight=float(q.weight),
            core=q.core,
            applies_to=q.applies_to,
            na_allowed=q.na_allowed,
        )
        for s in spec.sections
        for q in s.questions
    )


def switch_moment(today: date, now: datetime) -> datetime:
    """When edition 2 is published in the demo: the first morning of the current quarter."""
    return min(at(Quarter.of(today).start, 9), now - timedelta(hours=1))


@dataclass
class History:
    """The versions the demo is built on: `before`, and the newer edition if there is one to
    switch to - either already published (`after`) or still to publish from `after_spec`."""

    before: QuestionSetVersion
    after: QuestionSetVersion | None = None
    after_spec: fmt.QuestionSetSpec | None = None
    note: str = ""

    @property
    def switching(self) -> bool:
        return self.after is not None or self.after_spec is not None


def history() -> History:
    current = default_version()
    assert current is not None
    first, latest = edition_spec(EDITION_1), edition_spec(DEFAULT_SET)
    if current.question_set.key != latest.key:
        return History(current, note="the main set is not the default set; one version only")
    if current.source == fmt.to_yaml(first):
        if draft_of(current.question_set) is not None:
            return History(current, note="the set has a draft pending; no edition 2 in the demo")
        return History(current, after_spec=latest)
    if current.source == fmt.to_yaml(latest):
        earlier = (
            current.question_set.versions.filter(
                status=VersionStatus.PUBLISHED, number__lt=current.number
            )
            .order_by("-number")
            .first()
        )
        if (
            earlier is not None
            and earlier.source == fmt.to_yaml(first)
            and not Assessment.objects.filter(version=current).exists()
        ):
            return History(earlier, after=current)
    return History(
        current, note="edition 1 is not loaded before the current version; one version only"
    )


@contextmanager
def clock_at(moment: datetime) -> Iterator[None]:
    """Django's clock reads `moment` meanwhile, so that the services stamp what they write with
    the demo's date (versions' publication, upgraded drafts, answer history, the audit log)."""
    real = timezone.now
    timezone.now = lambda: moment
    try:
        yield
    finally:
        timezone.now = real


def switch(history: History, *, admin, assessor, moment: datetime, log: Log) -> QuestionSetVersion:
    """Publish the newer edition through the version flow (unless it already is) and upgrade
    the drafts still open on the older version. Returns the newer version."""
    from surveys import services  # the services import scoring, which imports this app's callers

    before = history.before
    with clock_at(moment):
        if history.after is None:
            assert history.after_spec is not None
            draft = services.version_draft_upload(
                question_set=before.question_set,
                user=admin,
                text=fmt.to_yaml(history.after_spec),
            )
        else:
            draft = history.after
        changes = diff(version_as_spec(before), version_as_spec(draft))
        log(
            f"  {draft}: {len(changes.added)} statements added, {len(changes.removed)} removed, "
            f"{len(changes.changed)} changed, {changes.unchanged} unchanged; "
            f"{len(changes.sections_added)} new sections"
        )
        preview = version_publish_preview(draft)
        group = preview.group
        if group.old_mean is not None and group.new_mean is not None:
            log(
                f"  impact preview: {group.old_n} projects, mean {group.old_mean:.1f}% on "
                f"{before} -> {group.new_mean:.1f}% on {draft}, "
                f"{group.level_changes} would change level"
            )
        if history.after is None:
            after = services.draft_publish(version=draft, user=admin)
        else:  # published by import_question_set: dated as if published at the switch
            QuestionSetVersion.objects.filter(pk=draft.pk).update(published_at=moment)
            after = QuestionSetVersion.objects.get(pk=draft.pk)
        open_drafts = Assessment.objects.filter(
            version=before, status=AssessmentStatus.DRAFT, superseded_by__isnull=True
        ).select_related("project__brand", "version__question_set")
        upgraded = 0
        for assessment in open_drafts:
            services.assessment_upgrade(assessment=assessment, user=assessor)
            upgraded += 1
    log(f"  published {after} on {moment:%Y-%m-%d}; {upgraded} open drafts upgraded")
    return after


def backdate_first_version(version: QuestionSetVersion, before: datetime) -> None:
    """Edition 1 was in use before the demo's first quarter: date its publication so."""
    if version.published_at is not None and version.published_at > before:
        QuestionSetVersion.objects.filter(pk=version.pk).update(published_at=before)
