"""The language a person is spoken to in (config/locale.py) and the header's switcher
(brands.views.set_language): the profile first, then the switcher's cookie, then the browser."""

import datetime
import re

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.template import Context, Template, loader
from django.test import Client, RequestFactory, override_settings
from django.urls import path, reverse
from django.utils import translation
from django.views.defaults import server_error

from brands.models import User
from tests import factories
from tests.clock import PINNED_TODAY

COOKIE = settings.LANGUAGE_COOKIE_NAME


def html_lang(response) -> str:
    found = re.search(r'<html lang="([^"]*)"', response.content.decode())
    assert found, "the page has no <html lang>"
    return found.group(1)


def vary(response) -> set[str]:
    return {part.strip() for part in response.get("Vary", "").split(",")}


@pytest.fixture(autouse=True)
def _no_language_left_behind():
    """The middleware activates a language for its thread and leaves it there; a later test
    in this process must not find French."""
    yield
    translation.deactivate()


@pytest.fixture
def person(db):
    return factories.UserFactory(username="ans")


# --- which language -----------------------------------------------------------------------


def test_the_profile_language_speaks_to_a_logged_in_person(client, person):
    person.language = "nl"
    person.save(update_fields=["language"])
    client.force_login(person)
    response = client.get(reverse("logout_everywhere"), HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    assert html_lang(response) == "nl"
    assert response["Content-Language"] == "nl"
    # The same address answers in several languages: a cache must tell them apart.
    assert {"Accept-Language", "Cookie"} <= vary(response)


def test_the_profile_beats_the_cookie(client, person):
    person.language = "de"
    person.save(update_fields=["language"])
    client.force_login(person)
    client.cookies[COOKIE] = "fr"
    assert html_lang(client.get(reverse("logout_everywhere"))) == "de"


def test_without_a_profile_language_the_browser_decides(client, person):
    client.force_login(person)
    response = client.get(reverse("logout_everywhere"), HTTP_ACCEPT_LANGUAGE="fr-BE,fr;q=0.9")
    assert html_lang(response) == "fr"
    assert response["Content-Language"] == "fr"


def test_before_login_the_browser_decides(client, db):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="fr-BE,fr;q=0.9")
    assert response.status_code == 200
    assert html_lang(response) == "fr"


def test_the_cookie_beats_the_browser(client, db):
    client.cookies[COOKIE] = "fr"
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9")
    assert html_lang(response) == "fr"
    assert response["Content-Language"] == "fr"


def test_a_language_yardstick_does_not_speak_falls_back_to_english(client, db):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="ja,ko;q=0.8")
    assert html_lang(response) == "en"
    client.cookies[COOKIE] = "xx"
    assert html_lang(client.get(reverse("login"))) == "en"


# --- the switcher -------------------------------------------------------------------------


def switch(client, language: str, next_url: str = ""):
    return client.post(reverse("set_language"), {"language": language, "next": next_url})


def test_the_switch_keeps_the_language_in_the_profile_and_the_cookie(client, person):
    client.force_login(person)
    back = reverse("logout_everywhere")
    response = switch(client, "el", back)
    assert response.status_code == 302
    assert response["Location"] == back
    person.refresh_from_db()
    assert person.language == "el"
    assert response.cookies[COOKIE].value == "el"
    assert response.cookies[COOKIE]["httponly"]
    assert html_lang(client.get(back)) == "el"


def test_the_switch_goes_back_only_to_a_page_of_ours(client, person):
    client.force_login(person)
    response = switch(client, "nl", "https://evil.example/")
    assert response.status_code == 302
    assert response["Location"] == "/"
    response = switch(client, "nl", "//evil.example/path")
    assert response["Location"] == "/"
    assert switch(client, "nl")["Location"] == "/"


def test_an_unknown_language_is_refused_and_changes_nothing(client, person):
    person.language = "de"
    person.save(update_fields=["language"])
    client.force_login(person)
    response = switch(client, "xx", reverse("logout_everywhere"))
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.language == "de"
    assert COOKIE not in response.cookies
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    # Said in the person's own language (German here).
    with translation.override("de"):
        refusal = translation.gettext("Yardstick does not speak that language.")
    assert refusal != "Yardstick does not speak that language."
    assert refusal in shown, shown


def test_the_switch_takes_only_a_post(client, person):
    client.force_login(person)
    response = client.get(reverse("set_language"), {"language": "fr", "next": "/"})
    assert response.status_code == 405
    person.refresh_from_db()
    assert person.language == ""


def test_an_anonymous_switch_sets_only_the_cookie(client, person):
    response = switch(client, "cs", reverse("login"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert response.cookies[COOKIE].value == "cs"
    assert not User.objects.exclude(language="").exists()
    assert html_lang(client.get(reverse("login"))) == "cs"


def test_the_login_page_speaks_the_cookies_language(client, db):
    client.cookies[COOKIE] = "fr"
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert html_lang(response) == "fr"
    # The header's switcher offers every language, each in its own name, French chosen.
    assert '<option value="fr" lang="fr" selected>' in response.content.decode()


# --- formats ------------------------------------------------------------------------------


def test_english_keeps_british_dates_and_a_24_hour_clock():
    template = Template("{{ day|date }} {{ at|time }} {{ day|date:'j M Y' }}")
    context = Context({"day": PINNED_TODAY, "at": datetime.time(14, 30)})
    with translation.override("en"):
        assert template.render(context) == "18 Nov 2026 14:30 18 Nov 2026"


def test_other_languages_use_their_own_dates_and_numbers():
    template = Template("{{ day|date }} {{ share }}")
    with translation.override("nl"):
        assert template.render(Context({"day": PINNED_TODAY, "share": 62.5})) == (
            "18 november 2026 62,5"
        )


# --- pages of the brands and scoring areas in another language ------------------------------


def test_the_server_error_page_renders_without_context():
    # Django's own handler renders 500.html with no context at all; outside a request the
    # default language (British English) speaks.
    translation.deactivate()
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert '<html lang="en-gb">' in response.content.decode()
    with translation.override("fr"):
        page = loader.get_template("500.html").render()
    assert '<html lang="fr">' in page
    assert "Yardstick" in page


def _fails(request):
    raise RuntimeError("a fault of ours")


urlpatterns = [path("fails/", _fails)]


@override_settings(ROOT_URLCONF=__name__)
def test_a_server_error_speaks_the_persons_language(db):
    client = Client(raise_request_exception=False)
    client.cookies[COOKIE] = "fr"
    response = client.get("/fails/")
    assert response.status_code == 500
    assert html_lang(response) == "fr"
    assert response["Content-Language"] == "fr"


def test_date_fields_stay_iso_in_another_language(client, group_admin):
    """A date input's value is read by the browser and sent back to the server: ISO, whatever
    the language (the token's expiry, the audit log's filter)."""
    client.force_login(group_admin)
    client.cookies[COOKIE] = "fr"
    page = client.get(reverse("api_tokens")).content.decode()
    expiry = PINNED_TODAY + datetime.timedelta(days=90)
    assert f'value="{expiry.isoformat()}"' in page
    response = client.get(reverse("audit_log"), {"since": "2026-11-01", "until": "2026-11-18"})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'value="2026-11-01"' in page and 'value="2026-11-18"' in page


def test_an_action_due_date_stays_iso_in_another_language(client, lead, project):
    from scoring.models import ImprovementAction

    ImprovementAction.objects.create(
        project=project,
        question_key="doc-readme",
        question_text="The project has a README.",
        title="Write the README",
        due_on=datetime.date(2026, 12, 24),
        created_by=lead,
    )
    client.force_login(lead)
    client.cookies[COOKIE] = "fr"
    response = client.get(reverse("project_plan", kwargs={"code": project.code}))
    assert response.status_code == 200
    assert 'value="2026-12-24"' in response.content.decode()


@pytest.mark.parametrize(
    "name, kind",
    [
        ("brand_benchmark", "brand"),
        ("brand_gaps", "brand"),
        ("brand_trend", "brand"),
        ("tracker_list", "brand"),
        ("webhook_list", "brand"),
        ("brand_tokens", "brand"),
        ("project_plan", "project"),
        ("project_trend", "project"),
        ("group_gaps", None),
        ("audit_log", None),
        ("api_tokens", None),
        ("logout_everywhere", None),
    ],
)
@pytest.mark.parametrize("language", ["fr", "cs"])
def test_the_pages_render_in_another_language(client, group_admin, project, name, kind, language):
    client.force_login(group_admin)
    client.cookies[COOKIE] = language
    subject = {"brand": project.brand, "project": project}.get(kind)
    url = reverse(name, kwargs={"code": subject.code}) if subject else reverse(name)
    response = client.get(url)
    assert response.status_code == 200
    assert html_lang(response) == language
