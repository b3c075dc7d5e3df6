"""`ika doc` through the command line: documents made, filed in the case, versioned."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest
from docx import Document

from tests.conftest import as_json

SETS = {
    "minit-cerai": ["--set", "tujuan=Mendapatkan kelulusan", "--set",
                    "latar_belakang=Kedutaan mencadangkan MOU", "--set",
                    "ulasan=PDRM|2026-10-10|Menyokong; AGC|2026-10-12|Tiada halangan",
                    "--set", "syor=Dipersetujui"],
    "jemputan-mesyuarat": ["--set", "tarikh_mesyuarat=2026-10-20", "--set", "masa=10.00 pagi",
                           "--set", "tempat=Bilik Mesyuarat Utama, KDN", "--set",
                           "agenda=Draf MOU; Tarikh rundingan"],
    "makluman-keputusan": ["--set", "hasil_mesyuarat=Draf dipersetujui untuk dirunding"],
}


def all_text(path: Path) -> str:
    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.extend(c.text for c in row.cells)
    for section in doc.sections:
        parts.extend(p.text for p in section.header.paragraphs)
    return "\n".join(parts)


def documents(archive: Path) -> list[tuple]:
    with sqlite3.connect(archive / "register.sqlite3") as db:
        return db.execute(
            "SELECT id, case_id, step, kind, name, version, path, sha256 FROM documents "
            "ORDER BY id").fetchall()


@pytest.fixture
def case_id(ika) -> str:
    return ika("case", "new", "--title", "Kerjasama Pencegahan Pemerdagangan Orang",
               "--type", "mou", "--country", "KR", "--division",
               "Bahagian Keselamatan dan Ketenteraman Awam", "--received", "2026-10-01",
               "--source", "embassy").stdout.strip()


def make(ika, case_id: str, key: str, *extra: str) -> Path:
    out = ika("doc", "make", case_id, key, *SETS.get(key, []), *extra).stdout.split()
    return Path(out[0])


def test_ya_case_documents_are_made_and_filed(ika, archive: Path, case_id: str) -> None:
    made = {"makluman-bahagian": make(ika, case_id, "makluman-bahagian")}
    ika("case", "done", case_id, "1", "--date", "2026-10-02")
    made["permohonan-ulasan"] = make(ika, case_id, "permohonan-ulasan", "--to", "AGC")
    ika("case", "done", case_id, "2", "--date", "2026-10-14")
    made["minit-cerai"] = make(ika, case_id, "minit-cerai")
    ika("case", "decide", case_id, "--approve", "--date", "2026-10-15")
    made["jemputan-mesyuarat"] = make(ika, case_id, "jemputan-mesyuarat")
    ika("case", "done", case_id, "4", "--date", "2026-10-20")
    made["makluman-keputusan"] = make(ika, case_id, "makluman-keputusan")
    ika("case", "done", case_id, "5", "--date", "2026-10-21")
    made["memo-kln"] = make(ika, case_id, "memo-kln")
    ika("case", "done", case_id, "6", "--date", "2026-10-22")
    ika("case", "schedule", case_id, "--start", "2026-11-02", "--venue", "Seoul")
    ika("case", "done", case_id, "7", "--date", "2026-11-04")
    made["serahan-dokumen"] = make(ika, case_id, "serahan-dokumen")
    rows = {r[4]: r for r in documents(archive)}
    for key, path in made.items():
        text = all_text(path)
        assert "27 November 2026" in text, key  # Tarikh, in Malay
        ours = "KDN.AB" if key in ("makluman-bahagian", "memo-kln") else "KDN.KKA"
        assert f"{ours}.{'600-2' if ours == 'KDN.AB' else '100-1'}/2026/0001" in text, key
        assert "Republik Korea".upper() in text.upper(), key
        assert "BERKHIDMAT UNTUK NEGARA" in text or key == "minit-cerai", key
        name = key + ("-AGC" if key == "permohonan-ulasan" else "")
        row = rows[name]
        assert row[1] == case_id and row[3] == "generated"
        assert hashlib.sha256(path.read_bytes()).hexdigest() == row[7]
        assert path == archive / row[6]
    assert "Jabatan Peguam Negara" in all_text(made["permohonan-ulasan"])
    assert "Kementerian Luar Negeri" in all_text(made["memo-kln"])
    assert "YA" in all_text(made["memo-kln"]) or "DILULUSKAN" in all_text(made["memo-kln"]).upper()
    assert "Tiada halangan" in all_text(made["minit-cerai"])
    listing = as_json(ika("doc", "list", case_id, "--json"))
    assert all(row["made"] for row in listing["documents"])
    shown = ika("case", "show", case_id).stdout
    assert "Documents" in shown and "minit-cerai v1" in shown
    assert len(as_json(ika("case", "show", case_id, "--json"))["documents"]) == len(made)


def test_tidak_case_documents_and_wrong_branch(ika, case_id: str) -> None:
    ika("case", "done", case_id, "1", "--date", "2026-10-02")
    ika("case", "done", case_id, "2", "--date", "2026-10-14")
    ika("case", "decide", case_id, "--reject", "--date", "2026-10-15")
    res = ika("doc", "make", case_id, "jemputan-mesyuarat", *SETS["jemputan-mesyuarat"],
              expect=1)
    assert "skipped" in res.output and res.output.startswith("Error: ")
    memo = make(ika, case_id, "memo-kln")
    text = all_text(memo).upper()
    assert "TIDAK BERSETUJU" in text and "REPUBLIK KOREA" in text
    assert "TIDAK BERSETUJU" in all_text(make(ika, case_id, "makluman-keputusan")).upper()


def test_making_again_keeps_old_version(ika, archive: Path, case_id: str) -> None:
    first = make(ika, case_id, "makluman-bahagian")
    second = make(ika, case_id, "makluman-bahagian", "--set", "tarikh=2026-11-26")
    assert first.exists() and second.exists() and first != second
    assert [r[5] for r in documents(archive)] == [1, 2]
    assert "26 November 2026" in all_text(second)
    out = ika("doc", "list", case_id).stdout
    assert "makluman-bahagian v1 (docx), makluman-bahagian v2 (docx)" in out


def test_pdf_is_made_and_filed_with_the_same_version(ika, archive: Path, case_id: str) -> None:
    out = ika("doc", "make", case_id, "makluman-bahagian", "--pdf").stdout.split()
    _docx_path, pdf_path = map(Path, out)
    assert pdf_path.suffix == ".pdf" and pdf_path.read_bytes().startswith(b"%PDF")
    from pypdf import PdfReader

    text = "".join(p.extract_text() for p in PdfReader(pdf_path).pages)
    assert "27 November 2026" in text and "REPUBLIK KOREA" in text.upper()
    assert [(r[4], r[5]) for r in documents(archive)] == [("makluman-bahagian", 1)] * 2


@pytest.mark.parametrize(
    "args, message",
    [
        (["minit-cerai"], "missing fields tujuan, latar_belakang, ulasan, syor"),
        (["permohonan-ulasan"], "--to"),
        (["permohonan-ulasan", "--to", "NOBODY"], "no addressee 'NOBODY'"),
        (["surat-cinta"], "no document 'surat-cinta'"),
        (["minit-cerai", "--set", "tujuan"], "KEY=VALUE"),
    ],
)
def test_doc_errors_are_one_line(ika, archive: Path, case_id: str, args: list[str],
                                 message: str) -> None:
    res = ika("doc", "make", case_id, *args, expect=1)
    assert res.output.startswith("Error: ") and message in res.output
    assert len(res.output.strip().splitlines()) == 1
    assert documents(archive) == []  # nothing half-made was filed


def test_tricky_characters_are_escaped(ika, case_id: str) -> None:
    tricky = 'Kerjasama & Latihan <Sempadan> "Asas"'
    path = make(ika, case_id, "minit-cerai", "--set", f"tujuan={tricky}")
    assert tricky in all_text(path)


def test_doc_check_passes(ika) -> None:
    assert "all templates render" in ika("doc", "check").stdout


def test_case_summary_html(ika, case_id: str, tmp_path: Path) -> None:
    out = tmp_path / "ringkasan.html"
    ika("case", "summary", case_id, "-o", str(out))
    html = out.read_text()
    assert case_id in html and "Korea Selatan" in html and "<html" in html.lower()


def test_case_summary_of_a_finished_case(ika, case_id: str, tmp_path: Path) -> None:
    """A TIDAK case ends with a system event that has no note: the summary still renders."""
    ika("case", "done", case_id, "1", "--date", "2026-10-02")
    ika("case", "done", case_id, "2", "--date", "2026-10-05")
    ika("case", "done", case_id, "3", "--date", "2026-10-06")
    ika("case", "decide", case_id, "--reject", "--date", "2026-10-07")
    while ika("case", "show", case_id, "--json").stdout and \
            json.loads(ika("case", "show", case_id, "--json").stdout)["status"] == "open":
        step = json.loads(ika("case", "show", case_id, "--json").stdout)["current_step"]
        ika("case", "done", case_id, str(step), "--date", "2026-10-08")
    out = tmp_path / "ringkasan.html"
    ika("case", "summary", case_id, "-o", str(out))
    assert "case.rejected" in out.read_text() or "rejected" in out.read_text()


def test_one_letter_per_addressee_with_their_pdfs_in_one_go(ika, archive: Path,
                                                            case_id: str) -> None:
    out = ika("doc", "make", case_id, "permohonan-ulasan", "--to", "AGC", "--to", "puu-kdn",
              "--to", "PDRM", "--pdf").stdout.split()
    assert [Path(p).name for p in out] == [
        "permohonan-ulasan-AGC-v1.docx", "permohonan-ulasan-AGC-v1.pdf",
        "permohonan-ulasan-PUU-KDN-v1.docx", "permohonan-ulasan-PUU-KDN-v1.pdf",
        "permohonan-ulasan-PDRM-v1.docx", "permohonan-ulasan-PDRM-v1.pdf",
    ]
    assert "Polis Diraja Malaysia" in all_text(Path(out[4]))
    res = ika("doc", "make", case_id, "makluman-bahagian", "--to", "AGC", "--to", "KLN",
              expect=1)
    assert "at most one --to" in res.output
