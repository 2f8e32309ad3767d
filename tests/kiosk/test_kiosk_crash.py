"""Crash safety: SIGKILL a real ``yizhan-kiosk submit`` at random points, again and again.

After every kill: each receipt the process had printed names a record in the outbox, the
chain verifies with one signature (``verify_run``), no row is half-written (outbox, receipts
and chain head agree), and the next process continues with the next seq. Runs:
``YIZHAN_KILL_RUNS`` (default 50); seed: ``YIZHAN_KILL_SEED`` (printed on failure).
"""

from __future__ import annotations

import json
import os
import queue
import random
import secrets
import subprocess
import threading
import time
from pathlib import Path
from typing import IO, Any

from kiosk_kit import KIOSK, PASSPHRASE, Folder, complaint, write_json

RUNS = int(os.environ.get("YIZHAN_KILL_RUNS", "50"))
RECORDS_PER_RUN = 30


def _reader(stream: IO[bytes], lines: queue.Queue[bytes | None]) -> None:
    for line in iter(stream.readline, b""):
        lines.put(line)
    lines.put(None)


def _printed(lines: list[bytes]) -> list[dict[str, Any]]:
    # A line is printed only when complete; a torn last line was never shown to anyone.
    return [json.loads(line) for line in lines if line.endswith(b"\n")]


def _one_run(data: Path, rng: random.Random, first: int) -> tuple[list[dict[str, Any]], bool]:
    """Start a submit process, kill it at a random point; returns (printed, was_killed)."""
    batch = rng.choice([1, 2, 3, 5, 8])
    proc = subprocess.Popen([*KIOSK, "--data", str(data), "submit", "complaint", "--json", "-",
                             "--batch", str(batch)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert proc.stdin
    assert proc.stdout
    proc.stdin.write(b"".join(json.dumps(complaint(first + i)).encode() + b"\n"
                              for i in range(RECORDS_PER_RUN)))
    proc.stdin.close()
    lines: queue.Queue[bytes | None] = queue.Queue()
    reader = threading.Thread(target=_reader, args=(proc.stdout, lines), daemon=True)
    reader.start()
    got: list[bytes] = []
    if rng.random() < 0.25:
        # Fault timing, not synchronisation: land anywhere from start-up to the first batches.
        time.sleep(rng.uniform(0.0, 0.6))
    else:
        # Leave at least one more batch (the largest is 8) for the kill to interrupt.
        want, deadline = rng.randint(0, RECORDS_PER_RUN - 10), time.monotonic() + 30
        while len(got) < want:
            line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
            if line is None:
                break
            got.append(line)
    proc.kill()
    proc.wait(timeout=30)
    reader.join(timeout=30)
    proc.stdout.close()
    while (line := lines.get_nowait() if not lines.empty() else None) is not None:
        got.append(line)  # written to the pipe before the kill: it was printed
    return _printed(got), proc.returncode != 0


def _check_folder(folder: Folder, printed: dict[str, dict[str, Any]], head: int, seed: int
                  ) -> int:
    end = folder.verify_chain()  # parses every envelope, seqs 1..n, one signature check
    outbox = dict(folder.rows("SELECT record_id, hash FROM outbox"))
    receipts = {rid: (code, digest) for code, rid, digest in
                folder.rows("SELECT code, record_id, envelope_hash FROM receipts")}
    chain = folder.rows("SELECT seq, hash FROM chain")
    ctx = f"(seed {seed})"
    assert end.seq >= head, f"chain shrank from {head} to {end.seq} {ctx}"
    assert len(outbox) == len(receipts) == end.seq, f"half-written rows {ctx}"
    assert chain == ([(end.seq, end.hash)] if end.seq else []), f"chain head out of step {ctx}"
    for rid, receipt in printed.items():
        assert rid in outbox, f"printed receipt {receipt['receipt_code']} lost {ctx}"
        assert receipts[rid] == (receipt["receipt_code"], outbox[rid]), ctx
    return end.seq


def test_sigkill_during_submissions_loses_no_printed_receipt(tmp_path: Path,
                                                             county_file: dict[str, Any]
                                                             ) -> None:
    seed = int(os.environ.get("YIZHAN_KILL_SEED", secrets.randbits(32)))
    rng = random.Random(seed)
    data = tmp_path / "kiosk"
    subprocess.run([*KIOSK, "--data", str(data), "init", "--station", "S001", "--county-public",
                    str(write_json(tmp_path / "county.json", county_file))],
                   env={**os.environ, "YIZHAN_STAFF_PASSPHRASE": PASSPHRASE}, check=True,
                   capture_output=True)
    folder = Folder(data)
    printed: dict[str, dict[str, Any]] = {}
    head, killed, interrupted = 0, 0, 0
    for run in range(RUNS):
        shown, was_killed = _one_run(data, rng, run * RECORDS_PER_RUN)
        printed.update((r["record_id"], r) for r in shown)
        new_head = _check_folder(folder, printed, head, seed)
        killed += was_killed
        interrupted += head < new_head < head + RECORDS_PER_RUN  # killed mid-stream
        head = new_head

    # The kills really landed in the middle of the work, not before or after it.
    assert killed >= RUNS // 2, f"only {killed} of {RUNS} runs were killed (seed {seed})"
    assert interrupted >= RUNS // 4, f"only {interrupted} kills landed mid-stream (seed {seed})"
    # And intake goes on with the next seq.
    out = subprocess.run([*KIOSK, "--data", str(data), "submit", "complaint", "--json", "-"],
                         input=json.dumps(complaint(99_999)), capture_output=True, text=True,
                         check=True)
    receipt = json.loads(out.stdout)
    envs = folder.envelopes()
    assert envs[-1].header.seq == head + 1
    assert envs[-1].header.id == receipt["record_id"]
    assert folder.verify_chain().seq == head + 1
