"""Key rotation through a relay: kiosks follow the county's real rotation chain (a new
sealing key and a new server signing key, each announced in a key statement signed by the
key before it), and refuse a rotation the man in the middle altered or invented.

Real processes: ``yizhan-server init --rotate`` / ``--rotate-server-key``, a restarted
``yizhan-server serve``, ``yizhan-kiosk sync`` through ``tests/sync/mitm.py``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.sync.mitm import Exchange, Relay
from tests.sync.test_sync_mitm import (
    KINDS,
    Attacker,
    kiosk,
    next_envelope,
    outbox,
    published,
    refused,
    setting,
    snapshot,
    submit,
    trusted,
)
from tests.sync_server.server_kit import ServerProcess, server_cli


def rotate_everything(county: Path, server: ServerProcess) -> None:
    """A new county sealing key, then a new server key; the server restarted on them."""
    server_cli("init", "--rotate", "--data", str(county))
    server_cli("init", "--rotate-server-key", "--data", str(county))
    server.stop()
    server.start()


def test_kiosks_follow_a_real_rotation_through_a_relay(
        make_kiosk: Callable[..., Path], county: Path, server: ServerProcess) -> None:
    before_kids, before_server = published(county)
    old = make_kiosk("S001")
    submit(old, 1)
    kiosk(old, "sync")
    rotate_everything(county, server)
    kids, server_key = published(county)
    assert len(kids) == 2
    assert server_key != before_server
    assert json.loads((county / "county-public.json").read_text("utf-8"))["serial"] == 2

    submit(old, 1, start=1)  # sealed before the kiosk heard of the new key
    assert next_envelope(old).header.to[0] == before_kids[-1]
    with Relay(server.port) as relay:  # an honest relay: passes everything on
        kiosk(old, "sync", "--server", relay.url)
    assert not any(e.rewritten or e.forged for e in relay.seen)
    assert trusted(old) == (kids, server_key)  # both statements walked, acks by the new key
    assert outbox(old)["acknowledged"] == 2
    submit(old, 1, start=2)
    assert next_envelope(old).header.to[0] == kids[-1]  # the new sealing key
    kiosk(old, "sync")
    assert outbox(old)["acknowledged"] == 3

    new = make_kiosk("S001", "kiosk-new")  # enrolled after the rotation: already at serial 2
    assert setting(new, "county")["serial"] == 2
    submit(new, 1, start=3)
    kiosk(new, "sync")
    assert outbox(new)["acknowledged"] == 1


def swap_in(attacker: Attacker) -> Callable[[Exchange, Any], Any]:
    """Replace the newest real key statement's keys with his, keeping its signature."""
    def rewrite(ex: Exchange, answer: Any) -> Any:
        if ex.path in ("/v1/push", "/v1/changes") and answer.get("keys"):
            mine = attacker.county_public()
            answer["keys"][-1].update(keys=mine["keys"], server_key=mine["server_key"])
        return answer
    return rewrite


def invent(attacker: Attacker) -> Callable[[Exchange, Any], Any]:
    """Add a statement of his own after the real ones."""
    def rewrite(ex: Exchange, answer: Any) -> Any:
        if ex.path in ("/v1/push", "/v1/changes"):
            answer["keys"] = [*answer.get("keys", []),
                              attacker.statement(len(answer.get("keys", [])) + 1)]
        return answer
    return rewrite


def withhold(attacker: Attacker) -> Callable[[Exchange, Any], Any]:
    """Drop the statements: the answers are signed by a key the kiosk cannot reach."""
    def rewrite(ex: Exchange, answer: Any) -> Any:
        if ex.path in ("/v1/push", "/v1/changes"):
            answer["keys"] = []
        return answer
    return rewrite


TAMPERS = {"swapped": swap_in, "invented": invent, "withheld": withhold}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("tamper", list(TAMPERS))
def test_an_altered_rotation_changes_nothing(make_kiosk: Callable[[str], Path], county: Path,
                                             server: ServerProcess, tamper: str,
                                             kind: str) -> None:
    data = make_kiosk("S001")
    enrolled = trusted(data)
    rotate_everything(county, server)
    submit(data, 2)
    before = snapshot(data)
    attacker = Attacker()
    with Relay(server.port) as relay:
        relay.rewrite = TAMPERS[tamper](attacker)
        done = kiosk(data, "sync", "--server", relay.url, control=kind == "control",
                     check=False)
    assert any(e.rewritten for e in relay.seen)
    if kind == "control":  # believed: his keys, or (withheld) answers it could not verify
        if tamper == "withheld":
            assert outbox(data)["acknowledged"] == 2
        else:
            assert trusted(data) != enrolled
        return
    refused(done)
    assert snapshot(data) == before  # records kept unacknowledged, keys as enrolled
    assert trusted(data) == enrolled

    kiosk(data, "sync", "--server", server.url)  # the relay is gone
    assert trusted(data) == published(county)
    assert outbox(data)["acknowledged"] == 2
