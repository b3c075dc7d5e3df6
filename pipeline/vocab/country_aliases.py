"""Names beyond pycountry's: the groupings' names, English aliases people use, short names shown."""

from __future__ import annotations

#: Pseudo-codes for regional groupings that can be a party but are not countries.
GROUPINGS: frozenset[str] = frozenset({"ASEAN", "EU"})

# code -> (Malay names, English names); the first of each is the name shown in documents.
GROUPING_NAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
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

# English names people use beyond pycountry's name, common_name and official_name.
EN_ALIASES: dict[str, tuple[str, ...]] = {
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
EN_SHORT: dict[str, str] = {
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
