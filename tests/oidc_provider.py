"""A small but real OpenID Connect provider for the tests.

It runs http.server in a thread on a free local port and serves what an
identity provider serves in the authorization code flow: the discovery
document, the authorize endpoint (which approves at once, as the configured
person), the token endpoint (a real RS256-signed ID token carrying the
nonce, audience and issuer, checked against the client secret, the
redirect URI and the PKCE verifier), the JWKS and userinfo.

Faults a provider (or an attacker in between) could produce are switched on
per test: `tamper` = "signature" (signed with a key not in the JWKS),
"expired", "audience", "issuer" or "nonce"; `userinfo_sub` to make userinfo
describe someone else.
"""

import base64
import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

KID = "test-key-1"


_KEYS: list[rsa.RSAPrivateKey] = []


def _keys() -> tuple[rsa.RSAPrivateKey, rsa.RSAPrivateKey]:
    """The signing key and a stranger's key, made once per test run (making them is slow)."""
    while len(_KEYS) < 2:
        _KEYS.append(rsa.generate_private_key(public_exponent=65537, key_size=2048))
    return _KEYS[0], _KEYS[1]


@dataclass
class Grant:
    client_id: str
    redirect_uri: str
    nonce: str | None
    code_challenge: str | None
    claims: dict


@dataclass
class Provider:
    client_id: str = "yardstick"
    client_secret: str = "provider-test-secret"
    # The person the authorize endpoint signs in: standard claims plus `groups`.
    claims: dict = field(default_factory=dict)
    tamper: str = ""
    userinfo_sub: str | None = None
    lifetime: int = 300

    def __post_init__(self) -> None:
        self.key, self.other_key = _keys()
        self.codes: dict[str, Grant] = {}
        self.tokens: dict[str, dict] = {}
        self.requests: list[str] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self.issuer = f"http://127.0.0.1:{self.server.server_address[1]}"
        # A short poll: `shutdown()` waits for the loop's next look (half a second by default).
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def start(self) -> "Provider":
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # --- what the endpoints answer ------------------------------------------------------------

    def discovery(self) -> dict:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
        }

    def jwks(self) -> dict:
        jwk = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**jwk, "kid": KID, "alg": "RS256", "use": "sig"}]}

    def authorize(self, query: dict[str, str]) -> tuple[int, dict[str, str], str]:
        if query.get("client_id") != self.client_id or query.get("response_type") != "code":
            return 400, {}, "unknown client or response type"
        if "openid" not in query.get("scope", "").split():
            return 400, {}, "the openid scope is missing"
        code = secrets.token_urlsafe(16)
        self.codes[code] = Grant(
            client_id=query["client_id"],
            redirect_uri=query["redirect_uri"],
            nonce=query.get("nonce"),
            code_challenge=query.get("code_challenge"),
            claims=dict(self.claims),
        )
        target = f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query['state']})}"
        return 302, {"Location": target}, ""

    def token(self, form: dict[str, str], authorization: str) -> tuple[int, dict]:
        client_id, secret = form.get("client_id"), form.get("client_secret")
        if authorization.startswith("Basic "):
            client_id, _, secret = base64.b64decode(authorization[6:]).decode().partition(":")
        if client_id != self.client_id or secret != self.client_secret:
            return 401, {"error": "invalid_client"}
        grant = self.codes.pop(form.get("code", ""), None)  # a code is good once
        if grant is None or form.get("redirect_uri") != grant.redirect_uri:
            return 400, {"error": "invalid_grant"}
        if grant.code_challenge is not None:
            verifier = form.get("code_verifier", "")
            digest = hashlib.sha256(verifier.encode()).digest()
            if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != grant.code_challenge:
                return 400, {"error": "invalid_grant", "error_description": "PKCE"}
        access_token = secrets.token_urlsafe(24)
        self.tokens[access_token] = grant.claims
        return 200, {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": self.lifetime,
            "id_token": self.id_token(grant),
        }

    def id_token(self, grant: Grant) -> str:
        now = int(time.time())
        payload = {
            **grant.claims,
            "iss": self.issuer,
            "aud": grant.client_id,
            "iat": now,
            "exp": now + self.lifetime,
        }
        if grant.nonce is not None:
            payload["nonce"] = grant.nonce
        key = self.key
        if self.tamper == "signature":
            key = self.other_key
        elif self.tamper == "expired":
            payload["iat"], payload["exp"] = now - 3600, now - 1800
        elif self.tamper == "audience":
            payload["aud"] = "someone-else"
        elif self.tamper == "issuer":
            payload["iss"] = "https://impostor.example"
        elif self.tamper == "nonce":
            payload["nonce"] = "not-the-nonce-of-this-sign-in"
        return jwt.encode(payload, key, algorithm="RS256", headers={"kid": KID})

    def userinfo(self, authorization: str) -> tuple[int, dict]:
        claims = self.tokens.get(authorization.removeprefix("Bearer ").strip())
        if claims is None:
            return 401, {"error": "invalid_token"}
        claims = dict(claims)
        if self.userinfo_sub is not None:
            claims["sub"] = self.userinfo_sub
        return 200, claims


def _handler_for(provider: Provider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format, *args) -> None:  # quiet test output
            pass

        def _send(self, status: int, body: dict | str, headers: dict | None = None) -> None:
            data = json.dumps(body) if isinstance(body, dict) else body
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            if isinstance(body, dict):
                self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data.encode())))
            self.end_headers()
            self.wfile.write(data.encode())

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            provider.requests.append(url.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            if url.path == "/.well-known/openid-configuration":
                self._send(200, provider.discovery())
            elif url.path == "/jwks":
                self._send(200, provider.jwks())
            elif url.path == "/authorize":
                status, headers, text = provider.authorize(query)
                self._send(status, text, headers)
            elif url.path == "/userinfo":
                status, body = provider.userinfo(self.headers.get("Authorization", ""))
                self._send(status, body)
            else:
                self._send(404, {"error": "not_found"})

        def do_POST(self) -> None:
            url = urlsplit(self.path)
            provider.requests.append(url.path)
            length = int(self.headers.get("Content-Length") or 0)
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            if url.path == "/token":
                status, body = provider.token(form, self.headers.get("Authorization", ""))
                self._send(status, body)
            else:
                self._send(404, {"error": "not_found"})

    return Handler
