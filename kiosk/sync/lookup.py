"""Any kiosk answers: a status lookup for a receipt another station filed, forwarded to the
county's public ``POST /v1/status`` (the same PIN rules and the same per-receipt cap as a
phone). Offline, the kiosk says it cannot check other stations' receipts right now instead
of "wrong code or PIN".

The code and PIN go in the request body only (never the path or query string).
"""

from __future__ import annotations

from typing import Any

import httpx

from kiosk.errors import LookupRefused, receipt_locked

OFFLINE = LookupRefused(
    "other_station_offline",
    "这张回执不是本站点开具的。本机现在无法连接县级中心，暂时查不了其他站点的回执。"
    "请稍后再试，或用手机扫描回执上的二维码查询。",
    "This receipt was issued at another station. This kiosk cannot reach the county centre "
    "right now, so it cannot check other stations' receipts. Try again later, or scan the "
    "receipt's QR code with a phone.")
LOCKED = receipt_locked()
BUSY = LookupRefused(
    "rate_limited",
    "查询次数太多，请稍等几分钟再试。",
    "Too many tries. Please wait a few minutes and try again.")
TIMEOUT = httpx.Timeout(10.0, connect=5.0)


def _words(body: Any, lang: str) -> str:
    """The county's next step, with its needs-materials words before it and the next
    statutory deadline after it when the answer carries them (as a station's feed folds
    them in for its own receipts)."""
    text = str(body[f"next_step_{lang}"])
    materials = body.get("needs_materials")
    if isinstance(materials, dict) and isinstance(materials.get(lang), str):
        text = f"{materials[lang]} {text}"
    due = body.get("next_deadline")
    if isinstance(due, dict) and due.get("due"):
        what, basis = due.get(f"what_{lang}", ""), due.get(f"basis_{lang}", "")
        text += (f" 下一个法定期限：{what}，{due['due']} 前（{basis}）。" if lang == "zh" else
                 f" Next legal deadline: {what}, by {due['due']} ({basis}).")
    return text


def forward_status(server_url: str | None, code: str, pin: str, lang: str = "zh",
                   transport: httpx.BaseTransport | None = None) -> dict[str, str] | None:
    """The county's answer for ``code`` + ``pin`` in the kiosk's status shape, or None
    when code and PIN match no receipt. Raises LookupRefused (``other_station_offline``
    when the county cannot be reached or answers with a fault, ``receipt_locked``,
    ``rate_limited``)."""
    if not server_url:
        raise OFFLINE
    try:
        with httpx.Client(base_url=server_url.rstrip("/"), transport=transport,
                          timeout=TIMEOUT) as http:
            answer = http.post("/v1/status", json={"code": code, "pin": pin})
    except httpx.HTTPError:
        raise OFFLINE from None
    if answer.status_code == 404:
        return None
    if answer.status_code == 423:
        raise LOCKED
    if answer.status_code == 429:
        raise BUSY
    if answer.status_code != 200:
        raise OFFLINE
    try:
        body: Any = answer.json()
        status = {"receipt_code": str(body["receipt_code"]), "status": str(body["status"]),
                  "as_of": str(body["as_of"]),
                  "next_step": _words(body, "en" if lang == "en" else "zh"),
                  "source": "county"}
    except (ValueError, KeyError, TypeError):
        raise OFFLINE from None
    return status
