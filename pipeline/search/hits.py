"""The typed results of a search: a result (total, hits, facets), its hits and their files.

Light on purpose (no Whoosh): the serializer (pipeline/serialize.py) and the faces read them
without loading the index. `to_json` gives the ``ika search --json`` shape.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

__all__ = ["HitFile", "SearchHit", "SearchResult"]


@dataclass(frozen=True, slots=True)
class HitFile:
    """One file of a hit (a generated letter's .docx and its .pdf are one hit)."""

    doc_id: str | None
    path: str | None
    format: str


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One document found. `date` is the date of signature, else of filing; `path` and the
    files' paths are relative to the archive (`paths_from_here` makes them work from here)."""

    doc_id: str | None
    case: str | None
    kind: str | None
    title: str
    countries: tuple[str, ...]
    type: str | None
    level: str | None
    division: str | None
    language: str | None
    path: str | None
    files: tuple[HitFile, ...]
    score: float
    snippet: str
    signed: dt.date | None
    filed: dt.date | None
    filename: str | None

    @property
    def date(self) -> dt.date | None:
        return self.signed or self.filed


@dataclass(frozen=True, slots=True)
class SearchResult:
    """`total` counts every match, `hits` the page; `facets` maps a facet (country, type,
    level, kind, year) to its values' counts, most first."""

    total: int = 0
    hits: tuple[SearchHit, ...] = ()
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
