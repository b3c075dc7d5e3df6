"""What a person typed, and the filters they chose, as Whoosh query objects.

Words are all required. "Quoted words" must be a phrase; -word excludes. A country, type or
level named in either language matches its words or its concept token; a glossary subject
named in either language matches its subject token (see `concepts`); a case id
(IKA-2026-0001) matches that case's documents or a text citing it. Whoosh parses nothing
here: the queries are built.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from whoosh import query as wq

from pipeline.errors import IkaError

from .analysis import query_terms
from .concepts import concept_terms, glossary_trie, match_names
from .schema import as_datetime

__all__ = ["FACETS", "Parsed", "facet_filters", "filters", "parse", "resolve_values"]


@dataclass
class Parsed:
    """A parsed query: the Whoosh query, and the index terms its snippets highlight."""

    query: Any  # a whoosh query
    highlight: set[str]


_CASE_ID = re.compile(r"IKA-\d{4}-\d+", re.IGNORECASE)
_QUERY_TOKEN = re.compile(r'(-?)"([^"]*)"?|(-?)([^\s"]+)')
_CONCEPT_FIELD = {"country": "countries", "type": "type", "level": "level"}


def parse(text: str) -> Parsed | None:
    """Build the Whoosh query for what a person typed; None when it has no searchable word."""
    from pipeline.vocab.countries import normalise

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
        for start, end, concept in match_names(words):
            rest = query_terms(" ".join(words[cursor:start]))
            _glossary_query(rest, required, highlight)
            name_terms = query_terms(" ".join(words[start:end]))
            kind, _, value = concept.partition(":")
            # The concept token stands for every name of it found in the title or text at index
            # time, the typed words included, so no costly phrase search is needed.
            alts = [wq.Term("concepts", concept), wq.Term(_CONCEPT_FIELD[kind], value, boost=2.0)]
            required.append(wq.Or(alts))
            highlight.update(name_terms)
            highlight.update(concept_terms(concept))
            cursor = end
        rest = query_terms(" ".join(words[cursor:]))
        _glossary_query(rest, required, highlight)

    for m in _QUERY_TOKEN.finditer(text):
        neg_phrase, phrase, neg_word, word = m.groups()
        if phrase is not None:
            flush()
            terms = query_terms(phrase)
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
            terms = query_terms(word)
            _glossary_query(terms, excluded, set())  # -dadah leaves out "drugs" too
        elif _CASE_ID.fullmatch(word):
            # A case id finds the case's documents, and any text that cites it.
            flush()
            terms = query_terms(word)
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
    return Parsed(q, highlight)


#: A facet's values: one, a comma list ("ID,TH"), or several (an iterable of either).
Values = Any

#: The facets that take several values (any of them), in the order their filters are built.
FACETS = ("country", "type", "level", "kind", "year")


def filters(
    country: Values = None,
    type: Values = None,
    level: Values = None,
    case: str | None = None,
    year: Values = None,
    date_from: date | None = None,
    date_to: date | None = None,
    kind: Values = None,
) -> list[Any]:
    """The filters as Whoosh queries; names of countries, types, levels and kinds in any form.
    Country, type, level, kind and year may each be one value, a comma list, or several:
    any of them (OR within a facet, AND across the filters)."""
    chosen = facet_filters(country=country, type=type, level=level, kind=kind, year=year)
    out: list[Any] = list(chosen.values())
    if case:
        out.append(wq.Term("case", case.strip().upper()))
    if date_from is not None or date_to is not None:
        start = as_datetime(date_from) if date_from is not None else None
        end = None
        if date_to is not None:
            end_day = date_to.date() if isinstance(date_to, datetime) else date_to
            end = datetime(end_day.year, end_day.month, end_day.day, 23, 59, 59, 999999)
        out.append(wq.DateRange("docdate", start, end))
    return out


def facet_filters(
    *,
    country: Values = None,
    type: Values = None,
    level: Values = None,
    kind: Values = None,
    year: Values = None,
) -> dict[str, Any]:
    """The Whoosh query of each facet given a value, by facet name (see FACETS): a term, or
    an OR of terms when several values are given. Raises UnknownCountry / UnknownType /
    UnknownKind for a name that names nothing known, IkaError for a year that is no number."""
    from pipeline.vocab.countries import resolve_country
    from pipeline.vocab.instruments import resolve_level, resolve_type
    from pipeline.vocab.kinds import resolve_kinds

    values = {
        "country": ("countries", resolve_values(country, resolve_country, _country_name)),
        "type": ("type", resolve_values(type, resolve_type)),
        "level": ("level", resolve_values(level, resolve_level)),
        "kind": ("kind", resolve_kinds(kind)),
        "year": ("year", resolve_values(year, _year)),
    }
    out: dict[str, Any] = {}
    for name, (field, found) in values.items():
        if not found:
            continue
        if len(found) == 1 and name != "kind":
            out[name] = wq.Term(field, found[0])
        else:
            out[name] = wq.Or([wq.Term(field, v) for v in found])
    return out


#: The most comma-separated parts one name may span ("Saint Helena, Ascension and ...").
_MAX_PARTS = 3


def resolve_values(
    values: Values, resolve: Callable[[str], str], joined: Callable[[str], bool] | None = None,
) -> list[str]:
    """What `resolve` makes of repeated values and comma lists, in the order given, each once;
    empty when nothing was given. A part that names nothing raises what `resolve` raised.

    A name may hold a comma itself ("Korea, Republic of", "Hong Kong, China"): where
    `joined` (a cheap test: may this text be one name?) allows it, the longest run of parts
    that resolves is taken, so such a name still means what it meant alone."""
    if values is None:
        return []
    if isinstance(values, str | int):
        values = [values]
    out: list[str] = []
    for value in values:
        parts = str(value).split(",")
        i, n = 0, len(parts)
        while i < n:
            if not parts[i].strip():
                i += 1
                continue
            found, end = None, i + 1
            if joined is not None:
                for j in range(min(n, i + _MAX_PARTS), i + 1, -1):
                    text = ",".join(parts[i:j]).strip()
                    if joined(text):
                        try:
                            found, end = resolve(text), j
                            break
                        except IkaError:
                            pass
            if found is None:
                found = resolve(parts[i].strip())
            if found not in out:
                out.append(found)
            i = end
    return out


def _country_name(text: str) -> bool:
    """May `text` be a country's name? (Cheap: no suggestions are looked for.)"""
    from pipeline.vocab.countries import normalise

    key = normalise(text).replace("'", "")
    names = _country_names()
    return key in names or (key.startswith("the ") and key[4:] in names) or (
        key.startswith("st ") and "saint " + key[3:] in names)


@functools.cache
def _country_names() -> frozenset[str]:
    from pipeline.vocab.countries import name_table

    return frozenset(k.replace("'", "") for k in name_table())


def _year(text: str) -> str:
    try:
        return str(int(text))
    except ValueError:
        raise IkaError(f"{text!r} is not a year") from None


def _terms_query(terms: list[str], boost_title: float = 2.0) -> list[Any]:
    """Each term must match, in the title or the text (which includes the file name)."""
    return [
        wq.Or([wq.Term("title", term, boost=boost_title), wq.Term("text", term)]) for term in terms
    ]


def _glossary_query(terms: list[str], required: list[Any], highlight: set[str]) -> None:
    """Required conditions for free query terms: a glossary name among them (leftmost, longest)
    becomes its concept token, so it finds the subject named in either language but never its
    words apart. The token stands wherever any name of the subject stands, the typed one too, so
    the typed words need no term of their own. Other terms stay as they are."""
    trie = glossary_trie() if terms else {}
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


def _phrase(fieldname: str, terms: list[str], boost: float = 1.0, slop: int = 1) -> Any:
    if len(terms) == 1:
        return wq.Term(fieldname, terms[0], boost=boost)
    return wq.Phrase(fieldname, terms, slop=slop, boost=boost)
