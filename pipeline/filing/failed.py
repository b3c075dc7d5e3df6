"""failed/: a document that cannot be filed goes there with `<name>.reason.txt` beside it,
the reason written first (a crash in between leaves the document in the inbox, not lost);
`ika retry` files it from there."""

from __future__ import annotations

import errno
import os
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path, PurePath

from pipeline.archive import Archive
from pipeline.clock import now
from pipeline.errors import IkaError
from pipeline.filing.outcome import KINDS, Outcome
from pipeline.filing.snapshot import (
    Busy,
    LinkEntry,
    Place,
    Snapshot,
    locate,
    move_entry,
    name_bytes,
    open_parent,
    rename_noreplace,
    shown,
)

REASON_SUFFIX = ".reason.txt"
NAME_MAX = 255
# A name in failed/ leaves room for ".reason.txt" (its reason file) and a "-99" to tell it
# from another of the same name: a 245–255-byte name is shortened, never refused.
FAILED_NAME_MAX = NAME_MAX - len(REASON_SUFFIX) - 8


def refuse_entry(arc: Archive, path: Path, place: Place | None, reason: str,
                 kind: str | None) -> Outcome:
    """A file refused before its bytes were taken (a link, too large, empty): moved as the
    entry it is (a link moves as a link, never followed) to failed/ with its reason."""
    if place is None:
        return Outcome(path, "failed", reason=reason, kind=kind)
    try:
        dir_fd, name = open_parent(path, place)
    except LinkEntry as exc:  # a folder on the way is a link: nothing of ours to move
        return Outcome(path, "skipped", reason=exc.reason, kind="unreadable")
    except OSError as exc:
        return Outcome(path, "skipped", reason=f"cannot be read ({exc.strerror or exc})",
                       kind="unreadable")
    try:
        dest = quarantine_entry(arc, place, reason, kind,
                                lambda dest: move_entry(dir_fd, name, dest))
    except OSError as exc:
        return Outcome(path, "skipped", kind=kind, reason=_not_moved(reason, exc))
    finally:
        os.close(dir_fd)
    return Outcome(path, "failed", reason=reason, kind=kind, dest=dest)


def quarantine_snapshot(arc: Archive, snap: Snapshot, place: Place, reason: str,
                        kind: str | None) -> Outcome:
    """Move the entry taken to failed/ with its reason — only while it is still that file.
    When it is not (another file has its name, it was rewritten, is being written or is
    gone), the bytes that failed are those of the private copy: that copy itself goes to
    failed/ under the entry's name (`keep_copy`), and the entry is filed on its own."""
    why = snap.changed()
    if why is None:
        try:
            dest = quarantine_entry(arc, place, reason, kind, snap.move)
        except Busy:  # it changed in the very moment: keep what failed, below
            why = snap.changed() or "it changed after it was taken"
        except OSError as exc:  # e.g. no room even for the reason file: leave it where it is
            return Outcome(snap.path, "skipped", kind=kind, reason=_not_moved(reason, exc))
        else:
            return Outcome(snap.path, "failed", reason=reason, kind=kind, dest=dest)
    return keep_copy(arc, snap, place, reason, kind, why)


def keep_copy(arc: Archive, snap: Snapshot, place: Place, reason: str, kind: str | None,
              why: str) -> Outcome:
    """The private copy of a file that could not be filed, whose entry is no longer that
    file: the copy goes to failed/ under the entry's name (a free one, never replacing),
    with its reason, so the earlier bytes are kept; the entry is left to be filed on its
    own. Nothing is kept twice: bytes the register already has are let go."""
    from pipeline.filing.store import find_by_sha

    try:
        filed = find_by_sha(arc, snap.sha256) is not None
    except Exception:  # the register cannot say: keep the copy
        filed = False
    if filed:
        return Outcome(snap.path, "skipped", reason=f"{why}; it will be tried again",
                       kind="busy")
    note = (f"this is the version taken before the file in the inbox changed ({why}), "
            "kept from the archive's private copy; the file now in the inbox is filed on "
            "its own")
    try:
        dest = _quarantine_new(arc, place, reason, kind,
                               lambda dest: _move_own(snap.copy, dest), note=note)
    except OSError as exc:
        return Outcome(snap.path, "skipped", kind=kind,
                       reason=f"{reason} (the version taken before the file in the inbox "
                              f"changed could not be kept in failed/: {exc.strerror or exc})")
    return Outcome(snap.path, "failed", reason=f"{reason} ({note})", kind=kind, dest=dest)


def _move_own(src: Path, dest: Path) -> None:
    """Move a file of this process's own (a private copy) to `dest`, never replacing."""
    os.chmod(src, 0o644)  # readable like the files clerks drop (the copy was private)
    try:
        rename_noreplace(src, dest)
        return
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
    tmp = dest.with_name(f".{os.getpid()}-{os.urandom(4).hex()}.part")
    try:
        shutil.copyfile(src, tmp)
        rename_noreplace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    src.unlink(missing_ok=True)


def _not_moved(reason: str, exc: OSError) -> str:
    return f"{reason} (left where it is, not moved to failed/: {exc.strerror or exc})"


def failed_documents(arc: Archive) -> list[Path]:
    """Every document waiting in failed/ (reason files and temporary files left out)."""
    from pipeline.filing.watcher import scan

    return [p for p in scan(arc.failed) if not p.is_symlink()]  # links are never filed


def retry_paths(arc: Archive, names: Sequence[str] = ()) -> list[Path]:
    """The documents of failed/ that `ika retry NAME...` means: every one without names; a
    name is a path inside failed/ (as its reason file shows it), or the path of a file there.
    Raises IkaError, before anything is retried, for a name that is not there."""
    if not names:
        return failed_documents(arc)
    found: list[Path] = []
    for name in names:
        if name.endswith(REASON_SUFFIX):
            name = name[: -len(REASON_SUFFIX)]
        candidates = [arc.failed / name, Path(name)]
        hit = next((c for c in candidates
                    if c.is_file() and locate(c, (arc.failed,)) is not None), None)
        if hit is None:
            raise IkaError(f"{shown(name)!r} is not in {arc.failed}; `ika retry` with no name "
                           "retries everything there")
        if hit not in found:
            found.append(hit)
    return found


def _failed_name(name: str, n: int = 0) -> str:
    """`name` (with `-n` before its extension when n > 0), cut to fit FAILED_NAME_MAX bytes."""
    stem, ext = os.path.splitext(name)
    if len(ext) > 16 or not stem:
        stem, ext = name, ""
    tail = f"-{n}{ext}" if n else ext
    room = FAILED_NAME_MAX - name_bytes(tail)
    raw = os.fsencode(stem)
    if len(raw) > room:
        raw = raw[:room]
        while raw and (raw[-1] & 0xC0) == 0x80:  # not in the middle of a UTF-8 letter
            raw = raw[:-1]
        if raw and raw[-1] >= 0xC0:  # its first byte
            raw = raw[:-1]
        return os.fsdecode(raw) + "~" + tail
    return stem + tail


def _free_failed_dest(arc: Archive, rel: PurePath) -> Path:
    """Where in failed/ a document from `rel` goes: its own place, or `name-N` beside it."""
    folder = arc.failed.joinpath(*rel.parts[:-1])
    n = 0
    while True:
        dest = folder / _failed_name(rel.name, n)
        if not os.path.lexists(dest) and not os.path.lexists(
                dest.with_name(dest.name + REASON_SUFFIX)):
            return dest
        n += 1


def quarantine_entry(arc: Archive, place: Place, reason: str, kind: str | None,
                     mover: Callable[[Path], None]) -> Path:
    """Write the reason file in failed/, then move the entry beside it with `mover`; the
    reason file is written first, so a crash in between leaves the document in the inbox,
    not lost. A document retried from failed/ that fails again stays, with a new reason."""
    if place.folder == arc.failed:
        dest = place.real.joinpath(*place.rel.parts)
        _write_reason(arc, dest, reason, dest, kind)
        return dest
    return _quarantine_new(arc, place, reason, kind, mover)


def _quarantine_new(arc: Archive, place: Place, reason: str, kind: str | None,
                    mover: Callable[[Path], None], note: str | None = None) -> Path:
    """A free name in failed/ for a document from `place`: its reason file written first,
    then the document moved there with `mover`."""
    arc.failed.mkdir(parents=True, exist_ok=True)
    for _ in range(100):  # another filer may take the same free name at the same moment
        dest = _free_failed_dest(arc, place.rel)
        dest.parent.mkdir(parents=True, exist_ok=True)
        try:
            _write_reason(arc, dest, reason, place.folder.joinpath(*place.rel.parts), kind,
                          exclusive=True, note=note)
        except FileExistsError:
            continue
        try:
            mover(dest)
        except FileExistsError:
            dest.with_name(dest.name + REASON_SUFFIX).unlink(missing_ok=True)
            continue
        except BaseException:
            dest.with_name(dest.name + REASON_SUFFIX).unlink(missing_ok=True)
            raise
        return dest
    raise OSError(errno.EEXIST, "no free name in failed/", str(arc.failed))


def quarantine(arc: Archive, path: Path, rel: PurePath, reason: str,
               kind: str | None = None) -> Path:
    """Move `path` — a file of this process's own (an upload) — to failed/ with
    `<name>.reason.txt` beside it; the reason file is written first."""
    place = Place(arc.inbox, Path(os.path.realpath(path.parent)), rel)

    def mover(dest: Path) -> None:
        try:
            rename_noreplace(path, dest)
        except OSError as exc:
            if exc.errno != errno.EXDEV:
                raise
            shutil.copy2(path, dest)
            path.unlink(missing_ok=True)

    return quarantine_entry(arc, place, reason, kind, mover)


def _archive_option(arc: Archive) -> str:
    """` --archive PATH` for a command to reach this archive, unless it is the default
    (./archive, where the command is run): the hint must not send a retry to another one."""
    root = os.path.realpath(os.path.abspath(arc.root))
    if root == os.path.realpath(os.path.abspath("archive")):
        return ""
    return f' --archive "{shown(root)}"'


def _write_reason(arc: Archive, dest: Path, reason: str, original: Path,
                  kind: str | None, exclusive: bool = False, note: str | None = None) -> None:
    """Write `<dest>.reason.txt` (whole, through a temporary file); `exclusive`: never over
    another document's reason file (FileExistsError). `note`: a line more, after `from`."""
    name = shown(dest.name)
    for base in (arc.failed, Path(os.path.realpath(arc.failed))):
        if dest.is_relative_to(base):
            name = shown(dest.relative_to(base).as_posix())
            break
    what = f"{kind} — {KINDS[kind]}" if kind in KINDS else (kind or "-")
    where = _archive_option(arc)
    text = (
        f"{shown(reason)}\n\n"
        f"kind:     {what}\n"
        f"file:     {shown(original.name)}\n"
        f"from:     {shown(original)}\n"
        + (f"note:     {shown(note)}\n" if note else "")
        + f"when:     {now():%Y-%m-%d %H:%M:%S}\n"
        f"retry:    ika retry \"{name}\"{where}  (add --password PW for an encrypted file;\n"
        f"          or ika file \"{shown(dest)}\" --case CASE{where} to choose the case)\n"
    )
    reason_path = dest.with_name(dest.name + REASON_SUFFIX)
    tmp = dest.with_name(f".reason-{os.getpid()}-{os.urandom(4).hex()}.part")
    try:
        with open(tmp, "x", encoding="utf-8") as f:
            f.write(text)
        if exclusive:
            rename_noreplace(tmp, reason_path)
        else:
            os.replace(tmp, reason_path)
    finally:
        tmp.unlink(missing_ok=True)
