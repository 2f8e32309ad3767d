"""What the staff screen says, as sentences in the current language (no Kivy widgets here).

The services answer with dicts and exceptions; staff read labelled lines and sentences:
ticket details with field names, the outbox and device pages with times in Beijing time,
the result of sync, export and enrollment as one sentence each, what a scanned enrollment
QR holds and what is wrong with it (another station's token, an expired one, not a token at
all), and failures saying whose fault they are (the county cannot be reached: nothing is
lost, try later; the county refused; a wrong passphrase; a USB drive that cannot be
written). Every function returns text in ``translator.lang`` (or ``lang``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from kiosk.errors import StationLocked, WrongPassphrase
from kiosk.sync.errors import PermanentError, TransientError, UnverifiedAnswer
from kiosk.ui.display import local_time, shown_code
from kiosk.ui.engines import input_engines
from kiosk.ui.i18n import STRINGS, translator
from kiosk.ui.voice import voice_prompts
from shared._errors import FileRefused
from shared.clock import format_utc
from shared.enrollment import EnrollmentToken

__all__ = [
    "details_text",
    "device_text",
    "duration_text",
    "enroll_qr_text",
    "enroll_qr_warnings",
    "enrolled_text",
    "exported_text",
    "failure_text",
    "outbox_text",
    "refused_qr_text",
    "sync_progress_text",
    "synced_text",
]

# Ticket-detail keys the kiosk knows, with their label keys; others are shown as they are.
_DETAIL_LABELS = {
    "name": "field.name",
    "phone": "field.phone",
    "id_number": "field.id_number",
    "matter": "staff.detail_matter",
    "matter_type": "staff.detail_matter",
    "linked_receipt": "receipt.code",
    "note": "staff.detail_note",
    "notes": "staff.detail_note",
}


def _value(key: str, value: Any) -> str:
    if key in ("matter", "matter_type") and f"matter.{value}" in STRINGS:
        return translator.t(f"matter.{value}")
    if key == "linked_receipt" and isinstance(value, str):
        return shown_code(value)
    return "-" if value in (None, "") else str(value)


def details_text(details: Mapping[str, Any] | None) -> str:
    """One ``Label: value`` line per detail the worker gave; a sentence when none were."""
    if details is None:
        return ""
    if not details:
        return translator.t("staff.no_details")
    lines = []
    for key, value in details.items():
        label = translator.t(_DETAIL_LABELS[key]) if key in _DETAIL_LABELS else key
        lines.append(f"{label}：{_value(key, value)}" if translator.lang == "zh-CN"
                     else f"{label}: {_value(key, value)}")
    return "\n".join(lines)


def outbox_text(counts: Mapping[str, Any], quarantined: Sequence[Mapping[str, Any]]) -> str:
    """Counts, last sync (Beijing time) and its error, then one line per quarantined record."""
    if not counts:
        return ""
    lines = [translator.t("staff.outbox_counts", **{k: counts.get(k, 0) for k in (
        "pending", "sent", "acknowledged", "quarantined")}),
        translator.t("staff.last_sync", at=_when(counts.get("last_sync")))]
    if counts.get("unverified"):
        lines.append(translator.t("staff.answer_unverified"))
    if counts.get("last_error"):
        lines.append(translator.t("staff.last_error", error=counts["last_error"]))
    lines += [translator.t("staff.quarantined_item", record_id=q.get("record_id", "?"),
                           reason=q.get("reason") or "-") for q in quarantined]
    return "\n".join(lines)


def _when(value: Any) -> str:
    return local_time(value, translator.lang) if value else translator.t("staff.never")


def device_text(info: Mapping[str, Any]) -> str:
    """Device id, station, county, server and last sync, one labelled line each."""
    if not info:
        return ""
    not_yet = translator.t("staff.not_enrolled")
    return "\n".join([
        translator.t("staff.device_id", value=info.get("device_id") or "-"),
        translator.t("staff.device_station", value=info.get("station") or "-"),
        translator.t("staff.device_county", value=info.get("county") or not_yet),
        translator.t("staff.device_server", value=info.get("server_url") or not_yet),
        translator.t("staff.last_sync", at=_when(info.get("last_sync"))),
    ])


def input_status_text() -> str:
    """What works of Chinese input and voice prompts on this kiosk, and what to install for
    what does not (one line each). Pinyin is said to work on without handwriting."""
    states = (input_engines.pinyin_state, input_engines.handwriting_state)
    if "idle" in states or "loading" in states:
        lines = [translator.t("staff.input_loading")]
    else:
        lines = [
            translator.t("staff.input_pinyin") if states[0] == "ready" else
            translator.t("staff.input_pinyin_missing", problem=input_engines.pinyin_problem),
            translator.t("staff.input_handwriting") if states[1] == "ready" else
            translator.t("staff.input_handwriting_missing",
                         problem=input_engines.handwriting_problem),
        ]
    if not voice_prompts.available:
        lines.append(translator.t("staff.voice_missing"))
    else:
        lines.append(translator.t("staff.voice_on" if voice_prompts.enabled else "staff.voice_off"))
    return "\n".join(lines)


def sync_progress_text(phase: str, done: int, total: int) -> str:
    """What the sync is doing now ('' before it starts)."""
    if phase == "waiting":
        return translator.t("staff.sync_waiting")
    if phase == "push":
        return translator.t("staff.sync_push", done=done, total=total)
    if phase == "pull":
        return translator.t("staff.sync_pull", done=done)
    return ""


def synced_text(summary: Mapping[str, Any]) -> str:
    """The sync summary as sentences: sent, confirmed, updates; then anything to look at."""
    get = {k: summary.get(k, 0) for k in ("pushed", "acknowledged", "pulled", "quarantined",
                                          "conflicts")}
    text = translator.t("staff.synced", **get)
    if get["quarantined"] or get["conflicts"]:
        text += translator.t("staff.synced_refused", **get)
    if summary.get("errors"):
        text += "\n" + translator.t("staff.sync_errors",
                                    errors="; ".join(str(e) for e in summary["errors"]))
    offset = int(summary.get("clock_offset_s") or 0)
    if offset:
        key = "staff.clock_behind" if offset > 0 else "staff.clock_ahead"
        text += "\n" + translator.t(key, amount=duration_text(abs(offset)))
    return text


def duration_text(seconds: int) -> str:
    """A clock difference as people say it: minutes under 2 h, hours under 2 days, else days
    (rounded; at least 1)."""
    if seconds < 2 * 3600:
        return translator.t("unit.minutes", n=max(1, round(seconds / 60)))
    if seconds < 2 * 86400:
        return translator.t("unit.hours", n=round(seconds / 3600))
    return translator.t("unit.days", n=round(seconds / 86400))


def exported_text(result: Mapping[str, Any], path: str) -> str:
    """The USB export summary as a sentence."""
    size = result.get("bytes")
    return translator.t("staff.exported", records=result.get("records", 0),
                        path=result.get("path") or path,
                        size="-" if size is None else f"{max(1, round(int(size) / 1024))} KB")


def enrolled_text(result: Mapping[str, Any], server_url: str) -> str:
    """The enrollment result as a sentence."""
    return translator.t("staff.enrolled", station=result.get("station") or "-",
                        county=result.get("county") or "-", server=server_url)


def enroll_qr_text(token: EnrollmentToken | None) -> str:
    """What a scanned enrollment QR holds: its station and expiry, and whether the server
    address must still be typed ('' when none was scanned)."""
    if token is None:
        return ""
    text = translator.t("staff.qr_read", station=token.station,
                        expires=local_time(format_utc(token.expires_at), translator.lang))
    if token.server is None:
        text += "\n" + translator.t("staff.qr_no_server")
    return text


def enroll_qr_warnings(token: EnrollmentToken | None, own_station: str | None,
                       now: datetime) -> str:
    """Warnings about a scanned token before enrolling with it: made for another station
    than ``own_station`` (None: not known yet), expired by ``now`` ('' when all is well)."""
    if token is None:
        return ""
    lines = []
    if own_station and token.station != own_station:
        lines.append(translator.t("staff.qr_other_station", qr_station=token.station,
                                  own_station=own_station))
    if token.expired(now):
        lines.append(translator.t("staff.qr_expired", expires=local_time(
            format_utc(token.expires_at), translator.lang)))
    return "\n".join(lines)


def refused_qr_text(exc: BaseException) -> str:
    """Why a QR held up on the enrollment page is not an enrollment token."""
    code = getattr(exc, "code", "")
    field = getattr(exc, "field", "")
    if code == "receipt":
        return translator.t("staff.qr_receipt")
    if field and f"staff.qr_field_{field}" in STRINGS:
        return translator.t("staff.qr_bad_field", field=translator.t(f"staff.qr_field_{field}"))
    return translator.t("staff.qr_not_token")


def failure_text(exc: BaseException, action: str = "") -> str:
    """Why a staff action failed, saying whose fault it is. ``action``: ``export`` adds the
    USB hint to file-system errors."""
    if isinstance(exc, TransientError):
        return translator.t("staff.unreachable", detail=str(exc))
    if isinstance(exc, UnverifiedAnswer):
        return translator.t("staff.answer_unverified")
    if isinstance(exc, PermanentError):
        return translator.t("staff.refused", detail=str(exc))
    if isinstance(exc, WrongPassphrase):
        return translator.t("staff.wrong_passphrase")
    if isinstance(exc, StationLocked):
        return translator.t("staff.station_locked")
    if isinstance(exc, OSError) and action == "export":
        return translator.t("staff.export_failed", detail=exc.strerror or str(exc))
    if isinstance(exc, FileRefused) and action == "export":  # shared/safefile.py refused
        if exc.code == "exists":
            return translator.t("staff.export_exists")
        if exc.code in ("symlink", "not_regular"):
            return translator.t("staff.export_not_file")
        return translator.t("staff.export_failed", detail=str(exc))
    return translator.t("staff.failed", error=f"{type(exc).__name__}: {exc}")
