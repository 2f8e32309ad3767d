"""Values as people read them on screen: times and receipt codes.

Times: Beijing time, to the minute, with its zone named. The services hand out UTC ISO 8601
strings (``2026-11-22T08:30:00.123Z``). Every station is in China, so the screen shows them
in UTC+8 (China has one time zone and no daylight saving) as ``2026-11-22 16:30（北京时间）``
/ ``2026-11-22 16:30 (Beijing time)``. Text that is not such a time is shown as it is: a
newer server may send something this kiosk does not know, and the worker should still see
it.

Receipt codes: in groups of four (``ABCD-EFGH-JKM``, ``shared.receipt.format_code``), as
printed, so what the worker copies down matches the paper.
"""

from __future__ import annotations

from datetime import timedelta, timezone

from shared.clock import parse_utc
from shared.receipt import format_code

__all__ = ["BEIJING", "local_time", "shown_code"]

BEIJING = timezone(timedelta(hours=8), "CST")
_ZONE = {"zh-CN": "{t}（北京时间）", "en": "{t} (Beijing time)"}


def local_time(value: str | None, lang: str) -> str:
    """``value`` (UTC ISO 8601) as Beijing time for the screen in ``lang`` (``zh-CN``/``en``).

    Returns ``"-"`` for None or empty, ``value`` unchanged when it is not a UTC time.
    """
    if not value:
        return "-"
    try:
        when = parse_utc(value)
    except (ValueError, TypeError):
        return value
    shown = when.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")
    return _ZONE.get(lang, _ZONE["en"]).format(t=shown)


def shown_code(code: str) -> str:
    """A receipt code as people read it (``ABCD-EFGH-JKM``); anything else as it is."""
    return format_code(code) if len(code) == 11 and code.isalnum() else code
