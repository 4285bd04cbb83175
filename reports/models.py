"""Report jobs: a request for a PDF or Excel report, with its status, progress, file or error.

The row is the truth about a job. The Celery task (reports/tasks.py) only
carries its id, claims the row with a conditional update and records the
outcome here, so the screens never ask the broker how a job is doing. The row
also says the language the report is written in: the requester's when they
asked, which the worker (who has no request) builds it in.
"""

import uuid

from django.conf import settings
from django.core.files.storage import storages
from django.core.signals import setting_changed
from django.db import models
from django.http import QueryDict
from django.utils import timezone, translation
from django.utils.functional import LazyObject, empty
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy

from brands.models import Brand, Criticality, Project, ProjectKind
from config.locale import supported
from reports.dashboards.filters import DashboardFilters
from reports.words import choice_label


class _ReportStorage(LazyObject):
    """STORAGES["reports"], looked up when first used and again after the setting changes.

    A FileField keeps the storage it was given for the life of the process; this
    proxy lets a deployment (or a test) point reports elsewhere through settings.
    """

    def _setup(self):
        self._wrapped = storages["reports"]


report_storage = _ReportStorage()


def _storages_changed(*, setting, **kwargs):
    if setting == "STORAGES":
        report_storage._wrapped = empty


setting_changed.connect(_storages_changed)


def _report_storage():
    return report_storage


class ReportScope(models.TextChoices):
    GROUP = "group", gettext_lazy("Group")
    BRAND = "brand", gettext_lazy("Brand")
    PROJECT = "project", gettext_lazy("Project")


class ReportFormat(models.TextChoices):
    PDF = "pdf", gettext_lazy("PDF")
    XLSX = "xlsx", gettext_lazy("Excel")


class ReportStatus(models.TextChoices):
    QUEUED = "queued", gettext_lazy("Waiting for a worker")
    BUILDING = "building", gettext_lazy("Being built")
    READY = "ready", pgettext_lazy("report status", "Ready")
    FAILED = "failed", pgettext_lazy("report status", "Failed")
    EXPIRED = "expired", pgettext_lazy("report status", "Expired")


FINISHED = (ReportStatus.READY, ReportStatus.FAILED, ReportStatus.EXPIRED)


class ReportJob(models.Model):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_jobs"
    )
    scope = models.CharField(max_length=8, choices=ReportScope.choices)
    brand = models.ForeignKey(
        Brand, on_delete=models.CASCADE, null=True, blank=True, related_name="report_jobs"
    )
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, null=True, blank=True, related_name="report_jobs"
    )
    # The dashboard filters as their canonical query string (DashboardFilters.to_query()).
    filters = models.TextField(blank=True, default="")
    format = models.CharField(max_length=8, choices=ReportFormat.choices)
    # The language the report is written in: the requester's page's when they asked
    # (request.LANGUAGE_CODE). Blank on jobs from before reports had languages: English.
    language = models.CharField(
        gettext_lazy("language"),
        max_length=8,
        blank=True,
        default="",
        choices=settings.LANGUAGES,
    )
    status = models.CharField(
        max_length=10, choices=ReportStatus.choices, default=ReportStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(
        default=0, help_text=gettext_lazy("percent, 0 to 100")
    )
    file = models.FileField(storage=_report_storage, upload_to="", max_length=255, blank=True)
    filename = models.CharField(gettext_lazy("file name shown"), max_length=200, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True, help_text=gettext_lazy("bytes"))
    error = models.TextField(
        blank=True, help_text=gettext_lazy("why it failed, in words for the requester")
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["requested_by", "-created_at"], name="reportjob_user_recent"),
            models.Index(fields=["status", "started_at"], name="reportjob_status_started"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(scope__in=ReportScope.values), name="reportjob_scope_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(format__in=ReportFormat.values), name="reportjob_format_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=ReportStatus.values), name="reportjob_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="reportjob_progress_percent"
            ),
            # A brand or project report names its brand; a project report its project.
            models.CheckConstraint(
                condition=models.Q(scope=ReportScope.GROUP)
                | models.Q(scope=ReportScope.BRAND, brand__isnull=False)
                | models.Q(scope=ReportScope.PROJECT, brand__isnull=False, project__isnull=False),
                name="reportjob_scope_objects",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.status})"

    @property
    def subject(self) -> str:
        """What the report covers, in English words for monitoring (the metrics' JSON);
        people read `title`."""
        if self.scope == ReportScope.PROJECT and self.project_id:
            return f"project {self.project.name}"
        if self.scope == ReportScope.BRAND and self.brand_id:
            return f"brand {self.brand.name}"
        return "the group"

    @property
    def title(self) -> str:
        """ "PDF report of project Cross-sell API", in the active language."""
        words = {"format": self.get_format_display()}
        if self.scope == ReportScope.PROJECT and self.project_id:
            return _("%(format)s report of project %(name)s") % {**words, "name": self.project.name}
        if self.scope == ReportScope.BRAND and self.brand_id:
            return _("%(format)s report of brand %(name)s") % {**words, "name": self.brand.name}
        return _("%(format)s report of the group") % words

    @property
    def short_title(self) -> str:
        """ "PDF of project Cross-sell API" (My work's lists), in the active language."""
        words = {"format": self.get_format_display()}
        if self.scope == ReportScope.PROJECT and self.project_id:
            return _("%(format)s of project %(name)s") % {**words, "name": self.project.name}
        if self.scope == ReportScope.BRAND and self.brand_id:
            return _("%(format)s of brand %(name)s") % {**words, "name": self.brand.name}
        return _("%(format)s of the group") % words

    @property
    def report_language(self) -> str:
        """The language to build the report in: the one recorded, English for older jobs."""
        return supported(self.language) or "en"

    @property
    def language_name(self) -> str:
        """The report's language by its name in the active language ("French", "français")."""
        return translation.get_language_info(self.report_language)["name_translated"]

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED

    @property
    def filters_label(self) -> str:
        """The filters in words, e.g. "2025 Q3 · Batch · High criticality · 2 brands", in the
        active language."""
        asked_on = timezone.localdate(self.created_at)
        filters = DashboardFilters.parse(QueryDict(self.filters), today=asked_on)
        parts = [filters.period_label, *(choice_label(ProjectKind, k) for k in filters.kinds)]
        parts += [
            _("%(level)s criticality") % {"level": choice_label(Criticality, value)}
            for value in filters.criticalities
        ]
        if filters.brands:
            count = len(filters.brands)
            parts.append(ngettext("%(count)s brand", "%(count)s brands", count) % {"count": count})
        if filters.product_lines:
            count = len(filters.product_lines)
            parts.append(
                ngettext("%(count)s product line", "%(count)s product lines", count)
                % {"count": count}
            )
        if filters.version:
            parts.append(_("one question-set version"))
        elif filters.question_set:
            parts.append(_("one question set"))
        if filters.include_submitted:
            parts.append(_("submitted self-fills included"))
        return " · ".join(parts)
