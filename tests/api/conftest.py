"""The API's cast: the shared users of tests/conftest.py, each with tokens made by the real
service, and a client that sends them as bearer tokens."""

import datetime
import json

import pytest

from brands.models import TokenScope
from brands.tokens import service_token_create, token_create

EXPIRES = datetime.date(2026, 12, 31)  # after the pinned day (tests/clock.py)


def make_token(user, scope=TokenScope.WRITE, **kwargs) -> str:
    _, secret = token_create(
        user=user, name=kwargs.get("name", "CI"), scope=scope, expires_on=EXPIRES
    )
    return secret


def make_service_token(brand, lead, scope=TokenScope.WRITE) -> str:
    _, secret = service_token_create(
        brand=brand, user=lead, name="pipeline", scope=scope, expires_on=EXPIRES
    )
    return secret


class Api:
    """The Django test client speaking JSON with a bearer token."""

    def __init__(self, client, secret: str | None):
        self.client = client
        self.secret = secret

    def _headers(self) -> dict:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.secret}"} if self.secret else {}

    def get(self, path: str, **params):
        return self.client.get(f"/api/v1{path}", params, **self._headers())

    def send(self, method: str, path: str, body=None):
        return self.client.generic(
            method,
            f"/api/v1{path}",
            json.dumps(body if body is not None else {}),
            content_type="application/json",
            **self._headers(),
        )

    def post(self, path: str, body=None):
        return self.send("POST", path, body)

    def put(self, path: str, body=None):
        return self.send("PUT", path, body)

    def patch(self, path: str, body=None):
        return self.send("PATCH", path, body)


@pytest.fixture
def api_as(client):
    """`api_as(user)` (a read and write token), `api_as(user, "read")`, `api_as(None)`."""

    def make(user, scope=TokenScope.WRITE) -> Api:
        return Api(client, make_token(user, scope) if user is not None else None)

    return make
