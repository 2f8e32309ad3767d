"""``create_app(settings, clock)``: the ASGI application of the county sync server."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.clock import Clock, SystemClock
from sync_server import console
from sync_server.api import kiosk, kiosk_v2, public, status_page
from sync_server.api.admin import AdminOnly
from sync_server.api.body import BodyLimit
from sync_server.api.problems import install
from sync_server.config.settings import Settings
from sync_server.services import seekercache
from sync_server.services.merger import Merger
from sync_server.services.wiring import Services, startup_objects_set_aside

log = logging.getLogger("yizhan.server")


class RequestCounter:
    """ASGI middleware counting requests by route template and status (pure ASGI, so errors
    raised while reading the body still reach the problem handlers)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = [0]

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            app = scope.get("app")
            svc = getattr(app.state, "services", None) if app is not None else None
            if svc is not None:
                route = scope.get("route")
                svc.metrics.inc("yizhan_http_requests_total",
                                route=getattr(route, "path", "unmatched"),
                                status=str(status[0] or 500))


def create_app(settings: Settings, clock: Clock | None = None) -> FastAPI:
    """Build the app. The store is opened and migrated, records left pending by a crash are
    finished and records quarantined ``unknown_kid`` that the keys now held open are merged,
    when the app starts (lifespan); ConfigError is raised then if the data folder or
    database cannot be used. Key rotations made while it runs are picked up per request
    (``sync_server.config.keywatch``)."""
    clock = clock or SystemClock()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        svc = await run_in_threadpool(Services.open, settings, clock)
        app.state.services = svc
        recovered, failed = await run_in_threadpool(svc.ingestor.recover)
        if recovered:
            log.info("finished pending records of %d devices (%d left for their next push)",
                     recovered, failed)
        # keys added while the server was down open what they could not before
        retried = await run_in_threadpool(svc.ingestor.retry_unknown_kid)
        if retried:
            log.info("merged %d records quarantined unknown_kid with the keys held now", retried)
        # job seekers' profiles into this process (services.seekercache), off the start path
        threading.Thread(target=seekercache.warm, args=(svc.engine,), daemon=True,
                         name="seeker-cache-warm").start()
        # v2 pushes are answered once stored and verified; this thread merges them
        app.state.merger = Merger(svc.ingestor, quiet_s=settings.merge_after_s).start()
        try:
            with startup_objects_set_aside():
                yield
        finally:
            await run_in_threadpool(app.state.merger.stop)
            svc.close()

    app = FastAPI(title="yizhan county sync server", version="1", lifespan=lifespan,
                  description="Enrollment, signed push of sealed envelopes, changes feed and "
                              "receipt status lookup. See docs/protocol.md.")
    install(app)
    app.include_router(kiosk.router)
    app.include_router(kiosk_v2.router)  # protocol v2 push (issue 17)
    app.include_router(public.router)
    app.include_router(status_page.router)
    console.install(app)  # the county console under /console/ (sync_server/console)

    app.add_middleware(RequestCounter)
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    app.add_middleware(AdminOnly, networks=settings.admin_networks,
                       trust_forwarded_for=settings.trust_forwarded_for)
    # Answers (acks, change feeds) are JSON full of hex and repeated keys: gzip them for
    # clients that ask (the kiosk does), which matters on a 64 kbit/s link.
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    app.add_middleware(kiosk_v2.AdvertiseProtocols)
    return app
