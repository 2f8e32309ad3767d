"""Helpers for the merge-domain tests: valid ID numbers, USCCs, records and HLC stamps."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from stdnum.cn import ric, uscc

from shared.hlc import HLC
from sync_server.domain import Event


def make_id_number(first17: str) -> str:
    """A resident ID number with a correct check character."""
    return first17 + ric.calc_check_digit(first17 + "0")


def make_uscc(first17: str) -> str:
    """A USCC with a correct check character."""
    return first17 + uscc.calc_check_digit(first17 + "0")


ID_A = make_id_number("11010519491231002")
ID_B = make_id_number("42130219900101123")
USCC_A = make_uscc("91350100M00010001")


def complaint_record(id_number: str = ID_A, phone: str = "13800138000") -> dict[str, Any]:
    return {"matter_type": "wage_arrears",
            "claimant": {"name": "张三", "id_number": id_number, "phone": phone},
            "employer": {"name": "某某建筑劳务有限公司", "uscc": USCC_A},
            "amount_claimed_fen": 1_250_000, "coworkers_affected": 12,
            "description": "拖欠三个月工资", "preferred_handling": "mediation", "consent": True}


def stamp(wall: int, node: str = "dev1", counter: int = 0) -> str:
    """An HLC string at ``wall`` ms (offset from a fixed 2026 epoch)."""
    return str(HLC(1_763_719_200_000 + wall, counter, node))


EventMaker = Callable[..., Event]
