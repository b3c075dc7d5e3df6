"""Before the work on a dropped file: take it (one private copy, hashed as it is copied:
pipeline.filing.snapshot) and check once whether its bytes are filed already — a duplicate
skips extraction and OCR. The authoritative check is file_document's, under the register's
write lock.

The watcher's quick lane does this much for a scan and then finds it needs OCR: it hands
what it has — the private copy, its hash, the check's answer — to the OCR lane as a
`Handoff`, so a scan is copied, hashed and checked once, not once per lane. The copy lives
in the job folder of this process's own work folder (pipeline.workdir): it goes with the
handoff once filed, and with the process's work folder at exit or, after a kill, when the
next process starts. While it waits the handoff holds no descriptor; the OCR lane opens the
entry again (Snapshot.reopen) and goes on with it while it is still the very file taken.

If another file took its name meanwhile (moved over it, a link, or it was rewritten), the
private copy is all that is left of the scan the clerk dropped (issue 9, "nothing lost"): it
is filed as that document — or, if it cannot be, kept in failed/ (failed.keep_copy) — and the
entry is left alone, to be filed on its own as the file it is now (Snapshot.detach). Only
when the entry still holds those very bytes (a program has it open for writing again) or is
gone (the clerk took it away, or renamed it: the new name is a file of its own) is the copy
let go and the entry taken again as it is now.

Limit: the copy lives in the work folder, which is removed when a killed process's successor
starts. A process killed after another file took the entry's name and before the copy was
filed loses those earlier bytes (the new file is filed as usual).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from pipeline.archive import Archive
from pipeline.clock import now
from pipeline.errors import FilingError
from pipeline.filing.failed import refuse_entry
from pipeline.filing.outcome import OURS, Outcome
from pipeline.filing.snapshot import GONE, WRITING, LinkEntry, Place, Snapshot, shown, take
from pipeline.filing.store import find_by_sha, sha256_of


class Handoff:
    """A document taken and checked by the watcher's quick lane, for its OCR lane."""

    def __init__(self, snap: Snapshot, job: Path) -> None:
        self.snap = snap  # closed: its descriptors are opened again by `resume`
        self.job = job  # the job folder holding the private copy

    @property
    def sha256(self) -> str:
        return self.snap.sha256

    def resume(self) -> Snapshot | None:
        """The snapshot, open again, while its entry is still the very file taken; detached
        (its private copy to be filed on its own, the entry left alone) when another file
        took its place; None, the private copy discarded, when the entry is gone or still
        holds these bytes (a writer has it open again): it is taken as it is now."""
        if self.snap.detached is not None:  # handed back again: still its copy alone
            return self.snap
        why = self.snap.reopen()
        if why is None:
            return self.snap
        if why in (GONE, WRITING):
            self.discard()
            return None
        self.snap.detach(why)
        return self.snap

    def discard(self) -> None:
        self.snap.close()
        shutil.rmtree(self.job, ignore_errors=True)


def suffix(name: str) -> str:
    """The original's extension, if it is a plain one, for the private copy's name."""
    ext = Path(shown(name)).suffix.lower()
    return ext if 1 < len(ext) <= 9 and ext[1:].isascii() and ext[1:].isalnum() else ""


def take_entry(arc: Archive, path: Path, place: Place | None, job: Path) -> Snapshot | Outcome:
    """Take `path` into `job`: its snapshot, or the outcome when it cannot be taken (a link
    or a file refused outright goes to failed/; one busy or unreadable is left for later)."""
    limit = int(arc.settings.max_size_mb * 1024 * 1024)
    copy = job / ("document" + suffix(path.name))
    try:
        return take(path, place, copy, max_bytes=limit)
    except LinkEntry as exc:
        return refuse_entry(arc, path, place, exc.reason, exc.kind)
    except FilingError as exc:
        if exc.kind in ("busy", "unreadable"):
            return Outcome(path, "skipped", reason=exc.reason, kind=exc.kind)
        return refuse_entry(arc, path, place, exc.reason, exc.kind)
    except OSError as exc:  # cannot be opened or read: report it, leave it, try again later
        return Outcome(path, "skipped", kind="unreadable",
                       reason=f"cannot be read ({exc.strerror or exc}); left where it is")


def check(arc: Archive, snap: Snapshot, source: str | None, by: str | None,
          case_id: str | None) -> Outcome | None:
    """The preflight check: None when no document has these bytes; else the outcome — a
    duplicate, or the finish of this very file's filing interrupted before it left."""
    earlier = find_by_sha(arc, snap.sha256)
    if earlier is None:
        return None
    if source is not None and earlier.source == source and _left_behind(arc, snap, earlier):
        return Outcome(snap.path, "filed", earlier.id, earlier.case_id, arc.root / earlier.path,
                       how="already filed from this inbox path: finished")
    return duplicate(arc, snap.path, earlier.id, snap.place, by, case_id)


def _left_behind(arc: Archive, snap: Snapshot, earlier: Any) -> bool:
    """Is the entry taken the very file `earlier` was filed from, left in the inbox (or
    failed/) by a run stopped between the register's commit and the entry's removal? Then
    filing it is only finished. It is when its inode has not changed since before the
    archive's copy was written: its ctime, which no program can set, is older than that
    copy's mtime. The same bytes dropped again under the same name after the filing are a
    new file, made after it: a duplicate, recorded like any other."""
    try:
        stored = os.stat(arc.root / earlier.path)
    except OSError:  # the archive's copy is gone: not finished here (duplicate says why)
        return False
    return snap.ident.ctime_ns < stored.st_mtime_ns


def duplicate(arc: Archive, path: Path, doc_id: str, place: Place | None,
              by: str | None, case_id: str | None = None) -> Outcome:
    """The same bytes are filed already: say so on that document, and (for a copy in the
    inbox or failed/) let the caller remove this one — but only while the archive's own copy
    is intact, so that nothing is lost."""
    from sqlalchemy import select

    from pipeline.register.store import documents, log_event

    with arc.register.read() as conn:
        row = conn.execute(select(documents).where(documents.c.id == doc_id)).first()
    stored = arc.root / row.path
    if not stored.is_file() or sha256_of(stored) != row.sha256:
        raise FilingError(
            f"duplicate of {doc_id}, but the archive's copy ({row.path}) is missing or changed "
            "— keep this file; run `ika verify` and tell IT", OURS,
        )
    if place is None:
        where = "left where it is"
    else:
        folder = place.folder
        where = f"removed from {'inbox' if folder == arc.inbox else folder.name + '/'}"
    with arc.register.write() as conn:
        log_event(conn, "doc.duplicate", by=by, case_id=row.case_id, doc_id=doc_id,
                  note=f"the same bytes dropped again as {_shown(path, arc)!r} on "
                       f"{now():%Y-%m-%d %H:%M}; {where}")
    hint = ""
    case_id = case_id.strip().upper() if case_id else None
    if case_id and row.case_id != case_id:  # the user meant to put it in that case
        hint = f"; link it with `ika file {doc_id} --case {case_id}`"
    return Outcome(path, "duplicate", doc_id, row.case_id, stored,
                   reason=f"duplicate of {doc_id} ({where}){hint}")


def _shown(path: Path, arc: Archive) -> str:
    try:
        return shown(path.relative_to(arc.root).as_posix())
    except ValueError:
        return shown(path)
