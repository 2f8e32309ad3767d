"""Console accounts: staff users, passwords, login with lockout, server-side sessions.

The API other services call (stable):

* ``get_user(svc, username) -> StaffUser | None``
* ``require_user(svc, username) -> StaffUser`` — raises ``UnknownUser`` (code
  ``unknown_user``) or ``UserDisabled`` (``user_disabled``)
* ``StaffUser(id, username, roles, station_id, disabled)``; ``.author`` is the event author
  ``staff:<id>``; what a user may do is ``sync_server.domain.roles``.

Passwords are argon2id (argon2-cffi's defaults, RFC 9106's second recommendation); a hash
made under other parameters is replaced at the next successful login. Failed logins are
counted per username in the store (so every ``serve`` process agrees): from
``LOCK_AFTER`` consecutive failures the username is locked for ``LOCK_BASE_S`` seconds,
doubling with each further failure up to ``LOCK_MAX_S``; while locked even the right
password is refused. Failures a day old on a username not locked now are forgotten.
A session cookie is 256 random bits, of which only the SHA-256 is stored; sessions end
on logout, after ``IDLE_S`` idle or ``ABSOLUTE_S`` in all, and when the user is disabled,
changes password or roles.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from shared._errors import EnrollmentTokenError, WeakPassphrase, YizhanError
from shared.enrollment import check_station
from shared.passphrase import check_passphrase
from sync_server.domain.roles import ROLE_IDS, unknown_roles
from sync_server.errors import ServerError
from sync_server.services import audit
from sync_server.services.wiring import Services
from sync_server.store import accounts as aq

__all__ = [
    "AccountError", "BadAccountInput", "LoginRefused", "Session", "StaffUser", "UnknownUser",
    "UserDisabled", "add_user", "disable_user", "get_user", "list_users", "login", "logout",
    "require_user", "session_user", "set_password", "set_roles",
]

LOCK_AFTER = 5
LOCK_BASE_S = 30
LOCK_MAX_S = 3600
GUARD_KEEP_S = 24 * 3600  # failures older than this (and not locking now) are forgotten
IDLE_S = 30 * 60
ABSOLUTE_S = 12 * 3600
_TOUCH_EVERY_MS = 60_000  # last-seen writes at most once a minute per session

_USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")
_hasher = PasswordHasher()
# verified against when the username is unknown, so both answers take as long
_DUMMY = _hasher.hash(secrets.token_hex(16))


class AccountError(ServerError, YizhanError):
    """Base of the account errors; ``code`` is stable. (Both roots: ServerError is being
    moved under YizhanError; until then the CLI catches ServerError.)"""

    code = "account_error"

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code


class UnknownUser(AccountError):
    """No console user has that username."""

    code = "unknown_user"


class UserDisabled(AccountError):
    """The user exists but is disabled."""

    code = "user_disabled"


class BadAccountInput(AccountError):
    """A username, role, station or password given to an admin command is refused;
    ``code`` says which (bad_username, bad_role, bad_station, weak_password,
    username_taken) and the message names the field."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message, code)


class LoginRefused(AccountError):
    """A login is refused: ``login_failed`` or ``locked_out`` (``retry_after`` seconds)."""

    def __init__(self, code: str, message: str, retry_after: int = 0) -> None:
        super().__init__(message, code)
        self.retry_after = retry_after


@dataclass(frozen=True)
class StaffUser:
    """A console user as the services see it (never the password hash)."""

    id: int
    username: str
    roles: frozenset[str]
    station_id: str | None
    disabled: bool

    @property
    def author(self) -> str:
        """The author recorded on case events this user makes."""
        return f"staff:{self.id}"

    @classmethod
    def from_row(cls, row: Any) -> StaffUser:
        return cls(int(row["id"]), str(row["username"]),
                   frozenset(r for r in str(row["roles"]).split(",") if r),
                   row["station"], row["disabled_at_ms"] is not None)

    def to_wire(self) -> dict[str, Any]:
        return {"id": self.id, "username": self.username, "roles": sorted(self.roles),
                "station": self.station_id, "disabled": self.disabled}


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


# -- the stable lookups ------------------------------------------------------------------

def get_user(svc: Services, username: str) -> StaffUser | None:
    """The user named ``username`` (disabled or not), or None."""
    with svc.engine.connect() as conn:
        row = aq.user_by_name(conn, username)
    return None if row is None else StaffUser.from_row(row)


def require_user(svc: Services, username: str) -> StaffUser:
    """The enabled user named ``username``.

    Raises UnknownUser (``unknown_user``) or UserDisabled (``user_disabled``).
    """
    user = get_user(svc, username)
    if user is None:
        raise UnknownUser(f"user {username!r}: no such console user (yizhan-server user list)")
    if user.disabled:
        raise UserDisabled(f"user {username!r} is disabled")
    return user


def list_users(svc: Services) -> list[StaffUser]:
    """Every user, by username."""
    with svc.engine.connect() as conn:
        return [StaffUser.from_row(r) for r in aq.users(conn)]


# -- administration ----------------------------------------------------------------------

def _check_roles(roles: list[str]) -> str:
    if not roles:
        raise BadAccountInput("bad_role", "--role: at least one role is required / "
                              "至少需要一个角色")
    bad = unknown_roles(roles)
    if bad:
        raise BadAccountInput("bad_role", f"--role: unknown role {bad[0]!r}; roles are "
                              f"{', '.join(sorted(ROLE_IDS))} / 未知角色")
    return ",".join(sorted(set(roles)))


def _strong(password: str, username: str) -> None:
    try:
        check_passphrase(password, [username, "yizhan", "county", "console"])
    except WeakPassphrase as exc:
        raise BadAccountInput("weak_password", f"password: {exc.en} / 密码：{exc.zh}") from None


def add_user(svc: Services, username: str, roles: list[str], station: str | None,
             password: str, *, actor: str = "cli", address: str | None = None) -> StaffUser:
    """Create a user. Raises BadAccountInput (bad_username, bad_role, bad_station,
    weak_password, username_taken) naming the field at fault; nothing is stored then."""
    if not _USERNAME.fullmatch(username):
        raise BadAccountInput("bad_username", f"username {username!r}: 2-64 characters of "
                              "a-z, 0-9, '.', '_', '-', starting with a letter or digit / "
                              "用户名只能包含小写字母、数字和 . _ -")
    joined = _check_roles(roles)
    if station is not None:
        try:
            check_station(station)
        except EnrollmentTokenError as exc:
            raise BadAccountInput("bad_station", f"--station {exc}") from None
    _strong(password, username)
    now = _now_ms(svc)
    with svc.engine.begin() as conn:
        if aq.user_by_name(conn, username) is not None:
            raise BadAccountInput("username_taken", f"user {username!r} already exists / "
                                  "用户名已存在")
        user_id = aq.add_user(conn, username, joined, station, _hasher.hash(password), now)
        audit.append(conn, now, actor, "user.add", None,
                     f"{username} roles={joined} station={station or '-'}", address)
    return StaffUser(user_id, username, frozenset(joined.split(",")), station, False)


def disable_user(svc: Services, username: str, *, actor: str = "cli",
                 address: str | None = None) -> StaffUser:
    """Disable a user and end its sessions. Raises UnknownUser."""
    now = _now_ms(svc)
    with svc.engine.begin() as conn:
        row = aq.user_by_name(conn, username)
        if row is None:
            raise UnknownUser(f"user {username!r}: no such console user")
        if row["disabled_at_ms"] is None:
            aq.update_user(conn, int(row["id"]), now, disabled_at_ms=now)
        aq.revoke_user_sessions(conn, int(row["id"]), now)
        audit.append(conn, now, actor, "user.disable", None, username, address)
        row = aq.user_by_id(conn, int(row["id"]))
    return StaffUser.from_row(row)


def set_password(svc: Services, username: str, password: str, *, actor: str = "cli",
                 address: str | None = None) -> StaffUser:
    """Set a new password, clear the lockout and end the user's sessions. Raises
    UnknownUser or BadAccountInput (weak_password)."""
    _strong(password, username)
    now = _now_ms(svc)
    with svc.engine.begin() as conn:
        row = aq.user_by_name(conn, username)
        if row is None:
            raise UnknownUser(f"user {username!r}: no such console user")
        aq.update_user(conn, int(row["id"]), now, password_hash=_hasher.hash(password))
        aq.revoke_user_sessions(conn, int(row["id"]), now)
        aq.clear_guard(conn, username)
        audit.append(conn, now, actor, "user.passwd", None, username, address)
        row = aq.user_by_id(conn, int(row["id"]))
    return StaffUser.from_row(row)


def set_roles(svc: Services, username: str, roles: list[str], station: str | None, *,
              actor: str = "cli", address: str | None = None) -> StaffUser:
    """Replace a user's roles and station and end its sessions (their pages were decided
    under the old roles). Raises UnknownUser or BadAccountInput."""
    joined = _check_roles(roles)
    now = _now_ms(svc)
    with svc.engine.begin() as conn:
        row = aq.user_by_name(conn, username)
        if row is None:
            raise UnknownUser(f"user {username!r}: no such console user")
        aq.update_user(conn, int(row["id"]), now, roles=joined, station=station)
        aq.revoke_user_sessions(conn, int(row["id"]), now)
        audit.append(conn, now, actor, "user.roles", None,
                     f"{username} roles={joined} station={station or '-'}", address)
        row = aq.user_by_id(conn, int(row["id"]))
    return StaffUser.from_row(row)


# -- login and sessions ------------------------------------------------------------------

def lock_seconds(failures: int) -> int:
    """How long a username is locked after ``failures`` consecutive failures (0: not)."""
    if failures < LOCK_AFTER:
        return 0
    return int(min(LOCK_MAX_S, LOCK_BASE_S * 2 ** (failures - LOCK_AFTER)))


def _verify(stored: str, password: str) -> bool:
    try:
        return bool(_hasher.verify(stored, password))
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
            if _hasher.check_needs_rehash(str(row["password_hash"])):
                aq.update_user(conn, int(row["id"]), now, password_hash=_hasher.hash(password))
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
