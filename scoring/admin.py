from django.contrib import admin

from scoring.models import ImprovementAction


@admin.register(ImprovementAction)
class ImprovementActionAdmin(admin.ModelAdmin):
    """Read-only: actions change through the plan page, whose services check who may do what."""

    list_display = ("title", "project", "question_key", "status", "owner", "due_on", "closed_at")
    list_filter = ("status", "project__brand")
    search_fields = ("title", "project__name", "question_key")
    readonly_fields = [f.name for f in ImprovementAction._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
