"""The kinds of filed document: what a document is to the Division, beside what it is about.

`instrument`     a negotiated text, draft or signed (an MOU, a treaty, a plan of action ...)
`correspondence` letters and notes received (from KLN, an embassy, a BJA ...)
`generated`      made by `ika doc make` (the Minit Cerai, the notification letters ...)

Stored by id in the register (documents.kind) and the search index; shown by name. Where a
person types a kind, the id, the Malay or English name, or a short form is accepted:
`instrument`, `instrumen`, `surat`, `letter`, `surat-menyurat`, `dijana` ...
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from pipeline.errors import IkaError

from .countries import normalise


class UnknownKind(IkaError):
    pass


@dataclass(frozen=True)
class Kind:
    id: str
    ms: str
    en: str
    aliases: tuple[str, ...] = ()


KINDS: tuple[Kind, ...] = (
    Kind("instrument", "Instrumen", "Instrument",
         ("instrumen", "negotiated text", "teks rundingan")),
    Kind("correspondence", "Surat-menyurat", "Correspondence",
         ("surat", "surat menyurat", "letter", "letters", "note", "nota", "correspondence")),
    Kind("generated", "Dokumen dijana", "Generated",
         ("dijana", "generated document")),
)
INSTRUMENT, CORRESPONDENCE, GENERATED = (k.id for k in KINDS)
KIND_IDS: tuple[str, ...] = tuple(k.id for k in KINDS)
_BY_ID = {k.id: k for k in KINDS}


def _table() -> dict[str, str]:
    table: dict[str, str] = {}
    for k in KINDS:
        for name in (k.id, k.ms, k.en, *k.aliases):
            key = normalise(name)
            table.setdefault(key, k.id)
            table.setdefault(key.replace(" ", ""), k.id)
    return table


_TABLE = _table()


def resolve_kind(text: str) -> str:
    """The kind id for any of its names; UnknownKind (one line naming the kinds) otherwise."""
    key = normalise(str(text))
    for candidate in (key, key.replace(" ", "")):
        if candidate in _TABLE:
            return _TABLE[candidate]
    raise UnknownKind(f"unknown kind {str(text).strip()!r}; known: {', '.join(KIND_IDS)}")


def resolve_kinds(values: Iterable[str] | str | None) -> list[str]:
    """Kind ids of repeated values and comma lists ("instrument,surat"), in the order given,
    each once. Empty when nothing was given."""
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    out: list[str] = []
    for value in values:
        for part in str(value).split(","):
            if part.strip():
                kind = resolve_kind(part)
                if kind not in out:
                    out.append(kind)
    return out


def kind_name_ms(kind: str) -> str:
    k = _BY_ID.get(kind)
    return k.ms if k else kind


def kind_name_en(kind: str) -> str:
    k = _BY_ID.get(kind)
    return k.en if k else kind


# --- the kind of a document filed from outside (the one rule: filing and the upgrade use it) ---

_HOME = "MY"  # Malaysia is a party to every instrument, never a counterpart
_EDGE_CHARS = 3000  # a letter shows itself in its head (reference, salutation) and its end
# What letters, minutes and diplomatic notes have and negotiated texts do not: a salutation, a
# reference block, the opening and closing formulas of government and diplomatic letters.
_LETTER_CUES = re.compile(
    r"^[ \t]*(?:tuan|puan|tuan/puan|yang berbahagia[^\n]{0,40}|ybhg\.?[^\n]{0,40}|"
    r"dear (?:sir|madam|sirs|colleague)[^\n]{0,30}|dear (?:mr|ms|mrs|dr|dato)\b[^\n]{0,40}|"
    r"your excellency|excellency)[ \t]*[,:]?[ \t]*$"
    r"|\b(?:ruj(?:ukan)?\.?[ \t]*(?:kami|tuan)|our ref(?:erence)?|your ref(?:erence)?)\b"
    r"|\bdengan hormatnya\b|\bsaya (?:dengan hormatnya |ingin )?merujuk\b"
    r"|\bsekian,? terima kasih\b|\bberkhidmat untuk negara\b|\bsaya yang (?:menjalankan|menurut)"
    r"|\bi have the honour\b|\bpresents its compliments\b|\bavails itself of this opportunity\b"
    r"|\byours (?:sincerely|faithfully|truly)\b|\bwith (?:best|kind) regards\b"
    # a memo's header lines and heading
    r"|^[ \t]*(?:subject|perkara|tajuk|re)[ \t]*:|^[ \t]*(?:internal memorandum|memo dalaman|"
    r"minit cerai|loose minute)\b"
    # minutes of a meeting: their heading and their list of those present
    r"|^[ \t]*(?:minit|catatan|laporan) mesyuarat\b|^[ \t]*(?:minutes|notes|record) of (?:the )?"
    r"(?:\w+ )?meeting\b|^[ \t]*(?:kehadiran|turut hadir|hadir|attendance|present)[ \t]*:?[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)


# An exchange of notes is an instrument made of letters: titled so, it is one whatever it reads as.
_EXCHANGE = re.compile(r"\A\W*(?:exchange of (?:notes|letters)|pertukaran (?:nota|surat))\b", re.I)


def reads_as_letter(text: str | None) -> bool:
    """Does the text open or close as a letter, a minute or a diplomatic note does?"""
    if not text:
        return False
    edges = text[:_EDGE_CHARS] + "\n" + text[-_EDGE_CHARS:]
    return _LETTER_CUES.search(edges) is not None


def decide_kind(doc_type: str | None, countries: Iterable[str], text: str | None) -> str:
    """The kind of a document filed from outside (not made by `ika doc make`), judged on its
    own text as the classifier read it: `instrument` when it names an instrument type and a
    counterpart and does not read as a letter; else `correspondence`. A person corrects it
    with `ika file DOC-ID --kind`."""
    counterparts = {str(c).upper() for c in countries} - {_HOME}
    # `other` is the SOP's "dokumen seumpamanya": a letter of intent, terms of reference, a
    # record of discussions are negotiated texts too (an exchange of notes reads as letters).
    if doc_type and counterparts and (_EXCHANGE.match(text or "") or not reads_as_letter(text)):
        return INSTRUMENT
    return CORRESPONDENCE
