"""shared/anyenv.py: one pipeline over v1 envelopes and stored v2 items, chained together."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from test_envelope2 import CREATED, payload

from shared import anyenv
from shared import envelope2 as e2
from shared._errors import ChainError, EnvelopeError
from shared.envelope import GENESIS, EnvelopeHeader, seal
from shared.keys import Keyring, device_id_of


def mixed_chain(county_keys: Keyring, key: Ed25519PrivateKey) -> tuple[list[bytes], bytes]:
    """Records 1-2 sealed v1, 3-5 v2 (a kiosk switched over): the inbox forms, and the
    epoch message."""
    device = device_id_of(key.public_key())
    recips = county_keys.recipients()
    out, prev = [], GENESIS
    for seq in (1, 2):
        h = EnvelopeHeader("complaint", f"01M7XX9X80ABCDEFGHJKMNP{seq:03d}", device, "S001",
                           seq, prev, CREATED, f"1.{seq}.{device}", tuple(r.kid for r in recips))
        env = seal(payload(seq), h, recips, key)
        out.append(env.raw)
        prev = env.hash
    sealer = e2.Sealer(device, CREATED, recips, key)
    for seq in (3, 4, 5):
        rec = sealer.seal(payload(seq), kind="complaint",
                          record_id=f"01M7XX9X80ABCDEFGHJKMNP{seq:03d}", station="S001",
                          seq=seq, prev=bytes.fromhex(prev), created=CREATED,
                          hlc=f"1.{seq}.{device}")
        out.append(anyenv.stored_item(sealer.epoch.raw, rec.raw))
        prev = rec.hash
    return out, sealer.epoch.raw


def test_a_mixed_run_verifies_with_one_signature_and_opens(county_keys: Keyring,
                                                           device_key: Ed25519PrivateKey) -> None:
    raws, _ = mixed_chain(county_keys, device_key)
    envs = [anyenv.parse(r) for r in raws]
    runs = anyenv.split_runs(list(reversed(envs)))
    assert len(runs) == 1
    point = anyenv.verify_run(runs[0], device_key.public_key(), anyenv.START)
    assert point.seq == 5
    assert point.hash == envs[-1].hash
    assert [anyenv.open_(e, county_keys.private_keys) for e in envs] == \
        [payload(s) for s in range(1, 6)]
    assert envs[3].header.device == device_id_of(device_key.public_key())
    assert envs[3].header.to == tuple(r.kid for r in county_keys.recipients())


def test_a_stored_item_with_a_foreign_epoch_does_not_verify(county_keys: Keyring,
                                                            device_key: Ed25519PrivateKey) -> None:
    """The epoch message names the device and the recipients: one not signed by the device
    fails the run even though the record's own signature and links are good."""
    raws, epoch_raw = mixed_chain(county_keys, device_key)
    other = Ed25519PrivateKey.generate()
    forged_epoch = e2.Epoch.from_bytes(epoch_raw)
    body = forged_epoch.raw[:-64]
    forged = body + other.sign(e2.EPOCH_SIG + body)
    last = anyenv.parse(raws[-1])
    assert isinstance(last, anyenv.Stored2)
    swapped = anyenv.stored_item(forged, last.record.raw)
    envs = [anyenv.parse(r) for r in [*raws[:-1], swapped]]
    with pytest.raises(EnvelopeError):
        anyenv.verify_run(envs, device_key.public_key(), anyenv.START)
    with pytest.raises(EnvelopeError):
        anyenv.verify(envs[-1], device_key.public_key())


def test_a_broken_link_across_the_switch_is_a_chain_error(county_keys: Keyring,
                                                          device_key: Ed25519PrivateKey) -> None:
    raws, _ = mixed_chain(county_keys, device_key)
    envs = [anyenv.parse(r) for r in raws]
    with pytest.raises(ChainError):
        anyenv.verify_run([envs[0], envs[2]], device_key.public_key(), anyenv.START)


def test_stored_items_that_do_not_parse(county_keys: Keyring,
                                        device_key: Ed25519PrivateKey) -> None:
    raws, _ = mixed_chain(county_keys, device_key)
    for bad in (raws[-1][:6], raws[-1][:-1], b"YZS2\xff\xff\xff\xff" + raws[-1][8:],
                anyenv.stored_item(e2.Sealer("d", CREATED, county_keys.recipients(),
                                             device_key).epoch.raw, raws[-1][-400:])):
        with pytest.raises(EnvelopeError):
            anyenv.parse(bad)
