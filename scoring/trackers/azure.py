"""Azure Boards work items through the Azure DevOps REST API, and its service hooks."""

import base64
import hmac
import re
from html import escape
from urllib.parse import quote

from django.utils.translation import gettext as _

from scoring.trackers.base import RemoteIssue, TrackerError, call

NAME = "Azure Boards"
API_VERSION = "7.1"
WORK_ITEM_TYPE = "Task"
# States that count as finished in the Agile, Scrum, Basic and CMMI processes.
CLOSED_STATES = {"done", "closed", "completed"}
SECRET_HEADER = "X-Yardstick-Secret"
_TARGET = re.compile(r"^[^/\s][^/]*/[^/\s][^/]*$")


def target_problem(target: str) -> str | None:
    if not _TARGET.match(target):
        return _("Project: write it as organisation/project, e.g. acme/Recommendations.")
    return None


class AzureBoardsClient:
    def __init__(self, *, api_url: str, target: str, token: str, timeout: float):
        organisation, project = target.split("/", 1)
        self.base = (
            f"{api_url.rstrip('/')}/{quote(organisation)}/{quote(project)}/_apis/wit/workitems"
        )
        self.timeout = timeout
        basic = base64.b64encode(f":{token}".encode()).decode()
        self.headers = {"Authorization": f"Basic {basic}", "User-Agent": "Yardstick"}

    def create_issue(self, *, title: str, body: str, labels: list[str]) -> RemoteIssue:
        fields = {
            "System.Title": title,
            "System.Description": "<p>" + escape(body).replace("\n", "<br>") + "</p>",
            "System.Tags": "; ".join(labels),
        }
        patch = [{"op": "add", "path": f"/fields/{k}", "value": v} for k, v in fields.items()]
        data = call(
            NAME,
            "POST",
            f"{self.base}/${WORK_ITEM_TYPE}?api-version={API_VERSION}",
            timeout=self.timeout,
            headers={**self.headers, "Content-Type": "application/json-patch+json"},
            json=patch,
        )
        return _item(data)

    def issue(self, external_id: str) -> RemoteIssue:
        data = call(
            NAME,
            "GET",
            f"{self.base}/{quote(external_id)}?api-version={API_VERSION}",
            timeout=self.timeout,
            headers=self.headers,
        )
        return _item(data)


def _item(data: dict) -> RemoteIssue:
    try:
        item_id = str(int(data["id"]))
    except (KeyError, TypeError, ValueError):
        raise TrackerError("Azure Boards' answer had no work item id.") from None
    state = str((data.get("fields") or {}).get("System.State", ""))
    url = ((data.get("_links") or {}).get("html") or {}).get("href") or str(data.get("url", ""))
    return RemoteIssue(
        external_id=item_id, url=url, state=state, closed=state.lower() in CLOSED_STATES
    )


def verify_hook(*, secret: str, headers, body: bytes) -> bool:
    """A service hook sends the secret as the password of basic authentication (any user
    name), or in the X-Yardstick-Secret header."""
    if not secret:
        return False
    sent = headers.get(SECRET_HEADER, "")
    auth = headers.get("Authorization", "")
    if auth.startswith("Basic "):
        try:
            sent = base64.b64decode(auth[6:], validate=True).decode().partition(":")[2]
        except (ValueError, UnicodeDecodeError):
            return False
    return hmac.compare_digest(sent.encode(), secret.encode())


def hook_states(*, headers, payload: dict) -> list[tuple[str, str, bool]]:
    if not str(payload.get("eventType", "")).startswith("workitem."):
        return []
    resource = payload.get("resource")
    if not isinstance(resource, dict):
        return []
    item_id = resource.get("workItemId") or resource.get("id")
    state = ((resource.get("revision") or {}).get("fields") or {}).get("System.State")
    if state is None:
        field = (resource.get("fields") or {}).get("System.State")
        state = field.get("newValue") if isinstance(field, dict) else field
    if item_id is None or state is None:
        return []
    return [(str(item_id), str(state), str(state).lower() in CLOSED_STATES)]
