"""Kiosk submit latency: the service layer beside raw SQLite commits, in the same run.

    python bench/kiosk_submit.py [--count 10000] [--dir DIR]

1. ``KioskServices.submit_complaint`` ``--count`` times on a fresh kiosk (validate, seal to
   two keys, sign, chain, one synchronous=FULL WAL commit, sign the receipt QR): p50/p90/p99/
   max latency and the process's peak RSS afterwards.
2. The same envelope bytes inserted into a bare SQLite table, one commit each, with the same
   pragmas (WAL, synchronous=FULL): the floor the disk sets.

Prints figures; asserts nothing (target from issue 3: service p99 under 5 ms).
"""

from __future__ import annotations

import argparse
import json
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from kiosk.root import KioskServices
from kiosk.services import init_kiosk
from shared.clock import SystemClock
from shared.keys import Recipient, b64u, raw_public

sys.path.insert(0, str(Path(__file__).parents[1] / "tests" / "kiosk"))
from kiosk_kit import complaint


def _pct(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _report(name: str, samples: list[float]) -> dict[str, float]:
    ms = [s * 1000 for s in samples]
    figures = {"n": len(ms), "mean_ms": statistics.fmean(ms), "p50_ms": _pct(ms, 50),
               "p90_ms": _pct(ms, 90), "p99_ms": _pct(ms, 99), "max_ms": max(ms)}
    print(f"{name:<28} n={figures['n']:<6} p50={figures['p50_ms']:.3f} ms  "
          f"p90={figures['p90_ms']:.3f} ms  p99={figures['p99_ms']:.3f} ms  "
          f"max={figures['max_ms']:.3f} ms  mean={figures['mean_ms']:.3f} ms")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--dir", type=Path, default=None,
                        help="folder on the disk to measure (default: a temporary folder)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        root = Path(tmp)
        county = {"county": "bench", "server_key": b64u(raw_public(
                      Ed25519PrivateKey.generate().public_key())),
                  "keys": [Recipient.of(X25519PrivateKey.generate().public_key()).to_wire()]}
        clock = SystemClock()
        init_kiosk(root / "kiosk", "BENCH", b"bench-passphrase", clock, county)
        records = [complaint(i) for i in range(args.count)]
        service: list[float] = []
        with KioskServices.open(root / "kiosk", clock) as svc:
            for record in records:
                start = time.perf_counter()
                svc.submit_complaint(record)
                service.append(time.perf_counter() - start)
            envelopes = [i.envelope for i in svc.outbox.pending(limit=args.count)]
        peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

        conn = sqlite3.connect(root / "raw.db", isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("CREATE TABLE outbox (seq INTEGER PRIMARY KEY, envelope BLOB NOT NULL)")
        raw: list[float] = []
        for seq, env in enumerate(envelopes, start=1):
            start = time.perf_counter()
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO outbox (seq, envelope) VALUES (?, ?)", (seq, env))
            conn.execute("COMMIT")
            raw.append(time.perf_counter() - start)
        conn.close()

    print(f"kiosk submit benchmark: {args.count} complaints, "
          f"mean envelope {statistics.fmean(len(e) for e in envelopes):.0f} bytes")
    figures = {"service": _report("service submit_complaint", service),
               "raw_sqlite": _report("raw SQLite commit (same B)", raw),
               "peak_rss_mb": round(peak_rss_mb, 1)}
    print(f"peak RSS after the service run: {peak_rss_mb:.1f} MB")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
