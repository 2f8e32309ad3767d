"""The thresholds of early warning in force: county settings (the ``county_settings``
table, ``yizhan-server settings``, when the store has it) over the server's settings and the
defaults in ``domain/alertflow.Thresholds``. Read by raising (``services/alerts.py``) and by
the alert views (``services/alertwork.py``)."""

from __future__ import annotations

import importlib
from typing import Any

from sqlalchemy import Connection

from sync_server.config.settings import Settings
from sync_server.domain import alertflow as flow


def thresholds(conn: Connection, settings: Settings) -> flow.Thresholds:
    """The thresholds in force: county settings (``county_settings`` table, when the store
    has it) over the server's settings and the defaults."""
    stored: dict[str, Any] = {}
    try:
        county = importlib.import_module("sync_server.store.countysettings")
        stored = county.all_values(conn)
    except (ModuleNotFoundError, AttributeError):
        pass
    base = flow.Thresholds(emerging_claimants=settings.alert_claimants,
                           window_days=settings.alert_window_days)
    return flow.Thresholds(
        emerging_claimants=int(stored.get("alert_emerging_claimants")
                               or base.emerging_claimants),
        collective_workers=int(stored.get("alert_collective_workers")
                               or base.collective_workers),
        window_days=int(stored.get("alert_window_days") or base.window_days),
        silent_station_days=int(stored.get("silent_station_days")
                                or base.silent_station_days),
        spike_min_count=int(stored.get("spike_min_count") or base.spike_min_count),
        spike_factor=float(stored.get("spike_factor") or base.spike_factor))
