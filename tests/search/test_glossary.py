"""The bilingual glossary: curated data, and a real Whoosh index where a subject named in
either language finds the texts of both.

One index holds a tiny Malay and a tiny English text per subject (built once for the module);
each subject's test queries every one of its names against it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pipeline.search import GLOSS_PREFIX, add_documents, analyze, close_all, search_index
from pipeline.search.analysis import query_terms
from pipeline.search.concepts import concepts_in, match_names
from pipeline.vocab.countries import normalise
from pipeline.vocab.glossary import FIELDS, TERMS, Term, by_id
from tests.search.test_index import doc

# Sentences around a name: no glossary name, country, type or level in them.
MS_TEXT = "Pegawai kedua-dua pihak membincangkan {} dengan teliti pada hari itu."
EN_TEXT = "Officials of both sides discussed {} at length on that day."

# Texts that must not be found by the subjects named beside them.
NEAR_MISSES: dict[str, str] = {
    "X-FTA-MS": "Kajian tentang perdagangan bebas di rantau ini.",
    "X-FTA-EN": "A study of free trade in the region.",
    "X-APART-MS": "Pemerdagangan dadah melibatkan ramai orang di kawasan itu.",
    "X-APART-EN": "Trade rules were set free of charge for small firms.",
    "X-BANGUNAN": "Bangunan baharu pejabat siap dibina.",
    "X-PEMBANGUNAN": "Pembangunan kawasan luar bandar dipercepat.",
    "X-SELAMAT": "Selamat Hari Raya kepada semua pegawai.",
    "X-MENYELAMAT": "Nelayan itu diselamatkan oleh penduduk kampung.",
}


def _doc(doc_id: str, text: str, language: str) -> dict[str, Any]:
    # A neutral title and file name: the default ones would carry the id's words.
    return doc(doc_id, text, title="Dokumen", filename="d.pdf", language=language)


@pytest.fixture(scope="module")
def ix(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("glossary") / "index"
    docs = []
    for n, term in enumerate(TERMS):
        docs.append(_doc(f"MS-{n:03d}", MS_TEXT.format(term.ms[0]), "ms"))
        docs.append(_doc(f"EN-{n:03d}", EN_TEXT.format(term.en[0]), "en"))
    docs += [_doc(k, v, "ms" if k.endswith("MS") else "en") for k, v in NEAR_MISSES.items()]
    assert add_documents(path, docs) == len(docs)
    yield path
    close_all()


def found(ix: Path, query: str) -> set[str]:
    return {h.doc_id for h in search_index(ix, query, limit=1000).hits}


# --- the data ----------------------------------------------------------------------------


def test_glossary_is_large_enough_and_covers_the_fields() -> None:
    assert len(TERMS) >= 150
    for field in (
        "security",
        "police",
        "immigration",
        "prisons",
        "drugs",
        "civil defence",
        "maritime enforcement",
        "national registration",
        "volunteers",
        "trafficking and smuggling",
        "extradition and mutual legal assistance",
        "money laundering",
        "terrorism",
        "cyber security",
        "border management",
    ):
        assert field in FIELDS


def test_the_pairs_the_issue_names() -> None:
    pairs = {
        "pemerdagangan orang": "trafficking in persons",
        "penyeludupan migran": "smuggling of migrants",
        "perdagangan bebas": "free trade",
        "ekstradisi": "extradition",
        "bantuan bersama dalam perkara jenayah": "mutual legal assistance in criminal matters",
        "pengubahan wang haram": "money laundering",
        "keganasan": "terrorism",
        "dadah": "narcotic drugs",
        "pengurusan sempadan": "border management",
        "keselamatan siber": "cyber security",
        "jenayah rentas sempadan": "transnational crime",
        "pemindahan banduan": "transfer of sentenced persons",
        "pelarian": "refugees",
        "imigresen": "immigration",
    }
    by_ms = {name: t for t in TERMS for name in t.ms}
    for ms, en in pairs.items():
        assert en in by_ms[ms].en, ms


def test_ids_are_unique_and_found() -> None:
    assert len({t.id for t in TERMS}) == len(TERMS)
    assert by_id("trafficking-in-persons").ms[0] == "pemerdagangan orang"


def test_each_name_belongs_to_one_subject() -> None:
    """Two subjects must not share a name, not even once stemmed ("trafficked persons" is
    "trafficking in persons" to the index)."""
    owner: dict[tuple[str, ...], str] = {}
    clashes = []
    for term in TERMS:
        for name in term.names:
            terms = tuple(query_terms(name))
            assert terms, (term.id, name)
            if owner.setdefault(terms, term.id) != term.id:
                clashes.append((name, term.id, owner[terms]))
    assert clashes == []


def test_no_name_holds_a_country_type_or_level_name() -> None:
    """Those are matched first in a query, and would split the subject's name."""
    holders = [
        (term.id, name, concept)
        for term in TERMS
        for name in term.names
        for _, _, concept in match_names(normalise(name).split())
    ]
    assert holders == []


def test_fillers_name_nothing() -> None:
    for text in (MS_TEXT.format(""), EN_TEXT.format("")):
        assert not [t for t in analyze(text) if t.startswith(GLOSS_PREFIX)]
        assert concepts_in(text) == set()


# --- search, one test per subject ---------------------------------------------------------


@pytest.mark.parametrize("term", TERMS, ids=lambda t: t.id)
def test_either_language_finds_both(ix: Path, term: Term) -> None:
    n = TERMS.index(term)
    both = {f"MS-{n:03d}", f"EN-{n:03d}"}
    for name in term.names:
        assert both <= found(ix, name), name


# --- what must not match ---------------------------------------------------------------------


def test_free_trade_is_not_trafficking_in_persons(ix: Path) -> None:
    tip = {f"{lang}-{TERMS.index(by_id('trafficking-in-persons')):03d}" for lang in ("MS", "EN")}
    fta = {f"{lang}-{TERMS.index(by_id('free-trade')):03d}" for lang in ("MS", "EN")}
    fta |= {"X-FTA-MS", "X-FTA-EN"}
    for query in ("pemerdagangan orang", "trafficking in persons", "human trafficking"):
        assert not found(ix, query) & fta, query
    for query in ("perdagangan bebas", "free trade"):
        hits = found(ix, query)
        assert fta <= hits and not hits & tip, query


def test_names_match_as_a_whole_not_as_loose_words(ix: Path) -> None:
    # Both words are in the text, apart: the subject is not named there.
    assert "X-APART-MS" not in found(ix, "pemerdagangan orang")
    assert "X-APART-EN" not in found(ix, "free trade")
    # Each word alone still finds it.
    assert "X-APART-MS" in found(ix, "pemerdagangan")


def test_perdagangan_is_not_pemerdagangan(ix: Path) -> None:
    tip = {f"{lang}-{TERMS.index(by_id('trafficking-in-persons')):03d}" for lang in ("MS", "EN")}
    for query in ("perdagangan", "trade"):
        hits = found(ix, query)
        assert not hits & tip, query
        assert "X-APART-MS" not in hits  # pemerdagangan dadah


def test_bangunan_is_not_pembangunan(ix: Path) -> None:
    assert "X-PEMBANGUNAN" not in found(ix, "bangunan")
    assert "X-BANGUNAN" not in found(ix, "pembangunan")
    assert "X-BANGUNAN" in found(ix, "bangunan")
    assert "X-PEMBANGUNAN" in found(ix, "membangunkan")


def test_security_is_not_a_greeting_or_a_rescue(ix: Path) -> None:
    for query in ("keselamatan", "security"):
        assert not found(ix, query) & {"X-SELAMAT", "X-MENYELAMAT"}, query


def test_the_other_language_is_highlighted(ix: Path) -> None:
    result = search_index(ix, "pemerdagangan orang", limit=50)
    english = next(h for h in result.hits if h.doc_id.startswith("EN-"))
    assert "«trafficking in persons»" in english.snippet
    result = search_index(ix, "smuggling of migrants", limit=50)
    malay = next(h for h in result.hits if h.doc_id.startswith("MS-"))
    assert "«penyeludupan migran»" in malay.snippet


def test_minus_leaves_out_the_subject_in_both_languages(ix: Path) -> None:
    drugs = {f"{lang}-{TERMS.index(by_id('narcotic-drugs')):03d}" for lang in ("MS", "EN")}
    assert drugs <= found(ix, "dadah")
    assert not found(ix, "dadah -drugs") & drugs
    assert not found(ix, "drugs -dadah") & drugs
