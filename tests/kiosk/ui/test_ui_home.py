"""Home screen: the four big buttons navigate, the language toggle re-labels live."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.ui


@pytest.mark.parametrize(
    ("button", "screen"),
    [
        ("btn_complaint", "complaint"),  # 我要维权/投诉
        ("btn_jobseeker", "jobseeker"),  # 求职登记
        ("btn_lookup", "lookup"),  # 查询进度
        ("btn_ticket", "ticket"),  # 取号
    ],
)
def test_home_buttons_navigate(ui, button, screen):
    assert ui.current == "home"
    ui.tap(button)
    ui.pump_until(lambda: ui.current == screen, f"screen {screen}")
    ui.tap("home_button")
    ui.pump_until(lambda: ui.current == "home", "back home")


def test_home_shows_chinese_first(ui):
    assert ui.find("btn_complaint").text.startswith("我要维权/投诉")
    assert ui.find("btn_jobseeker").text.startswith("求职登记")
    assert ui.find("btn_lookup").text.startswith("查询进度")
    assert ui.find("btn_ticket").text.startswith("取号")
    assert ui.find("lang_toggle").text == "English"
    ui.screenshot(ui.app.root, "home-zh-CN")


def test_language_toggle_relabels_live(ui):
    ui.tap("lang_toggle")
    ui.pump_until(lambda: ui.find("btn_complaint").text.startswith("File a complaint"), "English")
    assert ui.find("btn_ticket").text.startswith("Take a queue number")
    assert ui.find("lang_toggle").text == "中文"
    ui.screenshot(ui.app.root, "home-en")
    # Other screens follow the same switch.
    ui.tap("btn_lookup")
    ui.pump_until(lambda: ui.current == "lookup")
    assert ui.find("submit_button").text == "Check"
    ui.tap("lang_toggle")
    ui.pump_until(lambda: ui.find("submit_button").text == "查询", "back to Chinese")


def test_touch_targets_are_at_least_48dp(ui):
    from kivy.metrics import dp
    from kivy.uix.button import Button

    for name in ("home", "lookup", "ticket", "receipt"):
        ui.app.screens.current = name
        ui.pump(2)
        for widget in ui.screen(name).walk(restrict=True):
            if isinstance(widget, Button) and widget.opacity > 0 and not widget.disabled:
                assert min(widget.size) >= dp(48), f"{name}: {widget.text!r} is {widget.size}"


def test_home_tiles_carry_distinct_pictograms_clear_of_their_text(ui):
    from kiosk.ui.icons import HOME_ICONS, home_icon_png

    assert len({home_icon_png(tile) for tile in HOME_ICONS}) == len(HOME_ICONS)
    for tile in HOME_ICONS:
        button = ui.find(f"btn_{tile}")
        assert button.icon is not None, tile
        assert button.icon.size == (128, 128), tile
        # The label's texture starts right of the pictogram (drawn at x + 20 dp, 104 dp wide).
        text_left = button.center_x - button.texture_size[0] / 2 + button.padding[0]
        assert text_left >= button.x + 124, tile
