"""The committed pinyin index is what scripts/build_ime_index.py makes from the pinned sources,
and a broken index fails loudly with the project's error."""

from __future__ import annotations

import gzip
import hashlib
import json
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

from kiosk.input import IndexInvalid, PinyinEngine
from kiosk.input.index import default_index_path

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = ROOT / "scripts" / "build_ime_index.py"


def test_manifest_checksum_matches_the_committed_index() -> None:
    path = default_index_path()
    manifest = json.loads(path.with_name("pinyin.json").read_text("utf-8"))
    text = gzip.decompress(path.read_bytes())
    assert hashlib.sha256(text).hexdigest() == manifest["sha256"]
    assert manifest["format"] == text.decode("utf-8").split("\n", 1)[0]


def test_manifest_names_the_installed_sources() -> None:
    manifest = json.loads(default_index_path().with_name("pinyin.json").read_text("utf-8"))
    assert manifest["jieba"] == metadata.version("jieba")
    assert manifest["pypinyin"] == metadata.version("pypinyin")


def test_index_is_what_the_script_makes() -> None:
    # Rebuild from jieba + pypinyin (the ime-build extra; dev installs them too) and compare
    # with the committed file: --check exits 1 and says "stale" if they differ.
    run = subprocess.run([sys.executable, str(SCRIPT), "--check"], cwd=ROOT,
                         capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr


@pytest.mark.parametrize(
    "content",
    [
        None,                                       # missing file
        b"not gzip at all",                         # corrupt
        gzip.compress(b"some other file\n", mtime=0),        # gzip, wrong format
        gzip.compress(b"yizhan-pinyin-index 1", mtime=0),   # header only
        gzip.compress(b"yizhan-pinyin-index 1\ntotal many\n", mtime=0),  # bad total
        gzip.compress(b"x" * 1000, mtime=0)[:20] + b"\xff" * 40,  # a gzip header, then corrupt data
        gzip.compress(b"yizhan-pinyin-index 1\ntotal 5\n[words]\nzan\n", mtime=0),  # truncated
    ],
)
def test_broken_index_raises_index_invalid(tmp_path: Path, content: bytes | None) -> None:
    path = tmp_path / "pinyin.idx.gz"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(IndexInvalid) as err:
        PinyinEngine.load(path)
    assert err.value.code == "ime_index_invalid"
    assert "pinyin index" in str(err.value)
