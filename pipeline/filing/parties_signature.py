"""Parties from the signature block; the fallbacks for texts that name them nowhere else:
an instrument open to a grouping's members, and the body of a bilateral text."""

from __future__ import annotations

import re
from collections import Counter

from pipeline.filing.parties_names import (
    _PAREN,
    _SUBORDINATE,
    MALAYSIA,
    Parties,
    _lines,
    _plain,
    _Reader,
    is_bloc,
)
from pipeline.vocab.countries import normalise

TAIL_CHARS = 25000  # the end, where the signature block is


# --- the signature block ------------------------------------------------------------------------

_TESTIMONIUM = re.compile(
    r"in witness whereof|in faith whereof|in testimony whereof|sebagai menyaksikan|"
    r"dengan disaksikan|bagi menyaksikan|(?:^|\n)[ \t]*(?:done|signed|dibuat|ditandatangani)\b",
    re.I,
)
_FOR = re.compile(
    r"(?:^|(?<=\s))(?:for(?:\s+and)?(?:\s+on\s+behalf\s+of)?|on\s+behalf\s+of|"
    r"bagi\s+pihak(?:\s+dan\s+atas\s+nama)?|bagi|untuk|atas\s+nama)(?=\s)",
    re.I,
)
# Words that make a line with no "For" a designation: "TRANSITIONAL ISLAMIC STATE OF AFGHANISTAN",
# "GOVERNMENT OF THE REPUBLIC OF INDIA"; a bare "Thailand" under "Done at Bangkok," is a place.
_STRONG_STYLE = frozenset(
    {
        "government", "governments", "republic", "kingdom", "state", "kerajaan", "president",
        "majesty", "principality", "federation", "confederation", "commonwealth", "sultanate",
        "republik", "persekutuan", "council",
    }
)  # fmt: skip
# After the signatures: annexes and protocols list countries (cumulation partners, schedules)
# that are not parties.
_AFTER_SIGNATURES = re.compile(
    r"^[ \t]*(?:annex|appendix|schedule|protocol|attachment|lampiran|jadual|exchange of letters|"
    r"joint declaration|final act|list)\b",
    re.I | re.M,
)
_BARE_DESIGNATIONS = 2500  # how far after the testimonium a designation may do without "For"
_PLACE_WORDS = re.compile(r"\b(?:done|signed|dibuat|ditandatangani|at|di|in|this|day|on)\b", re.I)
# Words that may stand between "For" and a party's name, or between two names in one block.
_STYLE = frozenset(
    {
        "the", "of", "his", "her", "their", "majesty", "majesties", "excellency", "royal",
        "highness", "president", "king", "queen", "grand", "duke", "duchess", "prince", "princess",
        "emir", "sultan", "head", "state", "heads", "council", "commission", "government",
        "governments", "federal", "minister", "ministry", "prime", "regent", "republic",
        "kingdom", "people's", "peoples", "democratic", "socialist", "islamic", "united",
        "cooperative", "confederation", "federation", "principality", "commonwealth", "union",
        "sultanate", "emirate", "arab", "kerajaan", "pihak", "bagi", "untuk", "negara",
        "republik", "persekutuan", "for", "and", "on", "behalf", "dan", "atas", "nama",
    }
)  # fmt: skip
_LINK_WORDS = _STYLE | {"and", "for", "dan"}
_MAX_JOINED = 8  # lines in one designation: "For" / "the" / "Government" / "of the" / ...
_NO_LETTER = re.compile(r"^[^A-Za-z]*$")
# Scanned blocks lose the space after a short word: "For the Government ofTonga".
_GLUED = re.compile(r"(?<![A-Za-z])(of|the)(?=[A-Z][a-z])|(?<![A-Za-z])(of)(?=the\b)")


def _signature_parties(text: str, reader: _Reader) -> Parties:
    """Parties from "For the Government of X" lines after the testimonium or "Done at", and from
    lines that are nothing but a designation ("GOVERNMENT OF THE REPUBLIC OF INDIA")."""
    tail_start = max(0, len(text) - TAIL_CHARS)
    anchor = _TESTIMONIUM.search(text, tail_start)
    if anchor is None:
        return Parties()
    region = text[anchor.start() :]
    after = _AFTER_SIGNATURES.search(region, 1)
    region = region[: after.start()] if after else region
    region = _GLUED.sub(lambda m: f"{m.group(0)} ", region)
    codes: list[str] = []
    office = False  # the line before was a signatory's office: "Minister of Defence"
    for line, offset in _joined_lines(region):
        starts = [m.start() for m in _FOR.finditer(line)]
        if starts:
            for i, start in enumerate(starts):
                end = starts[i + 1] if i + 1 < len(starts) else len(line)
                codes += _designated(line[start:end], reader)
        elif offset < _BARE_DESIGNATIONS and not _PLACE_WORDS.search(line):
            codes += _designated(line, reader, strong=True) or (
                _only_a_name(line, reader) if office else []
            )
        if line.strip():
            office = _OFFICE.search(line) is not None and len(line.split()) <= 8
    return _plain(codes, "signature")


# A signatory's office on the line above the state it signs for: "Minister of Defence" /
# "Malaysia", "Menteri Dalam Negeri" / "Malaysia".
_OFFICE = re.compile(
    r"\b(?:minister|secretary|president|ambassador|commissioner|director|chairman|chairperson|"
    r"prime\s+minister|menteri|setiausaha|duta|presiden|ketua|pengarah)\b",
    re.I,
)


def _only_a_name(line: str, reader: _Reader) -> list[str]:
    """The state a line names when the line is that name and nothing else."""
    canon = normalise(line)
    hits = reader.hits(line)
    if len(hits) == 1 and hits[0].start == 0 and hits[0].end == len(canon):
        return [hits[0].code]
    return []


def _joined_lines(region: str) -> list[tuple[str, int]]:
    """Lines (and where they start), each joined to the next when it ends on "of", "the",
    "Government" and the like: "FOR THE GOVERNMENT OF THE UNITED STATES OF" / "AMERICA:" is one
    designation. A designation broken over many short lines ("For" / "the" / "Government" / ...)
    is joined whole, over a dotted line left for the signature in its middle."""
    out: list[tuple[str, int]] = []
    joined = 0
    open_ended = False  # the last line ends on a link word, not on a whole name: it goes on
    for line, offset in _lines(region):
        if not line:
            continue
        if out and joined < _MAX_JOINED and open_ended:
            if _NO_LETTER.match(line):
                continue  # "of" / "........" / "Palau:"
            out[-1] = (f"{out[-1][0]} {line}", out[-1][1])
            joined += 1
        else:
            out.append((line, offset))
            joined = 0
        open_ended = _open_ended(out[-1][0])  # once per line read, not per dotted line skipped
    return out


def _open_ended(line: str) -> bool:
    """Whether a designation goes on on the next line: it ends on "of", "the", "Government"...
    but not on a whole name ("Argentine Republic")."""
    words = normalise(line[-200:]).split()
    return bool(words) and words[-1] in _LINK_WORDS and not _ends_with_a_name(line[-200:])


def _ends_with_a_name(line: str) -> bool:
    """ "Argentine Republic", "Czech Republic": a line whose last word is a style word but ends
    a whole name is not joined to the next."""
    canon = normalise(line)
    hits = _Reader().hits(line)
    return bool(hits) and hits[-1].end == len(canon)


def _designated(span: str, reader: _Reader, *, strong: bool = False) -> list[str]:
    """The names a designation names: "For the Government of the Republic of Albania Of the
    Republic of Bulgaria". Only style words may come before and between the names, bar one
    word left over from columns the extraction interleaved ("FOR THE GOVERNMENT OF THE UNITED
    STATES OF THE KINGDOM OF AMERICA: OF BAHRAIN:"); what follows is a signatory's name.
    `strong`: a line without "For" must have "Government", "Republic", "State"... and little else.
    """
    canon = _SUBORDINATE.sub(r"\1", normalise(_PAREN.sub(" ", span)))
    codes: list[str] = []
    at = 0
    for hit in reader.hits(canon):
        if sum(word not in _STYLE for word in canon[at : hit.start].split()) > 1:
            break
        codes.append(hit.code)
        at = hit.end
    if codes and strong:
        rest = [word for word in canon[at:].split() if word not in _STYLE]
        if len(rest) > 1 or not _STRONG_STYLE & set(canon.split()):
            return []
    return codes


# --- an instrument open to a grouping's members ---------------------------------------------------

_OPEN_TO = re.compile(
    r"\b(?:open(?:ed)?\s+(?:for|to)|accession\s+(?:of|by)|accede)\b[^.;]{0,80}?"
    r"\b(?:any|all|every|the\s+other|other)\s+(?:member\s+states?|states?\s+members?|"
    r"member\s+countr(?:y|ies))\s+of\s+(?:the\s+)?(?P<name>[^.;,]{3,80})",
    re.I,
)


def _open_to_members(text: str, reader: _Reader) -> Parties:
    """ "This Agreement shall be open for any Member State of the CIS": the CIS's instrument."""
    for m in _OPEN_TO.finditer(text):
        hits = reader.hits(m.group("name"))
        if hits and hits[0].start == 0 and is_bloc(hits[0].code):
            return Parties((), (hits[0].code,), (), "open to members")
    return Parties()


# --- the body, as a last resort -----------------------------------------------------------------

_BILATERAL = re.compile(
    r"\b(?:the\s+two\s+countries|both\s+countries|the\s+two\s+(?:contracting\s+)?parties|"
    r"both\s+(?:contracting\s+)?parties|either\s+(?:contracting\s+)?party|the\s+other\s+"
    r"(?:contracting\s+)?party|kedua-dua\s+(?:pihak|negara))\b",
    re.I,
)
_MULTILATERAL = re.compile(
    r"\b(?:parties\s+signatory|states\s+parties|open\s+for\s+signature|(?:accede|accession)\s+"
    r"to\s+th(?:is|e\s+present)|the\s+other\s+(?:contracting\s+)?parties|all\s+(?:the\s+)?"
    r"(?:contracting\s+)?parties|depositary)\b",
    re.I,
)
# Names that are part of something else: "the Uruguay Round", "Marrakesh".
_NOT_A_MENTION = re.compile(r"\buruguay\s+round\b", re.I)


def _body_parties(text: str, reader: _Reader) -> Parties:
    """A bilateral text that never states its parties: the two countries it names most.

    Only when the text reads bilateral ("the other Party", "both countries") and not open to
    others, and only when two countries stand well clear of every other one it names; or, when
    a single country stands out, that country and the grouping the text names as often ("The
    Community and Hungary shall ...").
    """
    if not _BILATERAL.search(text) or _MULTILATERAL.search(text):
        return Parties()
    hits = reader.hits(_NOT_A_MENTION.sub(" ", text))
    countries = Counter(h.code for h in hits if not is_bloc(h.code) and h.code != MALAYSIA)
    blocs = Counter(h.code for h in hits if is_bloc(h.code))
    ranked = [*countries.most_common(3), ("", 0), ("", 0), ("", 0)]  # none, one or two named
    (first, n1), (second, n2), (_, n3) = ranked[:3]
    if n2 >= 2 and n3 * 2 <= n2:
        return Parties((first, second), (), (), "body")
    if n1 >= 2 and n2 * 4 <= n1 and blocs:
        bloc, count = blocs.most_common(1)[0]
        if count * 2 >= n1:
            return Parties((first,), (bloc,), (), "body")
    return Parties()
