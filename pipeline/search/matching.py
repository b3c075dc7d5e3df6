"""Every document a query matches, unscored: the total and the facets count these.

Set algebra over bitsets of decoded postings (`postings`): terms are looked up, AND, OR and
AND NOT are integer operations, a date range is a slice of the documents in date order, and a
phrase is checked only on the documents that have all its words and pass the other
conditions. Any other kind of query goes to Whoosh.
"""

from __future__ import annotations

from typing import Any

from whoosh import query as wq
from whoosh.query.qcore import TermNotFound

from .postings import bits_of, ids_of
from .searcher import Entry

__all__ = ["docs", "has_phrase"]


def docs(entry: Entry, q: Any, within: int | None = None) -> int:
    """Every document matching `q` (and in `within`, if given), as a bitset."""
    if within is not None and not within:
        return 0
    if isinstance(q, wq.Term):
        found = entry.term_bits(q.fieldname, q.text)
    elif isinstance(q, wq.Or):
        found = 0
        for sub in q.subqueries:
            found |= docs(entry, sub, within)
        return found
    elif isinstance(q, wq.And):
        # Cheap conditions first, so phrases are checked on as few documents as possible.
        acc = within
        for sub in sorted(q.subqueries, key=has_phrase):
            acc = docs(entry, sub, acc)
            if not acc:
                return 0
        return acc if acc is not None else docs(entry, wq.Every())
    elif isinstance(q, wq.AndNot):
        found = docs(entry, q.a, within)
        return found & ~docs(entry, q.b, found) if found else found
    elif isinstance(q, wq.Every):
        found = entry.all_bits()
    elif isinstance(q, wq.DateRange) and q.fieldname == "docdate":
        found = entry.in_dates(q.startdate, q.enddate)
    elif isinstance(q, wq.Phrase) and q.slop == 1:
        # Every document with the phrase, kept per searcher: checking positions is the dearest
        # part of a search, and a phrase is often searched again with other filters.
        key = (q.fieldname, tuple(q.words))
        found = entry.known_phrase(key)
        if found is None:
            candidates = docs(entry, wq.And([wq.Term(q.fieldname, w) for w in q.words]))
            found = _phrase_docs(entry, q.fieldname, list(q.words), ids_of(candidates))
            entry.remember_phrase(key, found)
    elif isinstance(q, wq.Phrase):
        candidates = docs(entry, wq.And([wq.Term(q.fieldname, w) for w in q.words]), within)
        from .scoring import score_each

        return bits_of(d for d, _ in score_each(entry, q, ids_of(candidates)))
    else:
        found = bits_of(entry.searcher.docs_for_query(q))
    return found & within if within is not None else found


def has_phrase(q: Any) -> bool:
    """Whether `q` holds a phrase (whose matchers need positions)."""
    if isinstance(q, wq.Phrase):
        return True
    return any(has_phrase(sub) for sub in getattr(q, "subqueries", ()) or ()) or any(
        has_phrase(getattr(q, side)) for side in ("a", "b") if hasattr(q, side)
    )


def _phrase_docs(entry: Entry, field: str, words: list[str], candidates: list[int]) -> int:
    """The candidates (ascending) where `words` occur next to each other, in order, in `field`.

    Compares the words' position lists directly: Whoosh's span machinery does the same at
    several times the cost per document.
    """
    found: list[int] = []
    searcher = entry.searcher
    for sub, offset in searcher.subsearchers or [(searcher, 0)]:
        end = offset + sub.doc_count_all()
        local = [d - offset for d in candidates if offset <= d < end]
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
                    found.append(d + offset)
    return bits_of(found)
