"""`ika search` over a real archive: the corpus instruments filed, then found every way."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

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


def ids(result: dict) -> set[str]:
    return {h["doc_id"] for h in result["hits"]}


def test_several_values_of_a_filter_find_any_of_them(filed: Path) -> None:
    indonesia, korea = search(filed, "--country", "Indonesia"), search(filed, "--country", "KR")
    both = search(filed, "--country", "Indonesia", "--country", "Korea Selatan")
    assert both["total"] == 3 and ids(both) == ids(indonesia) | ids(korea)  # ASEAN-China too
    # a comma list is the same search; names in Malay or English, codes
    assert search(filed, "--country", "ID,South Korea") == both
    assert search(filed, "--country", "Indonesia, Korea Selatan,ID") == both
    # a name holding a comma stays whole, alone or in a list
    assert ids(search(filed, "--country", "Korea, Republic of")) == ids(korea)
    assert search(filed, "--country", "Korea, Republic of,Jepun")["total"] == 2
    assert search(filed, "--type", "Triti", "--type", "Memorandum Persefahaman")["total"] == 3
    assert search(filed, "--type", "triti,mou")["total"] == 3
    assert search(filed, "--level", "serantau", "--level", "pelbagai hala")["total"] == 2
    assert search(filed, "--level", "regional,multilateral")["total"] == 2
    years = search(filed, "--year", "2024", "--year", "2025")
    assert years["total"] == 2 and search(filed, "--year", "2024,2025") == years
    # OR within a filter, AND across filters
    assert search(filed, "--country", "ID,KR", "--level", "dua hala")["total"] == 2
    assert search(filed, "--country", "ID,KR", "--level", "bilateral", "--year", "2025,2026",
                  )["total"] == 1
    assert search(filed, "--country", "ID,JP", "--type", "mou,agreement", "--kind",
                  "instrument")["total"] == 3


def test_one_value_of_several_unknown_is_a_clean_error(filed: Path) -> None:
    res = CliRunner().invoke(main, ["search", "--country", "ID", "--country", "Narnia",
                                    "--archive", str(filed)])
    assert res.exit_code == 1 and res.output.startswith("Error: unknown country 'Narnia'")
    res = CliRunner().invoke(main, ["search", "--type", "mou,surat cinta", "--archive",
                                    str(filed)])
    assert res.exit_code == 1 and "unknown instrument type 'surat cinta'" in res.output
    res = CliRunner().invoke(main, ["search", "--year", "2024,dua", "--archive", str(filed)])
    assert res.exit_code == 2 and "'dua' is not a valid integer" in res.output


def test_a_country_name_holding_a_comma_stays_whole() -> None:
    """In a comma list, a name with a comma of its own means what it means alone."""
    from pipeline.search.query import facet_filters

    def codes(value: str) -> list[str]:
        q = facet_filters(country=value)["country"]
        return [t.text for t in getattr(q, "subqueries", [q])]

    assert codes("Hong Kong, China") == ["HK"]  # not Hong Kong and China
    assert codes("Hong Kong, China,Jepun, Korea, Republic of") == ["HK", "JP", "KR"]
    assert codes("Congo, The Democratic Republic of the,ID") == ["CD", "ID"]
    assert codes("China, Hong Kong") == ["CN", "HK"]
    assert codes(" ,ID,,Indonesia, ") == ["ID"]


def test_a_facet_counts_without_its_own_filter(filed: Path) -> None:
    """Each facet counts the matches of the query and every other filter, so the values one may
    tick too stay listed; the other facets count the matches."""
    everything = search(filed)
    both = search(filed, "--country", "ID", "--country", "KR")
    assert both["facets"]["country"] == everything["facets"]["country"]
    assert both["facets"]["type"] == {"agreement": 1, "mou": 1, "treaty": 1}
    assert both["facets"]["year"] == {"2004": 1, "2024": 1, "2025": 1}
    narrowed = search(filed, "--country", "ID,KR", "--level", "bilateral")
    assert narrowed["facets"]["level"] == {"bilateral": 2, "regional": 1}
    assert narrowed["facets"]["country"] == search(filed, "--level", "bilateral")["facets"][
        "country"]
    assert narrowed["facets"]["type"] == {"mou": 1, "treaty": 1}
    # kind too, one value or several
    assert search(filed, "--kind", "instrument")["facets"]["kind"] == everything["facets"]["kind"]
    # with a query, the words always hold
    worded = search(filed, "runding", "--country", "ID")
    assert worded["facets"]["country"] == search(filed, "runding")["facets"]["country"]


def test_one_value_is_the_search_it_was(filed: Path) -> None:
    """A single value, as a string or a list of one, gives the same search and the same shape."""
    from pipeline.archive import open_archive
    from pipeline.search import SearchResult, search_index

    index = open_archive(filed).index_dir
    for filters in ({"country": "Indonesia"}, {"type": "MOU"}, {"level": "serantau"},
                    {"year": 2024}, {"kind": "instrument"}):
        (name, value), = filters.items()
        one = search_index(index, None, **filters)
        assert search_index(index, None, **{name: [value]}) == one, filters
        assert search_index(index, None, **{name: str(value)}) == one, filters
        assert isinstance(one, SearchResult) and one.total >= 1
        assert set(one.facets) == {"country", "type", "level", "kind", "year"}
    assert search_index(index, None, country="", type=[], level=None, year=[]) == (
        search_index(index, None))


COUNTRY_NAMES = ("ID", "Indonesia", "KR", "Korea Selatan", "South Korea", "Jepun", "Japan",
                 "Selandia Baru", "AU", "China", "Thailand", "ASEAN", "Singapura", "Perancis")
OTHER_FILTERS = {
    "--type": ("agreement", "MOU", "Triti", "Perjanjian"),
    "--level": ("bilateral", "serantau", "pelbagai hala"),
    "--year": ("2002", "2004", "2024", "2025", "2026"),
    "--kind": ("instrument", "correspondence"),
}


@st.composite
def other_filters(draw: st.DrawFn) -> list[str]:
    args: list[str] = []
    for flag, values in OTHER_FILTERS.items():
        chosen = draw(st.lists(st.sampled_from(values), max_size=2, unique=True))
        for value in chosen:
            args += [flag, value]
    words = draw(st.sampled_from(("", "kerjasama", "runding", "agreement", "Malaysia")))
    return [words, *args] if words else args


@settings(max_examples=20, deadline=None)
@given(a=st.sampled_from(COUNTRY_NAMES), b=st.sampled_from(COUNTRY_NAMES),
       rest=other_filters())
def test_property_two_countries_find_the_union_of_each(filed: Path, a: str, b: str,
                                                       rest: list[str]) -> None:
    """`--country A --country B` finds what A alone or B alone finds, of what the other
    filters (and the words) find; its comma list is the same search; the country facet counts
    as if no country were chosen."""
    def found(*args: str) -> dict:
        return search(filed, *args, "--limit", "50")

    both = found("--country", a, "--country", b, *rest)
    others = found(*rest)
    union = ids(found("--country", a)) | ids(found("--country", b))
    assert ids(both) == union & ids(others)
    assert both["total"] == len(ids(both))
    assert ids(both) == ids(found("--country", a, *rest)) | ids(found("--country", b, *rest))
    assert found("--country", f"{a},{b}", *rest) == both
    assert both["facets"]["country"] == others["facets"]["country"]


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
