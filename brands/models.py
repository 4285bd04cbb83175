"""Brands (the tenants), people and their roles, ML projects and product lines."""

import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models


class GroupRole(models.TextChoices):
    NONE = "", "None"
    ADMIN = "admin", "Group admin"
    ASSESSOR = "assessor", "Group assessor"
    VIEWER = "viewer", "Group viewer"


class BrandRole(models.TextChoices):
    LEAD = "lead", "Lead"
    VIEWER = "viewer", "Viewer"
    DATA_SCIENTIST = "data_scientist", "Data scientist"


class User(AbstractUser):
    """A person. `group_role` grants access across all brands."""

    group_role = models.CharField(max_length=16, choices=GroupRole.choices, blank=True, default="")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(group_role__in=GroupRole.values), name="user_group_role_valid"
            )
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def has_group_role(self) -> bool:
        return bool(self.group_role)


class Brand(models.Model):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=100, unique=True)
    country = models.CharField(max_length=2, help_text="ISO 3166 country code, e.g. NL")
    has_ds_team = models.BooleanField("has its own data-science team", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A user's role in one brand."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=BrandRole.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "brand"], name="membership_one_per_brand"),
            models.CheckConstraint(
                condition=models.Q(role__in=BrandRole.values), name="membership_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} - {self.get_role_display()} of {self.brand}"


class ProductLine(models.Model):
    """The same kind of ML product run by several brands, e.g. "Cross-sell"."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=100, unique=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ProjectKind(models.TextChoices):
    BATCH = "batch", "Batch"
    REALTIME = "realtime", "Real-time"
    BOTH = "both", "Batch and real-time"


class Criticality(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class Project(models.Model):
    """An ML product of one brand."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="projects")
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    kind = models.CharField(max_length=16, choices=ProjectKind.choices)
    criticality = models.CharField(
        max_length=16, choices=Criticality.choices, default=Criticality.MEDIUM
    )
    product_line = models.ForeignKey(
        ProductLine, on_delete=models.SET_NULL, null=True, blank=True, related_name="projects"
    )
    team = models.ManyToManyField(User, blank=True, related_name="projects")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["brand__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["brand", "name"], name="project_name_unique_in_brand"),
            models.CheckConstraint(
                condition=models.Q(kind__in=ProjectKind.values), name="project_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(criticality__in=Criticality.values),
                name="project_criticality_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name
