"""Report exports (CSV, JSON lines, XLSX): written as new files of mode 0600
(``shared.safefile.NewFile``), audited (who, what, which period, which format), with no
personal data in them (the reports hold none; receipt codes only for roles that may see
cases)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from shared.safefile import NewFile
from sync_server.errors import ConfigError
from sync_server.services import audit
from sync_server.services.wiring import Services

FORMATS = ("csv", "json", "xlsx")


def render_text(rows: Sequence[dict[str, Any]], columns: Sequence[str], fmt: str,
                banner: str | None = None) -> str:
    """CSV (with ``banner`` as a first line, e.g. the draft mark) or JSON lines."""
    if fmt == "json":
        return "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in rows)
    buf = io.StringIO()
    if banner:
        buf.write(f"# {banner}\n")
    writer = csv.DictWriter(buf, fieldnames=list(columns), extrasaction="ignore",
                            lineterminator="\n")
    writer.writeheader()
    for r in rows:
        writer.writerow({k: _cell(r.get(k)) for k in columns})
    return buf.getvalue()


def _cell(value: Any) -> Any:
    if isinstance(value, dict):
        return ";".join(f"{k}:{v}" for k, v in value.items())
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    return "" if value is None else value


def xlsx_bytes(rows: Sequence[dict[str, Any]], columns: Sequence[str], title: str,
               banner: str | None = None) -> bytes:
    import xlsxwriter  # the only user; import cost only when asked for

    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    sheet = book.add_worksheet(title[:31])
    bold = book.add_format({"bold": True})
    top = 0
    if banner:
        sheet.write(0, 0, banner, bold)
        top = 1
    for c, name in enumerate(columns):
        sheet.write(top, c, name, bold)
    for r, row in enumerate(rows, start=top + 1):
        for c, name in enumerate(columns):
            sheet.write(r, c, _cell(row.get(name)))
    book.close()
    return buf.getvalue()


def export(svc: Services, actor: str, what: str, rows: Sequence[dict[str, Any]],
           columns: Sequence[str], fmt: str, path: Path | None, *, force: bool = False,
           banner: str | None = None) -> str | None:
    """Write ``rows`` as ``fmt`` to ``path`` (a new file, 0600) or return the text (CSV and
    JSON without a path). Audited as ``report.export``."""
    if fmt not in FORMATS:
        raise ConfigError(f"format {fmt!r}: csv, json or xlsx")
    if fmt == "xlsx" and path is None:
        raise ConfigError("output: an .xlsx export needs --output FILE / XLSX 须指定输出文件")
    data = xlsx_bytes(rows, columns, what, banner) if fmt == "xlsx" else \
        render_text(rows, columns, fmt, banner).encode()
    if path is not None:
        with NewFile(path, force=force) as f:
            f.write(data)
    audit.record(svc, actor, "report.export", None,
                 f"{what} {fmt} rows {len(rows)}" + (" draft" if banner else ""), None)
    return None if path is not None else data.decode()


def audit_download(svc: Services, actor: str, what: str, fmt: str, rows: int,
                   draft: bool) -> None:
    """Audit an export the console hands to a browser (no file on the county's disk)."""
    audit.record(svc, actor, "report.export", None,
                 f"{what} {fmt} rows {rows} download" + (" draft" if draft else ""), None)
