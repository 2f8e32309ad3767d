"""initial schema

Revision ID: 0001
Revises: (none)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('alerts',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('employer_key', sa.String(length=128), nullable=False),
    sa.Column('employer_name', sa.Text(), nullable=False),
    sa.Column('claimants', sa.Integer(), nullable=False),
    sa.Column('case_ids', sa.Text(), nullable=False),
    sa.Column('window_start', sa.String(length=32), nullable=False),
    sa.Column('created_at_ms', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('employer_key', 'window_start', name='uq_alerts_group_window')
    )
    op.create_table('case_links',
    sa.Column('case_id', sa.String(length=64), nullable=False),
    sa.Column('other_case_id', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('decision', sa.String(length=16), nullable=False),
    sa.Column('created_at_ms', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('case_id', 'other_case_id')
    )
    op.create_table('cases',
    sa.Column('case_id', sa.String(length=64), nullable=False),
    sa.Column('record_id', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('station', sa.String(length=64), nullable=False),
    sa.Column('device_id', sa.String(length=40), nullable=False),
    sa.Column('receipt_code', sa.String(length=16), nullable=False),
    sa.Column('pin_verifier', sa.String(length=64), nullable=False),
    sa.Column('filed_at', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('record', sa.Text(), nullable=False),
    sa.Column('state', sa.Text(), nullable=False),
    sa.Column('person_key', sa.String(length=64), nullable=True),
    sa.Column('employer_key', sa.String(length=128), nullable=True),
    sa.Column('created_at_ms', sa.BigInteger(), nullable=False),
    sa.Column('updated_at_ms', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('case_id'),
    sa.UniqueConstraint('receipt_code'),
    sa.UniqueConstraint('record_id')
    )
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index('ix_cases_employer', ['employer_key'], unique=False)
        batch_op.create_index('ix_cases_person', ['person_key'], unique=False)

    op.create_table('changes',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('station', sa.String(length=64), nullable=False),
    sa.Column('type', sa.String(length=16), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('created_at_ms', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('changes', schema=None) as batch_op:
        batch_op.create_index('ix_changes_station_id', ['station', 'id'], unique=False)

    op.create_table('devices',
    sa.Column('device_id', sa.String(length=40), nullable=False),
    sa.Column('public_key', sa.String(length=64), nullable=False),
    sa.Column('station', sa.String(length=64), nullable=False),
    sa.Column('enrolled_at_ms', sa.BigInteger(), nullable=False),
    sa.Column('revoked_at_ms', sa.BigInteger(), nullable=True),
    sa.Column('chain_seq', sa.BigInteger(), nullable=False),
    sa.Column('chain_hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('device_id')
    )
    op.create_table('enroll_tokens',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('station', sa.String(length=64), nullable=False),
    sa.Column('created_at_ms', sa.BigInteger(), nullable=False),
    sa.Column('expires_at_ms', sa.BigInteger(), nullable=False),
    sa.Column('used_at_ms', sa.BigInteger(), nullable=True),
    sa.Column('device_id', sa.String(length=40), nullable=True),
    sa.PrimaryKeyConstraint('token_hash')
    )
    op.create_table('events',
    sa.Column('event_id', sa.String(length=64), nullable=False),
    sa.Column('case_id', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('hlc', sa.String(length=96), nullable=False),
    sa.Column('author', sa.String(length=64), nullable=False),
    sa.Column('data', sa.Text(), nullable=False),
    sa.Column('recorded_at_ms', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('event_id')
    )
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index('ix_events_case', ['case_id'], unique=False)

    op.create_table('inbox',
    sa.Column('record_id', sa.String(length=64), nullable=False),
    sa.Column('device_id', sa.String(length=40), nullable=False),
    sa.Column('station', sa.String(length=64), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('envelope_hash', sa.String(length=64), nullable=False),
    sa.Column('raw', sa.LargeBinary(), nullable=False),
    sa.Column('received_at_ms', sa.BigInteger(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('processed_at_ms', sa.BigInteger(), nullable=True),
    sa.PrimaryKeyConstraint('record_id')
    )
    with op.batch_alter_table('inbox', schema=None) as batch_op:
        batch_op.create_index('ix_inbox_device_seq', ['device_id', 'seq'], unique=False)
        batch_op.create_index('ix_inbox_state', ['state'], unique=False)

    op.create_table('nonces',
    sa.Column('device_id', sa.String(length=40), nullable=False),
    sa.Column('nonce', sa.String(length=64), nullable=False),
    sa.Column('seen_at_ms', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('device_id', 'nonce')
    )
    with op.batch_alter_table('nonces', schema=None) as batch_op:
        batch_op.create_index('ix_nonces_seen', ['seen_at_ms'], unique=False)

    op.create_table('rate_limits',
    sa.Column('bucket', sa.String(length=128), nullable=False),
    sa.Column('window_ms', sa.BigInteger(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('bucket', 'window_ms')
    )
    op.create_table('rejected',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('record_id', sa.String(length=64), nullable=True),
    sa.Column('device_id', sa.String(length=40), nullable=False),
    sa.Column('envelope_hash', sa.String(length=64), nullable=False),
    sa.Column('raw', sa.LargeBinary(), nullable=False),
    sa.Column('received_at_ms', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('device_id', 'envelope_hash', name='uq_rejected_bytes')
    )


def downgrade() -> None:
    op.drop_table('rejected')
    op.drop_table('rate_limits')
    with op.batch_alter_table('nonces', schema=None) as batch_op:
        batch_op.drop_index('ix_nonces_seen')

    op.drop_table('nonces')
    with op.batch_alter_table('inbox', schema=None) as batch_op:
        batch_op.drop_index('ix_inbox_state')
        batch_op.drop_index('ix_inbox_device_seq')

    op.drop_table('inbox')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index('ix_events_case')

    op.drop_table('events')
    op.drop_table('enroll_tokens')
    op.drop_table('devices')
    with op.batch_alter_table('changes', schema=None) as batch_op:
        batch_op.drop_index('ix_changes_station_id')

    op.drop_table('changes')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_person')
        batch_op.drop_index('ix_cases_employer')

    op.drop_table('cases')
    op.drop_table('case_links')
    op.drop_table('alerts')
