"""Chinese input on the touchscreen: the pinyin keyboard, switching layouts, each field's
default keyboard, wiping what was being composed, the staff passphrase pad. Real engines
(``kiosk.input``), real window, only taps and touch strokes (the handwriting pad:
``test_ui_handwriting``)."""

from __future__ import annotations

import pytest

from tests.kiosk.ui.ime_kit import SAN, complaint_step, draw, engines_ready, pick, tap_pinyin

pytestmark = pytest.mark.ui


def test_pinyin_buffer_backspace_paging_and_partial_choice(ui):
    from kiosk.ui.keyboard import BACKSPACE, CLEAR

    engines_ready(ui)
    keyboard = complaint_step(ui, "claimant")
    name = ui.tap("claimant_name")
    assert keyboard.layout == "pinyin", "a name field starts on the pinyin keyboard"
    tap_pinyin(ui, keyboard, "zhangsanx")
    assert (keyboard.buffer, name.text) == ("zhangsanx", ""), "letters compose, not type"
    assert keyboard.buffer_label.text == "zhangsanx", "the buffer is shown above the keys"
    ui.tap(keyboard.key(BACKSPACE))
    assert (keyboard.buffer, name.text) == ("zhangsan", ""), "backspace edits the buffer"
    offered = keyboard.composer.offered
    ui.pump_until(lambda: len(offered.words) > 10, "candidates for zhangsan")
    bar = keyboard.candidate_bar
    assert bar.words[0] == "张三", "a name field ranks names first"
    first_page = list(bar.words)
    assert len(first_page) == 5
    assert bar.prev_key.disabled
    assert not bar.next_key.disabled
    ui.tap(bar.next_key)
    assert bar.words == offered.words[5:10]
    assert not bar.prev_key.disabled
    ui.tap(bar.prev_key)
    assert bar.words == first_page
    ui.screenshot(ui.app.root, "keyboard-pinyin-zh-CN")

    # A long buffer picked in pieces: 张三 uses zhangsan and leaves feng composing.
    tap_pinyin(ui, keyboard, "feng")
    pick(ui, keyboard, "张三")
    assert (name.text, keyboard.buffer) == ("张三", "feng")
    pick(ui, keyboard, "丰")
    assert (name.text, keyboard.buffer) == ("张三丰", "")
    assert keyboard.candidates() == []
    ui.tap(keyboard.key(BACKSPACE))
    assert name.text == "张三", "with no buffer, backspace edits the field"
    tap_pinyin(ui, keyboard, "li")
    ui.tap(keyboard.key(CLEAR))
    assert (name.text, keyboard.buffer) == ("张三", ""), "clear drops the buffer first"
    assert name.focus, "tapping keys and words never takes focus from the field"


def test_space_takes_the_first_word_and_the_field_purpose_ranks(ui):
    from kiosk.ui.keyboard import SPACE

    engines_ready(ui)
    keyboard = complaint_step(ui, "details")
    description = ui.find("description")
    assert (keyboard.layout, keyboard.ime_field) == ("pinyin", "text")
    tap_pinyin(ui, keyboard, "zhangsan")
    ui.pump_until(lambda: keyboard.composer.offered.words, "candidates")
    # The same letters as the name above, ranked for free text: no surname first.
    assert keyboard.candidates()[0] != "张三"
    first = keyboard.candidates()[0]
    ui.tap(keyboard.key(SPACE))
    assert (description.text, keyboard.buffer) == (first, "")
    tap_pinyin(ui, keyboard, "gongzi")
    pick(ui, keyboard, "工资")
    ui.tap(keyboard.key("。"))
    assert description.text == f"{first}工资。"


def test_switching_layouts_and_field_defaults(ui):
    from kiosk.ui.keyboard import TO_DIGITS, TO_HANDWRITING, TO_LETTERS, TO_PINYIN

    engines_ready(ui)
    keyboard = complaint_step(ui, "claimant")
    switches = [TO_PINYIN, TO_HANDWRITING, TO_LETTERS, TO_DIGITS]
    tap_pinyin(ui, keyboard, "zh")
    for switch, layout in ((TO_HANDWRITING, "handwriting"), (TO_LETTERS, "letters"),
                           (TO_DIGITS, "digits"), (TO_PINYIN, "pinyin")):
        ui.tap(keyboard.key(switch))
        assert keyboard.layout == layout
        assert keyboard.key(switch).current, "the switch of the layout on show is marked"
        for other in switches:  # the switch row is on every layout of a Chinese field
            keyboard.key(other)
        assert keyboard.buffer == "", "switching drops what was being composed"
    assert min(keyboard.key(switch).size) >= 48
    # ID number and phone keep their keypads, without Chinese switches.
    for widget_id, layout in (("claimant_id_number", "id_number"), ("claimant_phone", "number")):
        ui.tap(widget_id)
        assert keyboard.layout == layout
        with pytest.raises(KeyError):
            keyboard.key(TO_PINYIN)
    ui.tap("claimant_name")
    assert (keyboard.layout, keyboard.ime_field) == ("pinyin", "name")
    screen = ui.screen("complaint")
    screen.step = screen.step_names.index("employer")
    ui.pump(2)
    assert (keyboard.layout, keyboard.ime_field) == ("pinyin", "employer")
    ui.tap("employer_uscc")
    assert (keyboard.layout, keyboard.ime_field) == ("letters", "")
    with pytest.raises(KeyError):
        keyboard.key(TO_PINYIN)
    ui.tap("employer_address")
    assert (keyboard.layout, keyboard.ime_field) == ("pinyin", "text")

    ui.find("header").dispatch("on_home")
    ui.pump_until(lambda: ui.current == "home")
    ui.pump(2)  # home laid out before its tile is tapped
    ui.tap("btn_jobseeker")
    ui.pump_until(lambda: ui.current == "jobseeker")
    ui.pump(2)
    keyboard = ui.find("keyboard")
    assert (keyboard.layout, keyboard.ime_field) == ("pinyin", "name")
    ui.tap("js_id_number")
    assert keyboard.layout == "id_number"
    ui.tap("js_phone")
    assert keyboard.layout == "number"


def test_wipe_forgets_the_composition_and_the_strokes(ui, manual_time):
    from kiosk.ui.keyboard import TO_HANDWRITING

    engines_ready(ui)
    keyboard = complaint_step(ui, "claimant")
    tap_pinyin(ui, keyboard, "zhangsan")
    ui.pump_until(lambda: keyboard.candidates(), "candidates")
    ui.app.wipe()  # what the idle timeout does
    ui.pump(2)
    assert (keyboard.buffer, keyboard.candidates(), keyboard.composer.offered.words) == (
        "", [], [])
    keyboard = complaint_step(ui, "details")
    ui.tap(keyboard.key(TO_HANDWRITING))
    draw(ui, keyboard.pad, SAN[:2])
    ui.app.wipe()
    ui.pump(2)
    assert keyboard.pad is None or keyboard.pad.strokes == []
    assert keyboard.written.words == []


def test_staff_pad_types_lower_and_upper_case_letters(ui, fake_services):
    from kiosk.ui.keyboard import TO_LOWER, TO_UPPER

    fake_services.staff_pin = "Ab3xYz-9"
    ui.tap("btn_staff")
    ui.pump_until(lambda: ui.current == "staff")
    ui.pump(2)
    keyboard = ui.find("pin_keyboard")
    values = {key.value for key in keyboard.key_buttons()}
    assert set("abcdefghijklmnopqrstuvwxyz0123456789") <= values
    for key in keyboard.key_buttons():  # every key on screen, and a full touch target
        assert key.to_window(key.right, key.y)[0] <= ui.app.root.width, key.value
        assert min(key.size) >= 48, key.value
    for value in ("<shift>", "A", "<shift>", "b", "3", "x", "<shift>", "Y", "<shift>", "z",
                  "-", "9"):
        if value == "<shift>":
            value = TO_UPPER if keyboard.layout == "text" else TO_LOWER
        ui.tap(keyboard.key(value))
    assert ui.find("staff_pin").text == "Ab3xYz-9"
    ui.tap("unlock_button")
    screen = ui.screen("staff")
    ui.pump_until(lambda: screen.unlocked, "unlocked with a mixed-case passphrase")


def test_kiosk_without_pinyin_index_falls_back_to_letters(ui, fake_services, tmp_path):
    from kiosk.input import PinyinEngine
    from kiosk.ui.engines import InputEngines, input_engines
    from kiosk.ui.keyboard import TO_HANDWRITING, TO_LETTERS, TO_PINYIN

    # The real loader over an index file that is not there (a broken build).
    broken = InputEngines(load_pinyin=lambda: PinyinEngine.load(tmp_path / "pinyin.idx.gz"))
    broken.start()
    ui.pump_until(lambda: broken.pinyin_state not in ("idle", "loading"), "pinyin loaded")
    broken.shutdown()
    assert broken.pinyin_state == "missing"
    engines_ready(ui)
    saved = (input_engines.pinyin, input_engines.pinyin_problem)
    input_engines.pinyin, input_engines.pinyin_problem = None, broken.pinyin_problem
    input_engines.pinyin_state = "missing"
    try:
        keyboard = complaint_step(ui, "claimant")
        name = ui.tap("claimant_name")
        assert keyboard.layout == "letters", "no pinyin keyboard without its index"
        with pytest.raises(KeyError):
            keyboard.key(TO_PINYIN)
        ui.tap(keyboard.key(TO_HANDWRITING))  # handwriting still there
        assert keyboard.layout == "handwriting"
        ui.tap(keyboard.key(TO_LETTERS))
        for letter in "LI":
            ui.tap(keyboard.key(letter))
        assert name.text == "LI"
        ui.find("header").dispatch("on_home")
        ui.pump(2)
        ui.unlock_staff(fake_services.staff_pin)
        ui.tap("page_device")
        ui.pump_until(lambda: "dev-7f3a" in ui.find("device_label").text, "device page")
        assert "拼音输入不可用" in ui.find("input_status_label").text
    finally:
        input_engines.pinyin, input_engines.pinyin_problem = saved
        input_engines.pinyin_state = "ready"


def test_staff_switch_fuzzy_pinyin(ui, fake_services):
    from kiosk.ui.engines import input_engines

    engines_ready(ui)
    assert input_engines.fuzzy, "fuzzy pinyin is on by default"

    def offered_for_zangsan():
        keyboard = complaint_step(ui, "claimant")
        ui.tap("claimant_name")
        tap_pinyin(ui, keyboard, "zangsan")  # z for zh, as many southern speakers type
        ui.pump_until(lambda: keyboard.composer.offered.words, "candidates for zangsan")
        words = list(keyboard.composer.offered.words)
        ui.find("header").dispatch("on_home")
        ui.pump(2)
        return words

    def tap_fuzzy_toggle():
        ui.unlock_staff(fake_services.staff_pin)
        ui.tap("page_device")
        ui.pump(2)
        ui.tap("fuzzy_toggle")
        text = ui.find("fuzzy_toggle").text
        ui.tap("exit_button")
        ui.pump_until(lambda: ui.current == "home")
        ui.pump(2)
        return text

    try:
        assert "张三" in offered_for_zangsan()[:3]
        assert tap_fuzzy_toggle() == "模糊拼音：关"
        assert "张三" not in offered_for_zangsan()
        assert tap_fuzzy_toggle().startswith("模糊拼音：开")
        assert "张三" in offered_for_zangsan()[:3]
    finally:
        input_engines.fuzzy = True
