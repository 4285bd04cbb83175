"""Improvement actions in issue trackers: connections, issues made by the task, state back.

The trackers are played by a local HTTP server (tests/integrations/fake_http.py); Celery runs
in-process here (no REDIS_URL); test_integrations_worker.py does the round trip through a real
worker.
"""

import base64
import hashlib
import hmac
import json

import pytest
from django.urls import reverse

from brands.models import AuditAction, AuditEvent, BrandRole
from brands.secrets import secret_decrypt
from scoring.models import (
    ActionStatus,
    ImprovementAction,
    IssueStatus,
    TrackerConnection,
    TrackerIssue,
)
from scoring.services import trackers as tracker_services
from scoring.tasks import poll_tracker_issues
from tests import factories

pytestmark = pytest.mark.django_db

GITHUB_TOKEN = "gh-token-123"
AZURE_TOKEN = "az-token-456"


def make_action(project, lead, key="doc-success-metrics", title="Write down the success metrics"):
    return ImprovementAction.objects.create(
        project=project,
        question_key=key,
        question_text="Success metrics are written down.",
        title=title,
        owner=lead,
        created_by=lead,
    )


def connect(client, brand, fake, *, kind="github", target="acme/recs", token=GITHUB_TOKEN):
    """Connect a tracker through the page, as a lead does; returns it and the shown secret."""
    response = client.post(
        reverse("tracker_list", args=[brand.code]),
        {"kind": kind, "name": "", "api_url": fake.url, "target": target, "token": token},
    )
    assert response.status_code == 200, response.content.decode()[-2000:]
    connection = TrackerConnection.objects.filter(brand=brand).latest("created_at")
    return connection, secret_decrypt(connection.hook_secret_encrypted), response


def request_issue(client, action, connection, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("action_issue", args=[action.code]), {"connection": str(connection.code)}
        )
    assert response.status_code == 302, response.content.decode()[-2000:]
    return TrackerIssue.objects.get(action=action)


def github_hook(client, connection, secret, payload, *, event="issues", signature=None):
    body = json.dumps(payload).encode()
    mac = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return client.post(
        reverse("tracker_hook", args=[connection.code]),
        data=body,
        content_type="application/json",
        HTTP_X_GITHUB_EVENT=event,
        HTTP_X_HUB_SIGNATURE_256=signature if signature is not None else mac,
    )


def closed_event(number: int) -> dict:
    return {"action": "closed", "issue": {"number": number, "state": "closed"}}


@pytest.fixture
def lead_client(client, lead):
    client.force_login(lead)
    return client


# --------------------------------------------------------------------------- connections


def test_the_token_is_stored_encrypted_and_never_shown_again(lead_client, brand, fake):
    connection, secret, created = connect(lead_client, brand, fake)
    assert GITHUB_TOKEN not in connection.token_encrypted
    assert secret_decrypt(connection.token_encrypted) == GITHUB_TOKEN
    assert secret not in connection.hook_secret_encrypted
    # The page after saving shows the webhook secret once, never the token.
    assert secret in created.content.decode()
    assert GITHUB_TOKEN not in created.content.decode()

    page = lead_client.get(reverse("tracker_detail", args=[connection.code])).content.decode()
    assert GITHUB_TOKEN not in page and secret not in page
    assert "The token is <strong>set</strong>" in page
    assert reverse("tracker_hook", args=[connection.code]) in page
    listing = lead_client.get(reverse("tracker_list", args=[brand.code])).content.decode()
    assert GITHUB_TOKEN not in listing and connection.name in listing


def test_saving_without_a_token_keeps_it_and_a_new_one_replaces_it(lead_client, brand, fake):
    connection, _, _ = connect(lead_client, brand, fake)
    url = reverse("tracker_detail", args=[connection.code])
    form = {"kind": "github", "name": "Recs", "api_url": fake.url, "target": "acme/recs2"}
    assert lead_client.post(url, {**form, "token": ""}).status_code == 302
    connection.refresh_from_db()
    assert (connection.name, connection.target) == ("Recs", "acme/recs2")
    assert secret_decrypt(connection.token_encrypted) == GITHUB_TOKEN
    assert lead_client.post(url, {**form, "token": "another"}).status_code == 302
    connection.refresh_from_db()
    assert secret_decrypt(connection.token_encrypted) == "another"
    assert lead_client.post(reverse("tracker_delete", args=[connection.code])).status_code == 302
    # Each change is in the audit log; the tokens never are.
    events = AuditEvent.objects.filter(target_code=str(connection.code)).order_by("at", "pk")
    assert [(e.action, e.details.get("what")) for e in events] == [
        (AuditAction.TRACKER_CONNECTED, None),
        (AuditAction.TRACKER_CHANGED, "settings"),
        (AuditAction.TRACKER_CHANGED, "settings and token"),
        (AuditAction.TRACKER_REMOVED, None),
    ]
    assert not any("another" in json.dumps(e.details) for e in events)


def test_a_new_webhook_secret_is_shown_once(lead_client, brand, fake):
    connection, old, _ = connect(lead_client, brand, fake)
    page = lead_client.post(reverse("tracker_secret", args=[connection.code])).content.decode()
    connection.refresh_from_db()
    new = secret_decrypt(connection.hook_secret_encrypted)
    assert new != old and new in page
    assert (
        new
        not in lead_client.get(reverse("tracker_detail", args=[connection.code])).content.decode()
    )


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"target": "not a repository"}, "Repository: write it as owner/name"),
        ({"kind": "azure", "target": "just-one-part"}, "Project: write it as organisation/project"),
        ({"api_url": "ftp://example.com"}, "API address: must be a web address"),
        ({"token": ""}, "Token: enter the token"),
        ({"kind": "jira"}, "Tracker: Select a valid choice"),
    ],
)
def test_bad_settings_are_refused_naming_the_field(lead_client, brand, fake, form, message):
    data = {"kind": "github", "api_url": fake.url, "target": "acme/recs", "token": "t", **form}
    response = lead_client.post(reverse("tracker_list", args=[brand.code]), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not TrackerConnection.objects.exists()


def test_private_addresses_are_refused_unless_the_setting_allows_them(lead_client, brand, settings):
    settings.INTEGRATIONS_ALLOW_PRIVATE_ADDRESSES = False
    for address in (
        "http://127.0.0.1:9/",
        "http://10.1.2.3/",
        "http://localhost/",
        "http://[::1]/",
    ):
        data = {"kind": "github", "api_url": address, "target": "acme/recs", "token": "t"}
        response = lead_client.post(reverse("tracker_list", args=[brand.code]), data)
        assert response.status_code == 400
        assert "API address: points to a private, loopback or reserved" in response.content.decode()
    assert not TrackerConnection.objects.exists()


def test_only_leads_and_group_admins_manage_trackers(client, brand, viewer, group_viewer, fake):
    for user in (viewer, group_viewer):
        client.force_login(user)
        assert client.get(reverse("tracker_list", args=[brand.code])).status_code == 403


def test_another_brands_tracker_pages_are_404(
    lead_client, brand, other_brand, outsider, client, fake
):
    connection, _, _ = connect(lead_client, brand, fake)
    client.force_login(outsider)
    assert client.get(reverse("tracker_detail", args=[connection.code])).status_code == 404
    assert client.get(reverse("tracker_list", args=[brand.code])).status_code == 404
    for name in ("tracker_detail", "tracker_secret", "tracker_delete"):
        assert client.post(reverse(name, args=[connection.code])).status_code == 404
    connection.refresh_from_db()  # still there


def test_the_wrong_method_is_refused(lead_client, brand, fake):
    connection, _, _ = connect(lead_client, brand, fake)
    assert lead_client.get(reverse("tracker_secret", args=[connection.code])).status_code == 405
    assert lead_client.get(reverse("tracker_hook", args=[connection.code])).status_code == 405


# --------------------------------------------------------------------------- issues


def test_an_action_becomes_a_github_issue_and_keeps_its_link(
    lead_client, brand, project, lead, fake, django_capture_on_commit_callbacks
):
    connection, _, _ = connect(lead_client, brand, fake)
    action = make_action(project, lead)
    issue = request_issue(lead_client, action, connection, django_capture_on_commit_callbacks)

    assert (issue.status, issue.external_id, issue.state) == (IssueStatus.LINKED, "1", "open")
    assert issue.url == f"{fake.url}/acme/recs/issues/1"
    (sent,) = fake.seen("POST", "/repos/acme/recs/issues")
    body = sent.json()
    assert body["title"] == "Write down the success metrics"
    assert "Success metrics are written down." in body["body"]
    assert f"#action-{action.code}" in body["body"]
    assert body["labels"] == ["yardstick", "doc-success-metrics"]
    assert sent.headers["Authorization"] == f"Bearer {GITHUB_TOKEN}"

    page = lead_client.get(reverse("project_plan", args=[project.code])).content.decode()
    assert f'href="{issue.url}"' in page and "GitHub Issues #1" in page

    # A second click does not make a second issue.
    again = lead_client.post(
        reverse("action_issue", args=[action.code]), {"connection": str(connection.code)}
    )
    assert again.status_code == 409
    assert len(fake.seen("POST", "/repos/")) == 1


def test_an_action_becomes_an_azure_boards_work_item(
    lead_client, brand, project, lead, fake, django_capture_on_commit_callbacks
):
    connection, _, _ = connect(
        lead_client, brand, fake, kind="azure", target="acme/Recs", token=AZURE_TOKEN
    )
    issue = request_issue(
        lead_client, make_action(project, lead), connection, django_capture_on_commit_callbacks
    )
    assert (issue.status, issue.external_id, issue.state) == (IssueStatus.LINKED, "100", "To Do")
    assert issue.url == f"{fake.url}/acme/Recs/_workitems/edit/100"
    (sent,) = fake.seen("POST", "/acme/Recs/_apis/wit/workitems/$Task")
    fields = {op["path"]: op["value"] for op in sent.json()}
    assert fields["/fields/System.Title"] == "Write down the success metrics"
    assert fields["/fields/System.Tags"] == "yardstick; doc-success-metrics"


def test_a_refused_token_is_recorded_and_shown_not_raised(
    lead_client, brand, project, lead, fake, django_capture_on_commit_callbacks
):
    connection, _, _ = connect(lead_client, brand, fake, token="wrong")
    action = make_action(project, lead)
    issue = request_issue(lead_client, action, connection, django_capture_on_commit_callbacks)
    assert issue.status == IssueStatus.FAILED
    assert "GitHub refused the token (401)" in issue.error
    page = lead_client.get(reverse("project_plan", args=[project.code])).content.decode()
    assert "No issue was created:" in page and "GitHub refused the token (401)" in page
    assert "Try again in GitHub Issues" in page


def test_a_tracker_that_cannot_be_reached_is_recorded(
    lead_client, brand, project, lead, fake, django_capture_on_commit_callbacks
):
    connection, _, _ = connect(lead_client, brand, fake)
    TrackerConnection.objects.filter(pk=connection.pk).update(api_url="http://127.0.0.1:9")
    issue = request_issue(
        lead_client, make_action(project, lead), connection, django_capture_on_commit_callbacks
    )
    assert issue.status == IssueStatus.FAILED
    assert "GitHub could not be reached" in issue.error


def test_another_brands_tracker_cannot_be_used_for_an_action(
    client, brand, project, lead, other_brand, fake
):
    theirs, _ = tracker_services.tracker_connect(
        brand=other_brand,
        user=factories.member(other_brand, BrandRole.LEAD),
        kind="github",
        name="",
        api_url=fake.url,
        target="other/repo",
        token=GITHUB_TOKEN,
    )
    client.force_login(lead)
    response = client.post(
        reverse("action_issue", args=[make_action(project, lead).code]),
        {"connection": str(theirs.code)},
    )
    assert response.status_code == 404
    assert fake.requests == []


# --------------------------------------------------------------------------- state back


@pytest.fixture
def two_brands_linked(
    lead_client, brand, project, lead, other_brand, other_project, fake,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    """Each brand has a GitHub connection with issue #1 of its own action (the same number)."""
    mine, secret, _ = connect(lead_client, brand, fake)
    my_action = make_action(project, lead)
    request_issue(lead_client, my_action, mine, django_capture_on_commit_callbacks)
    their_lead = factories.member(other_brand, BrandRole.LEAD, username="their-lead")
    theirs, their_secret = tracker_services.tracker_connect(
        brand=other_brand,
        user=their_lead,
        kind="github",
        name="",
        api_url=fake.url,
        target="other/repo",
        token=GITHUB_TOKEN,
    )
    their_action = make_action(other_project, their_lead)
    with django_capture_on_commit_callbacks(execute=True):
        tracker_services.issue_request(action=their_action, user=their_lead, connection=theirs)
    issues = TrackerIssue.objects.filter(action__in=[my_action, their_action])
    assert [i.external_id for i in issues] == ["1", "1"]
    return mine, secret, my_action, theirs, their_secret, their_action


def test_a_signed_webhook_closes_the_action_of_its_own_connection_only(client, two_brands_linked):
    mine, secret, my_action, _theirs, _their_secret, their_action = two_brands_linked
    response = github_hook(client, mine, secret, closed_event(1))
    assert response.status_code == 200
    assert response.json() == {"issues": 1, "closed": 1}
    my_action.refresh_from_db()
    their_action.refresh_from_db()
    assert my_action.status == ActionStatus.DONE
    assert my_action.closed_reason == "Closed in GitHub Issues (1, closed)"
    assert TrackerIssue.objects.get(action=my_action).state == "closed"
    assert their_action.status == ActionStatus.OPEN  # same issue number, another brand

    # Delivered again (GitHub retries): nothing more happens.
    assert github_hook(client, mine, secret, closed_event(1)).json() == {"issues": 1, "closed": 0}


@pytest.mark.parametrize("signature", ["", "sha256=0000", "sha256=wrong-secret"])
def test_a_badly_signed_webhook_is_refused_and_changes_nothing(
    client, two_brands_linked, signature
):
    mine, secret, my_action, _theirs, their_secret, their_action = two_brands_linked
    if signature == "sha256=wrong-secret":
        # Signed with the other connection's secret: valid for them, not for this address.
        body = json.dumps(closed_event(1)).encode()
        signature = "sha256=" + hmac.new(their_secret.encode(), body, hashlib.sha256).hexdigest()
    response = github_hook(client, mine, secret, closed_event(1), signature=signature)
    assert response.status_code == 403
    for action in (my_action, their_action):
        action.refresh_from_db()
        assert action.status == ActionStatus.OPEN


def test_other_github_events_are_accepted_and_ignored(client, two_brands_linked):
    mine, secret, my_action, *_ = two_brands_linked
    assert github_hook(client, mine, secret, {"zen": "hi"}, event="ping").json() == {
        "issues": 0,
        "closed": 0,
    }
    reopened = {"action": "reopened", "issue": {"number": 1, "state": "open"}}
    assert github_hook(client, mine, secret, reopened).json() == {"issues": 1, "closed": 0}
    my_action.refresh_from_db()
    assert my_action.status == ActionStatus.OPEN


def test_an_azure_service_hook_with_the_secret_closes_the_action(
    lead_client, client, brand, project, lead, fake, django_capture_on_commit_callbacks
):
    connection, secret, _ = connect(
        lead_client, brand, fake, kind="azure", target="acme/Recs", token=AZURE_TOKEN
    )
    action = make_action(project, lead)
    request_issue(lead_client, action, connection, django_capture_on_commit_callbacks)
    event = {
        "eventType": "workitem.updated",
        "resource": {
            "workItemId": 100,
            "fields": {"System.State": {"oldValue": "Doing", "newValue": "Done"}},
        },
    }
    url = reverse("tracker_hook", args=[connection.code])

    def auth(password):
        return "Basic " + base64.b64encode(f"azure:{password}".encode()).decode()

    refused = client.post(
        url, event, content_type="application/json", HTTP_AUTHORIZATION=auth("no")
    )
    assert refused.status_code == 403
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN
    accepted = client.post(
        url, event, content_type="application/json", HTTP_AUTHORIZATION=auth(secret)
    )
    assert accepted.json() == {"issues": 1, "closed": 1}
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE


def test_the_poll_brings_the_state_back_when_no_webhook_came(client, two_brands_linked, fake):
    _mine, _secret, my_action, _theirs, _their_secret, their_action = two_brands_linked
    result = poll_tracker_issues.delay().get()
    assert result["checked"] == 2 and result["closed"] == 0
    fake.close_github_issue("other/repo", 1)  # their issue #1, not ours
    assert poll_tracker_issues.delay().get()["closed"] == 1
    my_action.refresh_from_db()
    their_action.refresh_from_db()
    assert (my_action.status, their_action.status) == (ActionStatus.OPEN, ActionStatus.DONE)
    fake.close_github_issue("acme/recs", 1)
    assert poll_tracker_issues.delay().get() == {
        "checked": 1, "closed": 1, "failed": 0, "abandoned": 0
    }  # fmt: skip
    my_action.refresh_from_db()
    assert my_action.status == ActionStatus.DONE
    assert TrackerIssue.objects.get(action=my_action).state == "closed"
    # Closed actions are not asked about again.
    assert poll_tracker_issues.delay().get()["checked"] == 0


def test_the_poll_records_a_failing_tracker_and_carries_on(
    lead_client, brand, project, lead, fake, django_capture_on_commit_callbacks
):
    connection, _, _ = connect(lead_client, brand, fake)
    action = make_action(project, lead)
    issue = request_issue(lead_client, action, connection, django_capture_on_commit_callbacks)
    fake.github_issues.clear()  # deleted there
    result = tracker_services.tracker_issues_poll()
    assert result["failed"] == 1
    issue.refresh_from_db()
    assert "GitHub answered 404" in issue.sync_error
    page = lead_client.get(reverse("project_plan", args=[project.code])).content.decode()
    assert "Last check failed" in page


def test_the_hook_of_an_unknown_connection_is_404(client):
    import uuid

    url = reverse("tracker_hook", args=[uuid.uuid4()])
    assert client.post(url, {}, content_type="application/json").status_code == 404


def test_a_hook_call_that_is_not_json_is_refused_or_ignored(client, two_brands_linked):
    mine, secret, my_action, *_ = two_brands_linked
    url = reverse("tracker_hook", args=[mine.code])
    assert client.post(url, b"not json", content_type="text/plain").status_code == 403
    body = b"not json"
    mac = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    response = client.post(
        url,
        body,
        content_type="text/plain",
        HTTP_X_GITHUB_EVENT="issues",
        HTTP_X_HUB_SIGNATURE_256=mac,
    )
    assert response.json() == {"issues": 0, "closed": 0}
    my_action.refresh_from_db()
    assert my_action.status == ActionStatus.OPEN
