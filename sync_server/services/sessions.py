"""Console logins and sessions: the password check with lockout, and server-side sessions.

Failed logins are counted per username in the store (so every ``serve`` process agrees):
from ``LOCK_AFTER`` consecutive failures the username is locked for ``LOCK_BASE_S``
seconds, doubling with each further failure up to ``LOCK_MAX_S``; while locked even the
right password is refused. Failures a day old on a username not locked now are forgotten.
Unknown and disabled usernames get the answer a wrong password gets, after as long.
A hash made under older argon2 parameters is replaced at the next successful login.

A session cookie is 256 random bits, of which only the SHA-256 is stored; sessions end on
logout, after ``IDLE_S`` idle or ``ABSOLUTE_S`` in all, and when the user is disabled,
changes password or roles (``sync_server.services.accounts``).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from sync_server.services import audit
from sync_server.services.accounts import LoginRefused, StaffUser, hasher
from sync_server.services.wiring import Services
from sync_server.store import accounts as aq

__all__ = ["ABSOLUTE_S", "IDLE_S", "LOCK_AFTER", "LOCK_BASE_S", "LOCK_MAX_S", "Session",
           "lock_seconds", "login", "logout", "session_user"]

LOCK_AFTER = 5
LOCK_BASE_S = 30
LOCK_MAX_S = 3600
GUARD_KEEP_S = 24 * 3600  # failures older than this (and not locking now) are forgotten
IDLE_S = 30 * 60
ABSOLUTE_S = 12 * 3600
_TOUCH_EVERY_MS = 60_000  # last-seen writes at most once a minute per session

# verified against when the username is unknown, so both answers take as long
_DUMMY = hasher.hash(secrets.token_hex(16))


@dataclass(frozen=True)
class Session:
    """A live console session: whose, its CSRF token, and the hash that names it."""

    user: StaffUser
    csrf_token: str
    token_hash: str


def _now_ms(svc: Services) -> int:
    return int(svc.clock.now().timestamp() * 1000)


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def lock_seconds(failures: int) -> int:
    """How long a username is locked after ``failures`` consecutive failures (0: not)."""
    if failures < LOCK_AFTER:
        return 0
    return int(min(LOCK_MAX_S, LOCK_BASE_S * 2 ** (failures - LOCK_AFTER)))


def _verify(stored: str, password: str) -> bool:
    try:
        return bool(hasher.verify(stored, password))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def login(svc: Services, username: str, password: str, address: str | None) -> tuple[
        Session, str]:
    """Check a password and open a session: returns (session, cookie value).

    Raises LoginRefused: ``login_failed`` (wrong username or password, or a disabled user:
    one answer for all three) or ``locked_out`` (``.retry_after`` seconds), counted per
    username in the store.
    """
    username = username[:64]
    now = _now_ms(svc)
    # the refusals are raised after the transaction commits: the failure counts must stay
    with svc.engine.begin() as conn:
        refusal = None
        aq.purge_guards(conn, now - GUARD_KEEP_S * 1000, now)
        guard = aq.guard(conn, username)
        failures = 0 if guard is None else int(guard["failures"])
        locked_until = None if guard is None else guard["locked_until_ms"]
        row = aq.user_by_name(conn, username)
        if locked_until is not None and locked_until > now:
            audit.append(conn, now, username, "login.locked", None, "refused while locked",
                         address)
            refusal = LoginRefused("locked_out", "too many failed logins: try again later / "
                                   "登录失败次数过多，请稍后再试",
                                   retry_after=-(-(int(locked_until) - now) // 1000))
        elif not _verify(_DUMMY if row is None else str(row["password_hash"]), password) \
                or row is None or row["disabled_at_ms"] is not None:
            failures += 1
            lock = lock_seconds(failures)
            aq.set_guard(conn, username, failures, now, now + lock * 1000 if lock else None)
            audit.append(conn, now, username, "login.failed",
                         None, f"failure {failures}" + (f", locked {lock} s" if lock else ""),
                         address)
            refusal = LoginRefused("login_failed", "wrong username or password / "
                                   "用户名或密码错误")
        else:
            if guard is not None:
                aq.clear_guard(conn, username)
            if hasher.check_needs_rehash(str(row["password_hash"])):
                aq.update_user(conn, int(row["id"]), now, password_hash=hasher.hash(password))
            token = secrets.token_urlsafe(32)
            csrf = secrets.token_urlsafe(32)
            aq.add_session(conn, _hash_token(token), int(row["id"]), csrf, now,
                           now + ABSOLUTE_S * 1000)
            aq.purge_sessions(conn, now - ABSOLUTE_S * 1000)
            audit.append(conn, now, username, "login", None, "", address)
    if refusal is not None or row is None:
        raise refusal or LoginRefused("login_failed", "wrong username or password")
    return Session(StaffUser.from_row(row), csrf, _hash_token(token)), token


def session_user(svc: Services, token: str | None) -> Session | None:
    """The live session whose cookie value is ``token``, or None (unknown, revoked,
    idle too long, past its absolute expiry, or its user disabled)."""
    if not token or len(token) > 128:
        return None
    token_hash = _hash_token(token)
    now = _now_ms(svc)
    with svc.engine.connect() as conn:
        row = aq.session(conn, token_hash)
        if (row is None or row["revoked_at_ms"] is not None or row["expires_at_ms"] <= now
                or row["last_seen_ms"] + IDLE_S * 1000 <= now):
            return None
        user_row = aq.user_by_id(conn, int(row["user_id"]))
    if user_row is None or user_row["disabled_at_ms"] is not None:
        return None
    if now - int(row["last_seen_ms"]) >= _TOUCH_EVERY_MS:
        with svc.engine.begin() as conn:
            aq.touch_session(conn, token_hash, now)
    return Session(StaffUser.from_row(user_row), str(row["csrf_token"]), token_hash)


def logout(svc: Services, session: Session, address: str | None) -> None:
    """End ``session``."""
    now = _now_ms(svc)
    with svc.engine.begin() as conn:
        aq.revoke_session(conn, session.token_hash, now)
        audit.append(conn, now, session.user.username, "logout", None, "", address)
