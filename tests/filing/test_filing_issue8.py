"""Issue 8, the filing side: scans file under the README's own set-up (a relative archive, any
archive name); our own failures are retried, never called damaged; links only on evidence,
with suggestions; steps 8 and 9 only by the negotiated instrument; duplicates recorded and
removed; one folder per case. Real OCR, real register, real files; no mocks."""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cli import main
from tests.conftest import CORPUS, as_json

SCAN_PDF = CORPUS / "scans" / "linn.pdf"  # one scanned page, no text layer
SCAN_TIF = CORPUS / "scans" / "phototest.tif"
TEXT_PDF = CORPUS / "instruments" / "pta_334.pdf"  # New Zealand FTA, text layer
NOTE = CORPUS / "docx" / "tables.docx"  # no counterpart, no instrument type
JAPAN_FTA = CORPUS / "instruments" / "pta_20.docx"  # agreement between Japan and Malaysia
IKA_BIN = Path(sys.executable).with_name("ika")  # the venv's own `ika`, as `make run` runs it


def fast(root: Path) -> None:
    """A short settle time keeps `watch --once` quick."""
    toml = root / "ika.toml"
    toml.write_text(toml.read_text().replace("settle_seconds = 2.0", "settle_seconds = 0.2"))


def set_ocr_languages(root: Path, value: str) -> None:
    toml = root / "ika.toml"
    lines = [f'ocr_languages = "{value}"' if ln.startswith("ocr_languages =") else ln
             for ln in toml.read_text().splitlines()]
    toml.write_text("\n".join(lines) + "\n")


def docs(root: Path) -> list[sqlite3.Row]:
    with sqlite3.connect(root / "register.sqlite3") as db:
        db.row_factory = sqlite3.Row
        return db.execute("SELECT d.*, t.text FROM documents d JOIN texts t ON t.doc_id = d.id "
                          "ORDER BY d.id").fetchall()


def events(root: Path, action: str) -> list[sqlite3.Row]:
    with sqlite3.connect(root / "register.sqlite3") as db:
        db.row_factory = sqlite3.Row
        return db.execute("SELECT * FROM events WHERE action = ? ORDER BY id",
                          (action,)).fetchall()


def drop(root: Path, src: Path, rel: str | None = None, extra: bytes = b"") -> Path:
    dest = root / "inbox" / (rel or src.name)
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(src.read_bytes() + extra)
    return dest


def new_case(ika: Callable[..., Result], type_: str, country: str) -> str:
    return ika("case", "new", "--title", "Rundingan", "--type", type_, "--country", country,
               "--division", "BKA", "--received", "2026-09-01").stdout.strip()


def to_step_8(ika: Callable[..., Result], case_id: str) -> None:
    """Walk a case along the YA path up to step 8 (send AB the negotiated copy)."""
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


# --- 1. scans under the README's set-up: relative and odd archive paths ----------------------


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    """`ika ARGS` run from tmp_path, the archive named as `make run` names it: `archive`."""
    monkeypatch.setenv("IKA_TODAY", "2026-11-27")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    def run(*args: str, archive: str = "archive", expect: int | None = 0) -> Result:
        result = runner.invoke(main, [*args, "--archive", archive])
        if expect is not None:
            assert result.exit_code == expect, (result.exit_code, result.output)
        return result

    return run


@pytest.mark.slow
def test_watch_with_a_relative_archive_files_a_scanned_pdf_and_a_tiff(here, tmp_path) -> None:
    here("init")
    root = Path("archive")
    fast(root)
    drop(root, SCAN_PDF, "imbasan surat.pdf")
    drop(root, SCAN_TIF)
    out = here("watch", "--once").stdout
    assert out.count(" filed   ") == 2, out
    assert "failed" not in out.replace("0 failed", ""), out
    rows = {r["name"]: r for r in docs(tmp_path / "archive")}
    assert rows["imbasan surat.pdf"]["method"] == "ocr"
    assert "Linnaeus" in rows["imbasan surat.pdf"]["text"] or "Linn" in rows[
        "imbasan surat.pdf"]["text"]
    assert "quick brown" in rows["phototest.tif"]["text"].lower()
    for r in rows.values():
        assert (tmp_path / "archive" / r["ocr_path"]).is_file()
    assert not any((tmp_path / "archive" / "failed").iterdir())
    assert not list((tmp_path / "archive" / "inbox").rglob("*.*"))


@pytest.mark.slow
def test_ika_file_with_a_relative_archive_and_relative_paths(here, tmp_path) -> None:
    here("init")
    shutil.copyfile(SCAN_TIF, "phototest.tif")
    out = here("file", "phototest.tif").stdout
    assert " filed   phototest.tif -> DOC-000001 unassigned" in out, out
    (row,) = docs(tmp_path / "archive")
    assert row["method"] == "ocr" and "quick brown" in row["text"].lower()
    assert Path("phototest.tif").exists()  # a file outside the archive is left where it is


@pytest.mark.slow
@pytest.mark.parametrize("name", ["arkib ñ é/Fail Rasmi", "Arkib Bahagian Antarabangsa (KDN)"])
def test_an_archive_named_with_spaces_and_malay_letters(here, tmp_path, name) -> None:
    here("init", archive=name)
    fast(Path(name))
    drop(Path(name), SCAN_TIF, "Imbasan — Surat Perjanjian.tif")
    out = here("watch", "--once", archive=name).stdout
    assert " filed   " in out and "failed  " not in out, out
    absolute = str(tmp_path / name)  # and the same archive named by its absolute path
    shutil.copyfile(SCAN_PDF, tmp_path / "surat.pdf")
    out = here("file", str(tmp_path / "surat.pdf"), archive=absolute).stdout
    assert " filed   " in out, out
    assert [r["method"] for r in docs(Path(absolute))] == ["ocr", "ocr"]


@pytest.mark.slow
def test_make_run_command_line_files_a_scan(tmp_path: Path) -> None:
    """`make run`'s own commands, run as a clerk would: from the project's folder, with the
    archive named `archive` (here tmp_path stands for that folder)."""
    env = {**os.environ, "IKA_TODAY": "2026-11-27"}
    env.pop("IKA_ARCHIVE", None)
    init = subprocess.run([str(IKA_BIN), "init", "--archive", "archive"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert init.returncode == 0, init.stderr
    shutil.copyfile(SCAN_PDF, tmp_path / "archive" / "inbox" / SCAN_PDF.name)
    shutil.copyfile(SCAN_TIF, tmp_path / "archive" / "inbox" / SCAN_TIF.name)
    watch = subprocess.run([str(IKA_BIN), "watch", "--once", "--archive", "archive"],
                           cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert watch.returncode == 0, watch.stderr
    assert "2 file(s): 2 filed" in watch.stdout, watch.stdout
    assert not any((tmp_path / "archive" / "failed").iterdir())
    assert all(r["method"] == "ocr" and r["text"].strip() for r in docs(tmp_path / "archive"))


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(st.characters(categories=["L"]) | st.just(" "), min_size=1, max_size=24)
       .filter(lambda s: s.strip() == s and s not in (".", "..")))
def test_any_archive_name_of_letters_and_spaces_files_a_text(name: str, tmp_path: Path,
                                                             monkeypatch) -> None:
    monkeypatch.setenv("IKA_TODAY", "2026-11-27")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    folder = f"t{len(list(tmp_path.iterdir()))}/{name}"  # a fresh archive per example
    assert runner.invoke(main, ["init", "--archive", folder]).exit_code == 0
    note = Path(folder, "inbox", f"{name}.txt")
    note.write_text(f"Nota kepada fail: {name}", encoding="utf-8")
    res = runner.invoke(main, ["file", str(note), "--archive", folder])
    assert res.exit_code == 0 and " filed   " in res.stdout, res.output
    (row,) = docs(Path(folder))
    assert (Path(folder) / row["path"]).read_text(encoding="utf-8") == f"Nota kepada fail: {name}"
    assert not note.exists()


# --- 1. failures of ours: never "damaged", retried once fixed -------------------------------


@pytest.mark.slow
def test_missing_tesseract_is_our_failure_and_ika_retry_files_it(archive: Path) -> None:
    fast(archive)
    drop(archive, SCAN_TIF, "Surat KLN/phototest.tif")
    no_ocr = {**os.environ, "PATH": str(archive.parent / "kosong"), "IKA_TODAY": "2026-11-27"}
    watch = subprocess.run([str(IKA_BIN), "watch", "--once", "--archive", str(archive)],
                           env=no_ocr, capture_output=True, text=True, timeout=300)
    assert watch.returncode == 0, watch.stderr
    failed = archive / "failed" / "Surat KLN" / "phototest.tif"
    reason = failed.with_name("phototest.tif.reason.txt").read_text()
    first = reason.splitlines()[0]
    assert "damaged" not in reason.lower(), reason
    assert "tesseract not found" in first and "ika retry" in first, first
    assert "kind:     error" in reason
    assert 'ika retry "Surat KLN/phototest.tif"' in reason

    still = subprocess.run([str(IKA_BIN), "retry", "--archive", str(archive)], env=no_ocr,
                           capture_output=True, text=True, timeout=300)
    assert still.returncode == 1 and still.stderr.startswith("Error: 1 of 1 still not filed")
    assert failed.exists()

    env = {**os.environ, "IKA_TODAY": "2026-11-27"}
    fixed = subprocess.run([str(IKA_BIN), "retry", "Surat KLN/phototest.tif", "--archive",
                            str(archive)], env=env, capture_output=True, text=True, timeout=300)
    assert fixed.returncode == 0, fixed.stderr
    assert " filed   failed/Surat KLN/phototest.tif -> DOC-000001" in fixed.stdout
    assert not failed.exists() and not failed.with_name("phototest.tif.reason.txt").exists()
    (row,) = docs(archive)
    assert "quick brown" in row["text"].lower()


@pytest.mark.slow
def test_a_missing_ocr_language_is_our_failure_and_ika_file_retries_it(ika, archive) -> None:
    set_ocr_languages(archive, "xyz")
    drop(archive, SCAN_TIF)
    out = ika("watch", "--once").stdout
    failed = archive / "failed" / SCAN_TIF.name
    first = failed.with_name(failed.name + ".reason.txt").read_text().splitlines()[0]
    assert "damaged" not in first and "'xyz'" in first and "ocr_languages" in first, first
    assert "failed  inbox/phototest.tif: OCR could not run" in out
    set_ocr_languages(archive, "msa+eng")
    assert "filed   failed/phototest.tif -> DOC-000001" in ika("file", str(failed)).stdout
    assert not failed.exists() and not list((archive / "failed").iterdir())


def test_retry_names_what_is_not_there_with_one_error_line(ika, archive) -> None:
    res = ika("retry", "tiada.pdf", expect=1)
    assert res.output.strip().splitlines() == [
        f"Error: 'tiada.pdf' is not in {archive / 'failed'}; `ika retry` with no name "
        "retries everything there"]
    assert "nothing to retry" in ika("retry").stdout


def test_retry_files_every_fixed_document_and_clears_its_reason(ika, archive) -> None:
    drop(archive, CORPUS / "pdf" / "password-protected.pdf")
    drop(archive, CORPUS / "pdf" / "invalid.pdf")
    ika("watch", "--once")
    assert len(list((archive / "failed").glob("*.reason.txt"))) == 2
    res = ika("retry", "--password", "openpassword", expect=1)
    assert "filed   failed/password-protected.pdf -> DOC-000001" in res.stdout
    assert "Error: 1 of 2 still not filed" in res.output
    left = sorted(p.name for p in (archive / "failed").iterdir())
    assert left == ["invalid.pdf", "invalid.pdf.reason.txt"]
    assert "damaged" in (archive / "failed" / "invalid.pdf.reason.txt").read_text()


# --- 5. links only on evidence --------------------------------------------------------------


def test_case_named_by_sub_folder_file_name_or_text_links(ika, archive: Path) -> None:
    case_id = new_case(ika, "mou", "Korea Selatan")
    drop(archive, NOTE, f"{case_id}/nota.docx", b"1")
    drop(archive, NOTE, f"Surat {case_id} KLN.docx", b"2")
    text = archive / "inbox" / "nota.txt"
    text.write_text(f"Ruj. Kami: KDN.AB.600-1/2/3 ({case_id})\nPerkara: mesyuarat persediaan",
                    encoding="utf-8")
    out = ika("watch", "--once").stdout
    assert f"case {case_id} (inbox folder)" in out
    assert f"case {case_id} (file name)" in out
    assert f"case {case_id} (case id in text)" in out
    assert {r["case_id"] for r in docs(archive)} == {case_id}


def test_a_matching_open_case_is_suggested_never_linked(ika, archive: Path) -> None:
    case_id = new_case(ika, "Perjanjian", "New Zealand")
    drop(archive, TEXT_PDF)
    out = ika("watch", "--once").stdout
    assert "DOC-000001 unassigned" in out and f"suggested case {case_id}" in out
    assert docs(archive)[0]["case_id"] is None
    (row,) = as_json(ika("unassigned", "--json"))
    assert row["suggested_case"] == case_id and row["doc_id"] == "DOC-000001"
    assert row["title"].startswith("FREE TRADE AGREEMENT BETWEEN THE GOVERNMENT OF NEW ZEALAND")
    assert row["countries"] == ["NZ"] and row["type"] == "agreement"
    assert row["date"] == (row["signed"] or row["filed_at"][:10])
    human = ika("unassigned").stdout
    assert "New Zealand" in human and "Perjanjian" in human and case_id in human
    assert steps_done(ika, case_id) == set()


def test_a_sub_folder_in_lower_case_names_no_case(ika, archive: Path) -> None:
    """Issue 8: a sub-folder that names no case (a typo, lower case) waits with its reason."""
    case_id = new_case(ika, "mou", "Korea Selatan")
    drop(archive, NOTE, f"{case_id.lower()}/nota.docx", b"1")
    out = ika("watch", "--once").stdout
    assert "DOC-000001 unassigned" in out and "not written as a case id" in out
    assert docs(archive)[0]["case_id"] is None
    (row,) = as_json(ika("unassigned", "--json"))
    assert f"name it {case_id}" in row["reason"]


def test_sub_folder_naming_no_case_waits_unassigned_with_its_reason(ika, archive) -> None:
    case_id = new_case(ika, "mou", "Korea Selatan")
    typo = case_id[:-1] + "9"  # IKA-2026-0009: no such case
    drop(archive, NOTE, f"{typo}/nota.docx", b"1")
    drop(archive, NOTE, "dari KLN/nota.docx", b"2")
    out = ika("watch", "--once").stdout
    assert f"unassigned (sub-folder '{typo}' names {typo}, which is not a known case)" in out
    assert "names no case" not in out  # a clerk's own sub-folder is no reason (issue 12)
    assert all(r["case_id"] is None for r in docs(archive))
    notes = [e["note"] for e in events(archive, "doc.unassigned")]
    assert len(notes) == 1 and typo in notes[0]
    reasons = {r["doc_id"]: r["reason"] for r in as_json(ika("unassigned", "--json"))}
    assert reasons == {"DOC-000001": notes[0], "DOC-000002": None}
    assert "names no case" not in ika("unassigned").stdout


# --- 5. steps 8 and 9: only the negotiated instrument ---------------------------------------


def test_only_the_negotiated_instrument_completes_steps_8_and_9(ika, archive: Path) -> None:
    case_id = new_case(ika, "agreement", "Jepun")
    to_step_8(ika, case_id)
    drop(archive, NOTE, f"{case_id}/surat iringan.docx")  # a covering letter: not the text
    out = ika("watch", "--once").stdout
    assert f"case {case_id} (inbox folder)" in out and "step 8" not in out
    assert 8 not in steps_done(ika, case_id)
    drop(archive, JAPAN_FTA, f"{case_id}/{JAPAN_FTA.name}")
    out = ika("watch", "--once").stdout
    assert f"{case_id}: step 8 and 9 done" in out
    assert {8, 9} <= steps_done(ika, case_id)


def test_an_instrument_of_another_type_does_not_complete_the_steps(ika, archive) -> None:
    case_id = new_case(ika, "mou", "Jepun")  # an MOU is negotiated; an agreement is filed
    to_step_8(ika, case_id)
    ika("file", str(JAPAN_FTA), "--case", case_id)
    assert 8 not in steps_done(ika, case_id)


def test_relink_completes_the_steps_only_for_the_instrument(ika, archive: Path) -> None:
    case_id = new_case(ika, "agreement", "Jepun")
    to_step_8(ika, case_id)
    drop(archive, NOTE)
    drop(archive, JAPAN_FTA)
    out = ika("watch", "--once").stdout
    assert f"suggested case {case_id}" in out and "step 8" not in out
    table = ika("unassigned").stdout  # names a person reads: Jepun, Perjanjian
    assert "Jepun" in table and "Perjanjian" in table and case_id in table
    ids = {r["name"]: r["id"] for r in docs(archive)}
    note, fta = ids[NOTE.name], ids[JAPAN_FTA.name]
    res = ika("file", note, "--case", case_id).stdout
    assert res.rstrip().endswith(f" linked  {note} -> {case_id}"), res
    assert 8 not in steps_done(ika, case_id)
    res = ika("file", fta, "--case", case_id).stdout
    assert res.rstrip().endswith(f" linked  {fta} -> {case_id}; step 8 and 9 done"), res
    assert {8, 9} <= steps_done(ika, case_id)


# --- 6. duplicates ---------------------------------------------------------------------------


def test_a_duplicate_is_recorded_on_the_document_and_removed(ika, archive: Path,
                                                             tmp_path: Path) -> None:
    drop(archive, TEXT_PDF)
    ika("watch", "--once")
    drop(archive, TEXT_PDF, "hantar semula/FTA NZ.pdf")
    out = ika("watch", "--once").stdout
    assert "inbox/hantar semula/FTA NZ.pdf: duplicate of DOC-000001 (removed from inbox)" in out
    assert "1 duplicate(s) removed, 0 failed" in out
    assert not list((archive / "inbox").rglob("*.pdf")) and not any(
        (archive / "failed").iterdir())
    (event,) = events(archive, "doc.duplicate")
    assert event["doc_id"] == "DOC-000001" and "FTA NZ.pdf" in event["note"]
    assert re.search(r" on \d{4}-\d\d-\d\d \d\d:\d\d; removed from inbox$", event["note"])

    mine = tmp_path / "salinan saya.pdf"  # outside the archive: reported, left, not a failure
    shutil.copyfile(TEXT_PDF, mine)
    res = ika("file", str(mine))
    assert res.stdout.count("\n") == 1
    assert "duplicate of DOC-000001 (left where it is)" in res.stdout
    assert mine.exists() and len(events(archive, "doc.duplicate")) == 2
    assert len(docs(archive)) == 1


def test_a_duplicate_waiting_in_failed_is_cleared_by_retry(ika, archive: Path) -> None:
    drop(archive, TEXT_PDF)
    ika("watch", "--once")
    old = archive / "failed" / "pta_334 (2).pdf"  # left there by the previous version
    shutil.copyfile(TEXT_PDF, old)
    old.with_name(old.name + ".reason.txt").write_text("duplicate of DOC-000001\n")
    assert "duplicate of DOC-000001 (removed from failed/)" in ika("retry").stdout
    assert not any((archive / "failed").iterdir())


def test_a_duplicate_whose_archived_copy_is_gone_is_kept(ika, archive: Path) -> None:
    drop(archive, TEXT_PDF)
    ika("watch", "--once")
    stored = archive / docs(archive)[0]["path"]
    stored.unlink()
    drop(archive, TEXT_PDF, "lagi.pdf")
    ika("watch", "--once")
    kept = archive / "failed" / "lagi.pdf"
    assert kept.read_bytes() == TEXT_PDF.read_bytes()
    assert "missing or changed" in kept.with_name(kept.name + ".reason.txt").read_text()


# --- 7. one case, one folder; the case's metadata for documents that give none -------------


def test_case_documents_in_one_folder_and_unassigned_by_year(ika, archive: Path) -> None:
    case_id = new_case(ika, "mou", "Korea Selatan")
    drop(archive, NOTE, f"{case_id}/nota.docx")
    drop(archive, TEXT_PDF)
    ika("watch", "--once")
    paths = {r["name"]: r["path"] for r in docs(archive)}
    assert paths["nota.docx"].startswith(f"files/{case_id}/nota-")
    assert paths["pta_334.pdf"].startswith("files/unassigned/2026/pta_334-")


def test_a_document_takes_the_case_metadata_unless_its_text_says_otherwise(ika, archive):
    case_id = new_case(ika, "mou", "Korea Selatan")
    drop(archive, NOTE, f"{case_id}/nota.docx")
    ika("watch", "--once")
    ika("file", str(TEXT_PDF), "--case", case_id)  # a New Zealand agreement: its own labels
    rows = {r["name"]: r for r in docs(archive)}
    note, fta = rows["nota.docx"], rows["pta_334.pdf"]
    assert json.loads(note["countries"]) == ["KR"] and note["type"] == "mou"
    assert note["level"] == "bilateral"
    assert json.loads(fta["countries"]) == ["NZ"] and fta["type"] == "agreement"
    (event,) = events(archive, "doc.inherited")
    assert event["doc_id"] == note["id"]
    assert event["note"] == f"countries, type, level from {case_id}"
    hits = as_json(ika("search", "--country", "Korea Selatan", "--type", "mou", "--json"))["hits"]
    assert [h["doc_id"] for h in hits] == [note["id"]]


def test_relinking_replaces_what_was_taken_from_the_previous_case(ika, archive: Path) -> None:
    korea = new_case(ika, "mou", "Korea Selatan")
    japan = new_case(ika, "agreement", "Jepun")
    drop(archive, NOTE, f"{korea}/nota.docx")
    ika("watch", "--once")
    ika("file", "DOC-000001", "--case", japan)
    (row,) = docs(archive)
    assert row["case_id"] == japan and json.loads(row["countries"]) == ["JP"]
    assert row["type"] == "agreement"


# --- the rules themselves ----------------------------------------------------------------------


@given(year=st.integers(2000, 2099), n=st.integers(1, 99_999),
       sep=st.sampled_from(["-", "_", " ", ""]), upper=st.booleans())
def test_a_case_id_is_read_however_it_is_written(year: int, n: int, sep: str,
                                                 upper: bool) -> None:
    from pipeline.filing.caselink import case_ids_in

    written = f"ika{sep}{year}{sep}{n:04d}"
    written = written.upper() if upper else written
    assert case_ids_in(f"Ruj. Kami: KDN/{written} (draf)") == [f"IKA-{year}-{n:04d}"]


def test_the_instrument_rule_and_what_a_document_takes_from_its_case() -> None:
    from pipeline.filing.caselink import (
        CaseFacts,
        inherit,
        is_negotiated_instrument,
        same_counterparts,
    )

    korea = CaseFacts("IKA-2026-0001", "open", "mou", ("KR",), "bilateral")
    asean = CaseFacts("IKA-2026-0002", "open", "action-plan", ("ASEAN", "CN"), "regional")
    assert is_negotiated_instrument(korea, "mou", ["KR"])
    assert is_negotiated_instrument(korea, "mou", ["MY", "KR"])  # Malaysia is no counterpart
    assert not is_negotiated_instrument(korea, "agreement", ["KR"])
    assert not is_negotiated_instrument(korea, "mou", ["JP"])
    assert not is_negotiated_instrument(korea, "mou", [])
    assert not is_negotiated_instrument(korea, None, ["KR"])
    assert is_negotiated_instrument(asean, "action-plan", ["CN"])  # a party the text named
    assert same_counterparts(["KR"], ["KR", "JP"]) and not same_counterparts(["KR"], ["JP"])
    assert inherit(korea, countries=(), type_=None, level=None) == (
        ("KR",), "mou", "bilateral", ("countries", "type", "level"))
    assert inherit(korea, countries=("NZ",), type_="agreement", level="bilateral") == (
        ("NZ",), "agreement", "bilateral", ())
    assert inherit(korea, countries=("NZ",), type_=None, level=None) == (
        ("NZ",), "mou", None, ("type",))


def test_a_duplicate_given_a_case_says_how_to_link_the_filed_one(ika, archive, tmp_path):
    case_id = new_case(ika, "Perjanjian", "New Zealand")
    ika("file", str(TEXT_PDF))  # filed unassigned (the case is only suggested)
    res = ika("file", str(TEXT_PDF), "--case", case_id.lower())
    assert f"link it with `ika file DOC-000001 --case {case_id}`" in res.stdout
    assert "linked" in ika("file", "DOC-000001", "--case", case_id).stdout


def test_relinking_moves_the_files_into_the_case_folder_and_both_cases_record_it(
        ika, archive: Path) -> None:
    first = new_case(ika, "mou", "Korea Selatan")
    second = new_case(ika, "mou", "Jepun")
    drop(archive, NOTE, "nota.docx", b"1")
    ika("watch", "--once")
    (row,) = docs(archive)
    assert row["case_id"] is None and row["path"].startswith("files/unassigned/")
    ika("file", "DOC-000001", "--case", first)
    (row,) = docs(archive)
    assert row["path"].startswith(f"files/{first}/") and (archive / row["path"]).exists()
    assert not list((archive / "files" / "unassigned").rglob("*.docx"))
    ika("file", "DOC-000001", "--case", second)
    (row,) = docs(archive)
    assert row["path"].startswith(f"files/{second}/")
    left = as_json(ika("case", "show", first, "--json"))["history"]
    assert any(e["action"] == "doc.unlink" and second in e["note"] for e in left)
    assert "0 problem(s)" in ika("verify").stdout
