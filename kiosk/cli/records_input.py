"""Reading ``submit --json``: records from one JSON object, an array or JSON lines, in the
encodings Windows tools save (UTF-8 with or without a BOM, UTF-16, GB18030).
"""

from __future__ import annotations

import codecs
import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from kiosk.cli.common import UsageError
from kiosk.errors import IntakeInvalid
from shared._errors import FieldError


def _not_json(index: int) -> IntakeInvalid:
    return IntakeInvalid([FieldError("record", "not_json", "不是有效的 JSON 数据",
                                     "not valid JSON")])


def read_records(fh: IO[str]) -> Iterator[object]:
    """Records from one JSON object, a JSON array, or JSON lines, read as they come.

    A line that is not JSON yields an IntakeInvalid in its place, so the others go on.
    """
    first = ""
    for line in fh:
        if line.strip():
            first = line.lstrip("\ufeff")  # a GB18030 or UTF-16 BOM decodes to U+FEFF
            break
    if not first:
        return
    if first.lstrip().startswith("["):
        try:
            data = json.loads(first + fh.read())
        except ValueError:
            yield _not_json(0)
            return
        yield from (data if isinstance(data, list) else [data])
        return
    try:
        yield json.loads(first)
    except ValueError:  # a pretty-printed object: the rest of the input is one document
        try:
            yield json.loads(first + fh.read())
        except ValueError:
            yield _not_json(0)
        return
    for index, line in enumerate(fh, start=1):
        if not line.strip():
            continue
        try:
            yield json.loads(line)
        except ValueError:
            yield _not_json(index)


# What Windows Notepad and Excel save: UTF-8 with or without a BOM, "Unicode" (UTF-16 with a
# BOM), and on a Chinese Windows "ANSI", which is GBK (GB18030 decodes it).
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"), (b"\x84\x31\x95\x33", "gb18030"))


def _input_encoding(head: bytes) -> str | None:
    """The encoding of input beginning with ``head``: by its BOM, else UTF-8 when ``head``
    is UTF-8, else GB18030 when it decodes as that; None when it is neither."""
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name
    for name in ("utf-8", "gb18030"):
        try:  # final=False: a character cut at the end of the peeked bytes is not an error
            codecs.getincrementaldecoder(name)("strict").decode(head, final=False)
        except UnicodeDecodeError:
            continue
        return name
    return None


def open_records_input(path: str) -> IO[str]:
    """The text of ``--json PATH`` ('-' for stdin), decoded strictly in its own encoding.

    Raises UsageError naming the input when it cannot be opened or is not UTF-8, UTF-16 (with
    a BOM) or GB18030. A later byte that does not decode raises UnicodeDecodeError on read.
    """
    try:
        raw: IO[bytes] = sys.stdin.buffer if path == "-" else open(path, "rb")  # noqa: SIM115
    except OSError as exc:
        raise UsageError(f"--json {path}: {exc.strerror}") from None
    buffered = raw if isinstance(raw, io.BufferedReader) else \
        io.BufferedReader(raw)  # type: ignore[type-var]  # a pipe's buffer may be raw
    encoding = _input_encoding(buffered.peek(64 * 1024)[:64 * 1024])
    if encoding is None:
        raise UsageError(f"--json {path}: not text in UTF-8, UTF-16 or GB18030 / "
                         "输入文件的编码无法识别（请存为 UTF-8）")
    if encoding == "gb18030":
        print(f"yizhan-kiosk: --json {path}: not UTF-8; read as GB18030", file=sys.stderr)
    return io.TextIOWrapper(buffered, encoding=encoding, errors="strict")



def qr_paths(path: Path, count: int) -> list[Path]:
    """Where ``--qr-png PATH`` puts each record's QR: PATH, or PATH-INDEX for several."""
    if count == 1:
        return [path]
    return [path.with_name(f"{path.stem}-{i}{path.suffix}") for i in range(count)]

