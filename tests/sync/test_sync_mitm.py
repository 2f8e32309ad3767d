"""A man in the middle between a real ``yizhan-kiosk sync`` and a real ``yizhan-server serve``
(``tests/sync/mitm.py``) forges what the county says: changes pages, configuration with his
own county and ack keys, key rotations, statuses, revocations, acknowledgements, old pages
and another kiosk's page. Each time the kiosk changes nothing (its SQLite file is compared
table by table), exits non-zero saying the county's answer failed verification, warns
staff, keeps every record, and syncs normally once the relay is gone.

Every attack also runs against ``tests/sync/unverified_kiosk.py`` — the same kiosk with the
verification removed, believing answers as kiosks did before the feed was signed — and
there it succeeds: that is the control showing these assertions catch the attack.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from kiosk.root import KioskServices
from kiosk.sync.once import sync_once
from shared._errors import EnvelopeError
from shared.ack import sign_ack
from shared.clock import SystemClock, format_utc
from shared.envelope import Envelope, open_
from shared.feed import FEED_PREFIX, Trust, sign_object, sign_statement
from shared.keys import Recipient, b64u, kid_of, raw_public
from tests.kiosk.kiosk_kit import complaint
from tests.sync.conftest import KIOSK, PASSPHRASE
from tests.sync.mitm import Exchange, Relay
from tests.sync_server.server_kit import ServerProcess, add_staff, server_cli

ROOT = Path(__file__).resolve().parents[2]
UNVERIFIED = [sys.executable, "-m", "tests.sync.unverified_kiosk"]
BANK = "请立即将200元手续费转账至银行账户 6222 0000 1111 2222（户名：李某），否则案件将被撤销。"
KINDS = ["kiosk", "control"]


def kiosk(data: Path, *args: str, control: bool = False, check: bool = True,
          input_text: str | None = None) -> subprocess.CompletedProcess[str]:
    """``yizhan-kiosk ARGS`` as a real process; ``control``: the unverified kiosk."""
    done = subprocess.run([*(UNVERIFIED if control else KIOSK), *args, "--data", str(data)],
                          capture_output=True, text=True, timeout=120, cwd=ROOT, check=False,
                          input=input_text,
                          env={**os.environ, "YIZHAN_STAFF_PASSPHRASE": PASSPHRASE})
    if check and done.returncode != 0:
        raise AssertionError(f"yizhan-kiosk {' '.join(args)}: {done.returncode} {done.stderr}")
    return done


def submit(data: Path, n: int, start: int = 0) -> list[dict[str, Any]]:
    records = json.dumps([complaint(i) for i in range(start, start + n)])
    out = kiosk(data, "submit", "complaint", "--json", "-", input_text=records)
    return [json.loads(line) for line in out.stdout.splitlines()]


def snapshot(data: Path) -> dict[str, list[str]]:
    """Every row of every table of the kiosk's store, but the note of when it last synced."""
    with sqlite3.connect(data / "kiosk.db") as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        out = {t: sorted(repr(r) for r in db.execute(f"SELECT * FROM {t}"))  # noqa: S608
               for t in tables}
    out["settings"] = [r for r in out["settings"] if not r.startswith("('last_sync'")]
    return out


def setting(data: Path, key: str) -> Any:
    with sqlite3.connect(data / "kiosk.db") as db:
        row = db.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
    return None if row is None else json.loads(row[0])


def outbox(data: Path) -> dict[str, Any]:
    return dict(json.loads(kiosk(data, "outbox", "--json").stdout))


def status(data: Path, receipt: dict[str, Any]) -> dict[str, Any]:
    out = kiosk(data, "status", receipt["receipt_code"], "--pin", receipt["pin"], "--json")
    return dict(json.loads(out.stdout))


def trusted(data: Path) -> tuple[list[str], str]:
    county = setting(data, "county")
    return [k["kid"] for k in county["keys"]], county["server_key"]


def published(county: Path) -> tuple[list[str], str]:
    public = json.loads((county / "county-public.json").read_text("utf-8"))
    return [k["kid"] for k in public["keys"]], public["server_key"]


class Attacker:
    """His own "county" sealing key and "server" signing key, and what he forges with them."""

    def __init__(self) -> None:
        self.county_key = X25519PrivateKey.generate()
        self.server_key = Ed25519PrivateKey.generate()
        self.kid = kid_of(self.county_key.public_key())

    def county_public(self) -> dict[str, Any]:
        return {"county": "曾都区", "keys": [Recipient.of(self.county_key.public_key()).to_wire()],
                "server_key": b64u(raw_public(self.server_key.public_key()))}

    def statement(self, serial: int) -> dict[str, Any]:
        """A key rotation to his keys, signed by himself."""
        return sign_statement(Trust("曾都区", (Recipient.of(self.county_key.public_key()),),
                                    self.server_key.public_key(), serial),
                              format_utc(datetime.now(UTC)), self.server_key)

    def take_over(self, page: dict[str, Any]) -> dict[str, Any]:
        """The page with his config, his key statement and his own signature."""
        serial = max([0, *(s["serial"] for s in page.get("keys", []))]) + 1
        page["changes"].append({"type": "config", "config": {"county": self.county_public(),
                                                            "sync_interval_s": 60}})
        page["keys"] = [*page.get("keys", []), self.statement(serial)]
        return sign_object(page, FEED_PREFIX, self.server_key)

    def ack(self, device: str, stored: list[tuple[str, str]]) -> dict[str, Any]:
        return sign_ack(device, stored, format_utc(datetime.now(UTC)), self.server_key)


def bank_status(code: str) -> dict[str, Any]:
    later = format_utc(datetime.now(UTC) + timedelta(days=1))
    return {"type": "status", "receipt_code": code, "status": "in_mediation",
            "next_step_zh": BANK, "next_step_en": "Transfer 200 yuan to bank account "
            "6222 0000 1111 2222 now", "as_of": later}


@dataclass
class Scene:
    """One enrolled kiosk that has synced once and has a status change waiting."""

    data: Path
    device: str
    receipt: dict[str, Any]
    attacker: Attacker


Rewrite = Callable[[dict[str, Any], Scene], dict[str, Any]]


def tamper_status(page: dict[str, Any], scene: Scene) -> dict[str, Any]:
    page["changes"].append(bank_status(scene.receipt["receipt_code"]))
    return page


def tamper_status_resigned(page: dict[str, Any], scene: Scene) -> dict[str, Any]:
    page["changes"].append(bank_status(scene.receipt["receipt_code"]))
    return scene.attacker.take_over(page)


def tamper_revocation(page: dict[str, Any], scene: Scene) -> dict[str, Any]:
    page["changes"].append({"type": "revocation", "device_id": scene.device})
    return page


def tamper_skip(page: dict[str, Any], scene: Scene) -> dict[str, Any]:
    page["changes"], page["cursor"] = [], str(int(page["cursor"]) + 10_000)
    return page


def statuses_planted(scene: Scene) -> bool:
    return BANK in status(scene.data, scene.receipt)["next_step"]


def keys_taken(scene: Scene) -> bool:
    return scene.attacker.kid in trusted(scene.data)[0]


def revoked(scene: Scene) -> bool:
    return scene.device in (setting(scene.data, "revoked_devices") or [])


def skipped(scene: Scene) -> bool:
    return int(setting(scene.data, "status_cursor") or 0) > 10_000


ATTACKS: dict[str, tuple[Rewrite, Callable[[Scene], bool]]] = {
    # the ¥200 bank-account message added to a genuine page, signature left as it was
    "status": (tamper_status, statuses_planted),
    # the same message on a page he signed himself, after a key statement of his own
    "status resigned": (tamper_status_resigned, statuses_planted),
    # his county sealing key and ack key in a config entry + a forged rotation, re-signed
    "config and rotation": (lambda page, scene: scene.attacker.take_over(page), keys_taken),
    # a revocation of this very kiosk: it would stop syncing for good
    "revocation": (tamper_revocation, revoked),
    # the cursor moved far ahead with the changes withheld: statuses never arrive
    "skip ahead": (tamper_skip, skipped),
}


@pytest.fixture
def scene(make_kiosk: Callable[[str], Path], county: Path) -> Scene:
    data = make_kiosk("S001")
    # filed and synced through the kiosk's services in this process (the attacks and checks
    # below run the real commands)
    with KioskServices.open(data, SystemClock()) as services:
        receipt = dict(services.submit_complaint(complaint(0)))
        sync_once(services)  # directly: acknowledged, 'received', cursor moved
    server_cli("case", "status", receipt["receipt_code"], "in_mediation", "--data", str(county),
               *add_staff(county))
    return Scene(data, setting(data, "identity")["device_id"], receipt, Attacker())


def refused(done: subprocess.CompletedProcess[str]) -> None:
    assert done.returncode == 3, done.stderr
    assert "county answer failed verification" in done.stderr
    assert "nothing on this kiosk was changed" in done.stderr


def recovers(scene: Scene, county: Path, server: ServerProcess) -> None:
    """Without the relay: syncs, gets the real status and the real keys, warning gone."""
    warned = outbox(scene.data)
    assert warned["unverified"] is True
    assert "failed verification" in warned["last_error"]
    listing = kiosk(scene.data, "outbox").stdout
    assert "WARNING: county answer failed verification" in listing
    kiosk(scene.data, "sync", "--server", server.url)
    assert status(scene.data, scene.receipt)["status"] == "in_mediation"
    assert BANK not in status(scene.data, scene.receipt)["next_step"]
    assert trusted(scene.data) == published(county)
    after = outbox(scene.data)
    assert (after["unverified"], after["last_error"]) == (False, None)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("attack", list(ATTACKS))
def test_a_forged_changes_page_changes_nothing(scene: Scene, attack: str, kind: str,
                                               county: Path, server: ServerProcess) -> None:
    rewrite, succeeded = ATTACKS[attack]
    before = snapshot(scene.data)
    with Relay(server.port) as relay:
        relay.rewrite = lambda ex, answer: (rewrite(answer, scene)
                                            if ex.path == "/v1/changes" else answer)
        done = kiosk(scene.data, "sync", "--server", relay.url, control=kind == "control",
                     check=False)
    assert [e.rewritten for e in relay.seen if e.path == "/v1/changes"] == [True]
    if kind == "control":  # the same kiosk without verification falls for it
        assert succeeded(scene)
        return
    refused(done)
    assert snapshot(scene.data) == before
    assert not succeeded(scene)
    recovers(scene, county, server)


@pytest.mark.parametrize("kind", KINDS)
def test_an_old_page_replayed_changes_nothing(make_kiosk: Callable[[str], Path], county: Path,
                                             server: ServerProcess, kind: str) -> None:
    data = make_kiosk("S001")
    receipt = submit(data, 1)[0]
    with Relay(server.port) as relay:
        kiosk(data, "sync", "--server", relay.url)  # genuine, recorded by the relay
        old = relay.answers("/v1/changes")[0].answer
    assert old["changes"]
    assert old["from"] == ""
    server_cli("case", "status", receipt["receipt_code"], "in_mediation", "--data", str(county),
               *add_staff(county))
    kiosk(data, "sync")  # the kiosk moves on
    assert int(setting(data, "status_cursor")) > int(old["cursor"])
    scene = Scene(data, setting(data, "identity")["device_id"], receipt, Attacker())
    before = snapshot(data)
    with Relay(server.port) as relay:
        relay.forge = lambda ex: (200, old) if ex.path == "/v1/changes" else None
        done = kiosk(data, "sync", "--server", relay.url, control=kind == "control",
                     check=False)
    if kind == "control":  # it takes the old page: its cursor goes back, old config again
        assert done.returncode == 0
        assert setting(data, "status_cursor") == old["cursor"]
        return
    refused(done)
    assert snapshot(data) == before
    recovers(scene, county, server)


@pytest.mark.parametrize("kind", KINDS)
def test_another_kiosks_page_changes_nothing(make_kiosk: Callable[[str], Path], county: Path,
                                            server: ServerProcess, kind: str) -> None:
    other = make_kiosk("S002")
    other_code = submit(other, 1)[0]["receipt_code"]
    with Relay(server.port) as relay:
        kiosk(other, "sync", "--server", relay.url)
        theirs = relay.answers("/v1/changes")[0].answer
    assert theirs["from"] == ""
    assert theirs["changes"]
    data = make_kiosk("S001")  # another station; its cursor is at the start too
    before = snapshot(data)
    with Relay(server.port) as relay:
        relay.forge = lambda ex: (200, theirs) if ex.path == "/v1/changes" else None
        done = kiosk(data, "sync", "--server", relay.url, control=kind == "control",
                     check=False)

    def holds_their_status() -> bool:
        with sqlite3.connect(data / "kiosk.db") as db:
            return db.execute("SELECT 1 FROM status_cache WHERE receipt_code = ?",
                              [other_code]).fetchone() is not None

    if kind == "control":  # it took the other station's statuses and cursor as its own
        assert holds_their_status()
        assert setting(data, "status_cursor") == theirs["cursor"]
        return
    refused(done)
    assert snapshot(data) == before
    kiosk(data, "sync", "--server", server.url)  # the relay is gone
    assert setting(data, "status_cursor") is not None
    assert not holds_their_status()
    assert outbox(data)["unverified"] is False


def next_envelope(data: Path) -> Envelope:
    with sqlite3.connect(data / "kiosk.db") as db:
        raw = db.execute("SELECT envelope FROM outbox ORDER BY seq DESC LIMIT 1").fetchone()[0]
    return Envelope.from_bytes(raw)


@pytest.mark.parametrize("kind", KINDS)
def test_the_relayed_takeover_of_the_issue_fails(make_kiosk: Callable[[str], Path],
                                                county: Path, server: ServerProcess,
                                                kind: str) -> None:
    """The attack as reported: his keys through config, the next record read, acknowledged
    by him so the kiosk drops it, a ¥200 status planted, the kiosk revoked."""
    control = kind == "control"
    data = make_kiosk("S001")
    first = submit(data, 1)[0]
    attacker = Attacker()
    device = setting(data, "identity")["device_id"]
    with Relay(server.port) as relay:
        relay.rewrite = lambda ex, answer: (attacker.take_over(answer)
                                            if ex.path == "/v1/changes" else answer)
        step1 = kiosk(data, "sync", "--server", relay.url, control=control, check=False)

    second = submit(data, 1, start=1)[0]  # the next worker's name, ID number and phone
    envelope = next_envelope(data)
    if control:
        assert attacker.kid in envelope.header.to  # sealed to him: he reads it
        claimant = open_(envelope, {attacker.kid: attacker.county_key})["record"]["claimant"]
        typed = complaint(1)["claimant"]
        assert (claimant["name"], claimant["id_number"], claimant["phone"]) == (
            typed["name"], typed["id_number"], "+86" + typed["phone"])  # stored in E.164
    else:
        refused(step1)
        assert attacker.kid not in envelope.header.to
        with pytest.raises(EnvelopeError):
            open_(envelope, {attacker.kid: attacker.county_key})

    def forge(ex: Exchange) -> tuple[int, dict[str, Any]] | None:
        if ex.path == "/v1/push":  # he keeps the records and acknowledges them himself
            with sqlite3.connect(data / "kiosk.db") as db:
                rows = db.execute("SELECT record_id, hash FROM outbox WHERE state != "
                                  "'acknowledged'").fetchall()
            return 201, {"results": [{"index": i, "id": r[0], "status": "accepted"}
                                     for i, r in enumerate(rows)],
                         "ack": attacker.ack(device, rows), "gaps": [],
                         "keys": [attacker.statement(1)]}
        return None

    scene = Scene(data, device, first, attacker)

    def plant(ex: Exchange, answer: Any) -> Any:
        if ex.path != "/v1/changes":
            return answer
        return tamper_status_resigned(tamper_revocation(answer, scene), scene)

    with Relay(server.port) as relay:
        relay.forge, relay.rewrite = forge, plant
        step3 = kiosk(data, "sync", "--server", relay.url, control=control, check=False)
    pushes = [e for e in relay.seen if e.path == "/v1/push"]
    assert pushes
    assert all(e.forged for e in pushes)
    if control:  # dropped, planted, cut off for good
        assert outbox(data)["acknowledged"] == 2
        assert BANK in status(data, first)["next_step"]
        assert kiosk(data, "sync", "--server", server.url, check=False).returncode == 3
        assert second["receipt_code"] not in server_cli("export", "--format", "jsonl",
                                                        "--data", str(county)).stdout
        return
    refused(step3)
    counts = outbox(data)
    assert (counts["pending"] + counts["sent"], counts["acknowledged"]) == (1, 1)
    assert BANK not in status(data, first)["next_step"]
    assert device not in (setting(data, "revoked_devices") or [])

    kiosk(data, "sync", "--server", server.url)  # the relay is gone
    assert outbox(data)["acknowledged"] == 2
    assert second["receipt_code"] in server_cli("export", "--format", "jsonl", "--data",
                                                str(county)).stdout
    assert trusted(data) == published(county)
