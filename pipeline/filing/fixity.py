"""Fixity: re-hash every filed file and say, by name, which are missing or changed; and say
what files/ and the search index hold that the register does not.

- MISSING / CHANGED: a registered file is gone, or its bytes are not the ones registered.
- UNKNOWN: a file in files/ the register does not know — a copy a crashed process made but
  never registered. `ika verify --repair` (and the watcher at start) sets it aside to
  `.orphans/`, with a reason file, never deleting it: nothing the register knows is lost
  with it (the document it was made from is still in the inbox, or is made again).
- LEFTOVER: a partial copy (`.*.part`) of a process that is no longer running; repair
  removes it.
- INDEXED: a document the search index serves that the register no longer has; repair
  removes it from the index.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from pipeline.archive import Archive
from pipeline.filing.store import part_owner, set_aside, sha256_of, store_lock
from pipeline.register.store import documents

UNKNOWN_WHY = ("in files/ but not in the register: a copy left by an interrupted run "
               "(copied, never registered)")


@dataclass(frozen=True)
class Problem:
    doc_id: str
    path: str
    problem: str  # missing | changed | unknown | leftover | indexed


def verify(arc: Archive) -> tuple[int, list[Problem]]:
    """(files checked, problems). Originals and their OCR copies are both checked."""
    checked = 0
    problems: list[Problem] = []
    for doc_id, rel, sha in _expected(arc):
        checked += 1
        path = arc.root / rel
        if not path.is_file():
            problems.append(Problem(doc_id, rel, "missing"))
        elif sha256_of(path) != sha:
            problems.append(Problem(doc_id, rel, "changed"))
    problems += [Problem("", _rel(arc, p), "unknown") for p in unknown_files(arc)]
    problems += [Problem("", _rel(arc, p), "leftover") for p in leftover_parts(arc)]
    problems += [Problem(d, "index/", "indexed") for d in sorted(index_only(arc))]
    return checked, problems


@dataclass(frozen=True)
class Repair:
    """One thing a repair did (or could not do): `action` is removed (a dead process's
    partial copy `path`), set_aside (`path` moved to `dest`, for `why`), not_set_aside (`why`
    it could not be) or unindexed (the document `path` in the index, not in the register)."""

    action: str  # removed | set_aside | not_set_aside | unindexed
    path: str
    dest: str | None = None
    why: str | None = None


def repair(arc: Archive) -> list[Repair]:
    """Set aside unknown files, remove dead processes' partial copies and documents the index
    serves that the register does not have. Returns what was done, one Repair each."""
    lines = sweep(arc)
    stale = index_only(arc)
    if stale:
        from pipeline.search import delete_document

        for doc_id in sorted(stale):
            delete_document(arc.index_dir, doc_id)
            lines.append(Repair("unindexed", doc_id))
    return lines


def sweep(arc: Archive) -> list[Repair]:
    """What the watcher does at start: remove partial copies of dead processes, and set aside
    (under the store lock, checked again there) files in files/ the register does not know."""
    lines: list[Repair] = []
    for part in leftover_parts(arc):
        try:
            part.unlink()
            lines.append(Repair("removed", _rel(arc, part)))
        except OSError:
            pass
    candidates = unknown_files(arc)
    if not candidates:
        return lines
    with store_lock(arc), arc.register.write() as conn:
        known = _known_paths(conn)
        for path in candidates:
            rel = _rel(arc, path)
            if rel in known or not os.path.lexists(path):
                continue
            try:
                dest = set_aside(arc, path, UNKNOWN_WHY, conn)
            except OSError as exc:
                lines.append(Repair("not_set_aside", rel, why=str(exc.strerror or exc)))
                continue
            lines.append(Repair("set_aside", rel, _rel(arc, dest), UNKNOWN_WHY))
    return lines


def unknown_files(arc: Archive) -> list[Path]:
    """Files in files/ that no document of the register names (temporary files left out)."""
    if not arc.files.is_dir():
        return []
    with arc.register.read() as conn:
        known = _known_paths(conn)
    return [p for p in _walk(arc.files) if not p.name.startswith(".")
            and _rel(arc, p) not in known]


def leftover_parts(arc: Archive) -> list[Path]:
    """Partial copies (`.<token>.<pid>.part`) in files/ whose process is gone."""
    if not arc.files.is_dir():
        return []
    out = []
    for p in _walk(arc.files):
        pid = part_owner(p.name)
        if pid is not None and not _alive(pid):
            out.append(p)
    return out


def index_only(arc: Archive) -> set[str]:
    """Documents the search index serves that the register does not have (empty when there
    is no index yet, or it cannot be read: `ika reindex` rebuilds it)."""
    if not (arc.index_dir / "CURRENT").exists():
        return set()
    try:
        from pipeline.search import search_index

        found = search_index(arc.index_dir, None, limit=10**9)
    except Exception:  # damaged or being rebuilt: the next search repairs it
        return set()
    served = {h.doc_id for h in found.hits if h.doc_id}
    if not served:
        return set()
    with arc.register.read() as conn:
        have = {r.id for r in conn.execute(select(documents.c.id))}
    return served - have


def _known_paths(conn) -> set[str]:
    rows = conn.execute(select(documents.c.path, documents.c.ocr_path)).all()
    return {r.path for r in rows} | {r.ocr_path for r in rows if r.ocr_path}


def _walk(root: Path) -> Iterator[Path]:
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not os.path.islink(os.path.join(folder, d))]
        for name in files:
            yield Path(folder, name)


def _rel(arc: Archive, path: Path) -> str:
    return path.relative_to(arc.root).as_posix()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _expected(arc: Archive) -> Iterator[tuple[str, str, str]]:
    query = select(documents.c.id, documents.c.path, documents.c.sha256, documents.c.ocr_path,
                   documents.c.ocr_sha256).order_by(documents.c.id)
    with arc.register.read() as conn:
        rows = conn.execute(query).all()
    for r in rows:
        yield r.id, r.path, r.sha256
        if r.ocr_path and r.ocr_sha256:
            yield r.id, r.ocr_path, r.ocr_sha256
