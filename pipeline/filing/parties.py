"""The parties of an instrument, read only from the places where texts name them.

An instrument names its parties in a few set places, and names many other countries in passing.
In order of trust:

1. the title: "Agreement between X and Y", "ASEAN-Japan Plan of Action", "between the EFTA States
   and the Republic of Bulgaria";
2. the preamble's opening clause: "The Government of X (hereinafter "X") and the Government of Y,",
   spread over lines and blank lines, as a list ("The Governments of A, B, C and D"), or as the
   sovereigns' styles of older treaties ("HIS MAJESTY THE KING OF THE BELGIANS, ... of the one part,
   and ... of the other part");
3. the signature block: "For the Government of X", "FOR THE REPUBLIC OF X FOR Y", the name on the
   line after "For the Government of";
4. an instrument open only to the members of a grouping ("open for any Member State of the
   Commonwealth of Independent States") is that grouping's;
5. as a last resort, for a bilateral text that never states its parties (a body without preamble
   or signature page), the two countries it names far more often than any other.

A later place may complete an earlier one (a title cut short by a line break, a grouping whose
members the preamble lists) but never contradicts it. Recitals, places of signature ("Done at
Bangkok"), depositaries ("deposited with the Government of Sweden") and the countries an annex
deals with are never read as parties.

Groupings are reported as such, with the members the text lists for them: "The Republic of
Iceland, ..., the Swiss Confederation (hereinafter called the EFTA States)" makes EFTA a party
with four members. Short forms the text defines ("the Republic of Korea ("Korea")",
"(hereinafter called Switzerland)", "hereinafter referred to as "the Community"") are understood
wherever the text uses them afterwards.
"""

from __future__ import annotations

import re

from pipeline.filing.parties_names import (
    BLOCS,
    MALAYSIA,
    Bloc,
    Parties,
    _plain,
    _Reader,
    is_bloc,
    is_regional,
)
from pipeline.filing.parties_preamble import _OPENER, _implied_short_forms, _preamble, _short_forms
from pipeline.filing.parties_signature import (
    _body_parties,
    _open_to_members,
    _signature_parties,
)

__all__ = ["BLOCS", "Bloc", "Parties", "find_parties", "is_bloc", "is_regional", "level_of"]


# --- entry point --------------------------------------------------------------------------------

HEAD_CHARS = 12000  # the title and the preamble, however long its list of sovereigns


def find_parties(
    text: str, *, title: str | None, body_start: int = 0, filename: str | None = None
) -> Parties:
    """The parties of the instrument `text`, whose title (if any) ends at `body_start`."""
    head = text[:HEAD_CHARS]
    reader = _Reader({**_implied_short_forms(text), **_short_forms(head)})
    if title and _OPENER.match(title):
        body_start = 0  # "The Government of Japan" / "and" / "...": a clause taken for a title
    front, clause = _preamble(head[body_start:], reader)
    named = _title_parties(title, reader)
    if not named.counterparts() and front:
        named = _title_parties(front, reader)  # a subtitle: "establishing an Association between"
    found = named
    for candidate in (_between_sentence(head, reader), clause, _signature_parties(text, reader)):
        found = _better(found, candidate)
    if found.counterparts():
        return found
    for fallback in (
        _open_to_members(text, reader),
        _body_parties(text, reader),
        _plain(_Reader().codes(_filename_words(filename)), "filename"),
    ):
        if fallback.counterparts():
            return fallback
    return Parties()


def _better(found: Parties, candidate: Parties) -> Parties:
    """The candidate if it says all `found` says and more (or `found` says nothing).

    A grouping named without members (a title's "ASEAN-China") takes as its members the other
    states a later place lists, when that place lists every country already found.
    """
    if not candidate.counterparts():
        return found
    if not found.counterparts():
        return candidate
    if found.everyone() <= candidate.everyone() and set(found.blocs) <= set(candidate.blocs):
        return candidate if candidate.everyone() != found.everyone() else found
    if (
        len(found.blocs) == 1
        and not found.members
        and not candidate.blocs
        and set(found.countries) < set(candidate.countries)
    ):
        members = tuple(c for c in candidate.countries if c not in found.countries)
        return Parties(found.countries, found.blocs, members, f"{found.source}+{candidate.source}")
    return found


def _filename_words(filename: str | None) -> str:
    if not filename:
        return ""
    stem = re.split(r"[\\/]", filename)[-1].rsplit(".", 1)[0]
    return re.sub(r"[_\-.+]+", " ", stem)


# --- the title ----------------------------------------------------------------------------------

_PARTY_MARKER = re.compile(r"\b(between|among|amongst|antara)\b", re.I)
_WITH_MARKER = re.compile(r"\b(with|dengan)\b", re.I)
# Words that end a list of parties ("... and Japan for an Economic Partnership").
_SPAN_END = re.compile(
    r"[;:(\[]|\b(for|on(?!\s+the\s+(?:one|other)\s+(?:hand|part|side)\b)|concerning|regarding|"
    r"relating|in|to|with respect|mengenai|berhubung|berkenaan|bagi|untuk|tentang|dalam bidang|"
    r"pada|di bawah|under|done|signed|dibuat|ditandatangani)\b",
    re.I,
)
# "the Ministry for Foreign Affairs of Sweden": after these, "for"/"on"/"to" belong to a name.
_OFFICE_WORDS = frozenset(
    {
        "ministry", "minister", "ministers", "department", "office", "agency", "secretary",
        "commission", "council", "committee", "institute", "centre", "center", "organisation",
        "organization", "authority",
    }
)  # fmt: skip


# A short form a title defines right after a name, "THE UNITED STATES OF AMERICA (US) AND ...":
# part of that name, not the end of the list of parties as other brackets are (a bracket that
# names a party itself, "(ECOWAS)", is kept).
_TITLE_SHORT_FORM = re.compile(
    r"\(\s*(?:hereinafter[^()]{0,60}|[\"“‘']?[^\W\d_][\w'’.-]{0,20}[\"”’']?)\s*\)"
)


def _short_form_or_name(m: re.Match[str], reader: _Reader) -> str:
    """A bracket of the title dropped when it only repeats the name before it ("(US)",
    "("KOREA")"); its words kept, unbracketed, when it names a party the words before did not
    ("WESTAFRICAN STATES (ECOWAS) AND ...")."""
    named = set(reader.codes(m.group(0)))
    before = reader.codes(m.string[max(0, m.start() - 120) : m.start()])
    return " " if not named or (before and named <= {before[-1]}) else f" {m.group(0)[1:-1]} "


def _title_parties(title: str | None, reader: _Reader) -> Parties:
    """Parties after "between"/"antara" (or "with"), else those a compound title names."""
    if not title:
        return Parties()
    title = _TITLE_SHORT_FORM.sub(lambda m: _short_form_or_name(m, reader), title)
    for marker in (_PARTY_MARKER, _WITH_MARKER):
        spans = [_span_after(title, m.end()) for m in marker.finditer(title)]
        codes = [c for span in spans for c in reader.codes(span)]
        if any(c != MALAYSIA for c in codes):
            return _plain(codes, "title")
    return _plain(_compound(_PARTY_MARKER.split(title, maxsplit=1)[0], reader), "title")


# "This Memorandum of Understanding is made between X and Y.": the instrument says whom it binds.
# Only a sentence about the instrument itself ("This ...", "The present ..."), never a recital's
# "the Agreement concluded between X and Y in 1995".
_BETWEEN_SENTENCE = re.compile(
    r"(?:^|(?<=[.;:\n]))[ \t\r\f\v]*(?:this|the\s+present)\s+[^.;:\n]{0,80}?\b"
    r"(?:is|are|shall\s+be|has\s+been|was)\s+(?:hereby\s+)?(?:made|concluded|entered\s+into|signed|agreed)(?:\s+(?:upon|by\s+and|"
    r"by))?\s+(?:between|among|amongst)\b",
    re.I,
)


_ASIDE = re.compile(r"\(([^()]*)\)")
_DEFINES = re.compile(r"[\"“”'‘’]|\b(?:hereinafter|hereafter|referred|called)\b", re.I)


def _unwrap(paren: re.Match[str]) -> str:
    """A definition in parentheses goes ('(hereinafter referred to as "India")'); a parenthesis
    that is part of a name stays, without its brackets ("Cocos (Keeling) Islands")."""
    return " " if _DEFINES.search(paren.group(1)) else f" {paren.group(1)} "


def _between_sentence(head: str, reader: _Reader) -> Parties:
    """Parties from the first sentence saying between whom the instrument is made."""
    m = _BETWEEN_SENTENCE.search(head)
    if m is None:
        return Parties()
    sentence = re.split(r"\.(?:\s|$)|\n\s*\n", head[m.end() : m.end() + 600], maxsplit=1)[0]
    codes = reader.codes(_span_after(_ASIDE.sub(_unwrap, sentence), 0))
    return _plain(codes, "between") if len(codes) >= 2 else Parties()


def _compound(text: str, reader: _Reader) -> list[str]:
    """ "Malaysia-Australia FTA", "ASEAN-Japan Plan of Action", "ASEAN Convention": parties.

    One country alone ("Singapore Convention on Mediation") names a place, not a party.
    """
    codes = reader.codes(text)
    return codes if len(codes) >= 2 or any(is_bloc(c) for c in codes) else []


def _span_after(text: str, start: int) -> str:
    """The list of parties that starts at `start`, up to the word that ends it."""
    for m in _SPAN_END.finditer(text, start):
        before = text[start : m.start()].split()
        if m.group(0)[0].isalpha() and before and before[-1].lower() in _OFFICE_WORDS:
            continue
        return text[start : m.start()]
    return text[start:]


# --- level --------------------------------------------------------------------------------------


def level_of(parties: Parties) -> str | None:
    """Regional with a grouping of Malaysia's region; multilateral with any other grouping or
    more than two parties; bilateral with two. Malaysia is a party even where unnamed, so one
    counterpart is bilateral, and two counterparts are bilateral unless Malaysia is named too.
    """
    if not parties.counterparts():
        return None
    if any(is_regional(b) for b in parties.blocs):
        return "regional"
    if parties.blocs:
        return "multilateral"
    states = set(parties.countries) | set(parties.members)
    count = len(states) if MALAYSIA in states else max(len(states), 1) + (len(states) == 1)
    return "bilateral" if count <= 2 else "multilateral"
