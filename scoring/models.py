"""Stored scores: what the scoring engine computed for an assessment, and with which engine."""

from django.db import models
from django.db.models import Q

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
