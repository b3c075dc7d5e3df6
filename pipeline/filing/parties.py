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
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache

from pipeline.vocab.countries import name_table, normalise

__all__ = ["BLOCS", "Bloc", "Parties", "find_parties", "is_bloc", "is_regional", "level_of"]

MALAYSIA = "MY"


# --- groupings ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bloc:
    """A grouping that can be a party: its id, the names texts give it, and whether it is of
    Malaysia's own region (which makes an instrument "regional", serantau)."""

    id: str
    names: tuple[str, ...]
    regional: bool = False


#: Groupings known to the classifier. ASEAN and EU are also pipeline.vocab.countries.GROUPINGS
#: codes; the European Communities of older texts are the EU's predecessors and reported as EU.
BLOCS: tuple[Bloc, ...] = (
    Bloc(
        "ASEAN",
        (
            "ASEAN", "Association of Southeast Asian Nations", "Association of South East Asian "
            "Nations", "Association of South-East Asian Nations", "Persatuan Negara-Negara Asia "
            "Tenggara", "Persatuan Negara Asia Tenggara",
        ),
        regional=True,
    ),
    Bloc("BIMP-EAGA", ("BIMP-EAGA", "Brunei Darussalam-Indonesia-Malaysia-Philippines East ASEAN "
                       "Growth Area"), regional=True),
    Bloc("IMT-GT", ("IMT-GT", "Indonesia-Malaysia-Thailand Growth Triangle"), regional=True),
    Bloc("APEC", ("APEC", "Asia-Pacific Economic Cooperation", "Asia Pacific Economic "
                  "Cooperation", "APEC Member Economies"), regional=True),
    Bloc(
        "EU",
        (
            "European Union", "Kesatuan Eropah", "European Community", "European Communities",
            "European Economic Community", "EEC", "European Coal and Steel Community",
            "European Atomic Energy Community", "Euratom", "Masyarakat Ekonomi Eropah",
        ),
    ),
    Bloc("EFTA", ("EFTA", "European Free Trade Association")),
    Bloc("Benelux", ("Benelux", "Benelux Economic Union", "Benelux Union")),
    Bloc("CIS", ("Commonwealth of Independent States", "Community of Independent States", "CIS")),
    Bloc("EAEU", ("Eurasian Economic Union", "EAEU", "Eurasian Economic Community", "EurAsEC")),
    Bloc("EAC", ("East African Community", "EAC")),
    Bloc("SADC", ("Southern African Development Community", "SADC")),
    Bloc("SACU", ("Southern African Customs Union", "SACU")),
    Bloc("ECOWAS", ("Economic Community of West African States", "ECOWAS")),
    Bloc("WAEMU", ("West African Economic and Monetary Union", "WAEMU", "UEMOA")),
    Bloc(
        "CEMAC",
        (
            "Central African Economic and Monetary Community", "CEMAC",
            "Central African Customs and Economic Union", "UDEAC", "Equatorial Customs Union",
        ),
    ),
    Bloc("COMESA", ("Common Market for Eastern and Southern Africa", "COMESA")),
    Bloc("MERCOSUR", ("MERCOSUR", "MERCOSUL", "Southern Common Market")),
    Bloc("CAN", ("Andean Community", "Andean Community of Nations")),
    Bloc("CARICOM", ("CARICOM", "Caribbean Community", "Caribbean Community and Common Market")),
    Bloc("CARIFORUM", ("CARIFORUM",)),
    Bloc("SICA", ("Central American Integration System", "SICA", "Central American Common "
                  "Market")),
    Bloc(
        "GCC",
        (
            "Gulf Cooperation Council", "GCC", "Cooperation Council for the Arab States of the "
            "Gulf", "Co-operation Council for the Arab States of the Gulf",
        ),
    ),
    Bloc("SAARC", ("South Asian Association for Regional Cooperation", "SAARC")),
    Bloc("ACP", ("ACP", "African, Caribbean and Pacific Group of States",
                 "African, Caribbean and Pacific States")),
    Bloc("PIF", ("Pacific Islands Forum", "South Pacific Forum", "Forum Island Countries",
                 "Pacific Island Countries")),
    Bloc("MSG", ("Melanesian Spearhead Group",)),
    Bloc("AfricanUnion", ("African Union",)),
    Bloc("LAS", ("League of Arab States", "Arab League")),
)  # fmt: skip

_BLOCS_BY_ID = {bloc.id: bloc for bloc in BLOCS}


def is_bloc(code: str) -> bool:
    """True for a grouping id of BLOCS ("ASEAN", "EU", "EFTA"), False for a country code."""
    return code in _BLOCS_BY_ID


def is_regional(code: str) -> bool:
    """True for a grouping of Malaysia's own region, which makes an instrument regional."""
    bloc = _BLOCS_BY_ID.get(code)
    return bool(bloc and bloc.regional)


# How texts speak of a grouping's members: "the Member States of ASEAN", "the EFTA States".
_MEMBER_PREFIXES = (
    "member states of", "member states of the", "states members of", "states members of the",
    "states parties of", "states parties of the", "states parties to", "states parties to the",
    "member countries of", "member countries of the", "partner states of", "partner states of the",
    "negara anggota", "negara negara anggota",
)  # fmt: skip
_MEMBER_SUFFIXES = ("member states", "states", "countries", "member countries", "partner states",
                    "member economies")  # fmt: skip


def _bloc_phrases(bloc: Bloc) -> Iterable[tuple[str, bool]]:
    """Each phrase naming `bloc`, canonical, with whether it speaks of its members."""
    for name in bloc.names:
        key = normalise(name)
        yield key, key.endswith(("countries", "member economies"))
        for base in (key, f"the {key}"):
            for prefix in _MEMBER_PREFIXES:
                if not (prefix.endswith("the") and base.startswith("the ")):
                    yield f"{prefix} {base}", True
        for suffix in _MEMBER_SUFFIXES:
            if not key.endswith(suffix):
                yield f"{key} {suffix}", True


# --- names --------------------------------------------------------------------------------------

# Names texts use that nobody types: sovereigns' styles and former names of states that live on
# as an ISO code. Only for reading texts; resolve_country does not know them.
_TEXT_NAMES: dict[str, str] = {
    "king of the belgians": "BE",
    "queen of the belgians": "BE",
    "king of the hellenes": "GR",
    "federal republic of yugoslavia": "RS",
    "serbia and montenegro": "RS",
    "western samoa": "WS",
    "saint christopher and nevis": "KN",
    "st christopher and nevis": "KN",
    "upper volta": "BF",
    "dahomey": "BJ",
    "ceylon": "LK",
    "kampuchea": "KH",
    "somali democratic republic": "SO",
    "gabon republic": "GA",
    "republic of china": "TW",  # not the People's Republic, whose longer name wins
}
# Names that are also ordinary words or parts of other names in running text: "Latin America",
# "South America" and "the Americas" are not the United States.
_NOT_NAMES = frozenset({"america", "amerika"})


@cache
def _names() -> dict[str, str]:
    """Canonical name -> country code or bloc id; the phrase of a grouping's members too."""
    table = {k: v for k, v in name_table().items() if len(k) >= 3 and k not in _NOT_NAMES}
    for key, code in _TEXT_NAMES.items():
        table.setdefault(key, code)
    for bloc in BLOCS:
        for key, _ in _bloc_phrases(bloc):
            table[key] = bloc.id
    return table


@cache
def _member_phrases() -> frozenset[str]:
    return frozenset(k for bloc in BLOCS for k, members in _bloc_phrases(bloc) if members)


def _alternation(keys: Iterable[str]) -> re.Pattern[str]:
    """Longest phrase first, whole words only, over canonical text."""
    body = "|".join(re.escape(k) for k in sorted(set(keys), key=len, reverse=True))
    return re.compile(rf"(?<![\w'])(?:{body})(?![\w'])")


@cache
def _names_regex() -> re.Pattern[str]:
    return _alternation(_names())


# "the Hong Kong Special Administrative Region of the People's Republic of China" is one party.
# So is "Region of the People's Republic of China" on a line of its own, where a signature
# block's columns cut the name in two.
_SUBORDINATE = re.compile(
    r"\b(special administrative region|wilayah pentadbiran khas (?:hong kong|macau|macao)|"
    r"^region)(?: of)?(?: the)? (?:people's republic of china|republik rakyat china)\b"
)


@dataclass(frozen=True)
class _Hit:
    start: int
    end: int
    code: str
    members: bool  # "the Member States of ASEAN": speaks of a grouping's members


class _Reader:
    """Finds names in text: the shared table, plus the short forms one text defines."""

    def __init__(self, short_forms: Mapping[str, str] | None = None) -> None:
        self.short_forms = dict(short_forms or {})
        self._extra = _alternation(self.short_forms) if self.short_forms else None

    def hits(self, text: str) -> list[_Hit]:
        """Names in `text` (canonicalised here), longest first where two overlap, in order."""
        canon = _SUBORDINATE.sub(r"\1", normalise(text))
        table, members = _names(), _member_phrases()
        found = [
            _Hit(m.start(), m.end(), table[m.group(0)], m.group(0) in members)
            for m in _names_regex().finditer(canon)
        ]
        if self._extra:
            found += [
                _Hit(m.start(), m.end(), self.short_forms[m.group(0)], False)
                for m in self._extra.finditer(canon)
            ]
        found.sort(key=lambda h: (h.start, -(h.end - h.start)))
        out: list[_Hit] = []
        for hit in found:
            if out and hit.start < out[-1].end:
                continue
            out.append(hit)
        return out

    def codes(self, text: str) -> list[str]:
        return list(dict.fromkeys(h.code for h in self.hits(text)))


# --- what was found -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Parties:
    """The parties of one instrument, Malaysia included where it is one."""

    countries: tuple[str, ...] = ()  # ISO alpha-2 codes of the states that are parties in their
    #                                  own name (not as a grouping's listed members)
    blocs: tuple[str, ...] = ()  # groupings that are parties, ids of BLOCS
    members: tuple[str, ...] = ()  # members the text lists for those groupings, ISO alpha-2
    source: str | None = None  # where they were read: title, preamble, signature, ...

    def everyone(self) -> set[str]:
        return {*self.countries, *self.blocs, *self.members}

    def counterparts(self) -> bool:
        return bool(self.everyone() - {MALAYSIA})


@dataclass
class _Builder:
    """Parties collected in order: a country may turn out to be a grouping's member later."""

    items: list[list] = field(default_factory=list)  # [code, is_member]
    blocs: list[str] = field(default_factory=list)

    def country(self, code: str) -> int:
        self.items.append([code, False])
        return len(self.items) - 1

    def bloc(self, code: str) -> None:
        if code not in self.blocs:
            self.blocs.append(code)

    def make_members(self, since: int) -> None:
        for item in self.items[since:]:
            item[1] = True

    def result(self, source: str) -> Parties:
        members = list(dict.fromkeys(c for c, m in self.items if m))
        countries = [c for c, m in self.items if not m and c not in members]
        return Parties(tuple(dict.fromkeys(countries)), tuple(self.blocs), tuple(members), source)


def _plain(codes: Iterable[str], source: str) -> Parties:
    """Codes with no structure: groupings apart, the rest countries."""
    codes = list(dict.fromkeys(codes))
    return Parties(
        tuple(c for c in codes if not is_bloc(c)), tuple(c for c in codes if is_bloc(c)), (), source
    )


# --- entry point --------------------------------------------------------------------------------

HEAD_CHARS = 12000  # the title and the preamble, however long its list of sovereigns
TAIL_CHARS = 25000  # the end, where the signature block is


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
    for candidate in (clause, _signature_parties(text, reader)):
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
_PAREN = re.compile(r"\(([^()]{1,160})\)")
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
        if len(key) >= 3 and key not in _names() and not _COLLECTIVE.search(term):
            learned.setdefault(key, code)
    return learned


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


# --- the title ----------------------------------------------------------------------------------

_PARTY_MARKER = re.compile(r"\b(between|among|amongst|antara)\b", re.I)
_WITH_MARKER = re.compile(r"\b(with|dengan)\b", re.I)
# Words that end a list of parties ("... and Japan for an Economic Partnership").
_SPAN_END = re.compile(
    r"[;:(\[]|\b(for|on|concerning|regarding|relating|in|to|with respect|mengenai|berhubung|"
    r"berkenaan|bagi|untuk|tentang|dalam bidang|pada|di bawah|under|done|signed|dibuat|"
    r"ditandatangani)\b",
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


def _title_parties(title: str | None, reader: _Reader) -> Parties:
    """Parties after "between"/"antara" (or "with"), else those a compound title names."""
    if not title:
        return Parties()
    for marker in (_PARTY_MARKER, _WITH_MARKER):
        spans = [_span_after(title, m.end()) for m in marker.finditer(title)]
        codes = [c for span in spans for c in reader.codes(span)]
        if any(c != MALAYSIA for c in codes):
            return _plain(codes, "title")
    return _plain(_compound(_PARTY_MARKER.split(title, maxsplit=1)[0], reader), "title")


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


# --- the preamble -------------------------------------------------------------------------------

_ING = (
    r"(?!(?:acting|representing|including|according|concerning|belonging|following|contracting)\b)"
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
# Where the party clause ends: after it come the recitals, or what the parties did.
_CLAUSE_END = re.compile(
    rf"(?:[,;]\s*|\n\s*)(?:{_ING}|{_RECITALS})\b"
    r"|(?:^|\n)\s*(?:article|artikel|perkara|chapter|bab)\b"
    r"|\b(?:have|has|hath|telah|do)\s+(?:hereby\s+)?(?:agreed|decided|resolved|concluded|"
    r"reached|bersetuju|memutuskan|mencapai|agree)\b|\bhereby\b|\bagree\s+as\s+follows\b"
    r"|\bresolved\s+to\b|\bwhereas\b|\b(?:shall|hendaklah)\b|[;:]|(?:^|\n)\s*\d{1,2}\s*[.)]\s"
    r"|(?<!\b[A-Z])(?<!\bSt)(?<!\bNo)(?<!\bDr)(?<!\bMr)(?<!\bMrs)\.(?=\s|$)",
    re.I,
)
_CLAUSE_MAX = 8000
_SUBTITLE_CHARS = 200
_PREAMBLE_WINDOW = 6000
_SIDE = re.compile(
    r"\b(?:of|on)\s+the\s+(?:one|other)\s+(?:part|hand)\b|\bon\s+the\s+other\b(?!\s+(?:part|hand))"
    r"|\bdi\s+satu\s+pihak\b|\bdi\s+pihak\s+yang\s+lain\b",
    re.I,
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
    for line, offset in _lines(opening[:_PREAMBLE_WINDOW]):
        if not line:
            continue
        heading = _HEADING_WORD.match(line)  # "PREAMBLE The Government of ...", misspelt or not
        skip = heading.end() if heading and heading.end() < len(line) else 0
        continued = _CONTINUED.search(previous) is not None
        previous = line
        if not continued and _opens_clause(line[skip:], reader):
            clause = _clause(opening, offset + skip)
            found = _clause_parties(clause, reader)
            if found.counterparts() and (len(found.everyone()) >= 2 or _AND.search(clause)):
                return " ".join(front), found
        if _RECITAL_LINE.match(line) or _STOP_LINE.search(line):
            break
        if len(line) <= _SUBTITLE_CHARS and not line.endswith("."):
            front.append(line)  # a subtitle, not a note: "establishing an Association between"
    return " ".join(front), Parties()


_AND = re.compile(r"\b(?:and|dan)\b", re.I)


def _lines(text: str) -> list[tuple[str, int]]:
    out, offset = [], 0
    for raw in text.splitlines(keepends=True):
        out.append((raw.strip(), offset + len(raw) - len(raw.lstrip())))
        offset += len(raw)
    return out


# A line that ends so goes on on the next: "... BETWEEN THE ASSOCIATION OF SOUTHEAST ASIAN
# NATIONS AND" / "THE PEOPLE'S REPUBLIC OF CHINA" is a title, not the start of the preamble.
_CONTINUED = re.compile(r"\b(?:and|dan|between|among|amongst|antara|of|the|for|with)\s*$", re.I)


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
        after_bloc = False
        for hit in reader.hits(piece):
            if not is_bloc(hit.code):
                builder.country(hit.code)
                after_bloc = False
                continue
            if hit.members and builder.items[pending:]:
                builder.make_members(pending)  # "..., Viet Nam, Member States of ASEAN"
            builder.bloc(hit.code)
            pending = len(builder.items)
            after_bloc = normalise(piece)[hit.end :].strip() == ""
    if pieces and len(builder.blocs) > side_blocs and side_start and builder.items[side_start:]:
        builder.make_members(side_start)
    return builder.result("preamble")


def _pieces(clause: str, reader: _Reader) -> list[tuple[str, str]]:
    """The clause cut into text, asides (parentheses, "hereinafter ...") and side markers.

    A parenthesis inside a name ("Cocos (Keeling) Islands") is part of the text.
    """
    marks = [
        (m.start(), m.end(), "aside")
        for m in _PAREN.finditer(clause)
        if not _inside_a_name(clause, m, reader)
    ]
    marks += [(m.start(), m.end(), "aside") for m in _DEFINE.finditer(clause)]
    marks += [(m.start(), m.end(), "side") for m in _SIDE.finditer(clause)]
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
_MAX_JOINED = 4


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
    codes: list[str] = []
    for line, offset in _joined_lines(region):
        starts = [m.start() for m in _FOR.finditer(line)]
        if starts:
            for i, start in enumerate(starts):
                end = starts[i + 1] if i + 1 < len(starts) else len(line)
                codes += _designated(line[start:end], reader)
        elif offset < _BARE_DESIGNATIONS and not _PLACE_WORDS.search(line):
            codes += _designated(line, reader, strong=True)
    return _plain(codes, "signature")


def _joined_lines(region: str) -> list[tuple[str, int]]:
    """Lines (and where they start), each joined to the next when it ends on "of", "the",
    "Government" and the like: "FOR THE GOVERNMENT OF THE UNITED STATES OF" / "AMERICA:" is one
    designation."""
    out: list[tuple[str, int]] = []
    joined = 0
    for line, offset in _lines(region):
        if not line:
            continue
        words = normalise(out[-1][0]).split() if out else []
        if out and joined < _MAX_JOINED and words and words[-1] in _LINK_WORDS:
            out[-1] = (f"{out[-1][0]} {line}", out[-1][1])
            joined += 1
        else:
            out.append((line, offset))
            joined = 0
    return out


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
    ranked = [*countries.most_common(3), ("", 0), ("", 0)]
    (first, n1), (second, n2), (_, n3) = ranked[:3]
    if n2 >= 2 and n3 * 2 <= n2:
        return Parties((first, second), (), (), "body")
    if n1 >= 2 and n2 * 4 <= n1 and blocs:
        bloc, count = blocs.most_common(1)[0]
        if count * 2 >= n1:
            return Parties((first,), (bloc,), (), "body")
    return Parties()


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
