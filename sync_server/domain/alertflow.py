"""The lifecycle of an early-warning alert (预警): 认领 claimed → 研判 assessed → 处置 handled →
销号 closed, each step taken by a named user with a note; closing needs an outcome.

Pure rules: which step may follow which state, the level of a collective alert by its
claimant count (苗头 emerging / 集体 collective), and the zh-CN and English labels.
"""

from __future__ import annotations

from dataclasses import dataclass

from sync_server.domain.errors import DomainError

STATES = ("open", "claimed", "assessed", "handled", "closed")

# CLI verb -> (state it needs, state it leads to)
STEPS: dict[str, tuple[str, str]] = {
    "ack": ("open", "claimed"),
    "assess": ("claimed", "assessed"),
    "handle": ("assessed", "handled"),
    "close": ("handled", "closed"),
}

STATE_LABELS: dict[str, tuple[str, str]] = {
    "open": ("待认领", "new"),
    "claimed": ("已认领", "claimed"),
    "assessed": ("已研判", "assessed"),
    "handled": ("已处置", "handled"),
    "closed": ("已销号", "closed"),
}

STEP_LABELS: dict[str, tuple[str, str]] = {
    "ack": ("认领", "claim"),
    "assess": ("研判", "assess"),
    "handle": ("处置", "handle"),
    "close": ("销号", "close"),
    "escalate": ("移送劳动监察", "escalate to labour inspection"),
}

LEVEL_LABELS: dict[str, tuple[str, str]] = {
    "emerging": ("苗头", "emerging"),
    "collective": ("集体", "collective"),
    "spike": ("激增", "spike"),
}

MAX_NOTE = 2000


class StepRefused(DomainError):
    """A lifecycle step the alert's state does not allow, or a step without what it needs."""

    code = "alert_step_refused"


@dataclass(frozen=True)
class Thresholds:
    """When an alert is raised and how it is graded (county settings, defaults here)."""

    emerging_claimants: int = 5      # distinct claimants within the window: 苗头
    collective_workers: int = 10     # workers with a common claim: 集体 (调解仲裁法 art. 7)
    window_days: int = 30
    silent_station_days: int = 3     # a station not synced for this long is flagged
    spike_min_count: int = 10        # complaints in 7 days before a spike is raised …
    spike_factor: float = 3.0        # … and this many times the station's (matter's) mean


def level(claimants: int, coworkers_reported: int | None, t: Thresholds) -> str:
    """``collective`` once the claimants (or the coworkers they report) reach the collective
    threshold, else ``emerging``."""
    workers = max(claimants, coworkers_reported or 0)
    return "collective" if workers >= t.collective_workers else "emerging"


def next_state(state: str, step: str, note: str | None) -> str:
    """The state ``step`` leads to from ``state``. Raises StepRefused naming what is wrong
    (zh-CN and English): an unknown step, a step out of order, or a close without outcome."""
    if step not in STEPS:
        raise StepRefused(f"step {step!r}: unknown (ack, assess, handle, close) / 未知操作")
    needs, leads = STEPS[step]
    if state != needs:
        have = STATE_LABELS.get(state, (state, state))
        want = STATE_LABELS[needs]
        raise StepRefused(f"预警当前为「{have[0]}」，{STEP_LABELS[step][0]}需要「{want[0]}」 / "
                          f"the alert is {have[1]}; {STEP_LABELS[step][1]} needs it {want[1]}")
    if step == "close" and not (note or "").strip():
        raise StepRefused("outcome: 销号须填写处置结果 / closing needs an outcome (--outcome)")
    if note is not None and len(note) > MAX_NOTE:
        raise StepRefused(f"outcome: 最多 {MAX_NOTE} 字 / at most {MAX_NOTE} characters")
    return leads
