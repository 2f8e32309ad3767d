"""Issue 15 at the server: wrong PINs capped per receipt over its lifetime (423
``receipt_locked`` whatever PIN is sent), staff reissuing a PIN, county settings (the
public status page address reaches kiosks in their configuration), the page's key list."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from shared.clock import ManualClock
from shared.keys import b64u, raw_public
from shared.receipt import new_code
from sync_server.config import keystore
from sync_server.config.settings import Settings
from sync_server.services import accounts, audit, countysettings, pinguard
from sync_server.services.countysettings import SettingInvalid
from sync_server.services.staff import StaffDesk
from sync_server.services.wiring import Services
from tests.sync_server.server_kit import TestKiosk, server_cli

STAFF_PASSWORD = "correct horse battery staple 42"  # noqa: S105  a test account


@pytest.fixture
def server_settings(tmp_path: Path, db_url: str) -> Settings:
    """As conftest's, with the per-address limit out of the way of the per-receipt ones."""
    data = tmp_path / "server"
    data.mkdir()
    keystore.create(data, "随州市曾都区", None)
    return Settings(data_dir=data, db_url=db_url, status_rate_per_minute=1000)


@pytest.fixture
def svc(server_settings: Settings, manual_clock: ManualClock,
        staff: StaffDesk) -> Iterator[Services]:
    s = Services.open(server_settings, manual_clock)
    accounts.add_user(s, "wang", ["intake"], "S002", STAFF_PASSWORD)  # another station's clerk
    accounts.add_user(s, "li", ["statistician"], None, STAFF_PASSWORD)
    try:
        yield s
    finally:
        s.close()


def _filed(client: httpx.Client, kiosk: TestKiosk) -> tuple[str, str]:
    env = kiosk.file()
    assert kiosk.push(client, [env]).status_code == 201
    return kiosk.receipts[env.header.id]


def _wrong(pin: str, n: int = 0) -> str:
    guess = f"{(int(pin) + 1 + n) % 10**6:06d}"
    assert guess != pin
    return guess


def _ask(client: httpx.Client, code: str, pin: str) -> httpx.Response:
    return client.post("/v1/status", json={"code": code, "pin": pin})


def test_ten_wrong_pins_lock_the_receipt_until_staff_reissue(
        client: httpx.Client, kiosk: TestKiosk, svc: Services,
        manual_clock: ManualClock) -> None:
    code, pin = _filed(client, kiosk)
    for n in range(10):
        assert _ask(client, code, _wrong(pin, n)).status_code == 404
        manual_clock.advance(seconds=15 * 60 + 1)  # the sliding window never holds them
    # the 11th try is refused unheard, whatever PIN: the right one, a wrong one, any spelling
    for guess in (pin, _wrong(pin), "１２３４５６"):
        locked = _ask(client, code, guess)
        assert locked.status_code == 423, guess
        assert locked.json()["code"] == "receipt_locked"
        assert "locked" in locked.json()["detail"]
        assert "锁定" in locked.json()["detail"]
    manual_clock.advance(seconds=30 * 24 * 3600)
    assert _ask(client, code, pin).status_code == 423  # time does not unlock it

    slip = pinguard.reissue(svc, code.lower(), "wang")
    assert slip.code == code
    assert slip.pin != pin
    assert slip.reissues == 1
    assert "New PIN" in slip.slip()
    assert slip.pin in slip.slip()
    assert _ask(client, code, pin).status_code == 404   # the old PIN stopped working
    ok = _ask(client, code, slip.pin)
    assert ok.status_code == 200
    assert ok.json()["status"] == "received"
    # the count started again (the old PIN above was its first): eight more do not lock it
    for n in range(8):
        assert _ask(client, code, _wrong(slip.pin, n)).status_code == 404
        manual_clock.advance(seconds=15 * 60 + 1)
    assert _ask(client, code, slip.pin).status_code == 200
    [entry] = audit.entries(svc, case_code=code)
    assert (entry.actor, entry.action) == ("wang", "receipt.reissue_pin")
    assert slip.pin not in entry.detail


def test_only_staff_whose_roles_allow_it_reissue(client: httpx.Client, kiosk: TestKiosk,
                                                 svc: Services) -> None:
    code, pin = _filed(client, kiosk)
    with pytest.raises(pinguard.ReissueRefused, match="may not reissue"):
        pinguard.reissue(svc, code, "li")
    with pytest.raises(accounts.UnknownUser):
        pinguard.reissue(svc, code, "nobody")
    assert _ask(client, code, pin).status_code == 200  # nothing changed
    assert audit.entries(svc, case_code=code) == []


def test_the_lifetime_cap_is_a_county_setting(
        client: httpx.Client, kiosk: TestKiosk, svc: Services) -> None:
    countysettings.set_value(svc, "pin_lock_after", "3", "wang")
    countysettings.set_value(svc, "pin_window_limit", "50", "wang")
    code, pin = _filed(client, kiosk)
    cursor = kiosk.changes(client).json()["cursor"]
    answers = [_ask(client, code, _wrong(pin, n)).status_code for n in range(4)]
    assert answers == [404, 404, 404, 423]
    # the filing station is told once, so its kiosk refuses the receipt offline too
    told = [c for c in kiosk.changes(client, cursor).json()["changes"]
            if c.get("type") == "pin"]
    assert [(c["receipt_code"], c["locked"], c["pin_verifier"]) for c in told] == [
        (code, True, None)]


def test_codes_without_a_receipt_never_answer_locked(
        client: httpx.Client, svc: Services, manual_clock: ManualClock) -> None:
    """Only receipts that exist have a lifetime count; an unknown code backs off by the
    window as before and never reads 'locked' (which would say it exists)."""
    ghost = new_code()
    seen = set()
    for _ in range(15):
        seen.add(_ask(client, ghost, "123456").status_code)
        manual_clock.advance(seconds=15 * 60 + 1)
    assert seen == {404}


def test_reissue_refuses_unknown_and_malformed_codes(svc: Services) -> None:
    from sync_server.errors import NotFound

    with pytest.raises(NotFound, match="no record"):
        pinguard.reissue(svc, new_code(), "wang")
    with pytest.raises(NotFound, match="check character"):
        pinguard.reissue(svc, "ABCD-EFGH-JKN", "wang")


def test_reissue_reaches_the_filing_station_only(
        client: httpx.Client, kiosk: TestKiosk, svc: Services) -> None:
    code, _ = _filed(client, kiosk)
    before = kiosk.changes(client).json()
    slip = pinguard.reissue(svc, code, "wang")
    page = kiosk.changes(client, before["cursor"]).json()
    pins = [c for c in page["changes"] if c.get("type") == "pin"]
    assert pins == [{"type": "pin", "receipt_code": code, "pin_verifier": pins[0]["pin_verifier"],
                     "locked": False, "as_of": slip.at}]
    assert pins[0]["pin_verifier"].startswith("s1.")
    assert slip.pin not in json.dumps(page)


@pytest.mark.parametrize(("value", "message"), [
    ("ftp://county.example", "https://"),
    ("http://county.example", "plain http:// only for 127.0.0.1"),
    ("https://", "name a host"),
    ("https://county.example/?x=1", "no query"),
    ("https://county.example/#r", "no query"),
    ("https://user@county.example", "no query, fragment or user name"),
    ("https://county.example:99999", "not a URL"),
    ("https://" + "a" * 200 + ".cn", "at most 200"),
])
def test_public_url_is_checked_and_the_error_names_it(svc: Services, value: str,
                                                      message: str) -> None:
    with pytest.raises(SettingInvalid, match="public_url") as caught:
        countysettings.set_value(svc, "public_url", value, "wang")
    assert message in str(caught.value)
    assert countysettings.show(svc)[0] == {"key": "public_url", "value": "", "default": True,
                                           "help": countysettings.SPECS["public_url"].help}


def test_unknown_setting_and_bad_number(svc: Services) -> None:
    with pytest.raises(SettingInvalid, match="no such county setting"):
        countysettings.set_value(svc, "colour", "blue", "wang")
    with pytest.raises(SettingInvalid, match=r"pin_lock_after 2: must be 3\.\.1000"):
        countysettings.set_value(svc, "pin_lock_after", "2", "wang")
    with pytest.raises(SettingInvalid, match="whole number"):
        countysettings.set_value(svc, "pin_lock_after", "ten", "wang")


def test_public_url_reaches_kiosks_through_enrollment_and_the_feed(
        client: httpx.Client, staff: StaffDesk, svc: Services, manual_clock: ManualClock
) -> None:
    from tests.sync_server.conftest import new_token

    countysettings.set_value(svc, "public_url", "https://wq.example.cn/yizhan/", "wang")
    kiosk = TestKiosk(manual_clock)
    enrolled = kiosk.enroll(client, new_token(staff))
    assert enrolled["config"]["public_url"] == "https://wq.example.cn/yizhan"
    cursor = kiosk.changes(client).json()["cursor"]
    countysettings.set_value(svc, "public_url", "", "wang")  # unset: v1 receipts again
    page = kiosk.changes(client, cursor).json()
    [config] = [c["config"] for c in page["changes"] if c.get("type") == "config"]
    assert config["public_url"] == ""
    # the page's asset paths follow the address's folder (a reverse proxy's prefix)
    countysettings.set_value(svc, "public_url", "https://wq.example.cn/yizhan", "wang")
    assert 'src="/yizhan/r/assets/status.js"' in client.get("/r").text


def test_the_key_list_holds_every_device_public_key(client: httpx.Client,
                                                    kiosk: TestKiosk) -> None:
    keys = client.get("/r/keys").json()
    assert keys["county"] == "随州市曾都区"
    assert keys["devices"] == {kiosk.device_id: {
        "key": b64u(raw_public(kiosk.key.public_key())), "station": "S001"}}


def test_settings_cli(tmp_path: Path) -> None:
    data = tmp_path / "county"
    server_cli("init", "--county", "X", "--no-passphrase", "--data", str(data))
    bad = server_cli("settings", "set", "public_url", "http://wq.example.cn", "--data",
                     str(data), check=False)
    assert bad.returncode == 1
    assert "public_url" in bad.stderr
    assert "https://" in bad.stderr
    server_cli("settings", "set", "public_url", "https://wq.example.cn", "--data", str(data))
    shown = json.loads(server_cli("settings", "show", "--json", "--data", str(data)).stdout)
    assert shown == {"public_url": "https://wq.example.cn", "pin_lock_after": 10,
                     "pin_window_limit": 5,
                     # early warning (issue 14): the defaults in force
                     "alert_emerging_claimants": 5, "alert_collective_workers": 10,
                     "alert_window_days": 30, "silent_station_days": 3,
                     "spike_min_count": 10, "spike_factor": 3.0}
    text = server_cli("settings", "show", "--data", str(data)).stdout
    assert "public_url = https://wq.example.cn\n" in text
    assert "pin_lock_after = 10  (default)" in text
