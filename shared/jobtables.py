"""The tables matching reads (``shared.matching``): trades and their synonyms, the districts
and which border which, words of availability. Data, edited as the county learns how people
name their trades and places.
"""

from __future__ import annotations

# Each group: words people use for one trade; the first is the canonical term.
SKILL_SYNONYMS: tuple[tuple[str, ...], ...] = (
    ("电工", "水电工", "电气工", "维修电工", "水电", "electrician"),
    ("保洁", "家政", "保洁员", "清洁工", "家政服务", "家政服务员", "cleaner", "cleaning"),
    ("焊工", "电焊工", "电焊", "氩弧焊", "welder"),
    ("木工", "木匠", "carpenter"),
    ("瓦工", "泥瓦工", "砌筑工", "泥工", "bricklayer"),
    ("装修", "装修工", "装饰", "室内装修", "renovation"),
    ("搬运", "搬运工", "装卸", "装卸工", "porter"),
    ("厨师", "厨工", "帮厨", "cook"),
    ("保安", "门卫", "安保", "security"),
    ("司机", "驾驶员", "货车司机", "driver"),
    ("育婴", "月嫂", "育儿嫂", "保姆", "nanny"),
    ("普工", "操作工", "流水线", "factory worker"),
    ("农业", "采摘", "农活", "farm work"),
    ("快递", "分拣", "快递员", "courier"),
)
# Districts of Suizhou (随州) and which border which: same district first, then neighbours.
AREA_NEIGHBOURS: dict[str, tuple[str, ...]] = {
    "曾都区": ("随县", "广水市", "随州高新区"),
    "随县": ("曾都区", "广水市", "随州高新区"),
    "广水市": ("曾都区", "随县"),
    "随州高新区": ("曾都区", "随县"),
}
AREA_ALIASES: dict[str, str] = {"曾都": "曾都区", "随州市曾都区": "曾都区", "随州市随县": "随县",
                                "广水": "广水市", "高新区": "随州高新区"}
# Words in a free-text availability and the kind of time they mean.
AVAILABILITY_WORDS: tuple[tuple[str, str], ...] = (
    ("随时", "anytime"), ("全职", "anytime"), ("全天", "anytime"), ("anytime", "anytime"),
    ("full", "anytime"), ("any", "anytime"),
    ("工作日", "weekdays"), ("周一至周五", "weekdays"), ("weekday", "weekdays"),
    ("周末", "weekends"), ("双休", "weekends"), ("weekend", "weekends"),
    ("晚上", "evenings"), ("夜班", "evenings"), ("evening", "evenings"),
)
# Which kinds of time each employment type is served by.
FITS = {"long_term": frozenset({"anytime", "weekdays"}),
        "gig": frozenset({"anytime", "weekdays", "weekends", "evenings"})}
