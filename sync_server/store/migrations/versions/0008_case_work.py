"""calendar_days (the working-day calendar) and case_work (the workqueues' projection)

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'calendar_days',
        sa.Column('day', sa.String(length=10), nullable=False),
        sa.Column('workday', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=64), nullable=True),
        sa.Column('source', sa.String(length=32), nullable=False),
        sa.Column('updated_by', sa.String(length=64), nullable=True),
        sa.Column('updated_at_ms', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('day'),
    )
    op.create_table(
        'case_work',
        sa.Column('case_id', sa.String(length=64), nullable=False),
        sa.Column('station', sa.String(length=64), nullable=False),
        sa.Column('status', sa.String(length=32), nullable=False),
        sa.Column('route', sa.String(length=16), nullable=True),
        sa.Column('assignee', sa.String(length=64), nullable=True),
        sa.Column('needs_materials', sa.Integer(), nullable=False),
        sa.Column('conflicts', sa.Integer(), nullable=False),
        sa.Column('duplicate_pending', sa.Integer(), nullable=False),
        sa.Column('agreed_unpaid', sa.Integer(), nullable=False),
        sa.Column('pending_extensions', sa.Integer(), nullable=False),
        sa.Column('next_clock', sa.String(length=32), nullable=True),
        sa.Column('due_on', sa.String(length=10), nullable=True),
        sa.Column('at_risk_on', sa.String(length=10), nullable=True),
        sa.Column('synced_ms', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('case_id'),
    )
    op.create_index('ix_case_work_station', 'case_work', ['station'])
    op.create_index('ix_case_work_assignee', 'case_work', ['assignee'])
    op.create_index('ix_case_work_due', 'case_work', ['due_on'])


def downgrade() -> None:
    op.drop_table('case_work')
    op.drop_table('calendar_days')
