"""A real HTTP server on 127.0.0.1 for the tests of everything that downloads (http,
fetch, discover, import by URL), and the guard that keeps those tests off any other host.
The fixtures `server` and `network_guard` (tests/conftest.py) use them."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

LOOPBACK = "127.0.0.1"


@dataclass
class Reply:
    """One answer of the test server."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    """Seconds to wait before answering (to trip the client's read timeout)."""
    length: int | None | str = "auto"
    """Content-Length to declare: 'auto' (the real length), a number (a lie), or None."""
    trickle: float = 0.0
    """Seconds to wait between 10-byte pieces of the body (a server that trickles)."""
    reason: str | None = None
    """The status line's reason phrase, when not the standard one."""


Handler = Reply | Callable[[dict[str, str]], Reply]


@dataclass
class Seen:
    path: str
    headers: dict[str, str]


class LocalServer:
    """An HTTP/1.0 server in a thread on 127.0.0.1. Each path answers with its queue of
    replies in turn, the last one repeated; a reply may be a function of the request
    headers. Every request is recorded in `seen`."""

    def __init__(self) -> None:
        self.routes: dict[str, list[Handler]] = {}
        self.seen: list[Seen] = []
        self.stopping = threading.Event()
        outer = self

        class _Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                outer.answer(self)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer((LOOPBACK, 0), _Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.02,),
                                       daemon=True)

    def url(self, path: str) -> str:
        return f"http://{LOOPBACK}:{self.httpd.server_address[1]}{path}"

    def route(self, path: str, *replies: Handler) -> str:
        self.routes[path] = list(replies)
        return self.url(path)

    def hits(self, path: str) -> list[Seen]:
        return [s for s in self.seen if s.path == path]

    def answer(self, req: BaseHTTPRequestHandler) -> None:
        headers = dict(req.headers.items())
        self.seen.append(Seen(req.path, headers))
        queue = self.routes.get(req.path) or [Reply(404, b"not found")]
        handler = queue.pop(0) if len(queue) > 1 else queue[0]
        reply = handler(headers) if callable(handler) else handler
        if reply.delay and self.stopping.wait(reply.delay):
            return
        req.send_response(reply.status, reply.reason)
        for name, value in reply.headers.items():
            req.send_header(name, value)
        if reply.length is not None:
            declared = len(reply.body) if reply.length == "auto" else reply.length
            req.send_header("Content-Length", str(declared))
        req.end_headers()
        with contextlib.suppress(OSError):  # the client may hang up first
            if not reply.trickle:
                req.wfile.write(reply.body)
            for i in range(0, len(reply.body) if reply.trickle else 0, 10):
                if self.stopping.wait(reply.trickle):
                    return
                req.wfile.write(reply.body[i:i + 10])
                req.wfile.flush()

    def __enter__(self) -> LocalServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def guard_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let the test reach 127.0.0.1 only: any other host or address fails it at once."""
    real_getaddrinfo, real_connect = socket.getaddrinfo, socket.socket.connect

    def getaddrinfo(host, *args, **kwargs):  # type: ignore[no-untyped-def]
        if host not in (LOOPBACK, LOOPBACK.encode()):
            raise RuntimeError(f"test tried to resolve {host!r}; only {LOOPBACK} is allowed")
        return real_getaddrinfo(host, *args, **kwargs)

    def connect(sock, address):  # type: ignore[no-untyped-def]
        if isinstance(address, tuple) and address[0] != LOOPBACK:
            raise RuntimeError(f"test tried to connect to {address!r}")
        return real_connect(sock, address)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", connect)
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy",
                 "all_proxy"):
        monkeypatch.delenv(name, raising=False)


class Sleeps(list[float]):
    """A stand-in for time.sleep that records the waits instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)
