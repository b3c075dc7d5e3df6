"""The one rule that tells a negotiated text from a letter (pipeline.vocab.kinds)."""

from __future__ import annotations

import pytest

from pipeline.filing.classify import classify
from pipeline.vocab.kinds import decide_kind

LETTER = (
    "Ruj. Kami: KDN.100-1/2/3\nTarikh: 27 November 2026\n\nTuan,\n\n"
    "MEMORANDUM PERSEFAHAMAN ANTARA KERAJAAN MALAYSIA DAN KERAJAAN REPUBLIK CHILE\n\n"
    "Dengan hormatnya saya merujuk kepada perkara di atas.\n\nSekian, terima kasih.\n"
)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("MEMORANDUM OF UNDERSTANDING BETWEEN THE GOVERNMENT OF MALAYSIA AND THE GOVERNMENT OF "
         "THE REPUBLIC OF CHILE ON POLICE COOPERATION\n\nArticle 1\n", "instrument"),
        ("SURAT NIAT ANTARA KEMENTERIAN DALAM NEGERI MALAYSIA DAN KEMENTERIAN DALAM NEGERI "
         "REPUBLIK PERU MENGENAI KERJASAMA IMIGRESEN\n\n1. Peserta-Peserta berhasrat\n",
         "instrument"),
        ("TERMS OF REFERENCE OF THE JOINT WORKING GROUP BETWEEN MALAYSIA AND THE REPUBLIC OF "
         "CHILE ON TRANSNATIONAL CRIME\n\n1. Objectives\n", "instrument"),
        ("EXCHANGE OF NOTES BETWEEN MALAYSIA AND THE REPUBLIC OF PERU\n\nExcellency,\n\nI have "
         "the honour to refer to the discussions.\n", "instrument"),
        ("Excellency,\n\nI have the honour to refer to the Exchange of Notes between Malaysia "
         "and the Republic of Peru.\n\nYours sincerely,\n", "correspondence"),
        (LETTER, "correspondence"),
        ("NOTA MESYUARAT JAWATANKUASA\n\nPerkara yang dibincangkan.\n", "correspondence"),
    ],
)
def test_a_text_is_an_instrument_or_correspondence(text: str, kind: str) -> None:
    result = classify(text)
    assert decide_kind(result.type, result.countries, text) == kind
