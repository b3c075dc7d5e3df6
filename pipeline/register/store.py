"""The register: cases, steps, documents and the events trail, in SQL through SQLAlchemy Core.

SQLite by default (a PostgreSQL URL can replace it). Every change runs in one transaction
that also writes its event; on SQLite writers take the lock up front (BEGIN IMMEDIATE) so
two processes never interleave a read-then-write.
"""

from __future__ import annotations

import getpass
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    insert,
    select,
)
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DatabaseError, OperationalError

from pipeline.clock import now
from pipeline.errors import ArchiveNotFound, RegisterDamaged, SchemaTooNew

SCHEMA_VERSION = 6  # the last migration in pipeline/migrations/versions sets this
HEAD_REVISION = "0006"
MIGRATIONS = Path(__file__).parent / "migrations"

metadata = MetaData()


meta = Table(
    "meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

cases = Table(
    "cases",
    metadata,
    Column("id", String(16), primary_key=True),
    Column("year", Integer, nullable=False),
    Column("seq", Integer, nullable=False),
    Column("title", Text, nullable=False),
    Column("type", String(32), nullable=False),
    Column("level", String(16), nullable=False),
    Column("countries", Text, nullable=False),  # JSON list of ISO alpha-2 codes
    Column("division", Text, nullable=False),
    Column("source", String(16)),
    Column("received", Date, nullable=False),
    Column("file_ref", Text),
    Column("their_ref", Text),
    Column("status", String(16), nullable=False, index=True),
    Column("decision", String(8)),  # YA / TIDAK
    Column("negotiation_start", Date),
    Column("negotiation_days", Integer),
    Column("negotiation_venue", Text),
    Column("created_at", DateTime, nullable=False),
    Column("submitted", Date),  # the Minit Cerai went to top management (step 3's first moment)
    Column("submitted_by", Text),
    Column("withdrawn", Date),  # the case will not go on
    Column("security", String(16)),  # TERHAD, SULIT, RAHSIA ... printed on its documents
    Index("ix_cases_year_seq", "year", "seq", unique=True),
)

steps = Table(
    "steps",
    metadata,
    Column("case_id", String(16), ForeignKey("cases.id"), primary_key=True),
    Column("n", Integer, primary_key=True),
    Column("done", Date),
    Column("note", Text),
    Column("by", Text),
)

documents = Table(
    "documents",
    metadata,
    Column("id", String(16), primary_key=True),
    Column("case_id", String(16), ForeignKey("cases.id"), index=True),
    Column("step", Integer),
    Column("kind", String(16), nullable=False),  # instrument | correspondence | generated
    Column("name", Text, nullable=False),  # document key (generated) or original file name
    Column("version", Integer, nullable=False, default=1),
    Column("path", Text, nullable=False),  # relative to the archive
    Column("sha256", String(64), nullable=False, index=True),
    Column("size", Integer, nullable=False),
    Column("source", Text),  # where it came from (inbox path), to finish interrupted work
    Column("media", String(32)),
    Column("title", Text),
    Column("countries", Text),
    Column("type", String(32)),
    Column("level", String(16)),
    Column("language", String(8)),
    Column("signed_date", Date),
    Column("signed_place", Text),
    Column("method", String(16)),
    Column("ocr_path", Text),
    Column("ocr_sha256", String(64)),
    Column("filed_at", DateTime, nullable=False),
    Column("indexed", Boolean, nullable=False, default=False, index=True),  # in the search index
    Column("security", String(16)),  # the document's own marking, if not the case's
)

case_values = Table(
    "case_values",
    metadata,
    Column("case_id", String(16), ForeignKey("cases.id"), primary_key=True),
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
    Column("set_at", DateTime, nullable=False),
    Column("set_by", Text, nullable=False),
)

texts = Table(
    "texts",
    metadata,
    Column("doc_id", String(16), ForeignKey("documents.id"), primary_key=True),
    Column("text", Text, nullable=False),
)

events = Table(
    "events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime, nullable=False),
    Column("by", Text, nullable=False),
    Column("case_id", String(16), index=True),
    Column("doc_id", String(16)),
    Column("action", String(32), nullable=False),
    Column("note", Text),
)


users = Table(
    "users",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("role", String(16), nullable=False),  # admin | ab | division | clerk | reader
    Column("division", Text),  # a division officer's Division
    Column("password_hash", Text),
    Column("must_change", Boolean, nullable=False, default=False),  # a one-time password
    Column("disabled", Boolean, nullable=False, default=False),
    Column("failed_logins", Integer, nullable=False, default=0),
    Column("last_failed", DateTime),
    Column("last_login", DateTime),
    Column("created_at", DateTime, nullable=False),
    Column("session_epoch", Integer, nullable=False, default=0, server_default="0"),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),  # sha256 of the token
    Column("user", String(64), ForeignKey("users.name"), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("note", Text),
)


def current_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name in this environment (e.g. a container)
        return "unknown"


class Register:
    """A connection pool to one register, with write transactions that log an event."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine: Engine = create_engine(url)
        if self.engine.dialect.name == "sqlite":
            _configure_sqlite(self.engine)

    def create(self) -> None:
        """Create the tables of the current schema, or bring an older register up to it."""
        with self.write() as conn:
            empty = not sa_inspect(conn).has_table("meta")
            if empty:
                metadata.create_all(conn)
                conn.execute(insert(meta).values(key="schema_version", value=str(SCHEMA_VERSION)))
                _alembic(conn, "stamp")
        self.check_version()

    def check_version(self) -> None:
        """Refuse a register from a newer ika; upgrade one from an older ika in place."""
        version = self._version()
        if version > SCHEMA_VERSION:
            raise SchemaTooNew(
                f"the register was written by a newer version of ika (schema {version}, "
                f"this one knows {SCHEMA_VERSION}); upgrade ika"
            )
        if version < SCHEMA_VERSION:
            with self.write() as conn:  # the lock: a second process waits, then finds it done
                _alembic(conn, "upgrade")

    def _version(self) -> int:
        try:
            with self.read() as conn:
                value = conn.execute(
                    select(meta.c.value).where(meta.c.key == "schema_version")
                ).scalar()
        except OperationalError:
            raise ArchiveNotFound(
                f"the register at {self.url} has no tables; create it with `ika init`"
            ) from None
        except DatabaseError as exc:
            raise RegisterDamaged(
                f"the register at {self.url} cannot be read ({str(exc).splitlines()[0]})"
            ) from None
        try:
            return int(value or 0)
        except ValueError:
            raise RegisterDamaged(
                f"the register's schema version {value!r} is not a number; "
                "the register is damaged: restore it from a backup"
            ) from None

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One transaction: everything inside commits together or not at all."""
        with self.engine.connect().execution_options(ika_write=True) as conn, conn.begin():
            yield conn

    def dispose(self) -> None:
        self.engine.dispose()


def log_event(
    conn: Connection,
    action: str,
    *,
    by: str | None = None,
    case_id: str | None = None,
    doc_id: str | None = None,
    note: str | None = None,
) -> None:
    conn.execute(
        insert(events).values(
            at=now(),
            by=by or current_user(),
            case_id=case_id,
            doc_id=doc_id,
            action=action,
            note=note,
        )
    )


def _alembic(conn: Connection, action: str) -> None:
    """Run Alembic on `conn`: "stamp" a new register at the head revision, or "upgrade" an
    older one. A register of the first release has no alembic_version table: it is stamped
    at the baseline first. Alembic is imported only here, so opening a current archive
    costs nothing."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = conn
    if action == "stamp":
        command.stamp(cfg, HEAD_REVISION)
        return
    if not sa_inspect(conn).has_table("alembic_version"):
        command.stamp(cfg, "0001")
    command.upgrade(cfg, "head")


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn, _record) -> None:
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA busy_timeout = 30000")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = NORMAL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        write = conn.get_execution_options().get("ika_write")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")
