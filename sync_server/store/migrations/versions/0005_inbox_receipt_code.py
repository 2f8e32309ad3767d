"""quarantined records answer status lookups: the receipt code an inbox row's payload names

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('inbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('receipt_code', sa.String(length=16), nullable=True))
        batch_op.create_index('ix_inbox_receipt_code', ['receipt_code'])


def downgrade() -> None:
    with op.batch_alter_table('inbox', schema=None) as batch_op:
        batch_op.drop_index('ix_inbox_receipt_code')
        batch_op.drop_column('receipt_code')
