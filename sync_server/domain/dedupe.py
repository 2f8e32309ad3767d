"""Matching keys for deduplication: one person across stations, one employer across spellings.

* ``person_key``: HMAC-SHA256, under a county secret, of the normalised resident ID number.
  The same person filing at several stations gets the same key; the raw number is never
  stored or returned, and without the secret the key cannot be checked against a guessed
  number (ID numbers are too few to hash unkeyed).
* ``employer_key``: ``uscc:<USCC>`` when a USCC is given, else ``name:<normalised name>``:
  NFKC, case-folded, the legal-form suffix taken off the end (``股份有限公司``, ``有限责任公司``,
  ``有限公司``, ``公司``; ``Co., Ltd.``, ``Limited`` as whole words), spaces and punctuation
  removed. Only the
  legal form goes: the trade name and industry words stay, so ``某某建筑劳务有限公司`` and
  ``某某建筑有限公司`` remain two employers. A branch (``…分公司``) keeps its parent and its
  place: ``某某有限公司成都分公司`` and ``某某公司成都分公司`` give the same key, distinct from
  the parent's and from other branches'. A name that is nothing but a legal form is kept whole.
* ``likely_duplicate``: same claimant, same employer, filed within a window.

The same employer named once with and once without its USCC gets two keys; the server can
map a name key to a USCC key once both are seen together.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from datetime import timedelta

from shared.identity import IdentifierInvalid, check_id_number, check_uscc
from sync_server.domain.alerts import ComplaintSummary
from sync_server.domain.errors import IdentifierRefused

MIN_SECRET = 16
_PERSON_CONTEXT = b"yizhan person key v1\x00"
# Longest first, so 股份有限公司 is not left as 股份.
LEGAL_FORMS = ("股份有限公司", "有限责任公司", "有限公司", "公司")
# English forms as whole words at the end only: "Tesco Ltd" is not "Tes" + "Co Ltd", and
# "inc"/"corp" are left alone ("Zinc" is not "Z" + "inc").
_ENGLISH_FORM = re.compile(r"\b(?:co(?:mpany)?[\s.,]*(?:ltd|limited)|ltd|limited)\W*$")
BRANCH = "分公司"
MIN_CORE = 2
# The cases.employer_key and alerts.employer_key columns. A validated record's name folds to
# at most 100 characters (shared.records.MAX_EMPLOYER_NAME); this holds for any caller.
MAX_EMPLOYER_KEY = 128


def person_key(id_number: str, secret: bytes, *, normalised: bool = False) -> str:
    """Return the hex HMAC-SHA256 of the normalised resident ID number under ``secret``.

    Full-width digits, spaces and a lower-case x give the same key as the plain number.
    ``normalised``: the number is already ``check_id_number(...).number`` (a validated
    record's), so it is not checked again (the server did, a moment before; same key).
    Raises IdentifierRefused (field ``id_number`` or ``secret``) without echoing the number.
    """
    if not isinstance(secret, bytes) or len(secret) < MIN_SECRET:
        raise IdentifierRefused("secret", f"secret_too_short_min_{MIN_SECRET}_bytes")
    if not isinstance(id_number, str):
        raise IdentifierRefused("id_number", "not_text")
    if normalised:
        number = id_number
    else:
        try:
            number = check_id_number(id_number).number
        except IdentifierInvalid as exc:
            raise IdentifierRefused("id_number", exc.code) from None
    if not number.isascii():
        raise IdentifierRefused("id_number", "not_normalised")
    return hmac.new(secret, _PERSON_CONTEXT + number.encode("ascii"), hashlib.sha256).hexdigest()


def _squash(text: str) -> str:
    """Keep only letters, marks and digits."""
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in "LMN")


def _strip_form(core: str) -> str:
    for form in LEGAL_FORMS:
        if core.endswith(form):
            # The longest form that ends the name decides; nothing shorter is tried, so
            # "有限公司" alone stays whole instead of becoming "有限".
            return core[: -len(form)] if len(core) - len(form) >= MIN_CORE else core
    return core


def _split_branch(rest: str) -> tuple[str, str]:
    """Split ``某某有限公司成都`` into (``某某``, ``成都``) at the last legal form inside."""
    best: tuple[int, int] | None = None  # (end, -start): latest end, then longest form
    for form in LEGAL_FORMS:
        at = rest.rfind(form)
        end = at + len(form)
        if at >= MIN_CORE and end < len(rest) and (best is None or (end, -at) > best):
            best = (end, -at)
    if best is None:
        return rest, ""
    return rest[: -best[1]], rest[best[0]:]


def normalise_employer_name(name: str) -> str:
    """Return the comparison form of an employer name (see the module docstring).

    Raises IdentifierRefused (field ``employer.name``) if nothing comparable is left.
    """
    if not isinstance(name, str):
        raise IdentifierRefused("employer.name", "not_text")
    text = unicodedata.normalize("NFKC", name).casefold()
    english = _ENGLISH_FORM.search(text)
    if english and len(_squash(text[: english.start()])) >= MIN_CORE:
        text = text[: english.start()]
    core = _squash(text)
    if len(core) < MIN_CORE:
        raise IdentifierRefused("employer.name", "too_short")
    if core.endswith(BRANCH) and len(core) - len(BRANCH) >= MIN_CORE:
        parent, place = _split_branch(core[: -len(BRANCH)])
        return f"{_strip_form(parent)}/{place}{BRANCH}" if place else f"{parent}{BRANCH}"
    return _strip_form(core)


# The codes normalise_employer_name refuses a name with when nothing comparable is in it.
NOTHING_COMPARABLE = ("not_text", "too_short")


def employer_identifiable(uscc: str | None, name: object) -> bool:
    """True if the employer can be compared with others: a USCC, or a name with something
    comparable left (not a placeholder such as "××", "？？", "——" or "...")."""
    if isinstance(uscc, str) and uscc.strip():
        return True
    try:
        normalise_employer_name(name)  # type: ignore[arg-type]  # it checks the type itself
    except IdentifierRefused:
        return False
    return True


def employer_key(uscc: str | None, name: str, *, normalised: bool = False) -> str:
    """Return ``uscc:<code>`` if a USCC is given, else ``name:<normalised name>``.

    ``normalised``: the USCC is already ``check_uscc``'s output (a validated record's), so
    it is not checked again (same key). Raises IdentifierRefused naming ``employer.uscc``
    (present but invalid) or ``employer.name`` (nothing comparable left, or a key longer
    than MAX_EMPLOYER_KEY).
    """
    if normalised and uscc:
        key = f"uscc:{uscc}"
    elif uscc is not None and uscc.strip():
        try:
            key = f"uscc:{check_uscc(uscc)}"
        except IdentifierInvalid as exc:
            raise IdentifierRefused("employer.uscc", exc.code) from None
    else:
        key = f"name:{normalise_employer_name(name)}"
    if len(key) > MAX_EMPLOYER_KEY:
        raise IdentifierRefused("employer.uscc" if key.startswith("uscc:") else
                                "employer.name", "too_long")
    return key


def likely_duplicate(a: ComplaintSummary, b: ComplaintSummary, window_days: int = 30) -> bool:
    """True if two different complaints have the same claimant and employer and were filed
    at most ``window_days`` apart (the window's edge included).

    Raises ValueError for a negative window.
    """
    if window_days < 0:
        raise ValueError("window_days must not be negative")
    return (a.case_id != b.case_id and a.person_key == b.person_key
            and a.employer_key == b.employer_key
            and abs(a.filed_at - b.filed_at) <= timedelta(days=window_days))
