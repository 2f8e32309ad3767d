"""Window-free: printer settings, and the printed bytes (Dummy printer) hold the receipt."""

from __future__ import annotations

import re

import pytest
import zxingcpp
from escpos.printer import Dummy
from PIL import Image

from kiosk.ui.printing import (
    PrinterConfigError,
    PrinterFailed,
    parse_printer,
    print_receipt,
)

RECEIPT = {
    "receipt_code": "K7Q2M9XPA34",
    "pin": "482913",
    "record_id": "01J0000000000000000000000",
    "filed_at": "2026-11-21T10:00:00Z",
    "qr_payload": "YZR1." + "eyJjIjoiSzdRMk05WFBBM0IiLCJkIjoiZGV2In0" * 3 + ".c2lnbmF0dXJl" * 6,
}
CHECKLIST = ["本人居民身份证（原件）", "工资条¥ 或银行流水"]


def raster_images(data: bytes) -> list[Image.Image]:
    """Every ``GS v 0`` raster in ``data`` as a 1-bit image (set bits are black dots)."""
    images = []
    for match in re.finditer(rb"\x1dv0(.)(..)(..)", data, re.DOTALL):
        width_bytes = int.from_bytes(match.group(2), "little")
        rows = int.from_bytes(match.group(3), "little")
        start = match.end()
        bits = data[start:start + width_bytes * rows]
        assert len(bits) == width_bytes * rows, "raster truncated"
        # ESC/POS: 1 = print (black); PIL mode "1": 1 = white, so invert.
        image = Image.frombytes("1", (width_bytes * 8, rows), bytes(b ^ 0xFF for b in bits))
        images.append(image)
    return images


def stacked(images: list[Image.Image]) -> Image.Image:
    width = max(i.width for i in images)
    out = Image.new("1", (width, sum(i.height for i in images)), 1)
    y = 0
    for image in images:
        out.paste(image, (0, y))
        y += image.height
    return out


def test_printed_raster_decodes_back_to_the_receipt_payload():
    printer = print_receipt(Dummy, RECEIPT, checklist=CHECKLIST, lang="zh-CN")
    data = printer.output
    images = raster_images(data)
    assert images, "no GS v 0 raster in the output"
    assert max(i.width for i in images) <= 384, "fits 58 mm paper"
    page = stacked(images).convert("L")
    # Quiet zone around the page so the decoder sees the finder patterns clearly.
    framed = Image.new("L", (page.width + 40, page.height + 40), 255)
    framed.paste(page, (20, 20))
    results = zxingcpp.read_barcodes(framed, formats=zxingcpp.BarcodeFormat.QRCode)
    assert [r.text for r in results] == [RECEIPT["qr_payload"]]


def test_chinese_text_goes_out_as_gb18030_with_the_code_and_pin():
    data = print_receipt(Dummy, RECEIPT, checklist=CHECKLIST, lang="zh-CN").output
    assert b"\x1c\x26" in data, "Chinese character mode"
    assert "劳动维权服务回执".encode("gb18030") in data
    assert b"K7Q2-M9XP-A34" in data
    assert b"482913" in data
    assert "临时回执".encode("gb18030") in data
    assert "2026-11-21 18:00（北京时间）".encode("gb18030") in data, "filed in Beijing time"
    assert "本人居民身份证（原件）".encode("gb18030") in data
    assert "工资条￥".encode("gb18030") in data, "¥ printed as the 2-byte ￥"
    assert b"\x1dV" in data, "paper cut"


def test_english_receipt():
    data = print_receipt(Dummy, RECEIPT, lang="en", kind="jobseeker").output
    assert b"Job-seeker registration receipt" in data
    assert b"Provisional" in data
    assert b"2026-11-21 18:00 (Beijing time)" in data


@pytest.mark.parametrize(
    ("setting", "cls_name"),
    [
        ("dummy", "Dummy"),
        ("usb:0x0416:0x5011", "Usb"),
        ("serial:/dev/ttyUSB0:19200", "Serial"),
        ("network:192.168.1.50:9100", "Network"),
        ("network:printer.local", "Network"),
        ("file:/dev/usb/lp0", "File"),
    ],
)
def test_printer_settings(setting, cls_name):
    factory = parse_printer(setting)
    assert factory is not None
    if cls_name == "Dummy":
        assert type(factory()).__name__ == "Dummy"


@pytest.mark.parametrize(
    "setting",
    ["usb:0416", "usb:xyz:0x5011", "serial:ttyUSB0", "network:", "network:host:99999",
     "lpt1", "file:"],
)
def test_bad_printer_settings_are_named(setting):
    with pytest.raises(PrinterConfigError, match=re.escape(repr(setting))):
        parse_printer(setting)


def test_no_printer_configured():
    assert parse_printer("") is None
    assert parse_printer(None) is None


def test_a_printer_that_cannot_be_opened_fails_clearly(tmp_path):
    factory = parse_printer(f"file:{tmp_path}/no/such/dir/lp0")
    with pytest.raises(PrinterFailed, match="receipt printer failed"):
        print_receipt(factory, RECEIPT)
