"""One CPU-time measurement for ``bench/ingest.py --cpu``, run by it in a fresh process
with the code of one tree (the working tree, or a git revision extracted for comparison).

    python bench/ingest_cpu.py TREE WORKDIR BATCH

WORKDIR holds ``county/`` (a county data folder, no passphrase) and ``envelopes.json`` (the
device id, its public key, its station and its envelopes in base64). The envelopes go
through ``Ingestor.push`` in batches of BATCH into a fresh SQLite store (synchronous=FULL,
as served); prints the CPU microseconds per record (``time.process_time()``). Only the
APIs every revision since the bench began has are used, so old code runs it too.
"""

from __future__ import annotations

import base64
import contextlib
import inspect
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path


def main() -> int:
    tree, work, batch = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
    sys.path.insert(0, tree)
    from shared.clock import SystemClock
    from sync_server.config.settings import Settings
    from sync_server.services import wiring as service
    from sync_server.store import devices as dq

    spec = json.loads((work / "envelopes.json").read_text())
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "county"
        shutil.copytree(work / "county", data)
        svc = service.Services.open(
            Settings(data_dir=data, db_url=f"sqlite:///{data / 'cpu.db'}"), SystemClock())
        with svc.engine.begin() as conn:
            dq.enroll(conn, spec["device_id"], spec["public_key"], spec["station"], 0)
        # what the serving app does once started (revisions before it did nothing)
        aside = getattr(service, "startup_objects_set_aside", contextlib.nullcontext)
        with aside():
            raws = [base64.b64decode(e) for e in spec["envelopes"]]
            accepted = 0
            push = svc.ingestor.push
            # revisions before issue 12 took the device's station as well (unused)
            station = [spec["station"]] if "station" in inspect.signature(push).parameters \
                else []
            started = time.process_time()
            for start in range(0, len(raws), batch):
                result = push(spec["device_id"], *station, raws[start:start + batch])
                accepted += sum(r["status"] == "accepted" for r in result.results)
            cpu = time.process_time() - started
        svc.close()
    if accepted != len(raws):
        raise SystemExit(f"{tree}: only {accepted} of {len(raws)} records accepted")
    print(f"{cpu / len(raws) * 1e6:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
