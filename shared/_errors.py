"""The error tree of the ``shared`` package.

::

    YizhanError                      base of everything yizhan raises on purpose
    ├── RecordInvalid                intake data failed validation; .errors lists FieldError
    ├── CanonicalError               a value has no canonical encoding (float, non-str key, ...)
    ├── EnvelopeError                an envelope cannot be parsed, verified or opened (opaque)
    ├── FeedError                    a county answer (changes page, key statement, ack bundle)
    │                                fails verification (opaque; shared/feed.py)
    ├── KeyMaterialError             a key file or encoded key is malformed, or wrong passphrase
    ├── WeakPassphrase               a new passphrase is too short or too easy to guess
                                     (shared/passphrase.py; .zh and .en say why)
    ├── ChainError                   a device's chain has a gap, a fork or a replaced record
    ├── ReceiptError                 a receipt code, PIN or QR payload is malformed or forged
    ├── EnrollmentTokenError         an enrollment token (its QR text) is malformed; .code and
    │                                .field say what (shared/enrollment.py)
    ├── RequestAuthError             a kiosk request's signature headers fail (shared/auth.py;
    │                                .code is auth_missing, auth_stale or auth_signature)
    └── FileRefused                  a file from outside or an output path is refused: a symlink,
                                     an existing file, not a regular file, too large, a
                                     decompression bomb (shared/safefile.py; .code says which)

``EnvelopeError`` is deliberately opaque (one message for every cause) so an attacker learns
nothing from which check failed; the cause is kept on ``.detail`` for server logs only.
"""

from __future__ import annotations

from dataclasses import dataclass


class YizhanError(Exception):
    """Base of every error yizhan raises on purpose."""


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

    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = list(errors)
        super().__init__("; ".join(str(e) for e in self.errors) or "invalid record")

    def to_wire(self) -> list[dict[str, str]]:
        return [e.to_wire() for e in self.errors]


class CanonicalError(YizhanError):
    """A value has no canonical encoding (floats, non-string keys, unsupported types)."""


class EnvelopeError(YizhanError):
    """An envelope could not be parsed, verified or opened. Opaque on purpose."""

    def __init__(self, detail: str = "") -> None:
        self.detail = detail
        super().__init__("envelope cannot be opened or verified")


class FeedError(YizhanError):
    """A county answer failed verification against the keys the kiosk trusts. Opaque on
    purpose; ``detail`` keeps the cause for logs."""

    def __init__(self, detail: str = "") -> None:
        self.detail = detail
        super().__init__("county answer failed verification")


class ChainError(YizhanError):
    """A device's record chain is broken: a gap, a reordering, a fork or a replaced record."""


class ReceiptError(YizhanError):
    """A receipt code, PIN or QR payload is malformed, or its signature does not verify."""


class EnrollmentTokenError(YizhanError):
    """An enrollment token or its QR text is malformed.

    ``code`` is stable (``too_long``, ``receipt``, ``not_token``, ``missing``, ``bad_token``,
    ``bad_station``, ``bad_expiry``, ``bad_server``; ``no_qr`` when a picture holds no QR
    code); ``field`` names the JSON key at fault (``""`` when the text as a whole is not a
    token).
    """

    def __init__(self, code: str, message: str, field: str = "") -> None:
        self.code = code
        self.field = field
        super().__init__(message)


class KeyMaterialError(YizhanError):
    """A key file or encoded key is malformed, or its passphrase is wrong."""


class FileRefused(YizhanError):
    """A file from outside (a USB stick, a picture) or an output path is refused.

    ``code`` is stable: ``symlink`` (the path is a symbolic link), ``exists`` (an output would
    replace a file it did not make), ``not_regular`` (a folder, device or pipe), ``too_large``
    (more bytes than the limit), ``bomb`` (decompresses past its budget), ``unwritable`` /
    ``unreadable`` (the operating system refused; the message has its reason). The message
    names the path and, for sizes, the limit.
    """

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

    def __init__(self, zh: str, en: str) -> None:
        self.zh, self.en = zh, en
        super().__init__(f"{zh} / {en}")
