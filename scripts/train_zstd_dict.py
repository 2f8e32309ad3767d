"""Train the zstd dictionary of sealed envelope v2 (shared/data/zstd-v2.dict).

The samples are synthetic sealed payloads (canonical JSON of ``IntakePayload.to_wire()``:
complaints and job-seeker registrations) from a seeded generator: names, id numbers, phones,
employers, districts and descriptions made up here, no real person's data. The dictionary is
part of protocol v2: changing it makes every v2 record unreadable, so shared/envelope2.py pins
its SHA-256 and this script is only re-run together with a new protocol version.

    python scripts/train_zstd_dict.py [--samples 20000] [--size 4096] [--check]

``--check`` trains again and fails unless the bytes equal the shipped file (the training is
deterministic for a given zstandard version and seed).
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
from pathlib import Path

import zstandard

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from shared.canonical import canonical_bytes
from shared.envelope2 import DICT_PATH

SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
            "于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊"
            "秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
GIVEN = ("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国志"
         "海燕春德立新永红金凤晓文辉玉萍鹏飞云峰")
TRADES = ["建筑劳务", "建设工程", "餐饮管理", "物业服务", "电子科技", "服装制造", "物流运输",
          "装饰工程", "家政服务", "机械制造", "商贸", "保安服务", "食品加工", "汽车维修"]
PLACES = ["随州", "曾都", "广水", "随县", "武汉", "襄阳", "孝感", "宜昌", "荆州", "十堰"]
ROADS = ["交通大道", "烈山大道", "汉东路", "沿河大道", "解放路", "青年路", "舜井大道", "季梁大道"]
DESCRIPTIONS = ["三个月工资未发放。", "工资被拖欠，老板一直推说没钱。",
                "没有签劳动合同，被口头辞退。", "公司没有给缴纳社会保险。",
                "工作中受伤，公司不承认工伤。", "每天工作十二个小时，没有加班费。",
                "项目完工后包工头联系不上，工钱没结。", "被无故辞退，没有经济补偿。",
                "试用期工资低于约定。"]
SKILLS = ["电工", "焊工", "木工", "瓦工", "厨师", "保洁", "司机", "搬运", "保安", "钢筋工",
          "油漆工"]
JOBS = ["装修", "工地", "餐厅", "物流", "保安", "家政", "工厂", "仓库", "商场"]
MATTERS = ["wage_arrears", "labor_contract", "social_insurance", "work_injury", "dismissal",
           "working_hours", "other"]
HANDLING = ["mediation", "inspection", "arbitration", "legal_aid", "unsure"]
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number(rng: random.Random) -> str:
    body = (f"42{rng.randrange(10**4):04d}{rng.randrange(1950, 2006)}"
            f"{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}{rng.randrange(1000):03d}")
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, WEIGHTS, strict=True)) % 11]


def person(rng: random.Random) -> dict[str, str]:
    name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
    return {"name": name, "id_number": id_number(rng),
            "phone": f"+861{rng.choice('3456789')}{rng.randrange(10**9):09d}"}


def record(rng: random.Random) -> tuple[str, dict[str, object]]:
    if rng.random() < 0.25:
        return "jobseeker", {**person(rng), "skills": rng.sample(SKILLS, rng.randrange(0, 3)),
                             "wanted_jobs": rng.sample(JOBS, rng.randrange(0, 3)),
                             "availability": rng.choice(["weekdays", "weekends", "anytime"]),
                             "area": rng.choice(PLACES) + "区",
                             "employment": rng.choice(["gig", "long_term"])}
    rec: dict[str, object] = {
        "matter_type": rng.choice(MATTERS),
        "claimant": {**person(rng), "conceal_identity": rng.random() < 0.2},
        "employer": {"name": rng.choice(PLACES) + "某某" + rng.choice(TRADES) + "有限公司",
                     "address": (f"{rng.choice(PLACES)}区{rng.choice(ROADS)}"
                                 f"{rng.randrange(1, 300)}号")},
        "description": rng.choice(DESCRIPTIONS), "preferred_handling": rng.choice(HANDLING),
        "consent": True}
    if rng.random() < 0.8:
        rec["amount_claimed_fen"] = rng.randrange(10**5, 10**8)
        rec["coworkers_affected"] = rng.randrange(0, 30)
        rec["period"] = {"start": f"2026-{rng.randrange(1, 7):02d}-01",
                         "end": f"2026-{rng.randrange(7, 12):02d}-{rng.randrange(1, 29):02d}"}
    return "complaint", rec


def payload(rng: random.Random) -> bytes:
    """One synthetic sealed payload, canonical JSON."""
    kind, rec = record(rng)
    code = "".join(rng.choice(CROCKFORD) for _ in range(11))
    filed = (f"2026-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}T"
             f"{rng.randrange(24):02d}:{rng.randrange(60):02d}:{rng.randrange(60):02d}."
             f"{rng.randrange(1000):03d}Z")
    return canonical_bytes({"kind": kind, "record": rec,
                            "receipt": {"code": code, "pin_verifier": rng.randbytes(32).hex()},
                            "filed_at": filed, "station": f"B{rng.randrange(1000):03d}",
                            "ticket": rng.choice([None, f"A{rng.randrange(1, 1000):03d}"]),
                            "notes": []})


def train(samples: int, size: int) -> bytes:
    rng = random.Random(17)  # noqa: S311  synthetic samples, reproducible; not a secret
    data: list[bytes | bytearray | memoryview] = [payload(rng) for _ in range(samples)]
    return zstandard.train_dictionary(size, data, level=19, threads=1, steps=4,
                                      d=8, k=200).as_bytes()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=20_000)
    parser.add_argument("--size", type=int, default=4096)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    raw = train(args.samples, args.size)
    if args.check:
        ok = DICT_PATH.read_bytes() == raw
        print("dictionary is current" if ok else "dictionary differs from a fresh training")
        sys.exit(0 if ok else 1)
    DICT_PATH.parent.mkdir(parents=True, exist_ok=True)
    DICT_PATH.write_bytes(raw)
    print(f"wrote {DICT_PATH} ({len(raw)} B, sha256 {hashlib.sha256(raw).hexdigest()})")


if __name__ == "__main__":
    main()
