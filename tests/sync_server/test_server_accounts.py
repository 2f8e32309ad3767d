"""Console accounts on a real store (SQLite file and PostgreSQL): users, roles, lockout with
back-off, sessions (idle, absolute, revoked), argon2id rehash, and the append-only audit log."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher
from sqlalchemy import text

from shared.clock import ManualClock
from sync_server.config.settings import Settings
from sync_server.errors import StoreFault
from sync_server.services import accounts, audit, sessions
from sync_server.services.wiring import Services
from sync_server.store import accounts as aq
from tests.sync_server.server_kit import server_cli

PASSWORD = "correct horse battery staple"  # noqa: S105 - a test account


@pytest.fixture
def svc(server_settings: Settings, manual_clock: ManualClock) -> Iterator[Services]:
    s = Services.open(server_settings, manual_clock)
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def alice(svc: Services) -> accounts.StaffUser:
    return accounts.add_user(svc, "alice", ["triage", "mediator"], None, PASSWORD)


def test_add_get_require(svc: Services, alice: accounts.StaffUser) -> None:
    assert accounts.get_user(svc, "alice") == alice
    assert alice.roles == frozenset({"triage", "mediator"})
    assert alice.author == f"staff:{alice.id}"
    assert accounts.get_user(svc, "nobody") is None
    with pytest.raises(accounts.UnknownUser) as unknown:
        accounts.require_user(svc, "nobody")
    assert unknown.value.code == "unknown_user"
    accounts.disable_user(svc, "alice")
    with pytest.raises(accounts.UserDisabled) as disabled:
        accounts.require_user(svc, "alice")
    assert disabled.value.code == "user_disabled"


@pytest.mark.parametrize(("username", "roles", "station", "password", "code"), [
    ("Alice!", ["triage"], None, PASSWORD, "bad_username"),   # capitals and punctuation
    ("bob", ["county_boss"], None, PASSWORD, "bad_role"),      # not a role id
    ("bob", [], None, PASSWORD, "bad_role"),                   # no role at all
    ("bob", ["intake"], "S 1/../x", PASSWORD, "bad_station"),  # not a station id
    ("bob", ["intake"], None, "password1", "weak_password"),   # a common password
    ("bob", ["intake"], None, "bob12345", "weak_password"),    # the username in it
    ("alice", ["intake"], None, PASSWORD, "username_taken"),   # exists already
])
def test_add_refused(svc: Services, alice: accounts.StaffUser, username: str,
                     roles: list[str], station: str | None, password: str, code: str) -> None:
    with pytest.raises(accounts.BadAccountInput) as refused:
        accounts.add_user(svc, username, roles, station, password)
    assert refused.value.code == code
    assert [u.username for u in accounts.list_users(svc)] == ["alice"]


def test_login_and_session(svc: Services, alice: accounts.StaffUser,
                           manual_clock: ManualClock) -> None:
    session, cookie = sessions.login(svc, "alice", PASSWORD, "192.0.2.1")
    assert len(cookie) >= 43  # 256 bits, base64url
    found = sessions.session_user(svc, cookie)
    assert found is not None
    assert found.user == alice
    assert found.csrf_token == session.csrf_token
    with svc.engine.connect() as conn:  # only the SHA-256 of the cookie is stored
        assert conn.execute(text("SELECT count(*) FROM staff_sessions WHERE token_hash = :t"),
                            {"t": cookie}).scalar_one() == 0
    sessions.logout(svc, session, "192.0.2.1")
    assert sessions.session_user(svc, cookie) is None


def test_session_idle_and_absolute_expiry(svc: Services, alice: accounts.StaffUser,
                                          manual_clock: ManualClock) -> None:
    _, cookie = sessions.login(svc, "alice", PASSWORD, None)
    manual_clock.advance(sessions.IDLE_S - 1)
    assert sessions.session_user(svc, cookie) is not None  # and touched: idle starts again
    manual_clock.advance(sessions.IDLE_S - 1)
    assert sessions.session_user(svc, cookie) is not None
    manual_clock.advance(sessions.IDLE_S)
    assert sessions.session_user(svc, cookie) is None  # idle too long

    _, cookie = sessions.login(svc, "alice", PASSWORD, None)
    for _ in range(sessions.ABSOLUTE_S // (sessions.IDLE_S - 60)):
        manual_clock.advance(sessions.IDLE_S - 60)
        sessions.session_user(svc, cookie)
    manual_clock.advance(sessions.IDLE_S - 60)
    assert sessions.session_user(svc, cookie) is None  # active, but past its absolute expiry


@pytest.mark.parametrize("change", ["disable", "passwd", "roles"])
def test_sessions_end_on_account_change(svc: Services, alice: accounts.StaffUser,
                                        change: str) -> None:
    _, cookie = sessions.login(svc, "alice", PASSWORD, None)
    if change == "disable":
        accounts.disable_user(svc, "alice")
    elif change == "passwd":
        accounts.set_password(svc, "alice", "another quite long sentence")
    else:
        accounts.set_roles(svc, "alice", ["mediator"], None)
    assert sessions.session_user(svc, cookie) is None


def test_lockout_with_backoff(svc: Services, alice: accounts.StaffUser,
                              manual_clock: ManualClock) -> None:
    for _ in range(sessions.LOCK_AFTER):
        with pytest.raises(accounts.LoginRefused) as refused:
            sessions.login(svc, "alice", "wrong password here", None)
        assert refused.value.code == "login_failed"
    # locked: the right password is refused too
    with pytest.raises(accounts.LoginRefused) as locked:
        sessions.login(svc, "alice", PASSWORD, None)
    assert locked.value.code == "locked_out"
    assert locked.value.retry_after == sessions.LOCK_BASE_S
    manual_clock.advance(sessions.LOCK_BASE_S + 1)
    with pytest.raises(accounts.LoginRefused):  # one more failure: locked twice as long
        sessions.login(svc, "alice", "wrong password here", None)
    with pytest.raises(accounts.LoginRefused) as again:
        sessions.login(svc, "alice", PASSWORD, None)
    assert again.value.retry_after == 2 * sessions.LOCK_BASE_S
    manual_clock.advance(2 * sessions.LOCK_BASE_S + 1)
    sessions.login(svc, "alice", PASSWORD, None)  # a success clears the count
    with pytest.raises(accounts.LoginRefused) as fresh:
        sessions.login(svc, "alice", "wrong password here", None)
    assert fresh.value.code == "login_failed"


def test_unknown_and_disabled_users_get_the_same_answer(svc: Services,
                                                         alice: accounts.StaffUser) -> None:
    accounts.disable_user(svc, "alice")
    answers = set()
    for name, password in (("alice", PASSWORD), ("nobody", PASSWORD), ("alice", "x" * 12)):
        with pytest.raises(accounts.LoginRefused) as refused:
            sessions.login(svc, name, password, None)
        answers.add((refused.value.code, str(refused.value)))
    assert len(answers) == 1


def test_rehash_on_login_when_parameters_change(svc: Services) -> None:
    accounts.add_user(svc, "carol", ["intake"], None, PASSWORD)
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    with svc.engine.begin() as conn:
        aq.update_user(conn, 1, 0, password_hash=weak)
    sessions.login(svc, "carol", PASSWORD, None)
    with svc.engine.connect() as conn:
        stored = aq.user_by_name(conn, "carol")
    assert stored is not None
    assert stored["password_hash"] != weak
    assert stored["password_hash"].startswith("$argon2id$")
    assert not PasswordHasher().check_needs_rehash(stored["password_hash"])


def test_audit_log_is_append_only(svc: Services, alice: accounts.StaffUser) -> None:
    audit.record(svc, "alice", "identity.open", "ABCDEFGHJKM", "reason: phone call", "::1")
    entries = audit.entries(svc, case_code="ABCDEFGHJKM")
    assert [(e.actor, e.action) for e in entries] == [("alice", "identity.open")]
    for statement in ("UPDATE audit_log SET actor = 'someone'", "DELETE FROM audit_log"):
        with pytest.raises(StoreFault), svc.engine.begin() as conn:
            conn.execute(text(statement))
    assert len(audit.entries(svc)) == 2  # user.add + identity.open, unchanged


def test_user_cli_round_trip(server_settings: Settings) -> None:
    data = ["--data", str(server_settings.data_dir), "--db", server_settings.database_url]
    done = subprocess.run(["yizhan-server", "user", "add", "dora", "--role", "auditor,admin",
                           "--station", "S002", "--password-stdin", *data],
                          input=PASSWORD + "\n", capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    weak = subprocess.run(["yizhan-server", "user", "passwd", "dora", "--password-stdin",
                           *data], input="123456\n", capture_output=True, text=True,
                          check=False)
    assert weak.returncode == 1
    assert "password" in weak.stderr
    assert "密码" in weak.stderr
    assert '"station": "S002"' in server_cli("user", "list", "--json", *data).stdout
    server_cli("user", "disable", "dora", *data)
    assert "DISABLED" in server_cli("user", "list", *data).stdout
    log = server_cli("audit", "--user", "cli", "--since", "2020-01-01", *data).stdout
    assert "user.add" in log
    assert "user.disable" in log
    missing = server_cli("user", "disable", "nobody", *data, check=False)
    assert missing.returncode == 1
    assert "nobody" in missing.stderr


def test_old_failures_are_forgotten(svc: Services, alice: accounts.StaffUser,
                                    manual_clock: ManualClock) -> None:
    for _ in range(sessions.LOCK_AFTER - 1):
        with pytest.raises(accounts.LoginRefused):
            sessions.login(svc, "alice", "wrong password here", None)
    with pytest.raises(accounts.LoginRefused):
        sessions.login(svc, "x" * 200, "guessed usernames are cut to 64", None)
    manual_clock.advance(sessions.GUARD_KEEP_S + 1)
    with pytest.raises(accounts.LoginRefused) as refused:  # one failure, not the fifth
        sessions.login(svc, "alice", "wrong password here", None)
    assert refused.value.code == "login_failed"
    sessions.login(svc, "alice", PASSWORD, None)
    with svc.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM login_guard")).scalar_one() == 0
