"""``yizhan-kiosk submit --qr-png PATH`` never writes through a planted link, and refuses it
before any record is stored (a real ``yizhan-kiosk`` process on an enrolled kiosk folder)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from kiosk_kit import KIOSK, complaint


def _kiosk(data: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([*KIOSK, "--data", str(data), *args], input=stdin,
                          capture_output=True, text=True, encoding="utf-8", timeout=120,
                          check=False)


def test_a_link_at_the_qr_path_is_refused_before_anything_is_stored(kiosk_dir: Path,
                                                                     tmp_path: Path) -> None:
    key = kiosk_dir / "device-key.pem"
    before = key.read_bytes()
    link = tmp_path / "receipt.png"
    link.symlink_to(key)
    form = json.dumps(complaint(0), ensure_ascii=False)
    done = _kiosk(kiosk_dir, "submit", "complaint", "--json", "-", "--qr-png", str(link),
                  stdin=form)
    assert key.read_bytes() == before
    assert done.returncode == 3
    assert "receipt.png is a symbolic link" in done.stderr
    assert json.loads(_kiosk(kiosk_dir, "outbox", "--json").stdout)["pending"] == 0
    # an earlier receipt PNG at the name is replaced; someone's other file is not
    link.unlink()
    assert _kiosk(kiosk_dir, "submit", "complaint", "--json", "-", "--qr-png", str(link),
                  stdin=form).returncode == 0
    first = link.read_bytes()
    assert _kiosk(kiosk_dir, "submit", "complaint", "--json", "-", "--qr-png", str(link),
                  stdin=json.dumps(complaint(1), ensure_ascii=False)).returncode == 0
    assert link.read_bytes() != first
    notes = tmp_path / "notes.png"
    notes.write_text("not a picture")
    done = _kiosk(kiosk_dir, "submit", "complaint", "--json", "-", "--qr-png", str(notes),
                  stdin=form)
    assert done.returncode == 3
    assert "already exists" in done.stderr
    assert notes.read_text() == "not a picture"
    assert json.loads(_kiosk(kiosk_dir, "outbox", "--json").stdout)["pending"] == 2


def test_enroll_token_qr_reads_only_a_regular_picture_file(kiosk_dir: Path,
                                                           tmp_path: Path) -> None:
    import os

    fifo = tmp_path / "token.png"
    os.mkfifo(fifo)  # opening it for reading used to wait for a writer for ever
    huge = tmp_path / "huge.png"
    with open(huge, "wb") as fh:
        fh.truncate(21 << 20)  # sparse: over the 20 MiB picture limit
    for path, says in ((fifo, "is not a regular file"), (huge, "the limit is")):
        done = subprocess.run([*KIOSK, "--data", str(kiosk_dir), "enroll", "--server",
                               "http://127.0.0.1:9", "--token-qr", str(path)],
                              capture_output=True, text=True, timeout=60, check=False)
        assert done.returncode == 3, done.stderr
        assert str(path) in done.stderr
        assert says in done.stderr
