"""The type of an instrument (MoU, agreement, protocol...) from its title, file name or text."""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from pathlib import PurePath

from pipeline.vocab.countries import normalise
from pipeline.vocab.instruments import TYPES


def _canon(text: str) -> str:
    """The form names and type phrases are matched in: the table's own normalisation."""
    return normalise(text)


# Phrases people use that TYPES may not list; TYPES' own names and aliases are added to these.
_TYPE_PHRASES: dict[str, tuple[str, ...]] = {
    "mou": ("memorandum of understanding", "memorandum persefahaman", "mou"),
    "treaty": ("treaty", "triti"),
    "agreement": (
        "agreement", "perjanjian", "exchange of notes constituting an agreement",
        "pertukaran nota yang membentuk perjanjian",
    ),
    "declaration": ("declaration", "joint declaration", "deklarasi", "deklarasi bersama"),
    "protocol": ("protocol", "protokol"),
    "arrangement": ("arrangement", "aturan", "peraturan kerjasama", "pengaturan"),
    "convention": ("convention", "konvensyen"),
    "action-plan": ("plan of action", "action plan", "pelan tindakan"),
    "work-plan": ("work plan", "workplan", "pelan kerja"),
    "work-programme": ("work programme", "work program", "programme of work", "program kerja"),
    # "dokumen seumpamanya": instruments of the SOP's "and similar" that have no type of their own
    "other": (
        "exchange of notes", "exchange of letters", "pertukaran nota", "pertukaran surat",
        "letter of intent", "surat niat", "surat hasrat", "joint statement", "kenyataan bersama",
        "record of discussion", "record of discussions", "rekod perbincangan",
        "terms of reference", "terma rujukan",
    ),
}


@cache
def _type_table() -> dict[str, str]:
    table = {_canon(p): tid for tid, phrases in _TYPE_PHRASES.items() for p in phrases}
    for t in TYPES:
        if t.id == "other":
            continue
        for phrase in (t.en, t.ms, *t.aliases):
            table.setdefault(_canon(phrase), t.id)
    return {k: v for k, v in table.items() if k}


def type_words() -> frozenset[str]:
    """Every word of a type's names ("memorandum", "understanding", "persefahaman", ...)."""
    return frozenset(word for phrase in _type_table() for word in phrase.split())


@cache
def _type_regex() -> re.Pattern[str]:
    return _alternation(_type_table())


def _alternation(table: dict[str, str]) -> re.Pattern[str]:
    """Longest phrase first, whole words only, over canonical text."""
    keys = sorted(table, key=len, reverse=True)
    body = "|".join(re.escape(k) for k in keys)
    return re.compile(rf"(?<![\w])(?:{body})(?![\w])")


# Memoranda that are no memorandum of understanding: a ministry's internal memo, a Cabinet paper
# (Memorandum Jemaah Menteri), a bill's explanatory memorandum.
_NOT_AN_MOU = re.compile(
    r"\b(?:internal|explanatory|cabinet) memorandum\b|\bmemorandum (?:dalaman|jemaah menteri|"
    r"kepada jemaah menteri|penerangan)\b"
)


def _type_in(text: str | None) -> str | None:
    """The type named first: "Protocol to amend the Agreement" is a protocol."""
    if not text:
        return None
    match = _type_regex().search(_NOT_AN_MOU.sub(" ", _canon(text)))
    return _type_table()[match.group(0)] if match else None


def starts_with_type(line: str) -> bool:
    match = _type_regex().match(_canon(line))
    return match is not None


def instrument_type(title: str | None, filename: str | None, head: str) -> str | None:
    """From the title; else the file name; else how the text calls itself ("this Agreement")."""
    return _type_in(title) or _type_in(_filename_words(filename)) or _self_reference(head)


def _filename_words(filename: str | None) -> str | None:
    if not filename:
        return None
    return re.sub(r"[_\-.+]+", " ", PurePath(filename).stem)


@cache
def _self_reference_regex() -> re.Pattern[str]:
    body = "|".join(re.escape(k) for k in sorted(_type_table(), key=len, reverse=True))
    return re.compile(
        rf"(?<![\w])(?:this|the present)\s+({body})(?![\w])|(?<![\w])({body})\s+ini(?![\w])"
    )


def _self_reference(head: str) -> str | None:
    """The type the text calls itself most often: "this Agreement", "Memorandum ini"."""
    table = _type_table()
    found = _self_reference_regex().finditer(_canon(head))
    counts = Counter(table[m.group(1) or m.group(2)] for m in found)
    return counts.most_common(1)[0][0] if counts else None


# --- the instrument a letter is about ------------------------------------------------------------

# Where the sides of a quoted title end: "... and the Ministry of Home Affairs of Malaysia on
# Cooperation in ...", "... dan Kerajaan Republik Turki mengenai ...", or the sentence's end.
_SIDES_END = re.compile(
    r"\s(?:on|mengenai|concerning|regarding|relating|for\s+the|in\s+the\s+field|bagi|"
    r"berhubung|tentang|untuk)\s|[.;:]\s|\n\s*\n|[()\"“”]",
    re.I,
)


@cache
def _quoted_regex() -> re.Pattern[str]:
    phrases = sorted(_type_table(), key=len, reverse=True)
    body = "|".join(r"\s+".join(re.escape(w) for w in p.split()) for p in phrases)
    return re.compile(
        rf"(?<![\w])(?P<type>{body})\s+(?:between|among|amongst|antara|with|dengan)\s+"
        r"(?=(?P<sides>.{1,400}))",
        re.I | re.S,
    )


def quoted_instruments(head: str) -> list[tuple[str | None, str]]:
    """The instruments a text names with their sides ("the proposed Memorandum of Understanding
    between the Ministry of Justice of the Republic of Korea and ..."), in order: each one's
    type, and the text of its sides (up to "on ...", "mengenai ..." or the sentence's end). For
    letters, which are about an instrument rather than one."""
    found: list[tuple[str | None, str]] = []
    for m in _quoted_regex().finditer(head):
        sides = m.group("sides")
        end = _SIDES_END.search(sides)
        type_id = _type_table().get(" ".join(_canon(m.group("type")).split()))
        found.append((type_id, sides[: end.start()] if end else sides))
    return found
