"""GitHub Issues through its REST API, and the `issues` events of a repository's webhook."""

import hashlib
import hmac
import re
from urllib.parse import quote

from django.utils.translation import gettext as _

from scoring.trackers.base import RemoteIssue, TrackerError, call

NAME = "GitHub"
_TARGET = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")


def target_problem(target: str) -> str | None:
    if not _TARGET.match(target):
        return _("Repository: write it as owner/name, e.g. acme/recommendations.")
    return None


class GitHubClient:
    def __init__(self, *, api_url: str, target: str, token: str, timeout: float):
        owner, repo = target.split("/", 1)
        self.base = f"{api_url.rstrip('/')}/repos/{quote(owner)}/{quote(repo)}/issues"
        self.timeout = timeout
        self.headers = {
            "Authorization": f"Bearer {token}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
            "User-Agent": "Yardstick",
        }

    def create_issue(self, *, title: str, body: str, labels: list[str]) -> RemoteIssue:
        data = call(
            NAME,
            "POST",
            self.base,
            timeout=self.timeout,
            headers=self.headers,
            json={"title": title, "body": body, "labels": labels},
        )
        return _issue(data)

    def issue(self, external_id: str) -> RemoteIssue:
        data = call(
            NAME,
            "GET",
            f"{self.base}/{quote(external_id)}",
            timeout=self.timeout,
            headers=self.headers,
        )
        return _issue(data)


def _issue(data: dict) -> RemoteIssue:
    try:
        number, state = str(int(data["number"])), str(data.get("state", ""))
    except (KeyError, TypeError, ValueError):
        raise TrackerError("GitHub's answer had no issue number.") from None
    return RemoteIssue(
        external_id=number, url=str(data.get("html_url", "")), state=state, closed=state == "closed"
    )


def verify_hook(*, secret: str, headers, body: bytes) -> bool:
    """GitHub signs the body with the webhook's secret: X-Hub-Signature-256: sha256=<hex>."""
    sent = headers.get("X-Hub-Signature-256", "")
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return bool(secret) and hmac.compare_digest(sent.encode(), expected.encode())


def hook_states(*, headers, payload: dict) -> list[tuple[str, str, bool]]:
    if headers.get("X-GitHub-Event") != "issues":
        return []  # "ping" when the webhook is made, and events we do not follow
    issue = payload.get("issue")
    if not isinstance(issue, dict) or "number" not in issue:
        return []
    state = str(issue.get("state", ""))
    return [(str(issue["number"]), state, state == "closed")]
