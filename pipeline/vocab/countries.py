"""Countries: resolve what a person types to an ISO 3166-1 alpha-2 code, and name codes back.

Cases store alpha-2 codes; people type codes, English names or Malay names in any case. pycountry
knows the codes and English names but only 71 Malay names, so the Malay name of every ISO entry
(the Malaysian form used by Wisma Putra and Dewan Bahasa dan Pustaka comes first) and the English
names people actually use live in tables of their own (`country_names_ms`, `country_aliases`);
this module builds the lookup from them and answers questions about codes. pycountry is imported
lazily: the CLI imports this module on every run and most runs never look a country up.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable

from pipeline.errors import UnknownCountry
from pipeline.vocab.country_aliases import EN_ALIASES, EN_SHORT, GROUPING_NAMES, GROUPINGS
from pipeline.vocab.country_names_ms import MS_NAMES

__all__ = [
    "GROUPINGS",
    "country_formal_ms",
    "country_name_en",
    "country_name_ms",
    "country_names",
    "government_ms",
    "is_commonwealth",
    "is_grouping",
    "join_ms",
    "mission_ms",
    "name_table",
    "normalise",
    "resolve_country",
]

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "´": "'", "′": "'", "ʻ": "'"})
# Letters NFKD does not decompose into a base letter plus accent.
_LETTERS = str.maketrans(
    {
        "ø": "o",
        "Ø": "O",
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "ı": "i",
        "þ": "th",
        "Þ": "TH",
    }
)
_NON_WORD = re.compile(r"(?:[^\w']|_)+")
_SPACED_APOSTROPHE = re.compile(r" ?' ?")


def normalise(text: str) -> str:
    """Fold text for comparison: lowercase, no accents, one apostrophe, punctuation as spaces.

    Used for every comparison of names, so "Côte d’Ivoire", "COTE D'IVOIRE" and "cote d'ivoire"
    meet, as do "Timor-Leste" and "Timor Leste". Periods vanish ("U.S.A." is "usa") and "&" reads
    as "and". Text scanned for names must go through the same function.
    """
    text = text.translate(_APOSTROPHES).translate(_LETTERS)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.casefold().replace("&", " and ").replace(".", "")
    text = _NON_WORD.sub(" ", text)
    text = _SPACED_APOSTROPHE.sub("'", text)
    return " ".join(text.split()).strip("' ")


class _Index:
    """The lookup tables, built once from pycountry and the tables above.

    A plain class, not a dataclass: importing dataclasses costs more than this whole module.
    """

    def __init__(self, iso: frozenset[str]) -> None:
        self.iso = iso  # every ISO alpha-2 code
        self.codes: dict[str, str] = {}  # normalised alpha-2, alpha-3, grouping codes -> code
        self.names: dict[str, str] = {}  # normalised names and aliases (not codes) -> code
        self.display: dict[str, str] = {}  # normalised name -> the name as written
        self.per_code: dict[str, tuple[str, ...]] = {}  # code -> names as written, Malay first


def _add_names(index: _Index, code: str, names: Iterable[str]) -> None:
    seen: list[str] = []
    keys: set[str] = set()
    for name in names:
        key = normalise(name)
        if not key or key in keys:
            continue
        keys.add(key)
        if len(key) <= 3 and key in index.codes:
            continue  # a bare code, not a name
        seen.append(name)
        # "Democratic Republic of Congo", "Republic of Philippines": texts drop the article.
        for variant in (key, key.replace("'", ""), key.replace(" of the ", " of ")):
            index.names.setdefault(variant, code)
            index.display.setdefault(variant, name)
    index.per_code[code] = tuple(seen)


@functools.cache
def _index() -> _Index:
    import pycountry  # ~15 ms: only when a country is first looked up

    countries = list(pycountry.countries)
    iso = frozenset(c.alpha_2 for c in countries)
    index = _Index(iso)
    for c in countries:
        index.codes[c.alpha_2.lower()] = c.alpha_2
        index.codes[c.alpha_3.lower()] = c.alpha_2
    for code in GROUPINGS:
        index.codes[code.lower()] = code
    for c in countries:
        code = c.alpha_2
        english = [
            EN_SHORT.get(code, ""),
            getattr(c, "common_name", ""),
            c.name,
            getattr(c, "official_name", ""),
            *EN_ALIASES.get(code, ()),
        ]
        _add_names(index, code, [*MS_NAMES.get(code, ()), *english])
    for code, (ms, en) in GROUPING_NAMES.items():
        _add_names(index, code, [*ms, *en])
    return index


def _variants(key: str) -> Iterable[str]:
    """Spellings to try when the typed form is not known as is."""
    yield key.replace("'", "")
    if key.startswith("the "):
        yield key[4:]
    if key.startswith("st "):
        yield "saint " + key[3:]


def _suggest(key: str, limit: int = 3) -> list[str]:
    import difflib

    index = _index()
    out: list[str] = []
    codes: set[str] = set()
    for match in difflib.get_close_matches(key, list(index.names), n=30, cutoff=0.6):
        code = index.names[match]
        if code not in codes:
            codes.add(code)
            out.append(index.display[match])
        if len(out) == limit:
            break
    return out


def resolve_country(text: str) -> str:
    """The alpha-2 code (or grouping pseudo-code) for a code or name typed in English or Malay.

    Raises UnknownCountry naming up to three close known names, so a typo gets a useful answer.
    """
    index = _index()
    key = normalise(text)
    if key:
        for candidate in (key, *_variants(key)):
            if candidate in index.codes:
                return index.codes[candidate]
            if candidate in index.names:
                return index.names[candidate]
    message = f"unknown country '{text.strip()}'"
    suggestions = _suggest(key) if key else []
    if suggestions:
        message += f"; did you mean: {', '.join(suggestions)}?"
    raise UnknownCountry(message)


def is_grouping(code: str) -> bool:
    """True for a regional grouping such as ASEAN, which is a party but not a country."""
    return code.strip().upper() in GROUPINGS


def _known_code(code: str) -> str:
    upper = code.strip().upper()
    if upper in GROUPINGS or upper in _index().iso:
        return upper
    raise UnknownCountry(f"unknown country code '{code.strip()}'")


def country_name_ms(code: str) -> str:
    """The Malay name used in letters, e.g. KR -> "Korea Selatan"."""
    code = _known_code(code)
    if code in GROUPINGS:
        return GROUPING_NAMES[code][0][0]
    return MS_NAMES[code][0]


def country_formal_ms(code: str) -> str:
    """The formal Malay name used in letters: KR -> "Republik Korea", US -> "Amerika Syarikat",
    JP -> "Jepun" (a state whose official name is its short name keeps it)."""
    from pipeline.vocab.formal_names import FORMAL_MS

    code = _known_code(code)
    if code in GROUPINGS:
        return GROUPING_NAMES[code][0][0]
    return FORMAL_MS[code]


def government_ms(code: str) -> str:
    """The party to an instrument: "Kerajaan Republik Korea"; a kingdom's formal name already
    says "Kerajaan" ("Kerajaan Arab Saudi", not "Kerajaan Kerajaan Arab Saudi")."""
    formal = country_formal_ms(code)
    return formal if formal.startswith("Kerajaan ") else f"Kerajaan {formal}"


def is_commonwealth(code: str) -> bool:
    from pipeline.vocab.formal_names import COMMONWEALTH

    return code.strip().upper() in COMMONWEALTH


def mission_ms(code: str) -> str | None:
    """The country's mission in Kuala Lumpur, without the place: "Kedutaan Besar Republik
    Korea", "Suruhanjaya Tinggi Republik Singapura" (a Commonwealth member). A territory is
    spoken for by its sovereign's mission; None when there is none (Antarctica)."""
    from pipeline.vocab.formal_names import SOVEREIGN, SPECIAL_MISSIONS

    code = _known_code(code)
    if code in GROUPINGS or code == "MY":
        return None
    if code in SOVEREIGN:
        sovereign = SOVEREIGN[code]
        return mission_ms(sovereign) if sovereign else None
    if code in SPECIAL_MISSIONS:
        return SPECIAL_MISSIONS[code]
    kind = "Suruhanjaya Tinggi" if is_commonwealth(code) else "Kedutaan Besar"
    return f"{kind} {country_formal_ms(code)}"


@functools.cache
def _en_short(code: str) -> str:
    import pycountry

    country = pycountry.countries.get(alpha_2=code)
    return EN_SHORT.get(code) or getattr(country, "common_name", None) or country.name


def country_name_en(code: str) -> str:
    """The English short name people know, e.g. KR -> "South Korea", RU -> "Russia"."""
    code = _known_code(code)
    if code in GROUPINGS:
        return GROUPING_NAMES[code][1][0]
    return _en_short(code)


def country_names(code: str) -> list[str]:
    """Every known name of a code in Malay and English (no bare codes), to expand searches."""
    return list(_index().per_code[_known_code(code)])


# Names resolve_country accepts but a text scanner should not look for: ordinary words.
_NOT_IN_TEXT = frozenset({"cad"})  # pycountry's Malay for Chad; "CAD" in English text is not Chad


@functools.cache
def _name_table() -> dict[str, str]:
    return {k: v for k, v in _index().names.items() if k not in _NOT_IN_TEXT}


def name_table() -> dict[str, str]:
    """Normalised name or alias -> code, for scanning text; bare alpha-2/alpha-3 codes excluded.

    Codes are left out because "and", "can", "per" and "us" are words. Returns a copy: callers
    may change it freely.
    """
    return dict(_name_table())


def join_ms(names: list[str]) -> str:
    """Join names the Malay way: "A", "A dan B", "A, B dan C"."""
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} dan {names[-1]}"


@functools.cache
def choices() -> tuple[tuple[str, str, str], ...]:
    """(code, Malay name, English name) of every country, in Malay alphabetical order: the
    suggestions a form offers while a person types a counterpart."""
    rows = [(code, country_name_ms(code), country_name_en(code)) for code in _index().iso
            if code != "MY"]
    return tuple(sorted(rows, key=lambda r: normalise(r[1])))
