"""API tokens: made, listed, checked and revoked.

A secret is `ys_` followed by 43 URL-safe characters (32 random bytes). Only its SHA-256
digest is stored and looked up, so a copy of the database gives nobody a working token,
and the secret is shown once, when the token is made.

Personal tokens act as the person who made them; their scope caps what they may do (a read
token never writes, a write token does only what its person may). A brand service token
acts as a service account made for it: a user without a password holding a membership in
the brand (lead for a write token, viewer for a read token), so that every access helper
and the audit log treat it like anyone else.
"""

import datetime
import hashlib
import secrets

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from brands import audit
from brands.models import (
    ApiToken,
    AuditAction,
    Brand,
    BrandRole,
    Membership,
    TokenScope,
    User,
)
from brands.selectors import as_uuid, can_manage_brand, may_see_brand_id

SECRET_PREFIX = "ys_"


class TokenError(Exception):
    """A token cannot be made as asked; `field` names the form field at fault."""

    def __init__(self, message: str, *, field: str = ""):
        super().__init__(message)
        self.message = message
        self.field = field


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def max_expiry_days() -> int:
    return settings.API_TOKEN_MAX_DAYS


def _check(name: str, scope: str, expires_on: datetime.date) -> str:
    name = name.strip()
    if not name:
        raise TokenError(_("Give the token a name that says what uses it."), field="name")
    if len(name) > 100:
        raise TokenError(_("The name is too long: at most 100 characters."), field="name")
    if scope not in TokenScope.values:
        raise TokenError(_("Choose read, or read and write."), field="scope")
    today = timezone.localdate()
    if expires_on <= today:
        raise TokenError(_("The expiry date must be after today."), field="expires_on")
    if expires_on > today + datetime.timedelta(days=max_expiry_days()):
        days = max_expiry_days()
        raise TokenError(
            ngettext(
                "A token lives at most %(days)s day; choose an earlier expiry date.",
                "A token lives at most %(days)s days; choose an earlier expiry date.",
                days,
            )
            % {"days": days},
            field="expires_on",
        )
    return name


def _expiry(expires_on: datetime.date) -> datetime.datetime:
    """The end of `expires_on` in the site's time zone: a token works all of its last day."""
    day_after = datetime.datetime.combine(expires_on + datetime.timedelta(days=1), datetime.time())
    return timezone.make_aware(day_after)


def _make(*, name, user, brand, scope, expires_on, created_by) -> tuple[ApiToken, str]:
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        name=name,
        user=user,
        brand=brand,
        scope=scope,
        prefix=secret[: len(SECRET_PREFIX) + 6],
        secret_hash=hash_secret(secret),
        created_by=created_by,
        created_at=timezone.now(),
        expires_at=_expiry(expires_on),
    )
    audit.record(
        AuditAction.API_TOKEN_CREATED,
        actor=created_by,
        target=token,
        brand=brand,
        scope=scope,
        expires_at=token.expires_at.isoformat(),
        service=brand is not None,
    )
    return token, secret


@transaction.atomic
def token_create(
    *, user: User, name: str, scope: str, expires_on: datetime.date
) -> tuple[ApiToken, str]:
    """A personal token of `user`. Returns the token and its secret (shown once, never stored)."""
    if user.is_service_account:
        raise TokenError(_("A service account cannot make tokens."))
    name = _check(name, scope, expires_on)
    return _make(
        name=name, user=user, brand=None, scope=scope, expires_on=expires_on, created_by=user
    )


@transaction.atomic
def service_token_create(
    *, brand: Brand, user: User, name: str, scope: str, expires_on: datetime.date
) -> tuple[ApiToken, str]:
    """A service token of `brand`, made by one of its leads or a group admin or assessor."""
    if not can_manage_brand(user, brand):
        raise TokenError(_("Only the brand's leads and group admins can make its service tokens."))
    name = _check(name, scope, expires_on)
    account = User.objects.create(
        username=f"api-{slugify(brand.name)[:40]}-{secrets.token_hex(4)}",
        first_name=f"API: {name}"[:150],
        is_service_account=True,
    )
    account.set_unusable_password()
    account.save(update_fields=["password"])
    role = BrandRole.LEAD if scope == TokenScope.WRITE else BrandRole.VIEWER
    Membership.objects.create(user=account, brand=brand, role=role)
    return _make(
        name=name, user=account, brand=brand, scope=scope, expires_on=expires_on, created_by=user
    )


@transaction.atomic
def token_revoke(*, token: ApiToken, user: User) -> ApiToken:
    """Stop `token` working at once. Revoking twice changes nothing."""
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.revoked_by = user
    token.save(update_fields=["revoked_at", "revoked_by"])
    if token.is_service:
        # Its account served this token alone; nothing may act as it any more.
        User.objects.filter(pk=token.user_id, is_service_account=True).update(is_active=False)
    audit.record(AuditAction.API_TOKEN_REVOKED, actor=user, target=token, brand=token.brand)
    return token


# --- reading ---------------------------------------------------------------------------------


def personal_tokens(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user, brand__isnull=True)


def service_tokens(brand: Brand) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(brand=brand).select_related("created_by")


def get_token_for_user(user: User, code: object) -> ApiToken:
    """One of `user`'s own tokens, or a service token of a brand `user` may see (whether
    they may manage it is the caller's check); anything else is missing."""
    try:
        token = ApiToken.objects.select_related("brand").get(code=as_uuid(code))
    except ApiToken.DoesNotExist:
        raise Http404("No such token") from None
    if token.brand_id is None and token.user_id == user.pk:
        return token
    if token.brand_id is not None and may_see_brand_id(user, token.brand_id):
        return token
    raise Http404("No such token")


def token_from_secret(secret: str) -> ApiToken | None:
    """The working token with this secret, with its user; None for an unknown, expired or
    revoked one (the caller answers all three alike). Notes when it was last used, at most
    once every API_TOKEN_LAST_USED_EVERY seconds so that busy tokens cost no write a call."""
    if not secret.startswith(SECRET_PREFIX) or len(secret) > 200:
        return None
    try:
        token = ApiToken.objects.select_related("user", "brand").get(
            secret_hash=hash_secret(secret)
        )
    except ApiToken.DoesNotExist:
        return None
    now = timezone.now()
    if token.state(now) != "active" or not token.user.is_active:
        return None
    every = datetime.timedelta(seconds=settings.API_TOKEN_LAST_USED_EVERY)
    if token.last_used_at is None or token.last_used_at <= now - every:
        # Conditional, so that of many calls at once only one writes.
        ApiToken.objects.filter(pk=token.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - every)
        ).update(last_used_at=now)
        token.last_used_at = now
    return token
