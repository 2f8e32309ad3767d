"""console: staff users, login guard, sessions and the append-only audit log

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

_REFUSE = "audit_log is append-only"


def upgrade() -> None:
    op.create_table(
        'staff_users',
        sa.Column('id', sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column('username', sa.String(length=64), nullable=False),
        sa.Column('roles', sa.String(length=256), nullable=False),
        sa.Column('station', sa.String(length=64), nullable=True),
        sa.Column('password_hash', sa.String(length=256), nullable=False),
        sa.Column('disabled_at_ms', sa.BigInteger(), nullable=True),
        sa.Column('created_at_ms', sa.BigInteger(), nullable=False),
        sa.Column('updated_at_ms', sa.BigInteger(), nullable=False),
        sa.UniqueConstraint('username'),
    )
    op.create_table(
        'login_guard',
        sa.Column('username', sa.String(length=64), primary_key=True),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('last_failure_ms', sa.BigInteger(), nullable=False),
        sa.Column('locked_until_ms', sa.BigInteger(), nullable=True),
    )
    op.create_table(
        'staff_sessions',
        sa.Column('token_hash', sa.String(length=64), primary_key=True),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('csrf_token', sa.String(length=64), nullable=False),
        sa.Column('created_at_ms', sa.BigInteger(), nullable=False),
        sa.Column('last_seen_ms', sa.BigInteger(), nullable=False),
        sa.Column('expires_at_ms', sa.BigInteger(), nullable=False),
        sa.Column('revoked_at_ms', sa.BigInteger(), nullable=True),
    )
    op.create_index('ix_staff_sessions_user', 'staff_sessions', ['user_id'])
    op.create_table(
        'audit_log',
        sa.Column('id', sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column('at_ms', sa.BigInteger(), nullable=False),
        sa.Column('actor', sa.String(length=64), nullable=False),
        sa.Column('action', sa.String(length=64), nullable=False),
        sa.Column('case_code', sa.String(length=16), nullable=True),
        sa.Column('detail', sa.Text(), nullable=False),
        sa.Column('address', sa.String(length=64), nullable=True),
    )
    op.create_index('ix_audit_log_at', 'audit_log', ['at_ms'])
    op.create_index('ix_audit_log_actor', 'audit_log', ['actor', 'at_ms'])
    op.create_index('ix_audit_log_case', 'audit_log', ['case_code', 'at_ms'])
    # Never editable: the database itself refuses UPDATE and DELETE on the audit log.
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE FUNCTION audit_log_refuse() RETURNS trigger LANGUAGE plpgsql AS "
                   f"$$ BEGIN RAISE EXCEPTION '{_REFUSE}'; END $$")
        op.execute("CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
                   "FOR EACH ROW EXECUTE FUNCTION audit_log_refuse()")
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER audit_log_no_{verb.lower()} BEFORE {verb} ON "
                       f"audit_log BEGIN SELECT RAISE(ABORT, '{_REFUSE}'); END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS audit_log_refuse()")
    op.drop_table('audit_log')
    op.drop_table('staff_sessions')
    op.drop_table('login_guard')
    op.drop_table('staff_users')
