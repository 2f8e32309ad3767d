"""Prometheus metrics: this process's counters plus store gauges read at scrape time.

Counters are per process (Prometheus adds them up across processes); the gauges come from the
shared store, so every process reports the same values for them.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping

Key = tuple[str, tuple[tuple[str, str], ...]]


def _labels(labels: Mapping[str, str]) -> str:
    if not labels:
        return ""
    inner = ",".join(f'{k}="{_escape(v)}"' for k, v in sorted(labels.items()))
    return "{" + inner + "}"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


HELP = {
    "yizhan_http_requests_total": ("counter", "HTTP requests by route and status code"),
    "yizhan_records_total": ("counter", "Pushed records by result status"),
    "yizhan_ingest_seconds_total": ("counter", "Seconds spent in the push pipeline"),
    "yizhan_problems_total": ("counter", "Refused requests by problem code"),
    "yizhan_inbox_records": ("gauge", "Inbox records by state (store-wide)"),
    "yizhan_cases": ("gauge", "Cases in the store"),
    "yizhan_devices": ("gauge", "Enrolled devices"),
}


class Metrics:
    """Thread-safe counters, rendered in the Prometheus text format 0.0.4."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: dict[Key, float] = {}

    def inc(self, name: str, amount: float = 1.0, **labels: str) -> None:
        with self._lock:
            key = (name, tuple(sorted(labels.items())))
            self._values[key] = self._values.get(key, 0.0) + amount

    def render(self, gauges: Mapping[Key, float]) -> str:
        """The exposition text: counters of this process and the given gauges."""
        with self._lock:
            values = dict(self._values)
        values.update(gauges)
        lines: list[str] = []
        for name in sorted({n for n, _ in values} | set(HELP)):
            kind, text = HELP.get(name, ("untyped", name))
            lines += [f"# HELP {name} {text}", f"# TYPE {name} {kind}"]
            for (n, labels), value in sorted(values.items()):
                if n == name:
                    lines.append(f"{name}{_labels(dict(labels))} {value:g}")
        return "\n".join(lines) + "\n"
