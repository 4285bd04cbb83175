"""Stored scores (what the scoring engine computed for an assessment, and with which engine)
and the improvement actions a project takes on from its plan."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from brands.models import Project
from surveys.models import Assessment, Section


class Score(models.Model):
    assessment = models.OneToOneField(Assessment, on_delete=models.CASCADE, related_name="score")
    overall = models.DecimalField(
        max_digits=6, decimal_places=5, null=True, help_text="0 to 1; null when nothing applies"
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
        max_digits=6, decimal_places=5, null=True, help_text="0 to 1; null when nothing applies"
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


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    DROPPED = "dropped", "Dropped"


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
    question_text = models.TextField(help_text="The statement as it read when the action was made")
    title = models.CharField(max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="improvement_actions",
    )
    due_on = models.DateField("due date", null=True, blank=True)
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
        help_text="The validated assessment that met the statement, when closed automatically",
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
