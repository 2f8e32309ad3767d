"""Receipt screen: the on-screen QR decodes back to the payload; code, PIN, checklist shown."""

from __future__ import annotations

import pytest
import zxingcpp
from PIL import Image

from shared.receipt import format_code

pytestmark = pytest.mark.ui


def _show(ui, fake_services, matter_type="wage_arrears"):
    receipt = fake_services.make_receipt()
    ui.app.show_receipt(receipt, matter_type)
    ui.pump_until(lambda: ui.current == "receipt")
    screen = ui.screen("receipt")
    ui.pump_until(lambda: screen.qr is not None, "QR texture")
    ui.pump_until(
        lambda: "居民身份证" in screen.checklist_text or "ID card" in screen.checklist_text,
        "checklist",
    )
    return receipt, screen


def test_receipt_qr_on_screen_decodes_to_payload(ui, fake_services):
    receipt, _screen = _show(ui, fake_services)
    png = ui.screenshot(ui.find("qr_image"), "receipt-qr")
    results = zxingcpp.read_barcodes(Image.open(png).convert("RGB"),
                                     formats=zxingcpp.BarcodeFormat.QRCode)
    assert [r.text for r in results] == [receipt["qr_payload"]]
    assert results[0].format == zxingcpp.BarcodeFormat.QRCode


def test_receipt_shows_code_pin_provisional_and_checklist(ui, fake_services):
    receipt, screen = _show(ui, fake_services)
    assert ui.find("code_label").text == format_code(receipt["receipt_code"])
    assert ui.find("pin_label").text == receipt["pin"]
    assert "临时回执" in ui.find("provisional_label").text
    assert "同步后正式生效" in ui.find("provisional_label").text
    assert "劳动合同" in ui.find("checklist_label").text
    # Filed at 10:00 UTC: shown as Beijing time, like every other time on the kiosk.
    assert receipt["filed_at"].startswith("2026-11-21T10:00")
    assert ui.find("filed_label").text == "提交时间：2026-11-21 18:00（北京时间）"
    ui.screenshot(ui.app.root, "receipt-zh-CN")
    # The checklist is fetched again in the new language; the code stays.
    ui.tap("lang_toggle")
    ui.pump_until(lambda: "ID card" in screen.checklist_text, "English checklist")
    assert "Provisional" in ui.find("provisional_label").text
    assert ui.find("filed_label").text == "Filed: 2026-11-21 18:00 (Beijing time)"
    ui.screenshot(ui.app.root, "receipt-en")


def test_service_calls_run_off_the_ui_thread(ui, fake_services):
    import threading

    _show(ui, fake_services)
    names = {thread for name, _args, thread in fake_services.calls if name == "checklist"}
    assert names
    assert threading.main_thread().name not in names
    assert all(n.startswith("kiosk-services") for n in names)


def test_done_wipes_the_receipt(ui, fake_services):
    _receipt, screen = _show(ui, fake_services)
    ui.tap("done_button")
    ui.pump_until(lambda: ui.current == "home")
    assert screen.receipt is None
    assert screen.qr is None
    assert ui.find("code_label", "receipt").text == ""
    assert screen.checklist_text == ""


def test_print_button_prints_the_receipt_with_its_qr(ui, fake_services):
    from escpos.printer import Dummy
    from test_ui_printing import raster_images, stacked

    printed = []

    def factory():
        printed.append(Dummy())
        return printed[-1]

    receipt, screen = _show(ui, fake_services)
    screen.printer = factory
    ui.tap("print_button")
    ui.pump_until(lambda: "已打印" in ui.find("print_label").text, "printed")
    page = stacked(raster_images(printed[0].output)).convert("L")
    framed = Image.new("L", (page.width + 40, page.height + 40), 255)
    framed.paste(page, (20, 20))
    found = zxingcpp.read_barcodes(framed, formats=zxingcpp.BarcodeFormat.QRCode)
    assert [r.text for r in found] == [receipt["qr_payload"]]
    assert "劳动合同".encode("gb18030") in printed[0].output, "the checklist is printed"


def test_without_a_printer_the_screen_says_so_and_keeps_the_receipt(ui, fake_services):
    receipt, _screen = _show(ui, fake_services)
    ui.tap("print_button")
    assert "没有连接打印机" in ui.find("print_label").text
    assert ui.current == "receipt"
    assert ui.find("code_label").text == format_code(receipt["receipt_code"])


def test_a_failing_printer_is_reported_and_the_receipt_stays(ui, fake_services):
    def broken():
        raise OSError("paper out")

    receipt, screen = _show(ui, fake_services)
    screen.printer = broken
    ui.tap("print_button")
    ui.pump_until(lambda: "打印失败" in ui.find("print_label").text, "failure shown")
    assert ui.find("pin_label").text == receipt["pin"]
