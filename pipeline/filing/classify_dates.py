"""Dates as instruments write them, in figures or words, English or Malay ("kedua puluh tujuh")."""

from __future__ import annotations

import re
from datetime import date

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
