"""``Services``: the one object ``api/`` and ``cli/`` hold, opened once per process.

It is the :class:`~sync_server.services.core.Core` (settings, clock, store engine, keys,
metrics, the merge desk ``desk`` and the push pipeline ``ingestor``) with every service
attached by what it is about::

    svc.ingestor     push pipeline: store, verify, open, merge (services/ingest.py)
    svc.desk         merging filings and staff events into cases (services/merge.py)
    svc.staff        staff actions and listings (services/staff.py, ``StaffDesk``)
    svc.enrollment   enrollment tokens: issue, redeem (services/enrollment.py)
    svc.devices      device auth, revocation, listing (services/devices.py)
    svc.feed         the per-station changes feed (services/feed.py)
    svc.lookup       status lookup, health, gauges (services/lookup.py)
    svc.views        read views for the console: cases, alerts (services/views.py)

Use it as a context manager, or call ``close()``.
"""

from __future__ import annotations

from functools import cached_property
from types import TracebackType
from typing import Self

from sync_server.services.core import Core, startup_objects_set_aside
from sync_server.services.devices import Devices
from sync_server.services.enrollment import Enrollment
from sync_server.services.feed import Feed
from sync_server.services.lookup import Lookup
from sync_server.services.staff import StaffDesk
from sync_server.services.views import Views

__all__ = ["Services", "startup_objects_set_aside"]


class Services(Core):
    """The core with its services attached (see the module docstring)."""

    @cached_property
    def staff(self) -> StaffDesk:
        """Staff actions and listings."""
        return StaffDesk(self)

    @cached_property
    def enrollment(self) -> Enrollment:
        """Enrollment tokens."""
        return Enrollment(self)

    @cached_property
    def devices(self) -> Devices:
        """Enrolled devices."""
        return Devices(self)

    @cached_property
    def feed(self) -> Feed:
        """The changes feed."""
        return Feed(self)

    @cached_property
    def lookup(self) -> Lookup:
        """Public status lookup, health and gauges."""
        return Lookup(self)

    @cached_property
    def views(self) -> Views:
        """Read views of cases, alerts and devices."""
        return Views(self)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
