"""The register as the first release wrote it (schema version 1).

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "meta",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    op.create_table(
        "cases",
        sa.Column("id", sa.String(16), primary_key=True),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("countries", sa.Text, nullable=False),
        sa.Column("division", sa.Text, nullable=False),
        sa.Column("source", sa.String(16)),
        sa.Column("received", sa.Date, nullable=False),
        sa.Column("file_ref", sa.Text),
        sa.Column("their_ref", sa.Text),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("decision", sa.String(8)),
        sa.Column("negotiation_start", sa.Date),
        sa.Column("negotiation_days", sa.Integer),
        sa.Column("negotiation_venue", sa.Text),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_cases_year_seq", "cases", ["year", "seq"], unique=True)
    op.create_table(
        "steps",
        sa.Column("case_id", sa.String(16), sa.ForeignKey("cases.id"), primary_key=True),
        sa.Column("n", sa.Integer, primary_key=True),
        sa.Column("done", sa.Date),
        sa.Column("note", sa.Text),
        sa.Column("by", sa.Text),
    )
    op.create_table(
        "documents",
        sa.Column("id", sa.String(16), primary_key=True),
        sa.Column("case_id", sa.String(16), sa.ForeignKey("cases.id"), index=True),
        sa.Column("step", sa.Integer),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False, index=True),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("source", sa.Text),
        sa.Column("media", sa.String(32)),
        sa.Column("title", sa.Text),
        sa.Column("countries", sa.Text),
        sa.Column("type", sa.String(32)),
        sa.Column("level", sa.String(16)),
        sa.Column("language", sa.String(8)),
        sa.Column("signed_date", sa.Date),
        sa.Column("signed_place", sa.Text),
        sa.Column("method", sa.String(16)),
        sa.Column("ocr_path", sa.Text),
        sa.Column("ocr_sha256", sa.String(64)),
        sa.Column("filed_at", sa.DateTime, nullable=False),
        sa.Column("indexed", sa.Boolean, nullable=False, index=True),
    )
    op.create_table(
        "texts",
        sa.Column("doc_id", sa.String(16), sa.ForeignKey("documents.id"), primary_key=True),
        sa.Column("text", sa.Text, nullable=False),
    )
    op.create_table(
        "events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("by", sa.Text, nullable=False),
        sa.Column("case_id", sa.String(16), index=True),
        sa.Column("doc_id", sa.String(16)),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("note", sa.Text),
    )
    op.execute("INSERT INTO meta (key, value) VALUES ('schema_version', '1')")
