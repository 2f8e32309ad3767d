"""Who may read a claimant's identity in a case view, print or export (pure rules).

The identity is the claimant's name, ID number and phone (of a complaint's ``claimant``, or
of a registration itself) and the phone staff recorded (``contact.phone``). Audiences:

* ``county`` — everything (the county's own export, staff with the identity panel open);
* ``staff`` — the sealed view: identity replaced by ``SEALED`` until opened with a reason;
* ``employer`` and ``inspector`` — what may leave the centre: the identity of a claimant who
  asked to stay unknown to the employer (``conceal_identity``, 不向用人单位透露) is omitted,
  the others' kept.

History entries that carried an identity value (a phone change, a conflicting filing) are
sealed the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

AUDIENCES = ("county", "staff", "employer", "inspector")
IDENTITY_FIELDS = ("name", "id_number", "phone")
SEALED = "[sealed 已隐藏]"
_IDENTITY_HISTORY = ("contact.phone", "filed")


def conceals(kind: str | None, record: Mapping[str, Any] | None) -> bool:
    """True if the claimant asked that the employer not learn who they are."""
    if kind != "complaint" or not record:
        return False
    claimant = record.get("claimant")
    return isinstance(claimant, Mapping) and claimant.get("conceal_identity") is True


def hides_identity(audience: str, kind: str | None, record: Mapping[str, Any] | None) -> bool:
    """True if ``audience`` must not see this case's identity. Raises ValueError for an
    unknown audience."""
    if audience not in AUDIENCES:
        raise ValueError(f"audience {audience!r}: must be one of {', '.join(AUDIENCES)}")
    if audience == "county":
        return False
    if audience == "staff":
        return True
    return conceals(kind, record)


def _seal(holder: Mapping[str, Any]) -> dict[str, Any]:
    return {k: (SEALED if k in IDENTITY_FIELDS and v is not None else v)
            for k, v in holder.items()}


def redact_record(kind: str | None, record: Mapping[str, Any] | None) -> Any:
    """A copy of ``record`` with the identity fields sealed."""
    if not record:
        return record
    if kind == "complaint" and isinstance(record.get("claimant"), Mapping):
        return {**record, "claimant": _seal(record["claimant"])}
    return _seal(record)


def redact_history(history: Any) -> list[Any]:
    """History entries with identity values sealed."""
    return [{**h, "old": SEALED if h.get("old") is not None else None,
             "new": SEALED if h.get("new") is not None else None}
            if h.get("field") in _IDENTITY_HISTORY else h for h in history]


def redact_contact(contact: Mapping[str, Any]) -> dict[str, Any]:
    """Staff-recorded contact fields with the phone sealed (the employer's kept)."""
    return {k: (SEALED if k == "phone" else v) for k, v in contact.items()}
