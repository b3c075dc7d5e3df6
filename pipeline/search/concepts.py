"""Concepts: what a name stands for, whatever language or form it is written in.

Countries, instrument types and levels (``country:KR``, ``type:mou``, ``level:bilateral``): at
index time every one named in a document's title or text — in English or Malay, in any of its
names — is added as a concept token to a hidden field, along with the document's own metadata.
At query time the same name tables find such names in the query, and each one becomes "the
words as typed OR the concept token", so "Korea Selatan" finds a text that says "Republic of
Korea" and "memorandum persefahaman" finds "Memorandum of Understanding".

Subjects of the glossary (`pipeline.vocab.glossary`: "pemerdagangan orang" ↔ "trafficking in
persons"): every name of a subject met in the title or text, in either language and any
inflection, adds the subject's token (``gloss:trafficking-in-persons``) at the name's position
(see `analysis.BilingualFilter`). A query naming a subject requires its token, so it finds texts
in both languages, and a multi-word name only where its words stand together, in order.
"""

from __future__ import annotations

import contextlib
import functools
import re
from typing import Any

from pipeline.errors import IkaError
from pipeline.vocab.names import NameScanner

from .analysis import analyze, query_terms

__all__ = [
    "GLOSS_PREFIX",
    "concept_terms",
    "concepts_in",
    "glossary_names",
    "glossary_terms",
    "glossary_trie",
    "match_names",
    "name_words",
]

#: Concept tokens of glossary subjects start with this; no typed word can (":" splits words).
GLOSS_PREFIX = "gloss:"

# Country names that are also ordinary words ("cuba" is Malay for "try"): in a document's text
# they count only when capitalised.
_AMBIGUOUS = frozenset({"cuba", "chad", "china", "jersey", "turkey", "guinea", "reunion", "cad"})
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'"})
_ASCII_WORD = re.compile(r"[a-z0-9]+(?:'[a-z0-9]+)*")


# ---------------------------------------------------------------------------------------------
# Countries, types and levels


@functools.cache
def _concept_scanner() -> NameScanner[str]:
    """Every name of a country, type or level -> its concept (the shared name scanner)."""
    from pipeline.vocab.countries import name_table, normalise
    from pipeline.vocab.instruments import LEVELS, TYPES

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
    return NameScanner(table.items())


def name_words(text: str) -> list[str]:
    """Words of `text` normalised like `countries.normalise`, fast for ASCII text."""
    text = text.translate(_APOSTROPHES)
    if text.isascii():
        return _ASCII_WORD.findall(text.lower().replace(".", "").replace("&", " and "))
    from pipeline.vocab.countries import normalise

    return normalise(text).split()


def match_names(words: list[str]) -> list[tuple[int, int, str]]:
    """Leftmost-longest name matches in `words`: (start, end, concept)."""
    return _concept_scanner().scan(words)


def concepts_in(text: str) -> set[str]:
    """Concept tokens for the countries, types and levels that `text` names."""
    if not text:
        return set()
    words = name_words(text)
    out: set[str] = set()
    capitalised: dict[str, bool] = {}  # each name looked up once: "cuba" (try) is a common word
    for start, end, concept in match_names(words):
        if end - start == 1 and words[start] in _AMBIGUOUS:
            name = words[start]
            if name not in capitalised:
                pattern = rf"\b{name[0].upper()}{re.escape(name[1:])}\b"
                capitalised[name] = re.search(pattern, text) is not None
            if not capitalised[name]:
                continue
        out.add(concept)
    return out


@functools.cache
def concept_terms(concept: str) -> frozenset[str]:
    """Index terms of every name of a concept, to highlight whichever name a text uses."""
    kind, _, value = concept.partition(":")
    names: list[str] = []
    if kind == "country":
        from pipeline.vocab.countries import country_names

        with contextlib.suppress(IkaError, KeyError):
            names = country_names(value)
    elif kind == "type":
        from pipeline.vocab.instruments import type_names

        with contextlib.suppress(IkaError, KeyError):
            names = type_names(value)
    elif kind == "level":
        from pipeline.vocab.instruments import LEVELS

        names = [n for lv in LEVELS if lv.id == value for n in (lv.ms, lv.en, *lv.aliases)]
    terms: set[str] = set()
    for name in names:
        terms.update(analyze(name))
    return frozenset(terms)


# ---------------------------------------------------------------------------------------------
# Subjects of the glossary


@functools.cache
def _glossary() -> tuple[dict[tuple[str, ...], str], dict[str, frozenset[str]]]:
    """(index terms of a name -> its subject's concept token; token -> terms of all its names).

    Names are analysed like query words (stemmed, stop words out, compounds joined), so a name
    matches its inflections in running text: "pengurusan sempadan" also "menguruskan sempadan",
    "trafficking in persons" also "trafficking of persons"; its words together and in order.
    """
    from pipeline.vocab.glossary import TERMS

    by_terms: dict[tuple[str, ...], str] = {}
    words: dict[str, set[str]] = {}
    for term in TERMS:
        token = GLOSS_PREFIX + term.id
        for name in term.names:
            terms = tuple(query_terms(name))
            if terms:
                by_terms.setdefault(terms, token)
                words.setdefault(token, set()).update(terms)
    return by_terms, {k: frozenset(v) for k, v in words.items()}


def glossary_terms(token: str) -> frozenset[str]:
    """The index terms of every name of the subject whose concept token is `token`."""
    return _glossary()[1].get(token, frozenset())


@functools.cache
def glossary_names(token: str) -> tuple[tuple[str, ...], ...]:
    """The index terms of each name of the subject whose concept token is `token`."""
    return tuple(terms for terms, t in _glossary()[0].items() if t == token)


@functools.cache
def glossary_trie() -> dict[str, Any]:
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
