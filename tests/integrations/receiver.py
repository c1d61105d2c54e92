"""A real webhook receiver on loopback whose behaviour a test switches: answer, fail, hang or redirect."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    answered: int


@dataclass
class Receiver:
    url: str
    mode: str = "ok"
    hang_seconds: float = 1.0
    # webhook-ids answered 503 whatever the mode
    failing_ids: set[str] = field(default_factory=set)
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


@contextmanager
def running_receiver() -> Iterator[Receiver]:
    receiver = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            mode = receiver.mode
            status = {"ok": 200, "fail": 503, "redirect": 302, "hang": 200}[mode]
            if self.headers.get("webhook-id") in receiver.failing_ids:
                status = 503
            if mode == "hang":
                time.sleep(receiver.hang_seconds)
            with receiver.lock:
                receiver.received.append(Received(dict(self.headers.items()), body, status))
            self.send_response(status)
            if mode == "redirect":
                self.send_header("Location", receiver.url + "/elsewhere")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
