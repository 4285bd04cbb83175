"""Answers the API's own URL space in JSON even where the API's code is never reached: an
unknown address under /api/v1/ (Django's 404 page) and a method a route does not take
(django-ninja's plain 405)."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse

from api.errors import NOT_FOUND

PREFIX = "/api/v1/"


class JsonErrorsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith(PREFIX) or response.status_code not in (404, 405):
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        if response.status_code == 404:
            return JsonResponse({"code": "not_found", "message": NOT_FOUND}, status=404)
        allowed = response.get("Allow", "")
        answer = JsonResponse(
            {
                "code": "method_not_allowed",
                "message": f"This address takes {allowed or 'other methods'}, not {request.method}.",
            },
            status=405,
        )
        if allowed:
            answer["Allow"] = allowed
        return answer
