"""Receipts: the typed code and its check character, the PIN verifier, the signed QR."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import secrets

import PIL.Image
import pytest
import zxingcpp
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shared import (
    ReceiptClaims,
    ReceiptError,
    format_code,
    new_code,
    new_pin,
    parse_code,
    pin_matches,
    pin_verifier,
    qr_png,
    read_receipt,
    sign_receipt,
    verify_receipt,
)
from shared.ids import ALPHABET
from shared.keys import b64u, device_id_of, unb64u
from shared.receipt import is_receipt_text, luhn32_check, receipt_link, receipt_version


def claims_for(device_key: Ed25519PrivateKey) -> ReceiptClaims:
    return ReceiptClaims(code=new_code(), device=device_id_of(device_key.public_key()),
                         station="S001", filed_at="2026-11-21T02:00:00.000Z",
                         record_hash=secrets.token_hex(32))


# --- the code -------------------------------------------------------------------------------

def test_new_codes_parse_and_look_right() -> None:
    for _ in range(500):
        code = new_code()
        assert len(code) == 11
        assert parse_code(code) == code
        assert parse_code(format_code(code)) == code
        assert format_code(code)[4] == format_code(code)[9] == "-"


def test_every_single_substitution_is_caught() -> None:
    for _ in range(30):
        code = new_code()
        for i in range(len(code)):
            for ch in ALPHABET:
                if ch != code[i]:
                    with pytest.raises(ReceiptError, match="check character"):
                        parse_code(code[:i] + ch + code[i + 1:])


def test_every_adjacent_transposition_of_issued_codes_is_caught() -> None:
    for _ in range(300):
        code = new_code()
        for i in range(len(code) - 1):
            if code[i] != code[i + 1]:
                swapped = code[:i] + code[i + 1] + code[i] + code[i + 2:]
                with pytest.raises(ReceiptError):
                    parse_code(swapped)


def test_the_one_swap_luhn_mod_32_misses_is_never_issued() -> None:
    """Luhn mod N cannot see 0 <-> N-1 swapped; new_code must not hand out such codes."""
    data = "ABCDEFGH0Z"
    weak = data + luhn32_check(data)
    assert parse_code("ABCDEFGHZ0" + weak[-1]) == "ABCDEFGHZ0" + weak[-1]  # swap unseen
    for a in ALPHABET:     # ...and it is the only pair Luhn mod 32 misses
        for b in ALPHABET:
            if a < b and {a, b} != {"0", "Z"}:
                d = "ABCDEFGH" + a + b
                with pytest.raises(ReceiptError):
                    parse_code("ABCDEFGH" + b + a + luhn32_check(d))
    codes = [new_code() for _ in range(3000)]
    assert not [c for c in codes if "0Z" in c or "Z0" in c]


def test_look_alikes_case_and_separators_are_accepted() -> None:
    data = "10ABCDEFGH"
    code = data + luhn32_check(data)
    for typed in ("IOABCDEFGH", "LOabcdefgh", "l0ABCD EFGH", "10ab-cdef-gh"):
        assert parse_code(typed + code[-1].lower()) == code


def fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def test_codes_typed_with_a_chinese_input_method_are_accepted() -> None:
    """Full-width letters and digits, ideographic spaces, full-width hyphens, zero-width."""
    code = new_code()
    printed = format_code(code)
    for typed in (fullwidth(code), fullwidth(printed), fullwidth(printed.lower()),
                  printed.replace("-", "\u3000"), "\u200b".join(code), f"\t{printed}\n"):
        assert parse_code(typed) == code
    # Folding must not make a wrong code right: a full-width substitution is still caught.
    wrong = code[:3] + ("1" if code[3] != "1" else "2") + code[4:]
    with pytest.raises(ReceiptError, match="check character"):
        parse_code(fullwidth(wrong))


@pytest.mark.parametrize("typed", ["", "ABCDEFGHJK", "ABCDEFGHJK22", "ABCDEFGHJKU",
                                   "ABCDEFGHJK*", "ABCDEFGHJKM"])
def test_malformed_codes(typed: str) -> None:
    with pytest.raises(ReceiptError):
        parse_code(typed)


# --- the PIN --------------------------------------------------------------------------------

def test_pins_and_verifiers() -> None:
    pins = {new_pin() for _ in range(200)}
    assert all(len(p) == 6 and p.isdigit() for p in pins)
    assert len(pins) > 150
    code = new_code()
    verifier = pin_verifier(code, "123456")
    assert verifier.startswith("s1.")
    assert len(verifier) <= 128
    assert pin_matches(code, "123456", verifier)
    assert pin_matches(code, " 123456 ", verifier)
    assert not pin_matches(code, "123457", verifier)
    assert not pin_matches(new_code(), "123456", verifier)   # bound to its code
    assert "123456" not in verifier
    # Typed with a Chinese input method (full-width digits, ideographic space) it still matches.
    assert pin_matches(code, "１２３４５６", verifier)
    assert pin_matches(code, "\u3000123 456", verifier)
    assert not pin_matches(code, "１２３４５７", verifier)


# --- the QR ---------------------------------------------------------------------------------

def decode_png(png: bytes) -> str:
    # QR Code only, as the kiosk's reader and a phone's QR scanner read it: with every format
    # on, zxing-cpp's 1D readers (Codabar, ITF) find a spurious short "barcode" in a row of
    # QR modules in about 1 of 100 random payloads (a second result, the QR still decoded).
    found = zxingcpp.read_barcodes(PIL.Image.open(io.BytesIO(png)),
                                   formats=zxingcpp.BarcodeFormat.QRCode)
    assert len(found) == 1
    return str(found[0].text)


def test_qr_png_decodes_to_a_payload_that_verifies(device_key: Ed25519PrivateKey) -> None:
    claims = claims_for(device_key)
    payload = sign_receipt(claims, device_key)
    png = qr_png(payload)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    decoded = decode_png(png)
    assert decoded == payload
    keys = {claims.device: device_key.public_key()}
    assert verify_receipt(decoded, keys) == claims
    assert read_receipt(decoded) == claims


def test_qr_payload_holds_no_personal_data(device_key: Ed25519PrivateKey) -> None:
    payload = sign_receipt(claims_for(device_key), device_key)
    prefix, body, _sig = payload.split(".")
    assert prefix == "YZR1"
    assert set(json.loads(unb64u(body))) == {"c", "d", "h", "s", "t"}


def test_changing_any_character_of_the_decoded_payload_fails(
        device_key: Ed25519PrivateKey) -> None:
    claims = claims_for(device_key)
    decoded = decode_png(qr_png(sign_receipt(claims, device_key)))
    keys = {claims.device: device_key.public_key()}
    # Exhaustive: every position, every other printable ASCII character (the base64url
    # alphabet, its standard-alphabet twins + and /, padding, the separator, spaces...).
    # The unused low bits of a final base64 character are the case that once slipped through.
    printable = [chr(c) for c in range(0x20, 0x7F)]
    for i, ch in enumerate(decoded):
        for other in printable:
            if other != ch:
                with pytest.raises(ReceiptError):
                    verify_receipt(decoded[:i] + other + decoded[i + 1:], keys)
    for extra in ("=", "==", "A", " x"):
        with pytest.raises(ReceiptError):
            verify_receipt(decoded + extra, keys)


def test_forged_and_foreign_receipts(device_key: Ed25519PrivateKey) -> None:
    claims = claims_for(device_key)
    keys = {claims.device: device_key.public_key()}
    impostor = Ed25519PrivateKey.generate()
    with pytest.raises(ReceiptError, match="does not verify"):
        verify_receipt(sign_receipt(claims, impostor), keys)
    with pytest.raises(ReceiptError, match="unknown device"):
        verify_receipt(sign_receipt(claims, device_key), {})
    # Valid signature over claims whose code has a wrong check character: refused as malformed.
    bad_code = ReceiptClaims("ABCDEFGHJKX", claims.device, "S001", claims.filed_at,
                             claims.record_hash)
    with pytest.raises(ReceiptError):
        verify_receipt(sign_receipt(bad_code, device_key), keys)


@pytest.mark.parametrize("payload", [
    "", "YZR1", "YZR2.e30.AA", "YZR1.e30.AA", "YZR1.!!.AA", "YZR1.e30.AA.AA",
    "YZR1." + b64u(b'{"c":"x"}') + ".AA",
])
def test_malformed_payloads(payload: str) -> None:
    with pytest.raises(ReceiptError):
        read_receipt(payload)


# --- receipt v2: the link to the county's status page (issue 15) ---------------------------

URL = "https://wq.example.cn"


def test_v2_link_carries_the_v1_receipt_unchanged(device_key: Ed25519PrivateKey) -> None:
    claims = claims_for(device_key)
    keys = {claims.device: device_key.public_key()}
    v1 = sign_receipt(claims, device_key)
    link = decode_png(qr_png(sign_receipt(claims, device_key, URL + "/")))
    assert link == URL + "/r#YZR2." + v1.split(".", 1)[1]
    assert link == receipt_link(URL, v1)
    assert verify_receipt(link, keys) == read_receipt(link) == verify_receipt(v1, keys)
    assert (receipt_version(link), receipt_version(v1)) == (2, 1)
    assert is_receipt_text(link)
    assert is_receipt_text(v1)


def test_changing_any_signed_character_of_a_v2_link_fails(
        device_key: Ed25519PrivateKey) -> None:
    claims = claims_for(device_key)
    keys = {claims.device: device_key.public_key()}
    link = sign_receipt(claims, device_key, URL)
    start = link.index("#")
    for i in range(start, len(link)):
        for other in "AZaz09-_.#=+/ ":
            if other != link[i]:
                with pytest.raises(ReceiptError):
                    verify_receipt(link[:i] + other + link[i + 1:], keys)


@pytest.mark.parametrize("text", [
    "YZR2.{rest}",                          # v2 is never bare
    URL + "/r#YZR1.{rest}",                 # v1 never behind the page address
    URL + "/x#YZR2.{rest}",                 # not the status page
    "ftp://wq.example.cn/r#YZR2.{rest}",    # not a web address
    URL + "/r#YZR2.{rest}#x",
])
def test_v2_lookalikes_are_refused(device_key: Ed25519PrivateKey, text: str) -> None:
    claims = claims_for(device_key)
    rest = sign_receipt(claims, device_key).split(".", 1)[1]
    with pytest.raises(ReceiptError):
        verify_receipt(text.format(rest=rest), {claims.device: device_key.public_key()})


def test_the_address_is_not_signed(device_key: Ed25519PrivateKey) -> None:
    """Documented: the address only says where to look; the signed part decides."""
    claims = claims_for(device_key)
    link = sign_receipt(claims, device_key, "https://other.example.org/yizhan")
    assert verify_receipt(link, {claims.device: device_key.public_key()}) == claims


def test_enrollment_knows_a_v2_receipt_is_not_a_token(device_key: Ed25519PrivateKey) -> None:
    from shared import EnrollmentTokenError
    from shared.enrollment import read_enrollment_qr

    with pytest.raises(EnrollmentTokenError) as caught:
        read_enrollment_qr(sign_receipt(claims_for(device_key), device_key, URL))
    assert caught.value.code == "receipt"


# --- what a copied kiosk folder or county store gives a PIN guesser -------------------------

def test_verifiers_are_salted_per_receipt_and_slow_by_parameters() -> None:
    """Same code and PIN, two verifiers: no table of 10^6 precomputed PINs serves twice,
    and each guess is one scrypt of N=2^13, r=8 (8 MiB); its time is printed by
    bench/secrets_at_rest.py, not asserted here."""
    from shared import receipt

    code = new_code()
    first, second = pin_verifier(code, "204917"), pin_verifier(code, "204917")
    assert first != second
    assert pin_matches(code, "204917", first)
    assert pin_matches(code, "204917", second)
    assert (receipt.PIN_SCRYPT_N, receipt.PIN_SCRYPT_R, receipt.PIN_SCRYPT_P) == (2**13, 8, 1)
    assert 128 * receipt.PIN_SCRYPT_N * receipt.PIN_SCRYPT_R >= 8 * 1024 * 1024  # bytes/guess
    # What the verifier commits to, recomputed with the standard library's scrypt.
    salt = base64.urlsafe_b64decode(first.split(".")[1] + "==")
    digest = hashlib.scrypt(b"yizhan-pin-s1\x00" + code.encode() + b"\x00204917", salt=salt,
                            n=2**13, r=8, p=1, dklen=32)
    assert first.split(".")[2] == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def test_legacy_verifiers_still_match_and_malformed_ones_match_nothing() -> None:
    from shared.receipt import legacy_pin_verifier

    code = new_code()
    old = legacy_pin_verifier(code, "204917")
    assert len(old) == 64
    assert pin_matches(code, "204917", old)
    assert not pin_matches(code, "204918", old)
    for bad in ("s1.", "s1.AAAA.BBBB", "s1.!!!.x", "", "s1" + "." * 5):
        assert not pin_matches(code, "204917", bad), bad
