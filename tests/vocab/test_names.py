"""The one name scanner: leftmost-longest whole-word matches, checked against the plain
definition on random vocabularies and texts."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.vocab.names import NameScanner

WORDS = st.sampled_from(["a", "b", "c", "states", "of", "the"])


def _plain_scan(names: dict[tuple[str, ...], int], words: list[str]) -> list[tuple[int, int, int]]:
    found, i = [], 0
    while i < len(words):
        for k in range(len(words) - i, 0, -1):
            if tuple(words[i : i + k]) in names:
                found.append((i, i + k, names[tuple(words[i : i + k])]))
                i += k
                break
        else:
            i += 1
    return found


@settings(max_examples=400, database=None)
@given(st.lists(st.lists(WORDS, min_size=1, max_size=4), max_size=12),
       st.lists(WORDS, max_size=30))
def test_the_scanner_finds_what_the_definition_says(names: list[list[str]], words) -> None:
    table: dict[tuple[str, ...], int] = {}
    for n, name in enumerate(names):
        table.setdefault(tuple(name), n)  # the first value given for a name wins
    scanner = NameScanner((list(k), v) for k, v in table.items())
    assert scanner.scan(words) == _plain_scan(table, words)
    assert all(scanner.starts(k[0]) for k in table)
