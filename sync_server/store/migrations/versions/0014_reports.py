"""reports: the indicators' projection (report_cases, report_payments), subsidy rates and
approvals (以案定补), and an index on cases.updated_at_ms so a report finds the cases changed
since it last looked without scanning them all (county settings: 0009)

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

S, B, N, T = sa.String, sa.BigInteger, sa.Integer, sa.Text


def upgrade() -> None:
    op.create_table(
        'report_cases',
        sa.Column('case_id', S(64), nullable=False),
        sa.Column('receipt_code', S(16), nullable=False),
        sa.Column('station', S(64), nullable=False),
        sa.Column('kind', S(16), nullable=False),
        sa.Column('matter_type', S(32), nullable=False),
        sa.Column('status', S(32), nullable=False),
        sa.Column('filed_day', S(10), nullable=False),
        sa.Column('visitor', S(72), nullable=False),
        sa.Column('merged', N(), nullable=False),
        sa.Column('workers', N(), nullable=False),
        sa.Column('accepted_on', S(10), nullable=True),
        sa.Column('mediation_on', S(10), nullable=True),
        sa.Column('settled_on', S(10), nullable=True),
        sa.Column('agreed_fen', B(), nullable=True),
        sa.Column('local', N(), nullable=False),
        sa.Column('grade', S(8), nullable=True),
        sa.Column('mediator', S(64), nullable=True),
        sa.Column('synced_ms', B(), nullable=False),
        sa.PrimaryKeyConstraint('case_id'),
    )
    op.create_index('ix_report_cases_filed', 'report_cases', ['filed_day'])
    for col in ('accepted', 'mediation', 'settled'):
        op.create_index(f'ix_report_cases_{col}', 'report_cases', [f'{col}_on'])
    op.create_index('ix_cases_updated_at', 'cases', ['updated_at_ms'])
    op.create_table(
        'report_payments',
        sa.Column('event_id', S(64), nullable=False),
        sa.Column('case_id', S(64), nullable=False),
        sa.Column('paid_on', S(10), nullable=False),
        sa.Column('fen', B(), nullable=False),
        sa.PrimaryKeyConstraint('event_id'),
    )
    op.create_index('ix_report_payments_paid', 'report_payments', ['paid_on'])
    op.create_index('ix_report_payments_case', 'report_payments', ['case_id'])
    op.create_table(
        'subsidy_rates',
        sa.Column('grade', S(8), nullable=False),
        sa.Column('rate_fen', B(), nullable=False),
        sa.Column('updated_by', S(64), nullable=False),
        sa.Column('updated_at_ms', B(), nullable=False),
        sa.PrimaryKeyConstraint('grade'),
    )
    op.create_table(
        'subsidy_approvals',
        sa.Column('id', N(), autoincrement=True, nullable=False),
        sa.Column('period_from', S(10), nullable=False),
        sa.Column('period_to', S(10), nullable=False),
        sa.Column('digest', S(64), nullable=False),
        sa.Column('approved_by', S(64), nullable=False),
        sa.Column('approved_at_ms', B(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )


def downgrade() -> None:
    op.drop_table('subsidy_approvals')
    op.drop_table('subsidy_rates')
    for name in ('ix_report_payments_case', 'ix_report_payments_paid'):
        op.drop_index(name, table_name='report_payments')
    op.drop_table('report_payments')
    op.drop_index('ix_cases_updated_at', table_name='cases')
    for col in ('settled', 'mediation', 'accepted'):
        op.drop_index(f'ix_report_cases_{col}', table_name='report_cases')
    op.drop_index('ix_report_cases_filed', table_name='report_cases')
    op.drop_table('report_cases')
