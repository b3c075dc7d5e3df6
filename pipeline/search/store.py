"""The index directory: generations, the pointer to the live one, locks, and opening it.

Layout of an index directory (``archive/index``)::

    CURRENT          {"generation": "gen-000003", "schema": 2}: the live generation, replaced
                     atomically (write a temp file, fsync, os.replace)
    gen-000003/      a plain Whoosh index
    BUILDING         present while a rebuild fills the next generation
    pending.jsonl    documents added or deleted while a rebuild runs, replayed into the new
                     generation before it goes live (see `writer`)
    .lock            flock: writers hold it shared per batch, a rebuild exclusive for a moment
    .rebuild.lock    flock: held by a running rebuild for its whole length

Why generations: a rebuild writes a whole new index beside the live one and then swaps one small
pointer file, so searches keep working during the rebuild and never see a half-built index.
Readers take no lock (Whoosh readers are snapshots); writers of one generation take turns on
Whoosh's own WRITELOCK, retried with backoff for up to `LOCK_WAIT` seconds.
"""

from __future__ import annotations

import contextlib
import gc
import json
import logging
import os
import random
import re
import threading
import time
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from whoosh.filedb.filestore import FileStorage

from pipeline.errors import IndexError_

from .schema import SCHEMA, SCHEMA_VERSION

try:  # POSIX; elsewhere writers still take turns through Whoosh's own lock
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

__all__ = ["LOCK_WAIT", "Damaged", "Index", "open_index", "open_whoosh", "read_current_quiet"]

log = logging.getLogger(__name__)

#: Seconds a writer waits for another writer before giving up.
LOCK_WAIT = 30.0

CURRENT = "CURRENT"
BUILDING = "BUILDING"
JOURNAL = "pending.jsonl"
LOCK = ".lock"
REBUILD_LOCK = ".rebuild.lock"
_OURS = {LOCK, REBUILD_LOCK, JOURNAL + ".lock"}
_GEN_RE = re.compile(r"^gen-(\d{6})$")


@dataclass
class Index:
    """An open generation of the index.

    `created` is True when this call made a new, empty index; `recreated` when an existing
    one was damaged, unreadable or of an older schema and was moved aside to `moved_to`: the
    caller should then reindex.
    """

    dir: Path
    generation: Path
    ix: Any
    created: bool = False
    recreated: bool = False
    moved_to: Path | None = None
    reason: str | None = None

    def doc_count(self) -> int:
        return self.ix.doc_count()


class Damaged(Exception):
    """The live generation (or its pointer) cannot be used."""


@contextlib.contextmanager
def flock(path: Path, *, exclusive: bool, timeout: float | None = LOCK_WAIT) -> Iterator[None]:
    """Hold an flock on `path`, waiting up to `timeout` seconds (None: forever)."""
    if fcntl is None:  # pragma: no cover
        yield
        return
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        mode = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
        if timeout is None:
            fcntl.flock(fd, mode)
        else:
            deadline = time.monotonic() + timeout
            delay = 0.01
            while True:
                try:
                    fcntl.flock(fd, mode | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise IndexError_(
                            f"the search index at {path.parent} stayed locked for "
                            f"{timeout:.0f} s; try again"
                        ) from None
                    time.sleep(delay * (0.5 + random.random()))
                    delay = min(delay * 2, 0.5)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def rebuild_running(index_dir: Path) -> bool:
    """True while some process holds the rebuild lock."""
    if fcntl is None:  # pragma: no cover
        return (index_dir / BUILDING).exists()
    path = index_dir / REBUILD_LOCK
    if not path.exists():
        return False
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def write_json(path: Path, data: Mapping[str, Any]) -> None:
    """Replace `path` atomically and durably."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(data, fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    with contextlib.suppress(OSError):
        dfd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)


def write_current(index_dir: Path, gen_dir: Path) -> None:
    """Make `gen_dir` the live generation."""
    write_json(index_dir / CURRENT, {"generation": gen_dir.name, "schema": SCHEMA_VERSION})


def read_current(index_dir: Path) -> str | None:
    """The live generation's name; None when there is none; Damaged when unreadable."""
    try:
        raw = (index_dir / CURRENT).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise Damaged(f"CURRENT unreadable: {exc}") from None
    try:
        data = json.loads(raw)
        name = data["generation"]
        schema = data["schema"]
    except (ValueError, KeyError, TypeError):
        raise Damaged("CURRENT is not valid") from None
    if not isinstance(name, str) or not _GEN_RE.match(name):
        raise Damaged("CURRENT names no generation")
    if schema != SCHEMA_VERSION:
        raise Damaged(f"index schema {schema} is not the current {SCHEMA_VERSION}")
    return name


def read_current_quiet(index_dir: Path) -> str | None:
    """The live generation's name, or None when there is none or it cannot be read."""
    try:
        return read_current(index_dir)
    except Damaged:
        return None


def read_building(index_dir: Path) -> str | None:
    """The generation a rebuild is filling, if any."""
    try:
        data = json.loads((index_dir / BUILDING).read_text(encoding="utf-8"))
        name = data["generation"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return name if isinstance(name, str) and _GEN_RE.match(name) else None


def open_whoosh(gen_dir: Path) -> Any:
    """The Whoosh index of one generation, its files read as files.

    Not memory-mapped: Whoosh copies each mapped part of a segment into memory when it opens
    a reader (the whole index, 100-500 MB, at every open); read as files, opening costs a few
    milliseconds and the operating system's cache does the rest.
    """
    return FileStorage(str(gen_dir), supports_mmap=False).open_index(schema=SCHEMA)


def open_generation(gen_dir: Path) -> Any:
    """Open one generation and touch its reader, so damage shows now rather than later.

    Whoosh leaves the table-of-contents file open when it cannot parse it; the traceback is
    dropped, and that one ResourceWarning silenced, before the damage is reported.
    """
    if not gen_dir.is_dir():
        raise FileNotFoundError(gen_dir)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        try:
            ix = open_whoosh(gen_dir)
            with ix.reader() as reader:
                reader.doc_count()
            return ix
        except Exception as exc:  # whoosh raises many kinds on a damaged index
            problem = f"{gen_dir.name}: {type(exc).__name__}: {exc}"
        gc.collect()
    raise Damaged(problem)


def create_generation(index_dir: Path) -> Path:
    """A new, empty generation after the highest there is."""
    numbers = [int(m.group(1)) for p in index_dir.iterdir() if (m := _GEN_RE.match(p.name))]
    gen_dir = index_dir / f"gen-{max(numbers, default=0) + 1:06d}"
    gen_dir.mkdir()
    FileStorage(str(gen_dir)).create_index(SCHEMA)
    return gen_dir


def clean_stale(index_dir: Path) -> None:
    """Remove what a crashed rebuild left: BUILDING, the journal, unused generations."""
    import shutil

    current = read_current_quiet(index_dir)
    for name in (BUILDING, JOURNAL):
        with contextlib.suppress(FileNotFoundError):
            (index_dir / name).unlink()
    for p in index_dir.iterdir():
        if _GEN_RE.match(p.name) and p.name != current:
            shutil.rmtree(p, ignore_errors=True)


def _move_aside(index_dir: Path) -> Path | None:
    """Move everything but our lock files to a sibling `<name>.damaged-<time>` directory."""
    entries = [p for p in index_dir.iterdir() if p.name not in _OURS]
    if not entries:
        return None
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = index_dir.parent / f"{index_dir.name}.damaged-{stamp}"
    n = 1
    while target.exists():
        n += 1
        target = index_dir.parent / f"{index_dir.name}.damaged-{stamp}-{n}"
    target.mkdir()
    for entry in entries:
        entry.rename(target / entry.name)
    return target


def try_open_current(index_dir: Path) -> Index | None:
    """Open the live generation, retrying while a concurrent swap is under way."""
    last: Exception | None = None
    for _ in range(5):
        name = read_current(index_dir)
        if name is None:
            return None
        try:
            ix = open_generation(index_dir / name)
        except Exception as exc:  # whoosh raises many kinds on a damaged index
            last = exc
            if read_current(index_dir) == name:
                time.sleep(0.05)
            continue
        return Index(index_dir, index_dir / name, ix)
    raise Damaged(f"generation cannot be opened: {last!r}")


def open_index(index_dir: Path) -> Index:
    """Open the index, creating it if missing.

    A damaged, unreadable or outdated index is moved aside and replaced by an empty one:
    nothing fatal is raised, the returned `Index` says `recreated=True` (and it is logged), and
    the caller reindexes. Only an unusable directory (permissions, disk) raises IndexError_.
    """
    index_dir = Path(index_dir)
    try:
        if index_dir.exists() and not index_dir.is_dir():
            aside = index_dir.with_name(
                f"{index_dir.name}.damaged-{time.strftime('%Y%m%d-%H%M%S')}"
            )
            index_dir.rename(aside)
        index_dir.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(Damaged):
            opened = try_open_current(index_dir)
            if opened is not None:
                return opened
        with flock(index_dir / LOCK, exclusive=True, timeout=LOCK_WAIT * 2):
            reason = None
            try:
                opened = try_open_current(index_dir)
                if opened is not None:
                    return opened
            except Damaged as exc:
                reason = str(exc)
            foreign = [p for p in index_dir.iterdir() if p.name not in _OURS]
            moved_to = None
            if foreign and not rebuild_running(index_dir):
                reason = reason or "no CURRENT pointer: not an IKA index"
                moved_to = _move_aside(index_dir)
                log.warning(
                    "search index at %s was unusable (%s); moved aside to %s and recreated "
                    "empty: run `ika reindex`",
                    index_dir,
                    reason,
                    moved_to,
                )
            gen_dir = create_generation(index_dir)
            write_current(index_dir, gen_dir)
            ix = open_generation(gen_dir)
            return Index(
                index_dir,
                gen_dir,
                ix,
                created=True,
                recreated=moved_to is not None,
                moved_to=moved_to,
                reason=reason if moved_to is not None else None,
            )
    except OSError as exc:
        raise IndexError_(f"cannot use the search index at {index_dir}: {exc}") from exc
