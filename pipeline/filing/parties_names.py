"""Names of parties in texts: the groupings that can be parties, the table of names, the
reader that finds them (with the short forms a text defines), and what was found."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache

from pipeline.vocab.countries import name_table, normalise
from pipeline.vocab.formal_names import SOVEREIGN
from pipeline.vocab.names import NameScanner

MALAYSIA = "MY"


# --- groupings ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bloc:
    """A grouping that can be a party: its id, the names texts give it, and whether it is of
    Malaysia's own region (which makes an instrument "regional", serantau)."""

    id: str
    names: tuple[str, ...]
    regional: bool = False


#: Groupings known to the classifier. ASEAN and EU are also pipeline.countries.GROUPINGS codes;
#: the European Communities of older texts are the EU's predecessors and reported as EU.
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


def _scanner(table: Mapping[str, str]) -> NameScanner[str]:
    """The shared name scanner over canonical names (their words)."""
    return NameScanner((key.split(), code) for key, code in table.items())


@cache
def _names_scanner() -> NameScanner[str]:
    return _scanner(_names())


_WORD = re.compile(r"\S+")


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


# A state that acts for one of its own territories is not a party in its own name: "the
# Government of Denmark and the Home Government of the Faroe Islands", "the Kingdom of the
# Netherlands in respect of Aruba", "the United Kingdom on behalf of the Isle of Man".
_ACTS_FOR = re.compile(
    r"\s*(?:and (?:the )?(?:home(?: rule)?|local|territorial) government of|"
    r"(?:acting )?(?:in respect of|on behalf of))(?: the)?\s*"
)


def _acts_for(hit: _Hit, following: _Hit, canon: str) -> bool:
    """Whether `hit` is a sovereign named with the territory it acts for, just after it."""
    if SOVEREIGN.get(following.code) != hit.code:
        return False
    return _ACTS_FOR.fullmatch(canon[hit.end : following.start]) is not None


# A word broken at the end of a line: "BRUNEI DARUS-" / "SALAM", "the Republic of the Philip-" /
# "pines". Joined only where the whole is a word of a name and the parts are not words of their
# own ("BIMP-" / "EAGA" and "CO-" / "OPERATION" keep their hyphen).
_LETTERS = r"[^\W\d_]+"
# The match starts only where a word does, so a long run of letters is read once, not once
# per letter (85,000 letters without a hyphen took minutes).
_BROKEN = re.compile(
    rf"(?<![\w'’])((?:{_LETTERS}['’])?{_LETTERS})-[ \t]*\r?\n[ \t]*({_LETTERS}(?:['’]{_LETTERS})?)"
)
_STRUCTURE_WORDS = frozenset({"government", "governments", "kerajaan", "republic", "republik"})


@cache
def _name_words() -> frozenset[str]:
    return frozenset(word for key in _names() for word in key.split()) | _STRUCTURE_WORDS


def rejoin_broken_names(text: str, more_words: frozenset[str] = frozenset()) -> str:
    """`text` with the words of names (or of `more_words`) that a line break split made whole."""
    words = _name_words() | more_words

    def join(m: re.Match[str]) -> str:
        left, right = m.group(1), m.group(2)
        if normalise(left) in words and normalise(right) in words:
            return m.group(0)  # "CO-" / "OPERATION", "BIMP-" / "EAGA": a hyphen of its own
        return left + right if normalise(left + right) in words else m.group(0)

    return _BROKEN.sub(join, text)


# Scans and careless typing lose the space after "of" and "the": "REPUBLIC OFINDONESIA",
# "Government ofthe Republic", "theUnited Kingdom".
_GLUED_PREFIXES = ("ofthe", "of", "the")


def _unglued(canon: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Word spans of `canon`, a word glued to a name's first word ("ofindonesia") split in two
    (or three, "ofthe..."), so the name is found; ordinary words ("office", "there") are kept."""
    scanner = _names_scanner()
    out: list[tuple[int, int]] = []
    for a, b in spans:
        word = canon[a:b]
        if not scanner.starts(word):
            for prefix in _GLUED_PREFIXES:
                rest = word[len(prefix) :]
                glued = len(rest) >= 2 and scanner.starts(rest)
                if word.startswith(prefix) and (glued or (prefix == "ofthe" and not rest)):
                    if prefix == "ofthe":
                        out += [(a, a + 2), (a + 2, a + 5)]
                    else:
                        out.append((a, a + len(prefix)))
                    if rest:
                        out.append((a + len(prefix), b))
                    break
            else:
                out.append((a, b))
        else:
            out.append((a, b))
    return out


class _Reader:
    """Finds names in text: the shared table, plus the short forms one text defines."""

    def __init__(self, short_forms: Mapping[str, str] | None = None) -> None:
        self.short_forms = dict(short_forms or {})
        self._extra = _scanner(self.short_forms) if self.short_forms else None

    def hits(self, text: str) -> list[_Hit]:
        """Names in `text` (canonicalised here), longest first where two overlap, in order;
        offsets are in the canonical text."""
        canon = _SUBORDINATE.sub(r"\1", normalise(text))
        spans = _unglued(canon, [m.span() for m in _WORD.finditer(canon)])
        words = [canon[a:b] for a, b in spans]
        members = _member_phrases()
        found = [
            _Hit(spans[i][0], spans[j - 1][1], code, " ".join(words[i:j]) in members)
            for i, j, code in _names_scanner().scan(words)
        ]
        if self._extra:
            found += [
                _Hit(spans[i][0], spans[j - 1][1], code, False)
                for i, j, code in self._extra.scan(words)
            ]
        found.sort(key=lambda h: (h.start, -(h.end - h.start)))
        out: list[_Hit] = []
        for hit in found:
            if out and hit.start < out[-1].end:
                continue
            out.append(hit)
        for i in range(len(out) - 2, -1, -1):  # the sovereign's name is part of the territory's
            if _acts_for(out[i], out[i + 1], canon):
                out[i : i + 2] = [_Hit(out[i].start, out[i + 1].end, out[i + 1].code, False)]
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


_PAREN = re.compile(r"\(([^()]{1,160})\)")


def _lines(text: str) -> list[tuple[str, int]]:
    out, offset = [], 0
    for raw in text.splitlines(keepends=True):
        out.append((raw.strip(), offset + len(raw) - len(raw.lstrip())))
        offset += len(raw)
    return out


# A line that ends so goes on on the next: "... BETWEEN THE ASSOCIATION OF SOUTHEAST ASIAN
