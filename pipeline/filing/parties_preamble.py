"""The preamble's party clause, and the short forms the opening of a text defines."""

from __future__ import annotations

import re

from pipeline.filing.parties_names import (
    _PAREN,
    Parties,
    _Builder,
    _lines,
    _names,
    _Reader,
    is_bloc,
)
from pipeline.vocab.countries import normalise

# --- short forms --------------------------------------------------------------------------------

_DEFINING = re.compile(
    r"^\s*(?:(?:hereinafter|hereafter|hereunder|selepas ini|kemudian daripada ini)\b"
    r"(?:\s+(?:individually|collectively|jointly|singly|together|secara\s+\w+))*"
    r"(?:\s+(?:referred\s+to|referred|called|named|designated|disebut|dirujuk))?"
    r"(?:\s+(?:collectively|jointly|individually|together))?"
    r"(?:\s+(?:to|as|sebagai))*)?\s*",
    re.I,
)
_COLLECTIVE = re.compile(
    r"\b(?:part(?:y|ies)|participants?|signator(?:y|ies)|contracting|pihak|peserta|sides?|"
    r"members?)\b",
    re.I,
)
_INSTRUMENT_WORD = re.compile(
    r"\b(?:agreement|convention|treaty|protocol|memorandum|declaration|arrangement|charter|"
    r"statute|act|annex|article|perjanjian|konvensyen|triti|protokol)\b",
    re.I,
)
_UNPARENTHESISED = re.compile(
    r"\b(?:hereinafter|hereafter)\s+(?:referred\s+to\s+as|called|named)\s+"
    r"(?:the\s+)?[\"“”'‘’]([^\"“”'‘’,;:()\n]{2,40})[\"“”'‘’]",
    re.I,
)


def _short_forms(head: str) -> dict[str, str]:
    """Short forms the text defines for a party: "the Republic of Korea ("Korea")" -> KR."""
    reader = _Reader()
    learned: dict[str, str] = {}
    spans = [(m.start(), m.group(1)) for m in _PAREN.finditer(head)]
    spans += [(m.start(), m.group(1)) for m in _UNPARENTHESISED.finditer(head)]
    for start, content in spans:
        term = _defined_term(content)
        if not term:
            continue
        before = reader.hits(head[max(0, start - 160) : start])
        canon_before = normalise(head[max(0, start - 160) : start])
        if not before or len(canon_before[before[-1].end :].split()) > 2:
            continue  # the term does not follow a name: "Annex I (hereinafter "Annex I")"
        key = normalise(term)
        key = key[4:] if key.startswith("the ") else key
        code = before[-1].code
        if _learnable(key, term) and key not in _names() and not _COLLECTIVE.search(term):
            learned.setdefault(key, code)
    return learned


# Two-letter words a text uses as words: "the United States (US)" does not make "us" a party.
_SHORT_WORDS = frozenset(
    {
        "am", "an", "as", "at", "be", "by", "di", "do", "go", "he", "if", "in", "is", "it", "ke",
        "me", "my", "no", "of", "oh", "ok", "on", "or", "so", "to", "up", "us", "we", "ya",
    }
)  # fmt: skip


def _learnable(key: str, term: str) -> bool:
    """A defined term long enough to be read as a name: three letters, or a two-letter acronym
    written in capitals that is no common word ("European Union (EU)")."""
    if len(key) >= 3:
        return True
    return len(key) == 2 and term.strip().strip("\"'“”‘’").isupper() and key not in _SHORT_WORDS


_EUROPEAN_COMMUNITY = re.compile(r"\beuropean\s+(?:economic\s+)?communit(?:y|ies)\b", re.I)


def _implied_short_forms(text: str) -> dict[str, str]:
    """Short forms a kind of text uses without defining them: in a text of the European
    Communities, "the Community" is the EC (now the EU)."""
    if _EUROPEAN_COMMUNITY.search(text):
        return {"community": "EU", "communities": "EU"}
    return {}


def _defined_term(content: str) -> str | None:
    """The term a parenthesis defines: '(hereinafter referred to as "Korea")' -> "Korea"."""
    term = _DEFINING.sub("", content, count=1).strip()
    for alternative in re.split(r"\s+or\s+|\s*,\s*(?=[\"“])", term)[:1]:
        term = alternative.strip().strip("\"“”'‘’ ").strip()
    term = re.sub(r"^the\s+", "", term, flags=re.I).strip("\"“”'‘’ ")
    if not term or not term[0].isupper() or len(term) > 40 or re.search(r"\d", term):
        return None
    if _INSTRUMENT_WORD.search(term):
        return None  # "(the Stockholm Convention)" names a document, not a party
    return term


# --- the preamble -------------------------------------------------------------------------------

_ING = (
    r"(?!(?:acting|representing|including|according|concerning|belonging|following|contracting|"
    r"comprising|consisting)\b)"
    r"[A-Za-z]{3,}ing"
)  # "Recalling", "DESIRING", "seeking"; not "King", "being", "acting through"
_RECITALS = (
    r"Inspired|Conscious|Convinced|Mindful|Aware|Determined|Desirous|Resolved|Cognizant|"
    r"Cognisant|Guided|Committed|Concerned|Encouraged|Anxious|Eager|Pleased|Whereas|Motivated|"
    r"Confident|Ready|Prompted|Animated|Firmly|Further|Menyedari|Mengiktiraf|Mengakui|"
    r"Mengambil|Memandangkan|Mengingati|Mengingat|Berhasrat|Bertekad|Berazam|Menegaskan|"
    r"Menyatakan|Merujuk|Yakin|Sedar|Mengesahkan|Menyokong|Menekankan|Memahami|"
    r"Mempertimbangkan|Mengulangi|Dengan"
)
# A recital opens with a capital: "Recalling", "DESIRING"; "establishing an Association between"
# under a title is a subtitle.
_RECITAL_LINE = re.compile(rf"^\W*(?:(?-i:(?=[A-Z])){_ING}|{_RECITALS})\b", re.I)
# Lines that show the preamble is over, or that there is none.
_STOP_LINE = re.compile(
    r"^\W*(?:(?:article|artikel|perkara|chapter|bab|part|title|section|annex|lampiran)\s+"
    r"(?:[0-9ivxlc]+|one|1)\b|chapter\b|have agreed|has agreed|telah bersetuju|agree as follows|"
    r"\d{1,2}\s*[.)]\s)|\b(?:shall|hendaklah)\b",
    re.I,
)
_HEADING_WORD = re.compile(
    r"^\W*(?:pr\w{0,3}m\w{0,3}b\w{0,4}|mukadimah|pembukaan)\b[\s.:\]]*", re.I
)
_OPENER = re.compile(
    r"^\W*(?:we,?\s+|kami,?\s+)?(?:the\s+|his\s+|her\s+|their\s+)?(?:federal\s+)?"
    r"(?:governments?|ministry|ministries|department|majest(?:y|ies)|royal\s+highness|"
    r"excellency|president|heads?\s+of\s+(?:state|government)|"
    r"member\s+states|kerajaan|kementerian|jabatan|council|republic|kingdom|state|principality|"
    r"confederation|federation|commonwealth|grand\s+duchy|sultanate|union|people's|democratic|"
    r"socialist|islamic|united|emirate)\b",
    re.I,
)
# Where the party clause ends: after it come the recitals, or what the parties did. After a line
# break only spaces, never more line breaks: a match then starts at the last of a run of blank
# lines, not at each (which read a run of 4,000 once per line: seconds for a few KB).
_BLANKS = r"[ \t\r\f\v]*"
_CLAUSE_END = re.compile(
    rf"(?:[,;]\s*|\n{_BLANKS})(?:{_ING}|{_RECITALS})\b"
    rf"|(?:^|\n){_BLANKS}(?:article|artikel|perkara|chapter|bab)\b"
    r"|\b(?:have|has|hath|telah|do)\s+(?:hereby\s+)?(?:agreed|decided|resolved|concluded|"
    r"reached|bersetuju|memutuskan|mencapai|agree)\b|\bhereby\b|\bagree\s+as\s+follows\b"
    rf"|\bresolved\s+to\b|\bwhereas\b|\b(?:shall|hendaklah)\b|[;:]"
    rf"|(?:^|\n){_BLANKS}\d{{1,2}}\s*[.)]\s"
    r"|(?<!\b[A-Z])(?<!\bSt)(?<!\bNo)(?<!\bDr)(?<!\bMr)(?<!\bMrs)\.(?=\s|$)",
    re.I,
)
_CLAUSE_MAX = 8000
_SUBTITLE_CHARS = 200
_PREAMBLE_WINDOW = 6000
_MAX_TRIES = 25  # lines that open like a party clause, read as one before giving up
_MAX_READ = 3 * _CLAUSE_MAX  # and the characters of them, overlapping windows counted each time
_SIDE = re.compile(
    r"\b(?:of|on)\s+the\s+(?:one|other)\s+(?:part|hand)\b|\bon\s+the\s+other\b(?!\s+(?:part|hand))"
    r"|\bdi\s+satu\s+pihak\b|\bdi\s+pihak\s+yang\s+lain\b",
    re.I,
)
# A grouping's members spelt out after it: "the Benelux countries, namely the Kingdom of Belgium,
# ... and the Kingdom of the Netherlands, and Canada". The list ends at ", and", a ";" or a side.
_NAMELY = re.compile(
    r"\b(?:namely|i\.\s?e\.|that\s+is(?:\s+to\s+say)?|viz\.?|comprising|consisting\s+of)[,:]?\s"
    r"(?:[^;()]|\([^()]*\))+?(?=,\s*(?:and|dan)\b|[;()]|\b(?:of|on)\s+the\s+(?:one|other)\b|$)",
    re.I | re.S,
)
_DEFINE = re.compile(
    r"\b(?:hereinafter|hereafter|selepas ini|kemudian daripada ini)\b[^,;:()\n]*", re.I
)


def _preamble(opening: str, reader: _Reader) -> tuple[str, Parties]:
    """The short lines before the party clause (a subtitle) and the parties the clause names.

    The clause is looked for from the top until the preamble is clearly over: a recital, an
    Article heading, "have agreed", a numbered paragraph or a sentence with "shall".
    """
    front: list[str] = []
    previous = ""
    tries = read = 0  # lines read as a clause, and their length: a real one is among the first
    for line, offset in _lines(opening[:_PREAMBLE_WINDOW]):
        if not line:
            continue
        heading = _HEADING_WORD.match(line)  # "PREAMBLE The Government of ...", misspelt or not
        skip = heading.end() if heading and heading.end() < len(line) else 0
        continued = _CONTINUED.search(previous) is not None or _name_runs_on(previous, line, reader)
        previous = line
        if not continued and _opens_clause(line[skip:], reader):
            clause = _clause(opening, offset + skip)
            tries, read = tries + 1, read + len(clause)
            if tries > _MAX_TRIES or read > _MAX_READ:
                break
            found = _clause_parties(clause, reader)
            if found.counterparts() and (len(found.everyone()) >= 2 or _AND.search(clause)):
                return " ".join(front), found
        if _RECITAL_LINE.match(line) or _STOP_LINE.search(line):
            break
        if len(line) <= _SUBTITLE_CHARS and not line.endswith("."):
            front.append(line)  # a subtitle, not a note: "establishing an Association between"
    return " ".join(front), Parties()


_AND = re.compile(r"\b(?:and|dan)\b", re.I)


# NATIONS AND" / "THE PEOPLE'S REPUBLIC OF CHINA" is a title, not the start of the preamble.
_CONTINUED = re.compile(r"\b(?:and|dan|between|among|amongst|antara|of|the|for|with)\s*$", re.I)


def _name_runs_on(previous: str, line: str, reader: _Reader) -> bool:
    """Whether a name begun on the previous line goes on at the start of this one: "... EAST" /
    "ASEAN GROWTH AREA (BIMP-EAGA)" is the end of a title, not a clause naming ASEAN."""
    if not previous:
        return False
    cut = len(normalise(previous))
    return any(h.start < cut < h.end for h in reader.hits(f"{previous} {line}"))


def _opens_clause(line: str, reader: _Reader) -> bool:
    return bool(_OPENER.match(line)) or _starts_with_name(line, reader)


def _starts_with_name(line: str, reader: _Reader) -> bool:
    text = re.sub(r"^the\s+", "", line, flags=re.I)
    hits = reader.hits(text)
    return bool(hits) and hits[0].start == 0


def _mask_parentheses(text: str) -> str:
    """The text with what is inside parentheses and quotes blanked, keeping every offset."""
    out, depth = [], 0
    for ch in text:
        if ch in "([":
            depth += 1
        elif ch in ")]" and depth:
            depth -= 1
            out.append(ch)
            continue
        out.append("_" if depth and ch != "\n" else ch)
    return "".join(out)


def _clause(text: str, start: int) -> str:
    """The party clause that starts at `start`, up to where the recitals or operative words begin.

    A "hereinafter ..." that names all the parties together ends the clause unless more parties
    follow ("..., and the Government of Y").
    """
    window = text[start : start + _CLAUSE_MAX]
    masked = _mask_parentheses(window)
    for m in _CLAUSE_END.finditer(masked):
        if m.start() == 0:
            continue
        return window[: m.start()]
    return window


def _clause_parties(clause: str, reader: _Reader) -> Parties:
    """Parties, groupings and their members from the clause, by its structure.

    Countries followed by a grouping that is their apposition ("..., Viet Nam, Member States of
    ASEAN", "... (hereinafter called the EFTA States)") are its members; so are the countries on
    the same side ("of the one part") as a grouping that is a party.
    """
    builder = _Builder()
    pending = 0  # index of the first country not yet attached to a grouping
    side_start, side_blocs = 0, 0
    after_bloc = False  # the last thing read was a grouping: a parenthesis may list its members
    pieces = _pieces(clause, reader)
    for kind, piece in pieces:
        if kind == "side":
            if len(builder.blocs) > side_blocs and builder.items[side_start:]:
                builder.make_members(side_start)
            side_start, side_blocs = len(builder.items), len(builder.blocs)
            pending = side_start
            continue
        if kind == "aside":  # a parenthesis or a "hereinafter": defines, never adds a party
            hits = reader.hits(_DEFINING.sub("", piece))
            blocs = [h.code for h in hits if is_bloc(h.code)]
            if blocs and builder.items[pending:]:
                builder.make_members(pending)
                builder.bloc(blocs[0])
                pending = len(builder.items)
            elif after_bloc and hits and not blocs and piece.startswith("("):
                for hit in hits:  # "the EFTA States (Iceland, Liechtenstein, Norway, ...)"
                    builder.make_members(builder.country(hit.code))
                pending = len(builder.items)
            after_bloc = False
            continue
        if kind == "namely" and after_bloc:  # "the Benelux countries, namely A, B and C"
            for hit in reader.hits(piece):
                if not is_bloc(hit.code):
                    builder.make_members(builder.country(hit.code))
            pending = len(builder.items)
            after_bloc = False
            continue
        after_bloc = False
        canon = ""  # the piece normalised, once: a clause of many groupings is read once
        for hit in reader.hits(piece):
            if not is_bloc(hit.code):
                builder.country(hit.code)
                after_bloc = False
                continue
            if hit.members and builder.items[pending:]:
                builder.make_members(pending)  # "..., Viet Nam, Member States of ASEAN"
            builder.bloc(hit.code)
            pending = len(builder.items)
            canon = canon or normalise(piece)
            after_bloc = canon[hit.end :].strip() == ""
    if pieces and len(builder.blocs) > side_blocs and side_start and builder.items[side_start:]:
        builder.make_members(side_start)
    return builder.result("preamble")


def _pieces(clause: str, reader: _Reader) -> list[tuple[str, str]]:
    """The clause cut into text, asides (parentheses, "hereinafter ..."), side markers and the
    members a "namely" spells out.

    A parenthesis inside a name ("Cocos (Keeling) Islands") is part of the text.
    """
    marks = [
        (m.start(), m.end(), "aside")
        for m in _PAREN.finditer(clause)
        if not _inside_a_name(clause, m, reader)
    ]
    marks += [(m.start(), m.end(), "aside") for m in _DEFINE.finditer(clause)]
    marks += [(m.start(), m.end(), "side") for m in _SIDE.finditer(clause)]
    marks += [(m.start(), m.end(), "namely") for m in _NAMELY.finditer(clause)]
    marks.sort()
    pieces, at = [], 0
    for start, end, kind in marks:
        if start < at:
            continue
        pieces.append(("text", clause[at:start]))
        pieces.append((kind, clause[start:end]))
        at = end
    pieces.append(("text", clause[at:]))
    return [(k, p) for k, p in pieces if p.strip()]


def _inside_a_name(clause: str, paren: re.Match[str], reader: _Reader) -> bool:
    """Whether a name runs into the parenthesis from outside it."""
    before = normalise(clause[max(0, paren.start() - 60) : paren.start()])
    inner = normalise(paren.group(1))
    after = normalise(clause[paren.end() : paren.end() + 60])
    start = len(before) + 1
    end = start + len(inner)
    return any(
        (h.start < start < h.end) or (h.start < end < h.end)
        for h in reader.hits(f"{before} {inner} {after}")
    )
