"""Alembic environment: migrations run on the connection the register hands over, inside its
write transaction, so two processes opening an old archive at once upgrade it once."""

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
