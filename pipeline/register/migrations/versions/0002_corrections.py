"""Step 3's two moments and withdrawn cases (schema version 2).

The Minit Cerai's submission to top management is recorded apart from the decision; a case
that will not go on is withdrawn on a date, its documents kept.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("submitted", sa.Date))
        batch.add_column(sa.Column("submitted_by", sa.Text))
        batch.add_column(sa.Column("withdrawn", sa.Date))
    # A decided case with no submission recorded counts it on the decision day (timeline).
    op.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
