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


@pytest.mark.parametrize(
    ("text", "kind", "countries", "type_id"),
    [
        ("INTERNAL MEMORANDUM\n\nTo : Legal Division\nFrom : International Division\n"
         "Subject : EXCHANGE OF NOTES WITH THE REPUBLIC OF CHILE ON VISAS\n\n1. The Division "
         "seeks the views of the Legal Division.\n", "correspondence", {"CL"}, "other"),
        ("Tuan,\n\nDRAF PERJANJIAN DENGAN KERAJAAN REPUBLIK PERU\n\nDengan hormatnya saya "
         "merujuk kepada perkara di atas.\n\nSekian, terima kasih.\n", "correspondence",
         {"PE"}, "agreement"),
        ("Dear Colleague,\n\nThe proposed MOU with Chile on police cooperation is ready for "
         "signature.\n\nYours sincerely,\n", "correspondence", {"CL"}, "mou"),
    ],
)
def test_what_a_memo_or_letter_is_about(text: str, kind: str, countries: set, type_id) -> None:
    result = classify(text)
    assert (set(result.countries), result.type) == (countries, type_id)
    assert decide_kind(result.type, result.countries, text) == kind


def test_an_instrument_of_a_grouping_alone_is_an_instrument(ika, tmp_path) -> None:
    """A declaration of the Pacific Islands Forum names no state: the grouping is its party,
    and it is filed as an instrument."""
    import json

    text = tmp_path / "pif.txt"
    text.write_text(
        "DECLARATION OF THE PACIFIC ISLANDS FORUM ON REGIONAL SECURITY\n\nWe, the Leaders of "
        "the Pacific Islands Forum, meeting in Apia,\n\n1. Reaffirm our commitment to "
        "cooperate.\n", encoding="utf-8")
    ika("file", str(text))
    shown = json.loads(ika("show", "DOC-000001", "--json").stdout)
    assert shown["kind"] == "instrument" and shown["type"] == "declaration"


def test_a_letter_about_an_arrangement_under_an_mou_takes_the_mous_counterpart() -> None:
    """The arrangement is between two police forces, named by no country; the MOU it comes
    under names the counterpart."""
    text = (
        "Tuan,\n\nIMPLEMENTING ARRANGEMENT BETWEEN THE ROYAL MALAYSIA POLICE AND THE CARABINEROS "
        "ON LIAISON OFFICERS\n\nDengan hormatnya saya merujuk kepada perkara di atas. The "
        "Arrangement is concluded under the Memorandum of Understanding between the Government "
        "of Malaysia and the Government of the Republic of Chile on Police Cooperation.\n\n"
        "Sekian, terima kasih.\n"
    )
    result = classify(text)
    assert (set(result.countries), result.type) == ({"CL"}, "arrangement")
    assert decide_kind(result.type, result.countries, text) == "correspondence"
