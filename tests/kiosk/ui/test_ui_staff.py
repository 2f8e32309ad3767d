"""Staff mode: the PIN guards it; queue, details after unlocking, outbox, sync, export, enroll."""

from __future__ import annotations

import pytest

from kiosk.ui.keyboard import TO_LOWER, TO_UPPER

pytestmark = pytest.mark.ui


def _keys(ui, text):
    """Type ``text`` on the staff screen's on-screen text keyboard (caps key as needed)."""
    keyboard = ui.find("staff_keyboard")
    for ch in text:
        wanted = "text_upper" if ch.isupper() else "text" if ch.islower() else keyboard.layout
        if keyboard.layout != wanted:
            ui.tap(keyboard.key(TO_UPPER if wanted == "text_upper" else TO_LOWER))
        ui.tap(keyboard.key(ch))


def test_wrong_pin_shows_nothing_of_staff_mode(ui, fake_services):
    ui.type_staff_pin("1111")
    ui.pump_until(lambda: "密码不正确" in ui.screen().message, "wrong PIN message")
    screen = ui.screen()
    assert not screen.unlocked
    assert ui.find("call_next_button").disabled
    assert ui.find("page_outbox").disabled
    names = [c[0] for c in fake_services.calls]
    assert names == ["check_staff_pin"], "no staff data fetched"
    ui.screenshot(ui.app.root, "staff-pin-zh-CN")


def test_queue_call_next_details_and_served(ui, fake_services):
    fake_services.tickets = 2
    ui.type_staff_pin("2468")
    screen = ui.screen()
    ui.pump_until(lambda: screen.unlocked and "A002" in ui.find("queue_label").text, "queue")
    ui.pump(2)
    ui.tap("call_next_button")
    ui.pump_until(lambda: screen.current_ticket is not None, "A001 called")
    assert screen.current_ticket["number"] == "A001"
    ui.type("wrong", into="passphrase_input")
    ui.tap("details_button")
    ui.pump_until(lambda: "站点口令不正确" in screen.message, "wrong passphrase reported")
    assert screen.details is None
    assert ui.find("staff_keyboard").target is ui.find("passphrase_input")
    _keys(ui, "station-pass")
    assert ui.find("passphrase_input").text == "station-pass"
    ui.tap("details_button")
    ui.pump_until(lambda: "王五" in ui.find("details_label").text,
                  f"details shown {fake_services.calls[-4:]} {screen.message}")
    shown = ui.find("details_label").text.splitlines()
    assert shown == ["姓名：王五", "联系电话：13900139000", "事项：欠薪"]
    ui.screenshot(ui.app.root, "staff-queue-zh-CN")
    ui.tap("served_button")
    ui.pump_until(lambda: "A001  已办理" in ui.find("queue_label").text, "served")
    assert ("mark_ticket", ("A001", "served")) in [(c[0], c[1]) for c in fake_services.calls]
    assert screen.details is None, "details are gone with the served ticket"
    assert ui.find("details_label").text == ""


def test_outbox_sync_export_enroll_device(ui, fake_services):
    ui.type_staff_pin("2468")
    screen = ui.screen()
    ui.pump_until(lambda: screen.unlocked)
    ui.pump(2)
    ui.tap("page_outbox")
    ui.pump_until(lambda: "signature mismatch" in ui.find("outbox_label").text, "quarantined")
    assert "待发送 0" in ui.find("outbox_label").text
    ui.screenshot(ui.app.root, "staff-outbox-zh-CN")

    ui.tap("page_sync")
    ui.pump(2)
    ui.tap("sync_button")
    ui.pump_until(lambda: "同步完成" in screen.message, "sync summary")
    assert screen.message == "同步完成：发送 3 条记录，县级中心确认 3 条，收到 1 条办理进度。"
    assert ui.find("sync_progress").value == ui.find("sync_progress").max == 3
    [thread] = [t for n, _a, t in fake_services.calls if n == "sync_now"]
    assert thread.startswith("kiosk-services"), "sync runs on the worker, not the UI thread"
    ui.screenshot(ui.app.root, "staff-sync-zh-CN")

    ui.tap("page_export")
    ui.pump(2)
    assert ui.find("export_path").text == "/media/usb/yizhan-bundle.zip", "a default path"
    ui.find("export_path").text = "/media/usb/"
    _keys(ui, "bundle.zip")
    ui.tap("export_button")
    ui.pump_until(lambda: "导出到" in screen.message, "exported")
    assert screen.message.startswith(
        "已把 3 条尚未确认的记录导出到 /media/usb/bundle.zip（5 KB）。")
    assert ("export_bundle", ("/media/usb/bundle.zip",)) in [
        (c[0], c[1]) for c in fake_services.calls]

    ui.tap("page_enroll")
    ui.pump(2)
    ui.tap("enroll_url")
    _keys(ui, "https://county.example")
    ui.tap("enroll_token")
    _keys(ui, "Tk-9_xY")
    ui.tap("enroll_button")
    ui.pump_until(lambda: "登记成功" in screen.message, "enrolled")
    assert ("enroll", ("https://county.example", "Tk-9_xY")) in [
        (c[0], c[1]) for c in fake_services.calls]
    assert screen.message == ("登记成功：本机（站点 zengdu-01）已登记到曾都区，"
                              "服务器 https://county.example。")
    assert ui.find("enroll_token").text == "", "the one-time token is not left on screen"

    ui.tap("page_device")
    ui.pump_until(lambda: "dev-7f3a" in ui.find("device_label").text, "device info")
    assert ui.find("device_label").text.splitlines() == [
        "设备编号：dev-7f3a", "站点：zengdu-01", "所属县级中心：曾都区",
        "服务器地址：https://county.example", "上次同步：2026-11-21 10:10（北京时间）"]
    ui.screenshot(ui.app.root, "staff-device-zh-CN")


def test_leaving_staff_mode_locks_it(ui, fake_services, manual_time):
    ui.type_staff_pin("2468")
    screen = ui.screen()
    ui.pump_until(lambda: screen.unlocked, f"unlocked {fake_services.calls}")
    ui.pump(2)
    # Typed on one page, then another page left open: the typed text is off screen.
    ui.tap("page_enroll")
    ui.type("https://typed.example", into="enroll_url")
    ui.tap("page_device")
    manual_time.advance(91)
    ui.pump_until(lambda: ui.current == "home", "idle timeout")
    assert not screen.unlocked
    ui.pump_until(lambda: "lock_station" in [c[0] for c in fake_services.calls], "locked")
    assert ui.find("call_next_button", "staff").disabled, "the PIN is asked again"
    assert ui.find("queue_label", "staff").text == "今天还没有人取号"
    assert screen.ids.enroll_url.text == "", "inputs on pages not on show are wiped too"
    assert screen.ids.pages.current == "queue"
