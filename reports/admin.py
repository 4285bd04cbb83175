from django.contrib import admin

from reports.models import ReportJob


@admin.register(ReportJob)
class ReportJobAdmin(admin.ModelAdmin):
    """Read-only: jobs change through their services and tasks, which keep status and file in step."""

    list_display = (
        "code",
        "requested_by",
        "scope",
        "brand",
        "project",
        "format",
        "language",
        "status",
        "progress",
        "attempts",
        "created_at",
        "finished_at",
    )
    list_filter = ("status", "format", "language", "scope", "brand")
    search_fields = ("code", "requested_by__username", "brand__name", "project__name", "error")
    readonly_fields = [f.name for f in ReportJob._meta.fields]
    list_select_related = ("requested_by", "brand", "project")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
