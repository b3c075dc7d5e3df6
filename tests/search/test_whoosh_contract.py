"""What the search relies on in Whoosh, checked against Whoosh itself.

The search uses Whoosh's public interface only, but in a way Whoosh does not test: it reads
postings once through the matcher interface, keeps them decoded (`postings`), finds every match
by set algebra (`matching`), and hands the decoded postings back to Whoosh's own query matchers
through `Searcher.postings` (`postings.CachedSearcher`) so that Whoosh's BM25F scores the best
few. Here, on an index of several segments with deleted documents, every query is answered
both ways and must agree to the last bit; an upgrade of Whoosh that breaks an assumption fails
here, naming it.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from whoosh import query as wq
from whoosh.searching import Searcher

from pipeline.search import close_all, matching, scoring, store
from pipeline.search import query as parsing
from pipeline.search import searcher as searchers
from pipeline.search.postings import CachedMatcher, ids_of
from pipeline.search.schema import fields
from tests.search.test_index import doc

VOCABULARY = (
    "kerjasama keselamatan sempadan rundingan perundingan dadah pemerdagangan orang migran "
    "imigresen polis latihan pegawai maklumat the delegations negotiated border security "
    "trafficking in persons memorandum of understanding persefahaman kerja sama Korea Selatan "
    "Republic of Korea Indonesia Thailand"
)
WORDS = VOCABULARY.split()

QUERIES = [
    "kerjasama",
    "keselamatan sempadan",
    "memorandum persefahaman",
    "Korea Selatan",
    "Indonesia polis",
    '"kerja sama"',
    '"border security"',
    "pemerdagangan orang",
    "trafficking in persons",
    "runding -dadah",
    "IKA-2025-0003",
    "the delegations negotiated",
]
FILTERS: list[dict[str, Any]] = [
    {},
    {"country": "ID"},
    {"type": "mou"},
    {"level": "bilateral", "year": 2024},
    {"date_from": date(2023, 1, 1), "date_to": date(2024, 6, 30)},
]


def _docs(rng: random.Random, start: int, n: int) -> list[dict[str, Any]]:
    out = []
    for i in range(start, start + n):
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 60)))
        out.append(
            doc(
                f"D{i:03d}",
                text,
                title=" ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 6))),
                case=f"IKA-2025-{i % 7:04d}",
                countries=rng.sample(["ID", "TH", "KR", "SG"], rng.randint(0, 2)),
                type=rng.choice(["mou", "treaty", None]),
                level=rng.choice(["bilateral", "multilateral", None]),
                signed=date(rng.randint(2022, 2025), rng.randint(1, 12), 1)
                if rng.random() < 0.7
                else None,
                filed=datetime(2025, 1, 1 + i % 28, 9),
            )
        )
    return out


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Three segments (committed without merging) and deletions in two of them."""
    path = tmp_path_factory.mktemp("contract") / "index"
    opened = store.open_index(path)
    rng = random.Random(5)
    for batch in range(3):
        writer = opened.ix.writer()
        for d in _docs(rng, batch * 40, 40):
            writer.add_document(**fields(d))
        writer.commit(merge=False)
    writer = opened.ix.writer()
    for doc_id in ("D003", "D017", "D041", "D042", "D099"):
        writer.delete_by_term("doc_id", doc_id)
    writer.commit(merge=False)
    opened.ix.close()
    yield path
    close_all()


def _queries() -> Iterator[tuple[str, Any]]:
    for text in QUERIES:
        parsed = parsing.parse(text)
        assert parsed is not None
        yield text, parsed.query
    for f in FILTERS[1:]:
        filters = parsing.filters(
            f.get("country"),
            f.get("type"),
            f.get("level"),
            None,
            f.get("year"),
            f.get("date_from"),
            f.get("date_to"),
        )
        yield repr(f), wq.And(filters)


def _whoosh_scores(plain: Searcher, q: Any) -> dict[int, float]:
    """Every match of `q` and its score, by Whoosh's own matchers, segment by segment."""
    out: dict[int, float] = {}
    for sub, offset in plain.subsearchers or [(plain, 0)]:
        m = q.matcher(sub, sub.context())
        while m.is_active():
            out[m.id() + offset] = m.score()
            m.next()
    return out


def test_the_index_has_segments_and_deletions(index_dir: Path) -> None:
    with searchers.entry(index_dir) as entry:
        assert len(entry.searcher.subsearchers or []) >= 2
        assert entry.searcher.reader().has_deletions()


@pytest.mark.parametrize(("name", "q"), list(_queries()), ids=[n for n, _ in _queries()])
def test_matches_and_scores_are_whooshs_own(index_dir: Path, name: str, q: Any) -> None:
    with searchers.entry(index_dir) as entry:
        plain = Searcher(entry.searcher.reader(), closereader=False)
        expected = _whoosh_scores(plain, q)
        assert set(expected) == set(plain.docs_for_query(q))
        found = matching.docs(entry, q)
        assert set(ids_of(found)) == set(expected), (
            f"{name}: the documents found by set algebra over decoded postings are not those "
            "Whoosh finds"
        )
        scored = dict(scoring.score_each(entry, q, ids_of(found)))
        assert scored == expected, (
            f"{name}: Whoosh's matchers over decoded postings no longer give Whoosh's own "
            "scores (the leaf matcher interface, `Searcher.postings` or the scorers changed)"
        )


def test_term_matchers_read_the_decoded_postings(index_dir: Path) -> None:
    """Whoosh's Term.matcher must ask `Searcher.postings` for its postings: otherwise the
    decoded postings go unused and every search decodes them again (slow, still right)."""
    with searchers.entry(index_dir) as entry:
        for sub, _ in entry.searcher.subsearchers or [(entry.searcher, 0)]:
            m = wq.Term("text", "kerjasama").matcher(sub, sub.context())
            assert isinstance(m, CachedMatcher), (
                f"Term.matcher built {type(m).__name__}, not from Searcher.postings"
            )


def test_facet_sets_are_the_terms_documents(index_dir: Path) -> None:
    with searchers.entry(index_dir) as entry:
        plain = Searcher(entry.searcher.reader(), closereader=False)
        for field in searchers.FACET_FIELDS:
            for value, bits in entry.facet_sets(field):
                expected = set(plain.docs_for_query(wq.Term(field, value)))
                assert set(ids_of(bits)) == expected, f"{field}:{value}"


def test_whoosh_is_imported_only_by_the_search_package() -> None:
    root = Path(__file__).resolve().parents[2]
    outside = [
        str(p.relative_to(root))
        for p in [root / "cli.py", *sorted((root / "pipeline").rglob("*.py"))]
        if "search" not in p.relative_to(root).parts[:2]
        and any(
            line.lstrip().startswith(("import whoosh", "from whoosh"))
            for line in p.read_text(encoding="utf-8").splitlines()
        )
    ]
    assert outside == [], f"Whoosh imported outside pipeline/search/: {outside}"


def test_indexed_doc_ids_leaves_out_deleted_documents(index_dir: Path) -> None:
    from pipeline.search import indexed_doc_ids

    ids = indexed_doc_ids(index_dir)
    assert len(ids) == 115 and "D003" not in ids and "D004" in ids
