"""What the kiosk and the county server agree on byte for byte.

Records and their validation, canonical encoding, ids and clocks, the sealed envelope and its
chain, receipts, enrollment tokens, key files and the passphrase rule. Imports only the
standard library, ``cryptography``, ``pydantic``, ``python-stdnum``, ``qrcode`` and ``zxcvbn``
(``shared.passphrase``): never Kivy, httpx or the server framework.
"""

from shared._errors import (
    CanonicalError,
    ChainError,
    EnrollmentTokenError,
    EnvelopeError,
    FieldError,
    KeyMaterialError,
    ReceiptError,
    RecordInvalid,
    WeakPassphrase,
    YizhanError,
)
from shared.canonical import canonical_bytes, loads_canonical
from shared.clock import Clock, ManualClock, SystemClock, format_utc, parse_utc
from shared.enrollment import EnrollmentToken, read_enrollment_qr
from shared.envelope import (
    GENESIS,
    START,
    ChainPoint,
    Envelope,
    EnvelopeHeader,
    open_,
    seal,
    split_runs,
    verify,
    verify_run,
)
from shared.hlc import HLC, HybridClock
from shared.ids import new_record_id
from shared.intake import IntakePayload
from shared.keys import Keyring, Recipient, device_id_of, kid_of
from shared.qr import qr_png
from shared.receipt import (
    ReceiptClaims,
    decoy_verifier,
    format_code,
    legacy_pin_verifier,
    new_code,
    new_pin,
    parse_code,
    pin_matches,
    pin_verifier,
    read_receipt,
    sign_receipt,
    verify_receipt,
)
from shared.records import (
    Complaint,
    JobSeekerRegistration,
    QueueTicket,
    parse_complaint,
    parse_jobseeker,
    parse_record,
)

__all__ = [
    "GENESIS",
    "HLC",
    "START",
    "CanonicalError",
    "ChainError",
    "ChainPoint",
    "Clock",
    "Complaint",
    "EnrollmentToken",
    "EnrollmentTokenError",
    "Envelope",
    "EnvelopeError",
    "EnvelopeHeader",
    "FieldError",
    "HybridClock",
    "IntakePayload",
    "JobSeekerRegistration",
    "KeyMaterialError",
    "Keyring",
    "ManualClock",
    "QueueTicket",
    "ReceiptClaims",
    "ReceiptError",
    "Recipient",
    "RecordInvalid",
    "SystemClock",
    "WeakPassphrase",
    "YizhanError",
    "canonical_bytes",
    "decoy_verifier",
    "device_id_of",
    "format_code",
    "format_utc",
    "kid_of",
    "legacy_pin_verifier",
    "loads_canonical",
    "new_code",
    "new_pin",
    "new_record_id",
    "open_",
    "parse_code",
    "parse_complaint",
    "parse_jobseeker",
    "parse_record",
    "parse_utc",
    "pin_matches",
    "pin_verifier",
    "qr_png",
    "read_enrollment_qr",
    "read_receipt",
    "seal",
    "sign_receipt",
    "split_runs",
    "verify",
    "verify_receipt",
    "verify_run",
]
