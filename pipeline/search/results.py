"""A search of one index directory, as the ``ika search --json`` shape: hits, snippets, facets.

A `SearchResult` (pipeline/search/hits.py): ``{total, hits: [{doc_id, case, kind, date, title,
countries, type, level, path, files, score, snippet, ...}], facets: {country, type, level, kind,
year}}`` in its JSON shape (pipeline/serialize.py). `date` is the date of signature,
else of filing; `files` are the document's files (a generated letter's .docx and .pdf are one
hit). Facets count every match, not only the page: a facet's counts
those of the query and every filter but its own, so each value says what ticking it too (any
of them) would find. Snippets show about `SNIPPET_CHARS` of the stored excerpt around the first
matched word, matches marked with « and »; without a query, the start of the text.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from whoosh import query as wq

from . import query as parsing
from . import searcher as searchers
from .analysis import TOKEN_PATTERN, analyzer
from .concepts import GLOSS_PREFIX, glossary_names, glossary_terms
from .hits import HitFile, SearchHit, SearchResult
from .matching import docs
from .postings import flags_of
from .scoring import top_scored
from .stemmer import COMPOUNDS, irregular_forms, stem

__all__ = ["MARK_END", "MARK_START", "SNIPPET_CHARS", "indexed_doc_ids", "search"]

#: Highlight marks around matched words in snippets.
MARK_START, MARK_END = "«", "»"
SNIPPET_CHARS = 200

_FACETS = {"country": "countries", "type": "type", "level": "level", "kind": "kind",
           "year": "year"}


def search(
    index_dir: Path,
    query: str | None = None,
    *,
    country: Iterable[str] | str | None = None,
    type: Iterable[str] | str | None = None,
    level: Iterable[str] | str | None = None,
    case: str | None = None,
    year: Iterable[int | str] | int | str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    limit: int = 20,
    within_cases: Iterable[str] | None = None,
    kind: Iterable[str] | str | None = None,
) -> SearchResult:
    """Search the index at `index_dir`: words in Malay or English, and filters in any form.

    A document with several countries counts once under each. Without a query, the newest
    documents come first. Raises UnknownCountry / UnknownType for a filter that names nothing
    known. `country`, `type`, `level`, `kind` and `year` each take one value, a comma list or
    several: any of them (OR within the facet, AND across the filters). `kind` by id or name;
    UnknownKind otherwise. A facet's counts leave out its own filter and keep the others (see
    the module). `within_cases` (access control: a Division officer's cases) keeps only the
    documents of those cases; totals and facets count only those.
    """
    index_dir = Path(index_dir)
    page = max(1, int(limit))
    chosen = parsing.facet_filters(country=country, type=type, level=level, kind=kind,
                                   year=year)
    filters = parsing.filters(case=case, date_from=date_from, date_to=date_to)
    if within_cases is not None:
        filters.append(wq.Or([wq.Term("case", c.strip().upper()) for c in within_cases]))
    parsed = parsing.parse(query) if query and query.strip() else None
    terms = parsed.highlight if parsed is not None else set()
    with searchers.entry(index_dir) as entry:
        searcher = entry.searcher
        # The matches of the query and the filters other than the facets, then of each facet's
        # filter among them: the matches are all of these; a facet counts all but its own.
        common = docs(entry, wq.And(filters)) if filters else None
        if parsed is not None:
            common = docs(entry, parsed.query, common)
        elif common is None:
            common = docs(entry, wq.Every())
        within = {name: docs(entry, q, common) for name, q in chosen.items()}
        matched = _all_of(common, within.values())
        if parsed is None:
            top: list[tuple[int, float | None]] = []
            if matched:
                flags = flags_of(matched)
                size = len(flags)
                newest = (n for n in entry.by_date() if n < size and flags[n])
                top = [(n, None) for n in itertools.islice(newest, page)]
        else:
            top = list(top_scored(entry, parsed.query, matched, page)) if matched else []
        facets: dict[str, dict[str, int]] = {}
        for name, field in _FACETS.items():
            counted = matched if name not in within else _all_of(
                common, (bits for other, bits in within.items() if other != name))
            facets[name] = _facet_counts(
                {v: (counted & bits).bit_count() for v, bits in entry.facet_sets(field)}
            )
        marks = _Marks(terms)
        hits = tuple(_hit(searcher.stored_fields(d), score, marks) for d, score in top)
    return SearchResult(total=matched.bit_count(), hits=hits, facets=facets)


def indexed_doc_ids(index_dir: Path) -> set[str]:
    """The doc_id of every document the index serves (cheap: no stored fields are read)."""
    with searchers.entry(Path(index_dir)) as entry:
        reader = entry.searcher.reader()
        ids = {b.decode("utf-8") for b in reader.lexicon("doc_id")}
        if reader.has_deletions():  # a deleted document's id stays in the lexicon until a merge
            ids = {i for i in ids if entry.term_bits("doc_id", i)}
        return ids


def _hit(stored: Mapping[str, Any], score: float | None, marks: _Marks) -> SearchHit:
    path = stored.get("path")
    files = stored.get("files") or ([{"doc_id": stored.get("doc_id"), "path": path,
                                      "format": Path(path).suffix.lstrip(".").lower()}]
                                    if path else [])
    return SearchHit(
        doc_id=stored.get("doc_id"),
        case=stored.get("case"),
        kind=stored.get("kind"),
        title=stored.get("title", ""),
        countries=tuple(c for c in (stored.get("countries") or "").split(",") if c),
        type=stored.get("type"),
        level=stored.get("level"),
        division=stored.get("division"),
        language=stored.get("language"),
        path=path,
        files=tuple(HitFile(f.get("doc_id"), f.get("path"), f.get("format", "")) for f in files),
        score=round(float(score), 4) if score is not None else 0.0,
        snippet=snippet(stored.get("excerpt") or "", marks),
        signed=_day(stored.get("signed")),
        filed=_day(stored.get("filed")),
        filename=stored.get("filename"),
    )


def _all_of(found: int, more: Iterable[int]) -> int:
    """The documents of `found` in every one of `more` (bitsets)."""
    for bits in more:
        found &= bits
    return found


def _facet_counts(groups: Mapping[Any, int]) -> dict[str, int]:
    items = [(str(k), int(v)) for k, v in groups.items() if v and k not in (None, "", b"")]
    items.sort(key=lambda kv: (-kv[1], kv[0]))
    return dict(items)


def _day(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return None


# --- snippets --------------------------------------------------------------------------------

_SPACES = re.compile(r"\s+")


def _lead(text: str) -> str:
    """The start of the text, up to SNIPPET_CHARS, cut at a word boundary."""
    flat = _SPACES.sub(" ", text[: SNIPPET_CHARS * 3]).strip()
    if len(flat) <= SNIPPET_CHARS:
        return flat
    cut = flat.rfind(" ", 0, SNIPPET_CHARS)
    return flat[: cut if cut > SNIPPET_CHARS // 2 else SNIPPET_CHARS].rstrip() + "…"


_WORD = re.compile(TOKEN_PATTERN)


class _Marks:
    """What a search's snippets mark: the query's index terms, a regular expression finding
    where they may be, and a quick test of a passage that rules out most passages without
    analysing them."""

    def __init__(self, terms: set[str]) -> None:
        self.terms = terms
        self.keys = _find_keys(terms) if terms else None
        # In ASCII text, the same search without IGNORECASE on the lowercased text: the same
        # matches at the same places, several times faster.
        pattern = self.keys.pattern if self.keys is not None else ""
        self.ascii_keys = (
            re.compile(pattern) if pattern.isascii() and pattern == pattern.lower() else None
        )
        self.words = frozenset(t for t in terms if not t.startswith(GLOSS_PREFIX))
        self.names = [n for t in terms if t.startswith(GLOSS_PREFIX) for n in glossary_names(t)]

    def may_match(self, passage: str) -> bool:
        """False only when analysing `passage` cannot give any of the terms.

        The analyzer's terms of a passage are among the stems of its words and of the
        compounds two adjacent words may join into; a subject's token needs every term of one
        of its names. So this set of stems is a superset of what the analyzer would give.
        """
        raws = [w.lower() for w in _WORD.findall(passage)]
        stems = {stem(w) for w in raws}
        for a, b in itertools.pairwise(raws):
            if a == "co":
                stems.add(stem("co" + b))
            compound = COMPOUNDS.get((stem(a), b))
            if compound is not None:
                stems.add(stem(compound))
        return not self.words.isdisjoint(stems) or any(
            stems.issuperset(name) for name in self.names
        )


def _find_keys(terms: set[str]) -> re.Pattern[str] | None:
    """A cheap pre-filter: substrings that any word stemming to `terms` is likely to contain."""
    keys: set[str] = set()
    joined_parts = {stem(v): stem(a) for (a, _), v in COMPOUNDS.items()}
    words = set()
    for t in terms:
        if t.startswith(GLOSS_PREFIX):  # a subject: the terms of its names, in either language
            words.update(glossary_terms(t))
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


def snippet(text: str, marks: _Marks) -> str:
    """About SNIPPET_CHARS of `text` around the first matched word, matches in «»."""
    if not text:
        return ""
    terms, keys = marks.terms, marks.keys
    if not terms or keys is None:
        return _lead(text)
    analyze = analyzer()
    scanned_to = -1
    if marks.ascii_keys is not None and text.isascii():
        found = marks.ascii_keys.finditer(text.lower())
    else:
        found = keys.finditer(text)
    for tries, m in enumerate(found):
        if tries >= 20:
            break
        if m.start() < scanned_to:
            continue
        ws, we = max(0, m.start() - 120), min(len(text), m.start() + 320)
        window = text[ws:we]
        if not marks.may_match(window):
            scanned_to = we - 40
            continue
        matched = [
            (t.startchar + ws, t.endchar + ws)
            for t in analyze(window, chars=True, mode="index")
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
