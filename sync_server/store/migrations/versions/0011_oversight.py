"""oversight: alert lifecycle (认领 → 研判 → 处置 → 销号) with its steps, checklist versions,
device last seen

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision = '0011'
# Assigned number 0011 revises 0010 (jobs). Until the branches carrying 0009 and 0010 are
# merged, it follows the newest of them present, so the chain is whole either way.
down_revision = next(n for n in ('0010', '0009', '0008', '0007')
                     if any(Path(__file__).parent.glob(f'{n}_*.py')))
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('state', sa.String(length=16), nullable=False,
                                      server_default='open'))
        batch_op.add_column(sa.Column('state_by', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('state_at_ms', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('outcome', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('escalated_at_ms', sa.BigInteger(), nullable=True))
    op.create_table(
        'alert_steps',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('alert_id', sa.Integer(), nullable=False),
        sa.Column('step', sa.String(length=16), nullable=False),
        sa.Column('actor', sa.String(length=64), nullable=False),
        sa.Column('at_ms', sa.BigInteger(), nullable=False),
        sa.Column('note', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_alert_steps_alert', 'alert_steps', ['alert_id'])
    op.create_table(
        'checklist_versions',
        sa.Column('version', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('document', sa.Text(), nullable=False),
        sa.Column('created_at_ms', sa.BigInteger(), nullable=False),
        sa.Column('created_by', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('version'),
    )
    with op.batch_alter_table('devices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_seen_ms', sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('devices', schema=None) as batch_op:
        batch_op.drop_column('last_seen_ms')
    op.drop_table('checklist_versions')
    op.drop_index('ix_alert_steps_alert', table_name='alert_steps')
    op.drop_table('alert_steps')
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        for name in ('escalated_at_ms', 'outcome', 'state_at_ms', 'state_by', 'state'):
            batch_op.drop_column(name)
