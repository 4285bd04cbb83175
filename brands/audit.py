"""The audit log: who did what security-relevant thing, when, from where.

Services call `record` next to the state change they make, inside the same
transaction, so an event exists exactly when the change does. Changes that do
not go through our services (logins, and roles edited in the admin site) are
caught by the signal handlers below. The page for group admins reads through
`audit_events`.
"""

import contextvars
import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models import Model, Q, QuerySet
from django.db.models.signals import post_delete, post_init, post_save
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from brands.models import AuditAction, AuditEvent, Brand, Membership, User
from config.logging import request_id_var
from config.proxy import client_address

log = logging.getLogger(__name__)

_current_request: contextvars.ContextVar[HttpRequest | None] = contextvars.ContextVar(
    "audit_request", default=None
)


class AuditRequestMiddleware:
    """Remembers the request being handled, so changes made in the admin site name their actor."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)


def _brand_of(target: Model | None) -> Brand | None:
    if target is None:
        return None
    if isinstance(target, Brand):
        return target
    for path in ("brand", "project", "assessment"):
        related = getattr(target, path, None)
        if isinstance(related, Model):
            return _brand_of(related)
    return None


def _user_of(request: HttpRequest | None) -> User | None:
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def record(
    action: str,
    *,
    actor: User | None,
    target: Model | None = None,
    brand: Brand | None = None,
    request: HttpRequest | None = None,
    **details,
) -> AuditEvent:
    """Append one event. `brand` defaults to the brand the target belongs to.

    `request` (default: the request being handled, if any) gives the address
    and request id; `details` must be JSON-serialisable.
    """
    request = request if request is not None else _current_request.get()
    if target is not None:
        code = getattr(target, "code", None) or target.pk
        target_type, target_code = target._meta.model_name, str(code)
        target_label = str(target)[:300]
    else:
        target_type = target_code = target_label = ""
    request_id = request_id_var.get()
    return AuditEvent.objects.create(
        at=timezone.now(),
        actor=actor,
        actor_name=(actor.get_username() if actor is not None else "")[:150],
        action=AuditAction(action),
        target_type=target_type,
        target_code=target_code,
        target_label=target_label,
        brand=brand or _brand_of(target),
        address=client_address(request) if request is not None else None,
        request_id="" if request_id == "-" else request_id,
        details=details,
    )


# --- logins ---------------------------------------------------------------------------------


def _logged_in(sender, request, user, **kwargs) -> None:
    record(AuditAction.LOGIN, actor=user, target=user, request=request)


def _logged_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        record(AuditAction.LOGOUT, actor=user, target=user, request=request)


def _login_failed(sender, credentials, request=None, **kwargs) -> None:
    # Django has already replaced the password with asterisks; the username is kept because
    # repeated failures for one name are what an admin looks for.
    username = str(credentials.get("username", ""))[:150]
    record(AuditAction.LOGIN_FAILED, actor=None, request=request, username=username)


def _locked_out(sender, request, username, ip_address, **kwargs) -> None:
    record(
        AuditAction.LOCKED_OUT,
        actor=None,
        request=request,
        username=str(username or "")[:150],
    )


# --- roles, including those edited in the admin site ------------------------------------------


def _remember_roles(sender, instance, **kwargs) -> None:
    # Deferred fields are not loaded; a role that was never read cannot be compared later.
    if sender is User:
        instance._audit_group_role = instance.__dict__.get("group_role")
    elif sender is Membership:
        instance._audit_role = instance.__dict__.get("role")


def _user_saved(sender, instance: User, created: bool, raw: bool = False, **kwargs) -> None:
    before = getattr(instance, "_audit_group_role", None)
    after = instance.group_role
    if raw or (created and not after) or (not created and (before is None or before == after)):
        instance._audit_group_role = after
        return
    record(
        AuditAction.GROUP_ROLE_CHANGED,
        actor=_user_of(_current_request.get()),
        target=instance,
        old="" if created else before,
        new=after,
    )
    instance._audit_group_role = after


def _membership_saved(sender, instance: Membership, created: bool, raw=False, **kwargs) -> None:
    before = getattr(instance, "_audit_role", None)
    if raw or (not created and (before is None or before == instance.role)):
        instance._audit_role = instance.role
        return
    record(
        AuditAction.MEMBERSHIP_ADDED if created else AuditAction.MEMBERSHIP_CHANGED,
        actor=_user_of(_current_request.get()),
        target=instance.user,
        brand=instance.brand,
        role=instance.role,
        **({} if created else {"old_role": before}),
    )
    instance._audit_role = instance.role


def _membership_deleted(sender, instance: Membership, **kwargs) -> None:
    # Also sent when the brand or the person is deleted and the role goes with them: the
    # role is gone either way, and the log says so.
    record(
        AuditAction.MEMBERSHIP_REMOVED,
        actor=_user_of(_current_request.get()),
        target=instance.user,
        brand=instance.brand,
        role=instance.role,
    )


def connect() -> None:
    """Hook the handlers up (called once from BrandsConfig.ready)."""
    from axes.signals import user_locked_out

    user_logged_in.connect(_logged_in, dispatch_uid="audit_login")
    user_logged_out.connect(_logged_out, dispatch_uid="audit_logout")
    user_login_failed.connect(_login_failed, dispatch_uid="audit_login_failed")
    user_locked_out.connect(_locked_out, dispatch_uid="audit_locked_out")
    post_init.connect(_remember_roles, sender=User, dispatch_uid="audit_user_init")
    post_init.connect(_remember_roles, sender=Membership, dispatch_uid="audit_membership_init")
    post_save.connect(_user_saved, sender=User, dispatch_uid="audit_user_saved")
    post_save.connect(_membership_saved, sender=Membership, dispatch_uid="audit_membership_saved")
    post_delete.connect(
        _membership_deleted, sender=Membership, dispatch_uid="audit_membership_deleted"
    )


# --- reading --------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditFilters:
    action: str = ""
    actor: str = ""
    brand: Brand | None = None
    since: datetime.date | None = None
    until: datetime.date | None = None


def audit_events(filters: AuditFilters) -> QuerySet[AuditEvent]:
    """Events matching `filters`, newest first; `actor` matches a username or a name."""
    events = AuditEvent.objects.select_related("brand")
    if filters.action:
        events = events.filter(action=filters.action)
    if filters.actor:
        events = events.filter(
            Q(actor_name__icontains=filters.actor) | Q(details__username__icontains=filters.actor)
        )
    if filters.brand is not None:
        events = events.filter(brand=filters.brand)
    if filters.since:
        events = events.filter(at__date__gte=filters.since)
    if filters.until:
        events = events.filter(at__date__lte=filters.until)
    return events
