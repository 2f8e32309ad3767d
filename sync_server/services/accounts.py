"""Console accounts: staff users, their roles, station and password (argon2id).

The API other services call (stable):

* ``get_user(svc, username) -> StaffUser | None``
* ``require_user(svc, username) -> StaffUser`` — raises ``UnknownUser`` (code
  ``unknown_user``) or ``UserDisabled`` (``user_disabled``)
* ``StaffUser(id, username, roles, station_id, disabled)``; ``.author`` is the event author
  ``staff:<id>``; what a user may do is ``sync_server.domain.roles``.

Disabling a user, or changing its password or roles, ends its sessions (logins and sessions
are ``sync_server.services.sessions``). Users are disabled, never deleted. Every change is
appended to the audit log in the same transaction.

::

    AccountError            (ServerError and YizhanError) base; ``code`` is stable
    ├── UnknownUser         unknown_user
    ├── UserDisabled        user_disabled
    ├── BadAccountInput     bad_username, bad_role, bad_station, weak_password, username_taken
    └── LoginRefused        login_failed, locked_out (``retry_after`` seconds)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher

from shared._errors import EnrollmentTokenError, WeakPassphrase
from shared.enrollment import check_station
from shared.passphrase import check_passphrase
from sync_server.domain.roles import ROLE_IDS, unknown_roles
from sync_server.errors import ServerError
from sync_server.services import audit
from sync_server.services.core import Core
from sync_server.store import accounts as aq

__all__ = [
    "AccountError", "BadAccountInput", "LoginRefused", "StaffUser", "UnknownUser",
    "UserDisabled", "add_user", "check_new_user", "disable_user", "get_user", "list_users",
    "require_user", "set_password", "set_roles",
]

_USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")
hasher = PasswordHasher()  # argon2id; shared with sync_server.services.sessions


class AccountError(ServerError):
    """Base of the account errors; ``code`` is stable."""

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

    code = "bad_account_input"
    http_status = 422

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message, code)


class LoginRefused(AccountError):
    """A login is refused: ``login_failed`` or ``locked_out`` (``retry_after`` seconds)."""

    code = "login_refused"

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


def _now_ms(svc: Core) -> int:
    return int(svc.clock.now().timestamp() * 1000)


# -- the stable lookups ------------------------------------------------------------------

def get_user(svc: Core, username: str) -> StaffUser | None:
    """The user named ``username`` (disabled or not), or None."""
    with svc.engine.connect() as conn:
        row = aq.user_by_name(conn, username)
    return None if row is None else StaffUser.from_row(row)


def require_user(svc: Core, username: str) -> StaffUser:
    """The enabled user named ``username``.

    Raises UnknownUser (``unknown_user``) or UserDisabled (``user_disabled``).
    """
    user = get_user(svc, username)
    if user is None:
        raise UnknownUser(f"user {username!r}: no such console user (yizhan-server user list)")
    if user.disabled:
        raise UserDisabled(f"user {username!r} is disabled")
    return user


def list_users(svc: Core) -> list[StaffUser]:
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


def check_new_user(username: str, roles: list[str], station: str | None) -> str:
    """Check what ``add_user`` will be given before a password is asked for; returns the
    roles as stored. Raises BadAccountInput (bad_username, bad_role, bad_station)."""
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
    return joined


def add_user(svc: Core, username: str, roles: list[str], station: str | None,
             password: str, *, actor: str = "cli", address: str | None = None) -> StaffUser:
    """Create a user. Raises BadAccountInput (bad_username, bad_role, bad_station,
    weak_password, username_taken) naming the field at fault; nothing is stored then."""
    joined = check_new_user(username, roles, station)
    _strong(password, username)
    now = _now_ms(svc)
    with svc.engine.begin() as conn:
        if aq.user_by_name(conn, username) is not None:
            raise BadAccountInput("username_taken", f"user {username!r} already exists / "
                                  "用户名已存在")
        user_id = aq.add_user(conn, username, joined, station, hasher.hash(password), now)
        audit.append(conn, now, actor, "user.add", None,
                     f"{username} roles={joined} station={station or '-'}", address)
    return StaffUser(user_id, username, frozenset(joined.split(",")), station, False)


def disable_user(svc: Core, username: str, *, actor: str = "cli",
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


def set_password(svc: Core, username: str, password: str, *, actor: str = "cli",
                 address: str | None = None) -> StaffUser:
    """Set a new password, clear the lockout and end the user's sessions. Raises
    UnknownUser or BadAccountInput (weak_password)."""
    _strong(password, username)
    now = _now_ms(svc)
    with svc.engine.begin() as conn:
        row = aq.user_by_name(conn, username)
        if row is None:
            raise UnknownUser(f"user {username!r}: no such console user")
        aq.update_user(conn, int(row["id"]), now, password_hash=hasher.hash(password))
        aq.revoke_user_sessions(conn, int(row["id"]), now)
        aq.clear_guard(conn, username)
        audit.append(conn, now, actor, "user.passwd", None, username, address)
        row = aq.user_by_id(conn, int(row["id"]))
    return StaffUser.from_row(row)


def set_roles(svc: Core, username: str, roles: list[str], station: str | None, *,
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
