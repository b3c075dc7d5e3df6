"""Countries: resolve what a person types to an ISO 3166-1 alpha-2 code, and name codes back.

Cases store alpha-2 codes; people type codes, English names or Malay names in any case. pycountry
knows the codes and English names but only 71 Malay names, so the Malay name of every ISO entry
(the Malaysian form used by Wisma Putra and Dewan Bahasa dan Pustaka comes first) and the English
names people actually use live in the tables below. pycountry is imported lazily: the CLI imports
this module on every run and most runs never look a country up.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable

from pipeline.errors import UnknownCountry

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

#: Pseudo-codes for regional groupings that can be a party but are not countries.
GROUPINGS: frozenset[str] = frozenset({"ASEAN", "EU"})

# code -> (Malay names, English names); the first of each is the name shown in documents.
_GROUPING_NAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "ASEAN": (
        ("ASEAN", "Persatuan Negara-Negara Asia Tenggara", "Persatuan Negara Asia Tenggara"),
        (
            "ASEAN",
            "Association of Southeast Asian Nations",
            "Association of South East Asian Nations",
            "Association of South-East Asian Nations",
        ),
    ),
    "EU": (
        ("Kesatuan Eropah",),
        ("European Union", "EU"),
    ),
}

# Malay names of every ISO 3166-1 entry, keyed by alpha-2 code. The first name is the standard
# Malaysian form, used in letters; the rest are accepted variants (DBP spellings, pycountry's
# translations, official long forms).
_MS_NAMES: dict[str, tuple[str, ...]] = {
    "AD": ("Andorra",),
    "AE": ("Emiriah Arab Bersatu", "Emiriyah Arab Bersatu"),
    "AF": ("Afghanistan", "Republik Islam Afghanistan"),
    "AG": ("Antigua dan Barbuda",),
    "AI": ("Anguilla",),
    "AL": ("Albania", "Republik Albania"),
    "AM": ("Armenia", "Republik Armenia"),
    "AO": ("Angola", "Republik Angola"),
    "AQ": ("Antartika",),
    "AR": ("Argentina", "Republik Argentina"),
    "AS": ("Samoa Amerika",),
    "AT": ("Austria", "Republik Austria"),
    "AU": ("Australia", "Komanwel Australia"),
    "AW": ("Aruba",),
    "AX": ("Kepulauan Åland",),
    "AZ": ("Azerbaijan", "Republik Azerbaijan"),
    "BA": ("Bosnia dan Herzegovina",),
    "BB": ("Barbados",),
    "BD": ("Bangladesh", "Republik Rakyat Bangladesh"),
    "BE": ("Belgium", "Kerajaan Belgium"),
    "BF": ("Burkina Faso",),
    "BG": ("Bulgaria", "Republik Bulgaria"),
    "BH": ("Bahrain", "Kerajaan Bahrain"),
    "BI": ("Burundi", "Republik Burundi"),
    "BJ": ("Benin", "Republik Benin"),
    "BL": ("Saint Barthélemy",),
    "BM": ("Bermuda",),
    "BN": ("Brunei Darussalam", "Negara Brunei Darussalam", "Brunei"),
    "BO": ("Bolivia", "Negara Plurinasional Bolivia"),
    "BQ": ("Bonaire, Sint Eustatius dan Saba", "Belanda Caribbean"),
    "BR": ("Brazil", "Republik Persekutuan Brazil"),
    "BS": ("Bahamas", "Komanwel Bahamas"),
    "BT": ("Bhutan", "Kerajaan Bhutan"),
    "BV": ("Pulau Bouvet", "Kepulauan Bouvet"),
    "BW": ("Botswana", "Republik Botswana"),
    "BY": ("Belarus", "Republik Belarus"),
    "BZ": ("Belize",),
    "CA": ("Kanada",),
    "CC": ("Kepulauan Cocos (Keeling)", "Kepulauan Cocos"),
    "CD": ("Republik Demokratik Congo", "Republik Demokratik Kongo"),
    "CF": ("Republik Afrika Tengah",),
    "CG": ("Republik Congo", "Congo", "Kongo"),
    "CH": ("Switzerland", "Konfederasi Swiss"),
    "CI": ("Côte d'Ivoire", "Pantai Gading", "Republik Côte d'Ivoire"),
    "CK": ("Kepulauan Cook",),
    "CL": ("Chile", "Republik Chile"),
    "CM": ("Cameroon", "Kamerun", "Republik Cameroon"),
    "CN": ("China", "Republik Rakyat China", "Tanah Besar China"),
    "CO": ("Colombia", "Republik Colombia"),
    "CR": ("Costa Rica", "Republik Costa Rica"),
    "CU": ("Cuba", "Republik Cuba"),
    "CV": ("Cabo Verde", "Tanjung Verde"),
    "CW": ("Curaçao",),
    "CX": ("Pulau Krismas", "Pulau Christmas", "Kepulauan Christmas"),
    "CY": ("Cyprus", "Republik Cyprus"),
    "CZ": ("Republik Czech", "Czechia"),
    "DE": ("Jerman", "Republik Persekutuan Jerman"),
    "DJ": ("Djibouti", "Republik Djibouti"),
    "DK": ("Denmark", "Kerajaan Denmark"),
    "DM": ("Dominika", "Komanwel Dominika"),
    "DO": ("Republik Dominika", "Republik Dominican"),
    "DZ": ("Algeria", "Republik Demokratik Rakyat Algeria"),
    "EC": ("Ecuador", "Republik Ecuador"),
    "EE": ("Estonia", "Republik Estonia"),
    "EG": ("Mesir", "Republik Arab Mesir"),
    "EH": ("Sahara Barat",),
    "ER": ("Eritrea", "Negara Eritrea"),
    "ES": ("Sepanyol", "Kerajaan Sepanyol"),
    "ET": ("Ethiopia", "Republik Demokratik Persekutuan Ethiopia"),
    "FI": ("Finland", "Republik Finland"),
    "FJ": ("Fiji", "Republik Fiji"),
    "FK": ("Kepulauan Falkland", "Kepulauan Falkland (Malvinas)"),
    "FM": ("Mikronesia", "Negara-Negara Persekutuan Mikronesia"),
    "FO": ("Kepulauan Faroe",),
    "FR": ("Perancis", "Republik Perancis"),
    "GA": ("Gabon", "Republik Gabon"),
    "GB": ("United Kingdom", "Britain", "Kerajaan Bersatu", "Britain Raya", "UK"),
    "GD": ("Grenada",),
    "GE": ("Georgia",),
    "GF": ("Guiana Perancis",),
    "GG": ("Guernsey",),
    "GH": ("Ghana", "Republik Ghana"),
    "GI": ("Gibraltar",),
    "GL": ("Greenland",),
    "GM": ("Gambia", "Republik Gambia"),
    "GN": ("Guinea", "Republik Guinea"),
    "GP": ("Guadeloupe",),
    "GQ": ("Guinea Khatulistiwa", "Republik Guinea Khatulistiwa"),
    "GR": ("Greece", "Yunani", "Republik Hellenik"),
    "GS": ("Georgia Selatan dan Kepulauan Sandwich Selatan",),
    "GT": ("Guatemala", "Republik Guatemala"),
    "GU": ("Guam",),
    "GW": ("Guinea-Bissau", "Republik Guinea-Bissau"),
    "GY": ("Guyana", "Republik Guyana"),
    "HK": ("Hong Kong", "Wilayah Pentadbiran Khas Hong Kong"),
    "HM": ("Pulau Heard dan Kepulauan McDonald",),
    "HN": ("Honduras", "Republik Honduras"),
    "HR": ("Croatia", "Kroatia", "Republik Croatia"),
    "HT": ("Haiti", "Republik Haiti"),
    "HU": ("Hungary", "Hungari"),
    "ID": ("Indonesia", "Republik Indonesia"),
    "IE": ("Ireland", "Republik Ireland"),
    "IL": ("Israel", "Negara Israel"),
    "IM": ("Pulau Man",),
    "IN": ("India", "Republik India", "Hindia"),
    "IO": ("Wilayah Lautan Hindi British",),
    "IQ": ("Iraq", "Republik Iraq"),
    "IR": ("Iran", "Republik Islam Iran"),
    "IS": ("Iceland", "Republik Iceland"),
    "IT": ("Itali", "Republik Itali"),
    "JE": ("Jersey",),
    "JM": ("Jamaica", "Jamaika"),
    "JO": ("Jordan", "Kerajaan Hashemite Jordan"),
    "JP": ("Jepun",),
    "KE": ("Kenya", "Republik Kenya"),
    "KG": ("Kyrgyzstan", "Republik Kyrgyz"),
    "KH": ("Kemboja", "Kerajaan Kemboja"),
    "KI": ("Kiribati", "Republik Kiribati"),
    "KM": ("Comoros", "Kesatuan Comoros"),
    "KN": ("Saint Kitts dan Nevis",),
    "KP": ("Korea Utara", "Republik Demokratik Rakyat Korea"),
    "KR": ("Korea Selatan", "Republik Korea"),
    "KW": ("Kuwait", "Negara Kuwait"),
    "KY": ("Kepulauan Cayman",),
    "KZ": ("Kazakhstan", "Republik Kazakhstan"),
    "LA": ("Laos", "Republik Demokratik Rakyat Laos"),
    "LB": ("Lubnan", "Republik Lubnan"),
    "LC": ("Saint Lucia",),
    "LI": ("Liechtenstein",),
    "LK": ("Sri Lanka", "Republik Sosialis Demokratik Sri Lanka"),
    "LR": ("Liberia", "Republik Liberia"),
    "LS": ("Lesotho", "Kerajaan Lesotho"),
    "LT": ("Lithuania", "Republik Lithuania"),
    "LU": ("Luxembourg", "Luksembourg"),
    "LV": ("Latvia", "Republik Latvia"),
    "LY": ("Libya", "Negara Libya"),
    "MA": ("Maghribi", "Kerajaan Maghribi"),
    "MC": ("Monaco",),
    "MD": ("Moldova", "Republik Moldova"),
    "ME": ("Montenegro",),
    "MF": ("Saint Martin",),
    "MG": ("Madagascar", "Madagaskar", "Republik Madagascar"),
    "MH": ("Kepulauan Marshall", "Republik Kepulauan Marshall"),
    "MK": ("Macedonia Utara", "Republik Macedonia Utara"),
    "ML": ("Mali", "Republik Mali"),
    "MM": ("Myanmar", "Republik Kesatuan Myanmar", "Burma"),
    "MN": ("Mongolia",),
    "MO": ("Macau", "Wilayah Pentadbiran Khas Macau"),
    "MP": ("Kepulauan Mariana Utara",),
    "MQ": ("Martinique",),
    "MR": ("Mauritania", "Republik Islam Mauritania"),
    "MS": ("Montserrat",),
    "MT": ("Malta", "Republik Malta"),
    "MU": ("Mauritius", "Republik Mauritius"),
    "MV": ("Maldives", "Maldiv", "Republik Maldives"),
    "MW": ("Malawi", "Republik Malawi"),
    "MX": ("Mexico", "Meksiko"),
    "MY": ("Malaysia",),
    "MZ": ("Mozambique", "Mozambik", "Republik Mozambique"),
    "NA": ("Namibia", "Republik Namibia"),
    "NC": ("New Caledonia", "Kaledonia Baru"),
    "NE": ("Niger", "Republik Niger"),
    "NF": ("Pulau Norfolk",),
    "NG": ("Nigeria", "Republik Persekutuan Nigeria"),
    "NI": ("Nicaragua", "Republik Nicaragua"),
    "NL": ("Belanda", "Kerajaan Belanda"),
    "NO": ("Norway", "Kerajaan Norway"),
    "NP": ("Nepal",),
    "NR": ("Nauru", "Republik Nauru"),
    "NU": ("Niue",),
    "NZ": ("New Zealand", "Selandia Baru"),
    "OM": ("Oman", "Kesultanan Oman"),
    "PA": ("Panama", "Republik Panama"),
    "PE": ("Peru", "Republik Peru"),
    "PF": ("Polinesia Perancis",),
    "PG": ("Papua New Guinea", "Negara Merdeka Papua New Guinea"),
    "PH": ("Filipina", "Republik Filipina"),
    "PK": ("Pakistan", "Republik Islam Pakistan"),
    "PL": ("Poland", "Republik Poland"),
    "PM": ("Saint Pierre dan Miquelon",),
    "PN": ("Pitcairn", "Kepulauan Pitcairn"),
    "PR": ("Puerto Rico",),
    "PS": ("Palestin", "Negara Palestin"),
    "PT": ("Portugal", "Republik Portugal", "Feringgi"),
    "PW": ("Palau", "Republik Palau"),
    "PY": ("Paraguay", "Republik Paraguay"),
    "QA": ("Qatar", "Negara Qatar"),
    "RE": ("Réunion",),
    "RO": ("Romania",),
    "RS": ("Serbia", "Republik Serbia"),
    "RU": ("Rusia", "Persekutuan Rusia"),
    "RW": ("Rwanda", "Republik Rwanda"),
    "SA": ("Arab Saudi", "Kerajaan Arab Saudi"),
    "SB": ("Kepulauan Solomon",),
    "SC": ("Seychelles", "Republik Seychelles"),
    "SD": ("Sudan", "Republik Sudan"),
    "SE": ("Sweden", "Kerajaan Sweden"),
    "SG": ("Singapura", "Republik Singapura"),
    "SH": ("Saint Helena, Ascension dan Tristan da Cunha", "Saint Helena"),
    "SI": ("Slovenia", "Republik Slovenia"),
    "SJ": ("Svalbard dan Jan Mayen",),
    "SK": ("Slovakia", "Republik Slovak"),
    "SL": ("Sierra Leone", "Siera Leon", "Republik Sierra Leone"),
    "SM": ("San Marino", "Republik San Marino"),
    "SN": ("Senegal", "Republik Senegal"),
    "SO": ("Somalia", "Republik Persekutuan Somalia"),
    "SR": ("Suriname", "Surinam", "Republik Suriname"),
    "SS": ("Sudan Selatan", "Republik Sudan Selatan"),
    "ST": ("Sao Tome dan Principe",),
    "SV": ("El Salvador", "Republik El Salvador"),
    "SX": ("Sint Maarten",),
    "SY": ("Syria", "Republik Arab Syria"),
    "SZ": ("Eswatini", "Kerajaan Eswatini", "Swaziland"),
    "TC": ("Kepulauan Turks dan Caicos",),
    "TD": ("Chad", "Cad", "Republik Chad"),
    "TF": ("Wilayah Selatan Perancis",),
    "TG": ("Togo", "Republik Togo"),
    "TH": ("Thailand", "Kerajaan Thailand"),
    "TJ": ("Tajikistan", "Tadjikistan", "Republik Tajikistan"),
    "TK": ("Tokelau",),
    "TL": ("Timor-Leste", "Republik Demokratik Timor-Leste", "Timor Timur"),
    "TM": ("Turkmenistan",),
    "TN": ("Tunisia", "Republik Tunisia"),
    "TO": ("Tonga", "Kerajaan Tonga"),
    "TR": ("Turki", "Türkiye", "Republik Türkiye"),
    "TT": ("Trinidad dan Tobago", "Republik Trinidad dan Tobago"),
    "TV": ("Tuvalu",),
    "TW": ("Taiwan",),
    "TZ": ("Tanzania", "Republik Bersatu Tanzania"),
    "UA": ("Ukraine", "Ukraina"),
    "UG": ("Uganda", "Republik Uganda"),
    "UM": ("Kepulauan Terpencil Kecil Amerika Syarikat",),
    "US": ("Amerika Syarikat", "Amerika"),
    "UY": ("Uruguay", "Republik Timur Uruguay"),
    "UZ": ("Uzbekistan", "Republik Uzbekistan"),
    "VA": ("Takhta Suci", "Takhta Suci Vatican", "Vatican", "Kota Vatican"),
    "VC": ("Saint Vincent dan Grenadines",),
    "VE": ("Venezuela", "Republik Bolivarian Venezuela"),
    "VG": ("Kepulauan Virgin British",),
    "VI": ("Kepulauan Virgin Amerika Syarikat",),
    "VN": ("Vietnam", "Republik Sosialis Vietnam", "Viet Nam"),
    "VU": ("Vanuatu", "Republik Vanuatu"),
    "WF": ("Wallis dan Futuna",),
    "WS": ("Samoa", "Negara Merdeka Samoa"),
    "YE": ("Yaman", "Republik Yaman"),
    "YT": ("Mayotte",),
    "ZA": ("Afrika Selatan", "Republik Afrika Selatan"),
    "ZM": ("Zambia", "Republik Zambia"),
    "ZW": ("Zimbabwe", "Republik Zimbabwe"),
}

# English names people use beyond pycountry's name, common_name and official_name.
_EN_ALIASES: dict[str, tuple[str, ...]] = {
    "AE": ("UAE", "Emirates"),
    "AU": ("Commonwealth of Australia",),
    "BN": ("Brunei", "Nation of Brunei"),
    "BQ": ("Caribbean Netherlands",),
    "BS": ("The Bahamas",),
    "CD": ("Democratic Republic of the Congo", "DR Congo", "DRC", "Congo-Kinshasa", "Zaire"),
    "CG": ("Republic of the Congo", "Congo-Brazzaville"),
    "CI": ("Ivory Coast",),
    "CN": ("Mainland China", "PRC"),
    "CV": ("Cape Verde",),
    "CX": ("Christmas Island",),
    "CZ": ("Czech Republic",),
    "FK": ("Falkland Islands", "Malvinas"),
    "FM": ("Micronesia",),
    "GB": (
        "UK",
        "Britain",
        "Great Britain",
        "United Kingdom of Great Britain and Northern Ireland",
    ),
    "GM": ("The Gambia",),
    "HK": ("Hong Kong SAR", "Hong Kong Special Administrative Region", "Hong Kong, China"),
    "KP": ("North Korea", "DPRK", "Democratic People's Republic of Korea"),
    "KR": ("South Korea", "Republic of Korea"),
    "LA": ("Laos", "Lao PDR", "Lao People's Democratic Republic"),
    "MF": ("Saint Martin",),
    "MK": ("Macedonia", "Republic of Macedonia", "Former Yugoslav Republic of Macedonia"),
    "MM": ("Burma", "Republic of the Union of Myanmar"),
    "MO": ("Macau", "Macao SAR", "Macau SAR", "Macao, China", "Macau, China"),
    "NL": ("Holland", "The Netherlands"),
    "PH": ("The Philippines",),
    "PS": ("Palestine", "State of Palestine"),
    "RU": ("Russia",),
    "SA": ("Saudi",),
    "SG": ("Republic of Singapore",),
    "SH": ("Saint Helena",),
    "SX": ("Sint Maarten",),
    "SY": ("Syria",),
    "SZ": ("Swaziland",),
    "TH": ("Kingdom of Thailand",),
    "TL": ("East Timor", "Democratic Republic of Timor-Leste"),
    "TR": ("Turkey", "Republic of Turkey"),
    "TW": ("Chinese Taipei",),
    "US": ("USA", "US", "America", "United States of America"),
    "VA": ("Vatican", "Vatican City", "Vatican City State", "Holy See"),
    "VG": ("British Virgin Islands",),
    "VI": ("US Virgin Islands", "United States Virgin Islands"),
    "VN": ("Vietnam", "Socialist Republic of Vietnam"),
}

# The English short name shown for a code, where pycountry's name/common_name is awkward.
_EN_SHORT: dict[str, str] = {
    "BN": "Brunei",
    "CD": "Democratic Republic of the Congo",
    "CG": "Republic of the Congo",
    "FK": "Falkland Islands",
    "FM": "Micronesia",
    "MF": "Saint Martin",
    "PS": "Palestine",
    "RU": "Russia",
    "SX": "Sint Maarten",
    "VA": "Holy See",
    "VG": "British Virgin Islands",
    "VI": "United States Virgin Islands",
}

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
_NON_WORD = re.compile(r"[^\w']+|_")
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
        for variant in (key, key.replace("'", "")):
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
            _EN_SHORT.get(code, ""),
            getattr(c, "common_name", ""),
            c.name,
            getattr(c, "official_name", ""),
            *_EN_ALIASES.get(code, ()),
        ]
        _add_names(index, code, [*_MS_NAMES.get(code, ()), *english])
    for code, (ms, en) in _GROUPING_NAMES.items():
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
        return _GROUPING_NAMES[code][0][0]
    return _MS_NAMES[code][0]


def country_formal_ms(code: str) -> str:
    """The formal Malay name used in letters: KR -> "Republik Korea", US -> "Amerika Syarikat",
    JP -> "Jepun" (a state whose official name is its short name keeps it)."""
    from pipeline.vocab.formal_names import FORMAL_MS

    code = _known_code(code)
    if code in GROUPINGS:
        return _GROUPING_NAMES[code][0][0]
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
    return _EN_SHORT.get(code) or getattr(country, "common_name", None) or country.name


def country_name_en(code: str) -> str:
    """The English short name people know, e.g. KR -> "South Korea", RU -> "Russia"."""
    code = _known_code(code)
    if code in GROUPINGS:
        return _GROUPING_NAMES[code][1][0]
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
