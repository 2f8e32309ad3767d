"""Voice prompts (语音提示): a station setting switched on the home screen, the questions and
the receipt facts said by the real espeak-ng (into WAV files here, not a loudspeaker), and
never anything a worker typed."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.kiosk.ui.ui_kit import REAL_STAFF_PIN, REAL_STATION

pytestmark = pytest.mark.ui


@pytest.fixture
def spoken(tmp_path):
    """What the prompter says, as ``(text, voice, wav path)``; espeak-ng writes each prompt
    to a WAV file instead of the audio device (the command is the prompter's one seam)."""
    from kiosk.ui.voice import voice_prompts

    said: list[tuple[str, str, Path]] = []

    def to_wav(text: str, voice: str) -> list[str]:
        wav = tmp_path / f"prompt-{len(said)}.wav"
        said.append((text, voice, wav))
        return ["espeak-ng", "-v", voice, "-w", str(wav), "--", text]

    saved = voice_prompts.command
    voice_prompts.command = to_wav
    yield said
    voice_prompts.stop()
    voice_prompts.wait_idle()
    voice_prompts.command = saved
    voice_prompts.enabled = False


def _settle(ui):
    """Let the service worker and the prompter finish what was started."""
    from kiosk.ui.voice import voice_prompts

    ui.pump_until(lambda: not ui.app.runner.busy, "service worker idle")
    voice_prompts.wait_idle()


def test_espeak_is_installed_and_speaks_mandarin(tmp_path):
    # With CI=true nothing may skip: the kiosk's Debian packages are part of the test machine.
    wav = tmp_path / "check.wav"
    subprocess.run(["espeak-ng", "-v", "cmn", "-w", str(wav), "--", "请输入"],
                   check=True, timeout=30)
    assert wav.stat().st_size > 1000


def test_voice_switch_is_off_by_default_and_persists_as_station_setting(
        real_ui, kiosk_services, spoken):
    from kiosk.ui.voice import voice_prompts

    ui = real_ui
    ui.screen("home").load_settings()
    _settle(ui)
    toggle = ui.find("voice_toggle")
    assert not voice_prompts.enabled
    assert toggle.text == "语音提示：关"
    ui.tap(toggle)
    assert voice_prompts.enabled
    assert toggle.text == "语音提示：开"
    _settle(ui)
    [(text, voice, wav)] = spoken
    assert (text, voice) == ("语音提示已打开。", "cmn")
    assert wav.stat().st_size > 1000, "espeak-ng really spoke it"

    # The next visit, and a restart (the setting read back from the kiosk's store).
    ui.app.wipe()
    ui.pump(2)
    assert voice_prompts.enabled
    stored: list[bool] = []
    ui.app.runner.call(kiosk_services.config.voice_prompts, on_result=stored.append)
    ui.pump_until(lambda: stored, "stored setting read")
    assert stored == [True]
    voice_prompts.enabled = False  # as a freshly started kiosk process
    ui.screen("home").load_settings()
    ui.pump_until(lambda: voice_prompts.enabled, "setting loaded at home")
    _settle(ui)
    assert spoken[-1][0].startswith("您好！请选择"), "home's own prompt once it is on"

    ui.tap(toggle)
    _settle(ui)
    ui.app.runner.call(kiosk_services.config.voice_prompts, on_result=stored.append)
    ui.pump_until(lambda: len(stored) == 2, "stored setting read again")
    assert stored[-1] is False


def test_setting_survives_reopening_the_kiosk_data(tmp_path):
    from kiosk.errors import ConfigInvalid
    from kiosk.root import KioskServices
    from kiosk.services import init_kiosk
    from shared.clock import SystemClock

    init_kiosk(tmp_path / "k", REAL_STATION, REAL_STAFF_PIN.encode(), SystemClock())
    with KioskServices.open(tmp_path / "k") as services:
        assert services.config.voice_prompts() is False
        services.config.set_voice_prompts(True)
        services.apply_config({"ticket_prefix": "B"})  # the server's config keeps it
        with pytest.raises(ConfigInvalid, match="voice_prompts"):
            services.apply_config({"voice_prompts": "yes"})
    with KioskServices.open(tmp_path / "k") as services:
        assert services.config.voice_prompts() is True
        assert services.config.ticket_prefix() == "B"


def test_prompts_say_each_question_and_the_receipt_never_personal_data(
        ui, fake_services, spoken):
    from test_ui_complaint import FILLED, walk_to_consent

    from kiosk.ui.i18n import translator
    from kiosk.ui.screens.complaint import STEPS
    from kiosk.ui.voice import voice_prompts

    fake_services.config.voice = True
    ui.screen("home").load_settings()
    ui.pump_until(lambda: voice_prompts.enabled, "voice prompts on")
    walk_to_consent(ui)
    ui.tap("consent")
    ui.tap("submit_button")
    ui.pump_until(lambda: ui.current == "receipt", "receipt shown")
    _settle(ui)
    texts = [text for text, _voice, _wav in spoken]
    assert {voice for _text, voice, _wav in spoken} == {"cmn"}
    for step in STEPS:
        assert translator.t(f"voice.complaint.{step}", "zh-CN") in texts, step
    receipt = fake_services.make_receipt()
    assert any("K 7 Q 2, M 9 X P, A 3 4" in text for text in texts), "the code, spelled"
    assert any("服务窗口" in text for text in texts), "where to go"
    # Nothing typed, and not the PIN: neither whole nor spelled out nor without spaces.
    secrets_ = [*FILLED.values(), receipt["pin"], "12,500.50", "13800138000"]
    for text in texts:
        bare = text.replace(" ", "").replace(",", "")
        for value in secrets_:
            assert value not in text, (value, text)
            assert value.replace(",", "") not in bare, (value, text)
    assert all(wav.stat().st_size > 1000 for _t, _v, wav in spoken[-1:])

    # In English when English is chosen.
    ui.tap("done_button")
    ui.pump_until(lambda: ui.current == "home")
    ui.tap("lang_toggle")
    ui.tap("btn_complaint")
    ui.pump_until(lambda: ui.current == "complaint")
    _settle(ui)
    assert spoken[-1][:2] == ("What is your complaint about?", "en")


def test_prompts_cannot_carry_typed_text():
    from kiosk.ui.voice import VoicePrompter

    prompter = VoicePrompter()
    with pytest.raises(ValueError, match="name"):
        prompter.text("voice.receipt", code="K7Q2", name="张三")
    with pytest.raises(KeyError):
        prompter.text("complaint.claimant_title")  # screen text, not a prompt


def test_kiosk_without_espeak_says_nothing_and_staff_are_told(ui, fake_services, spoken):
    from kiosk.ui.voice import voice_prompts

    saved = voice_prompts.program
    voice_prompts.program = "espeak-ng-not-installed"  # as on a station without the package
    try:
        voice_prompts.enabled = True
        assert not voice_prompts.available
        assert voice_prompts.say("voice.home") is False
        assert spoken == []
        ui.unlock_staff(fake_services.staff_pin)
        ui.tap("page_device")
        ui.pump_until(lambda: "dev-7f3a" in ui.find("device_label").text, "device page")
        status = ui.find("input_status_label").text
        assert "语音提示不可用：请安装 Debian 软件包 espeak-ng" in status
        assert "拼音输入：可用" in status
        ui.tap("lang_toggle")
        assert "install the Debian package espeak-ng" in ui.find("input_status_label").text
    finally:
        voice_prompts.program = saved
