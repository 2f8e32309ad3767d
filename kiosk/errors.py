"""The errors of the ``kiosk`` package (store and services): the kiosk's branch of the one
error tree drawn in ``shared/_errors.py`` (``KioskError`` and below, and ``IntakeInvalid``).

Messages name the thing at fault and never contain personal data.
"""

from __future__ import annotations

from shared._errors import RecordInvalid, YizhanError


class KioskError(YizhanError):
    """Base of every error the kiosk store and services raise on purpose."""

    code = "kiosk_error"


class IntakeInvalid(RecordInvalid, ValueError):
    """An intake record failed validation; ``errors`` holds one FieldError per bad field."""

    code = "intake_invalid"


class StoreError(KioskError):
    """The kiosk data folder cannot be read or written. Nothing already stored was lost."""

    code = "store_unusable"


class NotInitialised(KioskError):
    """There is no kiosk in the data folder yet."""

    code = "not_initialised"


class AlreadyInitialised(KioskError):
    """``init`` was asked to make a kiosk where one already exists."""

    code = "already_initialised"


class NotEnrolled(KioskError):
    """The county keys are not known yet, so nothing can be sealed."""

    code = "not_enrolled"


class KioskRevoked(KioskError):
    """The county revoked this kiosk: it takes no new intake (its outbox is kept)."""

    code = "device_revoked"


class ConfigInvalid(KioskError):
    """County keys, configuration from the server or checklists are malformed."""

    code = "config_invalid"


class StationLocked(KioskError):
    """A staff action needs the station key, which is locked."""

    code = "station_locked"


class WrongPassphrase(KioskError):
    """The staff passphrase does not open the station key."""

    code = "wrong_passphrase"


class WeakPassphrase(WrongPassphrase):
    """A new staff passphrase is too short or too easy to guess (``shared.passphrase``).

    The message is zh-CN first, then English; ``zh`` and ``en`` hold each.
    """

    code = "station_passphrase_weak"

    def __init__(self, zh: str, en: str) -> None:
        self.zh, self.en = zh, en
        super().__init__(f"站点口令不合格：{zh} / staff passphrase refused: {en}")


class TicketError(KioskError):
    """A queue number is unknown, or its state cannot change that way."""

    code = "ticket_refused"


class CodeInvalid(KioskError, ValueError):
    """A typed receipt code has the wrong length, characters or check character."""

    code = "receipt_code_invalid"


class AckMismatch(KioskError):
    """An acknowledgement names another device."""

    code = "ack_mismatch"

class LookupRefused(KioskError):
    """A status lookup the kiosk cannot answer with a status; ``code`` says why, ``zh`` and
    ``en`` say it to the worker."""

    code = "lookup_refused"

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
