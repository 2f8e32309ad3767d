"""Bytes on the wire for a kiosk's sync, beside what the records themselves compress to.

A real county server process, a kiosk store with N records (default 2,000), one sync through
a counting proxy on 127.0.0.1. Prints bytes per record up and down, requests per batch, the
same records' zlib(canonical payload) (per record, and all together) and their sealed
envelope sizes, then a no-op sync's requests and bytes (goal: one request, under 1 KB).

    python bench/sync_wire.py [--records 2000]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kiosk.root import KioskServices
from kiosk.services import init_kiosk
from kiosk.sync.client import BatchSizer
from kiosk.sync.once import sync_once
from shared.canonical import canonical_bytes
from shared.clock import SystemClock
from shared.records import parse_record
from tests.kiosk.kiosk_kit import complaint, jobseeker
from tests.sync.faultproxy import FaultProxy
from tests.sync_server.server_kit import ServerProcess, server_cli


def records(n: int) -> list[tuple[str, dict]]:
    return [("jobseeker", jobseeker(i)) if i % 5 == 4 else ("complaint", complaint(i))
            for i in range(n)]


def enrolled_kiosk(root: Path, county: Path, url: str) -> Path:
    token = json.loads(server_cli("enroll-token", "--station", "B001", "--data", str(county),
                                  "--json").stdout)["token"]
    data = root / "kiosk"
    init_kiosk(data, "B001", b"staff-passphrase-42", SystemClock(), None)
    with KioskServices.open(data) as services:
        services.enroll(url, token)
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=2000)
    args = parser.parse_args()
    recs = records(args.records)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        county = root / "county"
        server_cli("init", "--county", "bench", "--no-passphrase", "--data", str(county))
        with ServerProcess(county) as server:
            data = enrolled_kiosk(root, county, server.url)
            with KioskServices.open(data) as services:
                for kind, rec in recs:
                    getattr(services, f"submit_{kind}")(rec)
                envelope_bytes = sum(len(i.envelope)
                                     for i in services.outbox.unacknowledged(10**9))
                with FaultProxy(server.port, seed=0, fault_rate=0.0) as proxy:
                    summary = sync_once(services, server_url=proxy.url,
                                        sizer=BatchSizer(initial=500, maximum=500))
                    first = (proxy.bytes_up, proxy.bytes_down, sum(proxy.requests.values()),
                             proxy.requests["/v1/push"])
                    sync_once(services, server_url=proxy.url)
                    noop = (proxy.bytes_up - first[0], proxy.bytes_down - first[1],
                            sum(proxy.requests.values()) - first[2])
    n = args.records
    per_record = [zlib.compress(canonical_bytes(parse_record(k, r).to_wire()), 6)
                  for k, r in recs]
    together = zlib.compress(b"\n".join(canonical_bytes(parse_record(k, r).to_wire())
                                        for k, r in recs), 9)
    up, down, requests, pushes = first
    print(f"records: {n} ({summary.acknowledged} acknowledged)")
    print(f"sync: {requests} requests ({pushes} push, {requests - pushes} changes); "
          f"{n / max(pushes, 1):.0f} records per push request")
    print(f"  up   {up:>10,} B  = {up / n:7.1f} B/record")
    print(f"  down {down:>10,} B  = {down / n:7.1f} B/record")
    print("baselines, same records, same run:")
    print(f"  sealed envelopes (county + station recipients) {envelope_bytes / n:7.1f} B/record")
    print(f"  zlib(canonical record), one by one             "
          f"{sum(map(len, per_record)) / n:7.1f} B/record")
    print(f"  zlib -9 of all records together                {len(together) / n:7.1f} B/record")
    print(f"  upload overhead vs per-record zlib: {up / sum(map(len, per_record)):.2f}x")
    print(f"no-op sync: {noop[2]} request(s), {noop[0]} B up + {noop[1]} B down = "
          f"{noop[0] + noop[1]} B (goal: 1 request, under 1,024 B)")


if __name__ == "__main__":
    main()
