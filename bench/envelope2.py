"""Envelope v2 beside v1, same records, same run: bytes per record and CPU per record.

For N complaints (default 5,000; the records of bench/peer.py, as intake payloads with a
random receipt code and PIN verifier) prints, per record:

* the sealed size: v1 envelope (two HPKE wraps, JSON header, zlib) and v2 record (ratchet key,
  binary header, zstd + dictionary), plus v2's epoch message once;
* the push body per record: v1 (JSON, base64url, gzip -6, as kiosk/sync/client.py sends it)
  and v2 (shared/wire2.py, prev left out; raw and zstd -3);
* kiosk CPU to seal, county CPU to verify a run (one signature) and open every record.

    python bench/envelope2.py [--records 5000]
"""

from __future__ import annotations

import argparse
import base64
import gzip
import itertools
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import zstandard
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from shared import envelope2 as e2
from shared import wire2
from shared.envelope import START, Envelope, EnvelopeHeader, open_, seal, verify_run
from shared.keys import Keyring, device_id_of
from shared.records import parse_record
from tests.kiosk.kiosk_kit import complaint

CREATED = "2026-11-30T00:40:00.123Z"


def payloads(n: int) -> list[dict[str, Any]]:
    return [{"kind": "complaint", "record": parse_record("complaint", complaint(i)).to_wire(),
             "receipt": {"code": "7M3QX9TR2W9", "pin_verifier": os.urandom(32).hex()},
             "filed_at": CREATED, "station": "B001", "ticket": None, "notes": []}
            for i in range(n)]


def rid(i: int) -> str:
    return f"01KB{i:022d}"[:26]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=5000)
    args = parser.parse_args()
    n = args.records
    pls = payloads(n)
    keyring = Keyring([X25519PrivateKey.generate()])
    station = Keyring([X25519PrivateKey.generate()])
    recips = [*keyring.recipients(), *station.recipients()]
    dkey = Ed25519PrivateKey.generate()
    device = device_id_of(dkey.public_key())

    t0 = time.perf_counter()
    v1: list[Envelope] = []
    prev = START.hash
    for i, p in enumerate(pls):
        h = EnvelopeHeader("complaint", rid(i), device, "B001", i + 1, prev, CREATED,
                           f"0001795226400000.{i:06d}.{device}", tuple(r.kid for r in recips))
        env = seal(p, h, recips, dkey)
        prev = env.hash
        v1.append(env)
    t1 = time.perf_counter()
    sealer = e2.Sealer(device, CREATED, recips, dkey)
    v2: list[e2.Record] = []
    prevb = bytes(32)
    for i, p in enumerate(pls):
        rec = sealer.seal(p, kind="complaint", record_id=rid(i), station="B001", seq=i + 1,
                          prev=prevb, created=CREATED, hlc=f"0001795226400000.{i:06d}.{device}")
        prevb = bytes.fromhex(rec.hash)
        v2.append(rec)
    t2 = time.perf_counter()

    pub = dkey.public_key()
    t3 = time.perf_counter()
    parsed1 = [Envelope.from_bytes(e.raw) for e in v1]
    verify_run(parsed1, pub, START)
    for e in parsed1:
        open_(e, keyring.private_keys)
    t4 = time.perf_counter()
    epoch = e2.Epoch.from_bytes(sealer.epoch.raw)
    epoch.verify(pub)
    opener = e2.Opener(epoch, keyring.private_keys)
    parsed2 = [e2.Record.from_bytes(r.raw) for r in v2]
    for a, b in itertools.pairwise(parsed2):  # the chain links, then one signature
        if b.prev != bytes.fromhex(a.hash) or b.seq != a.seq + 1:
            raise SystemExit("chain broken")
    parsed2[-1].verify(pub)
    for r in parsed2:
        opener.open(r)
    t5 = time.perf_counter()

    body1 = gzip.compress(json.dumps({"envelopes": [
        base64.urlsafe_b64encode(e.raw).rstrip(b"=").decode() for e in v1],
        "acked_head": 0}).encode(), compresslevel=6, mtime=0)
    body2 = wire2.encode_push([r.raw for r in v2], [sealer.epoch.raw])
    body2z = zstandard.ZstdCompressor(level=3).compress(body2)
    assert wire2.decode_push(body2).records == tuple(r.raw for r in v2)

    def per(x: float) -> str:
        return f"{x / n:8.1f}"

    print(f"records: {n} complaints; canonical payload {per(sum(len(json.dumps(p, ensure_ascii=False).encode()) for p in pls))} B")  # noqa: E501
    print("sealed size per record (B):")
    print(f"  v1 envelope                        {per(sum(len(e.raw) for e in v1))}")
    print(f"  v2 record                          {per(sum(len(r.raw) for r in v2))}"
          f"   (+ one epoch message of {len(sealer.epoch.raw)} B)")
    print("push body per record (B):")
    print(f"  v1 JSON + base64url + gzip -6      {per(len(body1))}")
    print(f"  v2 binary, prev left out           {per(len(body2))}")
    print(f"  v2 binary, prev left out, zstd -3  {per(len(body2z))}")
    print("CPU per record (µs):")
    print(f"  kiosk seal      v1 {(t1 - t0) / n * 1e6:7.0f}   v2 {(t2 - t1) / n * 1e6:7.0f}")
    print(f"  county open+run v1 {(t4 - t3) / n * 1e6:7.0f}   v2 {(t5 - t4) / n * 1e6:7.0f}")


if __name__ == "__main__":
    main()
