"""What the search relies on in Whoosh, checked against Whoosh itself.

The search uses Whoosh's public interface only, but in a way Whoosh does not test: it reads
postings once through the matcher interface, keeps them decoded (`postings`), finds every match
by set algebra (`matching`), and hands the decoded postings back to Whoosh's own query matchers
through `Searcher.postings` (`postings.CachedSearcher`) so that Whoosh's BM25F scores the best
few. Here, on an index of several segments with deleted documents, every query is answered
both ways and must agree to the last bit; an upgrade of Whoosh that breaks an assumption fails
here, naming it.

`whoosh-reloaded` is pinned to one exact version in pyproject.toml; every Whoosh name the search
uses (classes, methods, attributes, keyword arguments, BM25F's defaults) is listed below and
checked by name, so an upgrade that renames or drops one fails with that name.
"""

from __future__ import annotations

import ast
import importlib
import importlib.metadata
import inspect
import random
import re
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
    """Nothing outside pipeline/search/ imports Whoosh; of the tests, only this file does."""
    root = Path(__file__).resolve().parents[2]
    files = [root / "cli.py", *sorted((root / "pipeline").rglob("*.py")),
             *sorted((root / "tests").rglob("*.py"))]
    outside = [
        str(p.relative_to(root))
        for p in files
        if p.relative_to(root).parts[:2] != ("pipeline", "search")
        and p.resolve() != Path(__file__).resolve()
        and any(
            re.match(r"\s*(import|from)\s+whoosh\b", line)
            for line in p.read_text(encoding="utf-8").splitlines()
        )
    ]
    assert outside == [], f"Whoosh imported outside pipeline/search/: {outside}"


def test_indexed_doc_ids_leaves_out_deleted_documents(index_dir: Path) -> None:
    from pipeline.search import indexed_doc_ids

    ids = indexed_doc_ids(index_dir)
    assert len(ids) == 115 and "D003" not in ids and "D004" in ids


# --- the pinned version and every Whoosh name the search uses ---------------------------------

ROOT = Path(__file__).resolve().parents[2]

#: (module, attribute path): what pipeline/search imports or calls on Whoosh's classes.
USED = [
    ("whoosh.analysis", "Filter"),
    ("whoosh.analysis", "LowercaseFilter"),
    ("whoosh.analysis", "RegexTokenizer"),
    ("whoosh.fields", "DATETIME"),
    ("whoosh.fields", "ID"),
    ("whoosh.fields", "KEYWORD"),
    ("whoosh.fields", "STORED"),
    ("whoosh.fields", "TEXT"),
    ("whoosh.fields", "Schema"),
    ("whoosh.filedb.filestore", "FileStorage.open_index"),
    ("whoosh.filedb.filestore", "FileStorage.create_index"),
    ("whoosh.index", "LockError"),
    ("whoosh.index", "FileIndex.writer"),
    ("whoosh.index", "FileIndex.reader"),
    ("whoosh.index", "FileIndex.doc_count"),
    ("whoosh.writing", "SegmentWriter.add_document"),
    ("whoosh.writing", "SegmentWriter.update_document"),
    ("whoosh.writing", "SegmentWriter.delete_by_term"),
    ("whoosh.writing", "SegmentWriter.cancel"),
    ("whoosh.writing", "SegmentWriter.commit"),
    ("whoosh.matching", "Matcher"),
    ("whoosh.matching", "NullMatcher"),
    ("whoosh.matching", "ReadTooFar"),
    ("whoosh.matching", "Matcher.value_as"),
    ("whoosh.query", "Term"),
    ("whoosh.query", "Or"),
    ("whoosh.query", "And"),
    ("whoosh.query", "AndNot"),
    ("whoosh.query", "Every"),
    ("whoosh.query", "DateRange"),
    ("whoosh.query", "Phrase"),
    ("whoosh.query", "Query.matcher"),
    ("whoosh.query.qcore", "TermNotFound"),
    ("whoosh.reading", "SegmentReader.postings"),
    ("whoosh.reading", "SegmentReader.lexicon"),
    ("whoosh.reading", "SegmentReader.all_doc_ids"),
    ("whoosh.reading", "SegmentReader.has_deletions"),
    ("whoosh.reading", "SegmentReader.doc_field_length"),
    ("whoosh.reading", "SegmentReader.doc_count_all"),
    ("whoosh.reading", "SegmentReader.has_column"),
    ("whoosh.reading", "SegmentReader.column_reader"),
    ("whoosh.reading", "MultiReader.doc_field_length"),
    ("whoosh.scoring", "BM25F"),
    ("whoosh.searching", "Searcher.postings"),
    ("whoosh.searching", "Searcher.is_atomic"),
    ("whoosh.searching", "Searcher.context"),
    ("whoosh.searching", "Searcher.reader"),
    ("whoosh.searching", "Searcher.idf"),
    ("whoosh.searching", "Searcher.avg_field_length"),
    ("whoosh.searching", "Searcher.doc_count_all"),
    ("whoosh.reading", "SegmentReader.stored_fields"),
    ("whoosh.searching", "Searcher.docs_for_query"),
    ("whoosh.searching", "Searcher.up_to_date"),
    ("whoosh.util.times", "datetime_to_long"),
]

#: Keyword arguments the search passes or that Whoosh passes to the search's overrides.
KEYWORDS = [
    ("whoosh.searching", "Searcher.postings", ("weighting", "qf")),
    ("whoosh.searching", "Searcher.__init__", ("fromindex", "closereader")),
    ("whoosh.filedb.filestore", "FileStorage.__init__", ("supports_mmap",)),
    ("whoosh.reading", "SegmentReader.column_reader", ("translate",)),
    ("whoosh.writing", "SegmentWriter.__init__", ("timeout",)),
    ("whoosh.writing", "SegmentWriter.commit", ("merge", "optimize")),
]


def _resolve(module: str, path: str) -> Any:
    obj: Any = importlib.import_module(module)
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj


def test_whoosh_reloaded_is_pinned_to_the_installed_version() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    pins = re.findall(r'"whoosh-reloaded\s*([=<>!~]=?)\s*([^";]+)"', pyproject, re.IGNORECASE)
    assert len(pins) == 1 and pins[0][0] == "==", (
        f"pyproject.toml must pin whoosh-reloaded to one exact version (==), found {pins}"
    )
    installed = importlib.metadata.version("whoosh-reloaded")
    assert installed == pins[0][1].strip(), (
        f"whoosh-reloaded {installed} is installed but pyproject.toml pins {pins[0][1]}: "
        "run this file against the new version before moving the pin"
    )


@pytest.mark.parametrize(("module", "path"), USED, ids=[f"{m}.{p}" for m, p in USED])
def test_whoosh_still_has(module: str, path: str) -> None:
    try:
        _resolve(module, path)
    except (ImportError, AttributeError) as exc:
        version = importlib.metadata.version("whoosh-reloaded")
        pytest.fail(f"whoosh-reloaded {version} has no {module}.{path}, which pipeline/search "
                    f"uses ({type(exc).__name__}: {exc})")


@pytest.mark.parametrize(
    ("module", "path", "names"), KEYWORDS, ids=[f"{m}.{p}" for m, p, _ in KEYWORDS]
)
def test_whoosh_still_takes(module: str, path: str, names: tuple[str, ...]) -> None:
    params = inspect.signature(_resolve(module, path)).parameters
    takes_any = any(p.kind is p.VAR_KEYWORD for p in params.values())
    missing = [n for n in names if n not in params and not takes_any]
    assert not missing, f"{module}.{path} no longer takes {missing}, which pipeline/search passes"


def test_instances_have_the_attributes_the_search_reads(index_dir: Path) -> None:
    """Attributes set in constructors, which `hasattr` on the class cannot see."""
    term, phrase = wq.Term("text", "a", boost=2.0), wq.Phrase("text", ["a", "b"], slop=1)
    expected = {
        "Term": (term, ("fieldname", "text", "boost")),
        "Phrase": (phrase, ("fieldname", "words", "slop", "boost")),
        "And": (wq.And([term, phrase]), ("subqueries",)),
        "Or": (wq.Or([term, phrase]), ("subqueries",)),
        "AndNot": (wq.AndNot(term, phrase), ("a", "b")),
        "DateRange": (wq.DateRange("docdate", None, None), ("fieldname", "startdate", "enddate")),
    }
    with searchers.entry(index_dir) as entry:
        searcher_attrs = ("subsearchers", "schema", "weighting", "stored_fields")
        expected["Searcher"] = (entry.searcher, searcher_attrs)
        expected["TEXT field"] = (entry.searcher.schema["text"], ("scorable",))
        missing = [f"{name}.{a}" for name, (obj, attrs) in expected.items() for a in attrs
                   if not hasattr(obj, a)]
    assert not missing, f"Whoosh objects no longer have {missing}, which pipeline/search reads"


def test_the_search_reads_no_private_attribute() -> None:
    """No `obj._name` on anything but `self`/`cls` in pipeline/search/: Whoosh's private
    internals were measured (a block reader, commit 9ab86e4: p95 at 20,000 documents barely lower
    than the public matchers') and left out; a new use must be argued, and put in one adapter."""
    found = []
    for path in sorted((ROOT / "pipeline" / "search").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Attribute)
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
                and not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"))
            ):
                found.append(f"{path.name}:{node.lineno}: {ast.unparse(node)}")
    assert not found, f"private attributes read in pipeline/search/: {found}"


def test_the_rough_pass_uses_bm25fs_defaults() -> None:
    """`scoring._rough_scores` repeats BM25F's formula with its default K1 and B: if they
    change, the rough pass picks a different pool and the best page may change."""
    from whoosh.scoring import BM25F

    w = BM25F()
    assert (w.K1, w.B) == (scoring._K1, 0.75), (
        f"whoosh.scoring.BM25F defaults are now K1={w.K1}, B={w.B}; pipeline/search/scoring.py "
        f"assumes K1={scoring._K1}, B=0.75"
    )
