"""Which case a filed document belongs to — only on evidence — and what it takes from it.

A document is linked to a case automatically only when the case is *named*: the inbox
sub-folder it was dropped in, or the case id in its file name or text. An open case that
merely has the same counterparts and type is a *suggestion* (`ika unassigned`), never a link.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from sqlalchemy import select

from pipeline.archive import Archive
from pipeline.register.store import cases

CASE_ID = re.compile(r"\bIKA[-_ ]?(\d{4})[-_ ]?(\d{4,5})\b", re.IGNORECASE)
TEXT_SCAN_CHARS = 20_000  # case ids are written in a letter's reference block, near the top
HOME = "MY"  # Malaysia is a party to every instrument, never a counterpart


@dataclass(frozen=True)
class CaseLink:
    """The case a document goes into, how it was named, and why none was when none was."""

    case_id: str | None
    how: str  # "given" | "inbox folder" | "file name" | "case id in text" | "unassigned"
    note: str | None = None  # why it waits unassigned although something looked like a case


@dataclass(frozen=True)
class CaseFacts:
    """What a document can take from its case: counterparts, type, level."""

    id: str
    status: str
    type: str
    countries: tuple[str, ...]
    level: str | None = None
    title: str | None = None


def case_ids_in(text: str) -> list[str]:
    """Case ids written anywhere in `text` (IKA-2026-0001, ika_2026_0001 ...), normalised."""
    return list(dict.fromkeys(f"IKA-{y}-{int(n):04d}" for y, n in CASE_ID.findall(text)))


def find_case(arc: Archive, *, rel_path: PurePath | None, text: str) -> CaseLink:
    """The case named by the document's inbox sub-folder, file name or text.

    A case's sub-folder is named by its id exactly as written (IKA-2026-0001); one written
    otherwise (lower case, other separators) or naming no known case (a typo) stops the search:
    the clerk meant a case, and guessing another would be wrong. A sub-folder that does not
    look like a case id at all (a clerk's own sorting: "dari KLN", "2026") is no part of the
    link: the file name and text decide, and it is never given as a reason.
    """
    known = known_ids(arc)
    note: str | None = None
    if rel_path is not None:
        folders = rel_path.parts[:-1]
        for folder in reversed(folders):  # the folder nearest the file first
            named = case_ids_in(folder)
            loose = [cid for cid in named if cid not in folder]
            if loose:  # ika-2026-0001, IKA_2026_1: a person may mean a case, but not surely
                return CaseLink(None, "unassigned",
                                f"sub-folder {folder!r} is not written as a case id; "
                                f"name it {loose[0]} to file into that case")
            hits = [cid for cid in named if cid in known]
            if len(hits) == 1:
                return CaseLink(hits[0], "inbox folder")
            if hits:
                return CaseLink(None, "unassigned",
                                f"sub-folder {folder!r} names several cases: {', '.join(hits)}")
            if named:
                return CaseLink(None, "unassigned",
                                f"sub-folder {folder!r} names {named[0]}, which is not a "
                                "known case")
        link = _named_in(case_ids_in(rel_path.name), known, "file name", "its file name")
        if link.case_id:
            return link
        note = link.note
    link = _named_in(case_ids_in(text[:TEXT_SCAN_CHARS]), known, "case id in text", "its text")
    if link.case_id:
        return link
    return CaseLink(None, "unassigned", note or link.note)


def _named_in(named: list[str], known: dict[str, CaseFacts], how: str, where: str) -> CaseLink:
    hits = [cid for cid in named if cid in known]
    if len(hits) == 1:
        return CaseLink(hits[0], how)
    if hits:
        return CaseLink(None, "unassigned", f"{where} names several cases: {', '.join(hits)}")
    if named:
        return CaseLink(None, "unassigned", f"{where} names {named[0]}, which is not a known case")
    return CaseLink(None, "unassigned")


def counterparts(codes: Iterable[str]) -> frozenset[str]:
    """The parties other than Malaysia."""
    return frozenset(c.upper() for c in codes) - {HOME}


def same_counterparts(case_countries: Iterable[str], doc_countries: Iterable[str]) -> bool:
    """The document's parties (Malaysia aside) are the case's, or one set holds the other
    (a classifier may miss a party of a multilateral text, or read one more)."""
    a, b = counterparts(case_countries), counterparts(doc_countries)
    return bool(a) and bool(b) and (a <= b or b <= a)


def is_negotiated_instrument(case: CaseFacts, doc_type: str | None,
                             doc_countries: Sequence[str]) -> bool:
    """Is this document, as its own text was classified, the instrument the case negotiates:
    an instrument of the case's type between the case's counterparts? Only such a document
    completes steps 8 and 9 when it is filed."""
    return doc_type == case.type and same_counterparts(case.countries, doc_countries)


def inherit(case: CaseFacts, *, countries: Sequence[str], type_: str | None,
            level: str | None) -> tuple[tuple[str, ...], str | None, str | None, tuple[str, ...]]:
    """A document filed into a case takes the case's counterparts, type and level where its
    own text gives none (the level goes with the counterparts it was derived from). Returns
    (countries, type, level, the fields taken from the case)."""
    taken: list[str] = []
    if not countries and case.countries:
        countries = case.countries
        taken.append("countries")
    if not type_ and case.type:
        type_ = case.type
        taken.append("type")
    if "countries" in taken and case.level and not level:
        level = case.level
        taken.append("level")
    return tuple(countries), type_, level, tuple(taken)


def suggest_cases(candidates: Iterable[CaseFacts], doc_type: str | None,
                  doc_countries: Sequence[str]) -> list[str]:
    """Open cases a document may belong to, best first: same counterparts and the same type
    (or no type known for the document). Never used to link, only to suggest."""
    same_type: list[str] = []
    untyped: list[str] = []
    for case in candidates:
        if case.status != "open" or not same_counterparts(case.countries, doc_countries):
            continue
        if doc_type == case.type:
            same_type.append(case.id)
        elif doc_type is None:
            untyped.append(case.id)
    return same_type + untyped


def best_suggestion(candidates: Iterable[CaseFacts], doc_type: str | None,
                    doc_countries: Sequence[str]) -> str | None:
    """The one case to suggest, when exactly one fits."""
    found = suggest_cases(candidates, doc_type, doc_countries)
    return found[0] if len(found) == 1 else None


def known_ids(arc: Archive) -> dict[str, CaseFacts]:
    with arc.register.read() as conn:
        rows = conn.execute(select(cases.c.id, cases.c.status, cases.c.type, cases.c.countries,
                                   cases.c.level, cases.c.title))
        return {r.id: facts(r) for r in rows}


def open_cases(arc: Archive) -> list[CaseFacts]:
    return [c for c in known_ids(arc).values() if c.status == "open"]


def facts(row: Any) -> CaseFacts:
    """CaseFacts of a row of the cases table."""
    return CaseFacts(row.id, row.status, row.type, tuple(json.loads(row.countries or "[]")),
                     row.level, row.title)
