"""``yizhan-kiosk submit --json FILE``: what Windows Notepad and Excel save is read, anything
else is refused naming the input (exit 2), never a traceback.

Accepted: UTF-8 with or without a BOM, UTF-16 with a BOM ("Unicode" in Notepad), GB18030 /
GBK without a BOM ("ANSI" on a Chinese Windows; a note says so on stderr). Refused with exit
2: bytes in none of these, an undecodable byte later in the input, JSON nested too deeply.
Each run is a real ``yizhan-kiosk`` process on an enrolled kiosk folder.
"""

from __future__ import annotations

import codecs
import json
import subprocess
from pathlib import Path

import pytest
from kiosk_kit import KIOSK, complaint


def _submit(data: Path, payload: bytes, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "form.json"
    path.write_bytes(payload)
    return subprocess.run([*KIOSK, "--data", str(data), "submit", "complaint", "--json",
                           str(path)], capture_output=True, text=True, encoding="utf-8",
                          timeout=120, check=False)


def _text(n: int = 2) -> str:
    return json.dumps([complaint(i) for i in range(n)], ensure_ascii=False)


@pytest.mark.parametrize(("payload", "note"), [
    (codecs.BOM_UTF8 + _text().encode("utf-8"), ""),  # Notepad's "UTF-8 with BOM"
    (_text().encode("utf-16"), ""),  # Notepad's "Unicode": UTF-16 LE with a BOM
    (codecs.BOM_UTF16_BE + _text().encode("utf-16-be"), ""),
    (_text().encode("gb18030"), "read as GB18030"),  # "ANSI" on a Chinese Windows
    (b"\x84\x31\x95\x33" + _text().encode("gb18030"), ""),  # GB18030 with its BOM
])
def test_what_windows_saves_is_read(kiosk_dir: Path, tmp_path: Path, payload: bytes,
                                    note: str) -> None:
    done = _submit(kiosk_dir, payload, tmp_path)
    assert done.returncode == 0, done.stderr
    receipts = [json.loads(line) for line in done.stdout.splitlines()]
    assert [("receipt_code" in r) for r in receipts] == [True, True]
    assert note in done.stderr




@pytest.mark.parametrize(("payload", "says"), [
    (b"\x80\xff\x00\x81\xfe" * 10, "not text in UTF-8, UTF-16 or GB18030"),  # a binary file
    ("\n".join(json.dumps(complaint(i), ensure_ascii=False) for i in range(60)).encode()
     + b'\n{"matter_type": "\xff\xfe\xfd"}\n', "not valid utf-8"),  # bad byte past the peek
    (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
])
def test_undecodable_or_too_deep_input_exits_2_naming_it(kiosk_dir: Path, tmp_path: Path,
                                                         payload: bytes, says: str) -> None:
    done = _submit(kiosk_dir, payload, tmp_path)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert f"--json {tmp_path / 'form.json'}" in done.stderr
    assert says in done.stderr
