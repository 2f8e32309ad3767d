"""cases(filed_at, case_id): the console's case lists read a page in filing order without
sorting every case; cases(case_id, updated_at_ms): the stale-projection check before each
list reads an index, not every case's large row (bench/console.py: 100,000 cases)

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_cases_filed', 'cases', ['filed_at', 'case_id'], unique=False)
    op.create_index('ix_cases_updated', 'cases', ['case_id', 'updated_at_ms'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_cases_updated', table_name='cases')
    op.drop_index('ix_cases_filed', table_name='cases')
