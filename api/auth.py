"""Bearer tokens: who is calling, what their token may do, and how often.

`Authorization: Bearer ys_...` names an ApiToken (brands.tokens). The request then acts as
the token's user (`request.user`), so every access helper applies unchanged; the token is
`request.api_token`. The session cookie is never read: the API is not open to cross-site
requests from a logged-in browser, and needs no CSRF token.
"""

from django.http import HttpRequest
from ninja.security import HttpBearer

from api.errors import ApiError
from api.ratelimit import retry_after
from brands.tokens import token_from_secret

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        found = token_from_secret(token.strip())
        if found is None:
            return None  # 401, the same answer for an unknown, expired or revoked token
        wait = retry_after(found)
        if wait is not None:
            raise ApiError(
                429,
                "rate_limited",
                f"Too many requests with this token; try again in {wait} seconds.",
                retry_after=wait,
            )
        if request.method not in SAFE_METHODS and not found.can_write:
            raise ApiError(
                403,
                "read_only_token",
                "This token may only read; making changes needs a "
                "token with the read and write scope.",
            )
        request.user = found.user
        request.api_token = found
        return found
