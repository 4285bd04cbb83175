"""Single sign-on with OpenID Connect (authorization code flow), on mozilla-django-oidc.

The library does the protocol: state and nonce kept in the session, PKCE, the
code exchanged for tokens, the ID token's signature checked against the
provider's JWKS. On top of it this module

- finds the provider's endpoints by discovery (`OIDC_ISSUER`) when they are
  not given one by one, lazily and cached, so a password login never waits
  for the provider;
- checks what the library leaves out: the ID token's audience, issuer and
  expiry, and that the userinfo answer is about the same subject;
- recognises a person by the provider's `sub` (User.sso_subject), or once,
  when allowed, by a verified e-mail address of an existing account; never by
  an unverified one;
- gives the person exactly the roles the provider's claims map to
  (brands.sso) at every login, adding and taking away, through the ordinary
  model saves so that the audit log records each change;
- turns every refusal into a message on the login page (or the "no access
  yet" page) instead of an error page.
"""

import contextlib
import hashlib
import logging
import threading
import time
from collections.abc import Iterator, Mapping

import jwt
import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import SuspiciousOperation
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from brands import audit, sso
from brands.models import AuditAction, Brand, Membership, User

log = logging.getLogger(__name__)

# Our setting -> the discovery document's key.
_ENDPOINTS = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}
_DISCOVERY_TTL = 3600.0
_discovered: dict[str, tuple[float, dict]] = {}
_discovery_lock = threading.Lock()


class LoginRefused(Exception):
    """A single sign-on that must not log anyone in. `str()` is the message in English, as the
    audit log and the server log keep it; `shown` is the same in the person's language.

    `message` is marked with gettext_noop, its %(name)s placeholders filled from `values`."""

    def __init__(self, message: str, **values: str) -> None:
        super().__init__(message % values if values else message)
        self.template = message
        self.values = values

    @property
    def shown(self) -> str:
        text = _(self.template)
        return text % self.values if self.values else text


# Our reason for a refused callback whose state this browser never issued (audited in English).
_NOT_STARTED_HERE = gettext_noop(
    "this sign-in was not started from this browser, or was already used"
)


class NoAccess(Exception):
    """The provider vouched for the person, but its claims give them no role here."""

    def __init__(self, who: str) -> None:
        super().__init__(who)
        self.who = who


def enabled() -> bool:
    return bool(getattr(settings, "OIDC_ENABLED", False))


def _discovery(url: str) -> dict:
    now = time.monotonic()
    with _discovery_lock:
        cached = _discovered.get(url)
        if cached and now - cached[0] < _DISCOVERY_TTL:
            return cached[1]
    try:
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise LoginRefused(
            gettext_noop(
                "Single sign-on is unavailable: the identity provider's configuration could not "
                "be read (%(error)s)."
            ),
            error=type(exc).__name__,
        ) from exc
    expected = settings.OIDC_ISSUER
    if expected and document.get("issuer", "").rstrip("/") != expected.rstrip("/"):
        raise LoginRefused(
            gettext_noop(
                "Single sign-on is unavailable: the identity provider names a different issuer "
                "than the one configured."
            )
        )
    with _discovery_lock:
        _discovered[url] = (now, document)
    return document


def provider_setting(name: str) -> str:
    """An endpoint as configured, or else as the provider's discovery document gives it."""
    configured = getattr(settings, name, "") or ""
    if configured or name not in _ENDPOINTS or not settings.OIDC_DISCOVERY_URL:
        return configured
    return _discovery(settings.OIDC_DISCOVERY_URL).get(_ENDPOINTS[name], "") or ""


def issuer() -> str:
    if settings.OIDC_ISSUER:
        return settings.OIDC_ISSUER
    if settings.OIDC_DISCOVERY_URL:
        return _discovery(settings.OIDC_DISCOVERY_URL).get("issuer", "")
    return ""


def mapped_roles(claims: Mapping) -> sso.MappedRoles:
    return sso.roles_from_claims(
        claims,
        claim=settings.OIDC_GROUPS_CLAIM,
        group_roles=settings.OIDC_GROUP_ROLES,
        brand_prefix=settings.OIDC_BRAND_ROLE_PREFIX,
    )


@contextlib.contextmanager
def _acting_as(request: HttpRequest | None, user: User) -> Iterator[None]:
    """Role changes made during the login are the login's own: the audit handlers name the
    actor from the request being handled, which has no user yet at this point."""
    if request is None:
        yield
        return
    before = getattr(request, "user", None)
    request.user = user
    try:
        yield
    finally:
        if before is not None:
            request.user = before


def apply_roles(*, user: User, roles: sso.MappedRoles, request: HttpRequest | None) -> None:
    """Make the person's group role and brand roles exactly what the provider says.

    Brands named in the claims that do not exist are skipped (logged): the provider
    may know of a brand before Yardstick does.
    """
    brands: dict[str, Brand] = {}
    for brand in Brand.objects.all():
        brands[slugify(brand.name)] = brand
        brands[str(brand.code)] = brand
    wanted: dict[int, tuple[Brand, str]] = {}
    for key, role in roles.brand_roles.items():
        brand = brands.get(key)
        if brand is None:
            log.warning("single sign-on: %s names an unknown brand %r", user.username, key)
            continue
        wanted[brand.pk] = (brand, role)
    with _acting_as(request, user):
        if user.group_role != roles.group_role:
            user.group_role = roles.group_role
            user.save(update_fields=["group_role"])
        for membership in Membership.objects.filter(user=user).select_related("brand"):
            if membership.brand_id not in wanted:
                membership.delete()
                continue
            _, role = wanted.pop(membership.brand_id)
            if membership.role != role:
                membership.role = role
                membership.save(update_fields=["role"])
        for brand, role in wanted.values():
            Membership.objects.create(user=user, brand=brand, role=role)


class OIDCBackend(OIDCAuthenticationBackend):
    """Authenticates the callback of our single sign-on; any other login passes through."""

    def __init__(self, *args, **kwargs) -> None:
        # The library reads every endpoint here; Django builds a backend for each login and
        # each request's session check, so they are read only when a sign-on needs them.
        self.UserModel = User
        self.OIDC_RP_SIGN_ALGO = settings.OIDC_RP_SIGN_ALGO
        self.OIDC_RP_IDP_SIGN_KEY = None

    @property
    def OIDC_OP_TOKEN_ENDPOINT(self) -> str:
        return provider_setting("OIDC_OP_TOKEN_ENDPOINT")

    @property
    def OIDC_OP_USER_ENDPOINT(self) -> str:
        return provider_setting("OIDC_OP_USER_ENDPOINT")

    @property
    def OIDC_OP_JWKS_ENDPOINT(self) -> str:
        return provider_setting("OIDC_OP_JWKS_ENDPOINT")

    @property
    def OIDC_RP_CLIENT_ID(self) -> str:
        return settings.OIDC_RP_CLIENT_ID

    @property
    def OIDC_RP_CLIENT_SECRET(self) -> str:
        return settings.OIDC_RP_CLIENT_SECRET

    def authenticate(self, request, **kwargs):
        # Only our callback view passes a nonce: a password login whose URL happens to carry
        # ?code=&state= must not start a token exchange.
        if request is None or not enabled() or "nonce" not in kwargs:
            return None
        try:
            return super().authenticate(request, **kwargs)
        except requests.RequestException as exc:
            raise LoginRefused(
                gettext_noop(
                    "Single sign-on failed: the identity provider could not be reached "
                    "or refused the request (%(error)s)."
                ),
                error=type(exc).__name__,
            ) from exc

    def get_user(self, user_id):
        return ModelBackend.get_user(self, user_id)

    def _verify_jws(self, payload, key):
        """The signature, and what the library does not check: audience, issuer, expiry."""
        try:
            header = jwt.get_unverified_header(payload)
        except jwt.InvalidTokenError as exc:
            raise SuspiciousOperation("the ID token is not a valid JWT") from exc
        if header.get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise SuspiciousOperation(
                f"the ID token is signed with {header.get('alg')!r}, "
                f"not the configured {self.OIDC_RP_SIGN_ALGO}"
            )
        expected_issuer = issuer()
        try:
            return jwt.decode(
                payload,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=expected_issuer or None,
                leeway=settings.OIDC_CLOCK_SKEW,
                options={"require": ["exp", "iat", "sub", "aud"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise SuspiciousOperation("the ID token has expired") from exc
        except jwt.InvalidAudienceError as exc:
            raise SuspiciousOperation("the ID token was issued to another client") from exc
        except jwt.InvalidIssuerError as exc:
            raise SuspiciousOperation("the ID token comes from another issuer") from exc
        except jwt.InvalidSignatureError as exc:
            raise SuspiciousOperation("the ID token's signature does not verify") from exc
        except jwt.InvalidTokenError as exc:
            raise SuspiciousOperation(f"the ID token is not valid ({exc})") from exc

    def verify_token(self, token, **kwargs):
        if not token:
            raise SuspiciousOperation("the identity provider sent no ID token")
        try:
            return super().verify_token(token, **kwargs)
        except SuspiciousOperation as exc:
            if "Nonce" in str(exc):
                raise SuspiciousOperation(
                    "the ID token's nonce does not match this sign-in"
                ) from exc
            raise

    def get_userinfo(self, access_token, id_token, payload):
        """The ID token's claims, completed by the userinfo endpoint when there is one."""
        claims = dict(payload)
        if self.OIDC_OP_USER_ENDPOINT:
            info = super().get_userinfo(access_token, id_token, payload)
            if info.get("sub") != payload.get("sub"):
                raise LoginRefused(
                    gettext_noop(
                        "Single sign-on failed: the identity provider's user information is "
                        "about someone other than the ID token."
                    )
                )
            claims.update(info)
        return claims

    def get_or_create_user(self, access_token, id_token, payload):
        claims = self.get_userinfo(access_token, id_token, payload)
        subject = str(claims.get("sub") or "")
        if not subject:
            raise LoginRefused(
                gettext_noop("Single sign-on failed: the ID token names no subject.")
            )
        roles = mapped_roles(claims)
        with transaction.atomic():
            user = self._find_user(subject, claims)
            if user is not None:
                # Also when the claims give nothing: roles taken away at the provider go here.
                self._update_profile(user, claims)
                apply_roles(user=user, roles=roles, request=self.request)
            elif roles.grants_anything:
                # No account for someone the provider gives no role: nothing to log in to.
                user = self._create_user(subject, claims)
                apply_roles(user=user, roles=roles, request=self.request)
        if not roles.grants_anything:
            raise NoAccess(self._describe(claims))
        return user

    def _find_user(self, subject: str, claims: Mapping) -> User | None:
        user = User.objects.select_for_update().filter(sso_subject=subject).first()
        if user is not None or not settings.OIDC_MATCH_VERIFIED_EMAIL:
            return user
        email = str(claims.get("email") or "").strip()
        if not email or not sso.email_is_verified(claims):
            return None
        # Only an account that no sign-on has claimed yet, and only an unambiguous one.
        candidates = list(
            User.objects.select_for_update().filter(email__iexact=email, sso_subject=None)[:2]
        )
        if len(candidates) != 1:
            return None
        user = candidates[0]
        user.sso_subject = subject
        user.save(update_fields=["sso_subject"])
        return user

    def _create_user(self, subject: str, claims: Mapping) -> User:
        user = User(username=self._free_username(subject, claims), sso_subject=subject)
        self._fill_profile(user, claims)
        user.set_unusable_password()
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError as exc:
            # The same person's first sign-on in two tabs at once: one of them made the account.
            raise LoginRefused(
                gettext_noop(
                    "Single sign-on could not finish because your account was being set up at "
                    "the same moment; please sign in again."
                )
            ) from exc
        return user

    def _free_username(self, subject: str, claims: Mapping) -> str:
        wanted = str(claims.get("preferred_username") or claims.get("email") or "").strip()
        wanted = wanted[:150] or "sso-" + hashlib.sha256(subject.encode()).hexdigest()[:12]
        if not User.objects.filter(username__iexact=wanted).exists():
            return wanted
        suffix = "-" + hashlib.sha256(subject.encode()).hexdigest()[:8]
        return wanted[: 150 - len(suffix)] + suffix

    @staticmethod
    def _fill_profile(user: User, claims: Mapping) -> list[str]:
        changed = []
        values = {
            "first_name": str(claims.get("given_name") or "")[:150],
            "last_name": str(claims.get("family_name") or "")[:150],
        }
        # An unverified address is not trusted enough to be written on the account.
        if claims.get("email") and sso.email_is_verified(claims):
            values["email"] = str(claims["email"])[:254]
        for name, value in values.items():
            if value and getattr(user, name) != value:
                setattr(user, name, value)
                changed.append(name)
        return changed

    def _update_profile(self, user: User, claims: Mapping) -> None:
        changed = self._fill_profile(user, claims)
        if changed:
            user.save(update_fields=changed)

    @staticmethod
    def _describe(claims: Mapping) -> str:
        return str(
            claims.get("preferred_username") or claims.get("email") or claims.get("sub") or ""
        )[:150]


class LoginStartView(OIDCAuthenticationRequestView):
    """Sends the browser to the identity provider (GET /sso/login/)."""

    def __init__(self, *args, **kwargs) -> None:
        # The library reads the endpoint here, at every request; read it in get() instead,
        # where a provider that cannot be reached becomes a message.
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        if not enabled():
            raise Http404("Single sign-on is not configured")
        try:
            self.OIDC_OP_AUTH_ENDPOINT = provider_setting("OIDC_OP_AUTHORIZATION_ENDPOINT")
        except LoginRefused as exc:
            messages.error(request, exc.shown)
            return redirect("login")
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        return super().get(request)


class CallbackView(OIDCAuthenticationCallbackView):
    """Where the identity provider sends the browser back (GET /sso/callback/)."""

    failure_message = gettext_lazy("Single sign-on did not log you in. Please try again.")

    def get(self, request: HttpRequest) -> HttpResponse:
        if not enabled():
            raise Http404("Single sign-on is not configured")
        if request.GET.get("error"):
            if request.GET.get("state") not in request.session.get("oidc_states", {}):
                # The library logs the browser out on an error answer; a link from anywhere
                # must not be able to do that, only the answer to a sign-in it started.
                self.failure_message = _("This sign-in was not started from this browser.")
                return self.login_failure()
            # Shown as a code only: the description is the provider's text, not ours.
            code = request.GET["error"][:60]
            self.failure_message = _("The identity provider did not sign you in (%(code)s).") % {
                "code": code
            }
        try:
            return super().get(request)
        except NoAccess as exc:
            audit.record(
                AuditAction.LOGIN_FAILED,
                actor=None,
                request=request,
                username=exc.who,
                reason="single sign-on: no role in Yardstick",
            )
            return render(
                request,
                "brands/sso_no_access.html",
                {"who": exc.who, "provider": settings.OIDC_PROVIDER_NAME},
                status=403,
            )
        except LoginRefused as exc:
            self._refused(str(exc), shown=exc.shown)
        except SuspiciousOperation as exc:
            # Also a forged or replayed callback (state not issued by this session). The reason
            # is the library's or ours, in English; ours is shown translated.
            reason = shown_reason = str(exc)
            if "state" in reason.lower():
                reason, shown_reason = _NOT_STARTED_HERE, _(_NOT_STARTED_HERE)
            self._refused(
                f"Single sign-on was refused: {reason}.",
                shown=_("Single sign-on was refused: %(reason)s.") % {"reason": shown_reason},
            )
        return self.login_failure()

    def _refused(self, message: str, *, shown: str) -> None:
        """`message` in English for the logs, `shown` in the person's language."""
        log.warning("single sign-on refused: %s", message)
        audit.record(AuditAction.LOGIN_FAILED, actor=None, request=self.request, reason=message)
        self.failure_message = shown

    def login_failure(self) -> HttpResponse:
        user = getattr(self, "user", None)
        if user is not None and not user.is_active:
            switched_off = gettext_noop(
                "Your Yardstick account is switched off; ask a Yardstick administrator to turn "
                "it back on."
            )
            self._refused(switched_off, shown=_(switched_off))
        messages.error(self.request, self.failure_message)
        return redirect("login")
