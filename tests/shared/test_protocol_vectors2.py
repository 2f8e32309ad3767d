"""docs/protocol.md, sealed envelope v2: its vectors are current, and they open from the page.

``open_v2_from_the_page`` is what another team would write from the "Sealed envelope v2"
section alone: it parses the epoch message and the records by the tables, unseals the epoch
secret with RFC 9180 HPKE built from primitives (``hpke_open_base`` of the v1 vector test),
runs the ratchet with ``hmac``, decrypts with AES-GCM, inflates with zstd and the shipped
dictionary, checks the signatures, and rebuilds the push body's records. If the page
described the bytes wrongly, this would fail.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import struct
import subprocess
import sys
from pathlib import Path
from typing import Any

import zstandard
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from test_protocol_vectors import hpke_open_base, key_row

from shared.canonical import loads_canonical
from shared.keys import unb64u

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "protocol.md"
SCRIPT = ROOT / "scripts" / "protocol_vectors2.py"
DICT = ROOT / "shared" / "data" / "zstd-v2.dict"


def section() -> str:
    text = DOC.read_text(encoding="utf-8")
    return text[text.index("<!-- BEGIN v2 test vectors"):text.index("<!-- END v2 test vectors")]


def hex_after(title: str, fence: str = "```") -> bytes:
    text = section()
    start = text.index(fence + "\n", text.index(title)) + len(fence) + 1
    return bytes.fromhex(text[start:text.index("```", start)].replace("\n", ""))


def text_after(title: str) -> str:
    text = section()
    start = text.index("```\n", text.index(title)) + 4
    return text[start:text.index("```", start)].strip()


def fixed(name: str) -> bytes:
    match = re.search(rf"\* {re.escape(name)} = `([0-9a-f]+)`", section())
    assert match, name
    return bytes.fromhex(match.group(1))


class Reader:
    def __init__(self, raw: bytes) -> None:
        self.raw, self.pos = raw, 0

    def take(self, n: int) -> bytes:
        out = self.raw[self.pos:self.pos + n]
        assert len(out) == n
        self.pos += n
        return out

    def text(self) -> str:
        return self.take(self.take(1)[0]).decode("ascii")


def hkdf_sha256(ikm: bytes, salt: bytes, info: bytes) -> bytes:
    prk = hmac.new(salt, ikm, hashlib.sha256).digest()
    return hmac.new(prk, info + b"\x01", hashlib.sha256).digest()


def open_epoch(raw: bytes, sk: X25519PrivateKey, device: Ed25519PublicKey) -> tuple[bytes,
                                                                                   bytes]:
    r = Reader(raw)
    assert r.take(4) == b"YZP2"
    epoch_id = r.take(16)
    device_id, _created = r.text(), r.text()
    wraps = {}
    for _ in range(r.take(1)[0]):
        kid = r.text()
        wraps[kid] = r.take(r.take(1)[0])
    signature = r.take(64)
    assert r.pos == len(raw)
    device.verify(signature, b"yizhan-envelope-v2 epoch sig\x00" + raw[:-64])
    from shared.keys import kid_of
    info = b"yizhan-envelope-v2 epoch\x00" + epoch_id + device_id.encode()
    return epoch_id, hpke_open_base(sk, wraps[kid_of(sk.public_key())], info)


def open_record(raw: bytes, epoch_id: bytes, secret: bytes, device: Ed25519PublicKey) -> Any:
    r = Reader(raw)
    assert r.take(4) == b"YZR2"
    r.text(), r.text(), r.text()
    r.take(8 + 32)
    assert r.take(16) == epoch_id
    (index,) = struct.unpack(">I", r.take(4))
    r.text(), r.text()
    header = raw[:r.pos]
    (clen,) = struct.unpack(">I", r.take(4))
    ciphertext = r.take(clen)
    signature = r.take(64)
    assert r.pos == len(raw)
    device.verify(signature, b"yizhan-envelope-v2 sig\x00" + raw[:-64])
    ck = hkdf_sha256(secret, epoch_id, b"yizhan-envelope-v2 chain\x00")
    for _ in range(index):
        ck = hmac.new(ck, b"\x02", hashlib.sha256).digest()
    key = hmac.new(ck, b"\x01", hashlib.sha256).digest()
    compressed = AESGCM(key).decrypt(bytes(12), ciphertext, header)
    plain = zstandard.ZstdDecompressor(dict_data=zstandard.ZstdCompressionDict(
        DICT.read_bytes())).decompress(compressed)
    return loads_canonical(plain)


def records_of_push(body: bytes) -> tuple[list[bytes], list[bytes]]:
    r = Reader(body)
    assert r.take(4) == b"YZW2"
    r.take(8)
    r.take(16 * struct.unpack(">H", r.take(2))[0])
    epochs = [r.take(struct.unpack(">I", r.take(4))[0])
              for _ in range(struct.unpack(">H", r.take(2))[0])]
    records: list[bytes] = []
    for _ in range(struct.unpack(">I", r.take(4))[0]):
        flags, n = struct.unpack(">BI", r.take(5))
        item = r.take(n)
        if flags & 1:
            at = 4
            for _ in range(3):
                at += 1 + item[at]
            at += 8
            item = item[:at] + hashlib.sha256(records[-1]).digest() + item[at:]
        records.append(item)
    assert r.pos == len(body)
    return epochs, records


def test_v2_vectors_are_current() -> None:
    result = subprocess.run([sys.executable, str(SCRIPT), "--check", str(DOC)],
                            capture_output=True, text=True, check=False, cwd=ROOT)
    assert result.returncode == 0, result.stderr


def test_check_notices_a_stale_v2_section(tmp_path: Path) -> None:
    text = DOC.read_text(encoding="utf-8")
    ck0 = fixed("`CK_0`").hex()
    stale = tmp_path / "stale.md"
    stale.write_text(text.replace(ck0, ck0[:-1] + ("0" if ck0[-1] != "0" else "1")),
                     encoding="utf-8")
    result = subprocess.run([sys.executable, str(SCRIPT), "--check", str(stale)],
                            capture_output=True, text=True, check=False, cwd=ROOT)
    assert result.returncode == 1


def test_v2_records_open_from_the_page_alone() -> None:
    device = Ed25519PublicKey.from_public_bytes(unb64u(key_row("device Ed25519")[1]))
    epoch = hex_after("Epoch message", "```epoch")
    payload = loads_canonical(text_after("Record 1 sealed").encode())
    for name in ("county X25519", "station X25519"):
        sk = X25519PrivateKey.from_private_bytes(bytes.fromhex(key_row(name)[0]))
        epoch_id, secret = open_epoch(epoch, sk, device)
        assert (epoch_id, secret) == (fixed("epoch_id"), fixed("epoch secret `S`"))
        one = hex_after("Record 1 (")
        two = hex_after("Record 2 (")
        assert open_record(one, epoch_id, secret, device) == payload
        assert open_record(two, epoch_id, secret, device) == {**payload, "ticket": "A024"}
    # the chain: record 2's prev is record 1's hash, as published
    assert hashlib.sha256(one).hexdigest() in section()
    assert two[4 + 1 + 9 + 1 + 26 + 1 + 4 + 8:][:32] == hashlib.sha256(one).digest()
    epochs, records = records_of_push(hex_after("Push body v2 carrying", "```push2"))
    assert (epochs, records) == ([epoch], [one, two])
