"""The passphrase rule shared by the county key and the staff (station) key."""

from __future__ import annotations

import pytest

from shared import WeakPassphrase
from shared.passphrase import check_passphrase


@pytest.mark.parametrize(("weak", "why"), [
    ("一二", "at least 8 characters (it has 2)"),   # 6 bytes: characters are counted
    ("123456", "at least 8"),
    ("        x", "at least 8"),                  # spaces do not count
    ("88888888", "too easy"),                     # a repeat
    ("12345678", "too easy"),                     # a sequence, and top-10 password
    ("１２３４５６７８", "too easy"),              # the same in full-width digits
    ("一二三四五六七八", "too easy"),              # and in Chinese numerals
    ("woaini1314", "too easy"),                   # common in China (我爱你一生一世)
    ("password2026", "too easy"),                 # a word and a year
    ("qwertyuiop", "too easy"),                   # a keyboard row
    ("zengduzengdu", "too easy"),                 # the context word, twice
])
def test_weak_passphrases_are_refused_in_both_languages(weak: str, why: str) -> None:
    with pytest.raises(WeakPassphrase) as caught:
        check_passphrase(weak, ["zengdu"])
    assert why in caught.value.en
    assert "口令" in caught.value.zh
    assert caught.value.code == "weak_passphrase"


@pytest.mark.parametrize("strong", [
    "correct horse battery staple",
    "曾都区劳动站二〇二六年",     # 11 Chinese characters
    "county keys on the third shelf",
    "4729058163",                  # ten random digits (a staff keypad)
    b"bytes that are UTF-8 too".decode(),
])
def test_strong_passphrases_pass(strong: str) -> None:
    check_passphrase(strong, ["zengdu"])
    check_passphrase(strong.encode("utf-8"), ["zengdu"])
