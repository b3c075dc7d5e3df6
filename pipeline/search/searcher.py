"""Open searchers, one per index directory in this process, and what each one caches.

Opening an index costs tens of milliseconds and decoding postings more, so a long-running
process (the web server, the watcher) pays once per change of the index, not once per search:
an `Entry` keeps, for as long as its generation is current and unchanged, the decoded postings
of the terms searched lately (bounded by `MAX_POSTINGS`), each facet value's set of documents,
the documents in date order and the length factors of BM25.
"""

from __future__ import annotations

import bisect
import contextlib
import threading
from collections import OrderedDict
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from whoosh.searching import Searcher
from whoosh.util.times import datetime_to_long

from . import store
from .postings import CachedSearcher, TermPostings, bits_of, read_postings
from .schema import NO_DATE

__all__ = ["FACET_FIELDS", "MAX_POSTINGS", "Entry", "close_all", "entry"]

#: Postings kept decoded per open searcher, all terms together (8 bytes each, 8 more for
#: each boost its term was searched with in the rough pass).
MAX_POSTINGS = 3_000_000
#: The facet fields; their values' document sets are kept for the searcher's lifetime.
FACET_FIELDS = ("countries", "type", "level", "kind", "year")


class Entry:
    """An open searcher of one generation, with its caches."""

    def __init__(self, name: str, ix: Any) -> None:
        self.name = name
        self._ix = ix
        self.searcher = CachedSearcher(ix.reader(), fromindex=ix)
        subs = self.searcher.subsearchers or [(self.searcher, 0)]
        self._offsets = {id(sub): offset for sub, offset in subs}
        for sub, _ in subs:
            sub.postings_source = self._local_postings
        self._plain: Searcher | None = None
        self._postings: OrderedDict[tuple[str, bytes], TermPostings] = OrderedDict()
        self._held = 0
        self._facets: dict[str, list[tuple[str, int]]] = {}
        self._facet_bits: dict[str, dict[bytes, int]] = {}
        self._all: int | None = None
        self._dates: tuple[list[int], list[int]] | None = None
        self._date_bits: OrderedDict[tuple[Any, Any], int] = OrderedDict()
        self._norms: dict[tuple[str, float, float], list[float | None]] = {}
        self.scores: dict[tuple[str, bytes, float], tuple[Any, Any]] = {}
        self.phrases: OrderedDict[tuple[str, tuple[str, ...]], int] = OrderedDict()

    def close(self) -> None:
        if self._plain is not None:
            self._plain.close()
        self.searcher.close()

    @property
    def plain(self) -> Searcher:
        """A plain Whoosh searcher over the same reader, for matchers that need positions."""
        if self._plain is None:
            reader = self.searcher.reader()
            self._plain = Searcher(reader, fromindex=self._ix, closereader=False)
        return self._plain

    # --- postings -------------------------------------------------------------------------

    def btext(self, field: str, text: Any) -> bytes:
        return text if isinstance(text, bytes) else self.searcher.schema[field].to_bytes(text)

    def postings(self, field: str, text: Any) -> TermPostings:
        """The decoded postings of one term, from the cache or read now."""
        key = (field, self.btext(field, text))
        found = self._postings.get(key)
        if found is not None:
            self._postings.move_to_end(key)
            return found
        found = read_postings(self.searcher, *key)
        self._postings[key] = found
        self._held += found.size
        while self._held > MAX_POSTINGS and len(self._postings) > 1:
            (f, b), old = self._postings.popitem(last=False)
            self._held -= old.size
            for boost in [k for k in self.scores if k[:2] == (f, b)]:
                del self.scores[boost]
        return found

    def known_phrase(self, key: tuple[str, tuple[str, ...]]) -> int | None:
        """The documents where a phrase (field, words) occurs, if kept."""
        found = self.phrases.get(key)
        if found is not None:
            self.phrases.move_to_end(key)
        return found

    def remember_phrase(self, key: tuple[str, tuple[str, ...]], found: int) -> None:
        """Keep the documents where a phrase occurs (the 64 phrases used last)."""
        self.phrases[key] = found
        while len(self.phrases) > 64:
            self.phrases.popitem(last=False)

    def term_bits(self, field: str, text: Any) -> int:
        """The documents that have one term."""
        btext = self.btext(field, text)
        if field in FACET_FIELDS:
            self.facet_sets(field)
            return self._facet_bits[field].get(btext, 0)
        return self.postings(field, btext).bits

    def _local_postings(self, sub: Any, field: str, btext: bytes) -> Any:
        """(ids, weights) of one segment, for `CachedSearcher`."""
        offset = self._offsets.get(id(sub))
        if offset is None:
            return None
        return self.postings(field, btext).local(offset)

    # --- facets, all documents, dates ------------------------------------------------------

    def facet_sets(self, field: str) -> list[tuple[str, int]]:
        """(value, documents) for every value of `field`; built once per searcher."""
        sets = self._facets.get(field)
        if sets is None:
            fieldobj = self.searcher.schema[field]
            subs = self.searcher.subsearchers or [(self.searcher, 0)]
            sets, by_bytes = [], {}
            for btext in self.searcher.reader().lexicon(field):
                ids: list[int] = []
                for sub, offset in subs:
                    reader = sub.reader()
                    if (field, btext) in reader:
                        found = reader.postings(field, btext).all_ids()
                        ids.extend((d + offset for d in found) if offset else found)
                bits = bits_of(ids)
                if bits:
                    sets.append((fieldobj.from_bytes(btext), bits))
                    by_bytes[btext] = bits
            self._facets[field] = sets
            self._facet_bits[field] = by_bytes
        return sets

    def all_bits(self) -> int:
        """Every live document."""
        if self._all is None:
            self._all = bits_of(self.searcher.reader().all_doc_ids())
        return self._all

    def _dates_order(self) -> tuple[list[int], list[int]]:
        """(document dates ascending, as Whoosh longs; document numbers in the same order)."""
        if self._dates is None:
            reader = self.searcher.reader()
            if not reader.has_column("docdate"):  # an empty index has no columns at all
                self._dates = ([], [])
                return self._dates
            column = reader.column_reader("docdate", translate=False)
            pairs = sorted((column[n], n) for n in reader.all_doc_ids())
            self._dates = ([v for v, _ in pairs], [n for _, n in pairs])
        return self._dates

    def by_date(self) -> Iterator[int]:
        """Every live document number, newest document date first."""
        return reversed(self._dates_order()[1])

    def in_dates(self, start: datetime | None, end: datetime | None) -> int:
        """Documents whose date lies in [start, end], by bisecting the sorted dates."""
        key = (start, end)
        found = self._date_bits.get(key)
        if found is None:
            values, docnums = self._dates_order()
            if start is None:  # from the first dated document: undated ones carry NO_DATE
                lo = bisect.bisect_right(values, datetime_to_long(NO_DATE))
            else:
                lo = bisect.bisect_left(values, datetime_to_long(start))
            hi = bisect.bisect_right(values, datetime_to_long(end)) if end else len(values)
            found = bits_of(docnums[lo:hi])
            self._date_bits[key] = found
            while len(self._date_bits) > 32:
                self._date_bits.popitem(last=False)
        return found

    def length_norm(self, field: str, k1: float, b: float = 0.75) -> Any:
        """A function: document -> BM25's length factor k1 * (1 - b + b * length / average),
        computed the first time each document asks."""
        key = (field, k1, b)
        norms = self._norms.get(key)
        if norms is None:
            norms = [None] * self.searcher.reader().doc_count_all()
            self._norms[key] = norms
        reader = self.searcher.reader()
        avg = self.searcher.avg_field_length(field) or 1.0

        def norm(d: int) -> float:
            value = norms[d]
            if value is None:
                value = norms[d] = k1 * ((1 - b) + b * reader.doc_field_length(d, field) / avg)
            return value

        return norm


class _SearcherCache:
    """One open searcher per index directory in this process, refreshed when stale."""

    def __init__(self, size: int = 8) -> None:
        self.size = size
        self.lock = threading.RLock()
        self.entries: OrderedDict[Path, Entry] = OrderedDict()

    @contextlib.contextmanager
    def entry(self, index_dir: Path) -> Iterator[Entry]:
        key = index_dir.resolve()
        with self.lock:
            name = store.read_current_quiet(index_dir)
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
                entry = Entry(opened.generation.name, opened.ix)
            self.entries[key] = entry
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self._drop(next(iter(self.entries)))
            yield entry

    @staticmethod
    def _open(index_dir: Path) -> store.Index:
        try:
            opened = store.try_open_current(index_dir)
        except store.Damaged:
            opened = None
        return opened if opened is not None else store.open_index(index_dir)

    def _drop(self, key: Path) -> None:
        entry = self.entries.pop(key, None)
        if entry is not None:
            with contextlib.suppress(Exception):
                entry.close()

    def clear(self) -> None:
        with self.lock:
            for key in list(self.entries):
                self._drop(key)


_searchers = _SearcherCache()
entry = _searchers.entry


def close_all() -> None:
    """Close the searchers this process keeps open (tests, or before deleting an index)."""
    _searchers.clear()
