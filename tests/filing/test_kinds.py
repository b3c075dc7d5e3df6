"""Issue 11 point 2, kinds of document, and point 5, what each search hit shows.

Every filed document has a kind — instrument, correspondence or generated — decided when it is
filed, shown by `ika show`, `ika unassigned` and `ika search`, searchable and counted as a facet,
changed by `ika file DOC-ID --kind K`. The .docx and the .pdf of one generated letter are one
hit. A document filed into a case takes its counterparts and type unless its own text says
otherwise. Hits show the case, the kind, the date and paths that work from where ika runs.
"""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cli import main
from tests.conftest import CORPUS, as_json, signed

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "archive-v1.tar.gz"
NZ_FTA = CORPUS / "instruments" / "pta_334.docx"  # New Zealand - Malaysia, an agreement
LETTER = """KEMENTERIAN LUAR NEGERI MALAYSIA
Wisma Putra, Putrajaya

Ruj. Kami: KLN.600-2/3/4
Tarikh: 3 November 2026

Setiausaha Bahagian
Bahagian Antarabangsa
Kementerian Dalam Negeri

Tuan,

CADANGAN MEMORANDUM PERSEFAHAMAN ANTARA KERAJAAN MALAYSIA DAN KERAJAAN REPUBLIK INDONESIA
MENGENAI KERJASAMA PENCEGAHAN PEMERDAGANGAN ORANG

Dengan hormatnya saya merujuk perkara di atas.

2. Kedutaan Besar Republik Indonesia telah mengemukakan draf Memorandum ini untuk ulasan.

Sekian, terima kasih.

BERKHIDMAT UNTUK NEGARA
"""
MOU_INDONESIA = """MEMORANDUM PERSEFAHAMAN ANTARA KERAJAAN MALAYSIA DAN KERAJAAN REPUBLIK INDONESIA
MENGENAI KERJASAMA PENCEGAHAN PEMERDAGANGAN ORANG

Kerajaan Malaysia dan Kerajaan Republik Indonesia, selepas ini disebut sebagai Pihak-Pihak,
bersetuju seperti yang berikut. Memorandum ini berkuat kuasa pada tarikh ia ditandatangani.

Dibuat di Putrajaya pada 3 Mac 2025.
"""
NOTE = "Nota ringkas mesyuarat: draf dibincangkan, tiada keputusan.\n"
TREATY_KOREA = """TRITI ANTARA MALAYSIA DAN REPUBLIK KOREA MENGENAI BANTUAN BERSAMA DALAM PERKARA
JENAYAH

Malaysia dan Republik Korea bersetuju seperti yang berikut. Dibuat di Seoul pada 12 Jun 2024.
"""


def new_case(ika) -> str:
    return ika("case", "new", "--title", "Kerjasama Pencegahan Pemerdagangan Orang", "--type",
               "mou", "--country", "Indonesia", "--division", "KKA", "--source", "kln",
               "--received", "2026-11-02").stdout.strip()


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def filed_id(output: str) -> str:
    return output.split(" -> ")[1].split()[0]


def show(ika, doc_id: str) -> dict:
    return as_json(ika("show", doc_id, "--json"))


def search(ika, *args: str) -> dict:
    return as_json(ika("search", *args, "--json"))


# ------------------------------------------------------------- decided at filing, shown


def test_each_document_gets_its_kind_when_it_is_filed_and_it_is_shown(ika, tmp_path) -> None:
    case_id = new_case(ika)
    letter = filed_id(ika("file", str(write(tmp_path, "surat-kln.txt", LETTER))).stdout)
    fta = filed_id(ika("file", str(NZ_FTA)).stdout)
    mou = filed_id(ika("file", str(write(tmp_path, "mou.txt", MOU_INDONESIA)),
                       "--case", case_id).stdout)
    ika("doc", "make", case_id, "makluman-bahagian")
    made = next(d["doc_id"] for d in as_json(ika("case", "show", case_id, "--json"))["documents"]
                if d["name"] == "makluman-bahagian")
    # the letter names an MOU and Indonesia, but reads as a letter: correspondence
    assert show(ika, letter)["kind"] == "correspondence"
    assert show(ika, fta)["kind"] == "instrument"
    assert show(ika, mou)["kind"] == "instrument"
    assert show(ika, made)["kind"] == "generated"
    assert ika("show", letter).stdout.splitlines()[1].startswith("correspondence · unassigned")
    waiting = {r["doc_id"]: r for r in as_json(ika("unassigned", "--json"))}
    assert waiting[letter]["kind"] == "correspondence" and waiting[fta]["kind"] == "instrument"
    table = ika("unassigned").stdout
    assert "KIND" in table.upper() and "correspondence" in table and "instrument" in table
    kinds = {h["doc_id"]: h["kind"] for h in search(ika)["hits"]}
    assert kinds == {letter: "correspondence", fta: "instrument", mou: "instrument",
                     made: "generated"}


def test_a_letter_about_the_instrument_does_not_complete_steps_8_and_9(ika, tmp_path) -> None:
    """Only the negotiated instrument completes steps 8 and 9; a letter naming it does not."""
    from tests.filing.test_filing_issue8 import steps_done, to_step_8

    case_id = ika("case", "new", "--title", "Pemerdagangan Orang", "--type", "mou", "--country",
                  "Indonesia", "--division", "KKA", "--received", "2026-09-01").stdout.strip()
    to_step_8(ika, case_id)
    out = ika("file", str(write(tmp_path, "surat.txt", LETTER)), "--case", case_id).stdout
    assert "step 8" not in out and not {8, 9} & steps_done(ika, case_id)
    doc = show(ika, filed_id(out))
    assert doc["kind"] == "correspondence" and doc["case"] == case_id
    # the negotiated text itself completes both steps
    ika("file", str(write(tmp_path, "mou.txt", MOU_INDONESIA)), "--case", case_id)
    assert {8, 9} <= steps_done(ika, case_id)


# ------------------------------------------------------------- what a case gives


def test_a_document_filed_into_a_case_takes_its_counterparts_and_type(ika, tmp_path) -> None:
    case_id = new_case(ika)
    note = filed_id(ika("file", str(write(tmp_path, "nota.txt", NOTE)),
                        "--case", case_id).stdout)
    data = show(ika, note)
    assert data["countries"] == ["ID"] and data["type"] == "mou"
    assert data["kind"] == "correspondence"  # judged on its own text, which names neither
    assert any(e["action"] == "doc.inherited" for e in data["history"])
    # unless its own text says otherwise: a treaty with Korea keeps Korea and treaty
    treaty = filed_id(ika("file", str(write(tmp_path, "triti.txt", TREATY_KOREA)),
                          "--case", case_id).stdout)
    data = show(ika, treaty)
    assert data["countries"] == ["KR"] and data["type"] == "treaty"
    assert not any(e["action"] == "doc.inherited" for e in data["history"])


# ------------------------------------------------------------- changing it


def test_file_kind_changes_it_with_an_event_and_reindexes(ika, tmp_path) -> None:
    letter = filed_id(ika("file", str(write(tmp_path, "surat.txt", LETTER))).stdout)
    out = ika("file", letter.lower(), "--kind", "instrument", "--by", "Aminah").stdout
    assert out == f"{letter}: kind correspondence -> instrument\n"
    data = show(ika, letter)
    assert data["kind"] == "instrument"
    (change,) = [e for e in data["history"] if e["action"] == "doc.kind"]
    assert change["note"] == "correspondence -> instrument" and change["by"] == "Aminah"
    assert [h["doc_id"] for h in search(ika, "--kind", "instrument")["hits"]] == [letter]
    assert search(ika, "--kind", "correspondence")["total"] == 0
    # the same kind again, in Malay: nothing changes, nothing is recorded
    assert ika("file", letter, "--kind", "Instrumen").stdout == f"{letter} is already instrument\n"
    assert [e["action"] for e in show(ika, letter)["history"]].count("doc.kind") == 1


def test_kind_errors_are_one_error_line(ika, tmp_path) -> None:
    case_id = new_case(ika)
    letter = filed_id(ika("file", str(write(tmp_path, "surat.txt", LETTER))).stdout)
    ika("doc", "make", case_id, "makluman-bahagian")
    made = next(d["doc_id"] for d in as_json(ika("case", "show", case_id, "--json"))["documents"]
                if d["name"] == "makluman-bahagian")

    def error(*args: str) -> str:
        res = ika(*args, expect=1)
        assert len(res.output.splitlines()) == 1, res.output
        assert res.output.startswith("Error: ")
        return res.output

    assert "unknown kind 'memo'; known: instrument, correspondence, generated" in error(
        "file", letter, "--kind", "memo")
    assert "made by `ika doc make`" in error("file", made, "--kind", "correspondence")
    assert "only documents made by `ika doc make` are generated" in error(
        "file", letter, "--kind", "generated")
    assert "no document 'DOC-999999'" in error("file", "DOC-999999", "--kind", "instrument")
    assert "give DOC-IDs" in error("file", str(tmp_path / "surat.txt"), "--kind", "instrument")
    assert "unknown kind 'memo'" in error("search", "--kind", "memo")
    assert show(ika, letter)["kind"] == "correspondence"  # nothing changed by any of them


def test_kind_and_case_together_change_then_link(ika, tmp_path) -> None:
    case_id = new_case(ika)
    letter = filed_id(ika("file", str(write(tmp_path, "surat.txt", LETTER))).stdout)
    out = ika("file", letter, "--kind", "correspondence", "--case", case_id).stdout
    assert f"{letter} is already correspondence" in out and f"linked  {letter} -> {case_id}" in out
    assert show(ika, letter)["case"] == case_id


# ------------------------------------------------------------- search: filter and facet


def test_search_kind_filter_repeatable_or_comma_list_and_facet(ika, tmp_path) -> None:
    case_id = new_case(ika)
    ika("file", str(write(tmp_path, "surat.txt", LETTER)))
    ika("file", str(NZ_FTA))
    ika("file", str(write(tmp_path, "mou.txt", MOU_INDONESIA)), "--case", case_id)
    ika("doc", "make", case_id, "makluman-bahagian")
    everything = search(ika)
    assert everything["facets"]["kind"] == {"instrument": 2, "correspondence": 1, "generated": 1}
    assert search(ika, "--kind", "instrument")["total"] == 2
    assert search(ika, "--kind", "surat-menyurat")["total"] == 1
    both = search(ika, "--kind", "instrument,generated")
    assert both["total"] == 3 and search(ika, "--kind", "instrument", "--kind",
                                         "generated")["total"] == 3
    # a facet's counts leave out its own filter: the kinds not ticked stay listed to tick
    assert both["facets"]["kind"] == everything["facets"]["kind"]
    # with the other filters
    assert search(ika, "--kind", "instrument", "--country", "Indonesia")["total"] == 1
    human = ika("search", "--kind", "correspondence").stdout
    assert "correspondence" in human and "kind:" in human


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice is needed for --pdf")
def test_the_docx_and_pdf_of_a_generated_letter_are_one_hit(ika, archive: Path,
                                                            monkeypatch) -> None:
    case_id = new_case(ika)
    ika("doc", "make", case_id, "makluman-bahagian", "--pdf")
    result = search(ika, "--case", case_id)
    assert result["total"] == 1 and result["facets"]["kind"] == {"generated": 1}
    (hit,) = result["hits"]
    assert hit["kind"] == "generated"
    assert [f["format"] for f in hit["files"]] == ["docx", "pdf"]
    assert hit["path"] == hit["files"][0]["path"]
    docs = as_json(ika("case", "show", case_id, "--json"))["documents"]
    assert {f["doc_id"] for f in hit["files"]} == {d["doc_id"] for d in docs}
    monkeypatch.chdir(archive.parent)
    human = ika("search", "makluman").stdout
    assert "1 document(s)" in human
    for f in search(ika, "makluman")["hits"][0]["files"]:
        assert Path(f["path"]).is_file() and f["path"] in human
    # a second version is another hit
    ika("doc", "make", case_id, "makluman-bahagian", "--pdf")
    assert search(ika, "--case", case_id)["total"] == 2


# ------------------------------------------------------------- point 5: what a hit shows


def test_each_hit_shows_case_kind_date_and_a_path_that_works_from_here(
        ika, archive: Path, tmp_path: Path, monkeypatch) -> None:
    case_id = new_case(ika)
    mou = filed_id(ika("file", str(write(tmp_path, "mou.txt", MOU_INDONESIA)),
                       "--case", case_id).stdout)
    letter = filed_id(ika("file", str(write(tmp_path, "surat.txt", LETTER))).stdout)
    elsewhere = tmp_path / "elsewhere" / "deeper"
    elsewhere.mkdir(parents=True)
    monkeypatch.chdir(elsewhere)
    hits = {h["doc_id"]: h for h in search(ika)["hits"]}
    assert hits[mou]["case"] == case_id and hits[letter]["case"] is None
    assert hits[mou]["kind"] == "instrument" and hits[letter]["kind"] == "correspondence"
    assert hits[mou]["date"] == "2025-03-03"  # signed
    assert hits[letter]["date"] == show(ika, letter)["filed_at"][:10]  # else filed
    for h in hits.values():
        assert not os.path.isabs(h["path"]) and Path(h["path"]).is_file()
        assert [f["path"] for f in h["files"]] == [h["path"]]
    human = ika("search").stdout
    for h in hits.values():
        assert h["path"] in human
    assert f"{mou} · {case_id} · instrument" in human
    assert f"{letter} · unassigned · correspondence" in human
    assert "ditandatangani 3 Mac 2025" in human and "difailkan " in human


# ------------------------------------------------------------- the upgrade


def test_an_old_register_gets_kinds_by_the_same_rule(tmp_path: Path, monkeypatch) -> None:
    root = tmp_path / "old archive"
    root.mkdir()
    with tarfile.open(FIXTURE) as tar:
        tar.extractall(root, filter="data")
    db = sqlite3.connect(root / "register.sqlite3")
    one = db.execute("SELECT * FROM documents WHERE id = 'DOC-000002'").fetchone()
    cols = [c[1] for c in db.execute("PRAGMA table_info(documents)")]
    row = dict(zip(cols, one, strict=True))
    extra = {  # a letter naming the MOU, and a note whose type and countries came from the case
        "DOC-000003": (LETTER, None),
        "DOC-000004": (NOTE, "countries, type, level from IKA-2026-0001"),
    }
    for n, (doc_id, (text, inherited)) in enumerate(extra.items()):
        values = {**row, "id": doc_id, "sha256": f"{n}" * 64, "path": f"files/x{n}.txt"}
        db.execute(f"INSERT INTO documents ({', '.join(cols)}) VALUES "
                   f"({', '.join('?' * len(cols))})", [values[c] for c in cols])
        db.execute("INSERT INTO texts VALUES (?, ?)", (doc_id, text))
        if inherited:
            db.execute("INSERT INTO events (at, by, case_id, doc_id, action, note) VALUES "
                       "('2026-11-30 10:00:00', 'system', 'IKA-2026-0001', ?, "
                       "'doc.inherited', ?)", (doc_id, inherited))
    db.commit()
    db.close()
    monkeypatch.setenv("IKA_TODAY", "2026-11-27")

    def kind(doc_id: str) -> str:
        res = CliRunner().invoke(main, ["show", doc_id, "--json", "--archive", str(root)])
        assert res.exit_code == 0, res.output
        return as_json(res)["kind"]

    assert kind("DOC-000001") == "generated"
    assert kind("DOC-000002") == "instrument"  # "Memorandum of Understanding between ... Korea"
    assert kind("DOC-000003") == "correspondence"
    assert kind("DOC-000004") == "correspondence"
    db = sqlite3.connect(root / "register.sqlite3")
    assert db.execute("SELECT value FROM meta").fetchone() == ("6",)
    assert {k for (k,) in db.execute("SELECT DISTINCT kind FROM documents")} == {
        "generated", "instrument", "correspondence"}
    db.close()


# ------------------------------------------------------------- web: the facet, in Malay


def test_the_web_search_has_a_kind_facet_in_malay(ika, archive: Path, tmp_path) -> None:
    from pipeline.archive import open_archive
    from pipeline.register import accounts
    from pipeline.web import create_app
    from tests.web.conftest import Client

    ika("file", str(write(tmp_path, "surat.txt", LETTER)))
    ika("file", str(NZ_FTA))
    accounts.add_user(open_archive(archive), "pembaca", "reader", password="kata-laluan-123")
    app = create_app(archive, config={"TESTING": True, "LOGIN_DELAY_STEP": 0.0})
    c = Client(app.test_client(), "pembaca").login("kata-laluan-123")
    page = c.get("/search").text
    assert 'data-facet="kind"' in page and "Kategori" in page
    assert "Surat-menyurat" in page and "Instrumen" in page
    assert 'name="kind" value="instrument"' in page
    ticked = c.get("/search?kind=correspondence").text
    assert "1 dokumen" in ticked and 'value="correspondence" checked' in ticked
    api = c.get("/api/search?kind=instrument&kind=correspondence").json
    assert api["total"] == 2 and api["facets"]["kind"] == {"instrument": 1, "correspondence": 1}


# ------------------------------------------------------------- property


@pytest.fixture(scope="module")
def one_letter(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    root = tmp_path_factory.mktemp("kinds") / "archive"
    runner = CliRunner()
    assert runner.invoke(main, ["init", "--archive", str(root)]).exit_code == 0
    (root / "ika.toml").write_text(signed((root / "ika.toml").read_text()))
    letter = write(root.parent, "surat.txt", LETTER)
    res = runner.invoke(main, ["file", str(letter), "--archive", str(root)])
    assert res.exit_code == 0, res.output
    yield root, filed_id(res.output)
    from pipeline.search import close_all

    close_all()


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(["instrument", "correspondence", "Instrumen", "surat"]),
                max_size=5))
def test_any_sequence_of_kind_changes_leaves_the_last_everywhere(one_letter, changes) -> None:
    # Hypothesis seeds `random` alike for every example, and Whoosh names new segments with it:
    # the same name twice in one index. Each example draws its own.
    random.seed()
    root, doc_id = one_letter
    runner = CliRunner()

    def run(*args: str) -> str:
        res = runner.invoke(main, [*args, "--archive", str(root)])
        assert res.exit_code == 0, res.output
        return res.stdout

    def state() -> tuple[str, int]:
        data = as_json_text(run("show", doc_id, "--json"))
        return data["kind"], sum(e["action"] == "doc.kind" for e in data["history"])

    kind, events = state()
    expected_changes = 0
    for change in changes:
        new = "instrument" if change in ("instrument", "Instrumen") else "correspondence"
        run("file", doc_id, "--kind", change, "--by", "prop")
        expected_changes += new != kind
        kind = new
    assert state() == (kind, events + expected_changes)
    index = as_json_text(run("search", "--kind", kind, "--json"))
    assert [h["doc_id"] for h in index["hits"]] == [doc_id]
    assert [h["kind"] for h in index["hits"]] == [kind]
    other = "correspondence" if kind == "instrument" else "instrument"
    assert as_json_text(run("search", "--kind", other, "--json"))["total"] == 0


def as_json_text(text: str) -> dict:
    import json

    return json.loads(text)
