"""What a worker should do next, for each case status: short, plain, in Chinese and English.

Shown on the kiosk's receipt lookup and printed slips, so it promises nothing the county has
not decided (no deadlines, no amounts) and carries no personal data.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sync_server.domain.errors import UnknownStatus
from sync_server.domain.statuses import ROUTES, stage

if TYPE_CHECKING:
    from sync_server.domain.fold import CaseState

_NEXT: dict[str, tuple[str, str]] = {
    "provisional": (
        "已在本站登记，还未送到县中心。请保管好回执，网络恢复后会自动上传。",
        "Registered at this station but not yet sent to the county centre. Keep your "
        "receipt; it is sent automatically when the station is back online."),
    "received": (
        "县中心已收到，正在安排处理部门。请保持电话畅通，按清单准备好材料。",
        "The county centre has received it and is choosing who will handle it. Keep your "
        "phone on and get the documents on your list ready."),
    "in_mediation": (
        "已转调解。调解员会打电话约时间，请带上清单上的材料按时参加。",
        "Sent to mediation. A mediator will call you to set a time; come with the "
        "documents on your list."),
    "in_inspection": (
        "已转劳动监察。监察员会调查用人单位，可能打电话向您了解情况。",
        "Sent to labour inspection. An inspector will look into the employer and may call "
        "you for details."),
    "in_arbitration": (
        "已转劳动仲裁。请留意仲裁委的通知，按时出庭并带上证据。",
        "Sent to labour arbitration. Watch for the arbitration committee's notice, attend "
        "the hearing on time and bring your evidence."),
    "with_legal_aid": (
        "已转法律援助。援助律师或工作人员会联系您。",
        "Sent to legal aid. A legal aid lawyer or officer will contact you."),
    "in_court": (
        "案件已进入法院诉讼。请按法院通知出庭；有疑问可找法律援助。",
        "The case is in court. Follow the court's notices; legal aid can answer your "
        "questions."),
    "settled": (
        "已调解成功/处理完毕。如钱款没有按约定到账，请带回执到本站反映。",
        "Settled. If the money is not paid as agreed, bring your receipt to this station."),
    "closed": (
        "已办结。如有疑问，请带回执到本站咨询。",
        "Closed. If you have questions, bring your receipt to this station."),
    "withdrawn": (
        "已撤回。如需重新申请，请到本站办理。",
        "Withdrawn. To apply again, come to this station."),
}

_REOPENED = (
    "已重新受理，县中心正在重新安排处理部门。请保持电话畅通。",
    "Reopened. The county centre is choosing who will handle it again. Keep your phone on.")


_DUPLICATE = (
    "已与您的另一件相同投诉合并处理。请用那一件的回执查询进度。",
    "Handled together with your other complaint about the same matter. Use that receipt "
    "to follow its progress.")


# A job-seeker registration (求职登记) is not a dispute: it never reaches mediation or court
# (the fold refuses such moves), so its texts speak of jobs, not of handling channels.
_REGISTRATION: dict[str, tuple[str, str]] = {
    "provisional": _NEXT["provisional"],
    "received": (
        "求职登记已收到。站点会按您的技能和地区推荐岗位，请保持电话畅通。",
        "Your job-seeker registration has been received. The station will suggest jobs "
        "that fit your skills and area; keep your phone on."),
    "closed": (
        "求职登记已办结。如需再次找工作，请到本站重新登记。",
        "Your job-seeker registration is closed. To look for work again, register again "
        "at this station."),
    "withdrawn": (
        "求职登记已撤回。如需找工作，请到本站重新登记。",
        "Your job-seeker registration was withdrawn. To look for work, register again at "
        "this station."),
}


def registration_step(status: str) -> tuple[str, str]:
    """The next step for a job-seeker registration in ``status`` (zh-CN, English): a
    dispute status (which the fold never gives a registration) reads as ``received``."""
    stage(status)
    return _REGISTRATION.get(status, _REGISTRATION["received"])


def next_step(status: str, route: str | None,
              duplicate_of: str | None = None,
              kind: str | None = "complaint") -> tuple[str, str]:
    """Return the next step for a worker as (zh-CN, English).

    ``route`` is the case's last route or None; a case back at ``received`` with a route has
    been reopened. A ``closed`` case with ``duplicate_of`` was closed as a confirmed duplicate
    of another case (the other case is not named: the worker holds its receipt). Raises
    UnknownStatus for a status or route not in INTERFACES.md. ``kind`` ``jobseeker``: the
    registration texts (``registration_step``), never a handling channel's.
    """
    if kind == "jobseeker":
        return registration_step(status)
    stage(status)
    if route is not None and route not in ROUTES:
        raise UnknownStatus(f"route {route!r} is not one of {', '.join(ROUTES)}")
    if status == "received" and route is not None:
        return _REOPENED
    if status == "closed" and duplicate_of is not None:
        return _DUPLICATE
    return _NEXT[status]


# On the feed entry of a case's first status when it came by a v2 push: the filing device,
# which is not sent that entry (its acknowledgement said as much; services/feed.folded).
ACKED_BY = "acked_by"


def status_change(state: CaseState, as_of: str) -> dict[str, Any]:
    """The feed entry telling a station where a receipt stands (no personal data)."""
    zh, en = next_step(state.status, state.route, state.duplicate_of, state.kind)
    return {"type": "status", "receipt_code": state.receipt_code, "status": state.status,
            "next_step_zh": zh, "next_step_en": en, "as_of": as_of}
