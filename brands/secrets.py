"""Secrets we must send on later (tracker tokens, webhook signing keys), kept encrypted.

They are encrypted with Fernet (AES with an HMAC, from the cryptography library) under
settings.TRACKER_SECRET_KEY: a database dump alone never gives them away. Unset, the key is
derived from SECRET_KEY, which is enough for local work (docs/integrations.md).
"""

import base64
import hashlib
import secrets

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class SecretUnreadable(Exception):
    """A stored secret that the current keys cannot decrypt (the key was changed)."""


def _derived_key() -> bytes:
    digest = hashlib.sha256(b"yardstick integrations secrets\0" + settings.SECRET_KEY.encode())
    return base64.urlsafe_b64encode(digest.digest())


def _fernet() -> MultiFernet:
    configured = [k.strip() for k in settings.TRACKER_SECRET_KEY.split(",") if k.strip()]
    keys = configured or [_derived_key()]
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except (ValueError, TypeError):
        raise ImproperlyConfigured(
            "TRACKER_SECRET_KEY must be a Fernet key (32 bytes, url-safe base64), or several "
            "separated by commas"
        ) from None


def secret_encrypt(plain: str) -> str:
    return _fernet().encrypt(plain.encode()).decode()


def secret_decrypt(stored: str) -> str:
    if not stored:
        return ""
    try:
        return _fernet().decrypt(stored.encode()).decode()
    except InvalidToken:
        raise SecretUnreadable(
            "The stored secret cannot be read with the current TRACKER_SECRET_KEY; enter it again."
        ) from None


def new_secret() -> str:
    """A random secret for signing (32 bytes of randomness, url-safe text)."""
    return secrets.token_urlsafe(32)
