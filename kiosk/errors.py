"""The error tree of the ``kiosk`` package (store and services).

::

    YizhanError (shared)
    ├── RecordInvalid (shared)
    │   └── IntakeInvalid            an intake record failed validation (also a ValueError,
    │                                so the screens treat it as input the worker can correct)
    └── KioskError                   base of everything the kiosk raises on purpose
        ├── StoreError               the data folder cannot be read or written (read-only,
        │                            disk full, locked, not a kiosk store); nothing already
        │                            stored is lost
        ├── NotInitialised           no kiosk in the data folder yet: run ``init``
        ├── AlreadyInitialised       ``init`` on a folder that already holds a kiosk
        ├── NotEnrolled              county keys are unknown: intake is refused
        ├── KioskRevoked             the county revoked this kiosk: intake is refused
        ├── ConfigInvalid            county keys, server config or checklists are malformed
        ├── StationLocked            a staff action needs the station key unlocked
        ├── WrongPassphrase          the staff passphrase does not open the station key
        │   └── WeakPassphrase       a new staff passphrase is too short or too common
        ├── TicketError              unknown queue number or a state change not allowed
        ├── CodeInvalid              a typed receipt code is malformed (also a ValueError)
        ├── LookupRefused            another station's receipt cannot be checked now:
        │                            ``other_station_offline``, ``receipt_locked``,
        │                            ``rate_limited`` (zh-CN and English in ``zh``/``en``)
        └── AckMismatch              an acknowledgement is addressed to another device

Messages name the thing at fault and never contain personal data.
"""

from __future__ import annotations

from shared._errors import RecordInvalid, YizhanError


class KioskError(YizhanError):
    """Base of every error the kiosk store and services raise on purpose."""


class IntakeInvalid(RecordInvalid, ValueError):
    """An intake record failed validation; ``errors`` holds one FieldError per bad field."""


class StoreError(KioskError):
    """The kiosk data folder cannot be read or written. Nothing already stored was lost."""


class NotInitialised(KioskError):
    """There is no kiosk in the data folder yet."""


class AlreadyInitialised(KioskError):
    """``init`` was asked to make a kiosk where one already exists."""


class NotEnrolled(KioskError):
    """The county keys are not known yet, so nothing can be sealed."""


class KioskRevoked(KioskError):
    """The county revoked this kiosk: it takes no new intake (its outbox is kept)."""

    code = "device_revoked"


class ConfigInvalid(KioskError):
    """County keys, configuration from the server or checklists are malformed."""


class StationLocked(KioskError):
    """A staff action needs the station key, which is locked."""


class WrongPassphrase(KioskError):
    """The staff passphrase does not open the station key."""


class WeakPassphrase(WrongPassphrase):
    """A new staff passphrase is too short or too easy to guess (``shared.passphrase``).

    The message is zh-CN first, then English; ``zh`` and ``en`` hold each.
    """

    def __init__(self, zh: str, en: str) -> None:
        self.zh, self.en = zh, en
        super().__init__(f"站点口令不合格：{zh} / staff passphrase refused: {en}")


class TicketError(KioskError):
    """A queue number is unknown, or its state cannot change that way."""


class CodeInvalid(KioskError, ValueError):
    """A typed receipt code has the wrong length, characters or check character."""


class AckMismatch(KioskError):
    """An acknowledgement names another device."""


class LookupRefused(KioskError):
    """A status lookup the kiosk cannot answer with a status; ``code`` says why, ``zh`` and
    ``en`` say it to the worker."""

    def __init__(self, code: str, zh: str, en: str) -> None:
        self.code, self.zh, self.en = code, zh, en
        super().__init__(f"{en} / {zh}")


def receipt_locked() -> LookupRefused:
    """The county locked the receipt after too many wrong PINs (until staff reissue it)."""
    return LookupRefused(
        "receipt_locked",
        "这张回执的查询密码错误次数太多，已被锁定。请带身份证件到任一服务站点，请工作人员重新发放查询密码。",
        "Too many wrong PINs for this receipt: it is locked. Take your ID to any service "
        "station and ask staff to issue a new PIN.")
