"""Instrument types and levels, declared once as data.

Cases and documents store the id ("mou", "bilateral"); people type the Malay or English name in any
case, and letters show the Malay name. Everything that needs a type or level reads it from here.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.errors import UnknownType
from pipeline.vocab.countries import is_grouping, normalise

__all__ = [
    "LEVELS",
    "TYPES",
    "Named",
    "default_level",
    "level_name_en",
    "level_name_ms",
    "resolve_level",
    "resolve_type",
    "type_name_en",
    "type_name_ms",
    "type_names",
]


@dataclass(frozen=True)
class Named:
    """An instrument type ("mou") or a level ("bilateral"): its stored id, its Malay and
    English names (a level's as used in running text), and other accepted names."""

    id: str
    ms: str
    en: str
    aliases: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return (self.ms, self.en, *self.aliases)


#: The instrument types in the order the SOP lists them.
TYPES: tuple[Named, ...] = (
    Named(
        "mou",
        "Memorandum Persefahaman",
        "Memorandum of Understanding",
        ("MOU", "memorandum", "Memorandum Saling Persefahaman"),
    ),
    Named("treaty", "Triti", "Treaty"),
    Named("agreement", "Perjanjian", "Agreement"),
    Named("declaration", "Deklarasi", "Declaration"),
    Named("protocol", "Protokol", "Protocol", ("Protokol Kerjasama",)),
    Named("arrangement", "Aturan", "Arrangement"),
    Named("convention", "Konvensyen", "Convention"),
    Named("action-plan", "Pelan Tindakan", "Plan of Action", ("Action Plan",)),
    Named("work-plan", "Pelan Kerja", "Work Plan"),
    Named("work-programme", "Program Kerja", "Work Programme", ("Work Program",)),
    Named("other", "Dokumen seumpamanya", "Other", ("lain-lain",)),
)

#: The levels of an instrument; Malay names are lowercase as they appear mid-sentence.
LEVELS: tuple[Named, ...] = (
    Named("bilateral", "dua hala", "bilateral"),
    Named("multilateral", "pelbagai hala", "multilateral"),
    Named("regional", "serantau", "regional"),
)

_TYPES_BY_ID = {t.id: t for t in TYPES}
_LEVELS_BY_ID = {lv.id: lv for lv in LEVELS}


def _table(items: tuple[Named, ...]) -> dict[str, str]:
    """Normalised name -> id, also without spaces, so "duahala" and "workplan" are understood."""
    table: dict[str, str] = {}
    for item in items:
        for name in (item.id, *item.names):
            key = normalise(name)
            table.setdefault(key, item.id)
            table.setdefault(key.replace(" ", ""), item.id)
    return table


_TYPE_TABLE = _table(TYPES)
_LEVEL_TABLE = _table(LEVELS)


def _resolve(
    text: str,
    items: tuple[Named, ...],
    table: dict[str, str],
    what: str,
) -> str:
    key = normalise(text)
    for candidate in (key, key.replace(" ", "")):
        if candidate in table:
            return table[candidate]
    import difflib

    display = {normalise(n): n for item in items for n in (*item.names, item.id)}
    seen: set[str] = set()
    suggestions: list[str] = []
    for match in difflib.get_close_matches(key, list(display), n=10, cutoff=0.6):
        if table[match] not in seen:
            seen.add(table[match])
            suggestions.append(display[match])
    message = f"unknown {what} '{text.strip()}'"
    if suggestions:
        message += f"; did you mean: {', '.join(suggestions[:3])}?"
    else:
        message += f"; known: {', '.join(item.id for item in items)}"
    raise UnknownType(message)


def resolve_type(text: str) -> str:
    """The type id for an id, Malay or English name or alias, in any case.

    Hyphens, underscores and spaces are equivalent, so "action_plan" and "Action Plan" both work.
    Raises UnknownType naming the closest types.
    """
    return _resolve(text, TYPES, _TYPE_TABLE, "instrument type")


def _type(type_id: str) -> Named:
    try:
        return _TYPES_BY_ID[type_id]
    except KeyError:
        raise UnknownType(f"unknown instrument type '{type_id}'") from None


def type_name_ms(type_id: str) -> str:
    """The Malay name shown in letters, e.g. "Memorandum Persefahaman"."""
    return _type(type_id).ms


def type_name_en(type_id: str) -> str:
    """The English name, e.g. "Memorandum of Understanding"."""
    return _type(type_id).en


def type_names(type_id: str) -> list[str]:
    """Every name of a type in both languages, to expand a search."""
    return list(_type(type_id).names)


def resolve_level(text: str) -> str:
    """The level id for "bilateral", "dua hala", "Pelbagai Hala", "serantau" and so on."""
    return _resolve(text, LEVELS, _LEVEL_TABLE, "level")


def _level(level: str) -> Named:
    try:
        return _LEVELS_BY_ID[level]
    except KeyError:
        raise UnknownType(f"unknown level '{level}'") from None


def level_name_ms(level: str) -> str:
    """The Malay name, lowercase as used mid-sentence: "dua hala", "pelbagai hala", "serantau"."""
    return _level(level).ms


def level_name_en(level: str) -> str:
    """The English name: "bilateral", "multilateral", "regional"."""
    return _level(level).en


REGIONAL_GROUPINGS = frozenset({"ASEAN"})


def default_level(countries: list[str]) -> str:
    """The level a case gets when none is given, from its counterpart countries.

    A grouping of Malaysia's own region (ASEAN) makes it regional, any other grouping (the EU)
    multilateral, as the treaty databases count them; one counterpart makes it bilateral;
    several, or none yet known, multilateral. Malaysia is always a party: "MY" is not counted.
    """
    codes = {c.strip().upper() for c in countries} - {"MY"}
    if codes & REGIONAL_GROUPINGS:
        return "regional"
    if any(is_grouping(c) for c in codes):
        return "multilateral"
    if len(codes) == 1:
        return "bilateral"
    return "multilateral"
