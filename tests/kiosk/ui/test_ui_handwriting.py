"""The handwriting pad: strokes drawn as touch events, candidates after each stroke, undo,
clear, and a kiosk without the handwriting model. Real recogniser (Zinnia), real window."""

from __future__ import annotations

import pytest

from tests.kiosk.ui.ime_kit import SAN, complaint_step, draw, engines_ready, pick

pytestmark = pytest.mark.ui


def test_handwriting_pad_strokes_candidates_undo_clear(ui):
    from kiosk.ui.keyboard import CLEAR_PAD, TO_HANDWRITING, UNDO_STROKE

    engines = engines_ready(ui)
    assert engines.handwriting_state == "ready", engines.handwriting_problem
    keyboard = complaint_step(ui, "details")
    description = ui.tap("description")
    ui.tap(keyboard.key(TO_HANDWRITING))
    pad = keyboard.pad
    assert pad.width == pad.height >= 4 * 48, "a square pad, large enough for a finger"
    draw(ui, pad, SAN[:1])
    assert len(pad.strokes) == 1
    ui.pump_until(lambda: keyboard.written.words, "candidates after the first stroke")
    assert "一" in keyboard.written.words[:5]
    ui.tap(keyboard.key(UNDO_STROKE))
    assert (pad.strokes, keyboard.candidates()) == ([], [])
    draw(ui, pad, SAN)
    assert len(pad.strokes) == 3
    assert all(0 <= x <= pad.width and 0 <= y <= pad.height
               for stroke in pad.strokes for x, y in stroke)
    assert pad.strokes[0][0][1] < pad.strokes[2][0][1], "y grows downwards"
    ui.pump_until(lambda: "三" in keyboard.written.words[:5], "三 among the first five")
    ui.screenshot(ui.app.root, "keyboard-handwriting-zh-CN")
    pick(ui, keyboard, "三")
    assert description.text == "三"
    assert (pad.strokes, keyboard.candidates()) == ([], []), "the pad is ready for the next"
    draw(ui, pad, SAN[:2])
    ui.tap(keyboard.key(CLEAR_PAD))
    assert (pad.strokes, description.text) == ([], "三")
    assert description.focus


def test_kiosk_without_handwriting_model_keeps_pinyin_and_tells_staff(
        ui, fake_services, monkeypatch, tmp_path):
    from kiosk.ui.engines import InputEngines, input_engines
    from kiosk.ui.keyboard import TO_HANDWRITING
    from tests.kiosk.ui.ime_kit import type_chinese

    # The real loaders on a station where the model package is not installed.
    monkeypatch.setenv("YIZHAN_HANDWRITING_MODEL", str(tmp_path / "handwriting-zh_CN.model"))
    station = InputEngines()
    station.start()
    ui.pump_until(lambda: "loading" not in (station.pinyin_state, station.handwriting_state),
                  "engines loaded")
    station.shutdown()
    assert (station.pinyin_state, station.handwriting_state) == ("ready", "missing")
    assert "tegaki-zinnia-simplified-chinese" in station.handwriting_problem

    engines_ready(ui)
    saved = (input_engines.handwriting, input_engines.handwriting_problem)
    input_engines.handwriting, input_engines.handwriting_problem = (
        None, station.handwriting_problem)
    input_engines.handwriting_state = "missing"  # the app's engines as on that station
    try:
        keyboard = complaint_step(ui, "claimant")
        with pytest.raises(KeyError):
            keyboard.key(TO_HANDWRITING)
        ui.tap("claimant_name")
        type_chinese(ui, keyboard, ("zhangsan", "张三"))
        assert ui.find("claimant_name").text == "张三", "pinyin still works"
        ui.find("header").dispatch("on_home")
        ui.pump(2)
        ui.unlock_staff(fake_services.staff_pin)
        ui.tap("page_device")
        ui.pump_until(lambda: "dev-7f3a" in ui.find("device_label").text, "device page")
        status = ui.find("input_status_label").text
        assert "拼音输入：可用" in status
        assert "手写输入不可用：请安装 Debian 软件包 libzinnia0 和 " \
               "tegaki-zinnia-simplified-chinese" in status
        assert "拼音输入照常可用" in status
        ui.tap("lang_toggle")
        assert "Handwriting input unavailable" in ui.find("input_status_label").text
    finally:
        input_engines.handwriting, input_engines.handwriting_problem = saved
        input_engines.handwriting_state = "ready"
