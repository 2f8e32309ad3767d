"""On-screen keyboard: the ID-number keypad types an ID ending in X into a focused input."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.ui

ID_NUMBER = "11010519491231002X"  # the example ID of INTERFACES.md, check character X


@pytest.fixture
def keyboard_screen(ui):
    """A scratch screen with an ID-number input, a name input and the keyboard."""
    from kivy.uix.boxlayout import BoxLayout
    from kivy.uix.screenmanager import Screen
    from kivy.uix.textinput import TextInput

    from kiosk.ui.keyboard import OnScreenKeyboard
    from kiosk.ui.widgets import IdNumberInput

    screen = Screen(name="keyboard_test")
    box = BoxLayout(orientation="vertical", padding=24, spacing=12)
    id_input = IdNumberInput()
    name_input = TextInput(multiline=False, size_hint_y=None, height=72, font_size=36)
    keyboard = OnScreenKeyboard(layout="letters")
    keyboard.attach(id_input, "id_number")
    keyboard.attach(name_input, "letters")
    for widget in (id_input, name_input, keyboard):
        box.add_widget(widget)
    screen.add_widget(box)
    ui.app.screens.add_widget(screen)
    ui.app.screens.current = "keyboard_test"
    ui.pump(2)
    yield id_input, name_input, keyboard
    ui.app.screens.current = "home"
    ui.app.screens.remove_widget(screen)


def test_id_keypad_fills_focused_input(ui, keyboard_screen):
    id_input, _name, keyboard = keyboard_screen
    ui.tap(id_input)
    ui.pump_until(lambda: id_input.focus, "ID input focused")
    assert keyboard.layout == "id_number"
    assert [k.value for k in keyboard.key_buttons()][:3] == ["1", "2", "3"]
    for ch in ID_NUMBER:
        ui.tap(keyboard.key(ch))
    assert id_input.text == ID_NUMBER
    assert id_input.focus, "pressing keys must not steal focus from the input"
    ui.screenshot(ui.app.root, "keyboard-id-number")


def test_backspace_clear_and_field_limits(ui, keyboard_screen):
    from kiosk.ui.keyboard import BACKSPACE, CLEAR

    id_input, _name, keyboard = keyboard_screen
    ui.tap(id_input)
    for ch in "1234":
        ui.tap(keyboard.key(ch))
    ui.tap(keyboard.key(BACKSPACE))
    assert id_input.text == "123"
    ui.tap(keyboard.key(CLEAR))
    assert id_input.text == ""
    # Typed on a hardware keyboard: letters other than X are dropped, x is upper-cased,
    # and the 18-character limit holds.
    ui.type("11010519491231002x99", into=id_input)
    assert id_input.text == ID_NUMBER
    ui.type("ab")
    assert id_input.text == ID_NUMBER


def test_focus_switches_layout_and_target(ui, keyboard_screen):
    from kiosk.ui.keyboard import SPACE

    id_input, name_input, keyboard = keyboard_screen
    ui.tap(id_input)
    ui.tap(keyboard.key("7"))
    ui.tap(name_input)
    ui.pump_until(lambda: keyboard.layout == "letters", "letters layout")
    for value in ("L", "I", SPACE, "S"):
        ui.tap(keyboard.key(value))
    assert name_input.text == "LI S"
    assert id_input.text == "7"


def test_special_keys_relabel(ui, keyboard_screen):
    from kiosk.ui.i18n import translator
    from kiosk.ui.keyboard import BACKSPACE

    _id, _name, keyboard = keyboard_screen
    assert keyboard.key(BACKSPACE).text == "退格"
    translator.toggle()
    assert keyboard.key(BACKSPACE).text == "Delete"
