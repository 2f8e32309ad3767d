"""The enrollment token QR format (shared/enrollment.py): what the server writes, the kiosk
reads, and everything else it refuses with a reason."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta

import PIL.Image
import pytest
import zxingcpp
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shared import EnrollmentToken, EnrollmentTokenError, qr_png, read_enrollment_qr
from shared.enrollment import MAX_QR_CHARS, new_token
from shared.keys import device_id_of
from shared.receipt import ReceiptClaims, new_code, sign_receipt

# The shape secrets.token_urlsafe(32) gives; a test value, not a credential.
TOKEN = "JFabwsq--K1RdNGtiShRA_om8c8mXn31tB5v2aScgzk"  # noqa: S105
EXPIRES = datetime(2026, 11, 22, 10, 0, 0, 123000, tzinfo=UTC)


def wire(**over: object) -> str:
    """Compact JSON of a valid token, with keys replaced (None: removed)."""
    data: dict[str, object] = {"expires_at": "2026-11-22T10:00:00.123Z",
                               "server": "https://county.example:8600", "station": "S001",
                               "token": TOKEN}
    for key, value in over.items():
        if value is None:
            data.pop(key)
        else:
            data[key] = value
    return json.dumps(data, sort_keys=True, separators=(",", ":"))


def receipt_qr_text() -> str:
    key = Ed25519PrivateKey.generate()
    return sign_receipt(ReceiptClaims(new_code(), device_id_of(key.public_key()), "S001",
                                      "2026-11-21T10:00:00.000Z", "ab" * 32), key)


def test_the_payload_is_compact_sorted_json_and_reads_back() -> None:
    issued = EnrollmentToken(TOKEN, "S001", EXPIRES, "https://county.example:8600")
    assert issued.qr_payload() == (
        '{"expires_at":"2026-11-22T10:00:00.123Z","server":"https://county.example:8600",'
        f'"station":"S001","token":"{TOKEN}"}}')
    assert read_enrollment_qr(issued.qr_payload()) == issued
    assert issued.to_wire() == json.loads(issued.qr_payload())


def test_the_server_is_optional() -> None:
    issued = EnrollmentToken(TOKEN, "S001", EXPIRES)
    assert "server" not in issued.qr_payload()
    assert read_enrollment_qr(issued.qr_payload()).server is None
    assert read_enrollment_qr(wire(server=None)) == issued


def test_keys_it_does_not_know_are_ignored() -> None:
    # A newer server may add optional fields; an older kiosk still reads the token.
    assert read_enrollment_qr(wire(note="x", v=2)).token == TOKEN


def test_a_qr_picture_decodes_to_the_same_token() -> None:
    issued = EnrollmentToken(new_token(), "zengdu-01", EXPIRES, "http://10.0.0.5:8080")
    image = PIL.Image.open(io.BytesIO(qr_png(issued.qr_payload())))
    [found] = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    assert read_enrollment_qr(found.text) == issued


def test_expired_is_judged_by_the_clock_it_is_given() -> None:
    issued = EnrollmentToken(TOKEN, "S001", EXPIRES)
    assert not issued.expired(EXPIRES - timedelta(milliseconds=1))
    assert issued.expired(EXPIRES)
    # An expired token still reads: the server decides, the kiosk only warns.
    assert read_enrollment_qr(issued.qr_payload()).expired(EXPIRES + timedelta(days=1))


def test_new_tokens_are_well_formed_and_never_look_like_an_option() -> None:
    tokens = {new_token() for _ in range(2000)}
    assert len(tokens) == 2000
    for token in tokens:
        assert not token.startswith("-")
        assert EnrollmentToken(token, "S001", EXPIRES).token == token


@pytest.mark.parametrize(("text", "code", "field"), [
    # a worker's receipt held up by mistake
    (receipt_qr_text(), "receipt", ""),
    # the county's web site, plain words, a JSON array, a JSON string
    ("https://county.example/enroll?token=abc", "not_token", ""),
    ("请扫描二维码", "not_token", ""),
    ('["token","S001"]', "not_token", ""),
    ('"token"', "not_token", ""),
    # almost a token: the JSON is cut off, or a key is repeated
    (wire()[:-3], "not_token", ""),
    (wire()[:-1] + f',"token":"{TOKEN}"}}', "not_token", ""),
    # a field missing
    (wire(token=None), "missing", "token"),
    (wire(station=None), "missing", "station"),
    (wire(expires_at=None), "missing", "expires_at"),
    # a token with whitespace (a copy-paste slip), too short, not text, other characters
    (wire(token=TOKEN[:20] + " " + TOKEN[20:]), "bad_token", "token"),
    (wire(token=TOKEN + "\n"), "bad_token", "token"),
    (wire(token="abc"), "bad_token", "token"),  # noqa: S106  (a malformed test value)
    (wire(token=12345678901234567890), "bad_token", "token"),
    (wire(token=TOKEN[:-1] + "+"), "bad_token", "token"),
    # a station id the kiosk could never have
    (wire(station="S 001"), "bad_station", "station"),
    (wire(station=""), "bad_station", "station"),
    (wire(station="S001\n"), "bad_station", "station"),
    # an expiry that is not a time with a zone
    (wire(expires_at="tomorrow"), "bad_expiry", "expires_at"),
    (wire(expires_at="2026-11-22T10:00:00"), "bad_expiry", "expires_at"),
    (wire(expires_at=1795000000), "bad_expiry", "expires_at"),
    # a server address that is not http(s), carries a password, or has spaces
    (wire(server="ftp://county.example"), "bad_server", "server"),
    (wire(server="county.example:8600"), "bad_server", "server"),
    (wire(server="https://admin:secret@county.example"), "bad_server", "server"),
    (wire(server="https://county example"), "bad_server", "server"),
    (wire(server="https://county.example:99999"), "bad_server", "server"),
    (wire(server="https://"), "bad_server", "server"),
    # oversized: refused before it is parsed
    (wire(note="x" * MAX_QR_CHARS), "too_long", ""),
])
def test_anything_else_is_refused_with_a_reason(text: str, code: str, field: str) -> None:
    with pytest.raises(EnrollmentTokenError) as caught:
        read_enrollment_qr(text)
    assert (caught.value.code, caught.value.field) == (code, field)
    if field:
        assert str(caught.value).startswith(f"{field}: "), "the message names the field"


def test_a_token_that_the_reader_would_refuse_cannot_be_made() -> None:
    with pytest.raises(EnrollmentTokenError, match="station"):
        EnrollmentToken(TOKEN, "bad station", EXPIRES)
    with pytest.raises(EnrollmentTokenError, match="server"):
        EnrollmentToken(TOKEN, "S001", EXPIRES, "file:///etc/passwd")
    with pytest.raises(EnrollmentTokenError, match="timezone"):
        EnrollmentToken(TOKEN, "S001", EXPIRES.replace(tzinfo=None))
