"""Peak memory of ``yizhan-server import-bundle``: a genuine USB bundle beside a gzip bomb.

The bomb is a ~500 KB gzip file of zero bytes inflating to ``--bomb-mib`` MiB (default 500,
just under the 512 MiB cap the old reader had). Each import runs as its own process; its
peak RSS comes from ``os.wait4`` (that process alone). The genuine bundle is the baseline
from the same run: what an import needs anyway.

    python bench/bundle_memory.py [--records 2000] [--bomb-mib 500]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from shared.clock import SystemClock
from shared.keys import Recipient
from sync_server.config.settings import Settings
from sync_server.store import devices as dq
from sync_server.store import make_engine
from tests.sync_server.server_kit import TestKiosk, complaint, server_cli


def _bomb(path: Path, mib: int) -> None:
    deflate = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    chunk = bytes(1 << 20)
    with open(path, "wb") as fh:
        for _ in range(mib):
            fh.write(deflate.compress(chunk))
        fh.write(deflate.flush())


def _genuine(county: Path, path: Path, records: int) -> None:
    """A bundle of ``records`` complaints from a device enrolled straight into the store."""
    import json

    kiosk = TestKiosk(SystemClock())
    public = json.loads((county / "county-public.json").read_text("utf-8"))
    kiosk.recipients = [Recipient.from_wire(public["keys"][-1])]
    engine = make_engine(Settings(data_dir=county).database_url)
    with engine.begin() as conn:
        dq.enroll(conn, kiosk.device_id, kiosk.public_key, kiosk.station, 0)
    engine.dispose()
    path.write_bytes(kiosk.bundle([kiosk.file(record=complaint(n, employer=n % 50))
                                   for n in range(records)]))


def _import(county: Path, path: Path) -> tuple[int, float, float, str]:
    """(exit status, seconds, peak RSS MiB, last stderr line) of one import-bundle process."""
    started = time.perf_counter()
    proc = subprocess.Popen(["yizhan-server", "import-bundle", str(path), "--data",
                             str(county), "--force"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    assert proc.stderr is not None
    with proc.stderr:
        err = proc.stderr.read().decode("utf-8", "replace").strip().splitlines()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, time.perf_counter() - started, usage.ru_maxrss / 1024, \
        (err[-1] if err else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=2000)
    parser.add_argument("--bomb-mib", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        county = Path(tmp) / "county"
        server_cli("init", "--county", "bench", "--data", str(county))
        genuine, bomb = Path(tmp) / "genuine.yzb", Path(tmp) / "bomb.yzb"
        _genuine(county, genuine, args.records)
        _bomb(bomb, args.bomb_mib)
        print(f"{'bundle':<34} {'file bytes':>11} {'exit':>4} {'seconds':>8} "
              f"{'peak RSS MiB':>12}")
        for name, path in ((f"genuine, {args.records} records", genuine),
                           (f"gzip bomb, {args.bomb_mib} MiB of zeros", bomb)):
            status, seconds, rss, last = _import(county, path)
            print(f"{name:<34} {path.stat().st_size:>11,} {status:>4} {seconds:>8.2f} "
                  f"{rss:>12.0f}")
            print(f"    {last[:150]}")


if __name__ == "__main__":
    main()
