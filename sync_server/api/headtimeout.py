"""Close connections that do not finish a request head in time (slowloris).

uvicorn's h11 protocol closes idle keep-alive connections, but a connection that sends part
of a request line or headers and then stalls (or sends nothing at all) is kept for ever: a
few hundred of them exhaust the server's file descriptors. :func:`protocol_with_head_timeout`
returns an ``H11Protocol`` subclass (passed to uvicorn as ``http=``) that starts a deadline
when a connection opens and whenever a new request head begins, cancels it once h11 has the
whole head, and closes the connection when it passes. The deadline is for the whole head,
not per byte, so trickling one byte at a time does not extend it. Request bodies are not
timed here (``BodyLimit`` bounds their size).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

log = logging.getLogger("yizhan.server")


class HeadTimeoutProtocol(H11Protocol):
    """H11Protocol with a deadline on each request head (``head_timeout_s``)."""

    head_timeout_s: float = 10.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_deadline: asyncio.TimerHandle | None = None

    def _arm(self) -> None:
        if self._head_deadline is None:
            self._head_deadline = self.loop.call_later(self.head_timeout_s, self._head_expired)

    def _disarm(self) -> None:
        if self._head_deadline is not None:
            self._head_deadline.cancel()
            self._head_deadline = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self._arm()  # a head has begun (or not even that): its deadline runs
        else:
            self._disarm()  # h11 has the whole head; the request is being served

    def on_response_complete(self) -> None:
        super().on_response_complete()
        # Between requests uvicorn's keep-alive timeout applies; a new head re-arms ours.
        self._disarm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _head_expired(self) -> None:
        self._head_deadline = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            log.warning("closed a connection that sent no complete request head within %g s",
                        self.head_timeout_s)
            self.transport.close()


def protocol_with_head_timeout(seconds: float) -> type[HeadTimeoutProtocol]:
    """A HeadTimeoutProtocol class whose deadline is ``seconds``."""
    return type("HeadTimeoutProtocol", (HeadTimeoutProtocol,), {"head_timeout_s": seconds})
