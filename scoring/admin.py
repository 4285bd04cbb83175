from django.contrib import admin

from scoring.models import ImprovementAction, TrackerConnection, TrackerIssue


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


@admin.register(TrackerConnection)
class TrackerConnectionAdmin(admin.ModelAdmin):
    """Read-only, and never the token or the webhook secret: leads manage them in the app."""

    list_display = ("name", "brand", "kind", "target", "api_url", "created_at")
    list_filter = ("kind",)
    search_fields = ("name", "target", "brand__name")
    exclude = ("token_encrypted", "hook_secret_encrypted")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(TrackerIssue)
class TrackerIssueAdmin(admin.ModelAdmin):
    list_display = ("action", "connection", "status", "external_id", "state", "synced_at")
    list_filter = ("status", "connection__kind")
    readonly_fields = [f.name for f in TrackerIssue._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
