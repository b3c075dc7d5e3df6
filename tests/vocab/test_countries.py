"""Countries: every way a person writes a country resolves to the right ISO code."""

from __future__ import annotations

import gettext
import subprocess
import sys

import pycountry
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.errors import IkaError, UnknownCountry
from pipeline.vocab.countries import (
    GROUPINGS,
    country_name_en,
    country_name_ms,
    country_names,
    is_grouping,
    join_ms,
    name_table,
    normalise,
    resolve_country,
)

ISO = list(pycountry.countries)
ISO_CODES = {c.alpha_2 for c in ISO}
ALL_CODES = {c.alpha_2.lower() for c in ISO} | {c.alpha_3.lower() for c in ISO}

# The examples DESIGN.md names, then the ones the brief lists.
ALIASES = [
    ("SG", "SG"),
    ("SGP", "SG"),
    ("Singapore", "SG"),
    ("Singapura", "SG"),
    ("Republic of Singapore", "SG"),
    ("Republik Singapura", "SG"),
    ("Korea Selatan", "KR"),
    ("South Korea", "KR"),
    ("Republic of Korea", "KR"),
    ("KR", "KR"),
    ("Amerika Syarikat", "US"),
    ("USA", "US"),
    ("Jepun", "JP"),
    ("Filipina", "PH"),
    ("Kemboja", "KH"),
    ("Arab Saudi", "SA"),
    ("Emiriah Arab Bersatu", "AE"),
    ("Turki", "TR"),
    ("Türkiye", "TR"),
    ("Rusia", "RU"),
    ("Britain", "GB"),
    ("United Kingdom", "GB"),
    # English common names
    ("North Korea", "KP"),
    ("Korea Utara", "KP"),
    ("US", "US"),
    ("America", "US"),
    ("United States", "US"),
    ("United States of America", "US"),
    ("U.S.A.", "US"),
    ("UK", "GB"),
    ("Great Britain", "GB"),
    ("United Kingdom of Great Britain and Northern Ireland", "GB"),
    ("Vietnam", "VN"),
    ("Viet Nam", "VN"),
    ("Socialist Republic of Viet Nam", "VN"),
    ("Laos", "LA"),
    ("Lao People's Democratic Republic", "LA"),
    ("Brunei", "BN"),
    ("Brunei Darussalam", "BN"),
    ("Russia", "RU"),
    ("Russian Federation", "RU"),
    ("Iran", "IR"),
    ("Syria", "SY"),
    ("Turkey", "TR"),
    ("Turkiye", "TR"),
    ("Czechia", "CZ"),
    ("Czech Republic", "CZ"),
    ("Holland", "NL"),
    ("Netherlands", "NL"),
    ("The Netherlands", "NL"),
    ("Burma", "MM"),
    ("Myanmar", "MM"),
    ("East Timor", "TL"),
    ("Timor-Leste", "TL"),
    ("Timor Leste", "TL"),
    ("Ivory Coast", "CI"),
    ("Côte d'Ivoire", "CI"),
    ("Cote d’Ivoire", "CI"),
    ("Macedonia", "MK"),
    ("North Macedonia", "MK"),
    ("Taiwan", "TW"),
    ("Hong Kong", "HK"),
    ("Macao", "MO"),
    ("Macau", "MO"),
    ("Palestine", "PS"),
    ("Palestin", "PS"),
    ("Vatican", "VA"),
    ("Holy See", "VA"),
    # official long forms
    ("People's Republic of China", "CN"),
    ("Peoples Republic of China", "CN"),
    ("Kingdom of Thailand", "TH"),
    ("Republic of the Philippines", "PH"),
    ("Kingdom of Saudi Arabia", "SA"),
    ("Republic of Indonesia", "ID"),
    ("Commonwealth of Australia", "AU"),
    ("Japan", "JP"),
    ("New Zealand", "NZ"),
    # Malay names
    ("Korea Selatan", "KR"),
    ("Amerika Syarikat", "US"),
    ("Belanda", "NL"),
    ("Perancis", "FR"),
    ("Jerman", "DE"),
    ("Sepanyol", "ES"),
    ("Itali", "IT"),
    ("Switzerland", "CH"),
    ("Mesir", "EG"),
    ("Iraq", "IQ"),
    ("Pakistan", "PK"),
    ("Bangladesh", "BD"),
    ("Sri Lanka", "LK"),
    ("Thailand", "TH"),
    ("Indonesia", "ID"),
    ("China", "CN"),
    ("Republik Rakyat China", "CN"),
    ("India", "IN"),
    ("Australia", "AU"),
    ("Afrika Selatan", "ZA"),
    ("Maghribi", "MA"),
    ("Algeria", "DZ"),
    ("Yaman", "YE"),
    ("Oman", "OM"),
    ("Qatar", "QA"),
    ("Kuwait", "KW"),
    ("Bahrain", "BH"),
    ("Jordan", "JO"),
    ("Lubnan", "LB"),
    ("Greece", "GR"),
    ("Yunani", "GR"),
    ("Cyprus", "CY"),
    ("Denmark", "DK"),
    ("Sweden", "SE"),
    ("Norway", "NO"),
    ("Finland", "FI"),
    ("Poland", "PL"),
    ("Austria", "AT"),
    ("Hungary", "HU"),
    ("Romania", "RO"),
    ("Ukraine", "UA"),
    ("Kazakhstan", "KZ"),
    ("Uzbekistan", "UZ"),
    ("Kanada", "CA"),
    ("Mexico", "MX"),
    ("Brazil", "BR"),
    ("Argentina", "AR"),
    ("Chile", "CL"),
    ("Peru", "PE"),
    ("Colombia", "CO"),
    ("Nigeria", "NG"),
    ("Kenya", "KE"),
    ("Ethiopia", "ET"),
    ("Sudan", "SD"),
    ("Somalia", "SO"),
    ("Tanzania", "TZ"),
    ("Afghanistan", "AF"),
    ("Nepal", "NP"),
    ("Maldives", "MV"),
    ("Mongolia", "MN"),
    ("Ireland", "IE"),
    ("Malaysia", "MY"),
    # accents optional, either way
    ("Curaçao", "CW"),
    ("Curacao", "CW"),
    ("Réunion", "RE"),
    ("Reunion", "RE"),
    ("Åland Islands", "AX"),
    ("Aland Islands", "AX"),
    ("Saint Barthelemy", "BL"),
    # punctuation people type
    ("St. Lucia", "LC"),
    ("St Kitts and Nevis", "KN"),
    ("Antigua & Barbuda", "AG"),
    ("Trinidad dan Tobago", "TT"),
    ("Korea, Republic of", "KR"),
    ("Guinea Bissau", "GW"),
]

GROUPING_ALIASES = [
    ("ASEAN", "ASEAN"),
    ("asean", "ASEAN"),
    ("Association of Southeast Asian Nations", "ASEAN"),
    ("Association of South East Asian Nations", "ASEAN"),
    ("Persatuan Negara-Negara Asia Tenggara", "ASEAN"),
    ("EU", "EU"),
    ("European Union", "EU"),
    ("Kesatuan Eropah", "EU"),
]


@pytest.mark.parametrize(("text", "code"), ALIASES + GROUPING_ALIASES)
def test_alias_resolves(text: str, code: str) -> None:
    assert resolve_country(text) == code


@pytest.mark.parametrize(("text", "code"), ALIASES)
def test_alias_resolves_in_any_case_with_surrounding_noise(text: str, code: str) -> None:
    assert resolve_country(text.upper()) == code
    assert resolve_country(text.lower()) == code
    assert resolve_country(f"  {text}.  ") == code
    assert resolve_country(f"({text})") == code


@pytest.mark.parametrize("country", ISO, ids=lambda c: c.alpha_2)
def test_every_iso_country_round_trips(country) -> None:
    code = country.alpha_2
    assert resolve_country(code) == code
    assert resolve_country(code.lower()) == code
    assert resolve_country(country.alpha_3) == code
    assert resolve_country(country.name) == code
    for attr in ("common_name", "official_name"):
        if hasattr(country, attr):
            assert resolve_country(getattr(country, attr)) == code
    assert resolve_country(country_name_en(code)) == code


@pytest.mark.parametrize("country", ISO, ids=lambda c: c.alpha_2)
def test_every_iso_country_has_a_malay_name(country) -> None:
    code = country.alpha_2
    name = country_name_ms(code)
    assert name and name == name.strip()
    assert resolve_country(name) == code
    assert name in country_names(code)


def test_pycountry_malay_translations_resolve_too() -> None:
    ms = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["ms"])
    translated = [(c.alpha_2, ms.gettext(c.name)) for c in ISO if ms.gettext(c.name) != c.name]
    assert len(translated) > 60
    for code, name in translated:
        assert resolve_country(name) == code, name


@pytest.mark.parametrize("code", sorted(ISO_CODES | GROUPINGS))
def test_every_name_of_a_code_resolves_back_to_it(code: str) -> None:
    names = country_names(code)
    assert names
    assert len({normalise(n) for n in names}) == len(names)
    for name in names:
        assert normalise(name) not in ALL_CODES
        assert resolve_country(name) == code


@pytest.mark.parametrize(
    ("code", "ms", "en"),
    [
        ("KR", "Korea Selatan", "South Korea"),
        ("KP", "Korea Utara", "North Korea"),
        ("SG", "Singapura", "Singapore"),
        ("US", "Amerika Syarikat", "United States"),
        ("JP", "Jepun", "Japan"),
        ("NZ", "New Zealand", "New Zealand"),
        ("AU", "Australia", "Australia"),
        ("CN", "China", "China"),
        ("GB", "United Kingdom", "United Kingdom"),
        ("PH", "Filipina", "Philippines"),
        ("KH", "Kemboja", "Cambodia"),
        ("SA", "Arab Saudi", "Saudi Arabia"),
        ("AE", "Emiriah Arab Bersatu", "United Arab Emirates"),
        ("TR", "Turki", "Türkiye"),
        ("RU", "Rusia", "Russia"),
        ("VN", "Vietnam", "Vietnam"),
        ("LA", "Laos", "Laos"),
        ("BN", "Brunei Darussalam", "Brunei"),
        ("TH", "Thailand", "Thailand"),
        ("ID", "Indonesia", "Indonesia"),
        ("IN", "India", "India"),
        ("PT", "Portugal", "Portugal"),
        ("NL", "Belanda", "Netherlands"),
        ("ASEAN", "ASEAN", "ASEAN"),
        ("EU", "Kesatuan Eropah", "European Union"),
    ],
)
def test_names_shown_in_letters(code: str, ms: str, en: str) -> None:
    assert country_name_ms(code) == ms
    assert country_name_en(code) == en
    assert country_name_ms(code.lower()) == ms


@pytest.mark.parametrize("func", [country_name_ms, country_name_en, country_names])
def test_unknown_code_raises(func) -> None:
    with pytest.raises(UnknownCountry, match="unknown country code 'XX'"):
        func("XX")


def test_country_names_cover_both_languages_without_codes() -> None:
    names = country_names("KR")
    assert names[0] == "Korea Selatan"
    assert {"Korea Selatan", "Republik Korea", "South Korea", "Republic of Korea"} <= set(names)
    assert "KR" not in names and "KOR" not in names
    us = country_names("US")
    assert "US" not in us and "USA" not in us
    assert {"Amerika Syarikat", "United States", "America"} <= set(us)


def test_groupings() -> None:
    assert frozenset({"ASEAN", "EU"}) == GROUPINGS
    assert is_grouping("ASEAN") and is_grouping("asean") and is_grouping("EU")
    assert not is_grouping("SG") and not is_grouping("MY")
    assert "Persatuan Negara-Negara Asia Tenggara" in country_names("ASEAN")


def test_typo_suggests_the_close_name() -> None:
    with pytest.raises(UnknownCountry) as err:
        resolve_country("Singapra")
    message = str(err.value)
    assert message.startswith("unknown country 'Singapra'; did you mean: ")
    assert "Singapura" in message
    assert message.endswith("?")


def test_suggestions_are_distinct_countries_at_most_three() -> None:
    with pytest.raises(UnknownCountry) as err:
        resolve_country("Korea")
    suggestions = str(err.value).split("did you mean: ", 1)[1].rstrip("?").split(", ")
    assert 1 <= len(suggestions) <= 3
    assert "South Korea" in suggestions and "North Korea" in suggestions
    assert len({resolve_country(s) for s in suggestions}) == len(suggestions)


@pytest.mark.parametrize("text", ["Qqqqqqq", "Xyz", "Scotland 123 zzz"])
def test_unknown_without_anything_close_has_no_suggestion(text: str) -> None:
    with pytest.raises(UnknownCountry) as err:
        resolve_country(f" {text} ")
    assert str(err.value) == f"unknown country '{text}'"


@pytest.mark.parametrize("text", ["", "   ", "...", "Scotland"])
def test_not_a_country_raises(text: str) -> None:
    with pytest.raises(UnknownCountry, match=r"^unknown country"):
        resolve_country(text)


def test_unknown_country_is_an_ika_error() -> None:
    assert issubclass(UnknownCountry, IkaError)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Côte d’Ivoire", "cote d'ivoire"),
        ("  KOREA,   Republic of  ", "korea republic of"),
        ("Timor-Leste", "timor leste"),
        ("U.S.A.", "usa"),
        ("Antigua & Barbuda", "antigua and barbuda"),
        ("Türkiye", "turkiye"),
        ("Åland", "aland"),
        ("Færøerne", "faeroerne"),
        ("'Singapura'", "singapura"),
        ("Negara-Negara_Asia", "negara negara asia"),
    ],
)
def test_normalise(text: str, expected: str) -> None:
    assert normalise(text) == expected


def test_name_table_maps_names_not_codes() -> None:
    table = name_table()
    assert table["korea selatan"] == "KR"
    assert table["singapura"] == "SG"
    assert table["republic of singapore"] == "SG"
    assert table["amerika syarikat"] == "US"
    assert table["people's republic of china"] == "CN"
    assert table["asean"] == "ASEAN"
    assert table["kesatuan eropah"] == "EU"
    assert table["turkiye"] == "TR"
    for word in ("us", "usa", "my", "mys", "and", "can", "per", "ind", "eu", "sg", "sgp", "cad"):
        assert word not in table
    assert not set(table) & ALL_CODES
    assert set(table.values()) <= ISO_CODES | GROUPINGS
    assert set(table.values()) == ISO_CODES | GROUPINGS
    for key in table:
        assert normalise(key) == key


def test_name_table_is_a_copy() -> None:
    name_table()["korea selatan"] = "XX"
    assert name_table()["korea selatan"] == "KR"


@pytest.mark.parametrize(
    ("names", "joined"),
    [
        ([], ""),
        (["Singapura"], "Singapura"),
        (["Singapura", "Thailand"], "Singapura dan Thailand"),
        (["Singapura", "Thailand", "Jepun"], "Singapura, Thailand dan Jepun"),
        (["A", "B", "C", "D"], "A, B, C dan D"),
    ],
)
def test_join_ms(names: list[str], joined: str) -> None:
    assert join_ms(names) == joined


def test_import_does_not_load_pycountry() -> None:
    code = "import sys, pipeline.vocab.countries; print('pycountry' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


NAMES = sorted(name_table().items())


def _mixed_case(name: str) -> st.SearchStrategy[str]:
    flips = st.lists(st.booleans(), min_size=len(name), max_size=len(name))
    return flips.map(
        lambda fs: "".join(c.upper() if f else c for c, f in zip(name, fs, strict=True))
    )


@settings(database=None, max_examples=300)
@given(st.sampled_from(NAMES).flatmap(lambda kv: st.tuples(st.just(kv[1]), _mixed_case(kv[0]))))
def test_every_name_resolves_in_any_case(case: tuple[str, str]) -> None:
    code, text = case
    assert resolve_country(text) == code


@settings(database=None)
@given(
    st.sampled_from(NAMES),
    st.text(alphabet=' \t.,;:()[]"-!?', max_size=4),
    st.text(alphabet=' \t.,;:()[]"-!?', max_size=4),
)
def test_surrounding_spaces_and_punctuation_are_ignored(
    item: tuple[str, str], before: str, after: str
) -> None:
    name, code = item
    assert resolve_country(before + name + after) == code


@settings(database=None)
@given(st.text(max_size=40))
def test_any_text_resolves_or_raises_unknown_country(text: str) -> None:
    try:
        code = resolve_country(text)
    except UnknownCountry as err:
        assert str(err).startswith("unknown country '")
    else:
        assert code in ISO_CODES | GROUPINGS


@settings(database=None)
@given(st.text(max_size=60))
def test_normalise_is_idempotent(text: str) -> None:
    once = normalise(text)
    assert normalise(once) == once


@settings(database=None, max_examples=500)
@given(st.text(alphabet=" '_:´`’ʼa0.&-\t\nÅøß", max_size=40))
def test_normalise_is_idempotent_on_punctuation_and_apostrophes(text: str) -> None:
    """ "0:_´0" was "0 '0" once and "0'0" twice: a run of separators is one space."""
    once = normalise(text)
    assert normalise(once) == once
