"""The one scanner for names in text (countries, groupings, instrument types and levels): the
classifier's reader of parties (`pipeline.filing.parties_names`) and the search's concepts
(`pipeline.search.concepts`) both find names with it, each with its own table of names.

Names and text are compared as words normalised by `countries.normalise` (or an equivalent):
a name matches whole words only, the leftmost first, the longest where several start at one
word, and matches never overlap.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Generic, TypeVar

V = TypeVar("V")

__all__ = ["NameScanner"]


class NameScanner(Generic[V]):
    """Names (tuples of words) -> values; the first value given for a name wins."""

    def __init__(self, names: Iterable[tuple[Sequence[str], V]]) -> None:
        seen: set[tuple[str, ...]] = set()
        single: dict[str, V] = {}
        # Names of two words or more by their first two: "states" begins hundreds of names
        # ("states parties to the ..."), which a word is then no longer compared with one by one.
        by_two: dict[tuple[str, str], list[tuple[tuple[str, ...], V]]] = {}
        for words, value in names:
            key = tuple(words)
            if not key or key in seen:
                continue
            seen.add(key)
            if len(key) == 1:
                single[key[0]] = value
            else:
                by_two.setdefault(key[:2], []).append((key, value))
        for entries in by_two.values():
            entries.sort(key=lambda e: -len(e[0]))
        self._single = single
        self._by_two = by_two
        self._firsts = frozenset(single) | {first for first, _ in by_two}

    def starts(self, word: str) -> bool:
        """Whether some name begins with `word`."""
        return word in self._firsts

    def scan(self, words: Sequence[str]) -> list[tuple[int, int, V]]:
        """Leftmost-longest matches in `words`: (first word, word after the last, value)."""
        single, by_two, firsts = self._single, self._by_two, self._firsts
        found: list[tuple[int, int, V]] = []
        i, n = 0, len(words)
        while i < n:
            word = words[i]
            if word not in firsts:
                i += 1
                continue
            k = 0
            for name, value in by_two.get((word, words[i + 1]), ()) if i + 1 < n else ():
                if tuple(words[i : i + len(name)]) == name:
                    k = len(name)
                    found.append((i, i + k, value))
                    break
            if not k and word in single:
                k = 1
                found.append((i, i + 1, single[word]))
            i += k or 1
        return found
