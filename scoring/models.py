"""Stored scores (what the scoring engine computed for an assessment, and with which engine)
and the improvement actions a project takes on from its plan."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from brands.models import Brand, Project
from surveys.models import Assessment, QuestionSet, QuestionSetVersion, Section


class Score(models.Model):
    assessment = models.OneToOneField(Assessment, on_delete=models.CASCADE, related_name="score")
    overall = models.DecimalField(
        max_digits=6, decimal_places=5, null=True, help_text=_("0 to 1; null when nothing applies")
    )
    level = models.CharField(max_length=60, blank=True)
    all_core_met = models.BooleanField(default=False)
    core_met = models.PositiveSmallIntegerField(default=0)
    core_total = models.PositiveSmallIntegerField(default=0)
    answered = models.PositiveSmallIntegerField(default=0)
    applicable = models.PositiveSmallIntegerField(default=0)
    engine_version = models.CharField(max_length=20)
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(overall__isnull=True) | (Q(overall__gte=0) & Q(overall__lte=1)),
                name="score_overall_0_to_1",
            ),
            models.CheckConstraint(
                condition=Q(core_met__lte=models.F("core_total")), name="score_core_met_le_total"
            ),
        ]

    def __str__(self) -> str:
        return f"Score of {self.assessment_id}: {self.overall}"

    @property
    def percent(self) -> float | None:
        return None if self.overall is None else float(self.overall) * 100


class SectionScore(models.Model):
    score = models.ForeignKey(Score, on_delete=models.CASCADE, related_name="sections")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="+")
    value = models.DecimalField(
        max_digits=6, decimal_places=5, null=True, help_text=_("0 to 1; null when nothing applies")
    )

    class Meta:
        ordering = ["score", "section__order"]
        constraints = [
            models.UniqueConstraint(fields=["score", "section"], name="section_score_unique"),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | (Q(value__gte=0) & Q(value__lte=1)),
                name="section_score_0_to_1",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.section_id}: {self.value}"

    @property
    def percent(self) -> float | None:
        return None if self.value is None else float(self.value) * 100


class StandingKind(models.IntegerChoices):
    """Which assessments count, and among which others the next one is looked for."""

    VALIDATED_IN_SET = 0, "validated, by question set"
    COUNTED_IN_SET = 1, "validated or submitted, by question set"
    VALIDATED_IN_VERSION = 2, "validated, by version"
    COUNTED_IN_VERSION = 3, "validated or submitted, by version"


class Standing(models.Model):
    """When an assessment stands for its project's figure: from its own date until the date
    of the project's next assessment that counts the same way (open when there is none).

    Kept by database triggers on the assessments (`scoring.standing_triggers`), in the
    transaction of the write, so that a dashboard reads each project's figure on a day as
    a range lookup instead of choosing it among the project's assessments. Derived data:
    no constraint ties it to the rows it is computed from, and nothing but the triggers
    writes it. Four kinds per assessment, one per way of counting (`StandingKind`): only
    validated assessments, or submitted self-fills too (those upgraded to a newer version
    left out); the next one looked for in the same question set, or in the same version.
    Two assessments of a project on the same day: the one created first stands until its
    own date, that is never, as everywhere else (the one created last wins the tie).
    """

    assessment = models.ForeignKey(
        Assessment,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    project = models.ForeignKey(
        Project, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    question_set = models.ForeignKey(
        QuestionSet,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    version = models.ForeignKey(
        QuestionSetVersion,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    kind = models.PositiveSmallIntegerField(choices=StandingKind.choices)
    stands_from = models.DateField()
    stands_until = models.DateField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assessment", "kind"], name="standing_unique"),
        ]
        indexes = [
            models.Index(fields=["kind", "question_set", "stands_from"], name="standing_by_set"),
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id} ({self.get_kind_display()}): {self.stands_from} to {self.stands_until}"


class ActionStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("action status", "Open")
    IN_PROGRESS = "in_progress", pgettext_lazy("action status", "In progress")
    DONE = "done", pgettext_lazy("action status", "Done")
    DROPPED = "dropped", pgettext_lazy("action status", "Dropped")


ACTIVE_ACTION_STATUSES = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)
CLOSED_ACTION_STATUSES = (ActionStatus.DONE, ActionStatus.DROPPED)


class ImprovementAction(models.Model):
    """Work a project's team takes on to meet one statement of the improvement plan.

    The statement is named by its question key, which survives question-set
    versions, with the text as it read when the action was created.
    """

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="improvement_actions"
    )
    question_key = models.SlugField(max_length=60)
    question_text = models.TextField(
        help_text=_("The statement as it read when the action was made")
    )
    title = models.CharField(max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="improvement_actions",
    )
    due_on = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(
        max_length=16, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_reason = models.CharField(max_length=200, blank=True)
    closed_by_assessment = models.ForeignKey(
        Assessment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The validated assessment that met the statement, when closed automatically"),
    )

    class Meta:
        ordering = ["project", "created_at"]
        indexes = [models.Index(fields=["project", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ActionStatus.values), name="action_status_valid"
            ),
            models.CheckConstraint(
                condition=(
                    Q(status__in=CLOSED_ACTION_STATUSES, closed_at__isnull=False)
                    | Q(status__in=ACTIVE_ACTION_STATUSES, closed_at__isnull=True)
                ),
                name="action_closed_iff_closed_at",
            ),
            # Two clicks must not open two actions for the same statement.
            models.UniqueConstraint(
                fields=["project", "question_key"],
                condition=Q(status__in=ACTIVE_ACTION_STATUSES),
                name="action_one_active_per_statement",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_status_display()})"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_ACTION_STATUSES


class TrackerKind(models.TextChoices):
    GITHUB = "github", "GitHub Issues"
    AZURE = "azure", "Azure Boards"


DEFAULT_API_URLS = {
    TrackerKind.GITHUB: "https://api.github.com",
    TrackerKind.AZURE: "https://dev.azure.com",
}


class TrackerConnection(models.Model):
    """A brand's link to an issue tracker where its teams keep their work (scoring/trackers).

    The token (to create and read issues) and the secret incoming webhooks are checked with
    are stored encrypted (brands/secrets.py) and never shown after they are saved.
    """

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="tracker_connections")
    kind = models.CharField(max_length=12, choices=TrackerKind.choices)
    name = models.CharField(max_length=100)
    api_url = models.CharField(_("API address"), max_length=300)
    target = models.CharField(
        max_length=200,
        help_text=_("GitHub: owner/repository. Azure Boards: organisation/project."),
    )
    token_encrypted = models.TextField(blank=True)
    hook_secret_encrypted = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["brand", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=TrackerKind.values), name="tracker_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"

    @property
    def has_token(self) -> bool:
        return bool(self.token_encrypted)


class IssueStatus(models.TextChoices):
    QUEUED = "queued", _("Being created")
    CREATING = "creating", _("Being created")
    LINKED = "linked", pgettext_lazy("issue status", "Linked")
    FAILED = "failed", _("Could not be created")


class TrackerIssue(models.Model):
    """The issue an improvement action has in a tracker. The row is the truth about its creation
    (scoring/tasks.py) and, once linked, about the issue's state there."""

    action = models.OneToOneField(
        ImprovementAction, on_delete=models.CASCADE, related_name="tracker_issue"
    )
    connection = models.ForeignKey(
        TrackerConnection, on_delete=models.CASCADE, related_name="issues"
    )
    status = models.CharField(
        max_length=12, choices=IssueStatus.choices, default=IssueStatus.QUEUED
    )
    external_id = models.CharField(max_length=40, blank=True)
    url = models.CharField(max_length=500, blank=True)
    state = models.CharField(
        max_length=40, blank=True, help_text=_("The issue's state in the tracker")
    )
    error = models.CharField(max_length=500, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    synced_at = models.DateTimeField(null=True, blank=True)
    sync_error = models.CharField(max_length=500, blank=True)

    class Meta:
        indexes = [models.Index(fields=["connection", "external_id"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=IssueStatus.values), name="tracker_issue_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status="linked", external_id__gt="") | ~Q(status="linked"),
                name="tracker_issue_linked_has_id",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.connection.get_kind_display()} {self.external_id or self.status}"

    @property
    def pending(self) -> bool:
        return self.status in (IssueStatus.QUEUED, IssueStatus.CREATING)
