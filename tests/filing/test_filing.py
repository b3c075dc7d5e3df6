"""Filing through `ika file` and `ika watch --once`: outcomes, duplicates, fixity, case links."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import CORPUS, as_json

TEXT_PDF = CORPUS / "instruments" / "pta_334.pdf"  # NZ free trade agreement, text layer


def registered(archive: Path) -> list[tuple]:
    with sqlite3.connect(archive / "register.sqlite3") as db:
        return db.execute(
            "SELECT id, case_id, name, path, sha256, source FROM documents ORDER BY id"
        ).fetchall()


def drop(archive: Path, src: Path, rel: str | None = None) -> Path:
    dest = archive / "inbox" / (rel or src.name)
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dest)
    return dest


def test_text_pdf_is_filed_byte_for_byte_and_linked(ika, archive: Path) -> None:
    case_id = ika("case", "new", "--title", "FTA", "--type", "Perjanjian", "--country", "NZ",
                  "--division", "BKA", "--received", "2026-10-01").stdout.strip()
    drop(archive, TEXT_PDF, f"{case_id}/{TEXT_PDF.name}")  # the case named by its sub-folder
    out = ika("watch", "--once").stdout
    assert "filed" in out and "(inbox folder)" in out
    assert not any((archive / "inbox" / case_id).iterdir())
    (doc_id, linked, name, path, _sha, _source), = registered(archive)
    assert linked == case_id and name == "pta_334.pdf"
    stored = archive / path
    assert stored.read_bytes() == TEXT_PDF.read_bytes()
    assert stored.name.startswith("pta_334-") and path.startswith(f"files/{case_id}/")
    assert not os.access(stored, os.W_OK) or os.geteuid() == 0  # read-only (root can write)
    assert oct(stored.stat().st_mode)[-3:] == "444"
    history = as_json(ika("case", "show", case_id, "--json"))["history"]
    assert any(e["action"] == "doc.filed" and e["doc_id"] == doc_id for e in history)
    assert ika("verify").stdout.strip().endswith("0 problem(s)")


def test_same_bytes_twice_is_a_duplicate(ika, archive: Path) -> None:
    drop(archive, TEXT_PDF)
    ika("watch", "--once")
    drop(archive, TEXT_PDF, "again/copy of pta.pdf")
    out = ika("watch", "--once").stdout
    assert "duplicate of DOC-000001 (removed from inbox)" in out
    assert not (archive / "inbox" / "again" / "copy of pta.pdf").exists()
    assert not any((archive / "failed").rglob("*"))  # nothing for a clerk to clean up
    assert len(registered(archive)) == 1


def test_interrupted_after_registering_is_finished_not_duplicated(
        ika, archive: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The state a crash between the register's commit and the inbox removal leaves: the
    original still in the inbox, under the same name. (The same bytes dropped again after a
    filing that finished are a duplicate: tests/filing/test_hash_once.py.)"""
    from pipeline.filing.snapshot import Snapshot

    def killed(self: Snapshot) -> str | None:
        raise SystemExit(137)  # the process dies after the commit, before the removal

    drop(archive, TEXT_PDF)
    with monkeypatch.context() as m:
        m.setattr(Snapshot, "remove", killed)
        ika("watch", "--once", expect=None)
    assert (archive / "inbox" / TEXT_PDF.name).exists() and len(registered(archive)) == 1
    out = ika("watch", "--once").stdout
    assert "already filed from this inbox path" in out
    assert not (archive / "inbox" / TEXT_PDF.name).exists()
    assert not any((archive / "failed").iterdir())
    assert len(registered(archive)) == 1


def test_verify_catches_one_changed_byte_and_a_missing_file(ika, archive: Path) -> None:
    drop(archive, TEXT_PDF)
    drop(archive, CORPUS / "docx" / "tables.docx")
    ika("watch", "--once")
    rows = registered(archive)
    first = archive / rows[0][3]
    os.chmod(first, 0o644)
    data = bytearray(first.read_bytes())
    data[len(data) // 2] ^= 0x01
    first.write_bytes(bytes(data))
    res = ika("verify", expect=1)
    assert f"CHANGED  {rows[0][0]}" in res.stdout
    (archive / rows[1][3]).unlink()
    res = ika("verify", expect=1)
    assert f"MISSING  {rows[1][0]}" in res.stdout and "2 problem(s)" in res.stdout


def test_encrypted_pdf_fails_then_password_retry_files_it(ika, archive: Path) -> None:
    drop(archive, CORPUS / "pdf" / "password-protected.pdf")
    out = ika("watch", "--once").stdout
    assert "encrypted" in out
    failed = archive / "failed" / "password-protected.pdf"
    reason = failed.with_name(failed.name + ".reason.txt")
    assert failed.exists() and "password" in reason.read_text()
    res = ika("file", str(failed), "--password", "wrong", expect=1)
    assert "password" in res.stdout and failed.exists()
    res = ika("file", str(failed), "--password", "openpassword")
    assert "filed" in res.stdout
    assert not failed.exists() and not failed.with_name(failed.name + ".reason.txt").exists()
    assert len(registered(archive)) == 1


@pytest.mark.parametrize(
    "name, content, reason",
    [
        ("kosong.pdf", b"", "empty"),
        ("nota.xyz", b"\x00\x01\x02binary junk" * 10, "unsupported"),
    ],
)
def test_bad_files_get_a_reason(ika, archive: Path, name: str, content: bytes,
                                reason: str) -> None:
    (archive / "inbox" / name).write_bytes(content)
    ika("watch", "--once")
    assert reason in (archive / "failed" / f"{name}.reason.txt").read_text()
    assert (archive / "failed" / name).read_bytes() == content


def test_too_large_is_refused_by_the_setting(ika, archive: Path) -> None:
    toml = archive / "ika.toml"
    toml.write_text(toml.read_text().replace("max_size_mb = 200", "max_size_mb = 0.01"))
    drop(archive, TEXT_PDF)
    ika("watch", "--once")
    reason = (archive / "failed" / "pta_334.pdf.reason.txt").read_text()
    assert reason.startswith("too large") and "max_size_mb" in reason


def test_odd_file_names_are_filed(ika, archive: Path) -> None:
    names = ["Memorandum Persefahaman — Korea Selatan (draf 2).docx",
             "ملف عربي.docx", "x" * 245 + ".docx"]
    for n in names:
        data = (CORPUS / "docx" / "tables.docx").read_bytes() + n.encode()  # distinct bytes
        (archive / "inbox" / n).write_bytes(data)
    out = ika("watch", "--once").stdout
    assert out.count("filed ") == 3, out
    assert not any((archive / "inbox").iterdir())
    for _, _, name, path, _, _ in registered(archive):
        assert name in names and len(Path(path).name) < 120


def test_temporary_files_stay_in_the_inbox(ika, archive: Path) -> None:
    for n in ["~$Minit.docx", "upload.tmp", "Thumbs.db", ".DS_Store"]:
        (archive / "inbox" / n).write_bytes(b"x")
    ika("watch", "--once")
    assert sorted(p.name for p in (archive / "inbox").iterdir()) == sorted(
        ["~$Minit.docx", "upload.tmp", "Thumbs.db", ".DS_Store"])
    assert registered(archive) == []


def test_negotiated_document_completes_steps_8_and_9(ika, archive: Path) -> None:
    case_id = ika("case", "new", "--title", "FTA", "--type", "agreement", "--country", "Japan",
                  "--division", "BKA", "--received", "2026-09-01").stdout.strip()
    for n, day in [(1, "2026-09-02"), (2, "2026-09-10")]:
        ika("case", "done", case_id, str(n), "--date", day)
    ika("case", "decide", case_id, "--approve", "--date", "2026-09-11")
    for n, day in [(4, "2026-09-14"), (5, "2026-09-15"), (6, "2026-09-16")]:
        ika("case", "done", case_id, str(n), "--date", day)
    ika("case", "schedule", case_id, "--start", "2026-10-05")
    ika("case", "done", case_id, "7", "--date", "2026-10-07")
    drop(archive, CORPUS / "instruments" / "pta_20.docx", f"{case_id}/pta_20.docx")
    out = ika("watch", "--once").stdout
    assert "inbox folder" in out
    data = as_json(ika("case", "show", case_id, "--json"))
    assert data["status"] == "closed"
    events = [e for e in data["history"] if e["by"] == "system" and e["action"] == "step.done"]
    assert [e["note"][:6] for e in events] == ["step 8", "step 9"]


def test_unassigned_then_relinked(ika, archive: Path) -> None:
    drop(archive, CORPUS / "docx" / "tables.docx")
    ika("watch", "--once")
    rows = as_json(ika("unassigned", "--json"))
    assert [r["doc_id"] for r in rows] == ["DOC-000001"]
    case_id = ika("case", "new", "--title", "T", "--type", "mou", "--country", "SG",
                  "--division", "BKA").stdout.strip()
    assert "linked" in ika("file", "DOC-000001", "--case", case_id).stdout
    assert as_json(ika("unassigned", "--json")) == []
    assert registered(archive)[0][1] == case_id


def test_file_outside_inbox_is_left_in_place(ika, archive: Path, tmp_path: Path) -> None:
    src = tmp_path / "letter.docx"
    shutil.copyfile(CORPUS / "docx" / "tables.docx", src)
    case_id = ika("case", "new", "--title", "T", "--type", "mou", "--country", "SG",
                  "--division", "BKA").stdout.strip()
    ika("file", str(src), "--case", case_id)
    assert src.exists()
    assert registered(archive)[0][1] == case_id
    res = ika("file", str(tmp_path / "nope.pdf"), expect=1)
    assert "no such file" in res.stdout


def test_docx_with_external_entity_never_resolves_it(ika, archive: Path) -> None:
    drop(archive, CORPUS / "docx" / "external-entity.docx")
    ika("watch", "--once")
    with sqlite3.connect(archive / "register.sqlite3") as db:
        texts = [t for (t,) in db.execute("SELECT text FROM texts")]
    failed = list((archive / "failed").glob("*.reason.txt"))
    assert len(texts) + len(failed) == 1
    for t in texts:
        assert "root:" not in t and "/bin/" not in t


def test_manifest_reasons_are_json_free_one_liners(ika, archive: Path) -> None:
    drop(archive, CORPUS / "pdf" / "invalid.pdf")
    ika("watch", "--once")
    first = (archive / "failed" / "invalid.pdf.reason.txt").read_text().splitlines()[0]
    assert first.startswith("damaged") and "{" not in first
    assert json.dumps(first)  # printable


def test_bombs_are_quarantined_and_the_next_file_still_filed(ika, archive: Path) -> None:
    from tests.filing.test_extract import _png_header_bomb, _rewrite_zip

    inbox = archive / "inbox"
    _png_header_bomb(inbox / "imbasan besar.png", 30_000, 30_000)
    plain = (CORPUS / "docx" / "header-footer-unicode.docx").read_bytes()
    (inbox / "zip bomb.docx").write_bytes(
        _rewrite_zip(plain, {"word/media/image1.png": b"\0" * 50_000_000}))
    drop(archive, TEXT_PDF)
    out = ika("watch", "--once").stdout
    assert out.count("failed ") == 2 and out.count("filed ") == 1, out
    for name in ("imbasan besar.png", "zip bomb.docx"):
        reason = (archive / "failed" / f"{name}.reason.txt").read_text().splitlines()[0]
        assert "too large" in reason or "too-large" in reason or "large" in reason, reason


def test_a_folder_given_to_ika_file_files_its_documents(ika, archive: Path,
                                                          tmp_path: Path) -> None:
    folder = tmp_path / "dari pejabat"
    (folder / "sub").mkdir(parents=True)
    shutil.copyfile(TEXT_PDF, folder / "a.pdf")
    shutil.copyfile(CORPUS / "docx" / "tables.docx", folder / "sub" / "b.docx")
    (folder / "~$b.docx").write_bytes(b"lock")
    out = ika("file", str(folder)).stdout
    assert out.count("filed ") == 2 and "~$" not in out


def test_two_processes_racing_for_the_same_bytes_register_one(archive: Path,
                                                               tmp_path: Path) -> None:
    import subprocess
    import sys

    copies = []
    for n in range(4):
        p = tmp_path / f"copy{n}.pdf"
        shutil.copyfile(TEXT_PDF, p)
        copies.append(p)
    ika = [sys.executable, "-c", "import cli; cli.main()"]
    root = Path(__file__).resolve().parents[2]
    procs = [subprocess.Popen([*ika, "file", str(p), "--archive", str(archive)], cwd=root,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for p in copies]
    outs = [p.communicate(timeout=120)[0] for p in procs]
    assert sum(" filed   " in o for o in outs) == 1, outs
    assert sum("duplicate of DOC-000001" in o for o in outs) == 3, outs
    assert len(registered(archive)) == 1
    assert len([f for f in (archive / "files").rglob("*") if f.is_file()]) == 1


def test_a_symbolic_link_is_never_followed(ika, archive: Path, tmp_path: Path) -> None:
    secret = tmp_path / "rahsia.txt"
    secret.write_text("kata laluan pelayan", encoding="utf-8")
    (archive / "inbox" / "nota.txt").symlink_to(secret)
    ika("watch", "--once")
    assert registered(archive) == []
    reason = (archive / "failed" / "nota.txt.reason.txt").read_text()
    assert reason.startswith("a link, not a document")
    assert secret.read_text(encoding="utf-8") == "kata laluan pelayan"


def test_a_named_pipe_in_the_inbox_does_not_hang_the_watcher(ika, archive: Path) -> None:
    os.mkfifo(archive / "inbox" / "paip.pdf")
    drop(archive, TEXT_PDF)
    out = ika("watch", "--once").stdout
    assert out.count(" filed   ") == 1 and "paip" not in out
    assert (archive / "inbox" / "paip.pdf").exists()
