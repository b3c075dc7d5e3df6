"""`ika search` over a real archive: the corpus instruments filed, then found every way."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from tests.conftest import CORPUS, as_json

ROOT = Path(__file__).resolve().parents[2]
INSTRUMENTS = ["pta_160", "pta_20", "pta_334", "pta_38", "BWBV0001570"]


@pytest.fixture(scope="module")
def filed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One archive with the corpus instruments (.docx) and two Malay letters, filed once."""
    root = tmp_path_factory.mktemp("search") / "archive"
    runner = CliRunner()
    assert runner.invoke(main, ["init", "--archive", str(root)]).exit_code == 0
    paths = [str(CORPUS / "instruments" / f"{n}.docx") for n in INSTRUMENTS]
    res = runner.invoke(main, ["file", *paths, "--archive", str(root)])
    assert res.exit_code == 0, res.output
    malay = {
        "mou-indonesia.txt": (
            "MEMORANDUM PERSEFAHAMAN ANTARA KERAJAAN MALAYSIA DAN KERAJAAN REPUBLIK INDONESIA "
            "MENGENAI KERJASAMA PENCEGAHAN PEMERDAGANGAN ORANG\n\nKerajaan Malaysia dan Kerajaan "
            "Republik Indonesia, selepas ini disebut sebagai Pihak-Pihak, bersetuju untuk "
            "merundingkan kerjasama. Perundingan akan diadakan di Jakarta. Dibuat di Putrajaya "
            "pada 3 Mac 2025."
        ),
        "triti-korea.txt": (
            "TRITI ANTARA MALAYSIA DAN REPUBLIK KOREA MENGENAI BANTUAN BERSAMA DALAM PERKARA "
            "JENAYAH\n\nMalaysia dan Republik Korea bersetuju bahawa rundingan telah selesai. "
            "Dibuat di Seoul pada 12 Jun 2024."
        ),
    }
    for name, text in malay.items():
        p = root.parent / name
        p.write_text(text, encoding="utf-8")
        assert runner.invoke(main, ["file", str(p), "--archive", str(root)]).exit_code == 0
    return root


def search(root: Path, *args: str) -> dict:
    res = CliRunner().invoke(main, ["search", *args, "--json", "--archive", str(root)])
    assert res.exit_code == 0, res.output
    return as_json(res)


def names(result: dict) -> set[str]:
    return {Path(h["path"]).name.split("-")[0] for h in result["hits"]}


def test_instruments_found_by_country_in_any_form(filed: Path) -> None:
    for form in ("NZ", "NZL", "New Zealand", "new zealand"):
        assert names(search(filed, "--country", form)) == {"pta_334"}, form
    jp = search(filed, "--country", "Jepun")
    assert jp["total"] == 1 and jp["hits"][0]["countries"] == ["JP"]
    assert search(filed, "--country", "Korea Selatan")["total"] == 1


def test_filters_by_type_level_year(filed: Path) -> None:
    mou = search(filed, "--type", "Memorandum Persefahaman")
    assert mou["total"] == 2  # the Global Water Partnership MOU and the Malay one
    assert search(filed, "--type", "Triti")["total"] == 1
    assert search(filed, "--level", "serantau")["total"] == 1  # ASEAN-China
    assert search(filed, "--level", "multilateral")["hits"][0]["type"] == "mou"
    assert search(filed, "--year", "2025")["total"] == 1
    assert search(filed, "--from", "2024-01-01", "--to", "2024-12-31")["total"] == 1


def test_words_in_malay_and_english(filed: Path) -> None:
    # runding / rundingan / perundingan / merundingkan all meet
    for word in ("runding", "rundingan", "perundingan", "merundingkan"):
        assert search(filed, word)["total"] >= 2, word
    assert search(filed, "pemerdagangan")["total"] == 1
    assert search(filed, "raja")["total"] == 0  # kerajaan is not raja
    assert search(filed, "negotiate")["total"] >= 1
    assert search(filed, "negotiations")["total"] == search(filed, "negotiate")["total"]


def test_type_and_country_names_cross_languages(filed: Path) -> None:
    by_ms = search(filed, "memorandum persefahaman")
    by_en = search(filed, "memorandum of understanding")
    assert {h["doc_id"] for h in by_ms["hits"]} == {h["doc_id"] for h in by_en["hits"]}
    assert by_ms["total"] == 2
    korea = search(filed, "Korea Selatan")
    assert korea["total"] >= 1 and all("KR" in h["countries"] for h in korea["hits"])


def test_facets_count_every_match(filed: Path) -> None:
    result = search(filed, "--limit", "1")
    assert result["total"] == 7 and len(result["hits"]) == 1
    facets = result["facets"]
    assert facets["country"]["CN"] == 1 and facets["country"]["ASEAN"] == 1
    assert facets["type"]["agreement"] == 4 and facets["type"]["mou"] == 2
    assert sum(facets["level"].values()) == 7


def test_snippets_and_human_output(filed: Path) -> None:
    res = CliRunner().invoke(main, ["search", "pemerdagangan", "--archive", str(filed)])
    assert res.exit_code == 0
    assert "1 document(s)" in res.output and "country:" in res.output
    assert "PEMERDAGANGAN" in res.output.upper()


def test_unknown_filter_is_a_clean_error(filed: Path) -> None:
    res = CliRunner().invoke(main, ["search", "--country", "Narnia", "--archive", str(filed)])
    assert res.exit_code == 1 and res.output.startswith("Error: unknown country")


def test_damaged_index_is_rebuilt_not_fatal(filed: Path, tmp_path: Path) -> None:
    copy = tmp_path / "archive"
    shutil.copytree(filed, copy)
    for f in (copy / "index").rglob("*"):
        if f.is_file():
            f.write_bytes(b"garbage")
    assert search(copy, "--country", "NZ")["total"] == 1
    shutil.rmtree(copy / "index")
    assert search(copy, "--country", "NZ")["total"] == 1
    res = CliRunner().invoke(main, ["reindex", "--archive", str(copy)])
    assert res.exit_code == 0 and "indexed 7 document(s)" in res.output


def test_two_processes_filing_at_once_and_a_search_meanwhile(tmp_path: Path) -> None:
    root = tmp_path / "archive"
    ika = [sys.executable, "-c", "import cli; cli.main()"]
    subprocess.run([*ika, "init", "--archive", str(root)], check=True, cwd=ROOT,
                   capture_output=True)
    batches = []
    for b in range(2):
        folder = tmp_path / f"batch{b}"
        folder.mkdir()
        for i in range(12):
            (folder / f"nota-{b}-{i}.txt").write_text(
                f"Nota kerjasama keselamatan sempadan nombor {b}-{i} antara Malaysia dan "
                f"Thailand mengenai rundingan dan pemerdagangan.", encoding="utf-8")
        batches.append(sorted(str(p) for p in folder.iterdir()))
    procs = [subprocess.Popen([*ika, "file", *files, "--archive", str(root)], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for files in batches]
    during = subprocess.run([*ika, "search", "rundingan", "--json", "--archive", str(root)],
                            cwd=ROOT, capture_output=True, text=True)
    assert during.returncode == 0, during.stderr
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, (out, err)
        assert "warning" not in err, err  # no index write was lost or deferred
    with sqlite3.connect(root / "register.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM documents").fetchone()[0] == 24
    assert search(root, "rundingan", "--limit", "50")["total"] == 24
    assert search(root, "--country", "Thailand", "--limit", "50")["total"] == 24


def test_documents_left_unindexed_are_caught_up_by_the_next_search(ika, archive: Path) -> None:
    """The state a kill between filing and indexing leaves: in the register, not the index."""
    from pipeline.archive import open_archive
    from pipeline.filing import intake

    arc = open_archive(archive)
    note = archive.parent / "nota.txt"
    note.write_text("Nota mengenai rundingan keselamatan sempadan.", encoding="utf-8")
    assert intake.process(arc, note, index=False).status == "filed"
    with sqlite3.connect(archive / "register.sqlite3") as db:
        assert db.execute("SELECT indexed FROM documents").fetchall() == [(0,)]
    assert as_json(ika("search", "sempadan", "--json"))["total"] == 1
    with sqlite3.connect(archive / "register.sqlite3") as db:
        assert db.execute("SELECT indexed FROM documents").fetchall() == [(1,)]
