"""One file from the inbox (or `ika file`) to exactly one outcome: filed; a duplicate of a
filed document (recorded on it, and removed from the inbox); or failed/ with a reason a clerk
can act on. The watcher, `ika file` and `ika retry` all call `process`.

A failure of ours (OCR cannot run, the disk is full, out of memory, a crash) is never called
"damaged": its reason says what failed and what to do, its kind is "error", and `ika retry`
files it once the cause is fixed.
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath

from .archive import Archive
from .clock import now
from .errors import DuplicateDocument, FilingError, IkaError
from .filing import Metadata, file_document, find_by_sha, sha256_of

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
    status: str  # filed | duplicate | failed | skipped
    doc_id: str | None = None
    case_id: str | None = None
    dest: Path | None = None
    reason: str | None = None
    how: str | None = None  # how the case was found
    kind: str | None = None  # of a failure: error (ours), damaged, encrypted ...
    note: str | None = None  # why a filed document waits unassigned; a suggested case

    def line(self, arc: Archive) -> str:
        name = _shown(self.path, arc)
        if self.status == "filed":
            case = f" case {self.case_id}" if self.case_id else " unassigned"
            how = f" ({self.how})" if self.how and self.how not in ("unassigned", "given") else ""
            note = f" ({self.note})" if self.note else ""
            return f"filed   {name} -> {self.doc_id}{case}{how}{note}"
        if self.status == "duplicate":
            return f"dup     {name}: {self.reason}"
        if self.status == "failed":
            return f"failed  {name}: {self.reason}"
        return f"skipped {name}: {self.reason}"


def _shown(path: Path, arc: Archive) -> str:
    try:
        return path.relative_to(arc.root).as_posix()
    except ValueError:
        return str(path)


def managed_folder(arc: Archive, path: Path) -> Path | None:
    """The inbox or failed/ folder holding `path`: files there are the archive's to move."""
    where = _located(path)
    for folder in (arc.inbox, arc.failed):
        if where.is_relative_to(folder.resolve()):
            return folder
    return None


def _located(path: Path) -> Path:
    """Where the entry itself is (its folder resolved, not what a link points to)."""
    return path.parent.resolve() / path.name


def process(
    arc: Archive,
    path: Path,
    *,
    case_id: str | None = None,
    password: str | None = None,
    by: str | None = None,
    log: Log | None = None,
    index: bool = True,
) -> Outcome:
    """File `path`. Files in the inbox (or failed/) are removed once filed and moved to
    failed/ with a reason when they cannot be; files elsewhere are left where they are."""
    path = Path(path)
    folder = managed_folder(arc, path)
    rel = _located(path).relative_to(folder.resolve()) if folder else None
    try:
        outcome = _file(arc, path, rel, folder, case_id=case_id, password=password,
                        by=by, log=log, index=index)
    except FilingError as exc:
        if exc.kind == "busy":  # still being written: the watcher sees it change and retries
            return Outcome(path, "skipped", reason=exc.reason)
        reason, kind = exc.reason, exc.kind
    except MemoryError:
        reason, kind = (f"ran out of memory on this server while reading it — {RETRY} when "
                        "the server is less busy"), OURS
    except OSError as exc:
        if exc.errno not in _DISK_FULL:  # vanished or unreadable mid-way: try again later
            return Outcome(path, "skipped", reason=f"{exc.strerror or exc}; will retry")
        reason, kind = f"the archive's disk is full ({exc.strerror}) — free space and {RETRY}", OURS
    except IkaError:
        raise  # the request itself is wrong (unknown case ...): nothing to quarantine
    except Exception as exc:
        if type(exc).__module__.startswith("sqlalchemy"):  # register busy: retry later
            return Outcome(path, "skipped", reason=f"register busy ({type(exc).__name__})")
        detail = f"{type(exc).__name__}: {exc}".splitlines()[0][:200]
        reason = (f"not filed because of an error on this server ({detail}); the document "
                  f"itself may be fine — {RETRY}, and report it if it fails again")
        kind = OURS
    else:
        if folder is not None and outcome.status in ("filed", "duplicate"):
            path.unlink(missing_ok=True)
            if folder == arc.failed:
                path.with_name(path.name + ".reason.txt").unlink(missing_ok=True)
        return outcome
    reason = reason.splitlines()[0] if reason else "could not be filed"
    if folder is not None and path.exists():
        try:
            quarantine(arc, path, rel or PurePath(path.name), reason, kind)
        except OSError as exc:  # e.g. no room even for the reason file: leave it where it is
            return Outcome(path, "skipped", reason=f"{reason} (not moved to failed/: "
                                                   f"{exc.strerror or exc})", kind=kind)
    return Outcome(path, "failed", reason=reason, kind=kind)


def file_many(
    arc: Archive,
    items: list[str],
    *,
    case_id: str | None = None,
    password: str | None = None,
    by: str | None = None,
    log: Log = print,
) -> int:
    """`ika file`: each item is a path, or a DOC-ID to re-link to `case_id`. Every outcome is
    logged; the filed documents are indexed together at the end. Returns how many failed."""
    from .relink import is_doc_id, relink
    from .search_sync import index_documents

    failed = 0
    filed: list[str] = []
    try:
        for item in _expand(items):
            path = Path(item)
            if not path.exists() and is_doc_id(item):
                if not case_id:
                    raise IkaError(f"{item}: give --case CASE to re-link it")
                log(relink(arc, item, case_id, by=by))
                continue
            if not path.is_file():
                log(f"failed  {item}: no such file")
                failed += 1
                continue
            outcome = process(arc, path, case_id=case_id, password=password, by=by, log=log,
                              index=False)
            log(outcome.line(arc))
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
    from .filters import is_ignored

    if not arc.failed.exists():
        return []
    return sorted(p for p in arc.failed.rglob("*")  # links are never filed: left out
                  if p.is_file() and not p.is_symlink() and not is_ignored(p, arc.failed))


def retry_paths(arc: Archive, names: Sequence[str] = ()) -> list[Path]:
    """The documents of failed/ that `ika retry NAME...` means: every one without names; a
    name is a path inside failed/ (as its reason file shows it), or the path of a file there.
    Raises IkaError, before anything is retried, for a name that is not there."""
    if not names:
        return failed_documents(arc)
    found: list[Path] = []
    root = arc.failed.resolve()
    for name in names:
        if name.endswith(".reason.txt"):
            name = name[: -len(".reason.txt")]
        candidates = [arc.failed / name, Path(name)]
        hit = next((c for c in candidates
                    if c.is_file() and _located(c).is_relative_to(root)), None)
        if hit is None:
            raise IkaError(f"{name!r} is not in {arc.failed}; `ika retry` with no name "
                           "retries everything there")
        if hit not in found:
            found.append(hit)
    return found


def _expand(items: list[str]) -> Iterator[str]:
    """Folders stand for the documents inside them (temporary and system files left out)."""
    from .filters import is_ignored

    for item in items:
        path = Path(item)
        if path.is_dir():
            for p in sorted(path.rglob("*")):
                if p.is_file() and not is_ignored(p, path):
                    yield str(p)
        else:
            yield item


def _file(
    arc: Archive, path: Path, rel: PurePath | None, folder: Path | None, *,
    case_id: str | None, password: str | None, by: str | None, log: Log | None,
    index: bool,
) -> Outcome:
    from .caselink import CaseLink, best_suggestion, find_case, open_cases
    from .cases import get_case

    if path.is_symlink():  # a link in a shared folder could point anywhere on the server
        raise FilingError("a link, not a document: put the file itself in the inbox",
                          "unsupported")
    try:
        st = path.stat()
    except OSError as exc:
        raise FilingError(f"cannot read the file: {exc.strerror}", "unreadable") from None
    limit = arc.settings.max_size_mb
    if st.st_size > limit * 1024 * 1024:
        raise FilingError(
            f"too large: {st.st_size / 1048576:.1f} MB, the limit is {limit:g} MB "
            f"(ika.toml [filing] max_size_mb)", "too-large",
        )
    if st.st_size == 0:
        raise FilingError("empty file (0 bytes): nothing to file", "empty")
    sha = sha256_of(path)
    source = f"{folder.name}/{rel.as_posix()}" if folder is not None and rel else None
    earlier = find_by_sha(arc, sha)
    if earlier is not None:
        if source is not None and earlier.source == source:  # interrupted after registering
            return Outcome(path, "filed", earlier.id, earlier.case_id, arc.root / earlier.path,
                           how="already filed from this inbox path: finished")
        return _duplicate(arc, path, earlier.id, folder, by, case_id)
    if case_id:
        case_id = get_case(arc, case_id)["id"]  # an unknown case fails before any OCR
    meta = _read(arc, path, password, log)
    if case_id:
        link = CaseLink(case_id, "given")
    else:
        link = find_case(arc, rel_path=rel or PurePath(path.name), text=meta.text)
    events = (("doc.unassigned", link.note),) if link.note and not link.case_id else ()
    try:
        filed = file_document(arc, path, kind="filed", name=path.name, case_id=link.case_id,
                              source=source, meta=meta, by=by, index=index,
                              extra_events=events)
    except DuplicateDocument as exc:  # another filer registered the same bytes just now
        return _duplicate(arc, path, exc.doc_id, folder, by, link.case_id)
    finally:
        if meta.ocr_pdf is not None:
            meta.ocr_pdf.unlink(missing_ok=True)
    if log and filed.completed_steps:
        steps = " and ".join(str(n) for n in filed.completed_steps)
        log(f"        {link.case_id}: step {steps} done (negotiated document filed)")
    note = link.note
    if not link.case_id:
        suggested = best_suggestion(open_cases(arc), meta.type, meta.countries)
        if suggested:
            note = f"{note}; " if note else ""
            note += f"suggested case {suggested}: `ika file {filed.doc_id} --case {suggested}`"
    return Outcome(path, "filed", filed.doc_id, link.case_id, filed.path, how=link.how,
                   note=note)


def _duplicate(arc: Archive, path: Path, doc_id: str, folder: Path | None,
               by: str | None, case_id: str | None = None) -> Outcome:
    """The same bytes are filed already: say so on that document, and (for a copy in the
    inbox or failed/) let the caller remove this one — but only while the archive's own copy
    is intact, so that nothing is lost."""
    from sqlalchemy import select

    from .register import documents, log_event

    with arc.register.read() as conn:
        row = conn.execute(select(documents).where(documents.c.id == doc_id)).first()
    stored = arc.root / row.path
    if not stored.is_file() or sha256_of(stored) != row.sha256:
        raise FilingError(
            f"duplicate of {doc_id}, but the archive's copy ({row.path}) is missing or changed "
            "— keep this file; run `ika verify` and tell IT", OURS,
        )
    if folder is None:
        where = "left where it is"
    else:
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


def _read(arc: Archive, path: Path, password: str | None, log: Log | None) -> Metadata:
    """Extract and classify; the OCR copy is made in a private work folder."""
    from .classify import classify
    from .extract import extract

    work = arc.root.resolve() / ".work"  # absolute: OCR runs in another working directory
    work.mkdir(exist_ok=True)
    progress = (lambda m: log(f"        {path.name}: {m}")) if log else None
    tmp = Path(tempfile.mkdtemp(dir=work, prefix=f"{os.getpid()}-"))
    try:
        ex = extract(path, work_dir=tmp, password=password,
                     languages=arc.settings.ocr_languages, progress=progress)
        cls = classify(ex.text, filename=path.name)
        ocr_keep = None
        if ex.ocr_pdf is not None:
            ocr_keep = work / f"{tmp.name}.ocr.pdf"
            shutil.move(ex.ocr_pdf, ocr_keep)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return Metadata(
        text=ex.text, title=cls.title, countries=cls.countries + cls.groupings,
        type=cls.type, level=cls.level, language=cls.language, signed_date=cls.signed_date,
        signed_place=cls.signed_place, method=ex.method, ocr_pdf=ocr_keep,
        media=path.suffix.lower().lstrip(".") or None,
    )


def quarantine(arc: Archive, path: Path, rel: PurePath, reason: str,
               kind: str | None = None) -> Path:
    """Move `path` to failed/ with `<name>.reason.txt` beside it; the reason file is written
    first, so a crash in between leaves the document in the inbox, not lost."""
    arc.failed.mkdir(parents=True, exist_ok=True)
    dest = arc.failed / rel
    if dest.resolve() == path.resolve():  # retried from failed/ and failed again
        _write_reason(arc, path, reason, path, kind)
        return path
    dest.parent.mkdir(parents=True, exist_ok=True)
    n = 1
    while dest.exists() or dest.with_name(dest.name + ".reason.txt").exists():
        dest = dest.with_name(f"{Path(rel.name).stem}-{n}{Path(rel.name).suffix}")
        n += 1
    _write_reason(arc, dest, reason, path, kind)
    try:
        os.replace(path, dest)
    except OSError:  # another file system (a network share): copy, then delete
        shutil.copy2(path, dest)
        path.unlink(missing_ok=True)
    return dest


def _write_reason(arc: Archive, dest: Path, reason: str, original: Path,
                  kind: str | None) -> None:
    name = _located(dest).relative_to(arc.failed.resolve()).as_posix()
    what = f"{kind} — {KINDS[kind]}" if kind in KINDS else (kind or "-")
    text = (
        f"{reason}\n\n"
        f"kind:     {what}\n"
        f"file:     {original.name}\n"
        f"from:     {original}\n"
        f"when:     {now():%Y-%m-%d %H:%M:%S}\n"
        f"retry:    ika retry \"{name}\"  (add --password PW for an encrypted file;\n"
        f"          or ika file \"{dest}\" --case CASE to choose the case)\n"
    )
    reason_path = dest.with_name(dest.name + ".reason.txt")
    tmp = reason_path.with_name("." + reason_path.name + ".part")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, reason_path)
