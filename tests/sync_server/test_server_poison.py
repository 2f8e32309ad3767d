"""Poison records: one record cannot wedge a device, revocation or the server's restart, and
nothing personal reaches a log (docs/security.md "Poison records", "Personal data in logs
and errors").

Against a real ``yizhan-server serve`` subprocess on SQLite and PostgreSQL. The poison is
sealed and signed with a device key (a stolen kiosk: it can seal anything), so the county
must judge it without trusting the kiosk's validation:

* an employer name of 50 × "㍿" and no USCC (NFKC spells each as 株式会社: 205 characters of
  employer key for a 128-character column);
* ``filed_at`` in year 1 and in year 9999 (duplicate and alert windows overflow);
* an HLC node of 200 characters (events.hlc is 96);
* a valid record that the database itself refuses (a constraint planted for the test), to
  show that any failure of one record's merge, a database error included, quarantines that
  record alone.

After each: the device's later good record merges; with a poison left pending (the state a
crash between storing and merging leaves) the server restarts and ``revoke`` works; the
server's output and ``revoke``'s stderr hold none of the claimant's name, ID number, phone.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from shared.clock import SystemClock, format_utc
from shared.envelope import Envelope
from shared.receipt import new_code, new_pin, pin_verifier
from sync_server.store import inbox as iq
from sync_server.store import make_engine
from tests.sync_server.conftest import postgres_or_skip
from tests.sync_server.server_kit import (
    ServerProcess,
    TestKiosk,
    add_staff,
    complaint,
    drop_pg_schema,
    person,
    server_cli,
)

# The personal data planted in every poison record; none of it may reach a log.
NAME, ID_NUMBER, PHONE = "欧阳秘密", person(4242), "13912345678"
CLAIMANT = {"name": NAME, "id_number": ID_NUMBER, "phone": PHONE}


# What a leak looks like: the values, and the ID number's first nine characters (region
# and birth decade), which is what PostgreSQL's DETAIL line keeps of a record: it cuts each
# value to 64 bytes, and a record's canonical JSON reaches the ID number at byte 55.
LEAKS = (NAME, ID_NUMBER[:9], PHONE)


def _no_personal_data(text: str, where: str) -> None:
    for value in LEAKS:
        assert value not in text, f"{where} holds personal data ({value[:2]}…):\n{text}"


@pytest.fixture
def county(tmp_path: Path, db_url: str) -> Path:
    """A county data folder made by the real ``yizhan-server init`` on ``db_url``."""
    data = tmp_path / "county"
    server_cli("init", "--county", "曾都区", "--data", str(data), "--db", db_url,
               "--no-passphrase")
    return data


class County:
    """The county's server process and CLI on one store; collects everything they print."""

    def __init__(self, data: Path, db_url: str) -> None:
        self.data, self.db_url = data, db_url
        self.output: list[tuple[str, str]] = []  # (where, text)
        self.server = ServerProcess(data, db_url).start()

    def cli(self, *args: str) -> Any:
        done = server_cli(*args, "--data", str(self.data), "--db", self.db_url, check=False)
        self.output.append((f"yizhan-server {args[0]} stderr", done.stderr))
        return done

    def restart(self) -> None:
        self.stop()
        self.server = ServerProcess(self.data, self.db_url).start()

    def stop(self) -> None:
        self.output.append(("yizhan-server serve output", self.server.output()))
        self.server.stop()

    def enroll(self, station: str = "S001") -> TestKiosk:
        kiosk = TestKiosk(SystemClock(), station)
        token = json.loads(self.cli("enroll-token", "--station", station, "--json").stdout)
        with self.http() as http:
            kiosk.enroll(http, token["token"])
        return kiosk

    def http(self) -> httpx.Client:
        return httpx.Client(base_url=self.server.url, timeout=30)

    def plant_pending(self, env: Envelope) -> None:
        """Store an envelope as a push's first transaction does and leave it ``pending``,
        as a crash before the merge leaves it."""
        engine = make_engine(self.db_url)
        try:
            with engine.begin() as conn:
                iq.store(conn, [iq.Incoming(env.header.id, env.header.device,
                                            env.header.station, env.header.seq, env.hash,
                                            env.raw)], 0)
        finally:
            engine.dispose()

    def cases(self) -> dict[str, dict[str, Any]]:
        done = self.cli("export")
        assert done.returncode == 0, done.stderr
        return {c["case_id"]: c for c in map(json.loads, done.stdout.splitlines())}


@pytest.fixture
def county_server(county: Path, db_url: str) -> Iterator[County]:
    c = County(county, db_url)
    try:
        yield c
    finally:
        c.stop()


def _payload(kiosk: TestKiosk, record: dict[str, Any], filed_at: str | None = None
             ) -> dict[str, Any]:
    """An intake payload as a stolen device key can seal it: no kiosk validation."""
    code = new_code()
    return {"kind": "complaint", "record": record,
            "receipt": {"code": code, "pin_verifier": pin_verifier(code, new_pin())},
            "filed_at": filed_at or format_utc(kiosk.clock.now()), "station": kiosk.station,
            "ticket": None, "notes": []}


def _hlc_with_node(node: str) -> str:
    return f"{1_795_000_000_000:016d}.{0:06d}.{node}"


# name -> (record changes, payload/header changes, the quarantine reason's start)
POISONS: dict[str, tuple[dict[str, Any], dict[str, str], str]] = {
    # NFKC: 50 × ㍿ is 200 characters, "name:" + 200 for a 128-character column
    "employer-name-folding-to-205": ({"employer": {"name": "㍿" * 50}}, {},
                                     "invalid_record: employer.name too_long_folded"),
    # before the first representable window start: date arithmetic underflows
    "filed-in-year-1": ({}, {"filed_at": "0001-01-01T00:00:00.000Z"},
                        "filed_at_out_of_range"),
    # window end past year 9999: overflows
    "filed-in-year-9999": ({}, {"filed_at": "9999-12-31T23:59:59.999Z"},
                           "filed_at_out_of_range"),
    # a 200-character HLC node: 224 characters for the 96-character events.hlc
    "hlc-node-of-200": ({}, {"hlc": _hlc_with_node("n" * 200)}, "invalid_event: hlc"),
}


def _seal_poison(kiosk: TestKiosk, name: str) -> Envelope:
    record_changes, other, _ = POISONS[name]
    record = {**complaint(7), "claimant": CLAIMANT, **record_changes}
    return kiosk.seal(_payload(kiosk, record, other.get("filed_at")), hlc=other.get("hlc"))


def _push_one(county: County, kiosk: TestKiosk, env: Envelope) -> dict[str, Any]:
    with county.http() as http:
        r = kiosk.push(http, [env])
    assert r.status_code in (200, 201, 202), f"{r.status_code} {r.text}\n{county.server.output()}"
    [result] = r.json()["results"]
    return dict(result)


def _quarantined(county: County) -> dict[str, str]:
    done = county.cli("quarantine", "--json")
    assert done.returncode == 0, done.stderr
    return {row["record_id"]: row["reason"] for row in json.loads(done.stdout)}


def test_poison_records_are_quarantined_and_wedge_nothing(county_server: County) -> None:
    """Every poison in turn (one server for all: the machine is shared), each followed by a
    good record of the same device."""
    county = county_server
    thief = county.enroll()
    poisons: dict[str, list[Envelope]] = {name: [] for name in POISONS}
    goods: list[Envelope] = []

    for name, (_, _, expected) in POISONS.items():
        # pushed: stored, acknowledged, quarantined with a reason naming what is wrong
        bad = _seal_poison(thief, name)
        poisons[name].append(bad)
        result = _push_one(county, thief, bad)
        assert (result["status"], result["reason"][:len(expected)]) == \
            ("quarantined", expected), name
        # the device's later record merges
        goods.append(thief.file())
        assert _push_one(county, thief, goods[-1])["status"] == "accepted", name

    # poisons left pending by a crash: the server's start-up drain meets them and starts
    county.stop()
    for name in POISONS:
        poisons[name].append(_seal_poison(thief, name))
        county.plant_pending(poisons[name][-1])
    county.server = ServerProcess(county.data, county.db_url).start()
    goods.append(thief.file())
    assert _push_one(county, thief, goods[-1])["status"] == "accepted"

    # revocation processes pending poisons and revokes
    for name in POISONS:
        poisons[name].append(_seal_poison(thief, name))
        county.plant_pending(poisons[name][-1])
    revoked = county.cli("revoke", thief.device_id)
    assert revoked.returncode == 0, revoked.stderr
    assert "warning" not in revoked.stderr  # nothing failed whole: each poison was isolated
    county.restart()  # and the server still starts after all of it
    with county.http() as http:
        assert http.get("/v1/health").status_code == 200

    quarantined = _quarantined(county)
    for name, envs in poisons.items():
        for env in envs:
            assert quarantined[env.header.id].startswith(POISONS[name][2]), name
    cases = county.cases()
    assert {g.header.id for g in goods} <= set(cases)
    assert not {e.header.id for envs in poisons.values() for e in envs} & set(cases)
    county.stop()
    for where, text_ in county.output:
        _no_personal_data(text_, where)
    county.output.clear()


def _refuse_the_claimant_in_the_store(db_url: str) -> None:
    """Make the database itself refuse any case holding NAME: a fault no validation sees.
    PostgreSQL's refusal carries the whole row in its DETAIL line."""
    engine = make_engine(db_url)
    try:
        with engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("ALTER TABLE cases ADD CONSTRAINT refuse_the_claimant "
                                  f"CHECK (record NOT LIKE '%{NAME}%')"))
            else:
                conn.execute(text("CREATE TRIGGER refuse_the_claimant BEFORE INSERT ON cases "
                                  f"WHEN NEW.record LIKE '%{NAME}%' "
                                  "BEGIN SELECT RAISE(ABORT, 'refuse_the_claimant'); END"))
    finally:
        engine.dispose()


def test_a_database_error_quarantines_that_record_alone_and_logs_nothing_personal(
        county_server: County) -> None:
    county = county_server
    kiosk = county.enroll()
    _refuse_the_claimant_in_the_store(county.db_url)
    refused = {**complaint(8), "claimant": CLAIMANT}

    # in one push between two good records: the batch is filed again record by record
    first, bad, last = kiosk.file(record=complaint(1)), kiosk.file(record=refused), \
        kiosk.file(record=complaint(2))
    with county.http() as http:
        r = kiosk.push(http, [first, bad, last])
    assert r.status_code in (200, 201, 202), f"{r.status_code} {r.text}\n{county.server.output()}"
    statuses = [(x["status"], x.get("reason", "")) for x in r.json()["results"]]
    assert [s for s, _ in statuses] == ["accepted", "quarantined", "accepted"]
    reason = statuses[1][1]
    assert reason.startswith("merge_failed: store_fault: IntegrityError")
    # names the fault: PostgreSQL's constraint or SQLite's error name
    assert "refuse_the_claimant" in reason or "SQLITE_CONSTRAINT_TRIGGER" in reason

    # left pending by a crash: start-up and revocation both get past it
    county.stop()
    pending = kiosk.file(record=refused)
    county.plant_pending(pending)
    county.server = ServerProcess(county.data, county.db_url).start()
    after = kiosk.file(record=complaint(3))
    assert _push_one(county, kiosk, after)["status"] == "accepted"
    at_revocation = kiosk.file(record=refused)
    county.plant_pending(at_revocation)
    revoked = county.cli("revoke", kiosk.device_id)
    assert revoked.returncode == 0, revoked.stderr
    county.restart()

    quarantined = _quarantined(county)
    for env in (bad, pending, at_revocation):
        assert quarantined[env.header.id].startswith("merge_failed: store_fault")
    assert {first.header.id, last.header.id, after.header.id} <= set(county.cases())
    county.stop()
    for where, text_ in county.output:
        _no_personal_data(text_, where)
    county.output.clear()


def test_a_staff_command_meeting_a_database_error_prints_nothing_personal(
        county_server: County) -> None:
    """The CLI's stderr: a staff action whose UPDATE the database refuses. PostgreSQL's
    DETAIL line and SQLAlchemy's parameter list would both carry the case's record."""
    county = county_server
    kiosk = county.enroll()
    env = kiosk.file(record={**complaint(9), "claimant": CLAIMANT})
    assert _push_one(county, kiosk, env)["status"] == "accepted"
    engine = make_engine(county.db_url)
    try:
        with engine.begin() as conn:  # refuse changes to this case from now on
            if conn.dialect.name == "postgresql":
                conn.execute(text("ALTER TABLE cases ADD CONSTRAINT refuse_the_claimant "
                                  f"CHECK (record NOT LIKE '%{NAME}%') NOT VALID"))
            else:
                conn.execute(text("CREATE TRIGGER refuse_the_claimant BEFORE UPDATE ON cases "
                                  f"WHEN NEW.record LIKE '%{NAME}%' "
                                  "BEGIN SELECT RAISE(ABORT, 'refuse_the_claimant'); END"))
    finally:
        engine.dispose()
    code = kiosk.receipts[env.header.id][0]
    done = county.cli("case", "route", code, "--to", "mediation",
                      *add_staff(county.data, db=county.db_url))
    _no_personal_data(done.stderr, "yizhan-server case route stderr")
    assert done.returncode == 1
    assert "store_fault: IntegrityError" in done.stderr
    assert "Traceback" not in done.stderr
    county.stop()
    for where, text_ in county.output:
        _no_personal_data(text_, where)
    county.output.clear()


@pytest.fixture
def pg_county(tmp_path: Path) -> Iterator[County]:
    """A county on PostgreSQL (the fault below is raised by PL/pgSQL)."""
    url, schema = postgres_or_skip()
    data = tmp_path / "county-pg"
    server_cli("init", "--county", "曾都区", "--data", str(data), "--db", url,
               "--no-passphrase")
    c = County(data, url)
    try:
        yield c
    finally:
        c.stop()
        drop_pg_schema(schema)


@pytest.mark.postgres
def test_a_fault_of_the_database_leaves_records_pending_not_quarantined(
        pg_county: County) -> None:
    """A full disk is no record's fault: the push fails whole (the kiosk keeps its records
    and retries), nothing is quarantined, and once the fault is gone the records merge."""
    county = pg_county
    kiosk = county.enroll()
    engine = make_engine(county.db_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE FUNCTION simulated_disk_full() RETURNS trigger AS $$ "
                              "BEGIN RAISE EXCEPTION 'no space left on device' "
                              "USING ERRCODE = 'disk_full'; END $$ LANGUAGE plpgsql"))
            conn.execute(text("CREATE TRIGGER simulated_disk_full BEFORE INSERT ON cases "
                              "FOR EACH STATEMENT EXECUTE FUNCTION simulated_disk_full()"))
        envs = [kiosk.file(record={**complaint(11), "claimant": CLAIMANT}),
                kiosk.file(record=complaint(12))]
        with county.http() as http:
            assert kiosk.push(http, envs).status_code == 500
        assert not {e.header.id for e in envs} & set(_quarantined(county))
        assert not county.cases()
        with engine.begin() as conn:
            conn.execute(text("DROP TRIGGER simulated_disk_full ON cases"))
    finally:
        engine.dispose()
    with county.http() as http:  # the kiosk's retry: the same bytes again
        r = kiosk.push(http, envs)
    assert [x["status"] for x in r.json()["results"]] == ["duplicate", "duplicate"]
    assert {e.header.id for e in envs} <= set(county.cases())
    county.stop()
    for where, text_ in county.output:
        _no_personal_data(text_, where)
    county.output.clear()
