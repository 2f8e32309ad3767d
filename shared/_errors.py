"""The one error tree of yizhan: every error the project raises on purpose, drawn here.

Each class has a stable ``code`` (a class attribute, snake_case, unique in the tree; some
classes set a finer ``code`` per instance, named in brackets) and an ``http_status`` that the
server's HTTP edge (``sync_server.api.problems``) answers with when such an error reaches it.
The classes live in the package that raises them and are importable from there; this
docstring is the map (tests/test_error_tree.py checks that every class is on it)::

    YizhanError                      base of everything yizhan raises on purpose   [yizhan_error]
    │  shared (shared/_errors.py unless named)
    ├── RecordInvalid                intake data failed validation; .errors lists FieldError
    │   └── IntakeInvalid            kiosk.errors; also a ValueError (the screens let the
    │                                worker correct it)
    ├── CanonicalError               a value has no canonical encoding (float, non-str key, ...)
    ├── EnvelopeError                an envelope cannot be parsed, verified or opened (opaque)
    ├── FeedError                    a county answer (changes page, key statement, ack bundle)
    │                                fails verification (opaque; shared/feed.py)
    ├── KeyMaterialError             a key file or encoded key is malformed, or wrong passphrase
    │   └── PassphraseRejected       the passphrase does not open a wrapped station key
    │                                (shared/stationkey.py; the kiosk says WrongPassphrase)
    ├── WeakPassphrase               a new passphrase is too short or too easy to guess
    │                                (shared/passphrase.py; .zh and .en say why)
    ├── ChainError                   a device's chain has a gap, a fork or a replaced record
    ├── ReceiptError                 a receipt code, PIN or QR payload is malformed or forged
    ├── EnrollmentTokenError         an enrollment token (its QR text) is malformed; [.code],
    │                                .field say what (shared/enrollment.py)
    ├── RequestAuthError             a kiosk request's signature headers fail (shared/auth.py;
    │                                [.code] is auth_missing, auth_stale or auth_signature)
    ├── FileRefused                  a file from outside or an output path is refused: a symlink,
    │                                an existing file, not a regular file, too large, a
    │                                decompression bomb (shared/safefile.py; [.code] says which)
    ├── IdentifierInvalid            an ID number, USCC or phone failed its check; also a
    │                                ValueError (shared/identity.py; [.code] keys the message)
    ├── ChecklistInvalid             a checklist set is malformed (shared/checklists)
    │
    │  kiosk (kiosk/errors.py unless named)
    ├── KioskError                   base of everything the kiosk raises on purpose
    │   ├── StoreError               the data folder cannot be read or written; nothing lost
    │   ├── NotInitialised           no kiosk in the data folder yet: run ``init``
    │   ├── AlreadyInitialised       ``init`` on a folder that already holds a kiosk
    │   ├── NotEnrolled              county keys are unknown: intake is refused
    │   ├── KioskRevoked             the county revoked this kiosk: intake is refused
    │   ├── ConfigInvalid            county keys, server config or checklists are malformed
    │   ├── StationLocked            a staff action needs the station key unlocked
    │   ├── WrongPassphrase          the staff passphrase does not open the station key
    │   │   └── WeakPassphrase       (kiosk's own) a new staff passphrase is too short or too
    │   │                            common; wraps shared's WeakPassphrase
    │   ├── TicketError              unknown queue number or a state change not allowed
    │   ├── CodeInvalid              a typed receipt code is malformed (also a ValueError)
    │   ├── AckMismatch              an acknowledgement is addressed to another device
    │   ├── LookupRefused            another station's receipt cannot be checked now (its
    │   │                            ``code``: other_station_offline, receipt_locked,
    │   │                            rate_limited; zh-CN and English in ``zh``/``en``)
    │   ├── UsageError               the kiosk command line asks for the impossible (kiosk CLI)
    │   ├── DecoderMissing           zxing-cpp is not installed (kiosk/services/qr_reader.py;
    │   │                            also a ModuleNotFoundError)
    │   ├── FontNotFoundError        no CJK font for receipts (kiosk/ui/fonts.py; also a
    │   │                            RuntimeError)
    │   ├── PrintError               a receipt could not be printed (kiosk/ui/printing.py)
    │   │   ├── PrinterConfigError   the printer setting is malformed (also a ValueError)
    │   │   └── PrinterFailed        the printer could not be opened or written
    │   ├── SyncError                base of the sync client's errors (kiosk/sync/errors.py)
    │   │   ├── TransientError       the outside world failed; retried later
    │   │   └── PermanentError       the server refused; retrying cannot fix it [.code]
    │   │       └── UnverifiedAnswer a county answer failed verification; nothing changed
    │   └── InputMethodError         the input methods (kiosk/input/errors.py)
    │       ├── IndexInvalid         the pinyin index is missing or malformed
    │       └── HandwritingUnavailable  libzinnia or its model is missing or broken
    │
    │  county server (sync_server/errors.py unless named)
    ├── ServerError                  base of everything the server raises on purpose
    │   ├── ConfigError              the data folder, a key file, a passphrase or --db is unusable
    │   ├── NotFound                 a receipt code, device or case named does not exist (404)
    │   ├── ActionRefused            a staff action the case or record's state does not allow (409)
    │   ├── BundleRefused            a USB record bundle is unreadable, tampered with, or from an
    │   │                            unknown or revoked device; nothing of it was stored
    │   ├── StoreFault               the database refused or failed a statement; carries only the
    │   │   │                        SQLSTATE, table, column and constraint (never row values)
    │   │   └── StoreBusy            the database stayed locked past the busy timeout; nothing
    │   │                            changed, try again (503 with Retry-After; store/faults.py)
    │   ├── BackupError              a backup cannot be written, or an archive is damaged or does
    │   │                            not fit the target; a refused restore wrote nothing
    │   ├── MergeRefused             a record cannot become a case; .reason is the quarantine
    │   │                            reason (sync_server/services/merge.py)
    │   ├── Refused                  a kiosk's or worker's request a service turns down; the
    │   │                            instance names its problem code (services/refusals.py)
    │   ├── ReceiptLocked            too many wrong PINs over a receipt's lifetime: locked until
    │   │                            staff reissue it (services/pinguard.py; 423)
    │   ├── AccountError             console accounts (services/accounts.py)
    │   │   ├── UnknownUser          no console user has that username
    │   │   ├── UserDisabled         the user exists but is disabled
    │   │   ├── BadAccountInput      a username, role, station or password refused; .code says
    │   │   ├── LoginRefused         login_failed or locked_out (.retry_after)
    │   │   └── ReissueRefused       a receipt PIN reissue refused (services/pinguard.py)
    │   ├── NotPermitted             the user's roles or station do not allow the action (403;
    │   │                            also an ActionRefused, services/casework.py)
    │   ├── BadFilter                a console list filter is malformed (services/caselist.py)
    │   ├── CalendarRefused          a working-day calendar edit refused (workcalendar.py)
    │   ├── UnknownQueue             no workqueue of that name (services/workqueues.py)
    │   ├── SettingInvalid           a county setting's key or value is refused (a ConfigError)
    │   ├── ChecklistRefused         an edited checklist is refused (services/checklists.py)
    │   ├── BadField                 a console form value names its field (console/cases.py)
    │   ├── Denied                   a console request without a session (401) or the right (403)
    │   └── Problem                  an HTTP request is refused; carries .status and [.code]
    └── DomainError                  the merge domain's rules (sync_server/domain/errors.py; 422)
        ├── EventInvalid             an event or the data of its kind is malformed; .field [.code]
        ├── EventConflict            events that cannot be folded together (409)
        ├── IdentifierRefused        a dedupe key was asked of an unusable identifier; .field
        │                            [.code] (never the value itself)
        ├── UnknownStatus            a status or route that INTERFACES.md does not define
        └── StepRefused              an alert lifecycle step out of order (domain/alertflow.py)

At the HTTP edge every error of the tree becomes a JSON problem body (RFC 9457 shape plus
``code``); the CLIs catch ``YizhanError`` once, print the message to stderr and exit non-zero.
``EnvelopeError`` is deliberately opaque (one message for every cause) so an attacker learns
nothing from which check failed; the cause is kept on ``.detail`` for server logs only.
"""

from __future__ import annotations

from dataclasses import dataclass


class YizhanError(Exception):
    """Base of every error yizhan raises on purpose.

    ``code`` is stable and unique per class (a subclass may set a finer one per instance);
    ``http_status`` is the status the server's HTTP edge answers with (500 unless the class
    says the fault is the request's).
    """

    code: str = "yizhan_error"
    http_status: int = 500


@dataclass(frozen=True)
class FieldError:
    """One invalid field: a dotted path, a stable code and the message in both languages."""

    field: str
    code: str
    zh: str
    en: str

    def to_wire(self) -> dict[str, str]:
        return {"field": self.field, "code": self.code, "zh": self.zh, "en": self.en}

    def __str__(self) -> str:
        return f"{self.field}: {self.en} / {self.zh}"


class RecordInvalid(YizhanError):
    """Intake data failed validation. ``errors`` holds one FieldError per bad field."""

    code = "record_invalid"
    http_status = 422

    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = list(errors)
        super().__init__("; ".join(str(e) for e in self.errors) or "invalid record")

    def to_wire(self) -> list[dict[str, str]]:
        return [e.to_wire() for e in self.errors]


class CanonicalError(YizhanError):
    """A value has no canonical encoding (floats, non-string keys, unsupported types)."""

    code = "not_canonical"
    http_status = 400


class EnvelopeError(YizhanError):
    """An envelope could not be parsed, verified or opened. Opaque on purpose."""

    code = "envelope_invalid"
    http_status = 400

    def __init__(self, detail: str = "") -> None:
        self.detail = detail
        super().__init__("envelope cannot be opened or verified")


class FeedError(YizhanError):
    """A county answer failed verification against the keys the kiosk trusts. Opaque on
    purpose; ``detail`` keeps the cause for logs."""

    code = "feed_unverified"

    def __init__(self, detail: str = "") -> None:
        self.detail = detail
        super().__init__("county answer failed verification")


class ChainError(YizhanError):
    """A device's record chain is broken: a gap, a reordering, a fork or a replaced record."""

    code = "chain_broken"
    http_status = 409


class ReceiptError(YizhanError):
    """A receipt code, PIN or QR payload is malformed, or its signature does not verify."""

    code = "receipt_invalid"
    http_status = 400


class EnrollmentTokenError(YizhanError):
    """An enrollment token or its QR text is malformed.

    ``code`` is stable (``too_long``, ``receipt``, ``not_token``, ``missing``, ``bad_token``,
    ``bad_station``, ``bad_expiry``, ``bad_server``; ``no_qr`` when a picture holds no QR
    code); ``field`` names the JSON key at fault (``""`` when the text as a whole is not a
    token).
    """

    code = "enrollment_token_invalid"
    http_status = 400

    def __init__(self, code: str, message: str, field: str = "") -> None:
        self.code = code
        self.field = field
        super().__init__(message)


class KeyMaterialError(YizhanError):
    """A key file or encoded key is malformed, or its passphrase is wrong."""

    code = "key_material_invalid"


class PassphraseRejected(KeyMaterialError):
    """A passphrase does not open the key wrapped under it (the GCM tag fails)."""

    code = "passphrase_rejected"
    http_status = 422


class FileRefused(YizhanError):
    """A file from outside (a USB stick, a picture) or an output path is refused.

    ``code`` is stable: ``symlink`` (the path is a symbolic link), ``exists`` (an output would
    replace a file it did not make), ``not_regular`` (a folder, device or pipe), ``too_large``
    (more bytes than the limit), ``bomb`` (decompresses past its budget), ``unwritable`` /
    ``unreadable`` (the operating system refused; the message has its reason). The message
    names the path and, for sizes, the limit.
    """

    code = "file_refused"
    http_status = 400

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        super().__init__(message)

    def naming(self, path: object) -> FileRefused:
        """The same refusal with ``path`` in front of the message."""
        return FileRefused(self.code, f"{path}: {self}")


class WeakPassphrase(YizhanError):
    """A passphrase offered for new key material is too short or too easy to guess.

    ``zh`` and ``en`` hold the reason in both languages; ``str()`` is both, zh-CN first.
    """

    code = "weak_passphrase"
    http_status = 422

    def __init__(self, zh: str, en: str) -> None:
        self.zh, self.en = zh, en
        super().__init__(f"{zh} / {en}")
