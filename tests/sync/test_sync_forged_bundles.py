"""USB ack bundles follow the signed-feed rule: someone who gets hold of the stick and
rewrites ``S001.ack.yzb`` (his county keys and ack key in the configuration, a ¥200 status,
his own signature and key statement), swaps in an old bundle or another kiosk's, changes
nothing on the kiosk; ``yizhan-kiosk import-ack`` exits non-zero and staff are warned.
Each case also runs against the unverified kiosk (``tests/sync/unverified_kiosk.py``),
where it succeeds: the control.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from shared.canonical import canonical_bytes, loads_canonical
from shared.feed import ACK_BUNDLE_PREFIX, sign_object
from tests.sync.test_sync_mitm import (
    BANK,
    KINDS,
    Attacker,
    bank_status,
    kiosk,
    outbox,
    published,
    setting,
    snapshot,
    status,
    submit,
    trusted,
)
from tests.sync_server.server_kit import ServerProcess, add_staff, server_cli


def read(path: Path) -> dict[str, Any]:
    value: dict[str, Any] = loads_canonical(gzip.decompress(path.read_bytes()))
    return value


def write(path: Path, body: dict[str, Any]) -> Path:
    path.write_bytes(gzip.compress(canonical_bytes(body)))
    return path


def round_trip(data: Path, county: Path, name: str) -> Path:
    """Export a record bundle, import it at the county; returns the ack bundle path."""
    bundle, ack = data.parent / f"{name}.yzb", data.parent / f"{name}.ack.yzb"
    kiosk(data, "export-bundle", str(bundle))
    server_cli("import-bundle", str(bundle), "--data", str(county), "--ack-out", str(ack))
    return ack


def refused_import(data: Path, ack: Path, kind: str) -> Any:
    return kiosk(data, "import-ack", str(ack), control=kind == "control", check=False)


@pytest.mark.parametrize("kind", KINDS)
def test_a_resigned_ack_bundle_with_his_keys_changes_nothing(
        make_kiosk: Callable[[str], Path], county: Path, server: ServerProcess,
        kind: str) -> None:
    data = make_kiosk("S001")
    receipt = submit(data, 2)[0]
    ack = round_trip(data, county, "s001")
    attacker = Attacker()
    body = read(ack)
    body["changes"] += [{"type": "config", "config": {"county": attacker.county_public()}},
                        bank_status(receipt["receipt_code"])]
    body["keys"] = [*body["keys"], attacker.statement(len(body["keys"]) + 1)]
    forged = write(data.parent / "forged.ack.yzb",
                   sign_object(body, ACK_BUNDLE_PREFIX, attacker.server_key))
    before = snapshot(data)
    done = refused_import(data, forged, kind)
    if kind == "control":
        assert attacker.kid in trusted(data)[0]
        assert BANK in status(data, receipt)["next_step"]
        return
    assert done.returncode == 3
    assert "county answer failed verification" in done.stderr
    assert snapshot(data) == before
    assert outbox(data)["unverified"] is True
    kiosk(data, "import-ack", str(ack))  # the genuine bundle still works
    assert outbox(data)["acknowledged"] == 2
    assert outbox(data)["unverified"] is False
    assert trusted(data) == published(county)


@pytest.mark.parametrize("kind", KINDS)
def test_an_old_ack_bundle_changes_nothing(make_kiosk: Callable[[str], Path], county: Path,
                                           server: ServerProcess, kind: str) -> None:
    data = make_kiosk("S001")
    receipt = submit(data, 1)[0]
    old = round_trip(data, county, "first")
    kiosk(data, "import-ack", str(old))
    server_cli("case", "status", receipt["receipt_code"], "in_mediation", "--data", str(county),
               *add_staff(county))
    server_cli("init", "--rotate", "--data", str(county))  # a new config on the feed
    kiosk(data, "import-ack", str(round_trip(data, county, "second")))
    assert status(data, receipt)["status"] == "in_mediation"
    newer = setting(data, "status_cursor")
    before = snapshot(data)
    done = refused_import(data, old, kind)
    if kind == "control":  # the cursor goes back to the old bundle's
        assert setting(data, "status_cursor") == read(old)["cursor"] != newer
        return
    assert done.returncode == 3
    assert "older than what this kiosk already has" in done.stderr
    assert snapshot(data) == before


@pytest.mark.parametrize("kind", KINDS)
def test_another_kiosks_ack_bundle_changes_nothing(
        make_kiosk: Callable[[str], Path], county: Path, server: ServerProcess,
        kind: str) -> None:
    other = make_kiosk("S002")
    other_code = submit(other, 1)[0]["receipt_code"]
    theirs = round_trip(other, county, "s002")
    data = make_kiosk("S001")
    before = snapshot(data)
    done = refused_import(data, theirs, kind)
    if kind == "control":  # the other station's statuses taken as its own
        assert setting(data, "status_cursor") == read(theirs)["cursor"]
        assert other_code in repr(snapshot(data)["status_cache"])
        return
    assert done.returncode == 3
    assert "county answer failed verification" in done.stderr
    assert snapshot(data) == before
