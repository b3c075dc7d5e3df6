"""Files that arrive through a browser, and the failed/ queue as the clerks' page shows it.

An upload goes through the inbox's own filing (`intake.process`) and ends the way a file
dropped in the inbox does: filed, a duplicate (recorded on the filed one), or in failed/ with
its reason file. The name a browser sends is never used as a path: only its last part,
made safe, names a copy in a private folder of the archive.

The failed queue is addressed by opaque ids (a hash of the entry's place in failed/), so no
path from a request reaches the file system. Setting a document aside moves it, with its
reason and who set it aside, to `set-aside/`: nothing is ever deleted.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import secrets
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePath, PurePosixPath
from typing import BinaryIO

from pipeline.archive import Archive
from pipeline.clock import MYT, now
from pipeline.errors import IkaError
from pipeline.filing.intake import Outcome, failed_documents, process, quarantine
from pipeline.filing.store import safe_name
from pipeline.register.store import log_event

SET_ASIDE = "set-aside"
MAX_NAME = 120  # characters of an uploaded file's name kept


@dataclass(frozen=True)
class FailedEntry:
    """A document waiting in failed/: `id` names it in requests, `name` is its place there."""

    id: str
    name: str
    reason: str
    kind: str | None
    size: int
    when: datetime
    encrypted: bool

    def as_dict(self) -> dict[str, object]:
        return {"id": self.id, "name": self.name, "reason": self.reason, "kind": self.kind,
                "size": self.size, "when": self.when.isoformat(sep=" "),
                "encrypted": self.encrypted}


def upload_name(name: str | None) -> str:
    """A safe file name from what a browser sent: its last part only (either slash), control
    characters and separators replaced, at most MAX_NAME characters, never hidden or empty."""
    raw = (name or "").replace("\\", "/").replace("\x00", "")
    leaf = PurePosixPath(raw).name if raw.strip("/") else ""
    leaf = leaf.lstrip(". ") or "document"
    return safe_name(leaf, limit=MAX_NAME)


def file_upload(
    arc: Archive, name: str | None, data: BinaryIO, *, case_id: str | None = None,
    by: str | None = None,
) -> Outcome:
    """File an uploaded document as the inbox would: the same `intake.process`, and on
    failure the same move to failed/ with a reason. Raises IkaError for an unknown case
    before anything is written."""
    if case_id:
        from pipeline.register.cases import get_case

        case_id = get_case(arc, case_id).id
    work = arc.root / ".uploads" / secrets.token_hex(8)  # not .work: a watcher clears it
    work.mkdir(parents=True, exist_ok=False)
    path = work / upload_name(name)
    try:
        with open(path, "xb") as out:
            shutil.copyfileobj(data, out, 1 << 20)
        outcome = process(arc, path, case_id=case_id, by=by)
        if outcome.status in ("filed", "duplicate"):
            return outcome
        # Not filed (failed, or skipped for a passing cause): kept in failed/ with its
        # reason, as a file dropped in the inbox would be; the clerk retries it from there.
        reason = outcome.reason or "could not be filed"
        kind = outcome.kind or ("error" if outcome.status == "skipped" else None)
        dest = quarantine(arc, path, PurePath(path.name), reason, kind)
        with arc.register.write() as conn:
            log_event(conn, "upload.failed", by=by, case_id=case_id,
                      note=f"{path.name}: {reason}")
        return Outcome(dest, "failed", case_id=case_id, reason=reason, kind=kind)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _entry_id(rel: str) -> str:
    return hashlib.sha256(rel.encode("utf-8", "surrogateescape")).hexdigest()[:16]


def _reason(path: Path) -> tuple[str, str | None]:
    """The first line of the reason file and the kind it names."""
    reason_file = path.with_name(path.name + ".reason.txt")
    try:
        text = reason_file.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "no reason recorded", None
    first = text.strip().splitlines()[0] if text.strip() else "no reason recorded"
    kind = re.search(r"^kind:\s+(\S+)", text, re.MULTILINE)
    return first, kind.group(1) if kind else None


def failed_queue(arc: Archive) -> list[FailedEntry]:
    """Every document waiting in failed/, with its reason, oldest first."""
    root = arc.failed.resolve()
    out = []
    for path in failed_documents(arc):
        rel = (path.parent.resolve() / path.name).relative_to(root).as_posix()
        reason, kind = _reason(path)
        st = path.stat()
        encrypted = kind == "encrypted" or "password" in reason.lower()
        out.append(FailedEntry(_entry_id(rel), rel, reason, kind, st.st_size,
                               datetime.fromtimestamp(st.st_mtime, MYT).replace(tzinfo=None),
                               encrypted))
    out.sort(key=lambda e: (e.when, e.name))
    return out


def _find(arc: Archive, entry_id: str) -> tuple[FailedEntry, Path]:
    for entry in failed_queue(arc):
        if entry.id == entry_id:
            return entry, arc.failed / entry.name
    raise IkaError(f"nothing in failed/ has the id {entry_id!r} (already filed or set aside?)")


def retry_failed(
    arc: Archive, entry_id: str, *, password: str | None = None, case_id: str | None = None,
    by: str | None = None,
) -> Outcome:
    """File a document of failed/ again (with a password for an encrypted PDF); filed, it
    leaves failed/ with its reason file, as `ika retry` does."""
    _, path = _find(arc, entry_id)
    return process(arc, path, password=password or None, case_id=case_id or None, by=by)


def set_aside(arc: Archive, entry_id: str, *, reason: str, by: str | None = None) -> Path:
    """Take a document out of the failed queue without filing it: it moves, with its reason
    file, to set-aside/, and the reason it was set aside is added to that file and to the
    events. Never deleted."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise IkaError("say why the document is set aside")
    entry, path = _find(arc, entry_id)
    dest_dir = arc.root / SET_ASIDE / now().strftime("%Y")
    dest_dir.mkdir(parents=True, exist_ok=True)
    old_reason = path.with_name(path.name + ".reason.txt")
    text = old_reason.read_text(encoding="utf-8", errors="replace") if old_reason.exists() \
        else f"{entry.reason}\n"
    text += (f"\nset aside: {now():%Y-%m-%d %H:%M:%S} by {by or '-'}: {reason}\n"
             f"was:      failed/{entry.name}\n")
    dest = _set_aside_into(dest_dir, path, text)
    old_reason.unlink(missing_ok=True)
    with arc.register.write() as conn:
        log_event(conn, "failed.set-aside", by=by,
                  note=f"failed/{entry.name} -> {dest.relative_to(arc.root).as_posix()}: "
                       f"{reason}")
    return dest


def _set_aside_into(folder: Path, path: Path, reason: str) -> Path:
    """Move `path` into `folder` under its own name, or `name-N` beside one taken, with its
    reason file: as the watcher moves a document to failed/, the reason file is written first
    and nothing already there is ever replaced (renameat2 RENAME_NOREPLACE; another process
    taking the same name at the same moment makes this one try the next)."""
    from pipeline.filing.snapshot import rename_noreplace

    stem, suffix = Path(path.name).stem, Path(path.name).suffix
    for n in range(1000):
        dest = folder / (path.name if n == 0 else f"{stem}-{n}{suffix}")
        reason_file = dest.with_name(dest.name + ".reason.txt")
        if os.path.lexists(dest) or os.path.lexists(reason_file):
            continue
        tmp = folder / f".{secrets.token_hex(6)}.{os.getpid()}.part"
        try:
            with open(tmp, "x", encoding="utf-8") as f:
                f.write(reason)
            rename_noreplace(tmp, reason_file)
        except FileExistsError:
            continue
        finally:
            tmp.unlink(missing_ok=True)
        try:
            _move_noreplace(path, dest)
        except FileExistsError:
            reason_file.unlink(missing_ok=True)
            continue
        except BaseException:
            reason_file.unlink(missing_ok=True)
            raise
        return dest
    raise IkaError(f"no free name for {path.name} in {folder}")


def _move_noreplace(path: Path, dest: Path) -> None:
    """Rename, never over a file at `dest`; across file systems, a copy (made whole under a
    temporary name, then given `dest` the same way) and the original removed."""
    from pipeline.filing.snapshot import rename_noreplace

    try:
        rename_noreplace(path, dest)
        return
    except OSError as exc:
        if isinstance(exc, FileExistsError) or exc.errno != errno.EXDEV:
            raise
    tmp = dest.with_name(f".{secrets.token_hex(6)}.{os.getpid()}.part")
    try:
        shutil.copy2(path, tmp)
        rename_noreplace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    path.unlink(missing_ok=True)


def set_aside_count(arc: Archive) -> int:
    folder = arc.root / SET_ASIDE
    if not folder.exists():
        return 0
    return sum(1 for p in folder.rglob("*")
               if p.is_file() and not p.name.endswith(".reason.txt"))

