"""Text analysis: how a title, a text or a query becomes index terms.

Words are letters and digits (inner apostrophes kept); stop words go; a compound written apart
("kerja sama", "co-operation") also gives its joined form; every word is stemmed as Malay or
English (`stemmer`). While indexing, a glossary subject named by the words just seen adds its
concept token (``gloss:<id>``, see `concepts`) at the name's first position, so a query naming
the subject in either language finds it.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

from whoosh.analysis import Filter, LowercaseFilter, RegexTokenizer

from .stemmer import COMPOUNDS, STOP_WORDS, stem

__all__ = ["TOKEN_PATTERN", "BilingualFilter", "analyze", "analyzer", "query_terms"]

# Words are letters and digits, joined by inner apostrophes (people's, d'Ivoire); the
# underscore separates words, as in file names.
TOKEN_PATTERN = r"[^\W_]+(?:['’][^\W_]+)*"


class BilingualFilter(Filter):
    """Drop stop words, join split compounds, stem each word as Malay or English.

    Expects lowercase tokens. "kerja sama" (and "co-operation") gives both parts and the joined
    form at the first part's position, so "kerjasama" finds either spelling. Positions are
    renumbered over removed stop words, so "memorandum of understanding" is a phrase of two.

    When indexing, a glossary subject named by the words just seen (in either language, see
    `pipeline.vocab.glossary`) adds its concept token (``gloss:<id>``) at the name's first position,
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
                if t.mode == "index":
                    from .concepts import glossary_trie  # the trie's names are analysed here

                    trie = glossary_trie()
                else:
                    trie = {}
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


@functools.cache
def analyzer() -> Any:
    """The one analyzer of the title and text fields, of queries and of snippets."""
    return RegexTokenizer(TOKEN_PATTERN) | LowercaseFilter() | BilingualFilter()


def analyze(text: str) -> list[str]:
    """The index terms of `text`, in order: what a search for it looks up."""
    return [t.text for t in analyzer()(text, mode="index")]


def query_terms(text: str) -> list[str]:
    """Query terms of free words: a joined compound replaces its parts."""
    out: dict[int, str] = {}  # position -> term; a joined form replaces the parts
    for t in analyzer()(text, positions=True, mode="query"):
        if t.pos in out:  # the filter emits "kerjasama" after "kerja" and "sama", at kerja's pos
            out.pop(t.pos + 1, None)
        out[t.pos] = t.text
    return [out[pos] for pos in sorted(out)]
