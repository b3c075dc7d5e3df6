"""The date and place of signature, from the testimonium or the closing "Done at ..." lines."""

from __future__ import annotations

import re
from datetime import date

from pipeline.filing.classify_dates import find_dates

TAIL_CHARS = 3000  # the end, where the signature block usually is


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


_MAX_TESTIMONIA = 5  # from each end of the text
_MAX_ANCHORS = 12  # "done" / "signed" read in one testimonium


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
    """The testimonia (the first and the last few: a text repeating "in witness whereof" is
    not read once per repeat) and the tail, each with where "done" / "signed" starts in it."""
    regions = []
    found = list(_TESTIMONIUM.finditer(text))
    if len(found) > 2 * _MAX_TESTIMONIA:
        found = found[:_MAX_TESTIMONIA] + found[-_MAX_TESTIMONIA:]
    for m in found:
        region = text[m.start() : m.start() + _TESTIMONIUM_SPAN]
        anchors = [a.start() for a in _ANYWHERE_ANCHOR.finditer(region)]
        regions.append((region, anchors[:_MAX_ANCHORS]))
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
