"""Brands (the tenants), people and their roles, ML projects and product lines."""

import datetime
import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

_SESSION_HASH_SALT = "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash"


class GroupRole(models.TextChoices):
    NONE = "", pgettext_lazy("group role", "None")
    ADMIN = "admin", _("Group admin")
    ASSESSOR = "assessor", _("Group assessor")
    VIEWER = "viewer", _("Group viewer")


class BrandRole(models.TextChoices):
    LEAD = "lead", pgettext_lazy("brand role", "Lead")
    VIEWER = "viewer", _("Viewer")
    DATA_SCIENTIST = "data_scientist", _("Data scientist")


class User(AbstractUser):
    """A person. `group_role` grants access across all brands."""

    group_role = models.CharField(max_length=16, choices=GroupRole.choices, blank=True, default="")
    # Raised by "log out everywhere": it is part of the session hash, so every session
    # signed with the old value stops being accepted at once.
    session_epoch = models.PositiveIntegerField(default=0, editable=False)
    # The identity provider's `sub` for this person, set at their first single sign-on
    # (brands.oidc). Stable where usernames and e-mail addresses are not, so it is how
    # they are recognised at every later login.
    sso_subject = models.CharField(
        _("single sign-on subject"), max_length=255, unique=True, null=True, blank=True
    )
    # The identity behind a brand service token (brands.tokens): it holds a membership in
    # its brand, so every access rule applies to it unchanged, but it has no password and
    # never logs in.
    is_service_account = models.BooleanField(default=False, editable=False)
    # The language the interface speaks to this person (config/locale.py); blank: the browser's.
    language = models.CharField(
        _("language"), max_length=8, blank=True, default="", choices=settings.LANGUAGES
    )

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

    def _session_hash(self, secret: str | None = None) -> str:
        # At epoch 0 this is Django's own hash, so sessions from before the field existed hold.
        value = self.password if not self.session_epoch else f"{self.password}:{self.session_epoch}"
        return salted_hmac(_SESSION_HASH_SALT, value, secret=secret, algorithm="sha256").hexdigest()

    def get_session_auth_hash(self) -> str:
        return self._session_hash()

    def get_session_auth_fallback_hash(self):
        from django.conf import settings

        for fallback_secret in settings.SECRET_KEY_FALLBACKS:
            yield self._session_hash(fallback_secret)


class Brand(models.Model):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=100, unique=True)
    country = models.CharField(max_length=2, help_text=_("ISO 3166 country code, e.g. NL"))
    has_ds_team = models.BooleanField(_("has its own data-science team"), default=True)
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
    BATCH = "batch", _("Batch")
    REALTIME = "realtime", _("Real-time")
    BOTH = "both", _("Batch and real-time")


class Criticality(models.TextChoices):
    LOW = "low", pgettext_lazy("criticality", "Low")
    MEDIUM = "medium", pgettext_lazy("criticality", "Medium")
    HIGH = "high", pgettext_lazy("criticality", "High")


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


class AuditAction(models.TextChoices):
    LOGIN = "login", _("Logged in")
    LOGIN_FAILED = "login_failed", _("Failed login")
    LOCKED_OUT = "locked_out", _("Locked out after failed logins")
    LOGOUT = "logout", _("Logged out")
    LOGOUT_EVERYWHERE = "logout_everywhere", _("Logged out everywhere")
    GROUP_ROLE_CHANGED = "group_role_changed", _("Group role changed")
    MEMBERSHIP_ADDED = "membership_added", _("Brand role given")
    MEMBERSHIP_CHANGED = "membership_changed", _("Brand role changed")
    MEMBERSHIP_REMOVED = "membership_removed", _("Brand role taken away")
    INVITATION_SENT = "invitation_sent", _("Invitation sent")
    INVITATION_ACCEPTED = "invitation_accepted", _("Invitation accepted")
    ASSESSMENT_VALIDATED = "assessment_validated", _("Assessment validated")
    ASSESSMENT_RETURNED = "assessment_returned", _("Assessment returned")
    VERSION_PUBLISHED = "version_published", _("Question-set version published")
    REPORT_DOWNLOADED = "report_downloaded", _("Report downloaded")
    API_TOKEN_CREATED = "api_token_created", _("API token created")
    API_TOKEN_REVOKED = "api_token_revoked", _("API token revoked")
    API_WRITE = "api_write", _("Change made through the API")
    TRACKER_CONNECTED = "tracker_connected", _("Issue tracker connected")
    TRACKER_CHANGED = "tracker_changed", _("Issue tracker changed")
    TRACKER_REMOVED = "tracker_removed", _("Issue tracker removed")
    WEBHOOK_ADDED = "webhook_added", _("Webhook added")
    WEBHOOK_CHANGED = "webhook_changed", _("Webhook changed")
    WEBHOOK_REMOVED = "webhook_removed", _("Webhook removed")
    ROUND_LAUNCHED = "round_launched", _("Round launched")
    ROUND_CLOSED = "round_closed", _("Round closed")


class AuditEventQuerySet(models.QuerySet):
    """The audit log can be added to, never rewritten (the database refuses updates too)."""

    def update(self, **kwargs):
        raise ValueError("The audit log is append-only; events cannot be changed")

    def delete(self):
        raise ValueError("The audit log is append-only; events cannot be deleted")


class AuditEvent(models.Model):
    """One security-relevant event. Written by brands.audit.record, never changed.

    The log must outlive what it names: actor and brand are kept as ids without a
    database constraint (a deleted user or brand leaves its events behind), and the
    actor's name and the target's label are copied as they were at the time.
    """

    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        User,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=32, choices=AuditAction.choices, db_index=True)
    target_type = models.CharField(max_length=40, blank=True)
    target_code = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(max_length=300, blank=True)
    brand = models.ForeignKey(
        Brand,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    address = models.GenericIPAddressField(null=True, blank=True)
    request_id = models.CharField(max_length=128, blank=True)
    details = models.JSONField(default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()} {self.target_label}".strip()

    def delete(self, *args, **kwargs):
        raise ValueError("The audit log is append-only; events cannot be deleted")


class GroupSettings(models.Model):
    """Rules that hold for the whole group. One row, created on first read."""

    four_eyes = models.BooleanField(
        _("four-eyes rule"),
        default=False,
        help_text=_(
            "An interview or self-fill is validated by an assessor other than the one who ran "
            "it: a finalised interview then waits for a second assessor's review."
        ),
    )

    class Meta:
        verbose_name = verbose_name_plural = _("group settings")

    def __str__(self) -> str:
        return str(_("Group settings"))

    @classmethod
    def current(cls) -> "GroupSettings":
        return cls.objects.order_by("pk").first() or cls.objects.create()


class WebhookEvent(models.TextChoices):
    ASSESSMENT_VALIDATED = "assessment.validated", _("An assessment is validated")
    REPORT_READY = "report.ready", _("A report is ready")


class Webhook(models.Model):
    """A brand's subscription: Yardstick posts the brand's events to `url`, signed."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="webhooks")
    url = models.CharField(_("address"), max_length=500)
    events = models.JSONField(default=list)
    # The signing key, encrypted (brands/secrets.py): the receiver holds it in clear.
    secret_encrypted = models.TextField()
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["brand", "created_at"]

    def __str__(self) -> str:
        return self.url

    def event_labels(self) -> list[str]:
        return [WebhookEvent(e).label for e in self.events if e in WebhookEvent.values]


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", pgettext_lazy("delivery status", "Sending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed for good")


class WebhookDelivery(models.Model):
    """One event for one webhook: the row is the truth about its delivery (brands/tasks.py)."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=40, choices=WebhookEvent.choices)
    payload = models.JSONField()
    status = models.CharField(
        max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=DeliveryStatus.values),
                name="webhook_delivery_status_valid",
            )
        ]

    def __str__(self) -> str:
        return f"{self.event} to {self.webhook_id}: {self.status}"


class WebhookAttempt(models.Model):
    """One try at a delivery: what the receiver answered, or why it could not be reached."""

    delivery = models.ForeignKey(
        WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log"
    )
    number = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(default=0)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    retry_in_seconds = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["delivery", "number"], name="webhook_attempt_one_per_number"
            )
        ]

    def __str__(self) -> str:
        return f"attempt {self.number} of {self.delivery_id}"

    @property
    def succeeded(self) -> bool:
        return self.response_code is not None and 200 <= self.response_code < 300


class TokenScope(models.TextChoices):
    READ = "read", pgettext_lazy("token scope", "Read")
    WRITE = "write", pgettext_lazy("token scope", "Read and write")


class ApiToken(models.Model):
    """A bearer token for the JSON API (brands.tokens makes, checks and revokes them).

    A personal token acts as its `user`, capped by its scope. A brand service token
    (`brand` set) acts as a service account of that brand made for it alone. Only a
    SHA-256 digest of the secret is kept; the secret itself is shown once.
    """

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=100)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    brand = models.ForeignKey(
        Brand, on_delete=models.CASCADE, null=True, blank=True, related_name="api_tokens"
    )
    scope = models.CharField(max_length=8, choices=TokenScope.choices, default=TokenScope.READ)
    # The first characters of the secret, shown in lists so a person can tell tokens apart.
    prefix = models.CharField(max_length=16)
    secret_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(scope__in=TokenScope.values), name="api_token_scope_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}...)"

    @property
    def is_service(self) -> bool:
        return self.brand_id is not None

    @property
    def can_write(self) -> bool:
        return self.scope == TokenScope.WRITE

    @property
    def last_day(self):
        """The last day it works (it stops at the end of that day)."""
        return timezone.localdate(self.expires_at - datetime.timedelta(microseconds=1))

    def state(self, now) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= now:
            return "expired"
        return "active"
