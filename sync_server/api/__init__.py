"""The HTTP API (FastAPI): routes, request authentication, bodies and problem answers."""

from sync_server.api.app import create_app

__all__ = ["create_app"]
