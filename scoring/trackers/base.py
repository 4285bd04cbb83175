"""What every tracker client shares: the answer type, the error, and one guarded request."""

import dataclasses

import requests


@dataclasses.dataclass(frozen=True)
class RemoteIssue:
    external_id: str
    url: str
    state: str
    closed: bool


class TrackerError(Exception):
    """A call to a tracker that did not work, said so that a brand lead can act on it."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message[:480]


def call(name: str, method: str, url: str, *, timeout: float, **kwargs) -> dict:
    """One request; the JSON answer, or TrackerError naming the tracker and what went wrong."""
    try:
        response = requests.request(method, url, timeout=timeout, allow_redirects=False, **kwargs)
    except requests.Timeout:
        raise TrackerError(f"{name} did not answer within {timeout:g} seconds.") from None
    except requests.RequestException as exc:
        raise TrackerError(f"{name} could not be reached ({type(exc).__name__}).") from None
    if response.status_code in (401, 403):
        raise TrackerError(
            f"{name} refused the token ({response.status_code}): check that it is valid and "
            "has the permissions docs/integrations.md lists."
        )
    if response.status_code == 404:
        raise TrackerError(
            f"{name} answered 404: check the repository or project, and the token's access to it."
        )
    if not 200 <= response.status_code < 300:
        raise TrackerError(f"{name} answered {response.status_code}: {_reason(response)}")
    try:
        return response.json()
    except ValueError:
        raise TrackerError(f"{name} answered with something that is not JSON.") from None


def _reason(response) -> str:
    try:
        body = response.json()
    except ValueError:
        return (response.text or "no explanation").strip()[:200]
    if isinstance(body, dict):
        return str(body.get("message") or body.get("error") or body)[:200]
    return str(body)[:200]
