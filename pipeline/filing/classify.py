"""Classify a negotiated instrument from its text, so clerks never type metadata.

Only the places that carry the facts are read: the title and the opening (the type), the
signature block (the date and place of signature), and for the parties the title, the preamble's
first clause and the "For the Government of ..." lines (pipeline.filing.parties). The body of an
instrument names many countries in passing, and recitals quote other instruments' dates and
places: reading them would make every treaty multilateral and every FTA signed at Marrakesh in
1994.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import PurePath

from pipeline.filing.parties import Parties, find_parties, level_of
from pipeline.vocab.countries import GROUPINGS, normalise
from pipeline.vocab.instruments import TYPES

HEAD_CHARS = 3000  # the title and the opening, where the parties are named
TYPE_CHARS = 12000  # how far to count "this Agreement": past a long list of sovereigns
TAIL_CHARS = 3000  # the end, where the signature block usually is
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
    head = text[:HEAD_CHARS]
    found_title, body_start = detect_title(head)
    the_title = title.strip() if title and title.strip() else found_title
    parties = find_parties(text, title=the_title, body_start=body_start, filename=filename)
    signed_date, signed_place = find_signature(text)
    return Classification(
        countries=tuple(c for c in parties.countries if c != MALAYSIA),
        groupings=tuple(b for b in parties.blocs if b in GROUPINGS),
        type=_type(the_title, filename, text[:TYPE_CHARS]),
        level=_level(parties, head),
        signed_date=signed_date,
        signed_place=signed_place,
        language=detect_language(head),
        title=the_title,
        members=tuple(c for c in parties.members if c != MALAYSIA),
        blocs=parties.blocs,
        parties_from=parties.source,
    )


# --- text helpers -------------------------------------------------------------------------------


def _canon(text: str) -> str:
    """The form names and type phrases are matched in: the table's own normalisation."""
    return normalise(text)


def _flat(text: str) -> str:
    """One line: joins words hyphenated across a line break, collapses whitespace."""
    text = re.sub(r"(\w)-[ \t]*\n\s*(\w)", r"\1-\2", text)
    return re.sub(r"\s+", " ", text).strip()


# --- title --------------------------------------------------------------------------------------

_MARKINGS = re.compile(
    r"^(sulit|terhad|rahsia|rahsia besar|confidential|restricted|secret|draft|deraf|"
    r"translation|terjemahan|unofficial translation|terjemahan tidak rasmi|page \d+|\W*\d+\W*)$",
    re.I,
)
_HEADING = re.compile(
    r"^(preamble|preambule|mukadimah|pembukaan|article\b|artikel\b|perkara\b|chapter\b|bab\b|"
    r"part\b|annex\b|lampiran\b|contents\b|table of contents|kandungan\b|have agreed|"
    r"telah bersetuju)",
    re.I,
)
_CONNECTIVES = frozenset(
    {
        "the", "of", "to", "and", "between", "among", "amongst", "on", "for", "in", "concerning",
        "regarding", "with", "a", "an", "antara", "dan", "mengenai", "berhubung", "berkenaan",
        "bagi", "untuk", "tentang", "dengan", "kepada", "di",
    }
)  # fmt: skip
# A line never ends a title on these: "... OF THE FRAMEWORK" goes on with "AGREEMENT ON ...".
_TYPE_MODIFIERS = frozenset(
    {"framework", "trade", "implementing", "supplementary", "additional", "joint", "amending"}
)
_LINKS = _CONNECTIVES - {"the", "a", "an"}  # may open a line that continues the title
_PARTY_CLAUSE_MARK = re.compile(r"\b(hereinafter|selepas ini|kemudian daripada ini)\b", re.I)
_MAX_TITLE_LINES = 8
_MAX_TITLE_CHARS = 400


def detect_title(head: str) -> tuple[str | None, int]:
    """The title (first substantial line, with the lines that continue it) and where it ends."""
    lines = _lines_with_offsets(head)
    start = next((i for i, (line, _) in enumerate(lines) if _is_substantial(line)), None)
    if start is None or not _can_open_title(lines[start][0]):
        return None, 0
    taken = [lines[start][0]]
    end = lines[start][1] + len(lines[start][0])
    blank = False
    for line, offset in lines[start + 1 :]:
        if not line:
            blank = True
            continue
        if len(taken) >= _MAX_TITLE_LINES or not _continues(taken, line, blank):
            break
        taken.append(line)
        end, blank = offset + len(line), False
    return _flat("\n".join(taken)) or None, end


def _lines_with_offsets(text: str) -> list[tuple[str, int]]:
    out, offset = [], 0
    for raw in text.splitlines(keepends=True):
        out.append((raw.strip(), offset + len(raw) - len(raw.lstrip())))
        offset += len(raw)
    return out


def _is_substantial(line: str) -> bool:
    return sum(ch.isalpha() for ch in line) >= 4 and not _MARKINGS.match(line)


_OPERATIVE = re.compile(r"\b(shall|hereby|hendaklah)\b", re.I)


def _can_open_title(line: str) -> bool:
    """A heading ("PREAMBLE") or a sentence ("The Government of X and ...,", "The Parties shall
    establish ...", "X and Y hereby establish ...") is no title."""
    return not (
        _HEADING.match(line)
        or _PARTY_CLAUSE_MARK.search(line)
        or _OPERATIVE.search(line)
        or line[-1] in ",;:"
    )


def _continues(taken: list[str], line: str, after_blank: bool) -> bool:
    """Whether `line` is more of the title: same style, no new heading, no new instrument."""
    previous = taken[-1]
    last_word = previous.rsplit(None, 1)[-1].lower() if previous.split() else ""
    first_word = line.split(None, 1)[0].lower()
    linked = previous.endswith("-") or last_word in _CONNECTIVES or last_word in _TYPE_MODIFIERS
    if len(" ".join(taken)) + len(line) > _MAX_TITLE_CHARS or _HEADING.match(line):
        return False
    if not linked and (_starts_with_type(line) or previous[-1] in ",;:."):
        return False
    if _PARTY_CLAUSE_MARK.search(line):
        return False
    if after_blank and not (linked or first_word in _LINKS):
        return False
    if _is_caps(taken[0]):
        return _is_caps(line)
    if linked:
        return True
    return len(previous) >= 40 and not line.startswith("The ") and _is_title_cased(line)


def _is_caps(line: str) -> bool:
    letters = [ch for ch in line if ch.isalpha()]
    return bool(letters) and sum(ch.isupper() for ch in letters) / len(letters) > 0.9


def _is_title_cased(line: str) -> bool:
    words = [w for w in re.findall(r"[^\W\d_][\w'’-]*", line) if w.lower() not in _CONNECTIVES]
    if not words or line.rstrip()[-1] in ",;:":
        return False
    return sum(w[0].isupper() for w in words) / len(words) >= 0.8


# --- instrument type ----------------------------------------------------------------------------

# Phrases people use that TYPES may not list; TYPES' own names and aliases are added to these.
_TYPE_PHRASES: dict[str, tuple[str, ...]] = {
    "mou": ("memorandum of understanding", "memorandum persefahaman", "mou"),
    "treaty": ("treaty", "triti"),
    "agreement": ("agreement", "perjanjian"),
    "declaration": ("declaration", "joint declaration", "deklarasi", "deklarasi bersama"),
    "protocol": ("protocol", "protokol"),
    "arrangement": ("arrangement", "aturan"),
    "convention": ("convention", "konvensyen"),
    "action-plan": ("plan of action", "action plan", "pelan tindakan"),
    "work-plan": ("work plan", "workplan", "pelan kerja"),
    "work-programme": ("work programme", "work program", "programme of work", "program kerja"),
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


@cache
def _type_regex() -> re.Pattern[str]:
    return _alternation(_type_table())


def _alternation(table: dict[str, str]) -> re.Pattern[str]:
    """Longest phrase first, whole words only, over canonical text."""
    keys = sorted(table, key=len, reverse=True)
    body = "|".join(re.escape(k) for k in keys)
    return re.compile(rf"(?<![\w])(?:{body})(?![\w])")


def _type_in(text: str | None) -> str | None:
    """The type named first: "Protocol to amend the Agreement" is a protocol."""
    if not text:
        return None
    match = _type_regex().search(_canon(text))
    return _type_table()[match.group(0)] if match else None


def _starts_with_type(line: str) -> bool:
    match = _type_regex().match(_canon(line))
    return match is not None


def _type(title: str | None, filename: str | None, head: str) -> str | None:
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


# --- date and place of signature ----------------------------------------------------------------

_MONTHS = {
    "january": 1, "januari": 1, "jan": 1, "february": 2, "februari": 2, "feb": 2,
    "march": 3, "mac": 3, "mar": 3, "april": 4, "apr": 4, "may": 5, "mei": 5,
    "june": 6, "jun": 6, "july": 7, "julai": 7, "jul": 7, "august": 8, "ogos": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9, "october": 10, "oktober": 10, "oct": 10,
    "november": 11, "nov": 11, "december": 12, "disember": 12, "dec": 12,
}  # fmt: skip
_UNITS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
    "ninety": 90, "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
    "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12,
    "thirteenth": 13, "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17,
    "eighteenth": 18, "nineteenth": 19, "twentieth": 20, "thirtieth": 30,
    "satu": 1, "dua": 2, "tiga": 3, "empat": 4, "lima": 5, "enam": 6, "tujuh": 7, "lapan": 8,
    "sembilan": 9, "sepuluh": 10, "sebelas": 11, "seratus": 100, "pertama": 1,
}  # fmt: skip
_MS_CARDINALS = (
    "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "lapan", "sembilan", "sepuluh",
    "sebelas",
)  # fmt: skip
_MS_ORDINALS = {f"ke{w}": _UNITS[w] for w in _MS_CARDINALS}  # kedua, ketiga, kesepuluh...
_SCALES = {"hundred": 100, "ratus": 100, "puluh": 10}  # multiply the last number said
_THOUSANDS = {"thousand": 1000, "ribu": 1000, "seribu": 1000}
_NUMBER_WORDS = {**_UNITS, **_MS_ORDINALS}
_VOCAB = sorted([*_NUMBER_WORDS, *_SCALES, *_THOUSANDS, "belas"], key=len, reverse=True)
_WORD = "(?:" + "|".join(_VOCAB) + r")\b"
_NUMWORDS = rf"{_WORD}(?:[\s-]+(?:and[\s-]+)?{_WORD})*"
_MONTH = "(?P<m>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = rf"(?:(?:ke-?)?(?P<d>\d{{1,2}})(?:st|nd|rd|th|hb)?|(?P<dw>{_NUMWORDS}))"
_YEAR = rf"(?:(?P<y>\d{{4}})|(?P<yw>{_NUMWORDS}))"
_DATE_PATTERNS = (
    re.compile(
        rf"(?<![\w-]){_DAY}\s+(?:day\s+of\s+(?:the\s+month\s+of\s+)?|hari\s*bulan\s+|bulan\s+)?"
        rf"{_MONTH},?\s+(?:(?:in|of)\s+the\s+year\s+|tahun\s+)?{_YEAR}(?![\w-])",
        re.I,
    ),
    re.compile(
        rf"(?<![\w-]){_MONTH}\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>\d{{4}})\b", re.I
    ),
    re.compile(r"(?<![\w-])(?P<y>\d{4})-(?P<mn>\d{2})-(?P<d>\d{2})(?![\w-])"),
)


def _words_to_int(words: str) -> int | None:
    """English or Malay number words ("Two Thousand and Four", "kedua puluh tujuh") to int."""
    total = current = last = 0
    for word in re.split(r"[\s-]+", words.lower()):
        if word in ("and", ""):
            continue
        if word in _NUMBER_WORDS:
            last = _NUMBER_WORDS[word]
            current += last
        elif word == "belas":
            current += 10
        elif word in _SCALES:
            current += last * (_SCALES[word] - 1) if last else _SCALES[word]
            last = 0
        elif word in _THOUSANDS:
            total += (current or 1) * 1000 if word != "seribu" else 1000
            current = last = 0
        else:
            return None
    return total + current


def find_dates(text: str) -> list[tuple[int, date]]:
    """Every date written in `text`, with where it starts, in order."""
    found: list[tuple[int, date]] = []
    for pattern in _DATE_PATTERNS:
        for m in pattern.finditer(text):
            value = _date_of(m)
            if value:
                found.append((m.start(), value))
    return sorted(found)


def _date_of(m: re.Match[str]) -> date | None:
    groups = m.groupdict()
    day = int(groups["d"]) if groups.get("d") else _words_to_int(groups.get("dw") or "")
    year = int(groups["y"]) if groups.get("y") else _words_to_int(groups.get("yw") or "")
    month = int(groups["mn"]) if groups.get("mn") else _MONTHS.get((groups.get("m") or "").lower())
    if not (day and month and year and 1900 <= year <= 2100):
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


_TESTIMONIUM = re.compile(
    r"in witness whereof|in faith whereof|sebagai menyaksikan|dengan disaksikan|"
    r"bagi menyaksikan|sebagai bukti",
    re.I,
)
_SIGN_WORDS = (
    r"done|signed|dibuat|ditandatangani|opened for signature|concluded|adopted|diterima pakai|"
    r"dimeterai"
)
_ANYWHERE_ANCHOR = re.compile(rf"\b(?:{_SIGN_WORDS})\b", re.I)
# In the tail without a testimonium, only a sentence that opens with "Done"/"Signed"/"Dibuat"
# counts: "the Agreement ... done at Marrakesh on 15 April 1994" is a recital, not a signature.
_OPENING_ANCHOR = re.compile(
    rf"(?:^|\n|[.;]\s+)[ \t]*(?P<a>(?i:{_SIGN_WORDS}))\b(?=[\s,]+(?i:at|in|di|on|pada|this|dalam))"
)
_TESTIMONIUM_SPAN = 800
_ANCHOR_SPAN = 400
_PLACE_WORD = re.compile(r"\b(?i:at|in|di)\b")
_PLACE_NAME = re.compile(r"[\s,]+(?P<p>[A-ZÀ-Þ][\w'’.-]*(?:[ \t]+[A-ZÀ-Þ][\w'’.-]*){0,3})")
_FILLER = frozenset(
    {
        "on", "this", "the", "in", "at", "di", "pada", "ini", "hari", "bulan", "tahun", "day",
        "duplicate", "triplicate", "two", "three", "dua", "tiga", "english", "malay", "bahasa",
        "witness", "whereof", "original", "originals", "naskhah", "asal", "dalam",
    }
)  # fmt: skip


def find_signature(text: str) -> tuple[date | None, str | None]:
    """Date and place of signature from the testimonium or the closing "Done at ..." lines."""
    for region, anchors in _signature_regions(text):
        for anchor in anchors:
            window = region[anchor : anchor + _ANCHOR_SPAN]
            dates = find_dates(window)
            if dates:
                return dates[0][1], _place(region[anchor:])
    return None, None


def _signature_regions(text: str) -> list[tuple[str, list[int]]]:
    regions = []
    for m in _TESTIMONIUM.finditer(text):
        region = text[m.start() : m.start() + _TESTIMONIUM_SPAN]
        regions.append((region, [a.start() for a in _ANYWHERE_ANCHOR.finditer(region)]))
    tail = text[-TAIL_CHARS:]
    regions.append((tail, [a.start("a") for a in _OPENING_ANCHOR.finditer(tail)]))
    return regions


def _place(text: str) -> str | None:
    """The city right after "Done at" / "Signed in duplicate at" / "Dibuat di"."""
    for anchor in _ANYWHERE_ANCHOR.finditer(text[:_ANCHOR_SPAN]):
        window = text[anchor.end() : anchor.end() + 120]
        for m in _PLACE_WORD.finditer(window):
            if not _only_filler(window[: m.start()]):
                break  # "signed this Agreement on Trade in Goods": not a place
            name = _PLACE_NAME.match(window, m.end())
            place = _trim_place(name.group("p")) if name else None
            if place:
                return place
    return None


def _only_filler(text: str) -> bool:
    return all(w[0].islower() or w.lower() in _FILLER for w in re.findall(r"[^\W\d_]+", text))


def _trim_place(candidate: str) -> str | None:
    words: list[str] = []
    for word in candidate.split():
        if word.lower().strip(".,") in _FILLER:
            break
        words.append(word)
    place = " ".join(words).strip(" ,.")
    if not place:
        return None
    return place.title() if place.isupper() else place
