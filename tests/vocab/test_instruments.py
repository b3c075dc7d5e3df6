"""Instrument types and levels: every name a person types resolves to the stored id."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.errors import UnknownType
from pipeline.vocab.instruments import (
    LEVELS,
    TYPES,
    default_level,
    level_name_en,
    level_name_ms,
    resolve_level,
    resolve_type,
    type_name_en,
    type_name_ms,
    type_names,
)

# id, Malay name, English name, as DESIGN.md declares them, in its order.
DESIGN_TYPES = [
    ("mou", "Memorandum Persefahaman", "Memorandum of Understanding"),
    ("treaty", "Triti", "Treaty"),
    ("agreement", "Perjanjian", "Agreement"),
    ("declaration", "Deklarasi", "Declaration"),
    ("protocol", "Protokol", "Protocol"),
    ("arrangement", "Aturan", "Arrangement"),
    ("convention", "Konvensyen", "Convention"),
    ("action-plan", "Pelan Tindakan", "Plan of Action"),
    ("work-plan", "Pelan Kerja", "Work Plan"),
    ("work-programme", "Program Kerja", "Work Programme"),
    ("other", "Dokumen seumpamanya", "Other"),
]

TYPE_INPUTS = [
    ("mou", "mou"),
    ("MOU", "mou"),
    ("MoU", "mou"),
    ("memorandum", "mou"),
    ("Memorandum Persefahaman", "mou"),
    ("memorandum of understanding", "mou"),
    ("Triti", "treaty"),
    ("TREATY", "treaty"),
    ("Perjanjian", "agreement"),
    ("Agreement", "agreement"),
    ("Deklarasi", "declaration"),
    ("declaration", "declaration"),
    ("Protokol", "protocol"),
    ("Protokol Kerjasama", "protocol"),
    ("Protocol", "protocol"),
    ("Aturan", "arrangement"),
    ("arrangement", "arrangement"),
    ("Konvensyen", "convention"),
    ("Convention", "convention"),
    ("action-plan", "action-plan"),
    ("action_plan", "action-plan"),
    ("Action Plan", "action-plan"),
    ("Plan of Action", "action-plan"),
    ("Pelan Tindakan", "action-plan"),
    ("work-plan", "work-plan"),
    ("work plan", "work-plan"),
    ("Pelan Kerja", "work-plan"),
    ("work-programme", "work-programme"),
    ("work_programme", "work-programme"),
    ("Work Programme", "work-programme"),
    ("Work Program", "work-programme"),
    ("Program Kerja", "work-programme"),
    ("other", "other"),
    ("Other", "other"),
    ("Dokumen seumpamanya", "other"),
    ("lain-lain", "other"),
    ("Lain Lain", "other"),
    ("  mou  ", "mou"),
]

LEVEL_INPUTS = [
    ("bilateral", "bilateral"),
    ("Bilateral", "bilateral"),
    ("dua hala", "bilateral"),
    ("Dua Hala", "bilateral"),
    ("dua-hala", "bilateral"),
    ("duahala", "bilateral"),
    ("multilateral", "multilateral"),
    ("pelbagai hala", "multilateral"),
    ("Pelbagai Hala", "multilateral"),
    ("regional", "regional"),
    ("serantau", "regional"),
    ("SERANTAU", "regional"),
]


def test_types_are_the_design_types_in_order() -> None:
    assert [(t.id, t.ms, t.en) for t in TYPES] == DESIGN_TYPES


def test_types_are_frozen() -> None:
    with pytest.raises(AttributeError):
        TYPES[0].id = "x"  # type: ignore[misc]


@pytest.mark.parametrize(("text", "type_id"), TYPE_INPUTS)
def test_resolve_type(text: str, type_id: str) -> None:
    assert resolve_type(text) == type_id


@pytest.mark.parametrize(("type_id", "ms", "en"), DESIGN_TYPES)
def test_type_names(type_id: str, ms: str, en: str) -> None:
    assert type_name_ms(type_id) == ms
    assert type_name_en(type_id) == en
    names = type_names(type_id)
    assert names[:2] == [ms, en]
    for name in names:
        assert resolve_type(name) == type_id


def test_type_names_include_aliases() -> None:
    assert {"MOU", "memorandum"} <= set(type_names("mou"))
    assert "Protokol Kerjasama" in type_names("protocol")
    assert "Action Plan" in type_names("action-plan")
    assert "Work Program" in type_names("work-programme")
    assert "lain-lain" in type_names("other")


def test_typo_in_type_suggests_the_close_name() -> None:
    with pytest.raises(UnknownType) as err:
        resolve_type("Memorandom")
    message = str(err.value)
    assert message.startswith("unknown instrument type 'Memorandom'; did you mean: ")
    assert "emorandum" in message
    assert message.endswith("?")


def test_unknown_type_with_nothing_close_lists_the_ids() -> None:
    with pytest.raises(UnknownType) as err:
        resolve_type("zzzz")
    message = str(err.value)
    assert message.startswith("unknown instrument type 'zzzz'")
    assert "did you mean" not in message
    assert all(t.id in message for t in TYPES)


@pytest.mark.parametrize("func", [type_name_ms, type_name_en, type_names])
def test_unknown_type_id_raises(func) -> None:
    with pytest.raises(UnknownType, match="unknown instrument type 'MOU'"):
        func("MOU")  # ids are stored lowercase; a name is not an id


@pytest.mark.parametrize(("text", "level"), LEVEL_INPUTS)
def test_resolve_level(text: str, level: str) -> None:
    assert resolve_level(text) == level


@pytest.mark.parametrize(
    ("level", "ms", "en"),
    [
        ("bilateral", "dua hala", "bilateral"),
        ("multilateral", "pelbagai hala", "multilateral"),
        ("regional", "serantau", "regional"),
    ],
)
def test_level_names(level: str, ms: str, en: str) -> None:
    assert level_name_ms(level) == ms
    assert level_name_en(level) == en


def test_levels_are_the_three_of_the_design() -> None:
    assert [lv.id for lv in LEVELS] == ["bilateral", "multilateral", "regional"]


def test_unknown_level_raises_unknown_type_with_level_message() -> None:
    with pytest.raises(UnknownType, match=r"^unknown level 'trilateral'"):
        resolve_level("trilateral")
    with pytest.raises(UnknownType, match=r"did you mean: multilateral"):
        resolve_level("multilaterl")
    with pytest.raises(UnknownType, match=r"^unknown level 'global'"):
        level_name_ms("global")


@pytest.mark.parametrize(
    ("countries", "level"),
    [
        ([], "multilateral"),
        (["SG"], "bilateral"),
        (["SG", "SG"], "bilateral"),
        (["SG", "MY"], "bilateral"),
        (["SG", "TH"], "multilateral"),
        (["ID", "TH", "PH"], "multilateral"),
        (["ASEAN"], "regional"),
        (["ASEAN", "JP"], "regional"),
        (["EU"], "multilateral"),  # a grouping outside our region
        (["asean"], "regional"),
    ],
)
def test_default_level(countries: list[str], level: str) -> None:
    assert default_level(countries) == level


ALL_TYPE_NAMES = sorted((name, t.id) for t in TYPES for name in (t.id, *t.names))


@settings(database=None)
@given(
    st.sampled_from(ALL_TYPE_NAMES),
    st.lists(st.booleans(), min_size=40, max_size=40),
    st.sampled_from([" ", "-", "_", "  "]),
)
def test_resolve_type_ignores_case_and_separators(
    item: tuple[str, str], flips: list[bool], sep: str
) -> None:
    name, type_id = item
    mixed = "".join(c.upper() if f else c.lower() for c, f in zip(name, flips, strict=False))
    for ch in " -_":
        mixed = mixed.replace(ch, sep)
    assert resolve_type(mixed) == type_id


@settings(database=None)
@given(st.text(max_size=30))
def test_any_text_resolves_or_raises_unknown_type(text: str) -> None:
    try:
        type_id = resolve_type(text)
    except UnknownType as err:
        assert str(err).startswith("unknown instrument type '")
    else:
        assert type_id in {t.id for t in TYPES}
