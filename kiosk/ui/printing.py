"""Receipt printing on an ESC/POS printer through python-escpos. No Kivy here.

Printer settings (``YIZHAN_KIOSK_PRINTER`` or ``run(printer=...)``), one string:

* ``usb:VID:PID`` — e.g. ``usb:0x0416:0x5011`` (hex ids, as ``lsusb`` shows them);
* ``serial:DEVICE[:BAUD]`` — e.g. ``serial:/dev/ttyUSB0:9600`` (default 9600 baud);
* ``network:HOST[:PORT]`` — e.g. ``network:192.168.1.50:9100`` (default port 9100);
* ``file:PATH`` — e.g. ``file:/dev/usb/lp0`` (a device node the printer driver made);
* ``dummy`` — collect the bytes in memory (tests, demos); empty or unset: no printer.

The receipt: title, code and PIN in large type, filing time, the provisional wording, the QR
as a raster image (``GS v 0``) so it prints on printers without a native QR command, and the
checklist. Chinese text is sent as GB18030 bytes with the printer in Chinese character mode
(``FS &``); ``¥`` is replaced by ``￥`` (2 bytes in GB18030, not 4). The QR holds only the
receipt payload: no personal data goes to paper beyond what the receipt screen shows.

Errors::

    PrintError             base: the receipt could not be printed
    ├── PrinterConfigError the printer setting is malformed (names the setting and the part)
    └── PrinterFailed      the printer could not be opened or written (offline, no paper, ...)
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping, Sequence
from io import BytesIO
from typing import Any

from PIL import Image

from kiosk.errors import KioskError
from kiosk.ui.display import local_time
from kiosk.ui.qr import qr_png
from shared.receipt import format_code

__all__ = [
    "PRINTER_ENV_VAR",
    "PrintError",
    "PrinterConfigError",
    "PrinterFailed",
    "parse_printer",
    "print_receipt",
    "printer_from_env",
    "render_receipt",
]

PRINTER_ENV_VAR = "YIZHAN_KIOSK_PRINTER"
PAPER_DOTS = 384  # 58 mm paper at 203 dpi: the narrowest common receipt printer
CHINESE_MODE = b"\x1c\x26"  # FS &: double-byte (GB18030/GBK) characters on

PrinterFactory = Callable[[], Any]

TEXT: dict[str, tuple[str, str]] = {
    "title": ("劳动维权服务回执", "Labour rights service receipt"),
    "title_jobseeker": ("求职登记回执", "Job-seeker registration receipt"),
    "code": ("回执编号", "Receipt code"),
    "pin": ("查询密码", "PIN"),
    "filed": ("提交时间", "Filed"),
    "provisional": (
        "临时回执：已保存在本机，与县级中心同步后正式生效。凭编号和密码可查询进度。",
        "Provisional: saved on the kiosk; final once synced with the county centre. "
        "Use the code and PIN to check progress.",
    ),
    "checklist": ("请携带以下材料（一次性告知）：", "Please bring:"),
}


class PrintError(KioskError):
    """Base: the receipt could not be printed."""

    code = "print_failed"


class PrinterConfigError(PrintError, ValueError):
    """The printer setting is malformed."""

    code = "printer_config_invalid"


class PrinterFailed(PrintError):
    """The printer could not be opened or written."""

    code = "printer_unavailable"


def _hex_id(text: str, what: str, setting: str) -> int:
    try:
        value = int(text, 16)
    except ValueError:
        raise PrinterConfigError(f"printer {setting!r}: {what} must be hex like 0x0416") from None
    if not 0 < value <= 0xFFFF:
        raise PrinterConfigError(f"printer {setting!r}: {what} must be 1..0xFFFF")
    return value


def parse_printer(setting: str | None) -> PrinterFactory | None:
    """Return a factory that opens the printer ``setting`` names, or None for no printer.

    Opening happens only when the factory is called (on the service worker). Raises
    PrinterConfigError naming the setting and what is wrong with it.
    """
    setting = (setting or "").strip()
    if not setting:
        return None
    kind, _, rest = setting.partition(":")
    kind = kind.lower()
    from escpos import printer

    if kind == "dummy" and not rest:
        dummy: PrinterFactory = printer.Dummy  # escpos has no type hints: its classes are Any
        return dummy
    if kind == "usb":
        parts = rest.split(":")
        if len(parts) != 2:
            raise PrinterConfigError(f"printer {setting!r}: use usb:VENDOR_ID:PRODUCT_ID")
        vid, pid = _hex_id(parts[0], "vendor id", setting), _hex_id(parts[1], "product id",
                                                                   setting)
        return lambda: printer.Usb(vid, pid)
    if kind == "serial":
        match = re.fullmatch(r"(/[^:]+)(?::(\d{3,7}))?", rest)
        if match is None:
            raise PrinterConfigError(f"printer {setting!r}: use serial:/dev/DEVICE[:BAUD]")
        dev, baud = match.group(1), int(match.group(2) or 9600)
        return lambda: printer.Serial(devfile=dev, baudrate=baud)
    if kind == "network":
        match = re.fullmatch(r"([A-Za-z0-9.\-]+)(?::(\d{1,5}))?", rest)
        if match is None or not 0 < int(match.group(2) or 9100) < 65536:
            raise PrinterConfigError(f"printer {setting!r}: use network:HOST[:PORT]")
        host, port = match.group(1), int(match.group(2) or 9100)
        return lambda: printer.Network(host, port=port, timeout=10)
    if kind == "file" and rest:
        return lambda: printer.File(devfile=rest)
    raise PrinterConfigError(
        f"printer {setting!r}: must start with usb:, serial:, network:, file: or be dummy")


def printer_from_env() -> PrinterFactory | None:
    """The printer named by ``YIZHAN_KIOSK_PRINTER`` (None when unset). Raises
    PrinterConfigError."""
    return parse_printer(os.environ.get(PRINTER_ENV_VAR))


def _text(p: Any, text: str) -> None:
    p._raw(text.replace("¥", "￥").encode("gb18030") + b"\n")


def _qr_image(payload: str) -> Image.Image:
    """The QR as a 1-bit image as wide as fits the paper (whole dots per module)."""
    probe = Image.open(BytesIO(qr_png(payload, box_size=1)))
    box = max(2, min(8, PAPER_DOTS // probe.width))
    return Image.open(BytesIO(qr_png(payload, box_size=box))).convert("1")


def render_receipt(p: Any, receipt: Mapping[str, Any], *, checklist: Sequence[str] = (),
                   lang: str = "zh-CN", kind: str = "complaint") -> None:
    """Write the receipt to the python-escpos printer ``p`` (not closed here).

    ``lang`` is ``zh-CN`` or ``en``. Raises what the printer raises.
    """
    i = 1 if lang == "en" else 0
    sep = ": " if i else "："
    p._raw(CHINESE_MODE)
    p.set(align="center", bold=True, double_height=True, double_width=True)
    _text(p, TEXT["title_jobseeker" if kind == "jobseeker" else "title"][i])
    p.set(align="center", normal_textsize=True)
    _text(p, TEXT["code"][i])
    p.set(align="center", bold=True, double_height=True, double_width=True)
    _text(p, format_code(str(receipt["receipt_code"])))
    p.set(align="center", normal_textsize=True)
    _text(p, TEXT["pin"][i])
    p.set(align="center", bold=True, double_height=True, double_width=True)
    _text(p, str(receipt["pin"]))
    p.set(align="center", normal_textsize=True)
    _text(p, f"{TEXT['filed'][i]}{sep}{local_time(str(receipt['filed_at']), lang)}")
    p.image(_qr_image(str(receipt["qr_payload"])), impl="bitImageRaster", center=False)
    p.set(align="left", normal_textsize=True)
    _text(p, TEXT["provisional"][i])
    if checklist:
        _text(p, TEXT["checklist"][i])
        for item in checklist:
            _text(p, f"- {item}")
    p.cut()


def print_receipt(factory: PrinterFactory, receipt: Mapping[str, Any], *,
                  checklist: Sequence[str] = (), lang: str = "zh-CN",
                  kind: str = "complaint") -> Any:
    """Open the printer, print the receipt, close it; return the printer object.

    Raises PrinterFailed (with the cause chained) when opening or writing fails.
    """
    try:
        p = factory()
        render_receipt(p, receipt, checklist=checklist, lang=lang, kind=kind)
        p.close()
    except PrintError:
        raise
    except Exception as exc:  # escpos raises many unrelated types (USB, serial, socket)
        raise PrinterFailed(f"receipt printer failed: {type(exc).__name__}: {exc}") from exc
    return p
