"""Classify a negotiated instrument from its text, so clerks never type metadata.

Only the places that carry the facts are read: the title and the opening (the type), the
signature block (the date and place of signature), and for the parties the title, the preamble's
first clause and the "For the Government of ..." lines (pipeline.filing.parties). The body of an
instrument names many countries in passing, and recitals quote other instruments' dates and
places: reading them would make every treaty multilateral and every FTA signed at Marrakesh in
1994.

The parts live beside this module: `classify_title`, `classify_type`, `classify_signature` (with
`classify_dates`); the level and the language, a few lines each, are decided here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from pipeline.filing.classify_signature import find_signature
from pipeline.filing.classify_title import detect_title
from pipeline.filing.classify_type import instrument_type, quoted_instruments, type_words
from pipeline.filing.parties import Parties, find_parties, level_of
from pipeline.filing.parties_names import _plain, _Reader, rejoin_broken_names
from pipeline.vocab.countries import GROUPINGS
from pipeline.vocab.kinds import reads_as_letter

HEAD_CHARS = 3000  # the title and the opening, where the parties are named
LETTER_CHARS = 6000  # where a letter names the instrument it is about
TYPE_CHARS = 12000  # how far to count "this Agreement": past a long list of sovereigns
MALAYSIA = "MY"


@dataclass(frozen=True)
class Classification:
    """What the classifier found; None (or empty) where the text does not say."""

    countries: tuple[str, ...]  # counterpart states, ISO alpha-2, Malaysia excluded
    groupings: tuple[str, ...]  # regional groupings that are parties, e.g. ("ASEAN",)
    type: str | None  # an instrument type id from pipeline.vocab.instruments.TYPES
    level: str | None  # bilateral / multilateral / regional
    signed_date: date | None
    signed_place: str | None
    language: str  # "ms", "en" or "und"
    title: str | None
    # The member states the text lists for its groupings ("The Republic of Iceland, ..., the
    # Swiss Confederation (hereinafter called the EFTA States)"), ISO alpha-2, Malaysia excluded.
    members: tuple[str, ...] = ()
    # Every grouping that is a party, by its id in pipeline.filing.parties.BLOCS ("EFTA", ...);
    # `groupings` holds those of them that are pipeline.vocab.countries.GROUPINGS codes.
    blocs: tuple[str, ...] = ()
    parties_from: str | None = None  # where the parties were read: title, preamble, signature...


def classify(text: str, *, title: str | None = None, filename: str | None = None) -> Classification:
    """Classify one instrument; `title` overrides the detected one, `filename` is a last resort."""
    text = rejoin_broken_names(text, type_words())
    head = text[:HEAD_CHARS]
    found_title, body_start = detect_title(head)
    the_title = title.strip() if title and title.strip() else found_title
    parties = find_parties(text, title=the_title, body_start=body_start, filename=filename)
    doc_type = instrument_type(the_title, filename, text[:TYPE_CHARS])
    if reads_as_letter(text):
        parties, doc_type = _what_a_letter_is_about(text[:LETTER_CHARS], parties, doc_type)
    signed_date, signed_place = find_signature(text)
    return Classification(
        countries=tuple(c for c in parties.countries if c != MALAYSIA),
        groupings=tuple(b for b in parties.blocs if b in GROUPINGS),
        type=doc_type,
        level=_level(parties, head),
        signed_date=signed_date,
        signed_place=signed_place,
        language=detect_language(head),
        title=the_title,
        members=tuple(c for c in parties.members if c != MALAYSIA),
        blocs=parties.blocs,
        parties_from=parties.source,
    )


def _what_a_letter_is_about(
    head: str, parties: Parties, doc_type: str | None
) -> tuple[Parties, str | None]:
    """A letter or note is about an instrument it names with its sides ("the proposed
    Memorandum of Understanding between the Ministry of Justice of the Republic of Korea and the
    Ministry of Home Affairs of Malaysia on ..."): that instrument's type, and its counterparts
    where the letter gave none of its own."""
    quoted = quoted_instruments(head)
    if not quoted:
        return parties, doc_type
    reader = _Reader()
    for _, sides in quoted if not parties.counterparts() else ():
        codes = [c for c in reader.codes(sides) if c != MALAYSIA]
        if codes:  # the first that names a counterpart: an arrangement between two police
            parties = _plain(codes, "letter")  # forces comes under their countries' MOU
            break
    return parties, doc_type or quoted[0][0]


# --- level --------------------------------------------------------------------------------------

_MULTILATERAL = re.compile(
    r"\b(parties signatory|states parties|state party|contracting states|open for signature|"
    r"opened for signature|accede|accession|signatories|negara pihak|negara-negara pihak|"
    r"terbuka untuk ditandatangani|penyertaan|menyertai)\b",
    re.I,
)


def _level(parties: Parties, head: str) -> str | None:
    """From the parties; with none named, multilateral if open to signature or accession."""
    level = level_of(parties)
    if level is None and _MULTILATERAL.search(head):
        return "multilateral"
    return level


# --- language -----------------------------------------------------------------------------------

_MS_WORDS = frozenset(
    {"dan", "yang", "di", "untuk", "dengan", "ini", "kepada", "antara", "bagi", "dalam", "oleh"}
)
_EN_WORDS = frozenset({"the", "and", "of", "to", "in", "for", "shall", "be", "by", "with", "this"})
_MIN_HITS = 5


def detect_language(text: str) -> str:
    """Malay or English by counting stop words; "und" when too few to tell or a tie."""
    words = re.findall(r"[a-z]+", text.lower())
    ms = sum(w in _MS_WORDS for w in words)
    en = sum(w in _EN_WORDS for w in words)
    if max(ms, en) < _MIN_HITS or ms == en:
        return "und"
    return "ms" if ms > en else "en"
