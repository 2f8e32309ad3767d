"""county settings (public status address, PIN lock); receipt PIN reissue and lifetime lock

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'county_settings',
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('value', sa.Text(), nullable=False),
        sa.Column('updated_at_ms', sa.BigInteger(), nullable=False),
        sa.Column('updated_by', sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint('key'),
    )
    # receipt_guard (0004) already holds the lifetime wrong-PIN count and the lock time; a
    # reissue adds the new PIN's verifier (it wins over the one in the filed record).
    with op.batch_alter_table('receipt_guard', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pin_verifier', sa.String(length=128), nullable=True))
        batch_op.add_column(sa.Column('reissued_at_ms', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('reissued_by', sa.String(length=128), nullable=True))
        batch_op.add_column(sa.Column('reissues', sa.Integer(), nullable=False,
                                      server_default='0'))


def downgrade() -> None:
    with op.batch_alter_table('receipt_guard', schema=None) as batch_op:
        batch_op.drop_column('reissues')
        batch_op.drop_column('reissued_by')
        batch_op.drop_column('reissued_at_ms')
        batch_op.drop_column('pin_verifier')
    op.drop_table('county_settings')
