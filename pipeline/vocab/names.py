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
        by_first: dict[str, list[tuple[tuple[str, ...], V]]] = {}
        for words, value in names:
            key = tuple(words)
            if not key or key in seen:
                continue
            seen.add(key)
            by_first.setdefault(key[0], []).append((key, value))
        for entries in by_first.values():
            entries.sort(key=lambda e: -len(e[0]))
        self._by_first = by_first

    def starts(self, word: str) -> bool:
        """Whether some name begins with `word`."""
        return word in self._by_first

    def scan(self, words: Sequence[str]) -> list[tuple[int, int, V]]:
        """Leftmost-longest matches in `words`: (first word, word after the last, value)."""
        by_first = self._by_first
        found: list[tuple[int, int, V]] = []
        i, n = 0, len(words)
        while i < n:
            entries = by_first.get(words[i])
            if entries:
                for name, value in entries:
                    k = len(name)
                    if tuple(words[i : i + k]) == name:
                        found.append((i, i + k, value))
                        i += k
                        break
                else:
                    i += 1
            else:
                i += 1
        return found
