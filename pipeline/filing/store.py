"""The one function that files every document: generated letters and dropped files alike.

Order matters for crash safety: copy into a hidden temporary file beside its final name,
hashing the bytes on the way (fsync, read-only) — a dropped file's private copy comes hashed
already, by the snapshot that made it, and is not hashed again; then, holding the store lock
and the register's write lock, check for a duplicate, choose the name (a letter's version is
numbered here, so two processes never pick the same one), link the file to it — os.link
never replaces a file already there — and register it in the same transaction; then index.
A crash between the link and the commit leaves a file in files/ that the register does not
know: the next filer that wants its name adopts it (same bytes) or sets it aside to
.orphans/ with a reason; `ika verify` reports such files and `ika verify --repair` (and the
watcher at start) sets them aside. It never blocks a later filing, and the register never
points at a file that is not there. `source` (the inbox path) lets a restart finish work it
had already registered.

Storing a document never moves its case: a caller whose filing completes SOP steps does it
through the case operations (pipeline.register.cases), inside the same transaction, with the
`in_transaction` hook.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import re
import secrets
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, func, insert, select

from pipeline.archive import Archive
from pipeline.clock import now, today
from pipeline.errors import DuplicateDocument, FilingError
from pipeline.filing.document import DocumentRecord, document_record
from pipeline.register.store import cases, documents, log_event, texts

CHUNK = 1 << 20
MAX_STEM = 80  # characters of the original name kept in the stored name
MAX_STEM_BYTES = 160  # and bytes: names must fit the file system's 255 with their suffixes
STORE_LOCK = ".store.lock"
ORPHANS = ".orphans"  # files found in files/ that the register does not know, set aside


@dataclass(frozen=True)
class Filed:
    doc_id: str
    path: Path
    case_id: str | None
    step: int | None
    version: int
    sha256: str
    resumed: bool = False  # it had been filed already by an interrupted run
    inherited: tuple[str, ...] = ()  # fields taken from the case (its text gave none)


@dataclass(frozen=True)
class Metadata:
    """What is known about a document's content (from extraction and classification)."""

    text: str = ""
    title: str | None = None
    countries: tuple[str, ...] = ()
    groupings: tuple[str, ...] = ()  # every grouping that is a party (PIF, ECOWAS): for its kind
    type: str | None = None
    level: str | None = None
    language: str | None = None
    signed_date: date | None = None
    signed_place: str | None = None
    method: str | None = None
    media: str | None = None
    ocr_pdf: Path | None = None  # a searchable copy to keep beside the original


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


def safe_name(name: str, limit: int = MAX_STEM) -> str:
    """A recognisable, portable version of a file name: letters kept (Malay, Unicode),
    separators and control characters replaced, the stem cut to `limit` characters (and to
    MAX_STEM_BYTES bytes of UTF-8). Bytes that are not UTF-8 are written as \\xNN first."""
    name = name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    name = unicodedata.normalize("NFC", Path(name).name)
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem or len(ext) > 8:
        stem, ext = name, ""
    stem = re.sub(r"[\s/\\:*?\"<>|\x00-\x1f]+", "_", stem).strip("._") or "document"
    ext = re.sub(r"[^\w]", "", ext).lower()[:8]
    stem = stem[:limit]
    while len(stem.encode("utf-8")) > MAX_STEM_BYTES:
        stem = stem[:-1]
    return stem + (f".{ext}" if ext else "")


def find_by_sha(arc: Archive, sha: str) -> Any | None:
    with arc.register.read() as conn:
        return conn.execute(
            select(documents).where(documents.c.sha256 == sha).order_by(documents.c.id)
        ).first()


@contextmanager
def store_lock(arc: Archive) -> Iterator[None]:
    """Held while a document's files are linked into files/ and registered, and while files
    unknown to the register are set aside: whoever holds it sees files/ and the register
    agree, but for what a crashed process left. (SQLite's write lock alone would do; this
    lock makes it hold for any register, and for files set aside outside a transaction.)"""
    fd = os.open(arc.root / STORE_LOCK, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
        except OSError as exc:  # a file system without locks: the register's lock remains
            if exc.errno not in (errno.ENOLCK, errno.EINVAL, errno.EOPNOTSUPP):
                raise
        yield
    finally:
        os.close(fd)


def _stage(src: Path, folder: Path, sha: str | None = None) -> tuple[Path, str]:
    """Copy src into a hidden temporary file in `folder` (the same file system as its final
    name), fsync'd and read-only; linked to its name later. Returns it and the bytes' hash:
    computed while copying, or `sha` when the caller gives it — the hash of a private copy
    (pipeline.filing.snapshot) that nobody else writes, taken when that copy was made."""
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".{secrets.token_hex(6)}.{os.getpid()}.part"
    h = hashlib.sha256() if sha is None else None
    try:
        with open(src, "rb") as fin, open(tmp, "xb") as fout:
            while chunk := fin.read(CHUNK):
                if h is not None:
                    h.update(chunk)
                fout.write(chunk)
            fout.flush()
            os.fsync(fout.fileno())
        os.chmod(tmp, 0o444)  # filed documents are immutable
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp, sha if h is None else h.hexdigest()


def part_owner(name: str) -> int | None:
    """The pid in a temporary file's name (`.<token>.<pid>.part`), if it has one."""
    if not (name.startswith(".") and name.endswith(".part")):
        return None
    pid = name[: -len(".part")].rsplit(".", 1)[-1]
    return int(pid) if pid.isdigit() else None


def _registered(conn: Connection, rel: str) -> bool:
    hit = conn.execute(select(documents.c.id).where(
        (documents.c.path == rel) | (documents.c.ocr_path == rel)).limit(1)).first()
    return hit is not None


def set_aside(arc: Archive, path: Path, why: str, conn: Connection | None = None,
              by: str | None = None) -> Path:
    """Move a file the register does not know out of files/ into .orphans/ (same relative
    path, `-N` if taken), with a reason file beside it; never deleted. The caller holds the
    store lock. An event records it when a register connection is given."""
    rel = path.relative_to(arc.files)
    dest = arc.root / ORPHANS / rel
    dest.parent.mkdir(parents=True, exist_ok=True)
    n = 1
    while os.path.lexists(dest) or os.path.lexists(dest.with_name(dest.name + ".reason.txt")):
        dest = dest.with_name(f"{path.stem}-{n}{path.suffix}")
        n += 1
    note = (f"{why}\n\nfile:  files/{rel.as_posix()}\nwhen:  {now():%Y-%m-%d %H:%M:%S}\n"
            "It was not in the register, so no document pointed at it. Nothing was deleted; "
            "remove it once you are sure it is not needed.\n")
    dest.with_name(dest.name + ".reason.txt").write_text(note, encoding="utf-8")
    _rename_noreplace(path, dest)  # under the store lock: only we set files aside
    if conn is not None:
        log_event(conn, "file.set_aside", by=by or "system",
                  note=f"files/{rel.as_posix()} -> {dest.relative_to(arc.root).as_posix()}: "
                       f"{why}")
    return dest


def _link(arc: Archive, conn: Connection, tmp: Path, dest: Path, sha: str) -> str:
    """Give the staged file `tmp` the name `dest`, never replacing a file already there:
    os.link fails if the name exists. Under the store lock. Returns "linked", "adopted" (an
    unregistered identical file was there: a crash's copy, kept) or "taken" (a registered
    file has that name: the caller picks another)."""
    while True:
        try:
            os.link(tmp, dest)
            return "linked"
        except FileExistsError:
            pass
        except OSError as exc:  # a file system without hard links (some network shares)
            if exc.errno not in _NO_LINKS:
                raise
            if _rename_noreplace(tmp, dest):
                return "linked"
        rel = dest.relative_to(arc.root).as_posix()
        if _registered(conn, rel):
            return "taken"
        if dest.is_file() and not dest.is_symlink() and sha256_of(dest) == sha:
            return "adopted"
        set_aside(arc, dest, "left in files/ by an interrupted run (copied, never registered), "
                  "and in the way of a new document", conn)


_NO_LINKS = {errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EMLINK, errno.ENOSYS}


def _rename_noreplace(src: Path, dst: Path) -> bool:
    """Rename src to dst unless dst exists (False then); see snapshot.rename_noreplace."""
    from pipeline.filing.snapshot import rename_noreplace

    try:
        rename_noreplace(src, dst)
    except FileExistsError:
        return False
    return True


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def file_document(
    arc: Archive,
    src: Path,
    *,
    kind: str = "filed",
    name: str | None = None,
    case_id: str | None = None,
    step: int | None = None,
    source: str | None = None,
    meta: Metadata | None = None,
    by: str | None = None,
    on: date | None = None,
    version: int | None = None,
    index: bool = True,
    extra_events: tuple[tuple[str, str], ...] = (),
    sha: str | None = None,
    in_transaction: Callable[[Connection, str], None] | None = None,
) -> Filed:
    """File `src` into the archive and the register; return where it went.

    kind "generated": a letter made by `ika doc make`, named `name` (its document key), with
    versions; registered as kind `generated`. kind "filed": a document from the inbox or
    `ika file`, registered as `instrument` or `correspondence` (see `_kind_of`); refused as a
    duplicate when the same bytes were filed before (unless it is the same `source`: an
    interrupted run) — checked here once, authoritatively, under the register's write lock;
    the caller checks once before its own work (extraction, OCR) to skip it for a duplicate.
    `sha` is the hash of `src` when the caller has it (a private copy, hashed as it was
    made); else it is computed while `src` is copied into files/. Either way once.
    `version` files a rendition (the PDF) under the version of the document it was made from.
    `index=False` leaves indexing to the caller, who indexes a whole batch in one commit.
    `extra_events` are (action, note) pairs recorded on the new document in the same
    transaction (e.g. why it waits unassigned). `in_transaction(conn, doc_id)` runs last in
    the transaction that registers the document (not for a duplicate or a resumed filing):
    what the caller does because of it — moving the case through the SOP — commits with it
    or not at all.

    A case's documents are stored under files/<CASE-ID>/, documents with no case under
    files/unassigned/<YYYY>/. A dropped document filed into a case takes the case's
    counterparts, type and level where its own text gives none. Storing never moves the case:
    steps 8 and 9, done by the negotiated instrument, are the caller's (`in_transaction`).
    """
    meta = meta or Metadata()
    src = Path(src)
    size = src.stat().st_size
    filed_on = on or today()
    folder = arc.files / case_id if case_id else arc.files / "unassigned" / f"{filed_on.year}"
    key = (name or src.stem) if kind == "generated" else (name or src.name)
    tmp, sha = _stage(src, folder, sha)  # the slow part, outside any lock; hashed once
    ocr_tmp: Path | None = None
    ocr_sha: str | None = None
    made: list[Path] = []  # names linked by this call: removed again if it does not commit
    try:
        if meta.ocr_pdf is not None:
            ocr_tmp, ocr_sha = _stage(meta.ocr_pdf, folder)
        with store_lock(arc), arc.register.write() as conn:
            if kind == "filed":  # the authoritative check: two filers may race here
                clash = conn.execute(select(documents).where(documents.c.sha256 == sha)).first()
                if clash is not None:
                    return _lost_race(arc, clash, source)
            version, dest = _name(arc, conn, kind, key, src, folder, sha, tmp, case_id,
                                  version, made)
            ocr_rel = None
            if ocr_tmp is not None and ocr_sha is not None:
                ocr_dest = dest.with_name(dest.stem + ".ocr.pdf")
                placed = _link(arc, conn, ocr_tmp, ocr_dest, ocr_sha)
                if placed == "taken":
                    raise FilingError(f"{ocr_dest} belongs to another document — run "
                                      "`ika verify` and tell IT", "error")
                if placed == "linked":
                    made.append(ocr_dest)
                ocr_rel = ocr_dest.relative_to(arc.root).as_posix()
            _fsync_dir(folder)
            stored_kind = _kind_of(kind, meta)  # on its own text, before the case's fields
            meta, inherited = _with_case(conn, case_id, meta, kind)
            doc_id = _next_doc_id(conn)
            conn.execute(
                insert(documents).values(
                    id=doc_id, case_id=case_id, step=step, kind=stored_kind, name=key,
                    version=version, path=dest.relative_to(arc.root).as_posix(), sha256=sha,
                    size=size, source=source, media=meta.media or src.suffix.lower().lstrip("."),
                    title=meta.title, countries=json.dumps(list(meta.countries)),
                    type=meta.type, level=meta.level, language=meta.language,
                    signed_date=meta.signed_date, signed_place=meta.signed_place,
                    method=meta.method, ocr_path=ocr_rel, ocr_sha256=ocr_sha, filed_at=now(),
                )
            )
            conn.execute(insert(texts).values(doc_id=doc_id, text=meta.text or ""))
            note = f"{key} v{version}" if kind == "generated" else f"{key} ({size} bytes)"
            log_event(conn, f"doc.{kind}", by=by, case_id=case_id, doc_id=doc_id, note=note)
            if inherited:
                log_event(conn, "doc.inherited", by="system", case_id=case_id, doc_id=doc_id,
                          note=inherited_note(inherited, case_id))
            for action, text in extra_events:
                log_event(conn, action, by=by, case_id=case_id, doc_id=doc_id, note=text)
            if in_transaction is not None:  # the caller's own work, in this transaction
                in_transaction(conn, doc_id)
    except BaseException:
        for path in made:  # linked, never registered: referenced by nothing
            path.unlink(missing_ok=True)
        raise
    finally:
        tmp.unlink(missing_ok=True)
        if ocr_tmp is not None:
            ocr_tmp.unlink(missing_ok=True)
    if index:
        from pipeline.search import index_documents

        index_documents(arc, [doc_id])
    return Filed(doc_id, dest, case_id, step, version, sha, inherited=inherited)


def _name(arc: Archive, conn: Connection, kind: str, key: str, src: Path, folder: Path,
          sha: str, tmp: Path, case_id: str | None, version: int | None,
          made: list[Path]) -> tuple[int, Path]:
    """Choose the stored name and link the staged file to it, under the store lock.

    A generated document is `<key>-v<N>`, N numbered here, where no other process can take
    the same number; a given `version` (a PDF of that .docx) is kept. A dropped document is
    `<name>-<sha8>`, or `<name>-<sha16>[-N]` when a registered file has that name. A file the
    register does not know in the way (a crash's) is adopted when it is the same bytes, else
    set aside to .orphans/ — it never blocks."""
    suffix = src.suffix.lower()
    if kind == "generated":
        fixed = version is not None
        version = version or _next_version(conn, case_id, key, suffix)
        for _ in range(1000):
            dest = folder / f"{key}-v{version}{suffix}"
            placed = _link(arc, conn, tmp, dest, sha)
            if placed != "taken":
                if placed == "linked":
                    made.append(dest)
                return version, dest
            if fixed:
                raise FilingError(f"{dest} belongs to another document — run `ika verify` "
                                  "and tell IT", "error")
            version += 1
        raise FilingError(f"no free version for {key} in {folder}", "error")
    stored = safe_name(key)
    stem, _, ext = stored.rpartition(".")
    for n in range(1000):
        tag = sha[:8] if n == 0 else (sha[:16] if n == 1 else f"{sha[:16]}-{n}")
        dest = folder / (f"{stem}-{tag}.{ext}" if stem else f"{stored}-{tag}")
        placed = _link(arc, conn, tmp, dest, sha)
        if placed != "taken":
            if placed == "linked":
                made.append(dest)
            return 1, dest
    raise FilingError(f"no free name for {key} in {folder}", "error")


def _kind_of(origin: str, meta: Metadata) -> str:
    """The document's kind in the register: `generated` for `ika doc make`'s, else the one
    rule (pipeline.vocab.kinds.decide_kind) on its own text: instrument or correspondence."""
    from pipeline.vocab.kinds import GENERATED, decide_kind

    if origin == "generated":
        return GENERATED
    return decide_kind(meta.type, (*meta.countries, *meta.groupings), meta.text)


def _with_case(
    conn: Connection, case_id: str | None, meta: Metadata, kind: str
) -> tuple[Metadata, tuple[str, ...]]:
    """For a dropped document filed into a case: its metadata completed from the case where
    its text gives none, and the fields taken."""
    if kind != "filed" or not case_id:
        return meta, ()
    from dataclasses import replace

    from pipeline.filing.caselink import facts, inherit

    row = conn.execute(select(cases).where(cases.c.id == case_id)).first()
    if row is None:
        return meta, ()
    countries, type_, level, taken = inherit(facts(row), countries=meta.countries,
                                             type_=meta.type, level=meta.level)
    if taken:
        meta = replace(meta, countries=countries, type=type_, level=level)
    return meta, taken


def inherited_note(fields: tuple[str, ...], case_id: str) -> str:
    """The note of a doc.inherited event: 'countries, type, level from IKA-2026-0001'."""
    return f"{', '.join(fields)} from {case_id}"


def inherited_fields(note: str | None) -> tuple[str, ...]:
    """The fields named by a doc.inherited event's note."""
    if not note or " from " not in note:
        return ()
    return tuple(f.strip() for f in note.rsplit(" from ", 1)[0].split(","))


def _lost_race(arc: Archive, earlier: Any, source: str | None) -> Filed:
    """Another process registered the same bytes first: ours is the duplicate."""
    if source is not None and earlier.source == source:
        return _filed(arc, earlier, resumed=True)
    raise DuplicateDocument(f"duplicate of {earlier.id} ({earlier.name})", earlier.id)


def _filed(arc: Archive, row: Any, *, resumed: bool = False) -> Filed:
    return Filed(row.id, arc.root / row.path, row.case_id, row.step, row.version, row.sha256,
                 resumed=resumed)


def _next_version(conn: Connection, case_id: str | None, key: str, suffix: str) -> int:
    """The next version of a generated document, read under the register's write lock."""
    rows = conn.execute(
        select(documents.c.path, documents.c.version).where(
            documents.c.case_id == case_id, documents.c.name == key,
            documents.c.kind == "generated",
        )
    ).all()
    return 1 + max((r.version for r in rows if r.path.endswith(suffix)), default=0)


def _next_doc_id(conn: Connection) -> str:
    last = conn.execute(select(func.max(documents.c.id))).scalar()
    n = int(last.split("-")[1]) + 1 if last else 1
    return f"DOC-{n:06d}"


def documents_of(arc: Archive, case_id: str) -> list[DocumentRecord]:
    with arc.register.read() as conn:
        rows = conn.execute(
            select(documents).where(documents.c.case_id == case_id).order_by(documents.c.id)
        ).all()
    return [document_record(r) for r in rows]


def iter_documents(arc: Archive, doc_ids: Iterable[str] | None = None) -> list[DocumentRecord]:
    query = select(documents)
    if doc_ids is not None:
        query = query.where(documents.c.id.in_(list(doc_ids)))
    with arc.register.read() as conn:
        return [document_record(r) for r in conn.execute(query.order_by(documents.c.id))]
