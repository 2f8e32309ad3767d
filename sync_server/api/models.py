"""Request and answer shapes, for validation where FastAPI parses and for the OpenAPI schema."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class EnrollRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    token: str = Field(min_length=1, max_length=200, description="one-time enrollment token")
    device_public_key: str = Field(min_length=1, max_length=100,
                                   description="base64url raw Ed25519 public key (32 bytes)")
    station: str | None = Field(None, max_length=64,
                                description="must equal the token's station when given")


class EnrollAnswer(BaseModel):
    device_id: str
    station: str
    county: dict[str, Any]
    config: dict[str, Any]


class PushRequest(BaseModel):
    envelopes: list[str] = Field(description="base64url of each envelope's bytes, seq order")
    acked_head: int = Field(0, ge=0, description="the highest seq this device holds as "
                            "acknowledged; a server whose chain for the device is behind it "
                            "(a restored backup) asks for a resend in the signed ack")
    lost: list[dict[str, int]] = Field(default_factory=list, description="seq ranges "
                                       "({from_seq, to_seq}) the device no longer holds when "
                                       "a restored county asked for them again")


class PushResult(BaseModel):
    index: int
    id: str | None
    status: Literal["accepted", "duplicate", "conflict", "quarantined"]
    reason: str | None = None


class Gap(BaseModel):
    from_seq: int
    to_seq: int


class ChainHead(BaseModel):
    seq: int
    hash: str


class PushAnswer(BaseModel):
    results: list[PushResult]
    ack: dict[str, Any] = Field(description="shared.ack signed acknowledgement")
    gaps: list[Gap]
    chain: ChainHead
    keys: list[dict[str, Any]] = Field(
        default_factory=list, description="key statements (shared/feed.py), oldest first: "
        "the rotation chain from the enrollment key to the key that signed the ack")


class ChangesAnswer(BaseModel):
    """A changes page signed by the server key (shared/feed.py)."""

    model_config = ConfigDict(populate_by_name=True)
    v: int = Field(description="1")
    device: str = Field(description="the device this page is for")
    start: str = Field(alias="from", description="the cursor the page starts at (as asked)")
    changes: list[dict[str, Any]]
    cursor: str
    more: bool
    keys: list[dict[str, Any]] = Field(description="key statements, oldest first")
    signature: str = Field(description="Ed25519 by the server key over "
                           "yizhan-feed-v1\\x00 || canonical(every other member)")


class StatusRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(min_length=1, max_length=40, description="receipt code, any spelling")
    pin: str = Field(min_length=1, max_length=20)


class HandledBy(BaseModel):
    """The body handling the case: a route, or ``centre`` (the county centre)."""

    route: str
    zh: str
    en: str


class NextDeadline(BaseModel):
    """The next running statutory clock (docs/deadlines.md): China date, clock, words, law."""

    due: str
    clock: str
    what_zh: str
    what_en: str
    basis_zh: str
    basis_en: str


class NeedsMaterials(BaseModel):
    """需补正: how many items staff listed, and fixed words on what to bring and where."""

    count: int
    zh: str
    en: str


class StatusAnswer(BaseModel):
    receipt_code: str
    status: str
    as_of: str
    next_step_zh: str
    next_step_en: str
    handled_by: HandledBy | None = None
    next_deadline: NextDeadline | None = None
    needs_materials: NeedsMaterials | None = None


class Health(BaseModel):
    status: str
    county: str
    database: str


class ProblemBody(BaseModel):
    type: str
    title: str
    status: int
    code: str
    detail: str


PROBLEMS: dict[int | str, dict[str, Any]] = {
    status: {"model": ProblemBody, "description": "problem",
             "content": {"application/problem+json": {}}}
    for status in (400, 401, 403, 404, 409, 413, 415, 422, 423, 429, 503)
}
