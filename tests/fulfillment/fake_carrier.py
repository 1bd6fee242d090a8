"""A fake carrier HTTP API on 127.0.0.1 (an ephemeral port) for adapter and polling tests."""

from __future__ import annotations

import json
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeCarrier:
    def __init__(self) -> None:
        self.events: dict[str, list[dict]] = {}
        self.requests: list[tuple[str, str, dict, dict]] = []  # method, path, headers, body
        self.next_number = 1
        self.fail_with: int | None = None
        self.url = ""


@contextmanager
def fake_carrier_server():
    state = FakeCarrier()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # keep test output quiet
            pass

        def _answer(self, status: int, payload: dict) -> None:
            body = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):  # noqa: N802 - http.server naming
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            state.requests.append(("POST", self.path, dict(self.headers), body))
            if state.fail_with:
                return self._answer(state.fail_with, {"error": "down"})
            if self.path == "/labels":
                number = f"FAKE{state.next_number:08d}"
                state.next_number += 1
                return self._answer(200, {"tracking_number": number})
            return self._answer(404, {})

        def do_GET(self):  # noqa: N802
            state.requests.append(("GET", self.path, dict(self.headers), {}))
            if state.fail_with:
                return self._answer(state.fail_with, {"error": "down"})
            if self.path.startswith("/tracking/"):
                number = self.path.rsplit("/", 1)[1]
                return self._answer(200, {"events": state.events.get(number, [])})
            return self._answer(404, {})

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
