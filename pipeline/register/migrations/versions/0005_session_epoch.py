"""Web sessions can be ended on the server (schema version 5).

A user's sessions carry the account's session epoch; logging out or changing the password
moves it on, so a copied session cookie stops working at once.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("session_epoch", sa.Integer, nullable=False, server_default="0")
        )
    op.execute("UPDATE meta SET value = '5' WHERE key = 'schema_version'")
