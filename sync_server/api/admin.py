"""Operator pages (``/metrics``, ``/docs``, ``/redoc``, ``/openapi.json``) for chosen clients only.

Metrics name the store's counts and the API schema maps every route: useful to the county IT
officer, not to whoever can reach the kiosk-facing port. :class:`AdminOnly` is a pure-ASGI
middleware that answers 403 ``admin_only`` on those paths unless the client address is in
``Settings.admin_networks`` (default: loopback only; ``serve --admin-from CIDR`` adds
networks). With ``trust_forwarded_for`` the first ``X-Forwarded-For`` address is the client,
as for the status rate limit.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from starlette.types import ASGIApp, Receive, Scope, Send

from sync_server.api.problems import problem, response

ADMIN_PATHS = frozenset({"/metrics", "/docs", "/docs/oauth2-redirect", "/redoc",
                         "/openapi.json"})
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(values: Iterable[str]) -> tuple[Network, ...]:
    """The networks in ``values`` (``10.0.0.0/8``, ``192.0.2.7``, ``::1``).

    Raises ValueError naming the value that is not an address or network.
    """
    out: list[Network] = []
    for value in values:
        try:
            out.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError:
            raise ValueError(f"{value!r} is not an IP address or network (CIDR)") from None
    return tuple(out)


class AdminOnly:
    """ASGI middleware: operator paths answer only to clients in ``networks``."""

    def __init__(self, app: ASGIApp, networks: Iterable[str],
                 trust_forwarded_for: bool = False) -> None:
        self.app = app
        self.networks = parse_networks(networks)
        self.trust_forwarded_for = trust_forwarded_for

    def _client(self, scope: Scope) -> str:
        if self.trust_forwarded_for:
            for name, value in scope.get("headers", ()):
                if name == b"x-forwarded-for":
                    return str(value.decode("latin-1")).split(",")[0].strip()
        client = scope.get("client")
        return str(client[0]) if client else ""

    def allowed(self, host: str) -> bool:
        """Whether ``host`` (an address; anything else is refused) is in the networks."""
        try:
            address = ipaddress.ip_address(host.strip("[]"))
        except ValueError:
            return False
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        return any(address in net for net in self.networks)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("path") in ADMIN_PATHS \
                and not self.allowed(self._client(scope)):
            await response(problem("admin_only", f"{scope['path']} is served only to the "
                                   "addresses given by 'yizhan-server serve --admin-from' "
                                   "(default: this machine)"))(scope, receive, send)
            return
        await self.app(scope, receive, send)
