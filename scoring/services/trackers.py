"""Writes for issue trackers: a brand's connections, an action's issue, the state coming back.

An issue is asked for in a request (a TrackerIssue row, queued) and created by a Celery task
(scoring/tasks.py) that claims the row with a conditional update; a failure is recorded on
the row and shown beside the action, never raised at the person. The state comes back by the
tracker's webhook (tracker_hook_receive) or by the poll Celery beat runs
(tracker_issues_poll); an issue closed there marks its action done here, once.
"""

import datetime
import json
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from brands import audit
from brands.models import AuditAction, Brand, User
from brands.secrets import SecretUnreadable, new_secret, secret_decrypt, secret_encrypt
from brands.selectors import can_manage_brand
from brands.webhooks import outbound_url_problem
from scoring import trackers
from scoring.models import (
    ACTIVE_ACTION_STATUSES,
    DEFAULT_API_URLS,
    ActionStatus,
    ImprovementAction,
    IssueStatus,
    TrackerConnection,
    TrackerIssue,
    TrackerKind,
)
from scoring.services.plans import can_manage_actions

log = logging.getLogger(__name__)

# A creation still "being created" this long after it was asked for lost its task.
LOST_AFTER = datetime.timedelta(minutes=30)
POLL_BATCH = 500


class TrackerProblem(Exception):
    """A refused change: a sentence naming the field, and the HTTP status a view answers with."""

    status = 400

    def __init__(self, message: str, *, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


def _check_manager(user: User, brand: Brand) -> None:
    if not can_manage_brand(user, brand):
        raise TrackerProblem(
            _("Only the brand's leads and group admins manage its issue trackers."), status=403
        )


def _clean(kind: str, api_url: str, target: str, name: str) -> tuple[str, str, str]:
    if kind not in TrackerKind.values:
        raise TrackerProblem(_("Tracker: unknown kind %(kind)s.") % {"kind": repr(kind)})
    api_url = (api_url.strip() or DEFAULT_API_URLS[kind]).rstrip("/")
    problem = outbound_url_problem(api_url)
    if problem:
        raise TrackerProblem(_("API address: %(problem)s.") % {"problem": problem})
    target = target.strip()
    problem = trackers.target_problem(kind, target)
    if problem:
        raise TrackerProblem(problem)
    name = name.strip() or TrackerKind(kind).label
    return api_url, target, name


@transaction.atomic
def tracker_connect(
    *, brand: Brand, user: User, kind: str, name: str, api_url: str, target: str, token: str
) -> tuple[TrackerConnection, str]:
    """A new connection. Returns it and the incoming-webhook secret, in clear, shown once."""
    _check_manager(user, brand)
    api_url, target, name = _clean(kind, api_url, target, name)
    if not token.strip():
        raise TrackerProblem(_("Token: enter the token Yardstick creates issues with."))
    secret = new_secret()
    connection = TrackerConnection.objects.create(
        brand=brand,
        kind=kind,
        name=name,
        api_url=api_url,
        target=target,
        token_encrypted=secret_encrypt(token.strip()),
        hook_secret_encrypted=secret_encrypt(secret),
        created_by=user,
    )
    audit.record(AuditAction.TRACKER_CONNECTED, actor=user, target=connection, kind=kind)
    return connection, secret


@transaction.atomic
def tracker_update(
    *, connection: TrackerConnection, user: User, name: str, api_url: str, target: str, token: str
) -> TrackerConnection:
    """Change a connection; an empty `token` keeps the stored one."""
    _check_manager(user, connection.brand)
    api_url, target, name = _clean(connection.kind, api_url, target, name)
    fields = {"name": name, "api_url": api_url, "target": target, "updated_at": timezone.now()}
    if token.strip():
        fields["token_encrypted"] = secret_encrypt(token.strip())
    TrackerConnection.objects.filter(pk=connection.pk).update(**fields)
    connection.refresh_from_db()
    audit.record(
        AuditAction.TRACKER_CHANGED,
        actor=user,
        target=connection,
        what="settings and token" if token.strip() else "settings",
    )
    return connection


@transaction.atomic
def tracker_secret_replace(*, connection: TrackerConnection, user: User) -> str:
    """A new secret for the tracker's webhook, returned in clear to be shown once."""
    _check_manager(user, connection.brand)
    secret = new_secret()
    TrackerConnection.objects.filter(pk=connection.pk).update(
        hook_secret_encrypted=secret_encrypt(secret), updated_at=timezone.now()
    )
    audit.record(AuditAction.TRACKER_CHANGED, actor=user, target=connection, what="new secret")
    return secret


@transaction.atomic
def tracker_disconnect(*, connection: TrackerConnection, user: User) -> None:
    """Forget a connection and the links of its issues (the actions stay)."""
    _check_manager(user, connection.brand)
    audit.record(AuditAction.TRACKER_REMOVED, actor=user, target=connection)
    TrackerConnection.objects.filter(pk=connection.pk).delete()


# --------------------------------------------------------------------------- issues


@transaction.atomic
def issue_request(
    *, action: ImprovementAction, user: User, connection: TrackerConnection
) -> TrackerIssue:
    """Ask for the action's issue in `connection`'s tracker; a task creates it after commit."""
    if not can_manage_actions(user, action.project):
        raise TrackerProblem(
            _("Only the brand's leads and group assessors send actions to a tracker."), status=403
        )
    if connection.brand_id != action.project.brand_id:
        raise TrackerProblem(_("That tracker is not one of the project's brand."), status=404)
    if action.status not in ACTIVE_ACTION_STATUSES:
        raise TrackerProblem(_("The action is closed; reopen it before sending it to a tracker."))
    existing = TrackerIssue.objects.select_for_update().filter(action=action).first()
    now = timezone.now()
    if existing is not None and existing.status != IssueStatus.FAILED:
        raise TrackerProblem(_("This action already has an issue in a tracker."), status=409)
    fields = {
        "connection": connection,
        "status": IssueStatus.QUEUED,
        "error": "",
        "requested_by": user,
        "requested_at": now,
    }
    if existing is None:
        issue = TrackerIssue.objects.create(action=action, **fields)
    else:
        for field, value in fields.items():
            setattr(existing, field, value)
        existing.save()
        issue = existing
    transaction.on_commit(lambda: issue_enqueue(issue.pk))
    return issue


def issue_enqueue(issue_id: int) -> None:
    from scoring.tasks import create_tracker_issue

    try:
        create_tracker_issue.apply_async(
            args=[issue_id],
            retry=True,
            retry_policy={"max_retries": 1, "interval_start": 0, "interval_step": 0.2},
        )
    except Exception:
        log.exception("tracker issue %s: could not queue its task", issue_id)
        TrackerIssue.objects.filter(id=issue_id, status=IssueStatus.QUEUED).update(
            status=IssueStatus.FAILED,
            error="The background workers cannot be reached just now; try again in a while.",
        )


def _issue_text(action: ImprovementAction) -> tuple[str, str, list[str]]:
    plan = reverse("project_plan", kwargs={"code": action.project.code})
    lines = [f"Statement: {action.question_text}", ""]
    if action.note:
        lines += [action.note, ""]
    if action.owner_id:
        lines.append(f"Owner in Yardstick: {action.owner}")
    if action.due_on:
        lines.append(f"Due: {action.due_on.isoformat()}")
    lines.append(
        f"Improvement action of {action.project.name} in Yardstick: "
        f"{settings.SITE_URL}{plan}#action-{action.code}"
    )
    return action.title, "\n".join(lines), ["yardstick", action.question_key]


def _client(connection: TrackerConnection):
    return trackers.client_for(
        connection.kind,
        api_url=connection.api_url,
        target=connection.target,
        token=secret_decrypt(connection.token_encrypted),
        timeout=settings.TRACKER_TIMEOUT,
    )


def issue_create(*, issue_id: int) -> str | None:
    """Create the issue in the tracker and keep its id and link; the task's body. Returns the
    status recorded, or None when the row was not this call's to work on."""
    claimed = TrackerIssue.objects.filter(id=issue_id, status=IssueStatus.QUEUED).update(
        status=IssueStatus.CREATING, attempts=F("attempts") + 1
    )
    if not claimed:
        return None
    issue = TrackerIssue.objects.select_related(
        "connection", "action__project", "action__owner"
    ).get(id=issue_id)
    mine = TrackerIssue.objects.filter(
        id=issue_id, status=IssueStatus.CREATING, attempts=issue.attempts
    )
    try:
        problem = outbound_url_problem(issue.connection.api_url, resolve=True)
        if problem:
            # Kept on the row in English, like the trackers' own answers (issue_create's
            # other failures).
            with translation.override("en"):
                raise trackers.TrackerError(f"The tracker's API address {problem}.")
        title, body, labels = _issue_text(issue.action)
        remote = _client(issue.connection).create_issue(title=title, body=body, labels=labels)
    except (trackers.TrackerError, SecretUnreadable) as exc:
        message = getattr(exc, "message", str(exc))
        log.warning("tracker issue %s: not created: %s", issue_id, message)
        mine.update(status=IssueStatus.FAILED, error=message[:500])
        return IssueStatus.FAILED
    mine.update(
        status=IssueStatus.LINKED,
        external_id=remote.external_id,
        url=remote.url[:500],
        state=remote.state[:40],
        synced_at=timezone.now(),
        error="",
    )
    if remote.closed:
        _close_action(issue, remote.state)
    return IssueStatus.LINKED


def _close_action(issue: TrackerIssue, state: str) -> bool:
    """Mark the issue's action done, if it is still open. True when this call closed it."""
    now = timezone.now()
    label = issue.connection.get_kind_display()
    reason = f"Closed in {label} ({issue.external_id}, {state})"[:200]
    return bool(
        ImprovementAction.objects.filter(
            pk=issue.action_id, status__in=ACTIVE_ACTION_STATUSES
        ).update(status=ActionStatus.DONE, closed_at=now, updated_at=now, closed_reason=reason)
    )


def _record_state(issue: TrackerIssue, state: str, closed: bool) -> bool:
    TrackerIssue.objects.filter(pk=issue.pk).update(
        state=state[:40], synced_at=timezone.now(), sync_error=""
    )
    return _close_action(issue, state) if closed else False


def tracker_hook_receive(*, connection: TrackerConnection, headers, body: bytes) -> dict | None:
    """An incoming webhook call of `connection`'s tracker. None when its signature or secret
    is wrong (nothing changes); else what it did. Only this connection's issues are read, so
    a call can never reach another brand's actions."""
    try:
        secret = secret_decrypt(connection.hook_secret_encrypted)
    except SecretUnreadable:
        return None
    if not trackers.verify_hook(connection.kind, secret=secret, headers=headers, body=body):
        return None
    try:
        payload = json.loads(body or b"{}")
    except ValueError:
        payload = {}
    if not isinstance(payload, dict):
        payload = {}
    closed = seen = 0
    for external_id, state, is_closed in trackers.hook_states(
        connection.kind, headers=headers, payload=payload
    ):
        with transaction.atomic():
            issue = (
                TrackerIssue.objects.select_related("connection")
                .filter(connection=connection, external_id=external_id, status=IssueStatus.LINKED)
                .first()
            )
            if issue is None:
                continue
            seen += 1
            closed += _record_state(issue, state, is_closed)
    return {"issues": seen, "closed": closed}


def tracker_issues_poll() -> dict:
    """Ask the trackers for the state of the linked issues whose actions are open (the fallback
    for a webhook not set up or lost), and give up on creations whose task was lost."""
    lost = timezone.now() - LOST_AFTER
    abandoned = TrackerIssue.objects.filter(
        status__in=(IssueStatus.QUEUED, IssueStatus.CREATING), requested_at__lt=lost
    ).update(
        status=IssueStatus.FAILED,
        error="Creating the issue was interrupted; check the tracker before trying again.",
    )
    issues = (
        TrackerIssue.objects.filter(
            status=IssueStatus.LINKED, action__status__in=ACTIVE_ACTION_STATUSES
        )
        .select_related("connection")
        .order_by(F("synced_at").asc(nulls_first=True), "pk")[:POLL_BATCH]
    )
    clients: dict[int, object] = {}
    checked = closed = failed = 0
    for issue in issues:
        try:
            if issue.connection_id not in clients:
                clients[issue.connection_id] = _client(issue.connection)
            remote = clients[issue.connection_id].issue(issue.external_id)
        except (trackers.TrackerError, SecretUnreadable) as exc:
            failed += 1
            TrackerIssue.objects.filter(pk=issue.pk).update(
                sync_error=getattr(exc, "message", str(exc))[:500], synced_at=timezone.now()
            )
            continue
        checked += 1
        closed += _record_state(issue, remote.state, remote.closed)
    return {"checked": checked, "closed": closed, "failed": failed, "abandoned": abandoned}
