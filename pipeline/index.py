"""The search index: the one module that imports Whoosh.

Layout of an index directory (``archive/index``)::

    CURRENT          {"generation": "gen-000003", "schema": 1}: the live generation, replaced
                     atomically (write a temp file, fsync, os.replace)
    gen-000003/      a plain Whoosh index
    BUILDING         present while `rebuild` fills the next generation
    pending.jsonl    documents added or deleted while a rebuild runs, replayed into the new
                     generation before it goes live
    .lock            flock: writers hold it shared per batch, a rebuild exclusive for a moment
    .rebuild.lock    flock: held by a running rebuild for its whole length

Why generations: a rebuild writes a whole new index beside the live one and then swaps one small
pointer file, so searches keep working during the rebuild and never see a half-built index.
Readers take no lock (Whoosh readers are snapshots); writers of one generation take turns on
Whoosh's own WRITELOCK, retried with backoff for up to `LOCK_WAIT` seconds.

Cross-language matching (see `_concepts_in` and `_parse_query`): at index time every country,
instrument type and level named in a document's title or text — in English or Malay, in any of
its names — is added as a concept token (``country:KR``, ``type:mou``, ``level:bilateral``) to a
hidden field, along with the document's own metadata. At query time the same name tables find
such names in the query, and each one becomes "the words as typed OR the concept token", so
"Korea Selatan" finds a text that says "Republic of Korea" and "memorandum persefahaman" finds
"Memorandum of Understanding". Other words go through the bilingual analyzer (Malay and English
stemming from `pipeline.stemmer`).

Subjects (`pipeline.glossary`: "pemerdagangan orang" ↔ "trafficking in persons", "dadah" ↔
"narcotic drugs" …) work the same way inside the analyzer: while indexing, every name of a
subject met in the title or text, in either language and any inflection, adds the subject's
token (``gloss:trafficking-in-persons``) to that field at the name's position. A query naming a
subject requires its token, so it finds texts in both languages, and a multi-word name only
where its words stand together, in order ("free trade" never finds "pemerdagangan orang").

Text storage: the full text is indexed but not stored; its first `EXCERPT_CHARS` characters are
stored for snippets, so a match further in is found but shown from the start of the text.
Snippets mark matched words with « and ».

Searching: Whoosh parses nothing here; queries are built as Whoosh query objects. The set of
all matches (for the total and the facets) is computed by set algebra over postings read block
by block, facet values' document sets are cached per open searcher, and only the best few
hundred matches are scored exactly by Whoosh's BM25F. Scoring every match through Whoosh's
collectors cost 60-300 ms on 20,000 documents; this keeps a search near 20-60 ms.
"""

from __future__ import annotations

import bisect
import contextlib
import functools
import gc
import heapq
import itertools
import json
import logging
import os
import random
import re
import shutil
import threading
import time
import warnings
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.analysis import Filter, LowercaseFilter, RegexTokenizer
from whoosh.fields import DATETIME, ID, KEYWORD, STORED, TEXT, Schema
from whoosh.matching.wrappers import FilterMatcher
from whoosh.query.qcore import TermNotFound
from whoosh.util.times import datetime_to_long

from pipeline.errors import IkaError, IndexError_
from pipeline.stemmer import COMPOUNDS, STOP_WORDS, irregular_forms, stem

try:  # POSIX; elsewhere writers still take turns through Whoosh's own lock
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "EXCERPT_CHARS",
    "GLOSS_PREFIX",
    "LOCK_WAIT",
    "MARK_END",
    "MARK_START",
    "SCHEMA_VERSION",
    "Index",
    "add_documents",
    "analyze",
    "close_all",
    "delete_document",
    "open_index",
    "rebuild",
    "search",
]

log = logging.getLogger(__name__)

#: Bump when the schema or the analyzer changes: older indexes are then recreated (reindex).
SCHEMA_VERSION = 2
#: Characters of the text stored for snippets.
EXCERPT_CHARS = 32_768
#: Seconds a writer waits for another writer before giving up.
LOCK_WAIT = 30.0
#: Highlight marks around matched words in snippets.
MARK_START, MARK_END = "«", "»"
SNIPPET_CHARS = 200

_CURRENT = "CURRENT"
_BUILDING = "BUILDING"
_JOURNAL = "pending.jsonl"
_LOCK = ".lock"
_REBUILD_LOCK = ".rebuild.lock"
_OURS = {_LOCK, _REBUILD_LOCK, _JOURNAL + ".lock"}
_GEN_RE = re.compile(r"^gen-(\d{6})$")

# ---------------------------------------------------------------------------------------------
# Analysis


class BilingualFilter(Filter):
    """Drop stop words, join split compounds, stem each word as Malay or English.

    Expects lowercase tokens. "kerja sama" (and "co-operation") gives both parts and the joined
    form at the first part's position, so "kerjasama" finds either spelling. Positions are
    renumbered over removed stop words, so "memorandum of understanding" is a phrase of two.

    When indexing, a glossary subject named by the words just seen (in either language, see
    `pipeline.glossary`) adds its concept token (``gloss:<id>``) at the name's first position,
    spanning the whole name: a walk of one trie of stemmed names, a dict step per word.
    """

    is_morph = True

    def __eq__(self, other: object) -> bool:
        return isinstance(other, BilingualFilter)

    def __hash__(self) -> int:
        return hash(BilingualFilter)

    def __call__(self, tokens: Iterator[Any]) -> Iterator[Any]:
        prev_raw = prev_stem = None
        prev_pos = prev_start = 0
        pos = -1
        trie: dict[str, Any] | None = None
        # Glossary names under way: (trie node, first position, first startchar). `before` is
        # the list as it was before the last word, for when a compound replaces that word.
        active: list[tuple[dict[str, Any], int, int]] = []
        before = active
        emitted: dict[str, int] = {}  # concept token -> last position of its last name
        for t in tokens:
            raw = t.text
            if len(raw) < 2 or raw in STOP_WORDS:
                prev_raw = None
                if not t.removestops:
                    t.stopped = True
                    yield t
                continue
            if trie is None:
                trie = _glossary_trie() if t.mode == "index" else {}
            t.stopped = False
            pos += 1
            word = stem(raw)
            joined = None
            if prev_raw is not None:
                if prev_raw == "co":
                    joined = stem("co" + raw)
                else:
                    compound = COMPOUNDS.get((prev_stem, raw))
                    if compound is not None:
                        joined = stem(compound)
            t.text = word
            if t.positions:
                t.pos = pos
            start = t.startchar if t.chars else 0
            yield t
            if joined is not None:
                t.text = joined
                if t.positions:
                    t.pos = prev_pos
                if t.chars:
                    t.startchar = prev_start
                yield t
            if trie:
                # Step every name under way, and maybe start one, with this word's term (or the
                # joined compound's, in place of its first part); a name complete here adds its
                # subject's token, spanning the name.
                if joined is None:
                    before, term, term_pos, term_start = active, word, pos, start
                else:
                    term, term_pos, term_start = joined, prev_pos, prev_start
                grown = (
                    [
                        (child, first, first_start)
                        for node, first, first_start in before
                        if (child := node.get(term)) is not None
                    ]
                    if before
                    else []
                )
                child = trie.get(term)
                if child is not None:
                    grown.append((child, term_pos, term_start))
                active = grown
                for node, first, first_start in grown:
                    token = node.get("")
                    if token is None or emitted.get(token, -1) >= first:
                        continue  # no name ends here, or the same subject again, overlapping
                    emitted[token] = pos
                    t.text = token
                    if t.positions:
                        t.pos = first
                    if t.chars:
                        t.startchar = first_start
                    yield t
            prev_raw, prev_stem, prev_pos, prev_start = raw, word, pos, start


# Words are letters and digits, joined by inner apostrophes (people's, d'Ivoire); the
# underscore separates words, as in file names.
_TOKEN_PATTERN = r"[^\W_]+(?:['’][^\W_]+)*"


#: Concept tokens of glossary subjects start with this; no typed word can (":" splits words).
GLOSS_PREFIX = "gloss:"


@functools.cache
def _glossary() -> tuple[dict[tuple[str, ...], str], dict[str, frozenset[str]]]:
    """(index terms of a name -> its subject's concept token; token -> terms of all its names).

    Names are analysed like query words (stemmed, stop words out, compounds joined), so a name
    matches its inflections in running text: "pengurusan sempadan" also "menguruskan sempadan",
    "trafficking in persons" also "trafficking of persons"; its words together and in order.
    """
    from pipeline.glossary import TERMS

    by_terms: dict[tuple[str, ...], str] = {}
    words: dict[str, set[str]] = {}
    for term in TERMS:
        token = GLOSS_PREFIX + term.id
        for name in term.names:
            terms = tuple(_query_terms(name))
            if terms:
                by_terms.setdefault(terms, token)
                words.setdefault(token, set()).update(terms)
    return by_terms, {k: frozenset(v) for k, v in words.items()}


@functools.cache
def _glossary_trie() -> dict[str, Any]:
    """The glossary's names as a trie of index terms: term -> node; a node's "" key holds the
    concept token of the name that ends there. One dict step per word, at index and query time.
    """
    by_terms, _ = _glossary()
    root: dict[str, Any] = {}
    for terms, token in by_terms.items():
        node = root
        for term in terms:
            node = node.setdefault(term, {})
        node.setdefault("", token)
    return root


@functools.cache
def _analyzer() -> Any:
    return RegexTokenizer(_TOKEN_PATTERN) | LowercaseFilter() | BilingualFilter()


def analyze(text: str) -> list[str]:
    """The index terms of `text`, in order: what a search for it looks up."""
    return [t.text for t in _analyzer()(text, mode="index")]


def _schema() -> Schema:
    a = _analyzer()
    return Schema(
        doc_id=ID(stored=True, unique=True),
        case=ID(stored=True, sortable=True),
        title=TEXT(analyzer=a, stored=True),
        text=TEXT(analyzer=a),
        excerpt=STORED(),
        filename=ID(stored=True),
        concepts=KEYWORD(scorable=True),
        countries=KEYWORD(stored=True, commas=True, scorable=True),
        type=ID(stored=True, sortable=True),
        level=ID(stored=True, sortable=True),
        division=ID(stored=True, sortable=True),
        language=ID(stored=True),
        signed=DATETIME(stored=True),
        filed=DATETIME(stored=True),
        docdate=DATETIME(sortable=True),
        year=ID(stored=True, sortable=True),
        path=STORED(),
    )


SCHEMA = _schema()

# ---------------------------------------------------------------------------------------------
# Concepts: countries, instrument types and levels named in either language


@functools.cache
def _concept_table() -> tuple[dict[str, list[tuple[tuple[str, ...], str]]], frozenset[str]]:
    """First word -> [(name words, concept)], longest names first; and the ambiguous names."""
    from pipeline.countries import name_table, normalise
    from pipeline.instruments import TYPES

    try:
        from pipeline.instruments import LEVELS
    except ImportError:  # pragma: no cover
        LEVELS = ()

    table: dict[tuple[str, ...], str] = {}
    for name, code in name_table().items():
        table.setdefault(tuple(name.split()), f"country:{code}")
    for kind in TYPES:
        if kind.id == "other":  # "other", "lain-lain": ordinary words, not a type's name
            continue
        for name in (kind.ms, kind.en, *kind.aliases):
            table.setdefault(tuple(normalise(name).split()), f"type:{kind.id}")
    for level in LEVELS:
        for name in (level.ms, level.en, *level.aliases):
            table.setdefault(tuple(normalise(name).split()), f"level:{level.id}")
    by_first: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for words, concept in table.items():
        if words:
            by_first.setdefault(words[0], []).append((words, concept))
    for entries in by_first.values():
        entries.sort(key=lambda e: -len(e[0]))
    return by_first, _AMBIGUOUS


# Country names that are also ordinary words ("cuba" is Malay for "try"): in a document's text
# they count only when capitalised.
_AMBIGUOUS = frozenset({"cuba", "chad", "china", "jersey", "turkey", "guinea", "reunion", "cad"})
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'"})
_ASCII_WORD = re.compile(r"[a-z0-9]+(?:'[a-z0-9]+)*")


def _name_words(text: str) -> list[str]:
    """Words of `text` normalised like `countries.normalise`, fast for ASCII text."""
    text = text.translate(_APOSTROPHES)
    if text.isascii():
        return _ASCII_WORD.findall(text.lower().replace(".", "").replace("&", " and "))
    from pipeline.countries import normalise

    return normalise(text).split()


def _match_names(words: list[str]) -> list[tuple[int, int, str]]:
    """Leftmost-longest name matches in `words`: (start, end, concept)."""
    by_first, _ = _concept_table()
    found: list[tuple[int, int, str]] = []
    i, n = 0, len(words)
    while i < n:
        entries = by_first.get(words[i])
        if entries:
            for name, concept in entries:
                k = len(name)
                if tuple(words[i : i + k]) == name:
                    found.append((i, i + k, concept))
                    i += k
                    break
            else:
                i += 1
        else:
            i += 1
    return found


def _concepts_in(text: str) -> set[str]:
    """Concept tokens for the countries, types and levels that `text` names."""
    if not text:
        return set()
    words = _name_words(text)
    out: set[str] = set()
    for start, end, concept in _match_names(words):
        if end - start == 1 and words[start] in _AMBIGUOUS:
            name = words[start]
            if not re.search(rf"\b{name[0].upper()}{re.escape(name[1:])}\b", text):
                continue
        out.add(concept)
    return out


@functools.cache
def _concept_terms(concept: str) -> frozenset[str]:
    """Index terms of every name of a concept, to highlight whichever name a text uses."""
    kind, _, value = concept.partition(":")
    names: list[str] = []
    if kind == "country":
        from pipeline.countries import country_names

        with contextlib.suppress(IkaError, KeyError):
            names = country_names(value)
    elif kind == "type":
        from pipeline.instruments import type_names

        with contextlib.suppress(IkaError, KeyError):
            names = type_names(value)
    elif kind == "level":
        from pipeline.instruments import LEVELS

        names = [n for lv in LEVELS if lv.id == value for n in (lv.ms, lv.en, *lv.aliases)]
    terms: set[str] = set()
    for name in names:
        terms.update(analyze(name))
    return frozenset(terms)


# ---------------------------------------------------------------------------------------------
# Files, locks and generations


@dataclass
class Index:
    """An open generation of the index.

    `created` is True when this call made a new, empty index; `recreated` when an existing
    one was damaged, unreadable or of an older schema and was moved aside to `moved_to`: the
    caller should then reindex.
    """

    dir: Path
    generation: Path
    ix: Any
    created: bool = False
    recreated: bool = False
    moved_to: Path | None = None
    reason: str | None = None

    def doc_count(self) -> int:
        return self.ix.doc_count()


class _Damaged(Exception):
    pass


@contextlib.contextmanager
def _flock(path: Path, *, exclusive: bool, timeout: float | None = LOCK_WAIT) -> Iterator[None]:
    """Hold an flock on `path`, waiting up to `timeout` seconds (None: forever)."""
    if fcntl is None:  # pragma: no cover
        yield
        return
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        mode = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
        if timeout is None:
            fcntl.flock(fd, mode)
        else:
            deadline = time.monotonic() + timeout
            delay = 0.01
            while True:
                try:
                    fcntl.flock(fd, mode | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise IndexError_(
                            f"the search index at {path.parent} stayed locked for "
                            f"{timeout:.0f} s; try again"
                        ) from None
                    time.sleep(delay * (0.5 + random.random()))
                    delay = min(delay * 2, 0.5)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _rebuild_running(index_dir: Path) -> bool:
    """True while some process holds the rebuild lock."""
    if fcntl is None:  # pragma: no cover
        return (index_dir / _BUILDING).exists()
    path = index_dir / _REBUILD_LOCK
    if not path.exists():
        return False
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def _write_json(path: Path, data: Mapping[str, Any]) -> None:
    """Replace `path` atomically and durably."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(data, fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    with contextlib.suppress(OSError):
        dfd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)


def _read_current(index_dir: Path) -> str | None:
    """The live generation's name; None when there is none; _Damaged when unreadable."""
    try:
        raw = (index_dir / _CURRENT).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise _Damaged(f"CURRENT unreadable: {exc}") from None
    try:
        data = json.loads(raw)
        name = data["generation"]
        schema = data["schema"]
    except (ValueError, KeyError, TypeError):
        raise _Damaged("CURRENT is not valid") from None
    if not isinstance(name, str) or not _GEN_RE.match(name):
        raise _Damaged("CURRENT names no generation")
    if schema != SCHEMA_VERSION:
        raise _Damaged(f"index schema {schema} is not the current {SCHEMA_VERSION}")
    return name


def _read_building(index_dir: Path) -> str | None:
    try:
        data = json.loads((index_dir / _BUILDING).read_text(encoding="utf-8"))
        name = data["generation"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return name if isinstance(name, str) and _GEN_RE.match(name) else None


def _open_generation(gen_dir: Path) -> Any:
    """Open one generation and touch its reader, so damage shows now rather than later.

    Whoosh leaves the table-of-contents file open when it cannot parse it; the traceback is
    dropped, and that one ResourceWarning silenced, before the damage is reported.
    """
    if not gen_dir.is_dir():
        raise FileNotFoundError(gen_dir)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        try:
            ix = whoosh_index.open_dir(str(gen_dir), schema=SCHEMA)
            with ix.reader() as reader:
                reader.doc_count()
            return ix
        except Exception as exc:  # whoosh raises many kinds on a damaged index
            problem = f"{gen_dir.name}: {type(exc).__name__}: {exc}"
        gc.collect()
    raise _Damaged(problem)


def _next_generation(index_dir: Path) -> Path:
    numbers = [int(m.group(1)) for p in index_dir.iterdir() if (m := _GEN_RE.match(p.name))]
    return index_dir / f"gen-{max(numbers, default=0) + 1:06d}"


def _create_generation(index_dir: Path) -> Path:
    gen_dir = _next_generation(index_dir)
    gen_dir.mkdir()
    whoosh_index.create_in(str(gen_dir), SCHEMA)
    return gen_dir


def _move_aside(index_dir: Path) -> Path | None:
    """Move everything but our lock files to a sibling `<name>.damaged-<time>` directory."""
    entries = [p for p in index_dir.iterdir() if p.name not in _OURS]
    if not entries:
        return None
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = index_dir.parent / f"{index_dir.name}.damaged-{stamp}"
    n = 1
    while target.exists():
        n += 1
        target = index_dir.parent / f"{index_dir.name}.damaged-{stamp}-{n}"
    target.mkdir()
    for entry in entries:
        entry.rename(target / entry.name)
    return target


def _try_open_current(index_dir: Path) -> Index | None:
    """Open the live generation, retrying while a concurrent swap is under way."""
    last: Exception | None = None
    for _ in range(5):
        name = _read_current(index_dir)
        if name is None:
            return None
        try:
            ix = _open_generation(index_dir / name)
        except Exception as exc:  # whoosh raises many kinds on a damaged index
            last = exc
            if _read_current(index_dir) == name:
                time.sleep(0.05)
            continue
        return Index(index_dir, index_dir / name, ix)
    raise _Damaged(f"generation cannot be opened: {last!r}")


def open_index(index_dir: Path) -> Index:
    """Open the index, creating it if missing.

    A damaged, unreadable or outdated index is moved aside and replaced by an empty one:
    nothing fatal is raised, the returned `Index` says `recreated=True` (and it is logged), and
    the caller reindexes. Only an unusable directory (permissions, disk) raises IndexError_.
    """
    index_dir = Path(index_dir)
    try:
        if index_dir.exists() and not index_dir.is_dir():
            aside = index_dir.with_name(
                f"{index_dir.name}.damaged-{time.strftime('%Y%m%d-%H%M%S')}"
            )
            index_dir.rename(aside)
        index_dir.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(_Damaged):
            opened = _try_open_current(index_dir)
            if opened is not None:
                return opened
        with _flock(index_dir / _LOCK, exclusive=True, timeout=LOCK_WAIT * 2):
            reason = None
            try:
                opened = _try_open_current(index_dir)
                if opened is not None:
                    return opened
            except _Damaged as exc:
                reason = str(exc)
            foreign = [p for p in index_dir.iterdir() if p.name not in _OURS]
            moved_to = None
            if foreign and not _rebuild_running(index_dir):
                reason = reason or "no CURRENT pointer: not an IKA index"
                moved_to = _move_aside(index_dir)
                log.warning(
                    "search index at %s was unusable (%s); moved aside to %s and recreated "
                    "empty: run `ika reindex`",
                    index_dir,
                    reason,
                    moved_to,
                )
            gen_dir = _create_generation(index_dir)
            _write_json(
                index_dir / _CURRENT, {"generation": gen_dir.name, "schema": SCHEMA_VERSION}
            )
            ix = _open_generation(gen_dir)
            return Index(
                index_dir,
                gen_dir,
                ix,
                created=True,
                recreated=moved_to is not None,
                moved_to=moved_to,
                reason=reason if moved_to is not None else None,
            )
    except OSError as exc:
        raise IndexError_(f"cannot use the search index at {index_dir}: {exc}") from exc


# ---------------------------------------------------------------------------------------------
# Writing


def _as_datetime(value: Any) -> datetime | None:
    """Whoosh stores datetimes; dates become midnight, aware times keep their wall clock."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, str):
        return _as_datetime(datetime.fromisoformat(value))
    raise IndexError_(f"not a date: {value!r}")


_NO_DATE = datetime(1900, 1, 1)


def _fields(doc: Mapping[str, Any]) -> dict[str, Any]:
    """Whoosh fields for one document mapping (see add_documents)."""
    doc_id = doc.get("doc_id")
    if not doc_id:
        raise IndexError_("a document to index has no doc_id")
    title = str(doc.get("title") or "")
    text = str(doc.get("text") or "")
    countries = [str(c).strip().upper() for c in (doc.get("countries") or []) if c]
    countries = list(dict.fromkeys(countries))
    signed = _as_datetime(doc.get("signed"))
    filed = _as_datetime(doc.get("filed"))
    docdate = signed or filed
    concepts = _concepts_in(title) | _concepts_in(text)
    concepts.update(f"country:{c}" for c in countries)
    fields: dict[str, Any] = {
        "doc_id": str(doc_id),
        "title": title,
        "text": f"{text}\n{doc.get('filename') or ''}",  # so words of the file name are found
        "excerpt": text[:EXCERPT_CHARS],
        "countries": ",".join(countries),
        "path": str(doc.get("path") or ""),
    }
    for key in ("type", "level"):
        value = doc.get(key)
        if value:
            fields[key] = str(value)
            concepts.add(f"{key}:{value}")
    fields["concepts"] = " ".join(sorted(concepts))
    if doc.get("case"):
        fields["case"] = str(doc["case"]).strip().upper()
    for key in ("division", "language", "filename"):
        if doc.get(key):
            fields[key] = str(doc[key])
    if signed:
        fields["signed"] = signed
    if filed:
        fields["filed"] = filed
    # Undated documents sort last and fall outside every date range.
    fields["docdate"] = docdate or _NO_DATE
    if docdate:
        fields["year"] = str(docdate.year)
    return fields


def _writer(ix: Any, **kwargs: Any) -> Any:
    """A writer for `ix`, retrying Whoosh's LockError with backoff for up to LOCK_WAIT s."""
    deadline = time.monotonic() + LOCK_WAIT
    delay = 0.02
    while True:
        try:
            return ix.writer(timeout=0.0, **kwargs)
        except whoosh_index.LockError:
            if time.monotonic() > deadline:
                raise IndexError_(
                    f"another process kept the search index busy for {LOCK_WAIT:.0f} s; "
                    "the documents were not indexed: try again or run `ika reindex`"
                ) from None
            time.sleep(delay * (0.5 + random.random()))
            delay = min(delay * 2, 1.0)


def _apply(gen_dir: Path, adds: list[dict[str, Any]], deletes: list[str]) -> None:
    """Update/delete documents in one generation in one commit."""
    ix = whoosh_index.open_dir(str(gen_dir), schema=SCHEMA)
    writer = _writer(ix)
    try:
        for doc_id in deletes:
            writer.delete_by_term("doc_id", doc_id)
        for fields in adds:
            writer.update_document(**fields)
    except BaseException:
        writer.cancel()
        raise
    writer.commit()


def _journal(index_dir: Path, ops: list[tuple[str, Any]]) -> None:
    """Append operations for the generation being rebuilt; replayed before it goes live.
    JSON lines (datetimes tagged), so reading the journal never runs code from a file."""
    data = "".join(json.dumps(op, default=_encode_datetime) + "\n" for op in ops)
    with (
        _flock(index_dir / (_JOURNAL + ".lock"), exclusive=True),
        open(index_dir / _JOURNAL, "a", encoding="utf-8") as fh,
    ):
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def _encode_datetime(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    raise TypeError(f"cannot journal {type(value).__name__}")


def _decode_datetime(obj: dict[str, Any]) -> Any:
    return datetime.fromisoformat(obj["$datetime"]) if set(obj) == {"$datetime"} else obj


def _read_journal(index_dir: Path) -> list[tuple[str, Any]]:
    ops: list[tuple[str, Any]] = []
    try:
        with open(index_dir / _JOURNAL, encoding="utf-8") as fh:
            for line in fh:
                try:
                    kind, payload = json.loads(line, object_hook=_decode_datetime)
                except ValueError:
                    continue  # a line cut short by a crash: its writer did not return
                ops.append((kind, payload))
    except FileNotFoundError:
        pass
    return ops


def _write_ops(index_dir: Path, adds: list[dict[str, Any]], deletes: list[str]) -> None:
    """Apply one batch to the live generation, and journal it if a rebuild is running."""
    with _flock(index_dir / _LOCK, exclusive=False):
        name = _read_current(index_dir)
        if name is None:
            raise IndexError_(f"the search index at {index_dir} has no live generation")
        _apply(index_dir / name, adds, deletes)
        building = _read_building(index_dir)
        if building is not None and building != name and _rebuild_running(index_dir):
            ops: list[tuple[str, Any]] = [("delete", d) for d in deletes]
            ops += [("add", f) for f in adds]
            _journal(index_dir, ops)


def _batched(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _ensure(index_dir: Path) -> None:
    """Make sure a usable index exists (recreating a damaged one)."""
    opened = open_index(index_dir)
    opened.ix.close()


def add_documents(
    index_dir: Path, docs: Iterable[Mapping[str, Any]], *, batch_size: int = 500
) -> int:
    """Add or replace documents (by doc_id); returns how many were written.

    Mapping keys: doc_id, case (or None), title, text, countries (codes), type, level,
    division, signed (date or None), filed (date or datetime), filename, language, path.
    Commits every `batch_size` documents, so memory stays bounded; waits up to LOCK_WAIT s for
    another writer and raises IndexError_ rather than drop a document.
    """
    index_dir = Path(index_dir)
    _ensure(index_dir)
    count = 0
    for batch in _batched(docs, max(1, batch_size)):
        prepared: dict[str, dict[str, Any]] = {}
        for doc in batch:
            fields = _fields(doc)
            prepared[fields["doc_id"]] = fields  # the last of duplicates wins
        _write_ops(index_dir, list(prepared.values()), [])
        count += len(prepared)
    return count


def delete_document(index_dir: Path, doc_id: str) -> None:
    """Remove a document from the index (no error if it is not there)."""
    index_dir = Path(index_dir)
    _ensure(index_dir)
    _write_ops(index_dir, [], [str(doc_id)])


def rebuild(index_dir: Path, docs: Iterable[Mapping[str, Any]], *, batch_size: int = 1000) -> int:
    """Index `docs` into a new generation beside the live one, then swap it in atomically.

    Searches keep using the old generation until the swap. Documents added or deleted by other
    processes meanwhile are journaled and replayed into the new generation before the swap.
    Pass a lazy iterable (read from the register as it goes) so nothing filed after the call
    is missed. `docs` is read `batch_size` at a time into one Whoosh writer whose postings
    spill to disk past 64 MB, so memory stays flat however many documents there are. Returns
    the number of documents indexed.
    """
    index_dir = Path(index_dir)
    _ensure(index_dir)
    with _flock(index_dir / _REBUILD_LOCK, exclusive=True, timeout=None):
        with _flock(index_dir / _LOCK, exclusive=True, timeout=LOCK_WAIT * 2):
            _clean_stale(index_dir)
            gen_dir = _create_generation(index_dir)
            with contextlib.suppress(FileNotFoundError):
                (index_dir / _JOURNAL).unlink()
            _write_json(index_dir / _BUILDING, {"generation": gen_dir.name})
        try:
            count = _build(gen_dir, docs, batch_size)
            with _flock(index_dir / _LOCK, exclusive=True, timeout=LOCK_WAIT * 2):
                _replay(gen_dir, _read_journal(index_dir))
                old = _read_current_quiet(index_dir)
                _write_json(
                    index_dir / _CURRENT, {"generation": gen_dir.name, "schema": SCHEMA_VERSION}
                )
                (index_dir / _BUILDING).unlink()
                with contextlib.suppress(FileNotFoundError):
                    (index_dir / _JOURNAL).unlink()
        except BaseException:
            with _flock(index_dir / _LOCK, exclusive=True, timeout=None):
                if _read_current_quiet(index_dir) != gen_dir.name:
                    for name in (_BUILDING, _JOURNAL):
                        with contextlib.suppress(FileNotFoundError):
                            (index_dir / name).unlink()
                    shutil.rmtree(gen_dir, ignore_errors=True)
            raise
    if old is not None and old != gen_dir.name:
        # Open readers keep their files (POSIX); a reader that read the old CURRENT but had not
        # opened it yet retries with the new one.
        shutil.rmtree(index_dir / old, ignore_errors=True)
    return count


def _read_current_quiet(index_dir: Path) -> str | None:
    try:
        return _read_current(index_dir)
    except _Damaged:
        return None


def _clean_stale(index_dir: Path) -> None:
    """Remove what a crashed rebuild left: BUILDING, the journal, unused generations."""
    current = _read_current_quiet(index_dir)
    for name in (_BUILDING, _JOURNAL):
        with contextlib.suppress(FileNotFoundError):
            (index_dir / name).unlink()
    for p in index_dir.iterdir():
        if _GEN_RE.match(p.name) and p.name != current:
            shutil.rmtree(p, ignore_errors=True)


def _build(gen_dir: Path, docs: Iterable[Mapping[str, Any]], batch_size: int) -> int:
    """Fill a fresh generation with one writer; its posting pool spills to disk past limitmb."""
    ix = whoosh_index.open_dir(str(gen_dir), schema=SCHEMA)
    writer = _writer(ix, limitmb=64, procs=1)
    seen: set[str] = set()
    count = 0
    try:
        for batch in _batched(docs, max(1, batch_size)):
            for doc in batch:
                fields = _fields(doc)
                if fields["doc_id"] in seen:
                    # Rare: the same document twice. Commit so the newer copy can replace it.
                    writer.commit()
                    writer = _writer(ix, limitmb=64, procs=1)
                    writer.update_document(**fields)
                    continue
                seen.add(fields["doc_id"])
                writer.add_document(**fields)
                count += 1
    except BaseException:
        writer.cancel()
        raise
    writer.commit(optimize=False)
    return count


def _replay(gen_dir: Path, ops: list[tuple[str, Any]]) -> None:
    if not ops:
        return
    ix = whoosh_index.open_dir(str(gen_dir), schema=SCHEMA)
    writer = _writer(ix)
    try:
        for op, arg in ops:
            if op == "delete":
                writer.delete_by_term("doc_id", arg)
            else:
                writer.update_document(**arg)
    except BaseException:
        writer.cancel()
        raise
    writer.commit()


# ---------------------------------------------------------------------------------------------
# Searching


@dataclass
class _Parsed:
    query: Any  # a whoosh query
    highlight: set[str]


_CASE_ID = re.compile(r"IKA-\d{4}-\d+", re.IGNORECASE)
_QUERY_TOKEN = re.compile(r'(-?)"([^"]*)"?|(-?)([^\s"]+)')


def _terms_query(terms: list[str], boost_title: float = 2.0) -> Any:
    """Each term must match, in the title or the text (which includes the file name)."""
    parts = []
    for term in terms:
        parts.append(
            wq.Or(
                [
                    wq.Term("title", term, boost=boost_title),
                    wq.Term("text", term),
                ]
            )
        )
    return parts


def _glossary_query(terms: list[str], required: list[Any], highlight: set[str]) -> None:
    """Required conditions for free query terms: a glossary name among them (leftmost, longest)
    becomes its concept token, so it finds the subject named in either language but never its
    words apart. The token stands wherever any name of the subject stands, the typed one too, so
    the typed words need no term of their own. Other terms stay as they are."""
    trie = _glossary_trie() if terms else {}
    i, n = 0, len(terms)
    while i < n:
        node, j, best = trie, i, None
        while j < n and (node := node.get(terms[j])) is not None:
            j += 1
            if "" in node:
                best = (j, node[""])
        if best is None:
            required.extend(_terms_query([terms[i]]))
            highlight.add(terms[i])
            i += 1
            continue
        end, token = best
        required.append(wq.Or([wq.Term("title", token, boost=2.0), wq.Term("text", token)]))
        highlight.add(token)
        i = end


def _query_terms(text: str) -> list[str]:
    """Query terms of free words: a joined compound replaces its parts."""
    out: dict[int, str] = {}  # position -> term; a joined form replaces the parts
    for t in _analyzer()(text, positions=True, mode="query"):
        if t.pos in out:  # the filter emits "kerjasama" after "kerja" and "sama", at kerja's pos
            out.pop(t.pos + 1, None)
        out[t.pos] = t.text
    return [out[pos] for pos in sorted(out)]


def _phrase(fieldname: str, terms: list[str], boost: float = 1.0, slop: int = 1) -> Any:
    if len(terms) == 1:
        return wq.Term(fieldname, terms[0], boost=boost)
    return wq.Phrase(fieldname, terms, slop=slop, boost=boost)


def _parse_query(text: str) -> _Parsed | None:
    """Build the Whoosh query for what a person typed; None when it has no searchable word.

    Words are all required. "Quoted words" must be a phrase; -word excludes. A country, type or
    level named in either language matches its words or its concept (see the module doc); a
    case id (IKA-2026-0001) matches that case's documents or a text citing it.
    """
    from pipeline.countries import normalise

    required: list[Any] = []
    excluded: list[Any] = []
    highlight: set[str] = set()
    free: list[str] = []

    def flush() -> None:
        words: list[str] = []
        for w in free:
            words.extend(normalise(w).split())
        free.clear()
        if not words:
            return
        cursor = 0
        for start, end, concept in _match_names(words):
            rest = _query_terms(" ".join(words[cursor:start]))
            _glossary_query(rest, required, highlight)
            name_terms = _query_terms(" ".join(words[start:end]))
            kind, _, value = concept.partition(":")
            field = {"country": "countries", "type": "type", "level": "level"}[kind]
            # The concept token stands for every name of it found in the title or text at index
            # time, the typed words included, so no costly phrase search is needed.
            alts = [wq.Term("concepts", concept), wq.Term(field, value, boost=2.0)]
            required.append(wq.Or(alts))
            highlight.update(name_terms)
            highlight.update(_concept_terms(concept))
            cursor = end
        rest = _query_terms(" ".join(words[cursor:]))
        _glossary_query(rest, required, highlight)

    for m in _QUERY_TOKEN.finditer(text):
        neg_phrase, phrase, neg_word, word = m.groups()
        if phrase is not None:
            flush()
            terms = _query_terms(phrase)
            if not terms:
                continue
            q = wq.Or([_phrase("title", terms, 2.0), _phrase("text", terms)])
            if neg_phrase:
                excluded.append(q)
            else:
                required.append(q)
                highlight.update(terms)
        elif neg_word and len(word) > 0:
            flush()
            terms = _query_terms(word)
            _glossary_query(terms, excluded, set())  # -dadah leaves out "drugs" too
        elif _CASE_ID.fullmatch(word):
            # A case id finds the case's documents, and any text that cites it.
            flush()
            terms = _query_terms(word)
            required.append(
                wq.Or([wq.Term("case", word.upper(), boost=10.0), wq.And(_terms_query(terms))])
            )
            highlight.update(terms)
        else:
            free.append(word)
    flush()
    if not required and not excluded:
        return None
    q = wq.And(required) if required else wq.Every()
    if excluded:
        q = wq.AndNot(q, wq.Or(excluded))
    return _Parsed(q, highlight)


def _filters(
    country: str | None,
    type: str | None,
    level: str | None,
    case: str | None,
    year: int | None,
    date_from: date | None,
    date_to: date | None,
) -> list[Any]:
    from pipeline.countries import resolve_country
    from pipeline.instruments import resolve_level, resolve_type

    out: list[Any] = []
    if country:
        out.append(wq.Term("countries", resolve_country(country)))
    if type:
        out.append(wq.Term("type", resolve_type(type)))
    if level:
        out.append(wq.Term("level", resolve_level(level)))
    if case:
        out.append(wq.Term("case", case.strip().upper()))
    if year is not None:
        out.append(wq.Term("year", str(int(year))))
    if date_from is not None or date_to is not None:
        start = _as_datetime(date_from) if date_from is not None else None
        end = None
        if date_to is not None:
            end_day = date_to.date() if isinstance(date_to, datetime) else date_to
            end = datetime(end_day.year, end_day.month, end_day.day, 23, 59, 59, 999999)
        out.append(wq.DateRange("docdate", start, end))
    return out


_FACETS = {"country": "countries", "type": "type", "level": "level", "year": "year"}


def _facet_counts(groups: Mapping[Any, int]) -> dict[str, int]:
    items = [(str(k), int(v)) for k, v in groups.items() if v and k not in (None, "", b"")]
    items.sort(key=lambda kv: (-kv[1], kv[0]))
    return dict(items)


def _date_out(value: Any) -> str | None:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return None


_SPACES = re.compile(r"\s+")


def _lead(text: str) -> str:
    """The start of the text, up to SNIPPET_CHARS, cut at a word boundary."""
    flat = _SPACES.sub(" ", text[: SNIPPET_CHARS * 3]).strip()
    if len(flat) <= SNIPPET_CHARS:
        return flat
    cut = flat.rfind(" ", 0, SNIPPET_CHARS)
    return flat[: cut if cut > SNIPPET_CHARS // 2 else SNIPPET_CHARS].rstrip() + "…"


def _find_keys(terms: set[str]) -> re.Pattern[str] | None:
    """A cheap pre-filter: substrings that any word stemming to `terms` is likely to contain."""
    keys: set[str] = set()
    joined_parts = {stem(v): stem(a) for (a, _), v in COMPOUNDS.items()}
    words = set()
    for t in terms:
        if t.startswith(GLOSS_PREFIX):  # a subject: the terms of its names, in either language
            words.update(_glossary()[1].get(t, ()))
        else:
            words.add(t)
    for t in words:
        keys.update(irregular_forms(t))  # diperdagangkan for pemerdagang
        keys.add(t)
        if len(t) >= 5:
            keys.add(t[1:])  # memutuskan: the root lost its first sound
            keys.add(t[:-1])  # countries: the stem's last letter changed
        if t in joined_parts:
            keys.add(joined_parts[t])
    keys = {k for k in keys if len(k) >= 2}
    if not keys:
        return None
    alternation = "|".join(re.escape(k) for k in sorted(keys, key=len, reverse=True))
    return re.compile(alternation, re.IGNORECASE)


def _snippet(text: str, terms: set[str], keys: re.Pattern[str] | None) -> str:
    """About SNIPPET_CHARS of `text` around the first matched word, matches in «»."""
    if not text:
        return ""
    if not terms or keys is None:
        return _lead(text)
    analyzer = _analyzer()
    scanned_to = -1
    for tries, m in enumerate(keys.finditer(text)):
        if tries >= 20:
            break
        if m.start() < scanned_to:
            continue
        ws, we = max(0, m.start() - 120), min(len(text), m.start() + 320)
        window = text[ws:we]
        matched = [
            (t.startchar + ws, t.endchar + ws)
            for t in analyzer(window, chars=True, mode="index")
            if t.text in terms
        ]
        scanned_to = we - 40
        if not matched:
            continue
        first = min(s for s, _ in matched)
        start = max(0, first - 60)
        if start > 0:
            space = text.find(" ", start, first)
            start = space + 1 if space != -1 else start
        end = min(len(text), start + SNIPPET_CHARS)
        if end < len(text):
            space = text.rfind(" ", first, end)
            end = space if space != -1 else end
        out: list[str] = []
        cursor = start
        for s, e in sorted(matched, key=lambda se: (se[0], -(se[1] - se[0]))):
            if s < cursor or e > end:
                continue
            out.append(text[cursor:s])
            out.append(MARK_START + text[s:e] + MARK_END)
            cursor = e
        out.append(text[cursor:end])
        body = _SPACES.sub(" ", "".join(out)).strip()
        return ("…" if start > 0 else "") + body + ("…" if end < len(text) else "")
    return _lead(text)


def _has_phrase(q: Any) -> bool:
    if isinstance(q, wq.Phrase):
        return True
    return any(_has_phrase(sub) for sub in getattr(q, "subqueries", ()) or ()) or any(
        _has_phrase(getattr(q, side)) for side in ("a", "b") if hasattr(q, side)
    )


def _postings_blocks(
    searcher: Any, field: str, text: Any, weights: bool = False
) -> Iterator[tuple[Any, Any, frozenset[int]]]:
    """(doc numbers, weights or None, deleted) per block of one term's postings.

    Reads Whoosh's codec blocks directly: a matcher costs a Python call per document, and
    sets of documents are what the facets and the totals need. Numbers are global (offset by
    segment); deleted documents are not removed here, only reported.
    """
    for sub, offset in searcher.subsearchers or [(searcher, 0)]:
        reader = sub.reader()
        try:
            m = reader.postings(field, text)
        except TermNotFound:
            continue
        deleted: frozenset[int] = frozenset()
        if isinstance(m, FilterMatcher):
            deleted = frozenset(d + offset for d in m._ids)
            m = m.child
            m.reset()
        if hasattr(m, "_read_ids") and hasattr(m, "_next_block"):
            while m.is_active():
                if m._ids is None:
                    m._read_ids()
                ids = m._ids if not offset else [d + offset for d in m._ids]
                ws = None
                if weights:
                    if m._weights is None:
                        m._read_weights()
                    ws = m._weights
                yield ids, ws, deleted
                m._next_block()
        else:  # another codec: the plain, slower way
            ids, ws = [], []
            while m.is_active():
                ids.append(m.id() + offset)
                ws.append(m.weight())
                m.next()
            yield ids, (ws if weights else None), deleted


def _postings_docs(searcher: Any, field: str, text: Any) -> set[int]:
    """Live document numbers of one term."""
    out: set[int] = set()
    gone: set[int] = set()
    for ids, _, deleted in _postings_blocks(searcher, field, text):
        out.update(ids)
        gone |= deleted
    return out - gone if gone else out


def _positive_terms(q: Any) -> list[tuple[str, str, float]]:
    """(field, text, boost) of the terms that can make a document match `q`."""
    if isinstance(q, wq.Term):
        return [(q.fieldname, q.text, q.boost)]
    if isinstance(q, wq.AndNot):
        return _positive_terms(q.a)
    if isinstance(q, wq.Phrase):  # its words: the rough pass needs only a likely order
        return [(q.fieldname, w, q.boost) for w in q.words]
    out: list[tuple[str, str, float]] = []
    for sub in getattr(q, "subqueries", ()) or ():
        out.extend(_positive_terms(sub))
    return out


def _rough_scores(entry: _Entry, q: Any) -> list[float]:
    """BM25F of every document, summed over the query's terms, from postings blocks.

    The same formula as Whoosh's default weighting, so the order is Whoosh's own, computed
    with a tight loop instead of a tree of matchers. Indexed by document number.
    """
    searcher = entry.searcher
    acc = [0.0] * searcher.reader().doc_count_all()
    k1 = 1.2
    for field, text, boost in _positive_terms(q):
        if not searcher.reader().doc_frequency(field, text):
            continue
        if searcher.schema[field].scorable:
            idf = searcher.idf(field, text) * boost * (k1 + 1)
            norms = entry.length_norms(field, k1)
            for ids, ws, _ in _postings_blocks(searcher, field, text, weights=True):
                for d, w in zip(ids, ws, strict=False):
                    acc[d] += idf * w / (w + norms[d])
        else:
            for ids, ws, _ in _postings_blocks(searcher, field, text, weights=True):
                for d, w in zip(ids, ws, strict=False):
                    acc[d] += boost * w
    return acc


def _phrase_docs(searcher: Any, field: str, words: list[str], candidates: set[int]) -> set[int]:
    """The candidates where `words` occur next to each other, in order, in `field`.

    Compares the words' position lists directly: Whoosh's span machinery does the same at
    several times the cost per document.
    """
    found: set[int] = set()
    ordered = sorted(candidates)
    for sub, offset in searcher.subsearchers or [(searcher, 0)]:
        end = offset + sub.doc_count_all()
        local = [d - offset for d in ordered if offset <= d < end]
        if not local:
            continue
        try:
            matchers = [sub.reader().postings(field, w) for w in words]
        except TermNotFound:
            continue
        for d in local:
            positions = []
            for m in matchers:
                if m.is_active() and m.id() < d:
                    m.skip_to(d)
                if not m.is_active() or m.id() != d:
                    break
                positions.append(m.value_as("positions"))
            else:
                starts = set(positions[0])
                for i, plist in enumerate(positions[1:], 1):
                    starts &= {p - i for p in plist}
                    if not starts:
                        break
                if starts:
                    found.add(d + offset)
    return found


def _verify(searcher: Any, q: Any, candidates: set[int]) -> set[int]:
    """The candidates that `q` really matches, found by skipping its matcher to each."""
    return {d for d, _ in _score_each(searcher, q, candidates)}


def _score_each(searcher: Any, q: Any, docs: Iterable[int]) -> list[tuple[int, float]]:
    """(document, Whoosh score) for each of `docs` that `q` matches."""
    ordered = sorted(docs)
    scored: list[tuple[int, float]] = []
    for sub, offset in searcher.subsearchers or [(searcher, 0)]:
        end = offset + sub.doc_count_all()
        local = [d - offset for d in ordered if offset <= d < end]
        if not local:
            continue
        m = q.matcher(sub, sub.context())
        for d in local:
            if not m.is_active():
                break
            if m.id() < d:
                m.skip_to(d)
                if not m.is_active():
                    break
            if m.id() == d:
                scored.append((d + offset, m.score()))
    return scored


def _top_scored(entry: _Entry, q: Any, matched: set[int], page: int) -> list[tuple[int, float]]:
    """The best `page` of `matched` by Whoosh's BM25F, without scoring every match.

    A rough pass (the same BM25F, summed from postings blocks) picks the likeliest few
    documents; Whoosh then scores just those exactly by skipping its matcher to each. Scoring
    all of 10,000 matches through Whoosh's matchers costs ~60 ms; this, ~15.
    """
    searcher = entry.searcher
    pool = max(page * 5, 100)
    if len(matched) <= pool:
        candidates: Iterable[int] = matched
    else:
        rough = _rough_scores(entry, q)
        candidates = heapq.nlargest(pool, matched, key=rough.__getitem__)
    scored = _score_each(searcher, q, candidates)
    scored.sort(key=lambda ds: (-ds[1], ds[0]))
    return scored[:page]


class _Entry:
    """A cached searcher with the per-term document sets of its facet fields."""

    def __init__(self, name: str, searcher: Any) -> None:
        self.name = name
        self.searcher = searcher
        self._facets: dict[str, list[tuple[str, frozenset[int]]]] = {}
        self._date_order: tuple[list[int], list[int]] | None = None
        self._norms: dict[str, list[float]] = {}

    def facet_sets(self, field: str) -> list[tuple[str, frozenset[int]]]:
        """(value, docnums) for every value of `field`; built once per searcher."""
        sets = self._facets.get(field)
        if sets is None:
            reader = self.searcher.reader()
            fieldobj = self.searcher.schema[field]
            sets = []
            for btext in reader.lexicon(field):
                ids = frozenset(_postings_docs(self.searcher, field, btext))
                if ids:
                    sets.append((fieldobj.from_bytes(btext), ids))
            self._facets[field] = sets
        return sets

    def length_norms(self, field: str, k1: float, b: float = 0.75) -> list[float]:
        """BM25's length factor k1 * (1 - b + b * length / average) of every document."""
        norms = self._norms.get(field)
        if norms is None:
            reader = self.searcher.reader()
            avg = self.searcher.avg_field_length(field) or 1.0
            norms = [
                k1 * ((1 - b) + b * reader.doc_field_length(d, field) / avg)
                for d in range(reader.doc_count_all())
            ]
            self._norms[field] = norms
        return norms

    def _dates(self) -> tuple[list[int], list[int]]:
        """(document dates ascending, as Whoosh longs; document numbers in the same order)."""
        if self._date_order is None:
            reader = self.searcher.reader()
            if not reader.has_column("docdate"):  # an empty index has no columns at all
                self._date_order = ([], [])
                return self._date_order
            column = reader.column_reader("docdate", translate=False)
            pairs = sorted((column[n], n) for n in reader.all_doc_ids())
            self._date_order = ([v for v, _ in pairs], [n for _, n in pairs])
        return self._date_order

    def by_date(self) -> Iterator[int]:
        """Every live document number, newest document date first."""
        return reversed(self._dates()[1])

    def in_dates(self, start: datetime | None, end: datetime | None) -> set[int]:
        """Documents whose date lies in [start, end], by bisecting the sorted dates."""
        values, docnums = self._dates()
        if start is None:  # from the first dated document: undated ones carry _NO_DATE
            lo = bisect.bisect_right(values, datetime_to_long(_NO_DATE))
        else:
            lo = bisect.bisect_left(values, datetime_to_long(start))
        hi = bisect.bisect_right(values, datetime_to_long(end)) if end else len(values)
        return set(docnums[lo:hi])

    def docs(self, q: Any, within: set[int] | None = None) -> set[int]:
        """Every document matching `q` (and in `within`, if given), by set algebra.

        Terms are read from postings blocks; a phrase is checked only on the documents that
        have all its words and pass the other conditions; anything else goes to Whoosh.
        """
        if within is not None and not within:
            return set()
        if isinstance(q, wq.Term):
            found = _postings_docs(self.searcher, q.fieldname, q.text)
        elif isinstance(q, wq.Or):
            found = set()
            for sub in q.subqueries:
                found |= self.docs(sub, within)
            return found
        elif isinstance(q, wq.And):
            # Cheap conditions first, so phrases are checked on as few documents as possible.
            acc = within
            for sub in sorted(q.subqueries, key=_has_phrase):
                acc = self.docs(sub, acc)
                if not acc:
                    return set()
            return acc if acc is not None else self.docs(wq.Every())
        elif isinstance(q, wq.AndNot):
            found = self.docs(q.a, within)
            return found - self.docs(q.b, found) if found else found
        elif isinstance(q, wq.Every):
            found = set(self.searcher.reader().all_doc_ids())
        elif isinstance(q, wq.DateRange) and q.fieldname == "docdate":
            found = self.in_dates(q.startdate, q.enddate)
        elif isinstance(q, wq.Phrase):
            words = wq.And([wq.Term(q.fieldname, w) for w in q.words])
            candidates = self.docs(words, within)
            if q.slop != 1 or not candidates:
                return _verify(self.searcher, q, candidates)
            return _phrase_docs(self.searcher, q.fieldname, list(q.words), candidates)
        else:
            found = set(self.searcher.docs_for_query(q))
        return found & within if within is not None else found


class _SearcherCache:
    """One open searcher per index directory in this process, refreshed when stale.

    Opening an index costs milliseconds and the facet sets tens of them, so a long-running
    process (the watcher, a server) pays once per change of the index, not once per search.
    """

    def __init__(self, size: int = 8) -> None:
        self.size = size
        self.lock = threading.RLock()
        self.entries: OrderedDict[Path, _Entry] = OrderedDict()

    @contextlib.contextmanager
    def entry(self, index_dir: Path) -> Iterator[_Entry]:
        key = index_dir.resolve()
        with self.lock:
            name = _read_current_quiet(index_dir)
            entry = self.entries.get(key)
            if entry is not None and entry.name == name:
                try:
                    if not entry.searcher.up_to_date():
                        # Not Searcher.refresh(): it reuses segment readers whose deletions
                        # changed, and would still show deleted documents.
                        entry = None
                except Exception:  # the generation vanished under us: reopen below
                    entry = None
            else:
                entry = None
            if entry is None:
                self._drop(key)
                opened = self._open(index_dir)
                entry = _Entry(opened.generation.name, opened.ix.searcher())
            self.entries[key] = entry
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self._drop(next(iter(self.entries)))
            yield entry

    @staticmethod
    def _open(index_dir: Path) -> Index:
        try:
            opened = _try_open_current(index_dir)
        except _Damaged:
            opened = None
        return opened if opened is not None else open_index(index_dir)

    def _drop(self, key: Path) -> None:
        entry = self.entries.pop(key, None)
        if entry is not None:
            with contextlib.suppress(Exception):
                entry.searcher.close()

    def clear(self) -> None:
        with self.lock:
            for key in list(self.entries):
                self._drop(key)


_searchers = _SearcherCache()


def close_all() -> None:
    """Close the searchers this process keeps open (tests, or before deleting an index)."""
    _searchers.clear()


def search(
    index_dir: Path,
    query: str | None = None,
    *,
    country: str | None = None,
    type: str | None = None,
    level: str | None = None,
    case: str | None = None,
    year: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    limit: int = 20,
    within_cases: Iterable[str] | None = None,
) -> dict[str, Any]:
    """Search the archive: words in Malay or English, and filters that accept any form.

    Returns ``{total, hits: [...], facets: {country, type, level, year}}`` as in DESIGN.md.
    Facets count every match of the query and filters, not only the page; a document with
    several countries counts once under each. Without a query, the newest documents come first
    and each snippet is the start of the text. Raises UnknownCountry / UnknownType for a filter
    that names nothing known. `within_cases` (access control: a Division officer's cases)
    keeps only the documents of those cases; totals and facets count only those.
    """
    index_dir = Path(index_dir)
    page = max(1, int(limit))
    filters = _filters(country, type, level, case, year, date_from, date_to)
    if within_cases is not None:
        filters.append(wq.Or([wq.Term("case", c.strip().upper()) for c in within_cases]))
    parsed = _parse_query(query) if query and query.strip() else None
    terms = parsed.highlight if parsed is not None else set()
    with _searchers.entry(index_dir) as entry:
        searcher = entry.searcher
        # Every match of query and filters, unscored: the total and the facets count these.
        allowed = entry.docs(wq.And(filters)) if filters else None
        top: list[Any] = []
        if parsed is None:
            matched = allowed if allowed is not None else entry.docs(wq.Every())
            if matched:
                newest = itertools.islice((n for n in entry.by_date() if n in matched), page)
                top = [_StoredHit(searcher, n) for n in newest]
        else:
            matched = entry.docs(parsed.query, allowed)
            if matched:
                best = _top_scored(entry, parsed.query, matched, page)
                top = [_StoredHit(searcher, d, score) for d, score in best]
        facets = {
            name: _facet_counts({v: len(matched & ids) for v, ids in entry.facet_sets(field)})
            for name, field in _FACETS.items()
        }
        keys = _find_keys(terms) if terms else None
        hits = []
        for hit in top:
            stored = hit.fields()
            score = float(hit.score) if parsed is not None and hit.score is not None else 0.0
            hits.append(
                {
                    "doc_id": stored.get("doc_id"),
                    "case": stored.get("case"),
                    "title": stored.get("title", ""),
                    "countries": [c for c in (stored.get("countries") or "").split(",") if c],
                    "type": stored.get("type"),
                    "level": stored.get("level"),
                    "division": stored.get("division"),
                    "language": stored.get("language"),
                    "path": stored.get("path"),
                    "score": round(score, 4),
                    "snippet": _snippet(stored.get("excerpt") or "", terms, keys),
                    "signed": _date_out(stored.get("signed")),
                    "filed": _date_out(stored.get("filed")),
                    "filename": stored.get("filename"),
                }
            )
    return {"total": len(matched), "hits": hits, "facets": facets}


class _StoredHit:
    """A hit found outside Whoosh's collectors: its stored fields and score (None: unscored)."""

    def __init__(self, searcher: Any, docnum: int, score: float | None = None) -> None:
        self._searcher = searcher
        self.docnum = docnum
        self.score = score

    def fields(self) -> dict[str, Any]:
        return self._searcher.stored_fields(self.docnum)
