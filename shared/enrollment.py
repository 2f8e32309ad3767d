"""The enrollment token as county staff hand it to a kiosk: a one-time secret, usually a QR.

``yizhan-server enroll-token`` makes it (:func:`new_token`, :class:`EnrollmentToken`,
:meth:`EnrollmentToken.qr_payload`); the kiosk reads it back with :func:`read_enrollment_qr`
(the staff screen's camera, ``yizhan-kiosk enroll --token-qr PNG``). Both sides use this
module, so what the server writes is exactly what the kiosk accepts.

The QR text is compact JSON with sorted keys::

    {"expires_at":"2026-11-22T10:00:00.000Z","server":"https://county.example:8600",
     "station":"S001","token":"<43 characters of base64url>"}

* ``token``: 16-128 characters of ``A-Z a-z 0-9 - _`` (what ``secrets.token_urlsafe`` gives).
* ``station``: the station id the token is for (``shared.ids.STATION_ID``).
* ``expires_at``: RFC 3339 UTC (``shared.clock.format_utc``). An expired token still reads:
  whether it has expired is the reader's clock's question (:meth:`EnrollmentToken.expired`),
  and the server decides.
* ``server`` (optional): the county server's ``http(s)://`` address, no user or password.

Keys the reader does not know are ignored (a newer server may add optional ones); a repeated
key, a missing or malformed field, a receipt QR, any other text, or more than
:data:`MAX_QR_CHARS` characters raise :class:`~shared._errors.EnrollmentTokenError`.
The token is a credential but no personal data.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from shared._errors import EnrollmentTokenError
from shared.clock import format_utc, parse_utc
from shared.ids import STATION_ID
from shared.receipt import is_receipt_text

__all__ = [
    "MAX_QR_CHARS",
    "EnrollmentToken",
    "check_server_url",
    "check_station",
    "check_token",
    "new_token",
    "read_enrollment_qr",
]

MAX_QR_CHARS = 1024  # a real token QR is ~150 characters, ~700 with the longest server URL
MAX_URL_CHARS = 512
TOKEN = re.compile(r"\A[A-Za-z0-9_-]{16,128}\Z")
REQUIRED = ("token", "station", "expires_at")


def new_token() -> str:
    """A fresh one-time token: 32 random bytes as base64url (43 characters).

    Never starts with ``-``, which a command line would read as an option.
    """
    while True:
        token = secrets.token_urlsafe(32)
        if not token.startswith("-"):
            return token


def check_token(token: object) -> str:
    """``token`` if it is a well-formed token; raises EnrollmentTokenError (``bad_token``)."""
    if not isinstance(token, str):
        raise EnrollmentTokenError("bad_token", "token: must be text", "token")
    if any(ch.isspace() for ch in token):
        raise EnrollmentTokenError("bad_token", "token: must not contain spaces or line breaks",
                                   "token")
    if not TOKEN.match(token):
        raise EnrollmentTokenError("bad_token", "token: must be 16-128 characters of "
                                   "A-Z a-z 0-9 - _", "token")
    return token


def check_station(station: object) -> str:
    """``station`` if it is a station id; raises EnrollmentTokenError (``bad_station``)."""
    if not isinstance(station, str) or not STATION_ID.match(station):
        raise EnrollmentTokenError("bad_station", "station: must be 1-64 letters, digits, "
                                   "'-' or '_'", "station")
    return station


def check_server_url(url: object) -> str:
    """``url`` if it is an ``http(s)://host[:port][/path]`` address without credentials.

    Raises EnrollmentTokenError (``bad_server``) naming what is wrong.
    """
    def bad(why: str) -> EnrollmentTokenError:
        return EnrollmentTokenError("bad_server", f"server: {why}", "server")

    if not isinstance(url, str) or not url:
        raise bad("must be a non-empty URL")
    if len(url) > MAX_URL_CHARS:
        raise bad(f"longer than {MAX_URL_CHARS} characters")
    if any(ch.isspace() or not ch.isprintable() for ch in url):
        raise bad("must not contain spaces or control characters")
    try:
        parts = urlsplit(url)
        _ = parts.port  # raises ValueError for a port out of range or not a number
    except ValueError as exc:
        raise bad(f"not a URL ({exc})") from None
    if parts.scheme not in ("http", "https"):
        raise bad("must start with http:// or https://")
    if not parts.hostname:
        raise bad("has no host name")
    if parts.username is not None or parts.password is not None:
        raise bad("must not carry a user name or password")
    return url


def _check_expiry(value: object) -> datetime:
    if not isinstance(value, str):
        raise EnrollmentTokenError("bad_expiry", "expires_at: must be an RFC 3339 time",
                                   "expires_at")
    try:
        return parse_utc(value)
    except ValueError:
        raise EnrollmentTokenError("bad_expiry", "expires_at: must be an RFC 3339 time with "
                                   "a zone, like 2026-11-22T10:00:00.000Z",
                                   "expires_at") from None


@dataclass(frozen=True)
class EnrollmentToken:
    """One enrollment token as handed to a kiosk. Checked on construction."""

    token: str
    station: str
    expires_at: datetime  # aware, UTC
    server: str | None = None

    def __post_init__(self) -> None:
        check_token(self.token)
        check_station(self.station)
        if self.expires_at.tzinfo is None:
            raise EnrollmentTokenError("bad_expiry", "expires_at: must have a timezone",
                                       "expires_at")
        if self.server is not None:
            check_server_url(self.server)

    def expired(self, now: datetime) -> bool:
        """True when the token's expiry is at or before ``now`` (by the reader's clock)."""
        return self.expires_at <= now

    def to_wire(self) -> dict[str, str]:
        """The JSON object: ``token``, ``station``, ``expires_at`` and ``server`` if any."""
        wire = {"token": self.token, "station": self.station,
                "expires_at": format_utc(self.expires_at)}
        if self.server is not None:
            wire["server"] = self.server
        return wire

    def qr_payload(self) -> str:
        """The QR text: :meth:`to_wire` as compact JSON with sorted keys."""
        return json.dumps(self.to_wire(), sort_keys=True, separators=(",", ":"))


def _no_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise EnrollmentTokenError("not_token", f"the QR text repeats the key {key!r}")
        seen[key] = value
    return seen


def read_enrollment_qr(text: str) -> EnrollmentToken:
    """The enrollment token in QR text ``text`` (see the module docstring for the format).

    Returns an :class:`EnrollmentToken` (expired or not). Raises EnrollmentTokenError whose
    ``code`` says why it is not one: ``too_long``, ``receipt`` (a worker's receipt QR),
    ``not_token`` (a URL, other text, not a JSON object, a repeated key), ``missing``
    (``field`` names it), ``bad_token``, ``bad_station``, ``bad_expiry``, ``bad_server``.
    """
    if len(text) > MAX_QR_CHARS:
        raise EnrollmentTokenError("too_long", f"the QR text has {len(text)} characters; an "
                                   f"enrollment token has at most {MAX_QR_CHARS}")
    if is_receipt_text(text):
        raise EnrollmentTokenError("receipt", "this is a receipt QR code, not an enrollment "
                                   "token")
    not_token = EnrollmentTokenError("not_token", "not an enrollment token (expected the JSON "
                                     "from 'yizhan-server enroll-token')")
    try:
        data = json.loads(text, object_pairs_hook=_no_repeats)
    except ValueError:  # JSONDecodeError, and too-deep nesting from json's own limits
        raise not_token from None
    except RecursionError:
        raise not_token from None
    if not isinstance(data, dict):
        raise not_token
    for name in REQUIRED:
        if name not in data:
            raise EnrollmentTokenError("missing", f"{name}: missing from the enrollment "
                                       "token", name)
    server = data.get("server")
    return EnrollmentToken(token=check_token(data["token"]),
                           station=check_station(data["station"]),
                           expires_at=_check_expiry(data["expires_at"]),
                           server=None if server is None else check_server_url(server))
