"""Any kiosk answers (issue 15): a lookup of another station's receipt goes to the county
when the kiosk is online (same PIN rules and cap), and offline the kiosk says it cannot check
other stations' receipts right now instead of "wrong code or PIN". The county's status page
address reaches kiosks through the feed and turns their receipts into v2 links."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

from tests.kiosk.kiosk_kit import complaint
from tests.sync.conftest import kiosk_cli
from tests.sync_server.server_kit import ServerProcess, server_cli


def _file(kiosk: Path) -> dict[str, str]:
    out = kiosk_cli(kiosk, "submit", "complaint", "--json", "-",
                    input_text=json.dumps(complaint(1), ensure_ascii=False))
    receipt: dict[str, str] = json.loads(out.stdout)
    return receipt


def _staff(county: Path) -> None:
    """A triage user ``li`` (case commands act as a named console user)."""
    subprocess.run(["yizhan-server", "user", "add", "li", "--role", "triage",
                    "--password-stdin", "--data", str(county)],
                   input="correct horse battery staple 7\n", text=True, check=True,
                   capture_output=True, timeout=120)


def test_another_stations_receipt_is_answered_by_the_county(
        make_kiosk: Callable[[str], Path], county: Path, server: ServerProcess) -> None:
    filing, other = make_kiosk("S001"), make_kiosk("S002")
    receipt = _file(filing)
    code, pin = receipt["receipt_code"], receipt["pin"]
    kiosk_cli(filing, "sync", "--json")
    _staff(county)
    server_cli("case", "status", code, "in_mediation", "--as", "li", "--data", str(county))

    online = json.loads(kiosk_cli(other, "status", code, "--pin", pin, "--json").stdout)
    assert online["status"] == "in_mediation"
    assert online["receipt_code"] == code
    assert online["source"] == "county"
    english = json.loads(kiosk_cli(other, "status", code, "--pin", pin, "--json", "--lang",
                                   "en").stdout)
    assert english["next_step"] != online["next_step"]
    wrong = kiosk_cli(other, "status", code, "--pin", "000000" if pin != "000000" else "111111",
                      check=False)
    assert wrong.returncode == 1
    assert "不正确" in wrong.stderr

    server.stop()  # the county is out of reach now
    offline = kiosk_cli(other, "status", code, "--pin", pin, "--json", check=False)
    assert offline.returncode == 4
    assert json.loads(offline.stdout)["code"] == "other_station_offline"
    assert "其他站点" in offline.stderr
    assert "other stations'" in offline.stderr
    # the filing kiosk still answers its own receipt offline, from its cache
    own = json.loads(kiosk_cli(filing, "status", code, "--pin", pin, "--json").stdout)
    assert own["status"] == "received"


def test_another_stations_kiosk_tells_what_to_bring_and_the_deadline(
        make_kiosk: Callable[[str], Path], county: Path, server: ServerProcess) -> None:
    """The county's answer carries the 需补正 words and the next deadline; a kiosk asking for
    another station's receipt shows them in its next step (never the staff's item list)."""
    filing, other = make_kiosk("S001"), make_kiosk("S002")
    receipt = _file(filing)
    code, pin = receipt["receipt_code"], receipt["pin"]
    kiosk_cli(filing, "sync", "--json")
    where = ("--data", str(county))
    _staff(county)
    server_cli("case", "route", code, "--to", "legal_aid", "--as", "li", *where)
    routed = json.loads(kiosk_cli(other, "status", code, "--pin", pin, "--json").stdout)
    assert routed["status"] == "with_legal_aid"
    assert "下一个法定期限：法律援助审查" in routed["next_step"]
    server_cli("case", "needs-materials", code, "--items", "王五的欠条、考勤记录", "--as", "li",
               *where)
    out = kiosk_cli(other, "status", code, "--pin", pin, "--json", "--lang", "en")
    waiting = json.loads(out.stdout)
    assert waiting["next_step"].startswith("2 more documents needed")
    assert "Next legal deadline" not in waiting["next_step"]  # paused until they come
    assert "王五" not in out.stdout


def test_a_locked_receipt_is_locked_at_every_kiosk(
        make_kiosk: Callable[[str], Path], county: Path, server: ServerProcess) -> None:
    filing, other = make_kiosk("S001"), make_kiosk("S002")
    receipt = _file(filing)
    code, pin = receipt["receipt_code"], receipt["pin"]
    kiosk_cli(filing, "sync", "--json")
    server_cli("settings", "set", "pin_lock_after", "3", "--data", str(county))
    server_cli("settings", "set", "pin_window_limit", "50", "--data", str(county))
    wrong = "000000" if pin != "000000" else "111111"
    codes = [kiosk_cli(other, "status", code, "--pin", wrong, check=False).returncode
             for _ in range(3)]
    assert codes == [1, 1, 1]
    locked = kiosk_cli(other, "status", code, "--pin", pin, "--json", check=False)
    assert locked.returncode == 3
    assert json.loads(locked.stdout)["code"] == "receipt_locked"
    assert "锁定" in locked.stderr


def test_public_url_reaches_the_kiosk_and_its_receipts_become_links(
        make_kiosk: Callable[[str], Path], county: Path, server: ServerProcess) -> None:
    kiosk = make_kiosk("S001")
    before = _file(kiosk)
    assert before["qr_payload"].startswith("YZR1.")  # no public_url: v1 as today
    server_cli("settings", "set", "public_url", "https://wq.example.cn", "--data", str(county))
    kiosk_cli(kiosk, "sync", "--json")
    after = _file(kiosk)
    assert after["qr_payload"].startswith("https://wq.example.cn/r#YZR2.")
    # both receipts (v1 and v2) look up at the kiosk as before
    for r in (before, after):
        found = json.loads(kiosk_cli(kiosk, "status", r["receipt_code"], "--pin", r["pin"],
                                     "--json").stdout)
        assert found["receipt_code"] == r["receipt_code"]
    server_cli("settings", "set", "public_url", "", "--data", str(county))
    kiosk_cli(kiosk, "sync", "--json")
    assert _file(kiosk)["qr_payload"].startswith("YZR1.")
