"""Device chains: one signature per contiguous run, and every way a run can be broken."""

from __future__ import annotations

import random

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from envelope_kit import Sealer, sample_payload

from shared import (
    START,
    ChainError,
    ChainPoint,
    Envelope,
    EnvelopeError,
    seal,
    split_runs,
    verify,
    verify_run,
)
from shared.clock import ManualClock
from shared.keys import Keyring


@pytest.fixture
def chain(sealer: Sealer) -> list[Envelope]:
    return sealer.chain(10)


def test_whole_chain_verifies_from_genesis(chain: list[Envelope],
                                           device_key: Ed25519PrivateKey) -> None:
    end = verify_run(chain, device_key.public_key(), START)
    assert end == ChainPoint(10, chain[-1].hash)
    # Each envelope also verifies on its own: tail-only checking changes cost, not the answer.
    for env in chain:
        verify(env, device_key.public_key())


def test_runs_continue_from_an_anchor(chain: list[Envelope],
                                      device_key: Ed25519PrivateKey) -> None:
    key = device_key.public_key()
    middle = verify_run(chain[:4], key, START)
    assert verify_run(chain[4:], key, middle) == ChainPoint(10, chain[-1].hash)
    with pytest.raises(ChainError, match="missing"):
        verify_run(chain[5:], key, middle)           # seq 5 never arrived
    with pytest.raises(ChainError, match="out of order or repeated"):
        verify_run(chain[3:], key, middle)           # seq 4 again


def test_first_envelope_must_follow_genesis(chain: list[Envelope],
                                            device_key: Ed25519PrivateKey) -> None:
    with pytest.raises(ChainError, match="missing"):
        verify_run(chain[1:], device_key.public_key(), START)


def test_record_missing(chain: list[Envelope], device_key: Ed25519PrivateKey) -> None:
    with pytest.raises(ChainError, match="expected seq 5, found 6: record missing"):
        verify_run(chain[:4] + chain[5:], device_key.public_key(), START)


def test_records_reordered(chain: list[Envelope], device_key: Ed25519PrivateKey) -> None:
    swapped = [*chain[:3], chain[4], chain[3], *chain[5:]]
    with pytest.raises(ChainError):
        verify_run(swapped, device_key.public_key(), START)


def test_record_repeated(chain: list[Envelope], device_key: Ed25519PrivateKey) -> None:
    with pytest.raises(ChainError, match="repeated"):
        verify_run(chain[:5] + chain[4:], device_key.public_key(), START)


def test_record_replaced_by_the_device_itself(chain: list[Envelope], sealer: Sealer,
                                              device_key: Ed25519PrivateKey) -> None:
    """A second, validly signed seq 5 with other content: the chain names the fork."""
    fork = seal(sample_payload(99), sealer.header(seq=5, prev=chain[3].hash),
                sealer.recipients, device_key)
    verify(fork, device_key.public_key())   # genuinely signed
    with pytest.raises(ChainError, match="replaced or the chain forked"):
        verify_run([*chain[:4], fork, *chain[5:]], device_key.public_key(), START)


def test_fork_at_the_tail_against_the_anchor(chain: list[Envelope], sealer: Sealer,
                                             device_key: Ed25519PrivateKey) -> None:
    key = device_key.public_key()
    anchor = verify_run(chain, key, START)
    other_branch = seal(sample_payload(11), sealer.header(seq=11, prev=chain[8].hash),
                        sealer.recipients, device_key)
    with pytest.raises(ChainError, match="forked"):
        verify_run([other_branch], key, anchor)


def test_envelope_of_another_device_in_the_run(chain: list[Envelope], county_keys: Keyring,
                                               manual_clock: ManualClock,
                                               device_key: Ed25519PrivateKey) -> None:
    other = Sealer(county_keys, Ed25519PrivateKey.generate(), manual_clock)
    stranger = other.chain(6)[5]
    with pytest.raises(ChainError, match="from device"):
        verify_run([*chain[:5], stranger], device_key.public_key(), START)


def test_empty_run(device_key: Ed25519PrivateKey) -> None:
    with pytest.raises(ChainError, match="empty"):
        verify_run([], device_key.public_key(), START)


def test_middle_signature_damage_breaks_the_links(chain: list[Envelope],
                                                  device_key: Ed25519PrivateKey) -> None:
    """Middle signatures are not checked, but they are hashed into the next ``prev``."""
    raw = chain[4].raw
    damaged = Envelope.from_bytes(raw[:-1] + bytes([raw[-1] ^ 1]))
    with pytest.raises(ChainError, match="replaced"):
        verify_run([*chain[:4], damaged, *chain[5:]], device_key.public_key(), START)


def test_forged_tail_signature_is_what_stops_a_rewritten_chain(
        chain: list[Envelope], county_keys: Keyring, manual_clock: ManualClock,
        device_key: Ed25519PrivateKey) -> None:
    """An attacker without the device key rewrites records 5..10 under the device's id.

    The links are perfect (the attacker computed them), so only the single tail signature
    stands between the forgery and the case store: verified with the attacker's own key the
    run passes, with the device's key it is refused.
    """
    attacker_key = Ed25519PrivateKey.generate()
    attacker = Sealer(county_keys, attacker_key, manual_clock)
    attacker.device = chain[0].header.device          # claims to be the kiosk
    attacker.seq, attacker.prev = 4, chain[3].hash
    forged = chain[:4] + [attacker.next(sample_payload(100 + i)) for i in range(6)]
    assert [e.header.seq for e in forged] == list(range(1, 11))
    assert verify_run(forged, attacker_key.public_key(), START).seq == 10   # links hold
    with pytest.raises(EnvelopeError):
        verify_run(forged, device_key.public_key(), START)
    # Keeping the genuine tail instead breaks the link into it.
    with pytest.raises(ChainError):
        verify_run([*forged[:9], chain[9]], device_key.public_key(), START)


def test_split_runs_sorts_and_splits_where_the_chain_breaks(
        chain: list[Envelope], sealer: Sealer, device_key: Ed25519PrivateKey) -> None:
    fork = seal(sample_payload(77), sealer.header(seq=8, prev="f" * 64), sealer.recipients,
                device_key)
    arrived = chain[:3] + chain[4:7] + [fork] + chain[8:]   # 4 missing, 8 replaced
    random.Random(7).shuffle(arrived)
    runs = split_runs(arrived)
    assert [[e.header.seq for e in run] for run in runs] == [[1, 2, 3], [5, 6, 7], [8], [9, 10]]
    key = device_key.public_key()
    end = verify_run(runs[0], key, START)
    assert end.seq == 3
    with pytest.raises(ChainError, match="missing"):
        verify_run(runs[1], key, end)
    # Without an anchor a run is checked internally and by its own tail signature.
    assert verify_run(runs[1], key).seq == 7
    assert verify_run(runs[3], key).seq == 10
