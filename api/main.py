"""The JSON API, version 1: one NinjaAPI with a router per group of endpoints.

Adding an endpoint: write it in the router of its group (api/routes/), reading through the
selectors and access helpers and writing through the services that the pages use; declare
its response schemas (api/schemas.py), error statuses included, so the OpenAPI document
is true; wrap a write in a transaction with `audit_write`. docs/api.md says more.
"""

import logging

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError, ValidationError

from api.auth import TokenAuth
from api.errors import ApiError, not_found
from api.routes import assessments, brands, evidence, me, projects, question_sets

log = logging.getLogger(__name__)

api = NinjaAPI(
    title="Yardstick API",
    version="1",
    description=(
        "Brands, projects, question sets, assessments and their figures, as far as the "
        "token's owner may see them. Authenticate with `Authorization: Bearer <token>`; "
        "tokens are made on the API tokens page. Guide: docs/api.md."
    ),
    auth=TokenAuth(),
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
    docs=Swagger(settings={"persistAuthorization": False, "tryItOutEnabled": False}),
)
for module in (me, brands, projects, evidence, question_sets, assessments):
    api.add_router("", module.router)


def _answer(request: HttpRequest, error: ApiError) -> HttpResponse:
    response = api.create_response(request, error.body(), status=error.status)
    if error.status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="yardstick"'
    if error.status == 429 and "retry_after" in error.extra:
        response["Retry-After"] = str(error.extra["retry_after"])
    return response


@api.exception_handler(ApiError)
def _api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    return _answer(request, exc)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _answer(request, not_found())


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _answer(request, ApiError(403, "forbidden", str(exc) or "You may not do this."))


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    message = (
        "Send a valid token as 'Authorization: Bearer <token>'. Tokens that are unknown, "
        "expired or revoked are refused alike."
    )
    return _answer(request, ApiError(401, "unauthorized", message))


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    code = {400: "bad_request", 405: "method_not_allowed", 413: "too_large"}.get(
        exc.status_code, "refused"
    )
    return _answer(request, ApiError(exc.status_code, code, exc.message))


_WHERE = {"body", "query", "path", "header", "cookie", "form", "file"}


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """The first problem, with the field it concerns; all of them under `errors`."""
    problems = []
    for error in exc.errors:
        names = [str(p) for p in error.get("loc", ()) if str(p) not in _WHERE]
        # Query and body schemas are wrapped in one argument named after the parameter.
        names = [n for n in names if n not in ("payload", "filters", "query")] or names
        problems.append({"field": ".".join(names), "message": error.get("msg", "invalid")})
    first = problems[0] if problems else {"field": "", "message": "invalid"}
    message = f"{first['field']}: {first['message']}" if first["field"] else first["message"]
    return _answer(
        request,
        ApiError(422, "invalid", message, field=first["field"], errors=problems),
    )
