"""One file from the inbox (or `ika file`) to exactly one outcome: filed, or failed/ with a
reason a clerk can act on. The watcher and `ika file` both call `process`."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePath

from .archive import Archive
from .clock import now
from .errors import FilingError, IkaError
from .filing import Metadata, file_document, find_by_sha, sha256_of

Log = Callable[[str], None]


@dataclass(frozen=True)
class Outcome:
    path: Path
    status: str  # filed | failed | skipped
    doc_id: str | None = None
    case_id: str | None = None
    dest: Path | None = None
    reason: str | None = None
    how: str | None = None  # how the case was found

    def line(self, arc: Archive) -> str:
        name = _shown(self.path, arc)
        if self.status == "filed":
            case = f" case {self.case_id}" if self.case_id else " unassigned"
            how = f" ({self.how})" if self.how and self.how != "unassigned" else ""
            return f"filed   {name} -> {self.doc_id}{case}{how}"
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
        reason = exc.reason
    except OSError as exc:  # the file vanished or became unreadable mid-way: try again later
        return Outcome(path, "skipped", reason=f"{exc.strerror or exc}; will retry")
    except IkaError:
        raise  # the request itself is wrong (unknown case ...): nothing to quarantine
    except Exception as exc:
        if type(exc).__module__.startswith("sqlalchemy"):  # register busy: retry later
            return Outcome(path, "skipped", reason=f"register busy ({type(exc).__name__})")
        reason = f"could not be processed ({type(exc).__name__}: {exc}); report this"
    else:
        if folder is not None:
            path.unlink(missing_ok=True)
            if folder == arc.failed:
                path.with_name(path.name + ".reason.txt").unlink(missing_ok=True)
        return outcome
    reason = reason.splitlines()[0] if reason else "could not be filed"
    if folder is not None and path.exists():
        quarantine(arc, path, rel or PurePath(path.name), reason)
    return Outcome(path, "failed", reason=reason)


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
            else:
                failed += 1
    finally:
        if filed:  # one index commit for the whole batch
            index_documents(arc, filed)
    return failed


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
    from .caselink import find_case
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
        raise FilingError(
            f"duplicate of {earlier.id} ({earlier.name}, filed {earlier.filed_at:%Y-%m-%d}); "
            "nothing to do", "duplicate",
        )
    if case_id:
        case_id = get_case(arc, case_id)["id"]  # an unknown case fails before any OCR
    meta = _read(arc, path, password, log)
    if case_id:
        how = "given"
    else:
        case_id, how = find_case(arc, rel_path=rel or PurePath(path.name), text=meta.text,
                                 countries=meta.countries, type_=meta.type)
    try:
        filed = file_document(arc, path, kind="filed", name=path.name, case_id=case_id,
                              source=source, meta=meta, by=by, index=index)
    finally:
        if meta.ocr_pdf is not None:
            meta.ocr_pdf.unlink(missing_ok=True)
    if log and filed.completed_steps:
        steps = " and ".join(str(n) for n in filed.completed_steps)
        log(f"        {case_id}: step {steps} done (negotiated document filed)")
    return Outcome(path, "filed", filed.doc_id, case_id, filed.path, how=how)


def _read(arc: Archive, path: Path, password: str | None, log: Log | None) -> Metadata:
    """Extract and classify; the OCR copy is made in a private work folder."""
    from .classify import classify
    from .extract import extract

    work = arc.root / ".work"
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


def quarantine(arc: Archive, path: Path, rel: PurePath, reason: str) -> Path:
    """Move `path` to failed/ with `<name>.reason.txt` beside it; the reason file is written
    first, so a crash in between leaves the document in the inbox, not lost."""
    arc.failed.mkdir(parents=True, exist_ok=True)
    dest = arc.failed / rel
    if dest.resolve() == path.resolve():  # retried from failed/ and failed again
        _write_reason(path, reason, path)
        return path
    dest.parent.mkdir(parents=True, exist_ok=True)
    n = 1
    while dest.exists() or dest.with_name(dest.name + ".reason.txt").exists():
        dest = dest.with_name(f"{Path(rel.name).stem}-{n}{Path(rel.name).suffix}")
        n += 1
    _write_reason(dest, reason, path)
    try:
        os.replace(path, dest)
    except OSError:  # another file system (a network share): copy, then delete
        shutil.copy2(path, dest)
        path.unlink(missing_ok=True)
    return dest


def _write_reason(dest: Path, reason: str, original: Path) -> None:
    text = (
        f"{reason}\n\n"
        f"file:     {original.name}\n"
        f"from:     {original}\n"
        f"when:     {now():%Y-%m-%d %H:%M:%S}\n"
        f"retry:    ika file \"{dest}\"  (add --password PW for an encrypted file,\n"
        f"          --case CASE to choose the case)\n"
    )
    reason_path = dest.with_name(dest.name + ".reason.txt")
    tmp = reason_path.with_name("." + reason_path.name + ".part")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, reason_path)
