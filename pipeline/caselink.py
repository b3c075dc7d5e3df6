"""Which case a filed document belongs to, found without anyone typing it."""

from __future__ import annotations

import json
import re
from pathlib import PurePath

from sqlalchemy import select

from .archive import Archive
from .register import cases

CASE_ID = re.compile(r"\bIKA[-_ ]?(\d{4})[-_ ]?(\d{4,5})\b", re.IGNORECASE)


def case_ids_in(text: str) -> list[str]:
    """Case ids written anywhere in `text` (IKA-2026-0001, ika_2026_0001 ...), normalised."""
    return list(dict.fromkeys(f"IKA-{y}-{int(n):04d}" for y, n in CASE_ID.findall(text)))


def find_case(
    arc: Archive,
    *,
    rel_path: PurePath | None,
    text: str,
    countries: tuple[str, ...],
    type_: str | None,
) -> tuple[str | None, str]:
    """The case and how it was found: the inbox sub-folder named after the case, a case id
    in the file name, a case id in the text, or the single open case with the same
    counterparts and type. (None, "unassigned") when nothing decides it."""
    known = _known_ids(arc)
    if rel_path is not None:
        for folder in rel_path.parts[:-1]:
            for cid in case_ids_in(folder):
                if cid in known:
                    return cid, "inbox folder"
        for cid in case_ids_in(rel_path.name):
            if cid in known:
                return cid, "file name"
    for cid in case_ids_in(text[:20000]):
        if cid in known:
            return cid, "case id in text"
    if countries and type_:
        matches = [
            cid for cid, (status, ctype, ccountries) in known.items()
            if status == "open" and ctype == type_ and set(ccountries) == set(countries)
        ]
        if len(matches) == 1:
            return matches[0], "matching open case"
    return None, "unassigned"


def _known_ids(arc: Archive) -> dict[str, tuple[str, str, list[str]]]:
    with arc.register.read() as conn:
        rows = conn.execute(select(cases.c.id, cases.c.status, cases.c.type, cases.c.countries))
        return {r.id: (r.status, r.type, json.loads(r.countries)) for r in rows}
