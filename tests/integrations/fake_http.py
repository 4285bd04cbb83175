"""A local HTTP server that plays GitHub's and Azure Boards' REST APIs and a webhook receiver.

It runs in a thread of the test process on 127.0.0.1 (never the internet), records every
request it gets, and answers from its small in-memory state; a worker process of our own can
reach it too.
"""

import dataclasses
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclasses.dataclass
class Seen:
    method: str
    path: str
    headers: dict
    body: bytes

    def json(self):
        return json.loads(self.body)


class FakeServices:
    """The state behind the fake APIs; tests change it to play a tracker or a receiver."""

    def __init__(self):
        self.requests: list[Seen] = []
        self.github_issues: dict[tuple[str, int], dict] = {}  # (owner/repo, number)
        self.azure_items: dict[int, dict] = {}
        self.receiver_statuses: list[int] = []  # answers of the webhook receiver, in turn
        self.lock = threading.Lock()
        self.url = ""

    # --- what the tests see
    def seen(self, method: str, path_start: str) -> list[Seen]:
        with self.lock:
            return [
                r for r in self.requests if r.method == method and r.path.startswith(path_start)
            ]

    def close_github_issue(self, repo: str, number: int) -> None:
        self.github_issues[(repo, number)]["state"] = "closed"

    def set_azure_state(self, item_id: int, state: str) -> None:
        self.azure_items[item_id]["fields"]["System.State"] = state

    # --- the answers
    def answer(self, seen: Seen) -> tuple[int, object]:
        path = seen.path.split("?", 1)[0]
        github = re.fullmatch(r"/repos/([^/]+)/([^/]+)/issues(?:/(\d+))?", path)
        if github:
            return self._github(seen, github)
        azure = re.fullmatch(r"/([^/]+)/([^/]+)/_apis/wit/workitems/(\$Task|\d+)", path)
        if azure:
            return self._azure(seen, azure)
        if path.startswith("/receiver"):
            status = self.receiver_statuses.pop(0) if self.receiver_statuses else 200
            return status, {"received": status < 300}
        return 404, {"message": "Not Found"}

    def _github(self, seen: Seen, match) -> tuple[int, object]:
        if seen.headers.get("Authorization") != "Bearer gh-token-123":
            return 401, {"message": "Bad credentials"}
        owner, repo, number = match.groups()
        if seen.method == "POST" and number is None:
            body = seen.json()
            new = 1 + sum(1 for r, _ in self.github_issues if r == f"{owner}/{repo}")
            self.github_issues[(f"{owner}/{repo}", new)] = {
                "number": new,
                "title": body["title"],
                "body": body["body"],
                "labels": body.get("labels", []),
                "state": "open",
                "html_url": f"{self.url}/{owner}/{repo}/issues/{new}",
            }
            return 201, self.github_issues[(f"{owner}/{repo}", new)]
        key = (f"{owner}/{repo}", int(number or 0))
        if seen.method == "GET" and key in self.github_issues:
            return 200, self.github_issues[key]
        return 404, {"message": "Not Found"}

    def _azure(self, seen: Seen, match) -> tuple[int, object]:
        if seen.headers.get("Authorization") != "Basic OmF6LXRva2VuLTQ1Ng==":  # ":az-token-456"
            return 401, {"message": "Unauthorized"}
        org, project, which = match.groups()
        if seen.method == "POST" and which == "$Task":
            if seen.headers.get("Content-Type") != "application/json-patch+json":
                return 415, {"message": "wrong content type"}
            fields = {op["path"].removeprefix("/fields/"): op["value"] for op in seen.json()}
            new = 100 + len(self.azure_items)
            self.azure_items[new] = {
                "id": new,
                "fields": {**fields, "System.State": "To Do"},
                "_links": {"html": {"href": f"{self.url}/{org}/{project}/_workitems/edit/{new}"}},
            }
            return 200, self.azure_items[new]
        if seen.method == "GET" and which.isdigit() and int(which) in self.azure_items:
            return 200, self.azure_items[int(which)]
        return 404, {"message": "Not Found"}


def serve(services: FakeServices) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def _handle(self):
            length = int(self.headers.get("Content-Length") or 0)
            seen = Seen(
                self.command, self.path, dict(self.headers.items()), self.rfile.read(length)
            )
            with services.lock:
                services.requests.append(seen)
                status, body = services.answer(seen)
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PATCH = _handle

        def log_message(self, *args):  # quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    services.url = f"http://127.0.0.1:{server.server_address[1]}"
    # A short poll: `shutdown()` waits for the loop's next look (half a second by default).
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
    ).start()
    return server
