"""Statutory deadlines: the clocks of a case, as rules (data) walked over its events.

Each ``ClockRule`` says which event starts it (``start``), how long it runs in calendar or
working days, which events pause it (the time left is kept), resume it, restart it from
nothing or stop it, how far it may be extended and by whom, and the law it comes from.
``RULES`` holds the clocks of CONSOLE.md; ``clocks`` walks one case's events in fold order and
returns each clock's latest run as a ``Clock``; ``Clock.status(today)`` is on_track, at_risk,
overdue, paused, met or missed.

Counting follows the civil-procedure convention: the day a period starts is not counted; a
calendar-day period whose last day is not a working day (a holiday or an ordinary weekend)
ends on the next working day; a working-day period counts only working days of the
``WorkCalendar`` (make-up Saturdays count, holidays do not). Dates are China Standard Time
(UTC+8, no daylight saving since 1991), taken from each event's HLC wall time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from shared.hlc import HLC
from sync_server.domain.events import Event

CHINA = timezone(timedelta(hours=8))
AT_RISK_SHARE = 0.25  # at risk when less than this share of the period is left (configurable)
UNITS = ("calendar", "working")


class WorkCalendar:
    """Which days are working days: Monday to Friday unless ``overrides`` says otherwise
    (holidays on weekdays are False, make-up working days on weekends True)."""

    def __init__(self, overrides: Mapping[date, bool]) -> None:
        self._overrides = dict(overrides)

    def is_workday(self, day: date) -> bool:
        """True if ``day`` is a working day."""
        return self._overrides.get(day, day.weekday() < 5)

    def next_workday(self, day: date) -> date:
        """``day`` itself if it is a working day, else the first working day after it."""
        while not self.is_workday(day):
            day += timedelta(days=1)
        return day

    def add(self, start: date, days: int, unit: str) -> date:
        """The last day of a period of ``days`` ``unit`` days starting after ``start``."""
        if unit == "calendar":
            return self.next_workday(start + timedelta(days=days))
        day = start
        for _ in range(days):
            day = self.next_workday(day + timedelta(days=1))
        return day

    def between(self, start: date, end: date, unit: str) -> int:
        """How many ``unit`` days lie in (start, end]; 0 if end <= start."""
        if end <= start:
            return 0
        if unit == "calendar":
            return (end - start).days
        return sum(1 for n in range(1, (end - start).days + 1)
                   if self.is_workday(start + timedelta(days=n)))


@dataclass(frozen=True)
class On:
    """An event that matters to a clock: its ``kind``, and optionally the route it routes to
    (``to``) or the route the case is on when it happens (``route``)."""

    kind: str
    to: str | None = None
    route: str | None = None

    def matches(self, event: Event, route: str | None) -> bool:
        """True if ``event`` (on a case whose route before it was ``route``) is this one."""
        if event.kind != self.kind:
            return False
        if self.to is not None and event.data.get("to") != self.to:
            return False
        return self.route is None or route == self.route


FINISH = (On("closed"), On("agreement_recorded"), On("reopened"),
          On("duplicate_confirmed"))


@dataclass(frozen=True)
class ClockRule:
    """One statutory clock (see the module docstring)."""

    name: str
    title_zh: str
    title_en: str
    days: int
    unit: str
    start: tuple[On, ...]
    stop: tuple[On, ...]
    pause: tuple[On, ...] = ()
    resume: tuple[On, ...] = ()
    restart: tuple[On, ...] = ()
    max_extension: int = 0
    approver: str | None = None  # the role that approves an extension
    source_zh: str = ""
    source_en: str = ""

    def __post_init__(self) -> None:
        if self.unit not in UNITS or self.days <= 0 or self.max_extension < 0:
            raise ValueError(f"clock rule {self.name}: bad unit or length")


def _away(route: str) -> tuple[On, ...]:
    """The case routed to any other body stops a clock of ``route``."""
    from sync_server.domain.statuses import ROUTES
    return tuple(On("routed", to=r) for r in ROUTES if r != route)


_MATERIALS = (On("materials_requested"),)
_COMPLETE = (On("materials_received"),)

RULES: tuple[ClockRule, ...] = (
    ClockRule("intake", "受理审查", "intake review", 5, "calendar",
              start=(On("filed"),), stop=(On("accepted"), On("routed"), *FINISH),
              pause=_MATERIALS, resume=_COMPLETE,
              source_zh="劳动人事争议仲裁办案规则 第29条（材料不齐的，当场或5日内一次性告知）",
              source_en="Rules for handling labour and personnel dispute arbitration cases, "
                        "art. 29 (incomplete materials: tell the applicant at once or within "
                        "5 days)"),
    ClockRule("mediation", "调解期限", "mediation", 15, "calendar",
              start=(On("routed", to="mediation"),), stop=(*_away("mediation"), *FINISH),
              pause=_MATERIALS, resume=_COMPLETE,
              source_zh="劳动争议调解仲裁法 第14条（自调解组织收到调解申请之日起15日）",
              source_en="Labour Dispute Mediation and Arbitration Law, art. 14 (15 days from "
                        "the mediation body's receipt)"),
    ClockRule("arbitration_acceptance", "仲裁立案审查", "arbitration acceptance", 5,
              "calendar", start=(On("routed", to="arbitration"),),
              stop=(On("accepted", route="arbitration"), *_away("arbitration"), *FINISH),
              pause=_MATERIALS, restart=_COMPLETE,
              source_zh="劳动争议调解仲裁法 第29条；办案规则 第29、46条（补正齐全之日起重新计算）",
              source_en="Labour Dispute Mediation and Arbitration Law, art. 29; Rules arts. "
                        "29, 46 (counted again from the day the materials are complete)"),
    ClockRule("arbitration_award", "仲裁审理期限", "arbitration award", 45, "calendar",
              start=(On("accepted", route="arbitration"),),
              stop=(On("outcome_recorded", route="arbitration"), *_away("arbitration"),
                    *FINISH),
              max_extension=15, approver="director",
              source_zh="劳动争议调解仲裁法 第43条（45日，经仲裁委主任批准可延长15日）；"
                        "办案规则 第45、46条",
              source_en="Labour Dispute Mediation and Arbitration Law, art. 43 (45 days, +15 "
                        "with the chair's approval); Rules arts. 45-46"),
    ClockRule("inspection_acceptance", "监察立案", "inspection acceptance", 5, "working",
              start=(On("routed", to="inspection"),),
              stop=(On("accepted", route="inspection"), *_away("inspection"), *FINISH),
              pause=_MATERIALS, resume=_COMPLETE,
              source_zh="劳动保障监察条例 第17条（5个工作日内决定是否立案）",
              source_en="Regulation on Labour Security Supervision, art. 17 (decide within 5 "
                        "working days)"),
    ClockRule("inspection_investigation", "监察调查", "inspection investigation", 60,
              "working", start=(On("accepted", route="inspection"),),
              stop=(*_away("inspection"), *FINISH), max_extension=30, approver="director",
              source_zh="劳动保障监察条例 第17条（60个工作日，经批准可延长30个工作日）",
              source_en="Regulation on Labour Security Supervision, art. 17 (60 working days, "
                        "+30 with approval)"),
    ClockRule("legal_aid", "法律援助审查", "legal aid decision", 7, "working",
              start=(On("routed", to="legal_aid"),),
              stop=(On("accepted", route="legal_aid"), *_away("legal_aid"), *FINISH),
              pause=_MATERIALS, resume=_COMPLETE,
              source_zh="办理法律援助案件程序规定 第13条（7个工作日内作出决定）",
              source_en="Provisions on the procedure of legal aid cases, art. 13 (decide "
                        "within 7 working days)"),
)
RULES_BY_NAME = {rule.name: rule for rule in RULES}


def event_day(event: Event) -> date:
    """The China date of an event, from its HLC wall time."""
    ms = HLC.parse(event.hlc).wall
    return datetime.fromtimestamp(ms / 1000, UTC).astimezone(CHINA).date()


def today_in_china(now: datetime) -> date:
    """The China date of a timezone-aware ``now``."""
    return now.astimezone(CHINA).date()


@dataclass(frozen=True)
class Clock:
    """One run of a clock. ``due`` is None while paused (``left`` units are then kept)."""

    rule: ClockRule
    started: date
    due: date | None
    left: int  # units left when paused (else the full period, for at-risk)
    total: int  # the period with granted extensions
    extension: int = 0
    stopped: date | None = None
    paused: bool = False
    pending: tuple[Mapping[str, Any], ...] = field(default=())  # extension requests waiting

    def at_risk_on(self, calendar: WorkCalendar, share: float = AT_RISK_SHARE) -> date | None:
        """The first day on which less than ``share`` of the period is left (None if
        paused or stopped)."""
        if self.due is None or self.stopped is not None:
            return None
        day = self.due
        while day > self.started and \
                calendar.between(day - timedelta(days=1), self.due, self.rule.unit) \
                < share * self.total:
            day -= timedelta(days=1)
        return day

    def status(self, today: date, calendar: WorkCalendar,
               share: float = AT_RISK_SHARE) -> str:
        """on_track | at_risk | overdue | paused | met | missed."""
        if self.stopped is not None:
            return "met" if self.due is None or self.stopped <= self.due else "missed"
        if self.paused or self.due is None:
            return "paused"
        if today > self.due:
            return "overdue"
        risk = self.at_risk_on(calendar, share)
        return "at_risk" if risk is not None and today >= risk else "on_track"

    def to_wire(self, today: date, calendar: WorkCalendar,
                share: float = AT_RISK_SHARE) -> dict[str, Any]:
        """JSON-ready, with the state as of ``today`` and the legal source."""
        risk = self.at_risk_on(calendar, share)
        return {"clock": self.rule.name, "title_zh": self.rule.title_zh,
                "title_en": self.rule.title_en, "days": self.rule.days, "unit": self.rule.unit,
                "started_on": self.started.isoformat(),
                "due_on": self.due.isoformat() if self.due else None,
                "at_risk_on": risk.isoformat() if risk else None,
                "extension_days": self.extension, "left_when_paused": self.left
                if self.paused else None,
                "stopped_on": self.stopped.isoformat() if self.stopped else None,
                "state": self.status(today, calendar, share),
                "pending_extensions": [dict(p) for p in self.pending],
                "max_extension": self.rule.max_extension, "approver": self.rule.approver,
                "source_zh": self.rule.source_zh, "source_en": self.rule.source_en}


def _any(ons: tuple[On, ...], event: Event, route: str | None) -> bool:
    return any(on.matches(event, route) for on in ons)


def _run(rule: ClockRule, event: Event, route: str | None, clock: Clock | None,
         cal: WorkCalendar) -> Clock | None:
    """The clock after ``event``; one step of the walk."""
    day = event_day(event)
    if clock is None or clock.stopped is not None:
        if _any(rule.start, event, route):
            return Clock(rule, day, cal.add(day, rule.days, rule.unit), rule.days, rule.days)
        return clock
    if _any(rule.stop, event, route):
        return replace(clock, stopped=day, pending=())
    if _any(rule.restart, event, route):
        return Clock(rule, day, cal.add(day, clock.total, rule.unit), clock.total,
                     clock.total, clock.extension)
    if not clock.paused and clock.due is not None and _any(rule.pause, event, route):
        left = max(0, clock.total - cal.between(clock.started, min(day, clock.due), rule.unit))
        return replace(clock, due=None, left=left, paused=True)
    if clock.paused and _any(rule.resume + rule.restart, event, route):
        return replace(clock, due=cal.add(day, clock.left, rule.unit), paused=False,
                       started=cal_back(day, clock.total - clock.left, rule.unit, cal))
    return _extension(rule, event, clock, cal)


def cal_back(day: date, used: int, unit: str, cal: WorkCalendar) -> date:
    """A start date that, counted from, leaves ``used`` units already spent by ``day`` (so
    a resumed clock shows the share of time left correctly)."""
    start = day
    while cal.between(start, day, unit) < used:
        start -= timedelta(days=1)
    return start


def _extension(rule: ClockRule, event: Event, clock: Clock, cal: WorkCalendar) -> Clock:
    if event.kind == "extension_requested" and event.data["clock"] == rule.name:
        ask = {"request": event.event_id, "days": event.data["days"],
               "reason": event.data["reason"], "author": event.author}
        return replace(clock, pending=(*clock.pending, ask))
    if event.kind == "extension_decided":
        asked = [p for p in clock.pending if p["request"] == event.data["request"]]
        if not asked:
            return clock
        pending = tuple(p for p in clock.pending if p["request"] != event.data["request"])
        if not event.data["approved"]:
            return replace(clock, pending=pending)
        days = min(int(asked[0]["days"]), rule.max_extension - clock.extension)
        due = None if clock.due is None else cal.add(clock.due, days, rule.unit) \
            if rule.unit == "working" else cal.next_workday(
                _raw_due(clock, rule) + timedelta(days=days))
        return replace(clock, pending=pending, extension=clock.extension + days,
                       total=clock.total + days, due=due,
                       left=clock.left + days if clock.paused else clock.left)
    return clock


def _raw_due(clock: Clock, rule: ClockRule) -> date:
    """The calendar-day due date before a holiday moved it (for extending from it)."""
    return clock.started + timedelta(days=clock.total)


def clocks(events: Iterable[Event], routes: Callable[[Event], str | None],
           calendar: WorkCalendar, rules: Iterable[ClockRule] = RULES) -> list[Clock]:
    """The latest run of every clock a case has started, in rule order.

    ``events`` in fold order; ``routes(event)`` gives the case's route just before the event
    (``fold``'s history tells). A clock never started is absent.
    """
    ordered = list(events)
    out = []
    for rule in rules:
        clock: Clock | None = None
        for event in ordered:
            clock = _run(rule, event, routes(event), clock, calendar)
        if clock is not None:
            out.append(clock)
    return out


def next_deadline(runs: Iterable[Clock]) -> Clock | None:
    """The running clock that falls due first (None if no clock runs)."""
    running = [c for c in runs if c.stopped is None and c.due is not None]
    return min(running, key=lambda c: c.due or date.max, default=None)
