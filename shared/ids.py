"""Identifiers made on the device: time-ordered record ids and Crockford base32.

Record ids are ULIDs (48-bit millisecond time + 80 random bits, 26 Crockford base32
characters): sortable by creation time, unique without coordination, safe in URLs.
Crockford base32 (digits + letters without I, L, O, U) is also the alphabet of receipt codes,
because people read them aloud and type them: ``decode_crockford`` accepts lowercase and the
look-alikes I/L -> 1 and O -> 0, and ignores hyphens and spaces.
"""

from __future__ import annotations

import re
import secrets

from shared.clock import Clock, to_millis
from shared.textnorm import identifier

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
# Crockford's check symbols: the 32 digits plus five extra for values 32..36 (mod 37).
CHECK_ALPHABET = ALPHABET + "*~$=U"
# A station id, as county staff name stations: what `yizhan-kiosk init --station` accepts and
# what an enrollment token may name (`shared.enrollment`). \A..\Z: no trailing newline.
STATION_ID = re.compile(r"\A[A-Za-z0-9_-]{1,64}\Z")
_DECODE = {c: i for i, c in enumerate(ALPHABET)}
_DECODE.update({"I": 1, "L": 1, "O": 0})
_CHECK_DECODE = {c: i for i, c in enumerate(CHECK_ALPHABET)}


def encode_crockford(value: int, length: int) -> str:
    """Encode a non-negative integer as exactly ``length`` Crockford base32 characters."""
    if value < 0 or value >= 32**length:
        raise ValueError(f"{value} does not fit in {length} base32 characters")
    chars = []
    for _ in range(length):
        chars.append(ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def normalise_crockford(text: str) -> str:
    """Fold what a person typed: NFKC (full-width ＡＢ１２ to ASCII), upper-case, drop
    whitespace, hyphens and zero-width characters, map look-alikes (I, L -> 1; O -> 0)."""
    out = []
    for ch in identifier(text):
        if ch in "IL":
            ch = "1"
        elif ch == "O":
            ch = "0"
        out.append(ch)
    return "".join(out)


def decode_crockford(text: str) -> int:
    """Decode Crockford base32 text (after ``normalise_crockford``) to an integer.

    Raises ValueError naming the first character outside the alphabet.
    """
    value = 0
    for ch in normalise_crockford(text):
        if ch not in _DECODE:
            raise ValueError(f"character {ch!r} is not Crockford base32")
        value = value * 32 + _DECODE[ch]
    return value


def check_symbol(value: int) -> str:
    """Crockford's mod-37 check symbol of an integer."""
    return CHECK_ALPHABET[value % 37]


def check_symbol_value(symbol: str) -> int:
    """The value of a check symbol (accepting the same look-alikes as the data digits)."""
    sym = normalise_crockford(symbol) if symbol not in "*~$=" else symbol
    if sym not in _CHECK_DECODE:
        raise ValueError(f"{symbol!r} is not a Crockford check symbol")
    return _CHECK_DECODE[sym]


_RECORD_ID = re.compile(r"\A[0-9A-HJKMNP-TV-Z]{26}\Z")


def is_record_id(text: object) -> bool:
    """True if ``text`` is a record id as ``new_record_id`` makes them (26 Crockford
    base32 characters, upper case)."""
    return isinstance(text, str) and _RECORD_ID.match(text) is not None


def new_record_id(clock: Clock) -> str:
    """A fresh ULID for a record made now: 26 characters, sortable by creation time."""
    millis = to_millis(clock.now())
    return encode_crockford(millis, 10) + encode_crockford(secrets.randbits(80), 16)


def record_id_millis(record_id: str) -> int:
    """The creation time (ms since epoch) inside a ULID. Raises ValueError if malformed."""
    if len(record_id) != 26:
        raise ValueError("record id must be 26 characters")
    return decode_crockford(record_id[:10])
