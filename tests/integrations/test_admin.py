"""The admin pages of the integrations never show a token or a secret."""

import pytest
from django.urls import reverse

from brands import webhooks
from scoring.services.trackers import tracker_connect

pytestmark = pytest.mark.django_db


def test_the_admin_lists_and_pages_show_no_token_or_secret(client, brand, lead, django_user_model):
    superuser = django_user_model.objects.create_superuser("root", "root@example.com", "pw")
    connection, hook_secret = tracker_connect(
        brand=brand, user=lead, kind="github", name="", api_url="https://api.github.com",
        target="acme/recs", token="ghp_secret_token_value",
    )  # fmt: skip
    hook, secret = webhooks.webhook_create(
        brand=brand, user=lead, url="https://hooks.example.com/y", events=["report.ready"]
    )
    client.force_login(superuser)
    pages = [
        reverse("admin:scoring_trackerconnection_changelist"),
        reverse("admin:scoring_trackerconnection_change", args=[connection.pk]),
        reverse("admin:brands_webhook_changelist"),
        reverse("admin:brands_webhook_change", args=[hook.pk]),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        for value in ("ghp_secret_token_value", hook_secret, secret):
            assert value not in page
        assert connection.token_encrypted not in page and hook.secret_encrypted not in page
