"""CSRF on every state change, generated from the URL configuration like tenant isolation.

Every named URL, its parameters filled with real objects (tests/test_tenant_isolation.py
says which object fills each), is posted to by a group admin (who may do anything)
without the CSRF token: the answer is always 403 and nothing is written. No view of ours
is exempt, so a new view is covered the day it is added; the one exception, the issue
trackers' webhook (tracker_hook), is called by a tracker, not a browser, and refuses (403)
any call without the connection's signature or secret instead. The JSON API (api:*) never
reads the session cookie at all: a logged-in browser's post is never authenticated there.
"""

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

from surveys.services.invitations import invitation_token
from tests.test_tenant_isolation import PARAMS, url_of

# Fixtures, used by name: the objects and the group admin, built once for this module too.
from tests.test_tenant_isolation import group_admin as group_admin
from tests.test_tenant_isolation import objects as objects
from tests.test_tenant_isolation import world as world

NAMES = sorted(PARAMS)


def row_counts() -> dict[str, int]:
    """Rows per table of our apps (sessions and login throttling write on their own)."""
    ours = ("brands", "surveys", "scoring", "reports")
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in ours and model._meta.model_name != "auditevent"
    }


@pytest.mark.django_db
@pytest.mark.parametrize("name", NAMES)
def test_a_post_without_the_csrf_token_is_refused_and_writes_nothing(name, objects, group_admin):
    client = Client(enforce_csrf_checks=True)
    client.force_login(group_admin)
    if name == "invitation_accept":  # a signed link, not a code
        url = reverse(name, args=[invitation_token(objects["invitation"])])
    else:
        url = url_of(name, objects) if PARAMS[name] else reverse(name)
    before = row_counts()

    response = client.post(url, {"answer": "yes", "base_revision": "0", "title": "x"})

    if name.startswith("api:"):
        # Not authenticated (401), or a route that takes no POST (405), or no API view (403).
        assert response.status_code in (401, 403, 405), (name, response.status_code)
    else:
        assert response.status_code == 403, (name, response.status_code)
    assert row_counts() == before
