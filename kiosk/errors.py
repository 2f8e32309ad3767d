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
