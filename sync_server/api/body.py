"""Request bodies: a size limit enforced while reading, gzip, JSON."""

from __future__ import annotations

import json
import zlib
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sync_server.api.problems import problem, response


class BodyLimit:
    """ASGI middleware: refuse (413 body_too_large) any body larger than ``limit`` bytes.

    A declared Content-Length over the limit is refused before reading; otherwise the bytes
    are counted as they arrive and reading stops at the limit.
    """

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit
        for name, value in scope.get("headers", ()):
            if name == b"content-length" and value.isdigit() and int(value) > limit:
                await response(problem("body_too_large", f"body of {int(value)} bytes "
                                       f"exceeds {limit} bytes"))(scope, receive, send)
                return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise problem("body_too_large", f"body exceeds {limit} bytes")
            return message

        await self.app(scope, limited, send)


def decode(raw: bytes, encoding: str | None, limit: int) -> bytes:
    """Undo ``Content-Encoding`` (identity or gzip), never inflating past ``limit``."""
    encoding = (encoding or "identity").strip().lower()
    if encoding == "identity":
        return raw
    if encoding != "gzip":
        raise problem("bad_encoding", f"Content-Encoding {encoding!r} is not supported "
                      "(use gzip or none)", status=415)
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(raw, limit + 1)
    except zlib.error as exc:
        raise problem("bad_encoding", f"gzip body cannot be decompressed: {exc}") from None
    if len(out) > limit or inflater.unconsumed_tail:
        raise problem("body_too_large", f"decompressed body exceeds {limit} bytes")
    if not inflater.eof:
        raise problem("bad_encoding", "gzip body is truncated")
    return out


def parse_json(data: bytes) -> Any:
    """The JSON value of ``data``; 400 malformed_json naming the position when it is not."""
    try:
        return json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise problem("malformed_json", "body is not UTF-8") from None
    except (json.JSONDecodeError, RecursionError) as exc:
        raise problem("malformed_json", f"body is not valid JSON: {exc}") from None
    except ValueError:  # an integer of more digits than Python converts (int_max_str_digits)
        raise problem("malformed_json", "body is not valid JSON: a number is too long") \
            from None
