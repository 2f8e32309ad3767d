"""Test kit for the kiosk core: valid records with known personal data, county files, and an
independent reader of a kiosk's data folder (plain sqlite3, not the store under test)."""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from shared.envelope import START, ChainPoint, Envelope, verify_run
from shared.keys import Keyring, b64u, ed25519_private_from_pem, raw_public

PASSPHRASE = "staff-passphrase-42"  # noqa: S105  a test fixture, not a secret
KIOSK = [sys.executable, "-m", "kiosk"]
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_SURNAMES = ["欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐"]
_GIVEN = list("晓明建国秀英志强海燕春兰德华立新永红金凤")


def id_number(i: int) -> str:
    """A valid 18-digit resident ID number, different for each ``i`` (born 1970-1999)."""
    body = f"420303{1970 + i % 30}{1 + i % 12:02d}{1 + i % 28:02d}{i % 1000:03d}"
    total = sum(int(c) * w for c, w in zip(body, _WEIGHTS, strict=True))
    return body + "10X98765432"[total % 11]


def person(i: int) -> dict[str, str]:
    """Known personal data for person ``i``: a four-character name, ID number and mobile."""
    name = _SURNAMES[i % 10] + _GIVEN[(i // 10) % 20] + _GIVEN[(i * 7 + 3) % 20]
    return {"name": name, "id_number": id_number(i), "phone": f"139{i:08d}"}


def complaint(i: int = 0) -> dict[str, Any]:
    p = person(i)
    return {"matter_type": "wage_arrears",
            "claimant": {**p, "conceal_identity": False},
            "employer": {"name": "某某建筑劳务有限公司", "address": "曾都区某路1号"},
            "amount_claimed_fen": 1_250_000 + i, "coworkers_affected": 3,
            "period": {"start": "2026-03-01", "end": "2026-08-31"},
            "description": "三个月工资未发放。", "preferred_handling": "mediation",
            "consent": True}


def jobseeker(i: int = 0) -> dict[str, Any]:
    return {**person(i), "skills": ["电工"], "wanted_jobs": ["装修"],
            "availability": "weekdays", "area": "曾都区", "employment": "gig"}


def county_public(keyring: Keyring, server_key: Ed25519PrivateKey,
                  name: str = "曾都区") -> dict[str, Any]:
    """The file ``yizhan-server init`` writes, for these keys."""
    return {"county": name, "keys": [r.to_wire() for r in keyring.recipients()],
            "server_key": b64u(raw_public(server_key.public_key()))}


def write_json(path: Path, value: Any) -> Path:
    path.write_text(json.dumps(value, ensure_ascii=False), "utf-8")
    return path


class Folder:
    """Reads a kiosk data folder with plain sqlite3, independent of kiosk.store."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)

    def device_public(self) -> Ed25519PublicKey:
        pem = (self.data_dir / "device-key.pem").read_bytes()
        return ed25519_private_from_pem(pem, None).public_key()

    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        conn = sqlite3.connect(self.data_dir / "kiosk.db")
        try:
            return conn.execute(sql, params).fetchall()
        finally:
            conn.close()

    def envelopes(self) -> list[Envelope]:
        return [Envelope.from_bytes(bytes(raw)) for (raw,) in
                self.rows("SELECT envelope FROM outbox ORDER BY seq")]

    def verify_chain(self) -> ChainPoint:
        """Check every envelope parses, seqs run 1..n and the chain verifies; returns the end."""
        envs = self.envelopes()
        if not envs:
            return START
        assert [e.header.seq for e in envs] == list(range(1, len(envs) + 1))
        return verify_run(envs, self.device_public(), START)
