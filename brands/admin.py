from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy, ngettext

from brands.models import (
    ApiToken,
    AuditEvent,
    Brand,
    GroupSettings,
    Membership,
    ProductLine,
    Project,
    User,
    Webhook,
    WebhookAttempt,
    WebhookDelivery,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["brand"]


@admin.register(User)
class YardstickUserAdmin(UserAdmin):
    fieldsets = (*UserAdmin.fieldsets, ("Yardstick", {"fields": ("group_role",)}))
    list_display = ("username", "email", "first_name", "last_name", "group_role", "is_active")
    list_filter = ("group_role", "is_active", "is_staff")
    inlines = [MembershipInline]


@admin.register(Brand)
class BrandAdmin(admin.ModelAdmin):
    list_display = ("name", "country", "has_ds_team")
    search_fields = ("name",)
    list_filter = ("country", "has_ds_team")


@admin.register(ProductLine)
class ProductLineAdmin(admin.ModelAdmin):
    list_display = ("name",)
    search_fields = ("name",)


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ("name", "brand", "kind", "criticality", "product_line")
    list_filter = ("brand", "kind", "criticality", "product_line")
    search_fields = ("name", "brand__name")
    filter_horizontal = ("team",)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit log is appended to by the app and never edited by hand."""

    list_display = ("at", "action", "actor_name", "target_type", "target_label", "brand", "address")
    list_filter = ("action", "brand", "at")
    search_fields = ("actor_name", "target_label", "target_code", "request_id")
    date_hierarchy = "at"
    list_select_related = ("brand",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(GroupSettings)
class GroupSettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "four_eyes"]

    def has_add_permission(self, request) -> bool:
        return not GroupSettings.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    extra = 0
    can_delete = False
    readonly_fields = (
        "number",
        "started_at",
        "duration_ms",
        "response_code",
        "error",
        "retry_in_seconds",
    )


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    """Read-mostly: the secret stays encrypted and is never shown; leads manage hooks in the app."""

    list_display = ("url", "brand", "active", "created_at")
    list_filter = ("active",)
    search_fields = ("url", "brand__name")
    exclude = ("secret_encrypted",)
    readonly_fields = ("brand", "url", "events", "created_by")


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ("code", "webhook", "event", "status", "attempts", "created_at")
    list_filter = ("status", "event")
    readonly_fields = (
        "code",
        "webhook",
        "event",
        "payload",
        "attempts",
        "next_attempt_at",
        "finished_at",
    )
    inlines = [WebhookAttemptInline]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Read-only: tokens are made and revoked on their pages (the API tokens page, a brand's
    service tokens), which show the secret once and write the audit log."""

    list_display = ("name", "prefix", "user", "brand", "scope", "expires_at", "last_used_at")
    list_filter = ("scope", "brand")
    search_fields = ("name", "prefix", "user__username")
    exclude = ("secret_hash",)
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=gettext_lazy("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        # Through the service, so that each revocation is audited (and a service token's
        # account retired) as on the token pages.
        from brands.tokens import token_revoke

        for token in queryset.select_related("brand"):
            token_revoke(token=token, user=request.user)
        count = queryset.count()
        self.message_user(
            request,
            ngettext("Revoked %(count)s token.", "Revoked %(count)s tokens.", count)
            % {"count": count},
        )

    def has_change_permission(self, request, obj=None):
        return False
