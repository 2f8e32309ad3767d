"""visits: queue tickets reaching the county as sealed ``visit`` records (issue 14)

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'visits',
        sa.Column('record_id', sa.String(length=64), nullable=False),
        sa.Column('device_id', sa.String(length=40), nullable=False),
        sa.Column('station', sa.String(length=64), nullable=False),
        sa.Column('ticket', sa.String(length=8), nullable=False),
        sa.Column('service_date', sa.String(length=10), nullable=False),
        sa.Column('taken_at', sa.String(length=32), nullable=False),
        sa.Column('matter_type', sa.String(length=32), nullable=True),
        sa.Column('linked_receipt', sa.String(length=16), nullable=True),
        sa.Column('person_key', sa.String(length=64), nullable=True),
        sa.Column('filed_at_ms', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('record_id'),
    )
    op.create_index('ix_visits_taken', 'visits', ['taken_at'])


def downgrade() -> None:
    op.drop_index('ix_visits_taken', table_name='visits')
    op.drop_table('visits')
