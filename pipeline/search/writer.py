"""Writing the index: add, replace and delete documents; rebuild a whole new generation.

Writers of the live generation hold the directory's lock shared for one batch and take turns
on Whoosh's own lock. While a rebuild fills the next generation, every batch written to the
live one is also appended to the journal (JSON lines), which the rebuild replays before it
swaps the pointer, so nothing filed meanwhile is lost.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import shutil
import time
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index

from pipeline.errors import IndexError_

from . import store
from .schema import fields
from .store import BUILDING, JOURNAL, LOCK, REBUILD_LOCK, flock

__all__ = ["add_documents", "delete_document", "rebuild"]


def add_documents(
    index_dir: Path, docs: Iterable[Mapping[str, Any]], *, batch_size: int = 500
) -> int:
    """Add or replace documents (by doc_id); returns how many were written.

    Mapping keys: doc_id, case (or None), title, text, countries (codes), type, level,
    division, signed (date or None), filed (date or datetime), filename, language, path.
    Commits every `batch_size` documents, so memory stays bounded; waits up to LOCK_WAIT s for
    another writer and raises IndexError_ rather than drop a document.
    """
    index_dir = Path(index_dir)
    _ensure(index_dir)
    count = 0
    for batch in _batched(docs, max(1, batch_size)):
        prepared: dict[str, dict[str, Any]] = {}
        for doc in batch:
            f = fields(doc)
            prepared[f["doc_id"]] = f  # the last of duplicates wins
        _write_ops(index_dir, list(prepared.values()), [])
        count += len(prepared)
    return count


def delete_document(index_dir: Path, doc_id: str) -> None:
    """Remove a document from the index (no error if it is not there)."""
    index_dir = Path(index_dir)
    _ensure(index_dir)
    _write_ops(index_dir, [], [str(doc_id)])


def rebuild(index_dir: Path, docs: Iterable[Mapping[str, Any]], *, batch_size: int = 1000) -> int:
    """Index `docs` into a new generation beside the live one, then swap it in atomically.

    Searches keep using the old generation until the swap. Documents added or deleted by other
    processes meanwhile are journaled and replayed into the new generation before the swap.
    Pass a lazy iterable (read from the register as it goes) so nothing filed after the call
    is missed. `docs` is read `batch_size` at a time into one Whoosh writer whose postings
    spill to disk past 64 MB, so memory stays flat however many documents there are. Returns
    the number of documents indexed.
    """
    index_dir = Path(index_dir)
    _ensure(index_dir)
    with flock(index_dir / REBUILD_LOCK, exclusive=True, timeout=None):
        with flock(index_dir / LOCK, exclusive=True, timeout=store.LOCK_WAIT * 2):
            store.clean_stale(index_dir)
            gen_dir = store.create_generation(index_dir)
            with contextlib.suppress(FileNotFoundError):
                (index_dir / JOURNAL).unlink()
            store.write_json(index_dir / BUILDING, {"generation": gen_dir.name})
        try:
            count = _build(gen_dir, docs, batch_size)
            with flock(index_dir / LOCK, exclusive=True, timeout=store.LOCK_WAIT * 2):
                _replay(gen_dir, _read_journal(index_dir))
                old = store.read_current_quiet(index_dir)
                store.write_current(index_dir, gen_dir)
                (index_dir / BUILDING).unlink()
                with contextlib.suppress(FileNotFoundError):
                    (index_dir / JOURNAL).unlink()
        except BaseException:
            with flock(index_dir / LOCK, exclusive=True, timeout=None):
                if store.read_current_quiet(index_dir) != gen_dir.name:
                    for name in (BUILDING, JOURNAL):
                        with contextlib.suppress(FileNotFoundError):
                            (index_dir / name).unlink()
                    shutil.rmtree(gen_dir, ignore_errors=True)
            raise
    if old is not None and old != gen_dir.name:
        # Open readers keep their files (POSIX); a reader that read the old CURRENT but had not
        # opened it yet retries with the new one.
        shutil.rmtree(index_dir / old, ignore_errors=True)
    return count


# ---------------------------------------------------------------------------------------------


def _ensure(index_dir: Path) -> None:
    """Make sure a usable index exists (recreating a damaged one)."""
    opened = store.open_index(index_dir)
    opened.ix.close()


def _batched(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _writer(ix: Any, **kwargs: Any) -> Any:
    """A writer for `ix`, retrying Whoosh's LockError with backoff for up to LOCK_WAIT s."""
    deadline = time.monotonic() + store.LOCK_WAIT
    delay = 0.02
    while True:
        try:
            return ix.writer(timeout=0.0, **kwargs)
        except whoosh_index.LockError:
            if time.monotonic() > deadline:
                raise IndexError_(
                    f"another process kept the search index busy for {store.LOCK_WAIT:.0f} s; "
                    "the documents were not indexed: try again or run `ika reindex`"
                ) from None
            time.sleep(delay * (0.5 + random.random()))
            delay = min(delay * 2, 1.0)


def _apply(gen_dir: Path, ops: Iterable[tuple[str, Any]]) -> None:
    """Apply ("delete", doc_id) and ("add", fields) operations to one generation, one commit."""
    ix = store.open_whoosh(gen_dir)
    writer = _writer(ix)
    try:
        for op, arg in ops:
            if op == "delete":
                writer.delete_by_term("doc_id", arg)
            else:
                writer.update_document(**arg)
    except BaseException:
        writer.cancel()
        raise
    writer.commit()


def _write_ops(index_dir: Path, adds: list[dict[str, Any]], deletes: list[str]) -> None:
    """Apply one batch to the live generation, and journal it if a rebuild is running."""
    ops: list[tuple[str, Any]] = [("delete", d) for d in deletes]
    ops += [("add", f) for f in adds]
    with flock(index_dir / LOCK, exclusive=False):
        name = store.read_current(index_dir)
        if name is None:
            raise IndexError_(f"the search index at {index_dir} has no live generation")
        _apply(index_dir / name, ops)
        building = store.read_building(index_dir)
        if building is not None and building != name and store.rebuild_running(index_dir):
            _journal(index_dir, ops)


def _build(gen_dir: Path, docs: Iterable[Mapping[str, Any]], batch_size: int) -> int:
    """Fill a fresh generation with one writer; its posting pool spills to disk past limitmb."""
    ix = store.open_whoosh(gen_dir)
    writer = _writer(ix, limitmb=64, procs=1)
    seen: set[str] = set()
    count = 0
    try:
        for batch in _batched(docs, max(1, batch_size)):
            for doc in batch:
                f = fields(doc)
                if f["doc_id"] in seen:
                    # Rare: the same document twice. Commit so the newer copy can replace it.
                    writer.commit()
                    writer = _writer(ix, limitmb=64, procs=1)
                    writer.update_document(**f)
                    continue
                seen.add(f["doc_id"])
                writer.add_document(**f)
                count += 1
    except BaseException:
        writer.cancel()
        raise
    writer.commit(optimize=False)
    return count


def _replay(gen_dir: Path, ops: list[tuple[str, Any]]) -> None:
    if ops:
        _apply(gen_dir, ops)


# --- the journal -----------------------------------------------------------------------------


def _journal(index_dir: Path, ops: list[tuple[str, Any]]) -> None:
    """Append operations for the generation being rebuilt; replayed before it goes live.
    JSON lines (datetimes tagged), so reading the journal never runs code from a file."""
    data = "".join(json.dumps(op, default=_encode_datetime) + "\n" for op in ops)
    with (
        flock(index_dir / (JOURNAL + ".lock"), exclusive=True),
        open(index_dir / JOURNAL, "a", encoding="utf-8") as fh,
    ):
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def _encode_datetime(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    raise TypeError(f"cannot journal {type(value).__name__}")


def _decode_datetime(obj: dict[str, Any]) -> Any:
    return datetime.fromisoformat(obj["$datetime"]) if set(obj) == {"$datetime"} else obj


def _read_journal(index_dir: Path) -> list[tuple[str, Any]]:
    ops: list[tuple[str, Any]] = []
    try:
        with open(index_dir / JOURNAL, encoding="utf-8") as fh:
            for line in fh:
                try:
                    kind, payload = json.loads(line, object_hook=_decode_datetime)
                except ValueError:
                    continue  # a line cut short by a crash: its writer did not return
                ops.append((kind, payload))
    except FileNotFoundError:
        pass
    return ops
