"""Classification: the real corpus of instruments, and Malay and English texts with distractors.

The corpus texts name many countries in passing and quote other instruments' places and dates of
signature; only the parties and the instrument's own signature may come out.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from pipeline.filing.classify import Classification, classify, detect_language
from pipeline.filing.classify_dates import find_dates
from pipeline.filing.parties import BLOCS
from pipeline.vocab.countries import GROUPINGS, country_names, is_grouping, name_table, normalise

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
MANIFEST = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))
INSTRUMENTS = {item["name"]: item for item in MANIFEST["instruments"]}

# Where the text disagrees with the manifest's date of signature, what the text itself says.
# pta_160, pta_20, pta_334: the texts stop (at about 45,000 characters) long before their
# signature blocks, so the date is nowhere in them; the classifier must say None, not take a
# recital's date ("done at Cha-am ... 27 February 2009", "done at Marrakesh, April 15, 1994").
# pta_38: the title line names the 2002 Framework Agreement, but the body is the Agreement on
# Trade in Goods, whose own signature block reads "DONE at, Vientiane, Lao PDR this Twenty Ninth
# Day of November in the Year Two Thousand and Four"; 4 November 2002 appears only in a recital.
DATE_IN_TEXT: dict[str, tuple[date | None, str | None]] = {
    "pta_160": (None, None),
    "pta_20": (None, None),
    "pta_334": (None, None),
    "pta_38": (date(2004, 11, 29), "Vientiane"),
}
PLACE_IN_TEXT = {"BWBV0001570": "Stockholm"}


def _pdf_text(path: Path) -> str:
    """The text layer of a PDF; the project's extraction module is tested on its own."""
    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


def _corpus_text(name: str, form: str) -> str:
    path = CORPUS / "instruments" / f"{name}.{form}"
    return _pdf_text(path) if form == "pdf" else path.read_text(encoding="utf-8")


CORPUS_CASES = [
    pytest.param(name, form, id=f"{name}.{form}") for name in INSTRUMENTS for form in ("txt", "pdf")
]


@pytest.fixture(scope="module")
def corpus_results() -> dict[tuple[str, str], Classification]:
    """Each corpus text classified once; PDF extraction is the slow part."""
    return {
        (name, form): classify(_corpus_text(name, form), filename=f"{name}.{form}")
        for name in INSTRUMENTS
        for form in ("txt", "pdf")
    }


# --- (a) the real corpus ------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "form"), CORPUS_CASES)
def test_corpus_parties_type_level(corpus_results, name: str, form: str) -> None:
    expected = INSTRUMENTS[name]
    result = corpus_results[name, form]
    assert set(result.countries) == set(expected["counterparts"])
    assert result.type == expected["type"]
    assert result.level == expected["level"]
    assert result.language == "en"


@pytest.mark.parametrize(("name", "form"), CORPUS_CASES)
def test_corpus_date_of_signature(corpus_results, name: str, form: str) -> None:
    result = corpus_results[name, form]
    manifest_date = date.fromisoformat(INSTRUMENTS[name]["signed"])
    expected_date, expected_place = DATE_IN_TEXT.get(name, (manifest_date, PLACE_IN_TEXT.get(name)))
    assert result.signed_date == expected_date
    assert result.signed_place == expected_place


@pytest.mark.parametrize(("name", "form"), CORPUS_CASES)
def test_corpus_title_is_the_official_title(corpus_results, name: str, form: str) -> None:
    assert corpus_results[name, form].title == INSTRUMENTS[name]["title"]


@pytest.mark.parametrize("name", INSTRUMENTS)
def test_corpus_without_its_title_line(name: str) -> None:
    """With the title line gone, the parties come from the subtitle or the preamble."""
    body = _corpus_text(name, "txt").split("\n", 1)[1]
    result = classify(body)
    assert set(result.countries) == set(INSTRUMENTS[name]["counterparts"])
    assert result.level == INSTRUMENTS[name]["level"]


def test_corpus_groupings(corpus_results) -> None:
    """ASEAN is a party to pta_38 but not a country; nothing else has a grouping."""
    for (name, _), result in corpus_results.items():
        assert result.groupings == (("ASEAN",) if name == "pta_38" else ())


def test_manifest_date_of_pta_38_is_only_a_recital() -> None:
    """Documents the disagreement: the manifest's date is the Framework Agreement's, recalled."""
    text = _corpus_text("pta_38", "txt")
    recital = text.index("RECALLING the Framework Agreement")
    dates = [d for _, d in find_dates(text)]
    assert date.fromisoformat(INSTRUMENTS["pta_38"]["signed"]) in dates
    assert text.index("4th day of November 2002") > recital
    assert classify(text).signed_date == date(2004, 11, 29)


# --- (b) Malay instruments ----------------------------------------------------------------------


@dataclass(frozen=True)
class Expect:
    countries: set[str]
    type: str
    level: str
    signed: date | None
    place: str | None
    groupings: tuple[str, ...] = ()
    language: str = "ms"


MOU_INDONESIA = """\
MEMORANDUM PERSEFAHAMAN
ANTARA
KERAJAAN MALAYSIA
DAN
KERAJAAN REPUBLIK INDONESIA
MENGENAI PENGAMBILAN DAN PERLINDUNGAN PEKERJA DOMESTIK INDONESIA

Kerajaan Malaysia dan Kerajaan Republik Indonesia (selepas ini disebut secara bersama sebagai
"Para Pihak" dan secara sendirian sebagai "Pihak");

MENYEDARI hubungan baik yang telah lama terjalin antara kedua-dua negara dan pengalaman Filipina,
Kemboja dan Thailand dalam menguruskan pekerja asing;

MENGAMBIL KIRA Deklarasi ASEAN mengenai Perlindungan dan Promosi Hak Pekerja Asing yang
ditandatangani di Cebu, Filipina pada 13 Januari 2007;

TELAH BERSETUJU seperti yang berikut:

Perkara 1
Objektif
Memorandum Persefahaman ini bertujuan untuk menetapkan rangka kerja bagi pengambilan pekerja
domestik dari Indonesia ke Malaysia dengan cara yang teratur dan selamat.

Perkara 2
Kuat Kuasa
Memorandum Persefahaman ini hendaklah berkuat kuasa pada tarikh ia ditandatangani dan kekal
berkuat kuasa bagi tempoh lima tahun.

SEBAGAI MENYAKSIKAN HAL DI ATAS, yang bertandatangan di bawah ini, yang diberi kuasa dengan
sewajarnya oleh Kerajaan masing-masing, telah menandatangani Memorandum Persefahaman ini.

Dibuat di Bangkok pada 27 November 2026 dalam dua naskhah asal dalam bahasa Melayu, bahasa
Indonesia dan bahasa Inggeris, semua teks adalah sama sahihnya.
"""

MOU_KOREA = """\
MEMORANDUM PERSEFAHAMAN ANTARA KEMENTERIAN DALAM NEGERI MALAYSIA DAN KEMENTERIAN KESELAMATAN AWAM
REPUBLIK KOREA MENGENAI KERJASAMA DALAM MENCEGAH DAN MEMBANTERAS JENAYAH RENTAS SEMPADAN

Kementerian Dalam Negeri Malaysia dan Kementerian Keselamatan Awam Republik Korea (selepas ini
disebut sebagai "Para Peserta");

MENGINGATI kerjasama yang sedia ada dengan Jepun, Republik Rakyat China dan Amerika Syarikat
dalam bidang penguatkuasaan undang-undang;

BERHASRAT untuk mengukuhkan kerjasama dalam membanteras pemerdagangan orang, penyeludupan
migran dan jenayah siber di rantau Asia Timur;

TELAH MENCAPAI persefahaman yang berikut:

Perenggan 1
Para Peserta hendaklah bertukar maklumat mengenai jenayah rentas sempadan mengikut undang-undang
masing-masing.

Dibuat di Tokyo pada hari kedua puluh tujuh bulan Mac tahun dua ribu dua puluh lima, dalam dua
naskhah asal dalam bahasa Melayu, bahasa Korea dan bahasa Inggeris.
"""

MOU_THAILAND = """\
Memorandum Persefahaman mengenai Kerjasama Keselamatan Sempadan

Kerajaan Malaysia dan Kerajaan Thailand, yang selepas ini disebut secara bersama sebagai
"Pihak-Pihak";

Menyedari bahawa sempadan darat antara kedua-dua negara bersempadan juga dengan Myanmar dan
Laos di utara;

Merujuk kepada Perjanjian Sempadan yang ditandatangani di Singapura pada 9 Julai 1990;

Telah bersetuju seperti yang berikut:

Perkara 1
Pihak-Pihak hendaklah menubuhkan Jawatankuasa Sempadan Bersama yang bermesyuarat sekali setahun
secara bergilir di Malaysia dan di Thailand.

Dibuat di Vientiane pada 5 Ogos 2025 dalam dua naskhah asal dalam bahasa Melayu, bahasa Thai
dan bahasa Inggeris.
"""

PELAN_TINDAKAN_ASEAN = """\
PELAN TINDAKAN ASEAN
MENGENAI PEMBANTERASAN JENAYAH RENTAS SEMPADAN 2026-2030

Kami, Menteri-Menteri ASEAN yang bertanggungjawab bagi jenayah rentas sempadan, yang
bermesyuarat di Manila, Filipina, dengan kehadiran rakan dialog Australia, Jepun, Republik
Korea dan Amerika Syarikat;

Dengan ini menerima pakai Pelan Tindakan ini untuk tempoh 2026 hingga 2030.

Bahagian 1
Negara Anggota ASEAN hendaklah meningkatkan pertukaran maklumat dan latihan bersama antara
agensi penguatkuasaan undang-undang masing-masing.

Diterima pakai di Manila pada 12 Oktober 2026.
"""

PROTOKOL_SINGAPURA = """\
PROTOKOL UNTUK MEMINDA PERJANJIAN ANTARA KERAJAAN MALAYSIA DAN KERAJAAN REPUBLIK SINGAPURA
BAGI MENGELAKKAN PERCUKAIAN DUA KALI DAN MENCEGAH PELARIAN FISKAL

Kerajaan Malaysia dan Kerajaan Republik Singapura;

Berhasrat untuk meminda Perjanjian yang ditandatangani di Singapura pada 5 Oktober 2004, seperti
yang digunakan juga dalam perjanjian yang serupa dengan Brunei Darussalam dan Indonesia;

Telah bersetuju seperti yang berikut:

Perkara I
Perkara 4 Perjanjian hendaklah dipotong dan digantikan dengan yang berikut.

SEBAGAI MENYAKSIKAN HAL DI ATAS, yang bertandatangan di bawah ini, yang diberi kuasa dengan
sewajarnya, telah menandatangani Protokol ini.

Dibuat dalam dua naskhah di Jakarta pada 3 Februari 2026 dalam bahasa Melayu dan bahasa Inggeris.
"""

KONVENSYEN_MARITIM = """\
KONVENSYEN ANTARA KERAJAAN MALAYSIA, KERAJAAN REPUBLIK INDONESIA DAN KERAJAAN REPUBLIK FILIPINA
MENGENAI KESELAMATAN MARITIM DI LAUT SULU DAN LAUT SULAWESI

Kerajaan Malaysia, Kerajaan Republik Indonesia dan Kerajaan Republik Filipina, selepas ini
disebut sebagai "Negara-Negara Pihak";

Menyedari ancaman penculikan dan rompakan di laut yang turut menjejaskan kapal dari Viet Nam,
China dan Jepun;

Telah bersetuju seperti yang berikut:

Perkara 1
Negara-Negara Pihak hendaklah menjalankan rondaan maritim terselaras.

Ditandatangani di Tokyo pada 2026-03-15.
"""

MALAY_CASES = {
    "mou-indonesia": (
        MOU_INDONESIA,
        Expect({"ID"}, "mou", "bilateral", date(2026, 11, 27), "Bangkok"),
    ),
    "mou-korea": (
        MOU_KOREA,
        Expect({"KR"}, "mou", "bilateral", date(2025, 3, 27), "Tokyo"),
    ),
    "mou-thailand": (
        MOU_THAILAND,
        Expect({"TH"}, "mou", "bilateral", date(2025, 8, 5), "Vientiane"),
    ),
    "pelan-tindakan-asean": (
        PELAN_TINDAKAN_ASEAN,
        Expect(set(), "action-plan", "regional", date(2026, 10, 12), "Manila", ("ASEAN",)),
    ),
    "protokol-singapura": (
        PROTOKOL_SINGAPURA,
        Expect({"SG"}, "protocol", "bilateral", date(2026, 2, 3), "Jakarta"),
    ),
    "konvensyen-maritim": (
        KONVENSYEN_MARITIM,
        Expect({"ID", "PH"}, "convention", "multilateral", date(2026, 3, 15), "Tokyo"),
    ),
}


def _check(result: Classification, expect: Expect) -> None:
    assert set(result.countries) == expect.countries
    assert result.groupings == expect.groupings
    assert result.type == expect.type
    assert result.level == expect.level
    assert result.signed_date == expect.signed
    assert result.signed_place == expect.place
    assert result.language == expect.language
    assert "MY" not in result.countries


@pytest.mark.parametrize("case", MALAY_CASES)
def test_malay_instruments(case: str) -> None:
    text, expect = MALAY_CASES[case]
    _check(classify(text), expect)


def test_malay_title_spans_lines() -> None:
    result = classify(MOU_INDONESIA)
    assert result.title == (
        "MEMORANDUM PERSEFAHAMAN ANTARA KERAJAAN MALAYSIA DAN KERAJAAN REPUBLIK INDONESIA "
        "MENGENAI PENGAMBILAN DAN PERLINDUNGAN PEKERJA DOMESTIK INDONESIA"
    )


def test_malay_preamble_names_the_parties_when_the_title_does_not() -> None:
    assert classify(MOU_THAILAND).title == (
        "Memorandum Persefahaman mengenai Kerjasama Keselamatan Sempadan"
    )
    assert classify(MOU_THAILAND).countries == ("TH",)


# --- (c) English instruments with distractors ---------------------------------------------------

MOU_INDONESIA_EN = """\
MEMORANDUM OF UNDERSTANDING BETWEEN THE GOVERNMENT OF MALAYSIA AND THE GOVERNMENT OF THE
REPUBLIC OF INDONESIA ON THE RECRUITMENT AND PLACEMENT OF INDONESIAN DOMESTIC WORKERS

The Government of Malaysia and the Government of the Republic of Indonesia (hereinafter referred
to as "the Parties");

RECALLING the ASEAN Declaration on the Protection and Promotion of the Rights of Migrant Workers
signed at Cebu, the Philippines, on 13 January 2007;

NOTING the experience of Thailand, Singapore and Brunei Darussalam in this field;

HAVE AGREED as follows:

Article 1
The Parties shall cooperate in accordance with their laws.

IN WITNESS WHEREOF, the undersigned, being duly authorised by their respective Governments, have
signed this Memorandum of Understanding.

Done at Singapore on 22 May 2012 in two originals in the Malay, Indonesian and English languages.
"""

FTA_NEW_ZEALAND_EN = """\
FREE TRADE AGREEMENT BETWEEN THE GOVERNMENT OF NEW ZEALAND AND THE GOVERNMENT OF MALAYSIA

New Zealand and Malaysia, hereinafter referred to as "the Parties":

Building on their rights under the Marrakesh Agreement Establishing the World Trade Organization,
done at Marrakesh on 15 April 1994, and the agreements of Australia, Chile and Singapore;

Have agreed as follows:

Article 1.1
The Parties hereby establish a free trade area.

IN WITNESS WHEREOF the undersigned, being duly authorised by their respective Governments, have
signed this Agreement on the twenty-sixth day of October 2009.

Signed at Wellington in duplicate in the English language.
"""

PROTOCOL_JAPAN_EN = """\
PROTOCOL
TO AMEND THE
AGREEMENT BETWEEN JAPAN AND MALAYSIA
FOR AN ECONOMIC PARTNERSHIP

Japan and Malaysia,

Desiring to amend the Agreement signed at Kuala Lumpur on 13 December 2005, and mindful of the
Framework for Comprehensive Economic Partnership between Japan and ASEAN signed in Bali,
Indonesia, on 8 October 2003;

Have agreed as follows:

Article 1
Annex 2 to the Agreement shall be amended as set out in the Schedule to this Protocol.

DONE IN DUPLICATE AT TOKYO THIS 13TH DAY OF DECEMBER 2015 IN THE ENGLISH LANGUAGE.
"""

ASEAN_CHINA_EN = """\
Framework Agreement on Comprehensive Economic Co-operation between the Association of South East
Asian Nations and the People's Republic of China

The Governments of Brunei Darussalam, the Kingdom of Cambodia, the Republic of Indonesia, the
Lao People's Democratic Republic, Malaysia, the Union of Myanmar, the Republic of the
Philippines, the Republic of Singapore, the Kingdom of Thailand and the Socialist Republic of Viet
Nam, Member States of the Association of South East Asian Nations, and the People's Republic of
China;

RECALLING the meeting of the leaders held in Bandar Seri Begawan, Brunei Darussalam, in 2001;

HAVE AGREED AS FOLLOWS:

Article 1
The Parties shall strengthen economic co-operation.

IN WITNESS WHEREOF, we have signed this Framework Agreement.

DONE at Phnom Penh, Cambodia this Fourth Day of November in the Year Two Thousand and Two.
"""

MINISTRIES_EN = """\
MEMORANDUM OF UNDERSTANDING

BETWEEN

THE MINISTRY OF HOME AFFAIRS OF MALAYSIA

AND

THE MINISTRY FOR FOREIGN AFFAIRS OF THE KINGDOM OF SWEDEN

ON COOPERATION IN MIGRATION MANAGEMENT

The Ministry of Home Affairs of Malaysia and the Ministry for Foreign Affairs of the Kingdom of
Sweden, hereinafter referred to as "the Participants",

Noting the cooperation of both with Norway, Denmark and Finland;

Have reached the following understanding:

Paragraph 1
The Participants will exchange information on migration.

Signed at Oslo on 1 June 2024.
"""

WATER_CONVENTION_EN = """\
Convention on the Protection and Use of Transboundary Watercourses in Southeast Asia

The States Parties to this Convention,

Mindful of the experience of the Mekong River Commission, whose members are Cambodia, Lao PDR,
Thailand and Viet Nam, and of the agreements between India and Bangladesh;

Have agreed as follows:

Article 1
This Convention shall be open for signature by all States at the United Nations Headquarters in
New York, and thereafter open for accession.

Article 2
Any State may accede to this Convention.
"""

RECITAL_ONLY_EN = """\
AGREEMENT BETWEEN THE GOVERNMENT OF MALAYSIA AND THE GOVERNMENT OF AUSTRALIA ON SEA TRANSPORT

The Government of Malaysia and the Government of Australia (hereinafter "the Parties"),

Recalling the Agreement Establishing the ASEAN-Australia-New Zealand Free Trade Area done at
Cha-am, Thailand on 27 February 2009;

Have agreed as follows:

Article 1
Each Party shall accord to ships of the other Party the treatment it accords to its own ships.
"""

ENGLISH_CASES = {
    "mou-indonesia": (
        MOU_INDONESIA_EN,
        Expect({"ID"}, "mou", "bilateral", date(2012, 5, 22), "Singapore", language="en"),
    ),
    "fta-new-zealand": (
        FTA_NEW_ZEALAND_EN,
        Expect({"NZ"}, "agreement", "bilateral", date(2009, 10, 26), "Wellington", language="en"),
    ),
    "protocol-japan": (
        PROTOCOL_JAPAN_EN,
        Expect({"JP"}, "protocol", "bilateral", date(2015, 12, 13), "Tokyo", language="en"),
    ),
    "asean-china": (
        ASEAN_CHINA_EN,
        Expect({"CN"}, "agreement", "regional", date(2002, 11, 4), "Phnom Penh", ("ASEAN",), "en"),
    ),
    "ministries-sweden": (
        MINISTRIES_EN,
        Expect({"SE"}, "mou", "bilateral", date(2024, 6, 1), "Oslo", language="en"),
    ),
    "open-convention": (
        WATER_CONVENTION_EN,
        Expect(set(), "convention", "multilateral", None, None, language="en"),
    ),
    "recital-date-only": (
        RECITAL_ONLY_EN,
        Expect({"AU"}, "agreement", "bilateral", None, None, language="en"),
    ),
}


@pytest.mark.parametrize("case", ENGLISH_CASES)
def test_english_instruments(case: str) -> None:
    text, expect = ENGLISH_CASES[case]
    _check(classify(text), expect)


def test_title_laid_out_over_many_lines() -> None:
    assert classify(MINISTRIES_EN).title == (
        "MEMORANDUM OF UNDERSTANDING BETWEEN THE MINISTRY OF HOME AFFAIRS OF MALAYSIA AND THE "
        "MINISTRY FOR FOREIGN AFFAIRS OF THE KINGDOM OF SWEDEN ON COOPERATION IN MIGRATION "
        "MANAGEMENT"
    )
    assert classify(PROTOCOL_JAPAN_EN).title == (
        "PROTOCOL TO AMEND THE AGREEMENT BETWEEN JAPAN AND MALAYSIA FOR AN ECONOMIC PARTNERSHIP"
    )


@pytest.mark.parametrize(
    ("title", "countries", "level"),
    [
        (
            "Agreement between Malaysia, the Republic of Indonesia and the Kingdom of Thailand "
            "on the Growth Triangle",
            {"ID", "TH"},
            "multilateral",
        ),
        (
            "Agreement between the Government of Malaysia and the Government of the Hong Kong "
            "Special Administrative Region of the People's Republic of China concerning Air "
            "Services",
            {"HK"},
            "bilateral",
        ),
        (
            "Treaty between Malaysia and the Democratic People's Republic of Korea on Extradition",
            {"KP"},
            "bilateral",
        ),
        (
            "Perjanjian antara Kerajaan Malaysia dan Kerajaan Republik Turki berhubung "
            "Pengecualian Visa",
            {"TR"},
            "bilateral",
        ),
        (
            "Memorandum Persefahaman antara Kerajaan Malaysia dan Kerajaan Emiriah Arab Bersatu "
            "mengenai Kerjasama Keselamatan",
            {"AE"},
            "bilateral",
        ),
        (
            "Joint Declaration between ASEAN and Japan on Cooperation to Combat Terrorism",
            {"JP"},
            "regional",
        ),
        ("Japan-Singapore Economic Partnership Agreement", {"JP", "SG"}, "bilateral"),
        ("Singapore Convention on Mediation", set(), None),  # a place in the name, no party
        (
            "Memorandum of Understanding between the Ministry of Home Affairs of Malaysia and "
            "the International Organization for Migration",
            set(),
            None,  # an organisation is no country; the officer sets the level
        ),
    ],
)
def test_parties_from_titles(title: str, countries: set[str], level: str | None) -> None:
    result = classify(f"{title}\n\nThe Parties shall cooperate in accordance with their laws.")
    assert (set(result.countries), result.level) == (countries, level)


def test_title_argument_overrides_the_text() -> None:
    title = "Protocol between Malaysia and the Kingdom of Thailand"
    result = classify(MOU_INDONESIA_EN, title=title)
    assert result.title == title
    assert (result.type, result.countries) == ("protocol", ("TH",))


def test_filename_is_the_last_resort() -> None:
    body = "The Parties shall cooperate in the field of narcotics control and shall meet yearly."
    result = classify(body, filename="inbox/MoU_Kemboja_2026.pdf")
    assert (result.type, result.countries, result.level) == ("mou", ("KH",), "bilateral")


def test_text_calls_itself_when_no_title_type() -> None:
    text = "Kerajaan Malaysia dan Kerajaan Jepun\n\nPerjanjian ini berkuat kuasa pada tarikh ini."
    result = classify(text)
    assert (result.type, result.countries) == ("agreement", ("JP",))


def test_nothing_to_go_on() -> None:
    result = classify("")
    assert result == Classification((), (), None, None, None, None, "und", None)


# --- language and dates -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "language"),
    [
        (MOU_THAILAND, "ms"),
        (MOU_INDONESIA_EN, "en"),
        ("12345 67890", "und"),
        ("Kerajaan Malaysia", "und"),
    ],
)
def test_language(text: str, language: str) -> None:
    assert detect_language(text) == language


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Done at Kuala Lumpur on 22 May 2012", date(2012, 5, 22)),
        ("Done in duplicate at Kuala Lumpur this 13th day of December 2005", date(2005, 12, 13)),
        ("signed on the twenty-sixth day of October 2009", date(2009, 10, 26)),
        ("this Twenty Ninth Day of November in the Year Two Thousand and Four", date(2004, 11, 29)),
        ("Dibuat di Putrajaya pada 27 November 2026", date(2026, 11, 27)),
        ("pada 1 Disember 2026", date(2026, 12, 1)),
        ("pada 17 haribulan Ogos 2026", date(2026, 8, 17)),
        ("pada hari kedua puluh tujuh bulan Mac tahun dua ribu dua puluh lima", date(2025, 3, 27)),
        ("done at Marrakesh, April 15, 1994", date(1994, 4, 15)),
        ("on 2026-11-27", date(2026, 11, 27)),
        ("Julai 31 2026 or 31 Jun 2026", date(2026, 7, 31)),  # 31 June does not exist
    ],
)
def test_find_dates(text: str, expected: date) -> None:
    assert find_dates(text)[0][1] == expected


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_never_fails_and_never_names_malaysia(text: str) -> None:
    result = classify(text)
    assert result.language in {"ms", "en", "und"}
    assert "MY" not in result.countries
    assert not set(result.countries) & set(result.groupings)


MALAY_MONTHS = (
    "Januari", "Februari", "Mac", "April", "Mei", "Jun",
    "Julai", "Ogos", "September", "Oktober", "November", "Disember",
)  # fmt: skip


@settings(max_examples=100, deadline=None)
@given(st.dates(min_value=date(1950, 1, 1), max_value=date(2099, 12, 31)))
def test_signature_block_dates_round_trip(day: date) -> None:
    month = MALAY_MONTHS[day.month - 1]
    opening = MOU_THAILAND.split("Dibuat di")[0]
    text = f"{opening}Dibuat di Putrajaya pada {day.day} {month} {day.year}."
    result = classify(text)
    assert (result.signed_date, result.signed_place) == (day, "Putrajaya")


# --- (d) parties: one synthetic text per rule ---------------------------------------------------
#
# Each rule of pipeline.filing.parties on a short text of its own; the labelled corpus measures them
# together (tests/benchmarks/classify_accuracy.py).


def _parties(text: str) -> tuple[set[str], tuple[str, ...], set[str], str | None]:
    result = classify(text)
    return set(result.countries), result.blocs, set(result.members), result.level


PREAMBLE_SHORT_FORMS = """\
AGREEMENT ON TRADE IN GOODS

PREMABLE

The Government of the Republic of Korea
("Korea")

and

the Government of the Socialist Republic of Viet Nam
(hereinafter referred to as "Viet Nam"),
hereinafter referred collectively to as the "Parties",

RECOGNISING the experience of Japan and Singapore in this field;

Have agreed as follows:

Article 1
Korea and Viet Nam shall establish a free trade area.
"""

PREAMBLE_HEREINAFTER_CALLED = """\
PREAMBULE
The Swiss Confederation (hereinafter called Switzerland)
and
The Republic of Estonia (hereinafter called Estonia),
Considering the links between Switzerland and Estonia and the Nordic countries;
HAVE AGREED AS FOLLOWS:
"""

SIGNATURE_ONLY = """\
CHAPTER 1 INITIAL PROVISIONS
1. The Parties shall establish a free trade area in accordance with this Agreement.
2. The provisions of Protocol D concerning Poland and Hungary shall apply mutatis mutandis.

IN WITNESS WHEREOF the undersigned, being duly authorised, have signed this Agreement.

DONE at Lima, this 29th day of May 2008, in duplicate in the English language.

FOR THE REPUBLIC OF PERU          FOR THE REPUBLIC OF SINGAPORE
"""

SIGNATURE_NAMES_ON_NEXT_LINE = """\
The Participants will cooperate in the field of tourism.

IN WITNESS WHEREOF the undersigned have signed this Memorandum of Understanding.

Done at Bangkok on 3 March 2020 in two originals in the English language.

For the Government of                 For the Government of
Malaysia                              Japan

______________                        _______________
Minister of Tourism                   Ambassador
"""

SIGNATURE_COLUMNS_INTERLEAVED = """\
The Parties shall cooperate.

IN WITNESS WHEREOF, the undersigned have signed this Agreement.

DONE at Washington, D.C., this fourteenth day of September, 2004

FOR THE GOVERNMENT FOR THE GOVERNMENT OF THE UNITED STATES OF THE KINGDOM OF AMERICA: OF BAHRAIN:
"""

SIGNATURE_DESIGNATIONS_MALAY = """\
Perkara 1
Para Pihak hendaklah bekerjasama dalam bidang pengurusan sempadan.

SEBAGAI MENYAKSIKAN HAL DI ATAS, yang bertandatangan di bawah ini telah menandatangani
Memorandum ini.

Dibuat di Jakarta pada 3 Februari 2026.

BAGI PIHAK
KERAJAAN MALAYSIA

BAGI PIHAK
KERAJAAN REPUBLIK SINGAPURA
"""

BETWEEN_AND = """\
MEMORANDUM OF UNDERSTANDING
BETWEEN
THE MINISTRY OF HOME AFFAIRS OF MALAYSIA
AND
THE MINISTRY OF THE INTERIOR OF THE KINGDOM OF THAILAND
ON BORDER SECURITY COOPERATION

Mindful of the cooperation of both with Myanmar and Laos;

The Participants have reached the following understanding.
"""

LIST_OF_GOVERNMENTS = """\
The Governments of Brunei Darussalam, the Kingdom of Cambodia, the Republic of Indonesia and
the Kingdom of Thailand,

Desiring to strengthen cooperation against transnational crime, as Australia and New Zealand
have done;

Have agreed as follows:
Article 1
"""

HEADS_OF_STATE_SIDES = """\
AGREEMENT

establishing an Association between the European Economic Community and Greece

PREAMBLE

HIS MAJESTY THE KING OF THE BELGIANS,
THE PRESIDENT OF THE FEDERAL REPUBLIC OF GERMANY,
THE PRESIDENT OF THE FRENCH REPUBLIC,
THE COUNCIL OF THE EUROPEAN ECONOMIC COMMUNITY,

of the one part, and
HIS MAJESTY THE KING OF THE HELLENES,
of the other part,

DETERMINED to establish ever closer bonds between the Greek people and the Community;
"""

BODY_ONLY = """\
1. The Parties shall gradually establish a free trade area in a transitional period.
2. For commercial exchanges, the Hungarian Customs Tariffs shall be applied to goods imported
into Hungary, and the Turkish Customs Tariffs to goods imported into Turkey.
3. Products originating in Hungary shall be admitted into Turkey free of customs duties, and
products originating in Turkey into Hungary, in accordance with the GATT Uruguay Round.
4. Either Party may terminate this Agreement by notifying the other Party. The Parties will
consult on the agreements both have with the European Union and with Poland.
"""

OPEN_TO_MEMBERS = """\
AGREEMENT ON THE CREATION OF A FREE-TRADE AREA

The Member States of this Agreement, hereinafter referred to as the Contracting Parties,
Confirming their adherence to free development of a mutual economic cooperation,
Hereby agreed as follows:
1. This Agreement shall be open for any Member State of the Commonwealth of Independent States
for joining. The Republic of Belarus is the depositary of this Agreement.
"""

GROUPING_CASES = {
    "benelux": (
        "The Governments of the Benelux countries and the Government of Malaysia,\n\n"
        "Noting the practice of France and Germany;\n\nHave agreed as follows:\n",
        set(), ("Benelux",), set(), "multilateral",
    ),
    "benelux-listed": (
        "The Kingdom of Belgium, the Grand Duchy of Luxembourg and the Kingdom of the Netherlands "
        '(hereinafter "the Benelux countries"), and Japan,\n\nWishing to facilitate travel;\n',
        {"JP"}, ("Benelux",), {"BE", "LU", "NL"}, "multilateral",
    ),
    "member-states-of-asean": (
        "The Governments of Brunei Darussalam, the Republic of Indonesia, Malaysia, the Republic "
        "of the Philippines, the Republic of Singapore and the Kingdom of Thailand, Member States "
        "of the Association of Southeast Asian Nations, and the Government of Japan;\n\n"
        "RECALLING the meeting held in Beijing, China;\n",
        {"JP"}, ("ASEAN",), {"BN", "ID", "PH", "SG", "TH"}, "regional",
    ),
    "ec-and-its-member-states": (
        "The European Community and its Member States, of the one part, and the Republic of "
        "Chile, of the other part,\n\nConsidering their links with Argentina;\n",
        {"CL"}, ("EU",), set(), "multilateral",
    ),
    "efta-states-listed": (
        "The Republic of Iceland, the Principality of Liechtenstein, the Kingdom of Norway, the "
        "Swiss Confederation (hereinafter called the EFTA States), on the one part,\n\nand the "
        "Republic of Croatia (hereinafter called Croatia), on the other,\n\nhereinafter "
        "collectively referred to as the Parties:\n\nRecalling the Declaration signed in Zurich;\n",
        {"HR"}, ("EFTA",), {"IS", "LI", "NO", "CH"}, "multilateral",
    ),
    "efta-states-in-parentheses": (
        "The EFTA States (Iceland, Liechtenstein, Norway and Switzerland) and Malaysia,\n\n"
        "Recalling the Declaration on Cooperation;\n",
        set(), ("EFTA",), {"IS", "LI", "NO", "CH"}, "multilateral",
    ),
    "member-states-of-the-eu": (
        "The Member States of the European Union and the Kingdom of Thailand,\n\nDesiring to "
        "cooperate in the fight against trafficking in persons;\n",
        {"TH"}, ("EU",), set(), "multilateral",
    ),
    "community-defined": (
        "The European Community, the European Coal and Steel Community and the European Atomic "
        'Energy Community, hereinafter referred to as "the Community",\n\nof the one part,\n\n'
        'and the Republic of Slovenia, hereinafter referred to as "Slovenia",\n\nof the other '
        "part,\n\nWhereas the Europe Agreement was signed in Luxembourg;\n",
        {"SI"}, ("EU",), set(), "multilateral",
    ),
}  # fmt: skip


@pytest.mark.parametrize(
    ("text", "countries", "level"),
    [
        pytest.param(PREAMBLE_SHORT_FORMS, {"KR", "VN"}, "bilateral", id="short-forms-on-lines"),
        pytest.param(PREAMBLE_HEREINAFTER_CALLED, {"CH", "EE"}, "bilateral", id="called"),
        pytest.param(SIGNATURE_ONLY, {"PE", "SG"}, "bilateral", id="signature-only"),
        pytest.param(SIGNATURE_NAMES_ON_NEXT_LINE, {"JP"}, "bilateral", id="signature-next-line"),
        pytest.param(SIGNATURE_COLUMNS_INTERLEAVED, {"US", "BH"}, "bilateral", id="columns"),
        pytest.param(SIGNATURE_DESIGNATIONS_MALAY, {"SG"}, "bilateral", id="bagi-pihak"),
        pytest.param(BETWEEN_AND, {"TH"}, "bilateral", id="between-and"),
        pytest.param(LIST_OF_GOVERNMENTS, {"BN", "KH", "ID", "TH"}, "multilateral", id="list"),
        pytest.param(BODY_ONLY, {"HU", "TR"}, "bilateral", id="body-only"),
    ],
)
def test_parties_rules(text: str, countries: set[str], level: str) -> None:
    assert _parties(text) == (countries, (), set(), level)


def test_short_forms_are_understood_later() -> None:
    """ "Korea", defined in the preamble, is the Republic of Korea in the title too."""
    text = (
        "FREE TRADE AGREEMENT BETWEEN KOREA AND CANADA\n\nPREAMBLE\n\n"
        'The Government of the Republic of Korea (hereinafter referred to as "Korea") and\n'
        "the Government of Canada (Canada),\n\nDesiring to cooperate;\n\nArticle 1\n"
    )
    result = classify(text)
    assert (set(result.countries), result.parties_from) == ({"KR", "CA"}, "title")
    assert set(classify(text.replace('(hereinafter referred to as "Korea")', "")).countries) == {
        "KR",
        "CA",
    }  # without the definition the preamble still names both


@pytest.mark.parametrize("case", GROUPING_CASES)
def test_groupings_are_reported_with_their_listed_members(case: str) -> None:
    text, countries, blocs, members, level = GROUPING_CASES[case]
    assert _parties(text) == (countries, blocs, members, level)
    result = classify(text)
    assert result.groupings == tuple(b for b in blocs if b in {"ASEAN", "EU"})
    assert "MY" not in result.members


def test_heads_of_state_on_two_sides() -> None:
    """The states on the Community's side are its members; Greece, on the other, is a party."""
    assert _parties(HEADS_OF_STATE_SIDES) == ({"GR"}, ("EU",), {"BE", "DE", "FR"}, "multilateral")


def test_open_to_the_members_of_a_grouping() -> None:
    """Belarus, the depositary, is named; the parties are only the CIS's members."""
    assert _parties(OPEN_TO_MEMBERS) == (set(), ("CIS",), set(), "multilateral")


@pytest.mark.parametrize(
    ("text", "in_passing"),
    [
        pytest.param(PREAMBLE_SHORT_FORMS, {"JP", "SG"}, id="recital"),
        pytest.param(BETWEEN_AND, {"MM", "LA"}, id="recital-after-title"),
        pytest.param(SIGNATURE_ONLY, {"PL", "HU"}, id="protocol-concerning"),
        pytest.param(LIST_OF_GOVERNMENTS, {"AU", "NZ"}, id="as-others-have-done"),
        pytest.param(BODY_ONLY, {"PL", "UY"}, id="body"),
    ],
)
def test_passing_mentions_are_not_parties(text: str, in_passing: set[str]) -> None:
    result = classify(text)
    assert not (set(result.countries) | set(result.members)) & in_passing
    assert not set(result.blocs) - {"ASEAN"}


def test_place_of_signature_and_depositary_are_not_parties() -> None:
    text = (
        "AGREEMENT ON THE CONSERVATION OF ALBATROSSES\n\nThe Parties to this Agreement,\n\n"
        "Recalling the Convention on Migratory Species;\n\nHave agreed as follows:\n\n"
        "Article 20\nThis Agreement shall be open for signature by all States. The Government of "
        "Australia shall be the Depositary.\n\nIN WITNESS WHEREOF the undersigned have signed.\n"
        "Done at Canberra, Australia, on 19 June 2001, deposited with the Government of Australia."
    )
    result = classify(text)
    assert (result.countries, result.blocs, result.level) == ((), (), "multilateral")
    assert (result.signed_place, result.signed_date) == ("Canberra", date(2001, 6, 19))


def test_a_later_place_completes_the_title() -> None:
    """A title cut by a line break names Israel only; the preamble names both."""
    text = (
        "Agreement on the Establishment of a Free Trade Area between\n\nthe Government of Israel "
        "and the Government of the United\n\nStates of America\n\n\n[PREAMBLE]\n\n\nThe "
        "Government of Israel and the Government of the United\n\nStates of America,\n\n\n"
        "Desiring to promote mutual relations;\n"
    )
    result = classify(text)
    assert (set(result.countries), result.parties_from) == ({"IL", "US"}, "preamble")


def test_hong_kong_china_is_one_party() -> None:
    result = classify("FREE TRADE AGREEMENT\nBETWEEN\nHONG KONG, CHINA\nAND\nCHILE\n\nArticle 1")
    assert (set(result.countries), result.level) == ({"HK", "CL"}, "bilateral")


# Every name of every country as written ("Côte d'Ivoire", "Kepulauan Cocos (Keeling)",
# "Bonaire, Sint Eustatius dan Saba"), but those the scanner leaves alone on purpose: two-letter
# ones ("UK") and words ("Cad"; "America", as in "Latin America").
_NOT_SCANNED = {"america", "amerika"}
COUNTRY_NAMES = sorted(
    (name, code)
    for code in sorted(set(name_table().values()))
    if not is_grouping(code) and code != "MY"
    for name in country_names(code)
    if normalise(name) in name_table()
    and normalise(name) not in _NOT_SCANNED
    and len(normalise(name)) >= 3
)


@settings(max_examples=300, deadline=None, database=None)
@given(st.lists(st.sampled_from(COUNTRY_NAMES), min_size=3, max_size=3, unique_by=lambda nc: nc[1]))
def test_standard_preamble_gives_exactly_its_two_parties(names) -> None:
    """Any two countries, by any of their names, in the standard preamble are exactly the
    parties; a third named only as the place of signature never is."""
    (a, code_a), (b, code_b), (c, _) = names
    text = (
        f"The Government of {a} and the Government of {b},\n\n"
        "Desiring to strengthen the friendly relations between them;\n\n"
        "Have agreed as follows:\n\nArticle 1\nThe Parties shall cooperate.\n\n"
        "IN WITNESS WHEREOF the undersigned have signed this Agreement.\n\n"
        f"Done at {c} on 5 May 2015 in two originals.\n"
    )
    result = classify(text)
    assert set(result.countries) == {code_a, code_b}
    assert (result.blocs, result.members, result.level) == ((), (), "bilateral")


def test_grouping_ids_are_no_country_codes() -> None:
    """A grouping's id never reads as a country: "AU" is Australia, not the African Union."""
    iso = set(name_table().values()) - GROUPINGS
    ids = {bloc.id for bloc in BLOCS}
    assert not ids & iso
    assert ids >= GROUPINGS
    assert {bloc.id for bloc in BLOCS if bloc.regional} >= {"ASEAN"}
    assert "EU" not in {bloc.id for bloc in BLOCS if bloc.regional}


# --- issue 11: more places and forms that name the parties ---------------------------------------
# Synthetic texts, other countries and wording than the corpus.

# Names a hypothesis may write in running text: no brackets (a span ends there) and none that
# holds "and" or a comma (a list could not tell them apart from two names).
PLAIN_NAMES = [
    (name, code)
    for name, code in COUNTRY_NAMES
    if not any(ch in name for ch in "(),;") and not {"and", "dan"} & set(normalise(name).split())
]


def test_title_with_sides_on_the_one_hand() -> None:
    """ "on the one hand" in a title is no "on" that ends the list of parties."""
    result = classify(
        "AGREEMENT BETWEEN THE REPUBLIC OF COSTA RICA, ON THE ONE HAND, AND THE KINGDOM OF "
        "MOROCCO, ON THE OTHER HAND, ON MARITIME TRANSPORT\n\nArticle 1\nThe Parties shall "
        "cooperate in accordance with their laws."
    )
    assert (set(result.countries), result.level) == ({"CR", "MA"}, "bilateral")


@pytest.mark.parametrize(
    "sentence",
    [
        "This Memorandum of Understanding is made between {a} and {b}.",
        'This Agreement is entered into by and between {a} (hereinafter "{short}") and {b}.',
        "The present Protocol has been concluded between {a} and {b}, in Spanish and English.",
        "This Arrangement is hereby agreed upon between {a} and {b} (the Participants).",
    ],
)
def test_a_sentence_says_between_whom(sentence: str) -> None:
    """A body without title or party clause: its first sentence about itself names them; the
    "Agreement concluded between" of a recital before it does not."""
    text = (
        "Recalling the Agreement concluded between Bolivia and Honduras in 1998;\n\n"
        + sentence.format(
            a="the Government of the Republic of Paraguay", b="the Government of Mongolia",
            short="Paraguay",
        )
        + "\n\n1. The Participants will cooperate in the field of fisheries.\n"
    )  # fmt: skip
    result = classify(text)
    assert (set(result.countries), result.level, result.parties_from) == (
        {"PY", "MN"}, "bilateral", "between",
    )  # fmt: skip


@settings(max_examples=200, deadline=None, database=None)
@given(st.lists(st.sampled_from(PLAIN_NAMES), min_size=3, max_size=3, unique_by=lambda nc: nc[1]))
def test_between_sentence_gives_exactly_its_parties(names) -> None:
    (a, code_a), (b, code_b), (c, _) = names
    text = (
        "ARRANGEMENT ON FISHERIES\n\n"
        f"This Arrangement is concluded between the Government of {a} and the Government of "
        f"{b}.\n\nRecalling the Agreement signed between {c} and {a} in 1990;\n\n"
        "1. The Participants will exchange information.\n"
    )
    result = classify(text)
    assert set(result.countries) == {code_a, code_b}
    assert result.level == "bilateral"


SIGNATURE_SCANNED = """\
Article 30
The Parties shall cooperate.

IN WITNESS WHEREOF the undersigned have signed this Agreement.

DONE at Port Louis this 4th day of June 2003.

For the Government ofSeychelles:

..........................................

For the Government ofthe Republic of Mauritius:

..........................................

For

the

Government

of the

Republic

of

..........................................
Madagascar:
"""


def test_scanned_signature_block() -> None:
    """Words the scan glued ("ofSeychelles") and a designation broken over short lines, with the
    dotted line for the signature in its middle, are read whole."""
    result = classify(SIGNATURE_SCANNED)
    assert (set(result.countries), result.level) == ({"SC", "MU", "MG"}, "multilateral")
    assert result.parties_from == "signature"


@settings(max_examples=200, deadline=None, database=None)
@given(
    st.lists(
        st.sampled_from([nc for nc in PLAIN_NAMES if re.match(r"[A-Z][a-z]", nc[0])]),
        min_size=2, max_size=2, unique_by=lambda nc: nc[1],
    )
)  # fmt: skip
def test_glued_of_in_a_signature_block(names) -> None:
    (a, code_a), (b, code_b) = names
    text = (
        "Article 1\nThe Parties shall cooperate.\n\nIN WITNESS WHEREOF the undersigned have "
        "signed this Agreement.\n\nDONE in duplicate on 5 May 2015.\n\n"
        f"For the Government of{a}:\n\n.........\n\nFor the Government of{b}:\n"
    )
    assert set(classify(text).countries) == {code_a, code_b}


@pytest.mark.parametrize("namely", ["namely", "that is", "i.e.", "comprising", "consisting of"])
def test_members_of_a_grouping_spelt_out(namely: str) -> None:
    """ "the Member States of MERCOSUR, namely A, B and C, and D": A, B and C are its members,
    D a party of its own."""
    text = (
        "FRAMEWORK AGREEMENT\n\nThe Governments of the Member States of the Southern Common "
        f"Market, {namely} the Argentine Republic, the Federative Republic of Brazil, the Republic "
        "of Paraguay and the Eastern Republic of Uruguay, and the Government of the Arab Republic "
        "of Egypt,\n\nConsidering the links with Chile and Bolivia;\n\nHave agreed as follows:\n"
    )
    assert _parties(text) == ({"EG"}, ("MERCOSUR",), {"AR", "BR", "PY", "UY"}, "multilateral")


@settings(max_examples=200, deadline=None, database=None)
@given(
    st.sampled_from(
        [("the Benelux countries", "Benelux"), ("the EFTA States", "EFTA"),
         ("the Member States of the Caribbean Community", "CARICOM"),
         ("the Partner States of the East African Community", "EAC")]
    ),
    st.lists(st.sampled_from(PLAIN_NAMES), min_size=4, max_size=4, unique_by=lambda nc: nc[1]),
)  # fmt: skip
def test_listed_members_property(grouping, names) -> None:
    phrase, bloc = grouping
    (*members, (other, other_code)) = names
    listed = ", ".join(f"the Government of {n}" for n, _ in members[:-1])
    text = (
        f"The Governments of {phrase}, namely {listed} and the Government of {members[-1][0]}, "
        f"and the Government of {other},\n\nDesiring to cooperate;\n\nHave agreed as follows:\n"
    )
    result = classify(text)
    assert (set(result.countries), result.blocs) == ({other_code}, (bloc,))
    assert set(result.members) == {code for _, code in members}


@pytest.mark.parametrize(
    ("designation", "territory"),
    [
        ("the Government of the Kingdom of Denmark and the Home Rule Government of Greenland",
         "GL"),
        ("the Government of the Kingdom of the Netherlands in respect of Aruba", "AW"),
        ("the Government of the United Kingdom of Great Britain and Northern Ireland on behalf "
         "of the Isle of Man", "IM"),
    ],
)  # fmt: skip
def test_a_state_acting_for_its_territory(designation: str, territory: str) -> None:
    """A state named with the territory it acts for ("... and the Home Government of", "in
    respect of", "on behalf of") is not a party of its own: the territory is."""
    preamble = (
        f"AGREEMENT\n\n{designation}, of the one part, and the Government of the Republic of "
        "Chile, of the other part,\n\nDesiring to cooperate;\n\nHave agreed as follows:\n"
    )
    assert _parties(preamble) == ({territory, "CL"}, (), set(), "bilateral")
    if " on behalf of " in designation:
        return  # in a signature block, "on behalf of" starts a block of its own
    signatures = (
        "Article 1\nThe Parties shall cooperate.\n\nIN WITNESS WHEREOF the undersigned have "
        "signed this Agreement.\n\nDone at Santiago on 5 May 2015.\n\n"
        f"For the Government of the Republic of Chile:\n\nFor {designation}:\n"
    )
    assert _parties(signatures) == ({territory, "CL"}, (), set(), "bilateral")


def test_a_state_acting_for_its_territory_across_columns() -> None:
    """Two signature blocks side by side, the extraction interleaving their lines."""
    text = (
        "Article 1\nEither Contracting Party may terminate this Agreement.\n\nIN WITNESS WHEREOF "
        "the undersigned have signed this Agreement.\n\nDone at Nuuk, in two originals.\n\n"
        "For the Government of For the Government of\nthe Republic of Latvia Denmark and the\n"
        "Home Rule Government of\nGreenland\n"
    )
    assert _parties(text) == ({"LV", "GL"}, (), set(), "bilateral")


@pytest.mark.parametrize(
    "signatures",
    [
        "For the Kingdom of Denmark:\n\nFor Greenland:\n\nFor the Republic of Iceland:\n",
        "For the Government of France and the Home Government of the Faroe Islands:\n\n"
        "For the Republic of Iceland:\n",
    ],
)
def test_a_state_and_a_territory_each_signing(signatures: str) -> None:
    """A state signing in its own block, or with a territory not its own, stays a party."""
    text = (
        "Article 1\nThe Parties shall cooperate.\n\nIN WITNESS WHEREOF the undersigned have "
        f"signed this Agreement.\n\nDone at Reykjavik on 5 May 2015.\n\n{signatures}"
    )
    assert len(_parties(text)[0]) == 3


@settings(max_examples=150, deadline=None, database=None)
@given(
    st.lists(
        st.sampled_from([nc for nc in PLAIN_NAMES if re.match(r"[A-Z][a-z]", nc[0])]),
        min_size=2, max_size=2, unique_by=lambda nc: nc[1],
    ),
    st.booleans(),
)  # fmt: skip
def test_a_name_glued_to_of_or_the_in_a_title_and_preamble(names, upper: bool) -> None:
    """Scans and careless typing lose the space after "of" and "the" anywhere in a text, in
    capitals or not: "GOVERNMENT OFTHE REPUBLIC", "the Government ofIndonesia"."""
    (a, code_a), (b, code_b) = names
    title = f"Treaty between the Government of{a} and the Government ofthe {b} on Extradition"
    preamble = f"The Government of{a} and the Government of{b} (hereinafter the \"Parties\"),"
    text = f"{title.upper() if upper else title}\n\n{preamble}\n\nHAVE AGREED as follows:\n"
    assert set(classify(text).countries) - {"MY"} == {code_a, code_b} - {"MY"}


@pytest.mark.parametrize(
    "sentence",
    [
        "The offence of theft and other offences thereof shall often be dealt with by the office.",
        "THE OFFICERS OF THEIR OFFICES SHALL THEREAFTER OFFER THEMSELVES FOR THEORETICAL TRAINING.",
    ],
)
def test_ordinary_words_beginning_with_of_or_the_are_no_names(sentence: str) -> None:
    text = f"AGREEMENT BETWEEN THE REPUBLIC OF CHILE AND THE REPUBLIC OF PERU\n\n{sentence}\n"
    assert set(classify(text).countries) == {"CL", "PE"}


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("the Democratic Republic of Congo", "CD"),
        ("the Democratic Republic of the Congo", "CD"),
        ("the Republic of Congo", "CG"),
        ("the Republic of Philippines", "PH"),
        ("the United Republic of Tanzania", "TZ"),
    ],
)
def test_a_name_read_with_or_without_its_article(name: str, code: str) -> None:
    """Texts drop "the" after "of" in official names: the name is still the same state."""
    text = f"Protocol between the Republic of Chile and {name} on Police Cooperation\n\nArticle 1\n"
    assert set(classify(text).countries) == {"CL", code}


@pytest.mark.parametrize(
    ("title", "type_id"),
    [
        ("Exchange of Notes between the Government of Chile and the Government of Peru", "other"),
        ("Pertukaran Nota antara Kerajaan Malaysia dan Kerajaan Republik Chile", "other"),
        ("Letter of Intent between the Ministry of the Interior of Chile and Peru", "other"),
        ("Surat Niat antara Kementerian Dalam Negeri Malaysia dan Kerajaan Peru", "other"),
        ("Exchange of Notes constituting an Agreement between Chile and Peru", "agreement"),
        ("Peraturan Kerjasama antara Kerajaan Malaysia dan Kerajaan Republik Peru", "arrangement"),
    ],
)
def test_similar_documents_have_a_type(title: str, type_id: str) -> None:
    """The SOP's "and similar" (dokumen seumpamanya) are `other`; an exchange of notes that
    constitutes an agreement is an agreement."""
    assert classify(f"{title}\n\nArticle 1\nThe Parties shall cooperate.\n").type == type_id


@settings(max_examples=150, deadline=None, database=None)
@given(
    st.sampled_from([nc for nc in PLAIN_NAMES if any(len(w) >= 6 for w in nc[0].split())]),
    st.integers(min_value=2, max_value=40),
    st.booleans(),
)
def test_a_name_broken_at_the_end_of_a_line_is_read_whole(named, cut: int, upper: bool) -> None:
    """ "BRUNEI DARUS-" / "SALAM": a word of a name split by a hyphenated line break."""
    name, code = named
    words = name.split()
    i = next(k for k, w in enumerate(words) if len(w) >= 6)
    k = min(max(2, cut), len(words[i]) - 2)
    words[i] = f"{words[i][:k]}-\n{words[i][k:]}"
    broken = " ".join(words)
    title = f"Memorandum of Under-\nstanding between the Republic of Chile and {broken}"
    text = f"{title.upper() if upper else title}\non Police Cooperation\n\nArticle 1\n"
    result = classify(text)
    assert set(result.countries) - {"MY"} == {"CL", code} - {"MY"}
    assert result.type == "mou"


def test_a_hyphen_that_belongs_to_a_name_is_kept() -> None:
    """ "(BIMP-" / "EAGA)" is the grouping's own hyphen, not a broken word."""
    text = (
        "MEMORANDUM OF UNDERSTANDING AMONG THE GOVERNMENTS OF THE BRUNEI DARUSSALAM-INDONESIA-\n"
        "MALAYSIA-PHILIPPINES EAST ASEAN GROWTH AREA (BIMP-\nEAGA) ON TOURISM\n\n"
        "The Governments of Brunei Darussalam, the Republic of Indonesia, Malaysia and the "
        "Republic of the Philippines, Member Countries of the Brunei Darussalam-Indonesia-"
        "Malaysia-Philip-\npines East ASEAN Growth Area (hereinafter referred to as \"BIMP-\n"
        "EAGA\"),\n\nHAVE AGREED as follows:\n"
    )
    result = classify(text)
    assert (result.blocs, set(result.members)) == (("BIMP-EAGA",), {"BN", "ID", "PH"})


@pytest.mark.parametrize(
    "text",
    [
        "A" * 50000 + "B" * 35000,  # issue 9's writer: one 85,000-letter word
        "x" * 40000 + "-\n" + "y" * 40000,
        "a-\n" * 30000,
        "d'" * 40000,
        "\n" * 85000,
        "between " * 10000,
        "IN WITNESS WHEREOF " * 4000,
        "For the Government of " * 4000,
        "AGREEMENT\nThe Government\n" + "\n" * 8000,  # a party clause, then blank lines
        ("The Government\n" + "\n" * 2000) * 6,
        ("in witness whereof done " + "one " * 90) * 400,  # a testimonium over and over
        "x\n" + "\n" * 16000 + "this",
        "TITLE\n" + "EAST\nASEAN\n" * 3000,  # lines that each open like a party clause
        "The Government of Chile\n" * 3000,
        "(ASEAN)\n" * 1000,
        # a designation left open ("... of"), then dotted lines: each used to re-read it
        "IN WITNESS WHEREOF.\nFor the Government " + "states " * 700 + " of\n" + ".\n" * 5000,
        ("The Government " + "(states)" * 25 + "\n") * 100,  # clause-like lines of brackets
        "states " * 20000,
    ],
    ids=lambda t: repr(t[:12]),
)
def test_classifying_a_pathological_text_takes_linear_time(text: str) -> None:
    """No pattern reads a long run of letters once per letter: a watcher would hang on it."""
    import time

    start = time.process_time()
    classify(text)
    assert time.process_time() - start < 5


@settings(max_examples=100, deadline=None, database=None)
@given(
    st.sampled_from([nc for nc in PLAIN_NAMES if nc[1] != "MY"]),
    st.sampled_from([("Memorandum of Understanding", "mou"), ("Agreement", "agreement"),
                     ("Protocol", "protocol"), ("Plan of Action", "action-plan")]),
)
def test_a_note_is_about_the_instrument_it_names(named, kind_of) -> None:
    """A note verbale names no party of its own: its counterpart and type are those of the
    instrument it is about; it stays correspondence."""
    from pipeline.vocab.kinds import decide_kind

    (name, code), (phrase, type_id) = named, kind_of
    text = (
        f"NOTE VERBALE\n\nThe Embassy presents its compliments to the Ministry of Foreign "
        f"Affairs of Malaysia and has the honour to refer to the proposed {phrase} between the "
        f"Ministry of the Interior of {name} and the Ministry of Home Affairs of Malaysia on "
        "Cooperation in the Field of Immigration, and to propose that it be signed in Kuala "
        "Lumpur.\n\nThe Embassy avails itself of this opportunity to renew to the Ministry the "
        "assurances of its highest consideration.\n"
    )
    result = classify(text)
    assert (set(result.countries), result.type) == ({code}, type_id)
    assert decide_kind(result.type, result.countries, text) == "correspondence"


def test_a_malay_letter_and_minutes_are_about_the_instrument_they_quote() -> None:
    from pipeline.vocab.kinds import decide_kind

    letter = (
        "Ruj. Kami : KDN.600-2/3/4\nTarikh : 5 Mac 2026\n\nTuan,\n\nPERJANJIAN ANTARA KERAJAAN "
        "MALAYSIA DAN KERAJAAN REPUBLIK CHILE MENGENAI PEMINDAHAN BANDUAN\n\nDengan hormatnya "
        "saya merujuk kepada perkara di atas.\n\nSekian, terima kasih.\n"
    )
    minutes = (
        "MINIT MESYUARAT\nJAWATANKUASA TEKNIKAL RUNDINGAN MEMORANDUM PERSEFAHAMAN ANTARA "
        "KERAJAAN MALAYSIA DAN KERAJAAN REPUBLIK PERU MENGENAI KERJASAMA IMIGRESEN\n\n"
        "Tarikh : 6 Mei 2026\n\nKEHADIRAN\n1. Pengerusi\n2. Wakil Jabatan Imigresen\n\n"
        "1. Mesyuarat membincangkan draf yang dikemukakan oleh pihak Peru.\n"
    )
    for text, code, type_id in ((letter, "CL", "agreement"), (minutes, "PE", "mou")):
        result = classify(text)
        assert (set(result.countries), result.type) == ({code}, type_id)
        assert decide_kind(result.type, result.countries, text) == "correspondence"


def test_an_instrument_citing_another_keeps_its_own_parties() -> None:
    """Only letters are about another instrument: a recital's "the Agreement between X and Y"
    gives an instrument no parties."""
    text = (
        "MEMORANDUM OF UNDERSTANDING\n\nThe Government of the Republic of Chile and the "
        "Government of the Republic of Peru,\n\nRECALLING the Agreement between the Government "
        "of Japan and the Government of the Republic of Chile on Trade,\n\nHAVE AGREED as "
        "follows:\n\nArticle 1\n"
    )
    assert set(classify(text).countries) == {"CL", "PE"}


# Two different states, Malaysia apart, by one of their plain names.
TWO_FOREIGN_STATES = st.lists(st.sampled_from([nc for nc in PLAIN_NAMES if nc[1] != "MY"]),
                              min_size=2, max_size=2, unique_by=lambda nc: nc[1])


@settings(max_examples=100, deadline=None, database=None)
@given(
    TWO_FOREIGN_STATES,
    st.sampled_from(['("{short}")', "({short})", '(hereinafter "{short}")']),
)
def test_a_short_form_in_a_title_does_not_end_its_parties(names, form: str) -> None:
    """ "AGREEMENT BETWEEN THE UNITED STATES OF AMERICA (US) AND ...": the bracket defines the
    name before it; the parties go on after it."""
    (a, code_a), (b, code_b) = names
    short = "".join(w[0] for w in a.split() if w[0].isalpha()).upper() or "X"
    title = f"AGREEMENT BETWEEN {a.upper()} {form.format(short=short)} AND {b.upper()} ON TRADE"
    assert set(classify(f"{title}\n\nArticle 1\n").countries) == {code_a, code_b}


def test_a_two_letter_short_form_is_read_but_not_a_common_word() -> None:
    """ "the European Union (EU)" makes the title's "ASEAN-EU" two groupings; "the United States
    (US)" does not make "let us" a party."""
    text = ("ASEAN-EU WORK PLAN ON CRIME\n\n1. The Association of Southeast Asian Nations (ASEAN) "
            "and the European Union (EU) adopted this Work Plan.\n")
    assert classify(text).blocs == ("ASEAN", "EU")
    text = ("MEMORANDUM OF UNDERSTANDING\n\nThe Government of the United States (US) and the "
            "Government of the Republic of Chile,\n\nHAVE AGREED as follows:\n\nLet us begin.\n")
    assert set(classify(text).countries) == {"US", "CL"}


@settings(max_examples=100, deadline=None, database=None)
@given(
    TWO_FOREIGN_STATES,
    st.sampled_from(["Minister of Defence", "Secretary of Home Affairs", "Menteri Dalam Negeri"]),
)
def test_a_state_under_its_signatorys_office_signs(names, office: str) -> None:
    """ "Minister of Defence" / "Malaysia": a line that is only a state's name, under a
    signatory's office, is a party; Malaysia too, which makes three parties multilateral."""
    (a, code_a), (b, code_b) = names
    blocks = "\n\n".join(f"____________\n{office}\n{name}" for name in (a, "Malaysia", b))
    text = ("FRAMEWORK OF COOPERATION\n\nThe Participants,\n\nHAVE COME TO THE FOLLOWING "
            "UNDERSTANDING:\n\n1. SCOPE\n\nSigned in Bali on 14 July 2016, in three originals."
            f"\n\n{blocks}\n")
    result = classify(text)
    assert (set(result.countries), result.level) == ({code_a, code_b}, "multilateral")


def test_a_state_in_an_address_under_the_signatures_is_no_party() -> None:
    text = ("AGREEMENT BETWEEN THE REPUBLIC OF CHILE AND THE REPUBLIC OF PERU\n\nArticle 1\n\n"
            "Done at Lima on 5 May 2015.\n\nFor the Republic of Chile:\n\nFor the Republic of "
            "Peru:\n\nDeposited with:\nSecretariat\nJakarta\nIndonesia\n")
    assert set(classify(text).countries) == {"CL", "PE"}


def test_a_title_line_that_ends_a_name_begun_above_opens_no_clause() -> None:
    """ "... PHILIPPINES EAST" / "ASEAN GROWTH AREA": the second line finishes BIMP-EAGA's name;
    it is not a party clause naming ASEAN."""
    text = (
        "MEMORANDUM OF UNDERSTANDING ON TOURISM IN THE BRUNEI DARUSSALAM-INDONESIA-MALAYSIA-"
        "PHILIPPINES EAST\nASEAN GROWTH AREA\n\nThe Governments of Brunei Darussalam, the "
        "Republic of Indonesia, Malaysia and the Republic of the Philippines,\n\nHAVE AGREED as "
        "follows:\n\nArticle 1\n"
    )
    result = classify(text)
    assert "ASEAN" not in result.blocs
    assert set(result.countries) | set(result.members) == {"BN", "ID", "PH"}


@pytest.mark.parametrize("text", ["Article 1\nEach Party shall inform the other Party.",
                                  "Both countries shall cooperate with Chile and the other Party."])
def test_a_bilateral_text_naming_no_two_countries_is_read_without_error(text: str) -> None:
    """It used to raise (ValueError) and so was never filed."""
    classify(text)
