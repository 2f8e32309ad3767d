"""``Refused``: a kiosk's or a worker's request that a service turns down.

Services know *why* (a stable ``code`` from docs/protocol.md and a ``detail`` naming the
field or thing at fault) but not HTTP; the HTTP edge (``api/problems.py``) answers a
``Refused`` as the problem body of its code, with ``extra`` members (``retry_after``,
``server_time``) added to the body.
"""

from __future__ import annotations

from typing import Any

from sync_server.errors import ServerError


class Refused(ServerError):
    """A request refused by a service: stable ``code``, human ``detail``, body ``extra``."""

    code = "refused"  # each instance names its own (docs/protocol.md problem codes)

    def __init__(self, code: str, detail: str, **extra: Any) -> None:
        self.code = code
        self.detail = detail
        self.extra = extra
        super().__init__(f"{code}: {detail}")
