"""devices: the verified chain head when the device was revoked

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('devices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revoked_at_seq', sa.BigInteger(), nullable=True))
    # Devices revoked before this migration: their head now is the best record of it.
    op.execute("UPDATE devices SET revoked_at_seq = chain_seq WHERE revoked_at_ms IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table('devices', schema=None) as batch_op:
        batch_op.drop_column('revoked_at_seq')
