"""The vendored htmx is exactly the file pinned in sync_server/console/__init__.py."""

from __future__ import annotations

import hashlib

from sync_server.console import HTMX_SHA256
from sync_server.console.render import STATIC


def test_htmx_is_the_pinned_file() -> None:
    data = (STATIC / "htmx.min.js").read_bytes()
    assert hashlib.sha256(data).hexdigest() == HTMX_SHA256
    assert data.startswith(b"var htmx=function()")
