"""The core every service works on, opened once per process: settings, clock, store, keys,
the merge desk (``CaseDesk``), the push pipeline (``Ingestor``) and metrics.

Services (``staff``, ``enrollment``, ``devices``, ``feed``, ``lookup``, ``views``) take a
:class:`Core`; :class:`sync_server.services.wiring.Services` is the core with those services
attached, the one object ``api/`` and ``cli/`` hold.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Self

from sqlalchemy import Engine

from shared.clock import Clock
from sync_server.config import keystore
from sync_server.config.keywatch import KeyWatch
from sync_server.config.settings import Settings
from sync_server.metrics import Metrics
from sync_server.services.ingest import Ingestor
from sync_server.services.merge import CaseDesk
from sync_server.store import make_engine, migrate


@dataclass
class Core:
    """What every service needs. Holds no state of its own beyond caches of what is on
    disk: several processes can share one PostgreSQL."""

    settings: Settings
    clock: Clock
    engine: Engine
    desk: CaseDesk
    ingestor: Ingestor
    metrics: Metrics

    @classmethod
    def open(cls, settings: Settings, clock: Clock, *, upgrade: bool = True) -> Self:
        """Load the keys, open (and migrate) the store. Raises ConfigError naming the fault."""
        watch = KeyWatch(settings.data_dir, settings.passphrase)
        engine = make_engine(settings.database_url, settings.sqlite_busy_timeout_s)
        if upgrade:
            migrate(engine)
        desk = CaseDesk(watch.keys.secret, clock, settings)
        return cls(settings, clock, engine, desk, Ingestor(engine, watch, desk, clock),
                   Metrics())

    @property
    def keys(self) -> keystore.CountyKeys:
        """The county keys held now (as last loaded; see ``fresh_keys``)."""
        return self.ingestor.keys

    def fresh_keys(self) -> keystore.CountyKeys:
        """The county keys as the key folder holds them now, reloaded if a rotation changed
        it (``Ingestor.fresh_keys``). Blocks on disk: call it off the event loop."""
        return self.ingestor.fresh_keys()

    def now_ms(self) -> int:
        """The clock's time now, in milliseconds since the epoch (the store's unit)."""
        return int(self.clock.now().timestamp() * 1000)

    def close(self) -> None:
        """Release the store's connections."""
        self.engine.dispose()


@contextmanager
def startup_objects_set_aside() -> Iterator[None]:
    """While open, the objects that exist now are left out of the garbage collector's passes.

    A serving process makes ~100,000 objects at start-up (modules, SQLAlchemy, pydantic, the
    app) that live as long as it does; every full pass of the collector walked them all
    again (~35 us of CPU per ingested record; half that once they are set aside, see
    docs/server.md "Throughput"). ``gc.freeze`` sets them aside (after one
    collection, so no garbage is kept); on close ``gc.unfreeze`` gives them back, so a
    process that starts and stops apps (the tests) leaves nothing uncollectable behind.
    """
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
