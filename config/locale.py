"""The language Yardstick speaks to each person.

The person's profile says it (`User.language`); without a choice there, the language
cookie the switcher sets before login, else the browser's Accept-Language, else
English. Every page, message, e-mail and report built during the request speaks it;
work handed to Celery carries it along (reports.tasks) because a worker has no request.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers

API_PREFIX = "/api/"


def supported(code: str | None) -> str | None:
    """`code` if Yardstick speaks it (or a variant of it, "nl-BE" -> "nl"), else None."""
    if not code:
        return None
    try:
        return translation.get_supported_language_variant(code)
    except LookupError:
        return None


def language_of(user) -> str:
    """The language to write to `user` in when no request is at hand (e-mails, reports)."""
    return supported(getattr(user, "language", "")) or settings.LANGUAGE_CODE


def request_language(request: HttpRequest) -> str:
    if request.path.startswith(API_PREFIX):
        # The JSON API's messages are read by programs and their authors: always English.
        return settings.LANGUAGE_CODE
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        chosen = supported(user.language)
        if chosen:
            return chosen
    return translation.get_language_from_request(request)


class UserLanguageMiddleware:
    """Activates the person's language for the request (after AuthenticationMiddleware)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = request_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        try:
            response = self.get_response(request)
        finally:
            # Whatever runs next in this thread (another request, a task run in-process)
            # starts from the default language, not from this person's.
            translation.deactivate()
        # The same address answers in several languages: caches must tell them apart.
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response


# Languages that keep a noun's capital in the middle of a sentence.
KEEPS_NOUN_CAPITALS = {"de"}


def mid_sentence(label) -> str:
    """A label (a project's kind, an assessment's mode, a scoring rule) as it reads inside a
    sentence: "a realtime project" in English, but "ein Echtzeit-Projekt" keeps its capital."""
    text = str(label)
    return text if translation.get_language() in KEEPS_NOUN_CAPITALS else text.lower()


def remember_language(response: HttpResponse, language: str) -> None:
    """The switcher's cookie: the language for a person without a profile choice (before login)."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
    )
