"""status lookups: salted slow PIN verifiers, per-receipt wrong-PIN counts

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # "s1.<salt>.<hash>" (shared/receipt.py) is 69 characters; legacy hex is 64.
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.alter_column('pin_verifier', existing_type=sa.String(length=64),
                              type_=sa.String(length=128), existing_nullable=False)
    op.create_table(
        'pin_failures',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('receipt_code', sa.String(length=16), nullable=False),
        sa.Column('at_ms', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_pin_failures_code', 'pin_failures', ['receipt_code', 'at_ms'])
    op.create_index('ix_pin_failures_at', 'pin_failures', ['at_ms'])
    op.create_table(
        'receipt_guard',
        sa.Column('receipt_code', sa.String(length=16), nullable=False),
        sa.Column('wrong_total', sa.Integer(), nullable=False),
        sa.Column('last_wrong_ms', sa.BigInteger(), nullable=True),
        sa.Column('locked_at_ms', sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint('receipt_code'),
    )


def downgrade() -> None:
    op.drop_table('receipt_guard')
    op.drop_index('ix_pin_failures_at', table_name='pin_failures')
    op.drop_index('ix_pin_failures_code', table_name='pin_failures')
    op.drop_table('pin_failures')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.alter_column('pin_verifier', existing_type=sa.String(length=128),
                              type_=sa.String(length=64), existing_nullable=False)
