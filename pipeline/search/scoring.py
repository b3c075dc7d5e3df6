"""Ranking: the best page of the matches by Whoosh's BM25F, without scoring every match.

A rough pass (the same BM25F, summed from the decoded postings of the query's terms) picks the
likeliest few documents; Whoosh's own matcher tree then scores just those exactly, its term
matchers reading the same decoded postings (`postings.CachedSearcher`). A query with a phrase
is scored by a plain Whoosh searcher, whose matchers read positions.
"""

from __future__ import annotations

import heapq
from array import array
from collections.abc import Iterable
from typing import Any

from whoosh import query as wq

from .matching import has_phrase
from .postings import ids_of
from .searcher import Entry

__all__ = ["score_each", "top_scored"]

_K1 = 1.2


def top_scored(entry: Entry, q: Any, matched: int, page: int) -> list[tuple[int, float]]:
    """The best `page` of `matched` (a bitset) as (document, score), best first; equal scores
    in document order."""
    pool = max(page * 5, 100)
    candidates = ids_of(matched)
    if len(candidates) > pool:
        rough = _rough_scores(entry, q)
        candidates = heapq.nlargest(pool, candidates, key=rough.__getitem__)
    scored = score_each(entry, q, candidates)
    scored.sort(key=lambda ds: (-ds[1], ds[0]))
    return scored[:page]


def score_each(entry: Entry, q: Any, docs: Iterable[int]) -> list[tuple[int, float]]:
    """(document, Whoosh score) for each of `docs` that `q` matches."""
    searcher = entry.plain if has_phrase(q) else entry.searcher
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


def _rough_scores(entry: Entry, q: Any) -> list[float]:
    """BM25F of every document, summed over the query's terms; indexed by document number.

    The same formula as Whoosh's default weighting, so the order is Whoosh's own, computed
    with a tight loop instead of a tree of matchers. Each term's contributions are kept with
    its decoded postings, so a term searched again costs one pass of additions.
    """
    acc = [0.0] * entry.searcher.reader().doc_count_all()
    for field, text, boost in _positive_terms(q):
        for d, c in zip(*_contributions(entry, field, text, boost), strict=True):
            acc[d] += c
    return acc


def _contributions(entry: Entry, field: str, text: str, boost: float) -> tuple[Any, array]:
    """(documents, this term's rough score in each), kept per searcher."""
    key = (field, entry.btext(field, text), boost)
    found = entry.scores.get(key)
    if found is not None:
        return found
    searcher = entry.searcher
    postings = entry.postings(field, text)
    ids, weights = postings.ids, postings.weights
    if not postings.size:
        found = (ids, array("d"))
    elif searcher.schema[field].scorable:
        idf = searcher.idf(field, text) * boost * (_K1 + 1)
        norm = entry.length_norm(field, _K1)
        pairs = zip(ids, weights, strict=True)
        found = (ids, array("d", [idf * w / (w + norm(d)) for d, w in pairs]))
    else:
        found = (ids, array("d", [boost * w for w in weights]))
    entry.scores[key] = found
    return found
