"""Helpers for the sync-server tests: a scripted kiosk, records, PostgreSQL schemas.

* ``TestKiosk``: a device that makes real intake payloads (``shared.intake``), seals and chains
  them (``shared.envelope``), and signs requests (``shared.auth``) — the kiosk side of the
  protocol, independent of the kiosk package, so the server is tested against the documented
  wire format. It talks through any ``httpx.Client`` (a TestClient or a real socket).
* ``complaint`` / ``jobseeker``: valid records; ``person(n)`` a valid ID number per n.
* ``pg_url`` / ``fresh_pg_schema``: a PostgreSQL URL bound to a schema of its own.
"""

from __future__ import annotations

import base64
import gzip
import json
import os
import secrets
import signal
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from stdnum.cn import ric, uscc

from shared.auth import sign_request
from shared.bundle import RecordBundle, write_record_bundle
from shared.clock import Clock, format_utc
from shared.envelope import GENESIS, Envelope, EnvelopeHeader, seal
from shared.hlc import HybridClock
from shared.ids import new_record_id
from shared.intake import IntakePayload
from shared.keys import Recipient, b64u, device_id_of, raw_public
from shared.receipt import new_code, new_pin, pin_verifier
from shared.records import parse_record

PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def person(n: int) -> str:
    """A valid resident ID number, different for each n."""
    first17 = f"110105199001{(n // 28) % 12 + 1:02d}"[:12] + f"{n % 28 + 1:02d}{n % 1000:03d}"
    return first17 + ric.calc_check_digit(first17 + "0")


def employer_uscc(n: int) -> str:
    first17 = f"91350100M{n:08d}"
    return first17 + uscc.calc_check_digit(first17 + "0")


def complaint(n: int = 0, employer: int = 0, **over: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "matter_type": "wage_arrears",
        "claimant": {"name": "张三", "id_number": person(n), "phone": "13800138000"},
        "employer": {"name": f"某某建筑劳务有限公司{employer}", "uscc": employer_uscc(employer)},
        "amount_claimed_fen": 1_250_000 + n, "coworkers_affected": 12,
        "description": f"拖欠三个月工资，第{n}号。", "preferred_handling": "mediation",
        "consent": True}
    record.update(over)
    return record


def jobseeker(n: int = 0) -> dict[str, Any]:
    return {"name": "李四", "id_number": person(n), "phone": "13900139000",
            "skills": ["电工"], "wanted_jobs": ["装修"], "availability": "weekdays",
            "area": "曾都区", "employment": "gig"}


class TestKiosk:
    """One scripted device: enrolls, files records into its own chain, pushes, pulls."""

    __test__ = False  # not a pytest class

    def __init__(self, clock: Clock, station: str = "S001") -> None:
        self.key = Ed25519PrivateKey.generate()
        self.device_id = device_id_of(self.key.public_key())
        self.station = station
        self.clock = clock
        self.hlc = HybridClock(self.device_id, clock)
        self.seq, self.prev = 0, GENESIS
        self.recipients: list[Recipient] = []
        self.county: dict[str, Any] = {}
        self.receipts: dict[str, tuple[str, str]] = {}  # record id -> (code, pin)

    @property
    def public_key(self) -> str:
        return b64u(raw_public(self.key.public_key()))

    def enroll(self, http: httpx.Client, token: str) -> dict[str, Any]:
        r = http.post("/v1/enroll", json={"token": token, "device_public_key": self.public_key,
                                          "station": self.station})
        assert r.status_code == 201, r.text
        answer: dict[str, Any] = r.json()
        self.recipients = [Recipient.from_wire(answer["county"]["keys"][-1])]
        self.county = answer["county"]
        return answer

    def payload(self, kind: str, record: dict[str, Any]) -> IntakePayload:
        code, pin = new_code(), new_pin()
        return IntakePayload(kind, parse_record(kind, record), code, pin_verifier(code, pin),
                             format_utc(self.clock.now()), self.station)

    def seal(self, payload: dict[str, Any], kind: str = "complaint", *,
             seq: int | None = None, prev: str | None = None, record_id: str | None = None,
             station: str | None = None, advance: bool = True,
             hlc: str | None = None) -> Envelope:
        header = EnvelopeHeader(kind=kind, id=record_id or new_record_id(self.clock),
                                device=self.device_id, station=station or self.station,
                                seq=self.seq + 1 if seq is None else seq,
                                prev=self.prev if prev is None else prev,
                                created=format_utc(self.clock.now()),
                                hlc=hlc or str(self.hlc.now()),
                                to=tuple(r.kid for r in self.recipients))
        env = seal(payload, header, self.recipients, self.key)
        if advance:
            self.seq, self.prev = header.seq, env.hash
        return env

    def file(self, kind: str = "complaint", record: dict[str, Any] | None = None) -> Envelope:
        """Seal a valid record as the next link of the chain; remembers its code and PIN."""
        record = record or (complaint() if kind == "complaint" else jobseeker())
        code, pin = new_code(), new_pin()
        p = IntakePayload(kind, parse_record(kind, record), code, pin_verifier(code, pin),
                          format_utc(self.clock.now()), self.station)
        env = self.seal(p.to_wire(), kind)
        self.receipts[env.header.id] = (code, pin)
        return env

    def signed(self, method: str, target: str, body: bytes = b"") -> dict[str, str]:
        return sign_request(method, target, body, self.device_id, self.key, self.clock)

    def push(self, http: httpx.Client, envelopes: list[Envelope] | list[bytes], *,
             gzip_body: bool = True) -> httpx.Response:
        raws = [e.raw if isinstance(e, Envelope) else e for e in envelopes]
        body = json.dumps({"envelopes": [b64u(r) for r in raws]}).encode()
        headers = {"Content-Type": "application/json"}
        if gzip_body:
            body = gzip.compress(body, mtime=0)
            headers["Content-Encoding"] = "gzip"
        headers.update(self.signed("POST", "/v1/push", body))
        return http.post("/v1/push", content=body, headers=headers)

    def bundle(self, envelopes: list[Envelope]) -> bytes:
        """A signed USB record bundle of these envelopes, as ``yizhan-kiosk export-bundle``
        writes one."""
        return write_record_bundle(RecordBundle(self.device_id, self.station,
                                                format_utc(self.clock.now()),
                                                tuple(e.raw for e in envelopes)), self.key)

    def changes(self, http: httpx.Client, cursor: str = "", limit: int = 100) -> httpx.Response:
        target = f"/v1/changes?cursor={cursor}&limit={limit}"
        return http.get(target, headers=self.signed("GET", target))


class ServerThread:
    """A real uvicorn serving ``app`` on 127.0.0.1 (free port) in a thread of this process,
    so tests can share a ManualClock with it. Use as a context manager."""

    def __init__(self, app: Any) -> None:
        import uvicorn

        self.config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning",
                                     access_log=False, lifespan="on",
                                     proxy_headers=False)  # as `yizhan-server serve`
        self.server = uvicorn.Server(self.config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start (see the log above)")
            time.sleep(0.01)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def listens(pid: int, port: int) -> bool:
    """Whether process ``pid`` holds a TCP socket listening on ``port`` (Linux ``/proc``)."""
    inodes = set()
    try:
        fds = list(Path(f"/proc/{pid}/fd").iterdir())
    except OSError:
        return False
    for fd in fds:
        try:
            link = os.readlink(fd)
        except OSError:
            continue
        if link.startswith("socket:["):
            inodes.add(link[len("socket:["):-1])
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            f = row.split()
            if f[3] == "0A" and int(f[1].rsplit(":", 1)[1], 16) == port and f[9] in inodes:
                return True  # state 0A: LISTEN
    return False


class ServerProcess:
    """``yizhan-server serve`` as a real subprocess on 127.0.0.1 (free port)."""

    def __init__(self, data: Path, db_url: str | None = None,
                 args: tuple[str, ...] = ()) -> None:
        self.data, self.db_url, self.args = data, db_url, args
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.log: Any = None

    def start(self) -> ServerProcess:
        """Start it and wait until it answers. ``free_port`` can race with another test
        process taking the same port: then this server cannot bind (it exits) while the
        other one answers the health check, so the answer only counts once this process
        holds the listening socket, and a server that lost the port starts again on
        another."""
        for _ in range(3):
            if self._start_once():
                return self
            self.port = free_port()
            self.url = f"http://127.0.0.1:{self.port}"
        raise RuntimeError("server could not bind a free port three times: " + self.output())

    def _start_once(self) -> bool:
        cmd = ["yizhan-server", "serve", "--data", str(self.data), "--port", str(self.port),
               "--log-level", "warning"]
        if self.db_url:
            cmd += ["--db", self.db_url]
        cmd += self.args
        # stderr to a file, not a pipe nobody reads (a chatty server would block on it)
        if self.log is not None:
            self.log.close()
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=self.log)
        deadline = time.monotonic() + 60
        while True:
            if self.proc.poll() is not None:
                if "address already in use" in self.output().lower():
                    return False
                raise RuntimeError("server exited: " + self.output())
            try:
                if httpx.get(self.url + "/v1/health", timeout=2).status_code == 200 and \
                        listens(self.proc.pid, self.port):
                    return True
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("server did not answer /v1/health within 60 s")
            time.sleep(0.05)  # polling a real condition (health) with a deadline

    def verified_waiting(self) -> int:
        """Records a v2 push left verified and not yet merged (``/metrics``)."""
        text = httpx.get(self.url + "/metrics", timeout=60).text  # the merge runs meanwhile
        for line in text.splitlines():
            if line.startswith('yizhan_inbox_records{state="verified"}'):
                return int(float(line.rsplit(" ", 1)[1]))
        return 0

    def wait_merged(self, timeout: float = 120) -> None:
        """Until the background merge has filed every record v2 pushes left verified
        (services/merger.py): v2 answers before the merge, the county's case store follows."""
        deadline = time.monotonic() + timeout
        while self.verified_waiting():
            if time.monotonic() > deadline:
                raise AssertionError(f"records still waiting for the merge after {timeout} s")
            time.sleep(0.05)  # polling a real condition (the store's count) with a deadline

    def kill(self) -> None:
        """SIGKILL: no shutdown handlers, no flushing."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
        if self.log is not None:
            self.log.close()
            self.log = None

    def output(self) -> str:
        """What the server wrote to stderr so far (tracebacks of 500s, warnings)."""
        if self.log is None:
            return ""
        self.log.seek(0)
        return self.log.read().decode("utf-8", "replace")

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


STAFF_PASSWORD = "Tiger-Lantern-Orbit-1957"  # noqa: S105  a test fixture, not a secret


def add_staff(data: Path, name: str = "wang", roles: str = "triage,director", *,
              db: str | None = None, station: str | None = None) -> list[str]:
    """Make console user ``name`` with the real ``yizhan-server user add``; returns the
    ``--as NAME`` arguments a ``case`` command then takes."""
    args = ["user", "add", name, "--role", roles, "--password-stdin", "--data", str(data)]
    args += ["--db", db] if db else []
    args += ["--station", station] if station else []
    done = subprocess.run(["yizhan-server", *args], capture_output=True, text=True,
                          input=STAFF_PASSWORD + "\n", timeout=120, check=False)
    if done.returncode != 0:
        raise AssertionError(f"yizhan-server user add {name} failed: {done.stderr}")
    return ["--as", name]


def server_cli(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run ``yizhan-server ARGS`` and return the finished process."""
    done = subprocess.run(["yizhan-server", *args], capture_output=True, text=True,
                          timeout=120, check=False)
    if check and done.returncode != 0:
        raise AssertionError(f"yizhan-server {' '.join(args)} failed: {done.stderr}")
    return done


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def pg_url() -> str:
    return os.environ.get("YIZHAN_TEST_PG", PG_DEFAULT)


def fresh_pg_schema() -> tuple[str, str]:
    """Create a schema of its own on the test PostgreSQL. Returns (url bound to it, schema).

    Raises sqlalchemy OperationalError when PostgreSQL is unreachable.
    """
    from sqlalchemy import create_engine, text

    schema = "yz_" + secrets.token_hex(6)
    engine = create_engine(pg_url())
    try:
        with engine.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
    finally:
        engine.dispose()
    sep = "&" if "?" in pg_url() else "?"
    return f"{pg_url()}{sep}options=-csearch_path%3D{schema}", schema


def drop_pg_schema(schema: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(pg_url())
    try:
        with engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    finally:
        engine.dispose()
