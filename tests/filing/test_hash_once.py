"""Issue 12 point 5: filing hashes a file once (the private copy's hash, computed while it is
copied), checks for a duplicate once before the work and once, authoritatively, under the
register's write lock; storing a document never moves a case — the caller does, through the
case operations, in the same transaction.

Counted, not mocked: every SHA-256 the process finishes (a wrapper round hashlib.sha256) and
every register query that looks a document up by its hash (SQLAlchemy's own statement hook).
The file system, the register and the `ika` command are real.

Also the known defects: the same bytes dropped again under the same inbox name after a
successful filing are a duplicate (a real resume after a crash is still finished); a plain
sub-folder of the inbox is no reason on the document; setting a failed document aside never
replaces a file already set aside under that name.
"""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import Result
from sqlalchemy import event
from sqlalchemy.engine import Engine

from tests.conftest import CORPUS, as_json

REAL_SHA256 = hashlib.sha256
TEXT_PDF = CORPUS / "instruments" / "pta_334.pdf"  # New Zealand FTA, a text layer: no OCR
JAPAN_FTA = CORPUS / "instruments" / "pta_20.docx"  # agreement between Japan and Malaysia
NOTE = CORPUS / "docx" / "tables.docx"  # no counterpart, no instrument type
BY_SHA = re.compile(r"WHERE documents\.sha256 = ", re.IGNORECASE)


def sha(data: bytes) -> str:
    return REAL_SHA256(data).hexdigest()


class Count:
    """What a run hashed and how often it looked a document up by its hash."""

    def __init__(self) -> None:
        self.digests: list[str] = []  # every hexdigest() finished, in order
        self.lookups = 0  # register queries `WHERE documents.sha256 = ?`
        self.verified: list[Path] = []  # archive copies re-hashed by store.sha256_of

    def hashes(self, data: bytes) -> int:
        """How many times these bytes were hashed, wherever they were read from."""
        return self.digests.count(sha(data))

    def reset(self) -> None:
        self.digests.clear()
        self.lookups = 0
        self.verified.clear()


@pytest.fixture
def count(monkeypatch: pytest.MonkeyPatch) -> Iterator[Count]:
    counted = Count()

    class Sha256:
        """hashlib.sha256, recording each finished hex digest."""

        def __init__(self, data: bytes = b"", **kw: object) -> None:
            self._h = REAL_SHA256(data, **kw)

        def update(self, data: bytes) -> None:
            self._h.update(data)

        def hexdigest(self) -> str:
            digest = self._h.hexdigest()
            counted.digests.append(digest)
            return digest

        def copy(self) -> Sha256:
            other = Sha256()
            other._h = self._h.copy()
            return other

        def __getattr__(self, name: str) -> object:
            return getattr(self._h, name)

    monkeypatch.setattr(hashlib, "sha256", Sha256)

    from pipeline.filing import preflight, store

    real_sha256_of = store.sha256_of

    def sha256_of(path: Path) -> str:
        counted.verified.append(Path(path))
        return real_sha256_of(path)

    monkeypatch.setattr(store, "sha256_of", sha256_of)
    monkeypatch.setattr(preflight, "sha256_of", sha256_of)

    def on_sql(conn, cursor, statement, params, context, executemany) -> None:
        if BY_SHA.search(statement):
            counted.lookups += 1

    event.listen(Engine, "before_cursor_execute", on_sql)
    try:
        yield counted
    finally:
        event.remove(Engine, "before_cursor_execute", on_sql)


def drop(archive: Path, src: Path | bytes, rel: str) -> Path:
    dest = archive / "inbox" / rel
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(src if isinstance(src, bytes) else src.read_bytes())
    return dest


def docs(archive: Path) -> list[sqlite3.Row]:
    with sqlite3.connect(archive / "register.sqlite3") as db:
        db.row_factory = sqlite3.Row
        return db.execute("SELECT * FROM documents ORDER BY id").fetchall()


def events(archive: Path, action: str) -> list[sqlite3.Row]:
    with sqlite3.connect(archive / "register.sqlite3") as db:
        db.row_factory = sqlite3.Row
        return db.execute("SELECT * FROM events WHERE action = ? ORDER BY id",
                          (action,)).fetchall()


def new_case(ika: Callable[..., Result], type_: str, country: str) -> str:
    return ika("case", "new", "--title", "Rundingan", "--type", type_, "--country", country,
               "--division", "KKA", "--source", "embassy", "--received", "2026-09-01"
               ).stdout.strip()


def to_step_8(ika: Callable[..., Result], case_id: str) -> None:
    for n, day in [(1, "2026-09-02"), (2, "2026-09-10")]:
        ika("case", "done", case_id, str(n), "--date", day)
    ika("case", "decide", case_id, "--approve", "--date", "2026-09-11")
    for n, day in [(4, "2026-09-14"), (5, "2026-09-15"), (6, "2026-09-16")]:
        ika("case", "done", case_id, str(n), "--date", day)
    ika("case", "schedule", case_id, "--start", "2026-10-05")
    ika("case", "done", case_id, "7", "--date", "2026-10-07")


def steps_done(ika: Callable[..., Result], case_id: str) -> set[int]:
    data = as_json(ika("case", "show", case_id, "--json"))
    return {s["n"] for s in data["steps"] if s["status"] == "done"}


# --- hashes and duplicate checks, counted ---------------------------------------------------


def test_a_dropped_file_is_hashed_once_and_looked_up_twice(ika, archive: Path,
                                                           count: Count) -> None:
    """watcher -> intake -> snapshot -> extract -> store: the private copy's hash, taken while
    copying, is the only one; one preflight lookup, one under the write lock."""
    data = TEXT_PDF.read_bytes()
    entry = drop(archive, data, "pta.pdf")
    out = ika("watch", "--once").stdout
    assert "filed" in out and not entry.exists()
    (row,) = docs(archive)
    assert row["sha256"] == sha(data)
    assert (archive / row["path"]).read_bytes() == data
    assert count.hashes(data) == 1, count.digests
    assert count.lookups == 2


def test_a_file_given_to_ika_file_is_hashed_once(ika, archive: Path, tmp_path: Path,
                                                 count: Count) -> None:
    src = tmp_path / "surat.txt"
    src.write_text("Surat kepada Bahagian. " * 200, encoding="utf-8")
    ika("file", str(src))
    assert src.exists()  # outside the inbox: left where it is
    assert count.hashes(src.read_bytes()) == 1, count.digests
    assert count.lookups == 2


def test_a_duplicate_is_hashed_once_and_looked_up_once(ika, archive: Path,
                                                       count: Count) -> None:
    """A duplicate stops at the preflight lookup, before any extraction; the archive's own
    copy is re-hashed once to make sure it is intact before the dropped one is removed."""
    data = TEXT_PDF.read_bytes()
    drop(archive, data, "pta.pdf")
    ika("watch", "--once")
    count.reset()
    drop(archive, data, "salinan/pta lagi.pdf")
    out = ika("watch", "--once").stdout
    assert "duplicate of DOC-000001 (removed from inbox)" in out
    stored = archive / docs(archive)[0]["path"]
    assert count.verified == [stored]  # the archive's copy, checked before letting go
    assert count.hashes(data) == 2  # the dropped copy once, the archive's copy once
    assert count.lookups == 1


def test_a_generated_letter_is_hashed_once(ika, archive: Path, count: Count) -> None:
    case_id = new_case(ika, "mou", "Korea Selatan")
    count.reset()
    ika("doc", "make", case_id, "makluman-bahagian")
    (row,) = docs(archive)
    assert count.hashes((archive / row["path"]).read_bytes()) == 1, count.digests
    assert count.lookups == 0  # a generated letter is versioned, never a duplicate


# --- storing never moves a case; the caller does, in the same transaction ----------------------


def test_storing_a_document_does_not_move_its_case(ika, archive: Path) -> None:
    from pipeline.archive import open_archive
    from pipeline.filing.store import Metadata, file_document

    case_id = new_case(ika, "agreement", "Jepun")
    to_step_8(ika, case_id)
    meta = Metadata(text="Agreement between Japan and Malaysia", type="agreement",
                    countries=("JP",))
    filed = file_document(open_archive(archive), JAPAN_FTA, kind="filed", case_id=case_id,
                          meta=meta)
    assert filed.case_id == case_id
    assert steps_done(ika, case_id) == {1, 2, 3, 4, 5, 6, 7}


def test_the_inbox_completes_steps_8_and_9_in_the_filing_transaction(
        ika, archive: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The steps are done in the transaction that registers the document: if moving the case
    fails, the document is not registered either, and the next run files it and moves it."""
    from pipeline.register import cases

    case_id = new_case(ika, "agreement", "Jepun")
    to_step_8(ika, case_id)
    entry = drop(archive, JAPAN_FTA, f"{case_id}/pta_20.docx")
    real = cases.complete_by_filing

    def broken(*args: object, **kw: object) -> tuple[int, ...]:
        real(*args, **kw)  # type: ignore[arg-type]
        raise RuntimeError("the case could not be moved")

    monkeypatch.setattr(cases, "complete_by_filing", broken)
    ika("watch", "--once", expect=None)
    assert docs(archive) == [] and steps_done(ika, case_id) == {1, 2, 3, 4, 5, 6, 7}
    failed = archive / "failed" / case_id / "pta_20.docx"
    assert failed.exists() and not entry.exists()
    monkeypatch.setattr(cases, "complete_by_filing", real)
    out = ika("retry").stdout
    assert "step 8 and 9 done" in out
    assert steps_done(ika, case_id) == set(range(1, 10))
    (row,) = docs(archive)
    assert row["case_id"] == case_id
    notes = [e["note"] for e in events(archive, "step.done") if e["by"] == "system"]
    assert [n[:6] for n in notes] == ["step 8", "step 9"]


# --- defect: the same bytes dropped again under the same name ---------------------------------


def test_the_same_bytes_dropped_again_under_the_same_name_are_a_duplicate(
        ika, archive: Path) -> None:
    drop(archive, TEXT_PDF, "pta.pdf")
    ika("watch", "--once")
    entry = drop(archive, TEXT_PDF, "pta.pdf")  # filed and removed; dropped again later
    out = ika("watch", "--once").stdout
    assert "duplicate of DOC-000001 (removed from inbox)" in out
    assert "already filed" not in out
    assert not entry.exists() and not any((archive / "failed").rglob("*"))
    (dup,) = events(archive, "doc.duplicate")
    assert dup["doc_id"] == "DOC-000001" and "'inbox/pta.pdf'" in dup["note"]
    assert len(docs(archive)) == 1


def test_a_crash_between_storing_and_letting_go_is_finished(
        ika, archive: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A real resume: the process dies after the register's commit, before the inbox entry
    is removed. The next run recognises the very file it filed and only removes it."""
    from pipeline.filing.snapshot import Snapshot

    def killed(self: Snapshot) -> str | None:
        raise SystemExit(137)  # the process dies here, as a kill would stop it

    entry = drop(archive, TEXT_PDF, "sub/pta.pdf")
    with monkeypatch.context() as m:
        m.setattr(Snapshot, "remove", killed)
        ika("watch", "--once", expect=None)
    (row,) = docs(archive)
    assert entry.exists() and row["source"] == "inbox/sub/pta.pdf"
    out = ika("watch", "--once").stdout
    assert "already filed from this inbox path: finished" in out
    assert not entry.exists() and not any((archive / "failed").rglob("*"))
    assert events(archive, "doc.duplicate") == []
    assert len(docs(archive)) == 1


# --- defect: a plain sub-folder is no reason ---------------------------------------------------


def test_a_plain_sub_folder_is_no_reason_on_the_document(ika, archive: Path) -> None:
    case_id = new_case(ika, "mou", "Korea Selatan")
    drop(archive, NOTE.read_bytes() + b"1", "dari KLN/2026/nota.docx")
    drop(archive, NOTE.read_bytes() + b"2", f"{case_id.lower()}/nota.docx")
    out = ika("watch", "--once").stdout
    assert "names no case" not in out
    assert "not written as a case id" in out  # a case id written wrongly still says so
    assert all(r["case_id"] is None for r in docs(archive))
    (note,) = [e["note"] for e in events(archive, "doc.unassigned")]
    assert case_id.lower() in note
    reasons = {r["doc_id"]: r["reason"] for r in as_json(ika("unassigned", "--json"))}
    assert reasons == {"DOC-000001": None, "DOC-000002": note}


def test_a_plain_sub_folder_still_lets_the_file_name_link(ika, archive: Path) -> None:
    case_id = new_case(ika, "mou", "Korea Selatan")
    drop(archive, NOTE, f"dari KLN/nota {case_id}.docx")
    out = ika("watch", "--once").stdout
    assert "(file name)" in out
    assert docs(archive)[0]["case_id"] == case_id


# --- defect: setting aside never replaces ------------------------------------------------------


def test_setting_aside_never_replaces_what_was_set_aside_before(archive: Path) -> None:
    from pipeline.archive import open_archive
    from pipeline.filing.uploads import failed_queue, set_aside

    arc = open_archive(archive)
    kept = []
    for n, content in enumerate((b"\x00\x01 pertama", b"\x00\x02 kedua", b"\x00\x03 ketiga")):
        (archive / "failed").mkdir(exist_ok=True)
        (archive / "failed" / "rosak.bin").write_bytes(content)
        (archive / "failed" / "rosak.bin.reason.txt").write_text(f"rosak {n}\n")
        (entry,) = failed_queue(arc)
        kept.append(set_aside(arc, entry.id, reason=f"sebab {n}"))
    assert len(set(kept)) == 3
    assert [p.read_bytes()[:2] for p in kept] == [b"\x00\x01", b"\x00\x02", b"\x00\x03"]
    for n, p in enumerate(kept):
        assert f"sebab {n}" in p.with_name(p.name + ".reason.txt").read_text()
    assert not os.listdir(archive / "failed")


# --- a scan: the quick lane hands its private copy to the OCR lane -----------------------------

SCAN = CORPUS / "scans" / "phototest.tif"  # an image: no text without OCR


@pytest.mark.slow
def test_a_scan_is_copied_hashed_and_looked_up_once_across_both_lanes(
        ika, archive: Path, count: Count) -> None:
    """The watcher's quick lane takes the scan (one private copy, one hash, the preflight
    lookup) and finds it needs OCR; the OCR lane files that very copy: no second copy, no
    second hash, no second preflight — only the authoritative lookup under the write lock."""
    data = SCAN.read_bytes()
    entry = drop(archive, data, "imbasan/phototest.tif")
    out = ika("watch", "--once").stdout
    assert "queued" in out and "filed   inbox/imbasan/phototest.tif" in out, out
    assert not entry.exists()
    (row,) = docs(archive)
    assert row["sha256"] == sha(data) and row["method"] == "ocr"
    with sqlite3.connect(archive / "register.sqlite3") as db:
        (text,) = db.execute("SELECT text FROM texts WHERE doc_id = ?", (row["id"],)).fetchone()
    assert "quick brown dog" in text.lower()
    assert (archive / row["path"]).read_bytes() == data
    assert count.hashes(data) == 1, count.digests
    assert count.lookups == 2
    assert not list((archive / ".work").glob("*/file-*"))  # the private copy went with it


def _queued(arc: object, entry: Path, handoff: object = None) -> object:
    """The quick lane's outcome for `entry` (nothing is OCR'd)."""
    from pipeline.filing.intake import process

    return process(arc, entry, index=False, ocr=False, handoff=handoff)  # type: ignore[arg-type]


def test_a_handoff_goes_on_with_its_copy_only_while_the_entry_is_that_file(
        archive: Path, count: Count) -> None:
    """Unchanged, the entry goes on with the quick lane's copy and check (no second copy,
    hash or lookup). Rewritten while it waited, the copy is all that is left of the scan the
    clerk dropped: it is filed (OCR'd from that copy) as that document, the entry is left
    alone, and is then taken on its own as the file it is now (issue 9, "nothing lost")."""
    from pipeline.archive import open_archive
    from pipeline.filing.intake import process

    arc = open_archive(archive)
    first, second = SCAN.read_bytes(), (CORPUS / "scans" / "typewriter.png").read_bytes()
    entry = drop(archive, first, "imbasan.tif")
    queued = _queued(arc, entry)
    assert queued.status == "queued" and queued.handoff.sha256 == sha(first)
    job = queued.handoff.job
    assert job.is_dir() and queued.handoff.snap.fd < 0  # no descriptor held while it waits
    again = _queued(arc, entry, queued.handoff)
    assert again.handoff.job == job and again.handoff.sha256 == sha(first)
    assert count.hashes(first) == 1 and count.lookups == 1

    entry.write_bytes(second)  # the same inode, other bytes
    held = _queued(arc, entry, again.handoff)  # still the first scan's copy, nothing retaken
    assert held.status == "queued" and held.handoff.job == job
    assert held.handoff.sha256 == sha(first) and held.handoff.snap.detached
    assert count.hashes(second) == 0 and count.lookups == 1
    out = process(arc, entry, index=False, handoff=held.handoff)  # the OCR lane
    assert out.status == "filed" and out.kept, out
    assert "filed again as it is now" in (out.note or "")
    (row,) = docs(archive)
    assert row["sha256"] == sha(first) and row["source"] == "inbox/imbasan.tif"
    assert (archive / row["path"]).read_bytes() == first
    assert not job.exists() and entry.read_bytes() == second  # the new file: left alone
    assert count.hashes(first) == 1

    retaken = _queued(arc, entry)  # ... and taken on its own
    assert retaken.status == "queued" and retaken.handoff.sha256 == sha(second)
    retaken.handoff.discard()
    assert not retaken.handoff.job.exists() and entry.read_bytes() == second
    assert not list((archive / ".work").glob("*/file-*"))


def _handed(arc: object, entry: Path) -> object:
    """A handoff as the quick lane makes one (for a file that needs no OCR, so that the
    test needs none): the private copy taken and hashed, no descriptor held."""
    from pipeline import workdir
    from pipeline.filing.intake import Handoff, _place
    from pipeline.filing.preflight import take_entry

    job = workdir.scratch(arc.root, "file-")  # type: ignore[attr-defined]
    snap = take_entry(arc, entry, _place(arc, entry), job)  # type: ignore[arg-type]
    snap.close()
    return Handoff(snap, job)


def test_a_file_replaced_while_it_waits_is_filed_from_its_copy_and_the_new_one_on_its_own(
        archive: Path) -> None:
    """Another file moved over the entry while it waited: the handed-over copy is filed as
    the document dropped, never removing the new file; the new file is then filed on its
    own. Nothing twice, nothing left in the work folder."""
    from pipeline.archive import open_archive
    from pipeline.filing.intake import process

    arc = open_archive(archive)
    first, second = TEXT_PDF.read_bytes(), JAPAN_FTA.read_bytes()
    entry = drop(archive, first, "perjanjian.pdf")
    handoff = _handed(arc, entry)
    (archive / "inbox" / ".t").write_bytes(second)
    os.replace(archive / "inbox" / ".t", entry)  # mv -f: another file takes the name
    out = process(arc, entry, index=False, ocr=False, handoff=handoff)
    assert out.status == "filed" and out.kept and "another file" in (out.note or ""), out
    assert entry.read_bytes() == second and not handoff.job.exists()
    new = process(arc, entry, index=False, ocr=False)
    assert new.status == "filed" and not new.kept and not os.path.lexists(entry), new
    assert sorted(r["sha256"] for r in docs(archive)) == sorted([sha(first), sha(second)])
    assert not list((archive / ".work").glob("*/file-*"))
    assert not list((archive / "failed").iterdir())

    # The same bytes handed over twice (the new file was the same document): filed once.
    entry = drop(archive, first, "lagi.pdf")
    handoff = _handed(arc, entry)
    entry.unlink()
    entry.write_bytes(first)  # another inode, the same bytes
    dup = process(arc, entry, index=False, ocr=False, handoff=handoff)
    assert dup.status == "duplicate" and dup.kept and entry.exists(), dup
    again = process(arc, entry, index=False, ocr=False)
    assert again.status == "duplicate" and not os.path.lexists(entry), again
    assert len(docs(archive)) == 2


def test_a_replaced_file_whose_copy_cannot_be_filed_is_kept_in_failed(archive: Path) -> None:
    """The handed-over copy fails (damaged): its bytes go to failed/ with the reason
    (failed.keep_copy); the new file in the inbox is untouched and filed on its own."""
    from pipeline.archive import open_archive
    from pipeline.filing.intake import process

    arc = open_archive(archive)
    broken = b"%PDF-1.4\n" + os.urandom(2000)  # no PDF behind its header
    entry = drop(archive, broken, "rosak.pdf")
    handoff = _handed(arc, entry)
    entry.unlink()
    entry.write_bytes(TEXT_PDF.read_bytes())
    out = process(arc, entry, index=False, ocr=False, handoff=handoff)
    assert out.status == "failed" and out.dest is not None, out
    assert out.dest.read_bytes() == broken and out.dest.parent == archive / "failed"
    reason = out.dest.with_name(out.dest.name + ".reason.txt").read_text(encoding="utf-8")
    assert "another file now has its name" in reason
    assert entry.read_bytes() == TEXT_PDF.read_bytes() and not handoff.job.exists()
    assert docs(archive) == []
    new = process(arc, entry, index=False, ocr=False)
    assert new.status == "filed" and not os.path.lexists(entry), new
    assert not list((archive / ".work").glob("*/file-*"))


def test_a_file_taken_away_while_it_waits_is_let_go(archive: Path) -> None:
    """Gone from the inbox (the clerk took it back, or renamed it: the new name is a file of
    its own): its copy is let go, nothing is filed."""
    from pipeline.archive import open_archive
    from pipeline.filing.intake import process

    arc = open_archive(archive)
    entry = drop(archive, TEXT_PDF, "perjanjian.pdf")
    handoff = _handed(arc, entry)
    entry.unlink()
    out = process(arc, entry, index=False, ocr=False, handoff=handoff)
    assert out.status == "skipped" and not handoff.job.exists(), out
    assert docs(archive) == [] and not list((archive / "failed").iterdir())


def test_the_watcher_files_a_scan_replaced_in_its_ocr_queue_and_then_the_new_file(
        archive: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A real watcher run: the scan is replaced by another file just as the quick lane queues
    it for OCR. Both are filed, each once; the inbox and the work folder end empty."""
    from pipeline.archive import open_archive
    from pipeline.filing.watcher import Watcher

    arc = open_archive(archive)
    scan, other = SCAN.read_bytes(), TEXT_PDF.read_bytes()
    entry = drop(archive, scan, "imbasan.tif")
    w = Watcher(arc, poll=0.05, settle=0.0)
    to_ocr = w._to_ocr_lane

    def swap(path: Path, handoff: object) -> None:
        (archive / "inbox" / ".t").write_bytes(other)
        os.replace(archive / "inbox" / ".t", entry)
        to_ocr(path, handoff)  # type: ignore[arg-type]

    monkeypatch.setattr(w, "_to_ocr_lane", swap)
    w.once()
    assert sorted(r["sha256"] for r in docs(archive)) == sorted([sha(scan), sha(other)])
    statuses = [o.status for o in w.outcomes]
    assert statuses.count("filed") == 2, w.outcomes
    assert not os.path.lexists(entry) and not list((archive / "failed").iterdir())
    assert not list((archive / ".work").glob("*/file-*"))


def test_a_link_swapped_in_while_a_scan_waits_for_ocr_is_never_followed(
        archive: Path, tmp_path: Path) -> None:
    """The scan's copy is filed as the scan dropped; the link is refused on its own, as a
    link, and never followed."""
    from pipeline.archive import open_archive
    from pipeline.filing.intake import process

    arc = open_archive(archive)
    secret = tmp_path / "rahsia.txt"
    secret.write_text("RAHSIA", encoding="utf-8")
    entry = drop(archive, SCAN, "sub/imbasan.tif")
    queued = _queued(arc, entry)
    entry.unlink()
    entry.symlink_to(secret)
    out = process(arc, entry, index=False, handoff=queued.handoff)
    assert out.status == "filed" and out.kept, out
    (row,) = docs(archive)
    assert row["sha256"] == sha(SCAN.read_bytes()) and not queued.handoff.job.exists()
    assert entry.is_symlink()
    link = process(arc, entry, index=False)
    assert link.status == "failed" and "a link" in (link.reason or "")
    assert (archive / "failed" / "sub" / "imbasan.tif").is_symlink()
    assert len(docs(archive)) == 1 and secret.read_text(encoding="utf-8") == "RAHSIA"


def test_a_scan_opened_for_writing_while_it_waits_is_left_for_later(archive: Path) -> None:
    from pipeline.archive import open_archive

    arc = open_archive(archive)
    entry = drop(archive, SCAN, "imbasan.tif")
    queued = _queued(arc, entry)
    with open(entry, "ab"):  # a writer came back, has written nothing yet
        out = _queued(arc, entry, queued.handoff)
    assert out.status == "skipped" and out.kind == "busy", out
    assert not queued.handoff.job.exists() and entry.read_bytes() == SCAN.read_bytes()
