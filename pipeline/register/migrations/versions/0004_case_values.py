"""What the case knows, for its letters; security markings (schema version 4).

`case_values` keeps the values given once (the sender's reference and date, the embassy's
note, the meeting's date, venue, attendance and outcome ...) so every later document of the
case reuses them. A case, and a document, may carry a security marking (TERHAD, SULIT ...).

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_values",
        sa.Column("case_id", sa.String(16), sa.ForeignKey("cases.id"), primary_key=True),
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("set_at", sa.DateTime, nullable=False),
        sa.Column("set_by", sa.Text, nullable=False),
    )
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("security", sa.String(16)))
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("security", sa.String(16)))
    op.execute("UPDATE meta SET value = '4' WHERE key = 'schema_version'")
