"""County settings: county-wide values staff read and set (``yizhan-server settings``).

Each key has a default, a validator and a say in what kiosks receive:

* ``public_url`` — the county's public status page address (``https://…``; plain
  ``http://`` only for ``127.0.0.1``/``localhost``, i.e. tests). Kiosks receive it with
  their station configuration and print v2 receipts (``<public_url>/r#YZR2.…``); empty:
  v1 receipts as before.
* ``pin_lock_after`` — wrong PINs a receipt may take over its lifetime before it is locked
  until staff reissue its PIN (default 10).
* ``pin_window_limit`` — wrong PINs per receipt within ``status_receipt_window_s`` before
  lookups of it back off (default: ``Settings.status_wrong_pins_per_receipt``).

Setting a key that kiosks receive publishes the station configuration on the changes feed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Connection

from sync_server.config.settings import Settings
from sync_server.errors import ConfigError
from sync_server.services import alertsettings
from sync_server.services.core import Core
from sync_server.services.stationconfig import station_config
from sync_server.store import checklists as checklist_store
from sync_server.store import countysettings as q
from sync_server.store import feed


class SettingInvalid(ConfigError):
    """A county setting's key is unknown or its value is refused; the message names it."""

    code = "setting_invalid"


MAX_URL = 200


def check_public_url(value: str) -> str:
    """The normalised status page address (no trailing ``/``), or "" to unset.

    Raises SettingInvalid naming ``public_url`` and what is wrong.
    """
    value = value.strip()
    if value == "":
        return ""
    where = f"public_url {value!r}"
    if len(value) > MAX_URL:
        raise SettingInvalid(f"{where}: at most {MAX_URL} characters")
    try:
        parts = urlsplit(value)
        port = parts.port  # raises ValueError for a bad port
    except ValueError:
        raise SettingInvalid(f"{where}: not a URL") from None
    del port
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("https", "http") or not host:
        raise SettingInvalid(f"{where}: must start with https:// and name a host")
    if parts.scheme == "http" and host not in ("127.0.0.1", "localhost", "::1"):
        raise SettingInvalid(f"{where}: must use https:// (plain http:// only for "
                             "127.0.0.1 or localhost, for tests)")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise SettingInvalid(f"{where}: no query, fragment or user name; the address of "
                             "the county's site only")
    if any(c.isspace() or ord(c) < 33 or ord(c) > 126 for c in value):
        raise SettingInvalid(f"{where}: ASCII letters, digits and punctuation only")
    return value.rstrip("/")


def _check_int(key: str, low: int, high: int) -> Any:
    def check(value: str) -> int:
        try:
            number = int(value.strip())
        except ValueError:
            raise SettingInvalid(f"{key} {value!r}: must be a whole number") from None
        if not low <= number <= high:
            raise SettingInvalid(f"{key} {number}: must be {low}..{high}")
        return number
    return check


def _check_float(key: str, low: float, high: float) -> Any:
    def check(value: str) -> float:
        try:
            number = float(value.strip())
        except ValueError:
            raise SettingInvalid(f"{key} {value!r}: must be a number") from None
        if not low <= number <= high:
            raise SettingInvalid(f"{key} {number}: must be {low}..{high}")
        return number
    return check


@dataclass(frozen=True)
class Spec:
    default: Any
    check: Any
    to_kiosks: bool
    help: str


SPECS: dict[str, Spec] = {
    "public_url": Spec("", check_public_url, True,
                       "public status page address printed in receipt QR codes"),
    "pin_lock_after": Spec(10, _check_int("pin_lock_after", 3, 1000), False,
                           "wrong PINs over a receipt's lifetime before it is locked"),
    "pin_window_limit": Spec(None, _check_int("pin_window_limit", 1, 1000), False,
                             "wrong PINs per receipt per window before lookups back off"),
    # early warning (services/alertsettings.py; unset: the server's settings, then the
    # defaults of domain/alertflow.Thresholds)
    "alert_emerging_claimants": Spec(None, _check_int("alert_emerging_claimants", 2, 1000),
                                     False, "claimants against one employer within the "
                                     "window that raise an emerging (苗头) alert; default 5"),
    "alert_collective_workers": Spec(None, _check_int("alert_collective_workers", 2, 10000),
                                     False, "workers with a common claim that make a "
                                     "collective (集体) dispute; default 10"),
    "alert_window_days": Spec(None, _check_int("alert_window_days", 1, 365), False,
                              "days an alert looks back over; default 30"),
    "silent_station_days": Spec(None, _check_int("silent_station_days", 1, 365), False,
                                "days without a sync before a station is flagged silent"),
    "spike_min_count": Spec(None, _check_int("spike_min_count", 1, 100000), False,
                            "filings in a week before a spike (激增) can be raised"),
    "spike_factor": Spec(None, _check_float("spike_factor", 1.0, 100.0), False,
                         "a week's filings over the 4-week mean that make a spike"),
}


@dataclass(frozen=True)
class CountySettings:
    """The settings in force: stored values over defaults."""

    public_url: str
    pin_lock_after: int
    pin_window_limit: int

    def to_wire(self) -> dict[str, Any]:
        return dict(self.__dict__)


def current(conn: Connection, settings: Settings) -> CountySettings:
    """The settings in force now (one query)."""
    stored = q.all_values(conn)
    window = stored.get("pin_window_limit") or settings.status_wrong_pins_per_receipt
    return CountySettings(public_url=str(stored.get("public_url") or ""),
                          pin_lock_after=int(stored.get("pin_lock_after")
                                             or SPECS["pin_lock_after"].default),
                          pin_window_limit=int(window))


def describe(conn: Connection, settings: Settings) -> list[dict[str, Any]]:
    """Every key with its value in force, whether it is the default, and what it does."""
    stored = q.all_values(conn)
    values = current(conn, settings).to_wire()
    t = alertsettings.thresholds(conn, settings)  # the early-warning values in force
    values |= {"alert_emerging_claimants": t.emerging_claimants,
               "alert_collective_workers": t.collective_workers,
               "alert_window_days": t.window_days, "silent_station_days": t.silent_station_days,
               "spike_min_count": t.spike_min_count, "spike_factor": t.spike_factor}
    return [{"key": k, "value": values[k], "default": k not in stored, "help": s.help}
            for k, s in SPECS.items()]


def parse(key: str, value: str) -> Any:
    """Check ``value`` for ``key``; returns the value to store. Raises SettingInvalid."""
    spec = SPECS.get(key)
    if spec is None:
        raise SettingInvalid(f"{key}: no such county setting (known: {', '.join(SPECS)})")
    return spec.check(value)


def put(conn: Connection, key: str, value: str, now_ms: int, user: str) -> tuple[Any, bool]:
    """Store a checked value (an empty one resets the key to its default). Returns the
    stored value and whether kiosks must be told (publish the station configuration)."""
    clean = parse(key, value)
    if clean == "" or clean is None:
        q.delete(conn, key)
    else:
        q.put(conn, key, clean, now_ms, user)
    return clean, SPECS[key].to_kiosks


def for_kiosks(conn: Connection) -> dict[str, Any]:
    """The settings kiosks receive in their station configuration (always every key, so
    an unset value reaches them too)."""
    stored = q.all_values(conn)
    return {k: stored.get(k, s.default) for k, s in SPECS.items() if s.to_kiosks}


def show(svc: Core) -> list[dict[str, Any]]:
    """``describe`` on a fresh connection."""
    with svc.engine.connect() as conn:
        return describe(conn, svc.settings)


def set_value(svc: Core, key: str, value: str, user: str) -> Any:
    """Check and store one setting (an empty value resets it to its default); when kiosks
    receive it, put the new station configuration on every station's feed in the same
    transaction. Returns the value stored. Raises SettingInvalid naming the key."""
    now_ms = svc.now_ms()
    with svc.engine.begin() as conn:
        clean, to_kiosks = put(conn, key, value, now_ms, user)
        if to_kiosks:
            config = station_config(None, svc.keys.public(),
                                    county_settings=for_kiosks(conn),
                                    checklists=checklist_store.in_force(conn))
            feed.append(conn, [(feed.EVERY_STATION, {"type": "config", "config": config})],
                        now_ms)
    return clean
