"""Receipt status lookup, offline, from the cache the last sync pulled.

A lookup needs the receipt code and its PIN. An unknown code and a wrong PIN take the same
path (one receipt query, one PIN comparison against a real or a decoy ``s1`` verifier — one
scrypt either way — one status query) and give the same answer, ``None``, so the kiosk is no
oracle for which codes exist.

Guessing is limited per receipt code: after ``WRONG_PIN_LIMIT`` wrong PINs for a code within
``WRONG_PIN_WINDOW_S`` (counted in the store, so a restart does not reset them) the kiosk
answers ``None`` for that code without comparing the PIN — the same answer as a wrong PIN or
an unknown code — until the oldest of them is older than the window. Counting happens for
any well-formed code, so the back-off says nothing about which codes exist. At the touch
screen that caps a guesser at 5 PINs per 15 minutes per receipt: the million PINs would take
years. (Whoever copies the folder is not held by this count; the slow verifier is what costs
them — see ``shared.receipt``.)

Until the county has stored a record its receipt reads ``provisional`` as of its filing
time; an acknowledgement makes it ``received``; a record the county quarantined reads
``needs_review`` (as of the county's answer) until staff release it (``received``, from the
feed) or reject it (the status the county's decision names); later statuses come from
``apply_status_updates`` (what the sync client pulls), never moving back in time.
"""

from __future__ import annotations

from typing import Any

from kiosk.errors import CodeInvalid, ConfigInvalid, receipt_locked
from kiosk.services.shapes import Status
from kiosk.store import Store
from shared._errors import ReceiptError
from shared.clock import Clock, SystemClock, format_utc, parse_utc, to_millis
from shared.receipt import decoy_verifier, parse_code, pin_matches

STATUSES = ("provisional", "received", "needs_review", "in_mediation", "in_inspection",
            "in_arbitration", "with_legal_aid", "in_court", "settled", "closed", "withdrawn")

# Shown when the server sent no next step of its own. zh-CN first, then English.
DEFAULT_NEXT_STEP: dict[str, tuple[str, str]] = {
    "provisional": ("已在本机保存，联网同步后由县级中心受理。请保管好回执和查询密码。",
                    "Saved on this kiosk. The county centre takes it in after the next "
                    "sync. Keep your receipt and PIN."),
    "needs_review": ("县级中心需要核实，请到站点咨询。",
                     "The county needs to check this record, please ask at the station."),
    "received": ("县级中心已收到，工作人员将与您联系。",
                 "The county centre has received it; staff will contact you."),
}
# A job-seeker registration is never in a dispute channel: the county refuses such moves,
# and should a feed ever say so anyway (an older or faulty server), the kiosk shows the
# registration as received rather than tell a job seeker their case is in court.
DISPUTE_STATUSES = frozenset({"in_mediation", "in_inspection", "in_arbitration",
                              "with_legal_aid", "in_court", "settled"})
REGISTRATION_RECEIVED = ("求职登记已收到。站点会按您的技能和地区推荐岗位，请保持电话畅通。",
                         "Your job-seeker registration has been received. The station will "
                         "suggest jobs that fit your skills and area; keep your phone on.")
CURSOR_KEY = "status_cursor"
LOCKED_KEY = "locked_receipts"  # codes the county locked for wrong PINs (until a reissue)
WRONG_PIN_LIMIT = 5
WRONG_PIN_WINDOW_S = 15 * 60


def _text(lang: str, zh: str, en: str, status: str) -> str:
    zh = zh or DEFAULT_NEXT_STEP.get(status, ("", ""))[0]
    en = en or DEFAULT_NEXT_STEP.get(status, ("", ""))[1]
    return en if lang == "en" else zh


class StatusCache:
    """Status lookups and the updates the sync client applies."""

    def __init__(self, store: Store, clock: Clock | None = None) -> None:
        self._store = store
        self._clock = clock or SystemClock()
        self._decoy_verifier: str | None = None

    @property
    def _decoy(self) -> str:
        """An s1 verifier no PIN is known to match, for unknown codes (made on first use)."""
        if self._decoy_verifier is None:
            self._decoy_verifier = decoy_verifier()
        return self._decoy_verifier

    def lookup(self, code: str, pin: str, lang: str = "zh") -> Status | None:
        """The INTERFACES.md status shape, or None if code and PIN do not match a receipt.

        Raises CodeInvalid if ``code`` is not a well-formed receipt code (a typing slip,
        which reveals nothing about which codes exist).
        """
        try:
            code = parse_code(code)
        except ReceiptError as exc:
            raise CodeInvalid(str(exc)) from None
        if code in (self._store.get_setting(LOCKED_KEY) or []):
            raise receipt_locked()  # the county's lifetime cap holds here too
        now_ms = to_millis(self._clock.now())
        window_ms = WRONG_PIN_WINDOW_S * 1000
        failures, _ = self._store.pin_failures_since(code, now_ms - window_ms)
        if failures >= WRONG_PIN_LIMIT:
            return None  # backing off: the PIN is not even compared
        decoy = self._decoy  # made before the branch: the first lookup of either kind pays it
        row = self._store.receipt(code)
        ok = pin_matches(code, str(pin), row["pin_verifier"] if row else decoy)
        cached = self._store.status(code)
        if row is None or not ok:
            self._store.add_pin_failure(code, now_ms, now_ms - window_ms)
            return None
        if cached is None:
            status, as_of, zh, en = "provisional", row["filed_at"], "", ""
        else:
            status, as_of = cached["status"], cached["as_of"]
            zh, en = cached["next_step_zh"], cached["next_step_en"]
        if row.get("kind") == "jobseeker" and status in DISPUTE_STATUSES:
            status, (zh, en) = "received", REGISTRATION_RECEIVED
        return {"receipt_code": code, "status": status, "as_of": as_of,
                "next_step": _text(lang, zh, en, status)}

    def holds(self, code: str) -> bool:
        """Whether this kiosk filed receipt ``code`` (an already parsed code)."""
        return self._store.receipt(code) is not None

    def replace_pin(self, code: str, verifier: str | None, locked: bool = False) -> bool:
        """A ``pin`` feed entry: the county locked the receipt (``locked``, no verifier) or
        staff reissued its PIN (the new ``verifier``: the old PIN stops working here too,
        and the lock goes). Ignored (False) for a malformed entry or a receipt this kiosk
        does not hold."""
        try:
            code = parse_code(code)
        except ReceiptError:
            return False
        if self._store.receipt(code) is None:
            return False
        held = set(self._store.get_setting(LOCKED_KEY) or [])
        if locked:
            self._store.set_setting(LOCKED_KEY, sorted(held | {code}))
            return True
        if not (isinstance(verifier, str) and verifier.startswith("s1.")
                and len(verifier) <= 128):
            return False
        with self._store.transaction():
            self._store.set_setting(LOCKED_KEY, sorted(held - {code}))
            return self._store.replace_pin_verifier(code, verifier)

    def apply_status_updates(self, updates: list[dict[str, Any]]) -> int:
        """Store pulled statuses; an update older than the cached one is ignored.

        Each update: ``{"receipt_code", "status", "next_step_zh", "next_step_en",
        "as_of"}``. All or nothing: raises ConfigInvalid naming the first bad update's index
        and field. Returns how many updates were stored.
        """
        clean = [_check_update(i, u) for i, u in enumerate(updates)]
        stored = 0
        with self._store.transaction():
            for u in clean:
                stored += self._store.put_status(u["receipt_code"], u["status"],
                                                 u["next_step_zh"], u["next_step_en"],
                                                 u["as_of"])
        return stored

    def get_cursor(self) -> str | None:
        """Where the last status pull ended (opaque to the kiosk), or None."""
        value = self._store.get_setting(CURSOR_KEY)
        return None if value is None else str(value)

    def set_cursor(self, cursor: str) -> None:
        self._store.set_setting(CURSOR_KEY, str(cursor))


def _check_update(index: int, u: object) -> dict[str, str]:
    where = f"status update [{index}]"
    if not isinstance(u, dict):
        raise ConfigInvalid(f"{where}: must be an object")
    try:
        code = parse_code(str(u.get("receipt_code", "")))
    except ReceiptError:
        raise ConfigInvalid(f"{where}: receipt_code is malformed") from None
    if u.get("status") not in STATUSES:
        raise ConfigInvalid(f"{where}: status must be one of {', '.join(STATUSES)}")
    try:
        as_of = format_utc(parse_utc(str(u.get("as_of"))))
    except ValueError:
        raise ConfigInvalid(f"{where}: as_of must be an RFC 3339 time with zone") from None
    out = {"receipt_code": code, "status": str(u["status"]), "as_of": as_of}
    for key in ("next_step_zh", "next_step_en"):
        value = u.get(key) or ""
        if not isinstance(value, str) or len(value) > 1000:
            raise ConfigInvalid(f"{where}: {key} must be text of at most 1000 characters")
        out[key] = value
    return out
