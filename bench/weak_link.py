"""Sync over a weak link: 64 kbit/s, 500 ms round trip, some loss, against the bandwidth bound.

A real county server process; the kiosk syncs N records (default 300) through a proxy that
shapes the link in-process (one 8,000 B/s pipe each way, 250 ms one-way delay) and drops a
share of requests (default 10 %, before or after the server commits: a lossy link as the
application sees it). Prints the time taken beside the bound for the same bytes (bytes /
rate + one round trip per request), the requests, the retries and the final batch size the
client settled on.

    python bench/weak_link.py [--records 300] [--loss 0.1] [--seed 3]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.sync_wire import enrolled_kiosk, records
from kiosk.root import KioskServices
from kiosk.sync.client import BatchSizer
from kiosk.sync.errors import TransientError
from kiosk.sync.once import sync_once
from tests.sync.faultproxy import FaultProxy
from tests.sync_server.server_kit import ServerProcess, server_cli

RATE = 64_000 / 8  # bytes per second, each way
ONE_WAY = 0.25     # seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=300)
    parser.add_argument("--loss", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        county = root / "county"
        server_cli("init", "--county", "bench", "--no-passphrase", "--data", str(county))
        with ServerProcess(county) as server:
            data = enrolled_kiosk(root, county, server.url)
            with KioskServices.open(data) as services:
                for kind, rec in records(args.records):
                    getattr(services, f"submit_{kind}")(rec)
                sizer = BatchSizer()
                proxy = FaultProxy(server.port, args.seed, fault_rate=args.loss,
                                   weights={"drop_before": 1, "drop_after": 1},
                                   rate_bytes_s=RATE, one_way_delay_s=ONE_WAY)
                retries = 0
                with proxy:
                    started = time.monotonic()
                    while True:
                        try:
                            sync_once(services, server_url=proxy.url, sizer=sizer,
                                      timeout_s=120)
                            break
                        except TransientError as exc:
                            print(f"  retry after: {exc}", file=sys.stderr)
                            retries += 1  # the CLI would back off; the bench retries at once
                    elapsed = time.monotonic() - started
                left = services.outbox_counts()
    requests = sum(proxy.requests.values())
    bound = (proxy.bytes_up + proxy.bytes_down) / RATE + requests * 2 * ONE_WAY
    ideal = (proxy.bytes_up + proxy.bytes_down) / RATE
    print(f"link: {RATE * 8 / 1000:.0f} kbit/s each way, {2 * ONE_WAY * 1000:.0f} ms RTT, "
          f"{args.loss:.0%} of requests dropped (seed {args.seed})")
    print(f"records: {args.records}; outbox after: pending {left['pending']}, "
          f"sent {left['sent']}, acknowledged {left['acknowledged']}")
    print(f"bytes: {proxy.bytes_up:,} up, {proxy.bytes_down:,} down "
          f"({(proxy.bytes_up + proxy.bytes_down) / args.records:.0f} B/record)")
    print(f"requests: {requests} ({dict(proxy.requests)}), faults {dict(proxy.counts)}, "
          f"client retries {retries}, final batch size {sizer.size}")
    print(f"time: {elapsed:.1f} s; bound for these bytes and requests {bound:.1f} s "
          f"(bytes alone {ideal:.1f} s); efficiency {bound / elapsed:.0%}")


if __name__ == "__main__":
    main()
