"""The official holidays and make-up working days, from ``chinese-calendar`` (the State
Council's yearly notices, as packaged): the seed of the county's working-day calendar."""

from __future__ import annotations

from datetime import date

import chinese_calendar

SOURCE = f"chinese-calendar {getattr(chinese_calendar, '__version__', '')}".strip()


def official_days() -> list[tuple[date, bool, str | None]]:
    """(day, working day?, holiday name) for every statutory holiday the package knows and
    every make-up working day that falls on a weekend, in date order."""
    days = [(d, False, name) for d, name in chinese_calendar.holidays.items()]
    days += [(d, True, name) for d, name in chinese_calendar.workdays.items()
             if d.weekday() >= 5]
    return sorted(days)
