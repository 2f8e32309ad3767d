"""The configuration a station receives at enrollment and through the changes feed."""

from __future__ import annotations

from typing import Any

from shared.checklists import default_checklists
from shared.records import EMPLOYMENT, HANDLING, MATTER_TYPES


def station_config(station: str | None, county: dict[str, Any] | None = None,
                   sync_interval_s: int = 900,
                   checklists: dict[str, Any] | None = None) -> dict[str, Any]:
    """The configuration document for ``station`` (None: every station), with the county's
    public keys when given (so a key rotation reaches kiosks through the feed) and the
    county's own checklists when it has edited them (else the built-in set)."""
    out: dict[str, Any] = {} if station is None else {"station": station}
    if county is not None:
        out["county"] = county
    return {**out, "version": 1, "matter_types": list(MATTER_TYPES),
            "preferred_handling": list(HANDLING), "employment": list(EMPLOYMENT),
            "checklists": checklists or default_checklists(),
            "sync_interval_s": sync_interval_s}
