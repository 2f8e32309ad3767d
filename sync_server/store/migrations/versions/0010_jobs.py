"""jobs: postings, job seekers, the matching index, matches and placements (issue 16)

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'job_postings',
        sa.Column('posting_id', sa.String(40), primary_key=True),
        sa.Column('state', sa.String(16), nullable=False),
        sa.Column('employer_key', sa.String(128), nullable=False),
        sa.Column('name_key', sa.String(128), nullable=True),
        sa.Column('posting', sa.Text(), nullable=False),
        sa.Column('flags', sa.Text(), nullable=False),
        sa.Column('station', sa.String(64), nullable=False),
        sa.Column('created_by', sa.String(64), nullable=False),
        sa.Column('created_at_ms', sa.BigInteger(), nullable=False),
        sa.Column('updated_at_ms', sa.BigInteger(), nullable=False),
    )
    op.create_index('ix_job_postings_state', 'job_postings', ['state'])
    op.create_index('ix_job_postings_employer', 'job_postings', ['employer_key'])
    op.create_index('ix_job_postings_name', 'job_postings', ['name_key'])
    op.create_table(
        'job_seekers',
        sa.Column('person_key', sa.String(64), primary_key=True),
        sa.Column('profile', sa.Text(), nullable=False),
        sa.Column('updated_at_ms', sa.BigInteger(), nullable=False),
    )
    op.create_table(
        'job_terms',
        sa.Column('owner', sa.String(8), primary_key=True),
        sa.Column('term', sa.String(64), primary_key=True),
        sa.Column('owner_id', sa.String(64), primary_key=True),
    )
    op.create_table(
        'job_matches',
        sa.Column('posting_id', sa.String(40), primary_key=True),
        sa.Column('person_key', sa.String(64), primary_key=True),
        sa.Column('score', sa.Integer(), nullable=False),
        sa.Column('reasons', sa.Text(), nullable=False),
    )
    op.create_index('ix_job_matches_person', 'job_matches', ['person_key'])
    op.create_table(
        'job_placements',
        sa.Column('posting_id', sa.String(40), primary_key=True),
        sa.Column('person_key', sa.String(64), primary_key=True),
        sa.Column('receipt_code', sa.String(16), nullable=False),
        sa.Column('station', sa.String(64), nullable=False),
        sa.Column('outcome', sa.String(16), nullable=False),
        sa.Column('history', sa.Text(), nullable=False),
        sa.Column('created_at_ms', sa.BigInteger(), nullable=False),
        sa.Column('updated_at_ms', sa.BigInteger(), nullable=False),
        sa.Column('disputed_case_id', sa.String(64), nullable=True),
        sa.Column('disputed_at_ms', sa.BigInteger(), nullable=True),
    )
    op.create_index('ix_job_placements_person', 'job_placements', ['person_key'])


def downgrade() -> None:
    for table in ('job_placements', 'job_matches', 'job_terms', 'job_seekers',
                  'job_postings'):
        op.drop_table(table)
