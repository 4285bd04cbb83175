from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from brands.models import Brand, Membership, ProductLine, Project, User


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
