"""A seeded, fault-injecting HTTP/1.1 proxy on 127.0.0.1 for sync tests.

It sits between real kiosk clients and a real server and, per request (it reads just enough
HTTP/1.1 framing — headers and Content-Length — to find request and response boundaries),
chooses one action from a seeded random generator:

* ``pass``            relay both ways
* ``drop_before``     close the client's connection before the server sees the request
* ``drop_after``      let the server handle (and commit) the request, then close the
                      client's connection without the answer
* ``reset``           like drop_after but with a TCP RST (SO_LINGER 0)
* ``truncate``        relay only part of the answer, then close
* ``delay``           hold the answer for a short while, then relay it

``counts`` records how often each action happened, so a test can show the faults occurred;
``answered`` counts, by path, the requests whose answer came back from the server (so the
server has committed them), and :meth:`FaultProxy.wait_answered` waits for the n-th.
"""

from __future__ import annotations

import contextlib
import random
import socket
import struct
import threading
import time
from collections import Counter

ACTIONS = ("pass", "drop_before", "drop_after", "reset", "truncate", "delay")


def _read_message(sock: socket.socket, buf: bytearray) -> bytes | None:
    """Read one HTTP/1.1 message (headers + Content-Length body) from ``sock``."""
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            return None
        buf += chunk
    head_end = buf.index(b"\r\n\r\n") + 4
    length = 0
    for line in bytes(buf[:head_end]).split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
        elif name.strip().lower() == b"transfer-encoding":
            raise ValueError("chunked messages are not supported by this proxy")
    while len(buf) < head_end + length:
        chunk = sock.recv(65536)
        if not chunk:
            return None
        buf += chunk
    message = bytes(buf[:head_end + length])
    del buf[:head_end + length]
    return message


class FaultProxy:
    """Relay 127.0.0.1:<port> to ``upstream`` with seeded faults on a share of requests."""

    def __init__(self, upstream_port: int, seed: int, fault_rate: float = 0.3,
                 weights: dict[str, float] | None = None, max_delay_s: float = 0.2,
                 rate_bytes_s: float | None = None, one_way_delay_s: float = 0.0) -> None:
        self._upstream = ("127.0.0.1", upstream_port)
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._rate = fault_rate
        self._weights = weights or {a: 1.0 for a in ACTIONS if a != "pass"}
        self._max_delay = max_delay_s
        self.counts: Counter[str] = Counter()
        self.requests: Counter[str] = Counter()  # by path, faulted or not
        self.answered: Counter[str] = Counter()  # by path: the server's answer came back
        self._answer = threading.Condition(self._lock)
        self.errors: list[str] = []  # why relays ended early (a test can show them)
        self.bytes_up = 0    # client -> server, as relayed
        self.bytes_down = 0  # server -> client, as relayed
        # Link shaping (bench/weak_link.py): one shared pipe per direction at rate_bytes_s,
        # and a fixed one-way delay before each message crosses.
        self._link_rate = rate_bytes_s
        self._delay = one_way_delay_s
        self._pipe_free = {"up": 0.0, "down": 0.0}
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def __enter__(self) -> FaultProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._listener.close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_answered(self, path: str, n: int, timeout: float) -> bool:
        """Wait until the server has answered ``n`` requests to ``path``; False on timeout."""
        with self._answer:
            return self._answer.wait_for(lambda: self.answered[path] >= n, timeout)

    def _choose(self) -> str:
        with self._lock:
            if self._rng.random() >= self._rate:
                action = "pass"
            else:
                names = list(self._weights)
                action = self._rng.choices(names, [self._weights[n] for n in names])[0]
            self.counts[action] += 1
            return action

    def _send(self, sock: socket.socket, data: bytes, direction: str) -> None:
        if self._delay:
            time.sleep(self._delay)  # propagation delay of the simulated link
        step = 1024 if self._link_rate else len(data)
        for offset in range(0, len(data), step):
            chunk = data[offset:offset + step]
            if self._link_rate:
                with self._lock:
                    start = max(time.monotonic(), self._pipe_free[direction])
                    self._pipe_free[direction] = start + len(chunk) / self._link_rate
                    done_at = self._pipe_free[direction]
                time.sleep(max(0.0, done_at - time.monotonic()))  # serialisation delay
            sock.sendall(chunk)  # bytes arrive progressively, as on a real slow link
        with self._lock:
            if direction == "up":
                self.bytes_up += len(data)
            else:
                self.bytes_down += len(data)

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
                action = self._choose()
                path = request.split(b" ", 2)[1].split(b"?")[0].decode()
                with self._lock:
                    self.requests[path] += 1
                if action == "drop_before":
                    return
                if upstream is None:
                    upstream = socket.create_connection(self._upstream)
                self._send(upstream, request, "up")
                response = _read_message(upstream, ubuf)
                if response is None:
                    return
                with self._answer:
                    self.answered[path] += 1
                    self._answer.notify_all()
                if action in ("drop_after", "reset"):
                    if action == "reset":
                        client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                          struct.pack("ii", 1, 0))
                    return
                if action == "truncate":
                    client.sendall(response[: max(1, len(response) // 2)])
                    return
                if action == "delay":
                    with self._lock:
                        pause = self._rng.uniform(0, self._max_delay)
                    time.sleep(pause)  # the fault itself, not synchronisation
                self._send(client, response, "down")
        except (OSError, ValueError) as exc:
            self.errors.append(f"{type(exc).__name__}: {exc}")
            return
        finally:
            with contextlib.suppress(OSError):
                client.close()
            if upstream is not None:
                with contextlib.suppress(OSError):
                    upstream.close()
