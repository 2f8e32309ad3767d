"""Window-free logic of the UI package: i18n table, idle decision, font lookup, worker."""

from __future__ import annotations

import string
import threading

import pytest

from kiosk.ui import fonts
from kiosk.ui.i18n import LANGS, STRINGS, Translator
from kiosk.ui.idle import IdleTimeout


class ManualClock:
    """Stands in for Kivy's Clock: records schedules, runs them when told."""

    def __init__(self) -> None:
        self.once: list = []
        self.scheduled = threading.Event()

    def schedule_once(self, callback, timeout=0):
        self.once.append(callback)
        self.scheduled.set()

    def schedule_interval(self, callback, interval):
        raise AssertionError("not used here")

    def run_pending(self) -> None:
        self.scheduled.clear()
        pending, self.once = self.once, []
        for callback in pending:
            callback(0)


# -- i18n ------------------------------------------------------------------------------------


def test_every_string_has_every_language_with_the_same_placeholders():
    for key, texts in STRINGS.items():
        assert len(texts) == len(LANGS), key
        fields = [
            {name for _, name, _, _ in string.Formatter().parse(text) if name} for text in texts
        ]
        assert all(texts), key
        assert all(f == fields[0] for f in fields), f"{key}: placeholders differ"


def test_chinese_is_the_default_and_toggle_cycles():
    tr = Translator()
    assert tr.lang == "zh-CN"
    assert tr.t("home.complaint") == "我要维权/投诉"
    assert tr.toggle() == "en"
    assert tr.t("home.complaint") == "File a complaint"
    assert tr.t("ticket.ahead", ahead=2) == "2 people ahead of you"
    assert tr.toggle() == "zh-CN"


def test_unknown_key_is_our_bug_and_unknown_status_shows_raw():
    tr = Translator()
    with pytest.raises(KeyError):
        tr.t("no.such.key")
    assert tr.status_name("in_mediation") == "调解中"
    assert tr.status_name("reopened") == "reopened"  # a status newer than this kiosk


# -- idle timeout ----------------------------------------------------------------------------


@pytest.fixture
def idle_now():
    return [0.0]


@pytest.fixture
def idle(idle_now):
    fired = []
    timer = IdleTimeout(timeout=90, warn_seconds=20, time_source=lambda: idle_now[0])
    timer.bind(on_timeout=lambda *_a: fired.append(idle_now[0]))
    timer.fired = fired
    timer.enabled = True
    return timer


@pytest.mark.parametrize(
    ("quiet_s", "counting", "remaining", "fires"),
    [
        (0, False, 90, False),  # just touched
        (69.5, False, 21, False),  # 20.5 s left: not yet warning
        (70, True, 20, False),  # the warning window starts
        (89.2, True, 1, False),  # last second, rounded up
        (90, False, 90, True),  # timeout: fires and re-arms
    ],
)
def test_idle_check_table(idle, idle_now, quiet_s, counting, remaining, fires):
    idle_now[0] = quiet_s
    assert idle.check() is fires
    assert idle.counting_down is counting
    assert idle.remaining == remaining
    assert bool(idle.fired) is fires


def test_poke_restarts_and_disabled_never_fires(idle, idle_now):
    idle_now[0] = 80
    idle.check()
    assert idle.counting_down
    idle.poke()
    assert not idle.counting_down
    idle_now[0] = 160
    assert not idle.check()
    idle.enabled = False
    idle_now[0] = 10_000
    assert not idle.check()
    assert idle.fired == []


def test_idle_rejects_nonsense_settings():
    with pytest.raises(ValueError, match="warn_seconds"):
        IdleTimeout(timeout=10, warn_seconds=20)


# -- fonts -----------------------------------------------------------------------------------


def test_bundled_font_is_found():
    path = fonts.find_cjk_font()
    assert path.is_file()


def test_missing_font_names_the_packages(monkeypatch, tmp_path):
    monkeypatch.delenv(fonts.FONT_ENV_VAR, raising=False)
    monkeypatch.setattr(fonts, "_pypi_font", lambda: None)
    monkeypatch.setattr(fonts, "DEBIAN_FONT_PATHS", (("fonts-wqy-microhei", tmp_path / "x.ttc"),))
    with pytest.raises(fonts.FontNotFoundError) as err:
        fonts.find_cjk_font()
    assert "pylopdf-fonts-zh-cn" in str(err.value)
    assert "fonts-wqy-microhei" in str(err.value)


def test_font_override_must_exist(monkeypatch, tmp_path):
    monkeypatch.setenv(fonts.FONT_ENV_VAR, str(tmp_path / "missing.otf"))
    with pytest.raises(fonts.FontNotFoundError, match="YIZHAN_UI_FONT"):
        fonts.find_cjk_font()


# -- worker ----------------------------------------------------------------------------------


def _settle(clock):
    """Wait for the worker to hand a delivery to the clock, then run it (as a frame would)."""
    assert clock.scheduled.wait(10), "the worker never delivered"
    clock.run_pending()


def test_runner_delivers_on_the_clock_and_runs_off_thread():
    from kiosk.ui.worker import ServiceRunner

    clock = ManualClock()
    runner = ServiceRunner(clock=clock)
    got = []
    runner.call(lambda: threading.current_thread().name, on_result=got.append)
    _settle(clock)
    assert got[0].startswith("kiosk-services")
    assert not runner.busy
    runner.shutdown()


def test_runner_drops_stale_results_but_raises_unhandled_errors():
    from kiosk.ui.worker import ServiceRunner

    clock = ManualClock()
    runner = ServiceRunner(clock=clock)
    got = []
    gate = threading.Event()
    runner.call(lambda: gate.wait(5) and "old person", on_result=got.append)
    runner.invalidate()  # the idle timeout wiped the screen meanwhile
    gate.set()
    _settle(clock)
    assert got == []

    def boom():
        raise RuntimeError("store is locked")

    runner.call(boom)
    with pytest.raises(RuntimeError, match="store is locked"):
        _settle(clock)
    runner.shutdown()


# -- times on screen -------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "lang", "shown"), [
    # UTC late evening is the next morning in Beijing
    ("2026-11-21T16:30:00.000Z", "zh-CN", "2026-11-22 00:30（北京时间）"),
    ("2026-11-21T16:30:00.000Z", "en", "2026-11-22 00:30 (Beijing time)"),
    # an offset other than Z is converted too
    ("2026-11-21T10:00:00+02:00", "en", "2026-11-21 16:00 (Beijing time)"),
    # nothing yet (never synced)
    (None, "zh-CN", "-"),
    # not a time this kiosk knows: shown as it came
    ("yesterday", "en", "yesterday"),
])
def test_times_are_shown_in_beijing_time(value, lang, shown):
    from kiosk.ui.display import local_time

    assert local_time(value, lang) == shown


# -- staff sentences -------------------------------------------------------------------------


@pytest.fixture
def english():
    from kiosk.ui.i18n import translator

    translator.lang = "en"
    yield translator
    translator.reset()


@pytest.mark.parametrize(("exc", "said"), [
    # the county cannot be reached: nothing is lost, try later
    ("transient", "cannot be reached. Every record is still kept on this kiosk"),
    # the county refused (a used token, a revoked device)
    ("permanent", "The county server refused: token already used"),
    ("passphrase", "Wrong station passphrase."),
    ("locked", "Type the station passphrase first."),
    # a USB drive that is not there, only when exporting
    ("oserror", "The bundle could not be written: No such file or directory."),
    # shared/safefile.py refusals: another file at the name, a planted link, no such folder
    ("exists", "Another file (not a bundle) is already there; it was not replaced."),
    ("symlink", "That path is a link or a folder; nothing was written, for safety."),
    ("unwritable", "The bundle could not be written: /media/usb/S001.yzb: No such file"),
    # anything else names its type
    ("other", "Failed: RuntimeError: boom"),
])
def test_staff_failures_say_whose_fault_it_is(english, exc, said):
    from kiosk.errors import StationLocked, WrongPassphrase
    from kiosk.sync.errors import PermanentError, TransientError
    from kiosk.ui.staff_text import failure_text
    from shared._errors import FileRefused

    error = {"transient": TransientError("cannot reach http://x: ConnectError"),
             "permanent": PermanentError("token already used", "token_used"),
             "passphrase": WrongPassphrase("no"), "locked": StationLocked("no"),
             "oserror": FileNotFoundError(2, "No such file or directory"),
             "exists": FileRefused("exists", "/media/usb/S001.yzb already exists"),
             "symlink": FileRefused("symlink", "/media/usb/S001.yzb is a symbolic link"),
             "unwritable": FileRefused("unwritable", "/media/usb/S001.yzb: No such file or "
                                                     "directory"),
             "other": RuntimeError("boom")}[exc]
    assert said in failure_text(error, "export")


def test_sync_summary_sentence_mentions_refusals_and_errors(english):
    from kiosk.ui.staff_text import synced_text

    clean = {"pushed": 2, "acknowledged": 2, "pulled": 0, "quarantined": 0, "conflicts": 0}
    assert synced_text(clean) == ("Sync finished: 2 records sent, 2 confirmed by the county "
                                  "centre, 0 case updates received.")
    troubled = {**clean, "quarantined": 1, "errors": ["gap in chain"]}
    text = synced_text(troubled)
    assert "1 were quarantined and 0 conflicted: see the outbox." in text
    assert text.endswith("Problems during the sync: gap in chain")


def test_sync_summary_tells_staff_to_set_a_wrong_clock(english):
    from kiosk.ui.i18n import translator
    from kiosk.ui.staff_text import synced_text

    clean = {"pushed": 1, "acknowledged": 1, "pulled": 0, "quarantined": 0, "conflicts": 0}
    assert "clock" not in synced_text({**clean, "clock_offset_s": 0})
    behind = synced_text({**clean, "clock_offset_s": 2 * 86400 + 600})
    assert behind.endswith("this kiosk's clock is about 2 days behind the county server's; "
                           "please set it (this sync corrected for it).")
    assert "about 3 h ahead of" in synced_text({**clean, "clock_offset_s": -3 * 3600})
    translator.lang = "zh-CN"
    assert synced_text({**clean, "clock_offset_s": -420}).endswith(
        "注意：本机时钟比县级服务器快约 7 分钟，请校准本机时间（本次同步已自动校正）。")


def test_sync_progress_names_each_phase(english):
    from kiosk.ui.staff_text import sync_progress_text

    assert sync_progress_text("", 0, 1) == ""
    assert sync_progress_text("waiting", 0, 0).startswith("Another sync is running")
    assert sync_progress_text("push", 0, 5) == "Sending records: 0 of 5"
    assert sync_progress_text("pull", 3, 3) == "Receiving case updates: 3 so far"


def test_details_without_any_and_unknown_keys(english):
    from kiosk.ui.staff_text import details_text

    assert details_text(None) == ""
    assert details_text({}) == "No details were given with this number."
    assert details_text({"matter": "work_injury", "linked_receipt": "K7Q2M9XPA34",
                         "shoe_size": 42}).splitlines() == [
        "Matter: Work injury", "Receipt code: K7Q2-M9XP-A34", "shoe_size: 42"]
