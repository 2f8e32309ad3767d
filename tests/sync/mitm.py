"""A man in the middle on 127.0.0.1: relays a real kiosk's HTTP/1.1 to a real county server
and lets a test read, rewrite, answer or replay what passes, as an attacker on the link
(a hotel Wi-Fi, a compromised router) would.

* ``forge(exchange)`` may answer a request itself (the server never sees it);
* ``rewrite(exchange, answer)`` may replace the server's JSON answer before the kiosk sees it;
* ``seen`` keeps every exchange (request and decoded answer), so a later test step can replay
  an old answer or one meant for another kiosk.

It reads HTTP/1.1 framing with ``faultproxy._read_message`` (headers and Content-Length) and
undoes the server's gzip, so rewritten answers go back as plain JSON.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.sync.faultproxy import _read_message

Answer = tuple[int, dict[str, Any]]


@dataclass
class Exchange:
    """One request through the relay and, once the server (or the relay) answered, the
    answer."""

    method: str
    path: str
    query: str
    device: str
    status: int = 0
    answer: Any = None
    forged: bool = False
    rewritten: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def _split(message: bytes) -> tuple[list[bytes], bytes]:
    head, _, body = message.partition(b"\r\n\r\n")
    return head.split(b"\r\n"), body


def _header(lines: list[bytes], name: bytes) -> str:
    for line in lines[1:]:
        key, _, value = line.partition(b":")
        if key.strip().lower() == name:
            return value.strip().decode("latin-1")
    return ""


def _response(status: int, answer: Any) -> bytes:
    body = json.dumps(answer, ensure_ascii=False).encode("utf-8")
    return (f"HTTP/1.1 {status} OK\r\ncontent-type: application/json\r\n"
            f"content-length: {len(body)}\r\n\r\n").encode("ascii") + body


class Relay:
    """Listen on 127.0.0.1:<port>; relay to the server on ``upstream_port``."""

    def __init__(self, upstream_port: int) -> None:
        self._upstream = ("127.0.0.1", upstream_port)
        self.forge: Callable[[Exchange], Answer | None] = lambda ex: None
        self.rewrite: Callable[[Exchange, Any], Any] = lambda ex, answer: answer
        self.seen: list[Exchange] = []
        self.errors: list[str] = []
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Relay:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._listener.close()

    def answers(self, path: str, device: str | None = None) -> list[Exchange]:
        """The exchanges to ``path`` (from ``device``) that the server answered, in order."""
        with self._lock:
            return [e for e in self.seen if e.path == path and not e.forged
                    and (device is None or e.device == device)]

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        upstream: socket.socket | None = None
        cbuf, ubuf = bytearray(), bytearray()
        try:
            while True:
                request = _read_message(client, cbuf)
                if request is None:
                    return
                lines, _ = _split(request)
                method, target, _ = lines[0].decode("latin-1").split(" ", 2)
                path, _, query = target.partition("?")
                ex = Exchange(method, path, query, _header(lines, b"x-yizhan-device"))
                with self._lock:
                    self.seen.append(ex)
                forged = self.forge(ex)
                if forged is not None:
                    ex.status, ex.answer, ex.forged = forged[0], forged[1], True
                    client.sendall(_response(*forged))
                    continue
                if upstream is None:
                    upstream = socket.create_connection(self._upstream)
                upstream.sendall(request)
                response = _read_message(upstream, ubuf)
                if response is None:
                    return
                client.sendall(self._relay_answer(ex, response))
        except (OSError, ValueError) as exc:
            self.errors.append(f"{type(exc).__name__}: {exc}")
        finally:
            with contextlib.suppress(OSError):
                client.close()
            if upstream is not None:
                with contextlib.suppress(OSError):
                    upstream.close()

    def _relay_answer(self, ex: Exchange, response: bytes) -> bytes:
        lines, body = _split(response)
        ex.status = int(lines[0].split(b" ")[1])
        if not _header(lines, b"content-type").startswith("application/json"):
            return response
        if _header(lines, b"content-encoding") == "gzip":
            body = gzip.decompress(body)
        ex.answer = json.loads(body)
        changed = self.rewrite(ex, json.loads(body))
        if changed == ex.answer:
            return _response(ex.status, ex.answer)
        ex.rewritten = True
        return _response(ex.status, changed)
