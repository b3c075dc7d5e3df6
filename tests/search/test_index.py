"""The search index, on a real Whoosh index in tmp_path: languages, filters, facets, safety."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from pipeline.errors import IndexError_, UnknownCountry, UnknownType
from pipeline.search import (
    add_documents,
    close_all,
    concepts,
    delete_document,
    open_index,
    rebuild_index,
    results,
    schema,
    search_index,
    store,
)
from pipeline.search.hits import SearchHit, SearchResult
from pipeline.serialize import to_json

ROOT = Path(__file__).resolve().parents[2]


def doc(doc_id: str, text: str, **kw: Any) -> dict[str, Any]:
    """A document mapping as the filing pipeline gives it; metadata defaults to nothing."""
    base: dict[str, Any] = {
        "doc_id": doc_id,
        "case": None,
        "title": kw.pop("title", f"Dokumen {doc_id}"),
        "text": text,
        "countries": [],
        "type": None,
        "level": None,
        "division": "BKDN",
        "signed": None,
        "filed": datetime(2025, 1, 15, 10, 30),
        "filename": f"{doc_id.lower()}.pdf",
        "language": "ms",
        "path": f"files/2025/{doc_id}.pdf",
    }
    base.update(kw)
    return base


CORPUS = [
    doc("RUNDING", "Pihak-pihak telah mengadakan perundingan di Putrajaya mengenai draf teks."),
    doc("TIP", "Jenayah pemerdagangan orang dan penyeludupan migran dibincangkan."),
    doc("FTA", "Kajian perdagangan bebas dan pedagang tempatan.", title="Dagangan"),
    doc("KSAMA", "Kedua-dua negara bersetuju untuk kerja sama dalam bidang keselamatan."),
    doc("KJOIN", "Program kerjasama teknikal antara agensi penguatkuasaan."),
    doc("NEGO", "The delegations negotiated the final text in good faith.", language="en"),
    doc("KERAJAAN", "Kerajaan Malaysia menyambut baik cadangan ini."),
    doc("RAJA", "Majlis Raja-Raja bersidang di Istana Negara."),
    doc("MOU-EN", "This Memorandum of Understanding sets out the framework.", language="en"),
    doc("MOU-MS", "Memorandum Persefahaman ini menggariskan rangka kerja."),
    doc("KOREA", "Signed with the Government of the Republic of Korea in Seoul.", language="en"),
]


@pytest.fixture(autouse=True)
def _close_searchers() -> Iterator[None]:
    yield
    close_all()


@pytest.fixture
def ix(tmp_path: Path) -> Path:
    path = tmp_path / "index"
    assert add_documents(path, CORPUS) == len(CORPUS)
    return path


def ids(result: SearchResult) -> set[str]:
    return {h.doc_id for h in result.hits}


# --- languages ---------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["runding", "rundingan", "berunding", "merundingkan"])
def test_runding_family_finds_perundingan(ix: Path, query: str) -> None:
    assert ids(search_index(ix, query)) == {"RUNDING"}


@pytest.mark.parametrize("query", ["pemerdagangan", "memperdagangkan", "diperdagangkan"])
def test_pemerdagangan_family(ix: Path, query: str) -> None:
    assert ids(search_index(ix, query)) == {"TIP"}


@pytest.mark.parametrize("query", ["perdagangan", "berdagang", "pedagang", "dagangan"])
def test_trade_is_not_trafficking(ix: Path, query: str) -> None:
    assert ids(search_index(ix, query)) == {"FTA"}


@pytest.mark.parametrize("query", ["kerjasama", "kerja sama", "bekerjasama"])
def test_kerjasama_either_spelling(ix: Path, query: str) -> None:
    assert {"KSAMA", "KJOIN"} <= ids(search_index(ix, query))


@pytest.mark.parametrize("query", ["negotiate", "negotiation", "negotiating", "negotiations"])
def test_negotiate_family(ix: Path, query: str) -> None:
    assert ids(search_index(ix, query)) == {"NEGO"}


def test_raja_does_not_find_kerajaan(ix: Path) -> None:
    assert ids(search_index(ix, "raja")) == {"RAJA"}
    assert ids(search_index(ix, "kerajaan")) == {"KERAJAAN"}


def test_mou_names_match_across_languages(ix: Path) -> None:
    # Neither document has metadata: the match comes from the names in the text.
    assert {"MOU-EN", "MOU-MS"} <= ids(search_index(ix, "memorandum persefahaman"))
    assert {"MOU-EN", "MOU-MS"} <= ids(search_index(ix, "Memorandum of Understanding"))
    assert {"MOU-EN", "MOU-MS"} <= ids(search_index(ix, "MOU"))


def test_korea_selatan_finds_republic_of_korea(ix: Path) -> None:
    result = search_index(ix, "Korea Selatan")
    assert ids(result) == {"KOREA"}
    assert "«Republic» of «Korea»" in result.hits[0].snippet


def test_words_are_all_required_and_minus_excludes(ix: Path) -> None:
    assert ids(search_index(ix, "pemerdagangan migran")) == {"TIP"}
    assert ids(search_index(ix, "pemerdagangan perundingan")) == set()
    assert "KSAMA" not in ids(search_index(ix, "kerjasama -keselamatan"))


def test_quoted_phrase(ix: Path) -> None:
    assert ids(search_index(ix, '"final text"')) == {"NEGO"}
    assert ids(search_index(ix, '"text final"')) == set()


def test_file_name_words_are_found(tmp_path: Path) -> None:
    path = tmp_path / "index"
    add_documents(path, [doc("F1", "Isi surat.", filename="Minit_Cerai_Thai.docx")])
    assert ids(search_index(path, "minit cerai")) == {"F1"}


def test_case_id_in_the_query(tmp_path: Path) -> None:
    path = tmp_path / "index"
    add_documents(
        path,
        [
            doc("OWN", "Minit cerai.", case="IKA-2026-0001"),
            doc("CITES", "Merujuk IKA-2026-0001, minit susulan."),
            doc("OTHER", "Minit lain.", case="IKA-2026-0002"),
        ],
    )
    result = search_index(path, "ika-2026-0001")
    assert [h.doc_id for h in result.hits] == ["OWN", "CITES"]


def test_cuba_the_verb_is_not_cuba_the_country(tmp_path: Path) -> None:
    path = tmp_path / "index"
    add_documents(
        path,
        [
            doc("VERB", "Pegawai akan cuba menghubungi kedutaan."),
            doc("COUNTRY", "Lawatan ke Cuba dijadualkan."),
        ],
    )
    assert "country:CU" not in concepts.concepts_in("Pegawai akan cuba menghubungi kedutaan.")
    assert "country:CU" in concepts.concepts_in("Lawatan ke Cuba dijadualkan.")
    assert ids(search_index(path, "Republic of Cuba")) == {"COUNTRY"}


# --- filters, facets, shape -----------------------------------------------------------------


@pytest.fixture
def meta(tmp_path: Path) -> Path:
    path = tmp_path / "index"
    docs = [
        doc(
            "A",
            "Kerjasama keselamatan sempadan.",
            case="IKA-2024-0001",
            countries=["SG", "ID"],
            type="mou",
            level="bilateral",
            signed=date(2024, 3, 1),
            filed=datetime(2024, 3, 5, 9, 0),
        ),
        doc(
            "B",
            "Kerjasama pendidikan.",
            case="IKA-2023-0007",
            countries=["TH"],
            type="agreement",
            level="bilateral",
            signed=None,
            filed=datetime(2023, 6, 30, 16, 0),
        ),
        doc(
            "C",
            "Kerjasama serantau.",
            countries=["ASEAN"],
            type="declaration",
            level="regional",
            signed=date(2022, 11, 11),
            filed=datetime(2024, 1, 2, 8, 0),
        ),
    ]
    add_documents(path, docs)
    return path


@pytest.mark.parametrize("form", ["SG", "sgp", "Singapura", "Republic of Singapore", "singapore"])
def test_country_filter_any_form(meta: Path, form: str) -> None:
    assert ids(search_index(meta, None, country=form)) == {"A"}


def test_type_level_case_year_filters(meta: Path) -> None:
    assert ids(search_index(meta, None, type="Memorandum Persefahaman")) == {"A"}
    assert ids(search_index(meta, None, type="Perjanjian")) == {"B"}
    assert ids(search_index(meta, None, level="dua hala")) == {"A", "B"}
    assert ids(search_index(meta, None, level="serantau")) == {"C"}
    assert ids(search_index(meta, None, case="ika-2023-0007")) == {"B"}
    # year is that of signature, else of filing
    assert ids(search_index(meta, None, year=2022)) == {"C"}
    assert ids(search_index(meta, None, year=2023)) == {"B"}
    assert ids(search_index(meta, "kerjasama", year=2024)) == {"A"}


def test_date_range_uses_signed_else_filed(meta: Path) -> None:
    found = search_index(meta, None, date_from=date(2023, 6, 30), date_to=date(2024, 3, 1))
    assert ids(found) == {"A", "B"}  # C was signed in 2022 though filed in 2024
    assert ids(search_index(meta, None, date_to=date(2022, 12, 31))) == {"C"}
    assert ids(search_index(meta, None, date_from=date(2024, 3, 2))) == set()


def test_unknown_filter_values_raise(meta: Path) -> None:
    with pytest.raises(UnknownCountry):
        search_index(meta, None, country="Atlantis")
    with pytest.raises(UnknownType):
        search_index(meta, None, type="surat cinta")


def test_facets_count_every_match_and_each_country(meta: Path) -> None:
    result = search_index(meta, "kerjasama", limit=1)
    assert result.total == 3
    assert len(result.hits) == 1
    assert result.facets == {
        "country": {"ASEAN": 1, "ID": 1, "SG": 1, "TH": 1},
        "type": {"agreement": 1, "declaration": 1, "mou": 1},
        "level": {"bilateral": 2, "regional": 1},
        "kind": {},  # these documents were indexed without one
        "year": {"2022": 1, "2023": 1, "2024": 1},
    }
    filtered = search_index(meta, "kerjasama", level="bilateral")
    assert filtered.facets["country"] == {"ID": 1, "SG": 1, "TH": 1}
    assert filtered.facets["year"] == {"2023": 1, "2024": 1}


def test_hit_shape_and_json(meta: Path) -> None:
    result = search_index(meta, "keselamatan")
    assert isinstance(result, SearchResult)
    (hit,) = result.hits
    assert isinstance(hit, SearchHit)
    assert hit.countries == ("SG", "ID")
    assert hit.signed == date(2024, 3, 1) and hit.filed == date(2024, 3, 5)
    assert hit.date == date(2024, 3, 1)
    assert hit.case == "IKA-2024-0001"
    shaped = to_json(result)
    json.dumps(shaped)  # plain JSON all the way down
    assert list(shaped) == ["total", "hits", "facets"]
    (out,) = shaped["hits"]
    assert list(out) == ["doc_id", "case", "kind", "date", "title", "countries", "type",
                         "level", "division", "language", "path", "files", "score", "snippet",
                         "signed", "filed", "filename"]
    assert out["countries"] == ["SG", "ID"]
    assert (out["date"], out["signed"], out["filed"]) == ("2024-03-01", "2024-03-01",
                                                          "2024-03-05")
    assert out["score"] > 0
    assert "«keselamatan»" in out["snippet"]


def test_no_query_lists_newest_first_with_plain_snippets(meta: Path) -> None:
    result = search_index(meta)
    assert [h.doc_id for h in result.hits] == ["A", "B", "C"]
    assert result.hits[0].snippet == "Kerjasama keselamatan sempadan."
    assert all("«" not in h.snippet for h in result.hits)


def test_snippet_is_short_and_centred_on_the_match(tmp_path: Path) -> None:
    path = tmp_path / "index"
    filler = "Lorem ipsum dolor sit amet. " * 60
    add_documents(path, [doc("LONG", filler + "Rundingan berjalan lancar. " + filler)])
    snippet = search_index(path, "runding").hits[0].snippet
    assert "«Rundingan»" in snippet
    assert len(snippet) <= results.SNIPPET_CHARS + 10
    assert snippet.startswith("…") and snippet.endswith("…")


def test_stop_words_only_query_lists_everything(meta: Path) -> None:
    assert search_index(meta, "dan yang the").total == 3


def test_update_and_delete(meta: Path) -> None:
    add_documents(meta, [doc("A", "Perjanjian baharu tentang dadah.")])
    assert ids(search_index(meta, "keselamatan")) == set()
    assert ids(search_index(meta, "dadah")) == {"A"}
    delete_document(meta, "A")
    assert search_index(meta, "dadah").total == 0
    assert search_index(meta).total == 2


# --- rebuild, damage, concurrency ----------------------------------------------------------


def test_rebuild_swaps_generations_while_searches_go_on(ix: Path) -> None:
    before = open_index(ix).generation
    seen_during: list[int] = []

    def fresh() -> Iterator[dict[str, Any]]:
        yield doc("NEW1", "Pelan tindakan pengurusan sempadan.")
        # mid-rebuild: searches still see the old generation
        seen_during.append(search_index(ix, "raja").total)
        # and a document filed meanwhile is not lost
        add_documents(ix, [doc("LATE", "Laporan tahunan imigresen.")])
        yield doc("NEW2", "Laporan dadah.")

    assert rebuild_index(ix, fresh(), batch_size=1) == 2
    after = open_index(ix).generation
    assert after != before and not before.exists()
    assert seen_during == [1]
    assert search_index(ix, "raja").total == 0
    assert ids(search_index(ix)) == {"NEW1", "NEW2", "LATE"}
    assert not (ix / "BUILDING").exists()


def test_failed_rebuild_leaves_the_live_index(ix: Path) -> None:
    def broken() -> Iterator[dict[str, Any]]:
        yield doc("X", "teks")
        raise RuntimeError("register went away")

    with pytest.raises(RuntimeError):
        rebuild_index(ix, broken())
    assert search_index(ix).total == len(CORPUS)
    assert [p.name for p in ix.iterdir() if p.name.startswith("gen-")] == [
        open_index(ix).generation.name
    ]
    add_documents(ix, [doc("AFTER", "selepas")])
    assert ids(search_index(ix, "selepas")) == {"AFTER"}


def test_garbage_index_dir_is_moved_aside_and_recreated(tmp_path: Path) -> None:
    path = tmp_path / "index"
    path.mkdir()
    (path / "_MAIN_1.toc").write_bytes(b"\x00garbage\xff" * 50)
    (path / "MAIN_abc.seg").write_bytes(b"not a segment")
    opened = open_index(path)
    assert opened.recreated and opened.created
    assert opened.moved_to is not None and (opened.moved_to / "_MAIN_1.toc").exists()
    assert opened.doc_count() == 0
    assert search_index(path).total == 0
    add_documents(path, [doc("D", "teks baharu")])
    assert search_index(path).total == 1


def test_damaged_generation_is_recreated(ix: Path) -> None:
    gen = open_index(ix).generation
    for f in gen.iterdir():
        f.write_bytes(b"\x00" * 17)
    close_all()
    opened = open_index(ix)
    assert opened.recreated
    assert search_index(ix).total == 0


def test_garbage_current_pointer_is_recreated(ix: Path) -> None:
    (ix / "CURRENT").write_text("{not json")
    close_all()
    assert open_index(ix).recreated
    assert search_index(ix).total == 0


def test_fresh_index_is_created_not_recreated(tmp_path: Path) -> None:
    opened = open_index(tmp_path / "new")
    assert opened.created and not opened.recreated
    again = open_index(tmp_path / "new")
    assert not again.created and again.generation == opened.generation


def test_search_while_a_writer_holds_the_lock_mid_batch(ix: Path) -> None:
    gen = open_index(ix).generation
    writer = store.open_whoosh(gen).writer()
    try:
        writer.add_document(**schema.fields(doc("PENDING", "belum disimpan")))
        # readers are snapshots: the half-written batch is invisible, and nothing fails
        assert search_index(ix, "belum").total == 0
        assert search_index(ix).total == len(CORPUS)

        # a second writer waits for the lock instead of failing
        done = threading.Event()

        def add() -> None:
            add_documents(ix, [doc("WAITER", "menunggu giliran")])
            done.set()

        thread = threading.Thread(target=add)
        thread.start()
        time.sleep(0.5)
        assert not done.is_set()
    finally:
        writer.commit()
    thread.join(timeout=30)
    assert done.is_set()
    assert ids(search_index(ix, "belum")) == {"PENDING"}
    assert ids(search_index(ix, "menunggu")) == {"WAITER"}


def test_writer_gives_up_after_lock_wait(ix: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store, "LOCK_WAIT", 0.3)
    gen = open_index(ix).generation
    writer = store.open_whoosh(gen).writer()
    try:
        with pytest.raises(IndexError_, match="busy"):
            add_documents(ix, [doc("NOPE", "tidak")])
    finally:
        writer.cancel()


_ADDER = textwrap.dedent(
    """
    import sys
    from datetime import datetime
    from pathlib import Path
    sys.path.insert(0, {root!r})
    from pipeline.search import add_documents
    prefix, path = sys.argv[1], Path(sys.argv[2])
    docs = (
        {{"doc_id": f"{{prefix}}-{{i:03d}}", "title": f"Dokumen {{prefix}} {{i}}",
          "text": f"Laporan kerjasama nombor {{i}} daripada proses {{prefix}}.",
          "countries": ["SG"], "type": "mou", "level": "bilateral", "case": None,
          "division": "BKDN", "signed": None, "filed": datetime(2025, 1, 1),
          "filename": f"{{prefix}}-{{i}}.pdf", "language": "ms", "path": "x"}}
        for i in range(200)
    )
    print(add_documents(path, docs, batch_size=10))
    """
)


def test_two_processes_adding_at_once_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "index"
    open_index(path)
    script = _ADDER.format(root=str(ROOT))
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", script, prefix, str(path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for prefix in ("P1", "P2")
    ]
    outputs = [p.communicate(timeout=300) for p in procs]
    for p, (out, err) in zip(procs, outputs, strict=True):
        assert p.returncode == 0, err
        assert out.strip() == "200"
    result = search_index(path, "kerjasama", limit=5)
    assert result.total == 400
    assert result.facets["country"] == {"SG": 400}
    assert search_index(path, None, country="Singapura", limit=1).total == 400
