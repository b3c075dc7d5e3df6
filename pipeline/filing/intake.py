"""One file from the inbox (or `ika file`) to exactly one outcome: filed; a duplicate of a
filed document (recorded on it, and removed from the inbox); or failed/ with a reason a clerk
can act on. The watcher, `ika file` and `ika retry` all call `process`.

A failure of ours (OCR cannot run, the disk is full, out of memory, a crash) is never called
"damaged": its reason says what failed and what to do, its kind is "error", and `ika retry`
files it once the cause is fixed.

The parts, one job each: what filing ends in and its log (pipeline.filing.outcome); taking
the file and the duplicate check before the work, and the handoff from the watcher's quick
lane to its OCR lane (pipeline.filing.preflight); failed/ and its reason files
(pipeline.filing.failed); here, the pipeline itself: read, find the case, store, let go.
"""

from __future__ import annotations

import errno
import shutil
from collections.abc import Callable, Iterator
from contextlib import suppress
from dataclasses import replace
from pathlib import Path, PurePath

from sqlalchemy import Connection

from pipeline import workdir
from pipeline.archive import Archive
from pipeline.errors import DuplicateDocument, FilingError, IkaError
from pipeline.filing.extract import OcrNeeded
from pipeline.filing.failed import (
    FAILED_NAME_MAX,
    NAME_MAX,
    REASON_SUFFIX,
    failed_documents,
    quarantine,
    quarantine_snapshot,
    retry_paths,
)
from pipeline.filing.outcome import (
    KINDS,
    OURS,
    RETRY,
    Log,
    Outcome,
    log_line,
    log_outcome,
    log_relinked,
    logger,
)
from pipeline.filing.preflight import Handoff, check, duplicate, suffix, take_entry
from pipeline.filing.snapshot import Place, Snapshot, locate, shown
from pipeline.filing.store import Metadata, file_document

__all__ = [  # the filing's public names, importable from here as before the split
    "FAILED_NAME_MAX", "KINDS", "NAME_MAX", "OURS", "REASON_SUFFIX", "RETRY", "Handoff", "Log",
    "Outcome", "failed_documents", "file_many", "log_line", "log_outcome", "logger",
    "managed_folder", "process", "quarantine", "retry_paths",
]

_DISK_FULL = {errno.ENOSPC, errno.EDQUOT}


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
    handoff: Handoff | None = None,
) -> Outcome:
    """File `path`. Files in the inbox (or failed/) are removed once filed and moved to
    failed/ with a reason when they cannot be; files elsewhere are left where they are.

    The file is opened once and copied into this process's work folder (pipeline.filing.snapshot);
    everything after reads that copy. The inbox entry is removed or moved only while it is
    still the file that was taken. `ocr=False` (the watcher's quick lane) returns status
    "queued" for a document that needs OCR, touching nothing, with the `handoff` for the OCR
    lane: passed back here, the private copy already taken, hashed and checked is filed. If
    another file took the entry's place while it waited, that copy is still filed (or kept in
    failed/) as the file dropped, and the entry is left to be filed on its own; if the entry
    is gone or still being written, it is taken again as it is now (Handoff.resume)."""
    path = Path(path)
    snap = handoff.resume() if handoff is not None else None
    if handoff is not None and snap is not None:
        job, checked = handoff.job, True
    else:
        job, checked = workdir.scratch(arc.root, "file-"), False
        taken = take_entry(arc, path, _place(arc, path), job)
        if isinstance(taken, Outcome):
            shutil.rmtree(job, ignore_errors=True)
            return taken
        snap = taken
    handed = False
    try:
        with snap:
            outcome = _settle(arc, snap, checked=checked, case_id=case_id,
                              password=password, by=by, log=log, index=index, ocr=ocr)
        if outcome.status == "queued":
            handed = True
            return replace(outcome, handoff=Handoff(snap, job))
        return outcome
    finally:
        if not handed:
            shutil.rmtree(job, ignore_errors=True)


def _settle(arc: Archive, snap: Snapshot, *, checked: bool, case_id: str | None,
            password: str | None, by: str | None, log: Log | None, index: bool,
            ocr: bool) -> Outcome:
    """File the snapshot and let go of its entry; a failure becomes its outcome: the entry
    moved to failed/ with a reason, or (a passing cause) left for later."""
    path, place = snap.path, snap.place
    try:
        outcome = _file(arc, snap, checked=checked, case_id=case_id, password=password,
                        by=by, log=log, index=index, ocr=ocr)
    except OcrNeeded:
        return Outcome(path, "queued", reason="needs OCR")
    except FilingError as exc:
        if exc.kind == "busy":  # still being written: tried again when it settles
            if not _replaced(snap):
                return Outcome(path, "skipped", reason=exc.reason, kind="busy")
            reason, kind = (f"not filed: {exc.reason.split(';')[0]} — {RETRY}"), OURS
        else:
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
            if not _replaced(snap):
                return Outcome(path, "skipped", reason=f"register busy ({type(exc).__name__})",
                               kind="busy")
            reason = f"not filed: the register was busy ({type(exc).__name__}) — {RETRY}"
        else:
            detail = shown(f"{type(exc).__name__}: {exc}").splitlines()[0][:200]
            reason = (f"not filed because of an error on this server ({detail}); the "
                      f"document itself may be fine — {RETRY}, and report it if it fails "
                      "again")
        kind = OURS
    else:
        return _let_go(arc, snap, outcome)
    reason = reason.splitlines()[0] if reason else "could not be filed"
    if place is None:
        return Outcome(path, "failed", reason=reason, kind=kind)
    # Still the very file taken: it moves to failed/. Otherwise the bytes that failed exist
    # only in the private copy: that copy goes to failed/, and the entry is filed on its own.
    return quarantine_snapshot(arc, snap, place, reason, kind)


def _replaced(snap: Snapshot) -> bool:
    """Is the inbox (or failed/) entry no longer the file taken? Then a failure that would
    leave it for later (busy) must not let go of the private copy: it is the only one."""
    return snap.place is not None and snap.changed() is not None


def _let_go(arc: Archive, snap: Snapshot, outcome: Outcome) -> Outcome:
    """A filed (or duplicate) document: remove it from the inbox or failed/ only if it is
    still the file that was filed; otherwise leave it, to be filed again as it is now."""
    place = snap.place
    if place is None or outcome.status not in ("filed", "duplicate"):
        return outcome
    if snap.detached is not None:  # the private copy was filed; the entry is another file
        where = "the inbox" if place.folder == arc.inbox else f"{place.folder.name}/"
        done = ("filed as it was dropped, from the copy taken then" if outcome.status == "filed"
                else "the bytes dropped are in the archive already")
        left = (f"{done}; the file now in {where} "
                f"under its name is another ({snap.detached}): it is left there and filed "
                "again as it is now, on its own")
        return replace(outcome, kept=True,
                       note=f"{outcome.note}; {left}" if outcome.note else left)
    why = snap.remove()
    if why is None:
        if place.folder == arc.failed:
            reason_file = snap.path.with_name(snap.path.name + REASON_SUFFIX)
            with suppress(OSError):
                reason_file.unlink(missing_ok=True)
        return outcome
    where = "the inbox" if place.folder == arc.inbox else f"{place.folder.name}/"
    left = f"left in {where}: {why}"
    if "changed" in why or "another file" in why or "open for writing" in why:
        left += " — it is filed again as it is now"
    else:
        left += " — remove it by hand"
    return replace(outcome, kept=True, note=f"{outcome.note}; {left}" if outcome.note else left)


def file_many(
    arc: Archive,
    items: list[str],
    *,
    case_id: str | None = None,
    password: str | None = None,
    by: str | None = None,
) -> tuple[int, int]:
    """`ika file`: each item is a path, or a DOC-ID to re-link to `case_id`. Every outcome is
    logged (`logger`); the filed documents are indexed together at the end. Returns how many
    failed, and of how many considered (every path and DOC-ID, a folder's files each). A path
    inside an archive's own workings (pipeline.filing.own) is refused."""
    from pipeline.filing.own import refusal
    from pipeline.filing.relink import is_doc_id, relink
    from pipeline.search import index_documents

    log = log_line
    failed = considered = 0
    filed: list[str] = []
    try:
        for item in _expand(arc, items, log):
            considered += 1
            path = Path(item)
            if not path.exists() and is_doc_id(item):
                if not case_id:
                    raise IkaError(f"{item}: give --case CASE to re-link it")
                log_relinked(relink(arc, item, case_id, by=by))
                continue
            why = refusal(arc, path) if path.exists() or path.is_symlink() else None
            if why is not None:  # ika.toml, the register, the index ...: not documents
                log(f"failed  {shown(item)}: {why}")
                failed += 1
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
    return failed, considered


def _expand(arc: Archive, items: list[str], log: Log) -> Iterator[str]:
    """Folders stand for the documents inside them (temporary and system files left out); a
    folder of an archive's own workings (the archive itself, its files/, index/ ...) stands
    for itself, to be refused once."""
    from pipeline.filing.own import refusal
    from pipeline.filing.watcher import scan

    for item in items:
        path = Path(item)
        if path.is_dir() and not path.is_symlink() and refusal(arc, path) is None:
            yield from (str(p) for p in scan(path, problems=lambda p, why: log(
                f"skipped {shown(p)}: {why}")))
        else:
            yield item


def _file(
    arc: Archive, snap: Snapshot, *, checked: bool,
    case_id: str | None, password: str | None, by: str | None, log: Log | None,
    index: bool, ocr: bool,
) -> Outcome:
    """File the private copy taken of `snap.path`. `checked`: the preflight check was done
    already (by the watcher's quick lane, which handed the copy on) and found no duplicate."""
    from pipeline.filing.caselink import CaseLink, best_suggestion, find_case, open_cases
    from pipeline.register.cases import get_case

    path, place = snap.path, snap.place
    rel = PurePath(shown(place.rel.as_posix())) if place else None
    source = f"{place.folder.name}/{rel.as_posix()}" if place and rel else None
    sha = snap.sha256  # the private copy's, taken while copying: the only hash of it
    if not checked:  # the preflight check: a duplicate skips extraction, OCR
        earlier = check(arc, snap, source, by, case_id)
        if earlier is not None:
            return earlier
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
        return duplicate(arc, path, exc.doc_id, place if snap.detached is None else None, by,
                         link.case_id)
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
        text=ex.text, title=cls.title, countries=countries + cls.groupings, groupings=cls.blocs,
        type=cls.type, level=cls.level, language=cls.language, signed_date=cls.signed_date,
        signed_place=cls.signed_place, method=ex.method, ocr_pdf=ex.ocr_pdf,
        media=suffix(snap.path.name).lstrip(".") or None,
    )
