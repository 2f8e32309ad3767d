"""How fast envelopes seal, verify and open, beside raw HPKE on the same machine, same run.

    python bench/envelope.py [--seconds 1.0] [--chain 1000]

Measures, for one intake payload of about 1.5 KB of canonical JSON:

* ``seal``: canonical encoding + zlib + AES-256-GCM + HPKE wrap per recipient + Ed25519 sign;
* ``parse+verify+open``: what the server does with each envelope it receives;
* raw HPKE single-shot ``Suite.encrypt`` / ``Suite.decrypt`` of the same plaintext bytes, the
  floor any hybrid-encryption format pays;
* ``verify_run`` over a chain: a signature per record versus the tail signature only.

Prints figures and the machine's details; asserts nothing. Single-threaded.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from collections.abc import Callable
from typing import Any

import cryptography
from cryptography.hazmat.backends.openssl.backend import backend as openssl_backend
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from shared import (
    GENESIS,
    START,
    Envelope,
    EnvelopeHeader,
    Keyring,
    Recipient,
    open_,
    seal,
    verify,
    verify_run,
)
from shared.canonical import canonical_bytes
from shared.envelope import SUITE
from shared.keys import device_id_of


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def payload(n: int) -> dict[str, Any]:
    """An intake payload whose canonical form is about 1.5 KB."""
    return {
        "kind": "complaint", "station": "S001", "ticket": "A023", "notes": [],
        "filed_at": "2026-11-21T02:00:00.000Z",
        "receipt": {"code": "7M3QX9TR2W9", "pin_verifier": "a7" * 32},
        "record": {
            "matter_type": "wage_arrears",
            "claimant": {"name": "张三", "id_number": "11010519491231002X",
                         "phone": "13800138000", "conceal_identity": False},
            "employer": {"name": "某某建筑劳务有限公司", "uscc": "91350100M000100Y43",
                         "address": "湖北省随州市曾都区某某路88号"},
            "amount_claimed_fen": 1250000 + n,
            "period": {"start": "2026-03-01", "end": "2026-08-31"},
            "coworkers_affected": 12,
            "description": ("本人自2026年3月起在该工地从事钢筋工作，老板以工程款未结为由"
                            "拖欠六个月工资，多次讨要未果，工友十二人情况相同。") * 5,
            "preferred_handling": "mediation", "consent": True},
    }


def rate(fn: Callable[[], object], seconds: float) -> tuple[float, int]:
    """Operations per second of ``fn`` over about ``seconds`` (after a short warm-up)."""
    for _ in range(20):
        fn()
    count, start = 0, time.perf_counter()
    deadline = start + seconds
    while True:
        for _ in range(50):
            fn()
        count += 50
        now = time.perf_counter()
        if now >= deadline:
            return count / (now - start), count


def line(name: str, ops: float, count: int, unit: str = "op") -> None:
    print(f"  {name:<44} {ops:>10,.0f} {unit}/s   {1e6 / ops:>8.1f} µs/{unit}   (n={count})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=1.0, help="time per measurement")
    parser.add_argument("--chain", type=int, default=1000, help="envelopes in the chain test")
    args = parser.parse_args()

    county = Keyring([X25519PrivateKey.generate()])
    station_key = X25519PrivateKey.generate()
    station = Recipient.of(station_key.public_key())
    device_key = Ed25519PrivateKey.generate()
    device = device_id_of(device_key.public_key())
    device_pub = device_key.public_key()
    keys = dict(county.private_keys)

    def header(seq: int, prev: str, to: tuple[str, ...]) -> EnvelopeHeader:
        return EnvelopeHeader("complaint", f"01KAJ27J80ABCDEFGHJK{seq:06d}", device, "S001",
                              seq, prev, "2026-11-21T02:00:00.000Z",
                              f"0001763690400000.{seq % 1000000:06d}.{device}", to)

    body = payload(0)
    plain = canonical_bytes(body)
    one = [county.newest()]
    two = [county.newest(), station]
    h1 = header(1, GENESIS, (one[0].kid,))
    h2 = header(1, GENESIS, (one[0].kid, station.kid))
    sample = seal(body, h1, one, device_key)

    print("yizhan envelope benchmark")
    print(f"  machine   {cpu_model()}, {os.cpu_count()} logical CPUs, {platform.machine()}")
    print(f"  system    {platform.platform()}")
    print(f"  python    {platform.python_implementation()} {platform.python_version()}")
    print(f"  crypto    cryptography {cryptography.__version__}, "
          f"{openssl_backend.openssl_version_text()}")
    print(f"  record    {len(plain)} bytes canonical JSON -> envelope {len(sample.raw)} bytes "
          f"(1 recipient), {len(seal(body, h2, two, device_key).raw)} bytes (2 recipients)")
    print()

    print("per record, one core:")
    ops, n = rate(lambda: SUITE.encrypt(plain, one[0].public_key, info=b"bench"),
                  args.seconds)
    line("raw HPKE single-shot encrypt (same bytes)", ops, n)
    wrapped = SUITE.encrypt(plain, one[0].public_key, info=b"bench")
    county_sk = keys[one[0].kid]
    ops, n = rate(lambda: SUITE.decrypt(wrapped, county_sk, info=b"bench"), args.seconds)
    line("raw HPKE single-shot decrypt (same bytes)", ops, n)
    ops, n = rate(lambda: seal(body, h1, one, device_key), args.seconds)
    line("seal (county only, signed)", ops, n)
    ops, n = rate(lambda: seal(body, h2, two, device_key), args.seconds)
    line("seal (county + station, signed)", ops, n)
    raw = sample.raw

    def receive() -> None:
        env = Envelope.from_bytes(raw)
        verify(env, device_pub)
        open_(env, keys)

    ops, n = rate(receive, args.seconds)
    line("parse + verify + open", ops, n)
    ops, n = rate(lambda: open_(Envelope.from_bytes(raw), keys), args.seconds)
    line("parse + open (signature checked per run)", ops, n)
    ops, n = rate(lambda: verify(sample, device_pub), args.seconds)
    line("verify (one Ed25519 signature)", ops, n)
    print()

    chain: list[Envelope] = []
    prev = GENESIS
    for seq in range(1, args.chain + 1):
        env = seal(payload(seq), header(seq, prev, (one[0].kid,)), one, device_key)
        chain.append(env)
        prev = env.hash
    chain_bytes = [e.raw for e in chain]

    def per_record() -> None:
        for env in chain:
            verify(env, device_pub)
        verify_run(chain, device_pub, START)

    def tail_only() -> None:
        verify_run(chain, device_pub, START)

    def ingest_tail_only() -> None:
        envs = [Envelope.from_bytes(b) for b in chain_bytes]
        verify_run(envs, device_pub, START)
        for env in envs:
            open_(env, keys)

    print(f"chain of {args.chain} envelopes from one device (records/s):")
    for name, fn in (("verify_run, signature on every record", per_record),
                     ("verify_run, tail signature only", tail_only),
                     ("parse + verify_run (tail) + open, whole run", ingest_tail_only)):
        runs_per_s, n = whole_calls_rate(fn, args.seconds)
        line(name, runs_per_s * args.chain, n * args.chain, "rec")


def whole_calls_rate(fn: Callable[[], object], seconds: float) -> tuple[float, int]:
    """Like ``rate``, for calls that each take a noticeable fraction of a second."""
    fn()
    count, start = 0, time.perf_counter()
    while True:
        fn()
        count += 1
        now = time.perf_counter()
        if now - start >= seconds:
            return count / (now - start), count


if __name__ == "__main__":
    main()
