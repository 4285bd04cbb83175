"""Clients for the issue trackers improvement actions are sent to: GitHub Issues, Azure Boards.

No Django models here: a client takes an address, a target and a token, talks REST with a
timeout, and answers with RemoteIssue or raises TrackerError (a sentence for a person).
Incoming webhooks are checked and read by `verify_hook` and `hook_states`.
"""

from scoring.trackers import azure, github
from scoring.trackers.base import RemoteIssue, TrackerError

CLIENTS = {"github": github.GitHubClient, "azure": azure.AzureBoardsClient}
HOOKS = {"github": github, "azure": azure}


def client_for(kind: str, *, api_url: str, target: str, token: str, timeout: float):
    return CLIENTS[kind](api_url=api_url, target=target, token=token, timeout=timeout)


def verify_hook(kind: str, *, secret: str, headers, body: bytes) -> bool:
    """Whether an incoming webhook call carries the connection's secret (signature or password)."""
    return HOOKS[kind].verify_hook(secret=secret, headers=headers, body=body)


def hook_states(kind: str, *, headers, payload: dict) -> list[tuple[str, str, bool]]:
    """(issue id, state, closed) for each issue an incoming webhook call reports on."""
    return HOOKS[kind].hook_states(headers=headers, payload=payload)


def target_problem(kind: str, target: str) -> str | None:
    return HOOKS[kind].target_problem(target)


__all__ = ["RemoteIssue", "TrackerError", "client_for", "hook_states", "verify_hook"]
