"""case_work gains kind, filed_at and employer_search (so the console's lists, counts and
pages read the projection alone, with indexes (filed_at, case_id) and (status)), backfilled
here; projection_dirty holds the cases whose projection is missing or outdated, so a list no
longer scans every case to find them (bench/console.py: 100,000 cases).

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

BATCH = 2000


def _search(employer_key: str | None, record_text: str) -> str:
    """Frozen copy of services.projection.employer_search."""
    try:
        record = json.loads(record_text)
    except ValueError:
        record = None
    employer = record.get("employer") if isinstance(record, dict) else None
    name = employer.get("name") if isinstance(employer, dict) else None
    return f"{employer_key or ''}\n{name.casefold() if isinstance(name, str) else ''}"


def upgrade() -> None:
    with op.batch_alter_table('case_work') as batch:
        batch.add_column(sa.Column('kind', sa.String(length=16), nullable=True))
        batch.add_column(sa.Column('filed_at', sa.String(length=32), nullable=True))
        batch.add_column(sa.Column('employer_search', sa.Text(), nullable=True))
    op.create_table(
        'projection_dirty',
        sa.Column('case_id', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('case_id'),
    )
    conn = op.get_bind()
    rows = conn.execute(sa.text(
        "SELECT c.case_id, c.kind, c.filed_at, c.employer_key, c.record FROM cases c "
        "JOIN case_work w ON w.case_id = c.case_id")).all()
    update = sa.text("UPDATE case_work SET kind = :k, filed_at = :f, employer_search = :e "
                     "WHERE case_id = :c")
    for start in range(0, len(rows), BATCH):
        conn.execute(update, [{"c": r[0], "k": r[1], "f": r[2], "e": _search(r[3], r[4])}
                              for r in rows[start:start + BATCH]])
    conn.execute(sa.text(
        "INSERT INTO projection_dirty (case_id) SELECT c.case_id FROM cases c "
        "LEFT JOIN case_work w ON w.case_id = c.case_id "
        "WHERE w.case_id IS NULL OR w.synced_ms <> c.updated_at_ms"))
    op.create_index('ix_case_work_filed', 'case_work', ['filed_at', 'case_id'], unique=False)
    op.create_index('ix_case_work_status', 'case_work', ['status'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_case_work_status', table_name='case_work')
    op.drop_index('ix_case_work_filed', table_name='case_work')
    op.drop_table('projection_dirty')
    with op.batch_alter_table('case_work') as batch:
        batch.drop_column('employer_search')
        batch.drop_column('filed_at')
        batch.drop_column('kind')
