"""The push body's envelope text (shared/pushbody.py): what the kiosk encodes the county
decodes, and a garbled item stays one bad item instead of failing the batch."""

from __future__ import annotations

import os

import pytest

from kiosk.sync import client
from shared.pushbody import decode_envelope, encode_envelope
from sync_server.api import kiosk as kiosk_routes


@pytest.mark.parametrize("size", [0, 1, 2, 3, 4, 31, 1000])  # every padding remainder
def test_what_the_kiosk_encodes_the_county_decodes(size: int) -> None:
    data = os.urandom(size)
    text = encode_envelope(data)
    assert "=" not in text
    assert set(text) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert decode_envelope(text) == data


def test_padding_is_accepted() -> None:
    assert decode_envelope("AAE=") == b"\x00\x01"


@pytest.mark.parametrize("text", [
    "not base64!",   # characters outside the alphabet
    "A",             # a length no base64 text has
    "信封",           # not even ASCII
])
def test_text_that_is_not_base64url_comes_back_as_its_own_bytes(text: str) -> None:
    assert decode_envelope(text) == text.encode("utf-8")


def test_both_ends_use_the_one_codec() -> None:
    assert client.encode_envelope is encode_envelope
    assert kiosk_routes.decode_envelope is decode_envelope
