"""``shared.safefile``: new files beside planted links and files, bounded reads.

Real files, real symbolic and hard links, a real FIFO in a temporary folder standing for a
USB stick. Each refusal leaves whatever the planted link points at byte-identical.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from shared._errors import FileRefused
from shared.safefile import NewFile, is_png, read_limited, write_new


@pytest.fixture
def victim(tmp_path: Path) -> Path:
    """A file standing for server.db or a key: what a planted link points at."""
    path = tmp_path / "data" / "server.db"
    path.parent.mkdir()
    path.write_bytes(b"precious store bytes")
    return path


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".part"))


def test_new_file_is_private_fsynced_and_leaves_no_temporary(tmp_path: Path) -> None:
    path = write_new(tmp_path / "out.yzb", b"bundle")
    assert path.read_bytes() == b"bundle"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert _leftovers(tmp_path) == []


def test_a_symlink_at_the_destination_is_refused_and_its_target_untouched(
        tmp_path: Path, victim: Path) -> None:
    link = tmp_path / "out.yzb"
    link.symlink_to(victim)
    for force in (False, True):  # not even --force writes through or replaces a link
        with pytest.raises(FileRefused) as caught:
            write_new(link, b"garbage", force=force, replaceable=lambda _h: True)
        assert caught.value.code == "symlink"
        assert str(link) in str(caught.value)
    assert victim.read_bytes() == b"precious store bytes"
    assert link.is_symlink()
    assert _leftovers(tmp_path) == []


def test_a_dangling_symlink_is_refused_and_nothing_is_created_behind_it(tmp_path: Path) -> None:
    link = tmp_path / "out.yzb"
    link.symlink_to(tmp_path / "would-be-created")
    with pytest.raises(FileRefused):
        write_new(link, b"x")
    assert not (tmp_path / "would-be-created").exists()


def test_an_existing_file_is_refused_unless_forced_or_replaceable(tmp_path: Path) -> None:
    path = tmp_path / "report.jsonl"
    path.write_bytes(b"someone's file")
    with pytest.raises(FileRefused) as caught:
        write_new(path, b"new")
    assert caught.value.code == "exists"
    assert path.read_bytes() == b"someone's file"
    with pytest.raises(FileRefused):
        write_new(path, b"new", replaceable=is_png)  # it is not a PNG: refused
    write_new(path, b"new", force=True)
    assert path.read_bytes() == b"new"
    png = tmp_path / "qr.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\nold")
    write_new(png, b"\x89PNG\r\n\x1a\nnew", replaceable=is_png)
    assert png.read_bytes() == b"\x89PNG\r\n\x1a\nnew"


def test_replacing_a_hard_link_leaves_the_other_name_intact(tmp_path: Path,
                                                            victim: Path) -> None:
    planted = tmp_path / "out.yzb"
    os.link(victim, planted)  # the same inode as the store
    write_new(planted, b"new bytes", force=True)
    assert planted.read_bytes() == b"new bytes"
    assert victim.read_bytes() == b"precious store bytes"


def test_a_folder_or_fifo_at_the_destination_is_refused(tmp_path: Path) -> None:
    (tmp_path / "dir").mkdir()
    os.mkfifo(tmp_path / "fifo")
    for name in ("dir", "fifo"):
        with pytest.raises(FileRefused) as caught:
            write_new(tmp_path / name, b"x", force=True)
        assert caught.value.code == "not_regular"


def test_a_file_planted_while_writing_is_not_replaced(tmp_path: Path) -> None:
    path = tmp_path / "out.yzb"
    out = NewFile(path).open()
    out.write(b"ours")
    path.write_bytes(b"planted meanwhile")
    with pytest.raises(FileRefused) as caught:
        out.commit()
    assert caught.value.code == "exists"
    assert path.read_bytes() == b"planted meanwhile"
    assert _leftovers(tmp_path) == []


def test_an_exception_inside_the_block_leaves_nothing(tmp_path: Path) -> None:
    def failing_import() -> None:
        with NewFile(tmp_path / "out.yzb") as out:
            out.write(b"half")
            raise RuntimeError("the import failed")

    with pytest.raises(RuntimeError):
        failing_import()
    assert list(tmp_path.iterdir()) == []


def test_an_unwritable_folder_is_refused_naming_the_path(tmp_path: Path) -> None:
    with pytest.raises(FileRefused) as caught:
        write_new(tmp_path / "missing" / "out.yzb", b"x")
    assert caught.value.code == "unwritable"
    assert "missing" in str(caught.value)


def test_read_limited_refuses_pipes_devices_and_oversize(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "fifo")  # opening it must not wait for a writer
    for path in (tmp_path / "fifo", Path("/dev/zero"), tmp_path):
        with pytest.raises(FileRefused) as caught:
            read_limited(path, 1024)
        assert caught.value.code == "not_regular"
    big = tmp_path / "big"
    big.write_bytes(b"x" * 2048)
    with pytest.raises(FileRefused) as caught:
        read_limited(big, 1024)
    assert caught.value.code == "too_large"
    assert "1024" in str(caught.value)
    assert str(big) in str(caught.value)
    assert read_limited(big, 2048) == b"x" * 2048
    with pytest.raises(FileRefused) as caught:
        read_limited(tmp_path / "nope", 10)
    assert caught.value.code == "unreadable"
