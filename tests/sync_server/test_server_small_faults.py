"""Small faults an attacker or a careless operator finds (issue 9, part 6), against a real
``yizhan-server serve`` process (and its command line):

* an integer of 5,000 digits in a push body answers 400 ``malformed_json`` (was 500 text and
  a reset connection); malformed JSON on ``/v1/enroll`` and ``/v1/status`` answers 400
  ``malformed_json`` (was 422 ``invalid_body`` / 400 ``http_error``);
* a connection that never finishes its request head is closed after ``--head-timeout``;
* ``/metrics``, ``/docs``, ``/redoc`` and ``/openapi.json`` answer 403 ``admin_only`` to a
  client outside ``--admin-from`` (default: this machine), while ``/v1`` still answers;
* ``enroll-token --ttl-hours`` out of 1..720 is refused with a message, not a traceback.
"""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path

import httpx
import pytest

from shared.clock import SystemClock
from tests.sync_server.server_kit import ServerProcess, TestKiosk, server_cli

HUGE = b"9" * 5000  # past Python's int_max_str_digits (4300)


def _problem(r: httpx.Response, status: int, code: str) -> None:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["code"] == code


def test_huge_integers_and_malformed_json_are_problems(county: Path,
                                                       server: ServerProcess) -> None:
    token = json.loads(server_cli("enroll-token", "--station", "S001", "--data", str(county),
                                  "--json").stdout)["token"]
    kiosk = TestKiosk(SystemClock())
    with httpx.Client(base_url=server.url) as http:
        kiosk.enroll(http, token)
        body = b'{"envelopes": [], "seq": ' + HUGE + b"}"
        headers = {"Content-Type": "application/json",
                   **kiosk.signed("POST", "/v1/push", body)}
        _problem(http.post("/v1/push", content=body, headers=headers), 400, "malformed_json")
        for path in ("/v1/enroll", "/v1/status"):
            for bad in (b"{", b'{"code": "A", "pin": ', b"\xff\xfe{}",
                        b'{"token": ' + HUGE + b"}"):
                r = http.post(path, content=bad, headers={"Content-Type": "application/json"})
                _problem(r, 400, "malformed_json")
            # JSON of the wrong shape is still 422 invalid_body, naming the field
            _problem(http.post(path, json=[1]), 422, "invalid_body")
        assert http.get("/v1/health").status_code == 200  # the connection was not reset
    assert "Traceback" not in server.output()


def _closed_within(sock: socket.socket, limit_s: float) -> float:
    """Seconds until the server closes ``sock`` (recv returns b""); fails after limit_s."""
    started = time.monotonic()
    sock.settimeout(limit_s)
    try:
        while sock.recv(4096):
            pass
    except TimeoutError:
        pytest.fail(f"the server kept the connection open for {limit_s} s")
    return time.monotonic() - started


def test_a_connection_that_never_finishes_its_head_is_closed(county: Path) -> None:
    with ServerProcess(county, args=("--head-timeout", "1")) as server:
        partial = socket.create_connection(("127.0.0.1", server.port))
        silent = socket.create_connection(("127.0.0.1", server.port))
        with partial, silent:
            partial.sendall(b"GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            assert _closed_within(partial, 10) < 5
            assert _closed_within(silent, 10) < 5
        # a keep-alive client that starts a second head and stalls is closed too
        with socket.create_connection(("127.0.0.1", server.port)) as sock:
            sock.sendall(b"GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n")
            sock.settimeout(10)
            assert sock.recv(4096).startswith(b"HTTP/1.1 200")
            sock.sendall(b"GET /v1/health HTTP/1.1\r\n")
            assert _closed_within(sock, 10) < 5
        assert httpx.get(server.url + "/v1/health").status_code == 200


def _outside_address() -> str:
    """This machine's address on its network (not loopback), as other clients reach it."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(("192.0.2.123", 9))  # UDP connect sends nothing; picks the route
        address = str(probe.getsockname()[0])
    assert not address.startswith("127."), "this machine has no non-loopback address"
    return address


ADMIN = ("/metrics", "/docs", "/redoc", "/openapi.json")


def test_operator_pages_answer_only_to_admin_addresses(county: Path) -> None:
    outside = _outside_address()
    with ServerProcess(county, args=("--host", "0.0.0.0")) as server:  # noqa: S104
        for path in ADMIN:
            assert httpx.get(f"http://127.0.0.1:{server.port}{path}").status_code == 200
            _problem(httpx.get(f"http://{outside}:{server.port}{path}"), 403, "admin_only")
        assert httpx.get(f"http://{outside}:{server.port}/v1/health").status_code == 200
    with ServerProcess(county, args=("--host", "0.0.0.0",  # noqa: S104
                                     "--admin-from", f"{outside}/32")) as server:
        for path in ADMIN:
            assert httpx.get(f"http://{outside}:{server.port}{path}").status_code == 200


@pytest.mark.parametrize("hours", ["0", "-5", "721", "1000000000"])
def test_enroll_token_ttl_is_bounded(county: Path, hours: str) -> None:
    done = server_cli("enroll-token", "--station", "S001", "--data", str(county),
                      "--ttl-hours", hours, check=False)
    assert done.returncode == 1
    assert "--ttl-hours" in done.stderr
    assert "1..720" in done.stderr
    assert "Traceback" not in done.stderr
