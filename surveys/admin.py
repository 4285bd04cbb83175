from django.contrib import admin

from surveys.models import (
    Assessment,
    PipelineEvidence,
    QuestionSet,
    QuestionSetVersion,
    ReminderDigest,
)


@admin.register(QuestionSet)
class QuestionSetAdmin(admin.ModelAdmin):
    list_display = ("name", "key")


@admin.register(QuestionSetVersion)
class QuestionSetVersionAdmin(admin.ModelAdmin):
    """Read-only: versions are created by import and changed only through the versioning flow."""

    list_display = ("question_set", "number", "status", "aggregation", "published_at")
    readonly_fields = [f.name for f in QuestionSetVersion._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    """Read-only: answers change only through the survey services, which keep history."""

    list_display = ("project", "assessed_on", "mode", "status", "version")
    list_filter = ("status", "mode", "project__brand")
    search_fields = ("project__name",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ReminderDigest)
class ReminderDigestAdmin(admin.ModelAdmin):
    """Read-only: who was sent which round reminder when (the reminders task writes these)."""

    list_display = ("day", "email", "user", "subject", "sent_at")
    list_filter = ("day",)
    search_fields = ("email",)
    readonly_fields = [f.name for f in ReminderDigest._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PipelineEvidence)
class PipelineEvidenceAdmin(admin.ModelAdmin):
    """Read-only: pipelines post evidence through the API (surveys.services.evidence_record)."""

    list_display = ("project", "question_key", "outcome", "observed_at", "source", "posted_by")
    list_filter = ("outcome", "project__brand")
    search_fields = ("project__name", "question_key", "commit", "run_id")
    readonly_fields = [f.name for f in PipelineEvidence._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
