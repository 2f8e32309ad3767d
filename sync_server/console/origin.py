"""The console's cross-site request check, a pure-ASGI middleware (modelled on BodyLimit).

A state-changing request (anything but GET, HEAD, OPTIONS) to ``/console/`` is refused with
403 ``csrf_failed`` when the browser says it comes from another site: ``Sec-Fetch-Site``
other than ``same-origin`` or ``none``, or an ``Origin`` that is not this server's own
(scheme and ``Host``). Requests carrying neither header (not from a browser) pass on to the
per-session token check in the routes, which every state-changing request must pass too.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from sync_server.api.problems import response
from sync_server.errors import Problem

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
PREFIX = "/console"


def refused(detail: str) -> Problem:
    """The one refusal of a request failing a CSRF check."""
    return Problem(403, "csrf_failed", detail)


class OriginCheck:
    """ASGI middleware: refuse cross-site state-changing requests to the console."""

    def __init__(self, app: ASGIApp, prefix: str = PREFIX) -> None:
        self.app = app
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (scope["type"] != "http" or scope["method"] in SAFE_METHODS
                or not (scope["path"] == self.prefix
                        or scope["path"].startswith(self.prefix + "/"))):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1")
                   for k, v in scope.get("headers", ())}
        site = headers.get("sec-fetch-site")
        if site is not None and site not in ("same-origin", "none"):
            await response(refused(f"Sec-Fetch-Site {site!r}: cross-site request refused"))(
                scope, receive, send)
            return
        origin = headers.get("origin")
        own = f"{scope.get('scheme', 'http')}://{headers.get('host', '')}"
        if origin is not None and origin != own:
            await response(refused("Origin is not this server: cross-site request refused"))(
                scope, receive, send)
            return
        await self.app(scope, receive, send)
