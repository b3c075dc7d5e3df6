"""Alembic migrations of the register; `register.upgrade` runs them when an archive opens."""
