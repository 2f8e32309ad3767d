"""A full disk or a read-only data folder: a clear error, and nothing already stored lost."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from kiosk_kit import KIOSK, PASSPHRASE, Folder, complaint

from kiosk.errors import StoreError
from kiosk.root import KioskServices
from kiosk.services import init_kiosk
from shared.clock import ManualClock


def _fill_disk(svc: KioskServices) -> None:
    """Cap the file at its current size, as a full disk would (SQLite then reports FULL)."""
    pages = svc.store.db.execute("PRAGMA page_count").fetchone()[0]
    svc.store.db.execute(f"PRAGMA max_page_count = {pages}")


def test_full_disk_gives_a_clear_error_and_loses_nothing(kiosk_dir: Path,
                                                         manual_clock: ManualClock) -> None:
    folder = Folder(kiosk_dir)
    with KioskServices.open(kiosk_dir, manual_clock) as svc:
        before = [svc.submit_complaint(complaint(i)) for i in range(5)]
        _fill_disk(svc)
        stored, error = 5, None
        for i in range(5, 500):  # the spare room of the last page fills up first
            try:
                svc.submit_complaint(complaint(i))
            except StoreError as exc:
                error = str(exc)
                break
            stored += 1
        assert error is not None
        assert "disk is full" in error
        assert "Nothing already stored was lost" in error
        # A batch that meets the full disk stores none of that batch and yields no receipt.
        with pytest.raises(StoreError):
            list(svc.intake.submit_many("complaint", [complaint(i) for i in range(600, 620)]))
        assert folder.verify_chain().seq == stored
        for r in before:
            assert svc.lookup_status(r["receipt_code"], r["pin"]) is not None
    # Room again (a fresh connection has no cap): intake continues with the next seq.
    with KioskServices.open(kiosk_dir, manual_clock) as svc:
        svc.submit_complaint(complaint(999))
    assert folder.verify_chain().seq == stored + 1
    assert folder.rows("SELECT count(*) FROM receipts") == [(stored + 1,)]


@contextmanager
def read_only_view(data: Path, tmp_path: Path) -> Iterator[Path]:
    """``data`` as the kiosk will see it on a read-only medium.

    As root (who writes through any file mode) this is a real read-only bind mount, like an
    SD card the kernel remounted read-only; as another user, the write bits are removed.
    """
    if os.geteuid() != 0:
        paths = [data, *data.iterdir()]
        for path in paths:
            path.chmod(path.stat().st_mode & ~0o222)
        try:
            yield data
        finally:
            for path in paths:
                path.chmod(path.stat().st_mode | 0o200)
        return
    view = tmp_path / "ro-view"
    view.mkdir()
    mounted = subprocess.run(["mount", "--bind", str(data), str(view)], capture_output=True)
    if mounted.returncode != 0:
        if os.environ.get("CI") == "true":
            pytest.fail(f"cannot bind-mount read-only: {mounted.stderr!r}")
        pytest.skip("root without mount privileges: cannot make a read-only folder")
    try:
        subprocess.run(["mount", "-o", "remount,bind,ro", str(view)], check=True,
                       capture_output=True)
        yield view
    finally:
        subprocess.run(["umount", str(view)], check=True, capture_output=True)


def test_read_only_folder_gives_a_clear_error_and_loses_nothing(
        tmp_path: Path, manual_clock: ManualClock, county_file: dict[str, Any]) -> None:
    data = tmp_path / "kiosk"
    init_kiosk(data, "S001", PASSPHRASE.encode(), manual_clock, county_file)
    with KioskServices.open(data, manual_clock) as svc:
        receipts = [svc.submit_complaint(complaint(i)) for i in range(3)]
    folder = Folder(data)
    before = folder.rows("SELECT seq, record_id, hash, envelope FROM outbox ORDER BY seq")

    with read_only_view(data, tmp_path) as view:
        out = subprocess.run([*KIOSK, "--data", str(view), "submit", "complaint", "--json",
                              "-"], capture_output=True, text=True,
                             input=json.dumps(complaint(50)))
    assert out.returncode == 3, out.stderr
    assert str(view / "kiosk.db") in out.stderr
    assert "Nothing already stored was lost" in out.stderr
    assert "Traceback" not in out.stderr
    assert out.stdout == ""

    assert folder.rows("SELECT seq, record_id, hash, envelope FROM outbox ORDER BY seq") == before
    assert folder.verify_chain().seq == 3
    with KioskServices.open(data, manual_clock) as svc:  # writable again: all still there
        for r in receipts:
            assert svc.lookup_status(r["receipt_code"], r["pin"]) is not None
        svc.submit_complaint(complaint(4))
    assert folder.verify_chain().seq == 4
