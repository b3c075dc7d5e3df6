"""One file from the inbox (or `ika file`) to exactly one outcome: filed; a duplicate of a
filed document (recorded on it, and removed from the inbox); or failed/ with a reason a clerk
can act on. The watcher, `ika file` and `ika retry` all call `process`.

A failure of ours (OCR cannot run, the disk is full, out of memory, a crash) is never called
"damaged": its reason says what failed and what to do, its kind is "error", and `ika retry`
files it once the cause is fixed.
"""

from __future__ import annotations

import errno
import logging
import os
import shutil
from collections.abc import Callable, Iterator, Sequence
from contextlib import suppress
from dataclasses import dataclass, replace
from pathlib import Path, PurePath
from typing import Any

from sqlalchemy import Connection

from pipeline import workdir
from pipeline.archive import Archive
from pipeline.clock import now
from pipeline.errors import DuplicateDocument, FilingError, IkaError
from pipeline.filing.extract import OcrNeeded
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
    take,
)
from pipeline.filing.store import Metadata, file_document, find_by_sha, sha256_of

Log = Callable[[str], None]

OURS = "error"  # the kind of a failure on this server's side: the document may be fine
RETRY = "retry with `ika retry`"
KINDS = {  # what the kind of a failure means, for the reason file
    OURS: "a failure on this server's side, not a fault of the document; "
          "fix the cause, then `ika retry`",
    "damaged": "the file itself cannot be read; ask the sender for a new copy",
    "encrypted": "password-protected: a PDF files with `ika retry NAME --password PW`; "
                 "a Word file must be saved again without its password",
    "unsupported": "a kind of file the archive does not take; send PDF, .docx or an image",
    "too-large": "over a limit; split it or raise the limit in ika.toml",
    "empty": "the file is empty; copy it again from its source",
}
_DISK_FULL = {errno.ENOSPC, errno.EDQUOT}


@dataclass(frozen=True)
class Outcome:
    path: Path
    status: str  # filed | duplicate | failed | skipped | queued (for the OCR lane)
    doc_id: str | None = None
    case_id: str | None = None
    dest: Path | None = None
    reason: str | None = None
    how: str | None = None  # how the case was found
    kind: str | None = None  # of a failure: error (ours), damaged ...; of a skip: busy, unreadable
    note: str | None = None  # why a filed document waits unassigned; a suggested case
    kept: bool = False  # filed, but its inbox entry was left there (it changed, or read-only)


# Progress and outcomes go to this logger; the faces show them (cli.py prints each record as
# a line, an outcome in pipeline/render.py's words, `outcome_line`).
logger = logging.getLogger("ika.filing")


def log_line(message: str) -> None:
    """One line of progress for whoever shows the filing's log."""
    logger.info("%s", message)


def log_outcome(arc: Archive, outcome: Outcome) -> None:
    """An outcome for the log: the record carries it (`outcome`) and the archive's root
    (`root`), for the face to say it."""
    logger.info("%s %s", outcome.status, outcome.path,
                extra={"outcome": outcome, "root": arc.root})


def _shown(path: Path, arc: Archive) -> str:
    try:
        return shown(path.relative_to(arc.root).as_posix())
    except ValueError:
        return shown(path)


def managed_folder(arc: Archive, path: Path) -> Path | None:
    """The inbox or failed/ folder holding `path`: files there are the archive's to move."""
    place = _place(arc, path)
    return place.folder if place else None


def _place(arc: Archive, path: Path) -> Place | None:
    return locate(path, (arc.inbox, arc.failed))


def process(
    arc: Archive,
    path: Path,
    *,
    case_id: str | None = None,
    password: str | None = None,
    by: str | None = None,
    log: Log | None = None,
    index: bool = True,
    ocr: bool = True,
) -> Outcome:
    """File `path`. Files in the inbox (or failed/) are removed once filed and moved to
    failed/ with a reason when they cannot be; files elsewhere are left where they are.

    The file is opened once and copied into this process's work folder (pipeline.filing.snapshot);
    everything after reads that copy. The inbox entry is removed or moved only while it is
    still the file that was taken. `ocr=False` (the watcher's quick lane) returns status
    "queued" for a document that needs OCR, touching nothing, for the OCR lane to file."""
    path = Path(path)
    place = _place(arc, path)
    job = workdir.scratch(arc.root, "file-")
    try:
        return _process(arc, path, place, job, case_id=case_id, password=password, by=by,
                        log=log, index=index, ocr=ocr)
    finally:
        shutil.rmtree(job, ignore_errors=True)


def _process(arc: Archive, path: Path, place: Place | None, job: Path, *,
             case_id: str | None, password: str | None, by: str | None, log: Log | None,
             index: bool, ocr: bool) -> Outcome:
    limit = int(arc.settings.max_size_mb * 1024 * 1024)
    copy = job / ("document" + _suffix(path.name))
    try:
        snap = take(path, place, copy, max_bytes=limit)
    except LinkEntry as exc:
        return _refuse_entry(arc, path, place, exc.reason, exc.kind)
    except FilingError as exc:
        if exc.kind in ("busy", "unreadable"):
            return Outcome(path, "skipped", reason=exc.reason, kind=exc.kind)
        return _refuse_entry(arc, path, place, exc.reason, exc.kind)
    except OSError as exc:  # cannot be opened or read: report it, leave it, try again later
        return Outcome(path, "skipped", kind="unreadable",
                       reason=f"cannot be read ({exc.strerror or exc}); left where it is")
    with snap:
        try:
            outcome = _file(arc, snap, place, case_id=case_id, password=password,
                            by=by, log=log, index=index, ocr=ocr)
        except OcrNeeded:
            return Outcome(path, "queued", reason="needs OCR")
        except FilingError as exc:
            if exc.kind == "busy":  # still being written: tried again when it settles
                return Outcome(path, "skipped", reason=exc.reason, kind="busy")
            reason, kind = exc.reason, exc.kind
        except MemoryError:
            reason, kind = (f"ran out of memory on this server while reading it — {RETRY} "
                            "when the server is less busy"), OURS
        except OSError as exc:  # the archive's disk refused: the private copy is intact
            where = f" ({shown(exc.filename)})" if exc.filename else ""
            if exc.errno in _DISK_FULL:
                reason = f"the archive's disk is full ({exc.strerror}) — free space and {RETRY}"
            else:
                reason = (f"the archive could not be written{where}: {exc.strerror or exc} — "
                          f"fix the archive's folders, then {RETRY}")
            kind = OURS
        except IkaError:
            raise  # the request itself is wrong (unknown case ...): nothing to quarantine
        except Exception as exc:
            if type(exc).__module__.startswith("sqlalchemy"):  # register busy: retry later
                return Outcome(path, "skipped", reason=f"register busy ({type(exc).__name__})",
                               kind="busy")
            detail = shown(f"{type(exc).__name__}: {exc}").splitlines()[0][:200]
            reason = (f"not filed because of an error on this server ({detail}); the "
                      f"document itself may be fine — {RETRY}, and report it if it fails "
                      "again")
            kind = OURS
        else:
            return _let_go(arc, snap, place, outcome)
        reason = reason.splitlines()[0] if reason else "could not be filed"
        if place is None:
            return Outcome(path, "failed", reason=reason, kind=kind)
        return _quarantine_snapshot(arc, snap, place, reason, kind)


def _suffix(name: str) -> str:
    """The original's extension, if it is a plain one, for the private copy's name."""
    ext = Path(shown(name)).suffix.lower()
    return ext if 1 < len(ext) <= 9 and ext[1:].isascii() and ext[1:].isalnum() else ""


def _let_go(arc: Archive, snap: Snapshot, place: Place | None, outcome: Outcome) -> Outcome:
    """A filed (or duplicate) document: remove it from the inbox or failed/ only if it is
    still the file that was filed; otherwise leave it, to be filed again as it is now."""
    if place is None or outcome.status not in ("filed", "duplicate"):
        return outcome
    why = snap.remove()
    if why is None:
        if place.folder == arc.failed:
            reason_file = snap.path.with_name(snap.path.name + ".reason.txt")
            with suppress(OSError):
                reason_file.unlink(missing_ok=True)
        return outcome
    left = f"left in {_folder_word(arc, place)}: {why}"
    if "changed" in why or "another file" in why or "open for writing" in why:
        left += " — it is filed again as it is now"
    else:
        left += " — remove it by hand"
    return replace(outcome, kept=True, note=f"{outcome.note}; {left}" if outcome.note else left)


def _folder_word(arc: Archive, place: Place) -> str:
    return "the inbox" if place.folder == arc.inbox else f"{place.folder.name}/"


def _refuse_entry(arc: Archive, path: Path, place: Place | None, reason: str,
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
        dest = _quarantine_entry(arc, place, reason, kind,
                                 lambda dest: move_entry(dir_fd, name, dest))
    except OSError as exc:
        return Outcome(path, "skipped", kind=kind, reason=_not_moved(reason, exc))
    finally:
        os.close(dir_fd)
    return Outcome(path, "failed", reason=reason, kind=kind, dest=dest)


def _quarantine_snapshot(arc: Archive, snap: Snapshot, place: Place, reason: str,
                         kind: str | None) -> Outcome:
    try:
        dest = _quarantine_entry(arc, place, reason, kind, snap.move)
    except Busy as exc:  # it changed since it was taken: the failure may not be its own
        return Outcome(snap.path, "skipped", reason=exc.reason, kind="busy")
    except OSError as exc:  # e.g. no room even for the reason file: leave it where it is
        return Outcome(snap.path, "skipped", kind=kind, reason=_not_moved(reason, exc))
    return Outcome(snap.path, "failed", reason=reason, kind=kind, dest=dest)


def _not_moved(reason: str, exc: OSError) -> str:
    return f"{reason} (left where it is, not moved to failed/: {exc.strerror or exc})"


def file_many(
    arc: Archive,
    items: list[str],
    *,
    case_id: str | None = None,
    password: str | None = None,
    by: str | None = None,
) -> int:
    """`ika file`: each item is a path, or a DOC-ID to re-link to `case_id`. Every outcome is
    logged (`logger`); the filed documents are indexed together at the end. Returns how many
    failed."""
    from pipeline.filing.relink import is_doc_id, relink
    from pipeline.search import index_documents

    log = log_line
    failed = 0
    filed: list[str] = []
    try:
        for item in _expand(items, log):
            path = Path(item)
            if not path.exists() and is_doc_id(item):
                if not case_id:
                    raise IkaError(f"{item}: give --case CASE to re-link it")
                log(relink(arc, item, case_id, by=by))
                continue
            if not path.is_file() and not path.is_symlink():
                log(f"failed  {shown(item)}: no such file")
                failed += 1
                continue
            outcome = process(arc, path, case_id=case_id, password=password, by=by, log=log,
                              index=False)
            log_outcome(arc, outcome)
            if outcome.status == "filed" and outcome.doc_id:
                filed.append(outcome.doc_id)
            elif outcome.status != "duplicate":  # a duplicate is already safe in the archive
                failed += 1
    finally:
        if filed:  # one index commit for the whole batch
            index_documents(arc, filed)
    return failed


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
        if name.endswith(".reason.txt"):
            name = name[: -len(".reason.txt")]
        candidates = [arc.failed / name, Path(name)]
        hit = next((c for c in candidates
                    if c.is_file() and locate(c, (arc.failed,)) is not None), None)
        if hit is None:
            raise IkaError(f"{shown(name)!r} is not in {arc.failed}; `ika retry` with no name "
                           "retries everything there")
        if hit not in found:
            found.append(hit)
    return found


def _expand(items: list[str], log: Log) -> Iterator[str]:
    """Folders stand for the documents inside them (temporary and system files left out)."""
    from pipeline.filing.watcher import scan

    for item in items:
        path = Path(item)
        if path.is_dir() and not path.is_symlink():
            yield from (str(p) for p in scan(path, problems=lambda p, why: log(
                f"skipped {shown(p)}: {why}")))
        else:
            yield item


def _file(
    arc: Archive, snap: Snapshot, place: Place | None, *,
    case_id: str | None, password: str | None, by: str | None, log: Log | None,
    index: bool, ocr: bool,
) -> Outcome:
    """File the private copy taken of `snap.path`."""
    from pipeline.filing.caselink import CaseLink, best_suggestion, find_case, open_cases
    from pipeline.register.cases import get_case

    path = snap.path
    rel = PurePath(shown(place.rel.as_posix())) if place else None
    source = f"{place.folder.name}/{rel.as_posix()}" if place and rel else None
    sha = snap.sha256  # the private copy's, taken while copying: the only hash of it
    earlier = find_by_sha(arc, sha)  # the preflight check: a duplicate skips extraction, OCR
    if earlier is not None:
        if source is not None and earlier.source == source and _left_behind(arc, snap, earlier):
            return Outcome(path, "filed", earlier.id, earlier.case_id, arc.root / earlier.path,
                           how="already filed from this inbox path: finished")
        return _duplicate(arc, path, earlier.id, place, by, case_id)
    if case_id:
        case_id = get_case(arc, case_id).id  # an unknown case fails before any OCR
    meta = _read(arc, snap, password, log, ocr)
    if case_id:
        link = CaseLink(case_id, "given")
    else:
        link = find_case(arc, rel_path=rel or PurePath(shown(path.name)), text=meta.text)
    events = (("doc.unassigned", link.note),) if link.note and not link.case_id else ()
    done: list[int] = []  # steps the document completes on its case
    try:
        filed = file_document(arc, snap.copy, kind="filed", name=shown(path.name),
                              case_id=link.case_id, source=source, meta=meta, by=by,
                              index=index, extra_events=events, sha=sha,
                              in_transaction=_moves_case(arc, link.case_id, meta, done))
    except DuplicateDocument as exc:  # another filer registered the same bytes just now
        return _duplicate(arc, path, exc.doc_id, place, by, link.case_id)
    finally:
        if meta.ocr_pdf is not None:
            meta.ocr_pdf.unlink(missing_ok=True)
    if log and done:
        steps = " and ".join(str(n) for n in done)
        log(f"        {link.case_id}: step {steps} done (negotiated document filed)")
    note = link.note
    if not link.case_id:
        suggested = best_suggestion(open_cases(arc), meta.type, meta.countries)
        if suggested:
            note = f"{note}; " if note else ""
            note += f"suggested case {suggested}: `ika file {filed.doc_id} --case {suggested}`"
    return Outcome(path, "filed", filed.doc_id, link.case_id, filed.path, how=link.how,
                   note=note)


def _left_behind(arc: Archive, snap: Snapshot, earlier: Any) -> bool:
    """Is the entry taken the very file `earlier` was filed from, left in the inbox (or
    failed/) by a run stopped between the register's commit and the entry's removal? Then
    filing it is only finished. It is when its inode has not changed since before the
    archive's copy was written: its ctime, which no program can set, is older than that
    copy's mtime. The same bytes dropped again under the same name after the filing are a
    new file, made after it: a duplicate, recorded like any other."""
    try:
        stored = os.stat(arc.root / earlier.path)
    except OSError:  # the archive's copy is gone: not finished here (_duplicate says why)
        return False
    return snap.ident.ctime_ns < stored.st_mtime_ns


def _moves_case(arc: Archive, case_id: str | None, meta: Metadata,
                done: list[int]) -> Callable[[Connection, str], None] | None:
    """What filing the document does to its case, through the case operations: steps 8 and
    9, done by the system, when it is the negotiated instrument — an instrument by its kind,
    and the case's type and counterparts by its own text (before it takes the case's fields).
    file_document runs it in the transaction that registers the document, with the case as
    the write lock shows it: the document and the steps commit together or not at all. The
    steps done are added to `done`."""
    if case_id is None:
        return None

    def move(conn: Connection, doc_id: str) -> None:
        from sqlalchemy import select

        from pipeline.clock import today
        from pipeline.filing.caselink import facts, is_negotiated_instrument
        from pipeline.register import cases as case_ops
        from pipeline.register.store import cases, documents
        from pipeline.vocab.kinds import INSTRUMENT

        kind = conn.execute(select(documents.c.kind).where(documents.c.id == doc_id)).scalar()
        row = conn.execute(select(cases).where(cases.c.id == case_id)).first()
        if kind != INSTRUMENT or row is None:  # a letter about the instrument moves nothing
            return
        if is_negotiated_instrument(facts(row), meta.type, meta.countries):
            done.extend(case_ops.complete_by_filing(arc, conn, case_id, today()))

    return move


def _duplicate(arc: Archive, path: Path, doc_id: str, place: Place | None,
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


def _read(arc: Archive, snap: Snapshot, password: str | None, log: Log | None,
          ocr: bool) -> Metadata:
    """Extract and classify the private copy; OCR works in a job folder beside it."""
    from pipeline.filing.classify import classify
    from pipeline.filing.extract import extract

    s = arc.settings
    name = shown(snap.path.name)
    progress = (lambda m: log(f"        {name}: {m}")) if log else None
    ex = extract(snap.copy, work_dir=snap.copy.parent / "extract", password=password,
                 languages=s.ocr_languages, progress=progress, ocr=ocr,
                 max_pages=s.max_pages, max_seconds=s.max_seconds_per_document)
    cls = classify(ex.text, filename=name)
    # The member states a text lists for its groupings count as its countries too (issue
    # 11): an EFTA–Croatia agreement is found by searching for Norway.
    countries = tuple(dict.fromkeys(cls.countries + cls.members))
    return Metadata(
        text=ex.text, title=cls.title, countries=countries + cls.groupings,
        type=cls.type, level=cls.level, language=cls.language, signed_date=cls.signed_date,
        signed_place=cls.signed_place, method=ex.method, ocr_pdf=ex.ocr_pdf,
        media=_suffix(snap.path.name).lstrip(".") or None,
    )


# -- failed/ -----------------------------------------------------------------------------------

REASON_SUFFIX = ".reason.txt"
NAME_MAX = 255
# A name in failed/ leaves room for ".reason.txt" (its reason file) and a "-99" to tell it
# from another of the same name: a 245–255-byte name is shortened, never refused.
FAILED_NAME_MAX = NAME_MAX - len(REASON_SUFFIX) - 8


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


def _quarantine_entry(arc: Archive, place: Place, reason: str, kind: str | None,
                      mover: Callable[[Path], None]) -> Path:
    """Write the reason file in failed/, then move the entry beside it with `mover`; the
    reason file is written first, so a crash in between leaves the document in the inbox,
    not lost. A document retried from failed/ that fails again stays, with a new reason."""
    if place.folder == arc.failed:
        dest = place.real.joinpath(*place.rel.parts)
        _write_reason(arc, dest, reason, dest, kind)
        return dest
    arc.failed.mkdir(parents=True, exist_ok=True)
    for _ in range(100):  # another filer may take the same free name at the same moment
        dest = _free_failed_dest(arc, place.rel)
        dest.parent.mkdir(parents=True, exist_ok=True)
        try:
            _write_reason(arc, dest, reason, place.folder.joinpath(*place.rel.parts), kind,
                          exclusive=True)
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

    return _quarantine_entry(arc, place, reason, kind, mover)


def _write_reason(arc: Archive, dest: Path, reason: str, original: Path,
                  kind: str | None, exclusive: bool = False) -> None:
    """Write `<dest>.reason.txt` (whole, through a temporary file); `exclusive`: never over
    another document's reason file (FileExistsError)."""
    name = shown(dest.name)
    for base in (arc.failed, Path(os.path.realpath(arc.failed))):
        if dest.is_relative_to(base):
            name = shown(dest.relative_to(base).as_posix())
            break
    what = f"{kind} — {KINDS[kind]}" if kind in KINDS else (kind or "-")
    text = (
        f"{shown(reason)}\n\n"
        f"kind:     {what}\n"
        f"file:     {shown(original.name)}\n"
        f"from:     {shown(original)}\n"
        f"when:     {now():%Y-%m-%d %H:%M:%S}\n"
        f"retry:    ika retry \"{name}\"  (add --password PW for an encrypted file;\n"
        f"          or ika file \"{shown(dest)}\" --case CASE to choose the case)\n"
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
