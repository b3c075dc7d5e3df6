"""The bilingual stemmer, measured on word lists: no over- and no under-stemming on them."""

from __future__ import annotations

from itertools import combinations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.stemmer import ROOTS, english_stem, fold, malay_stem, stem

# word -> expected stem. Words with the same expected stem must share a stem (else
# under-stemming); words with different expected stems must not (else over-stemming).
# Decisions: makanan joins makan (food/eat, as most Malay stemmers); pengguna/penggunaan/gunaan
# join guna. Lexicalised words keep their own stem: kerajaan (government) is not raja (king),
# pertahanan (defence) is not tahan (hold/detain), keadaan (situation) is not ada (be),
# pendatang (immigrant) is not datang (come), antarabangsa is not bangsa.
MALAY: dict[str, str] = {
    # the runding family
    "runding": "runding",
    "rundingan": "runding",
    "perundingan": "runding",
    "merundingkan": "runding",
    "berunding": "runding",
    "perunding": "runding",
    "dirundingkan": "runding",
    "rundingannya": "runding",
    # kerjasama (one word) and kerja
    "kerjasama": "kerjasama",
    "bekerjasama": "kerjasama",
    "kerjasamanya": "kerjasama",
    "kerja": "kerja",
    "bekerja": "kerja",
    "pekerja": "kerja",
    "pekerjaan": "kerja",
    # dagang: trade and trafficking
    "dagang": "dagang",
    "dagangan": "dagang",
    "perdagangan": "dagang",
    "pemerdagangan": "dagang",
    "memperdagangkan": "dagang",
    "diperdagangkan": "dagang",
    "pedagang": "dagang",
    # kerajaan is not raja
    "kerajaan": "kerajaan",
    "kerajaannya": "kerajaan",
    "raja": "raja",
    # setuju
    "setuju": "setuju",
    "bersetuju": "setuju",
    "persetujuan": "setuju",
    "menyetujui": "setuju",
    "disetujui": "setuju",
    # putus
    "putus": "putus",
    "keputusan": "putus",
    "memutuskan": "putus",
    "diputuskan": "putus",
    # mohon (me- + m, not mem- + pohon)
    "mohon": "mohon",
    "memohon": "mohon",
    "permohonan": "mohon",
    "pemohon": "mohon",
    # lulus, ulas, lapor
    "lulus": "lulus",
    "meluluskan": "lulus",
    "kelulusan": "lulus",
    "diluluskan": "lulus",
    "ulas": "ulas",
    "ulasan": "ulas",
    "mengulas": "ulas",
    "lapor": "lapor",
    "laporan": "lapor",
    "melaporkan": "lapor",
    "dilaporkan": "lapor",
    "laporannya": "lapor",
    # selamat, aman
    "selamat": "selamat",
    "keselamatan": "selamat",
    "menyelamatkan": "selamat",
    "aman": "aman",
    "keamanan": "aman",
    # urus, jaga, awas, kawal (meng- + k: kawal, not awal)
    "urus": "urus",
    "urusan": "urus",
    "pengurusan": "urus",
    "menguruskan": "urus",
    "jaga": "jaga",
    "menjaga": "jaga",
    "penjagaan": "jaga",
    "awas": "awas",
    "pengawasan": "awas",
    "mengawasi": "awas",
    "kawal": "kawal",
    "mengawal": "kawal",
    "kawalan": "kawal",
    "pengawalan": "kawal",
    "awal": "awal",
    # guna, makan
    "guna": "guna",
    "pengguna": "guna",
    "penggunaan": "guna",
    "menggunakan": "guna",
    "gunaan": "guna",
    "makan": "makan",
    "makanan": "makan",
    # instrument type names
    "janji": "janji",
    "perjanjian": "janji",
    "berjanji": "janji",
    "isytihar": "isytihar",
    "perisytiharan": "isytihar",
    "mengisytiharkan": "isytihar",
    "faham": "faham",
    "persefahaman": "faham",
    "kefahaman": "faham",
    "tindak": "tindak",
    "tindakan": "tindak",
    "bertindak": "tindak",
    "atur": "atur",
    "aturan": "atur",
    "peraturan": "atur",
    "umpama": "umpama",
    "seumpamanya": "umpama",
    # home-affairs words
    "laksana": "laksana",
    "pelaksanaan": "laksana",
    "melaksanakan": "laksana",
    "dilaksanakan": "laksana",
    "seludup": "seludup",
    "penyeludupan": "seludup",
    "menyeludup": "seludup",
    "tadbir": "tadbir",
    "pentadbiran": "tadbir",
    "lindung": "lindung",
    "perlindungan": "lindung",
    "melindungi": "lindung",
    "siasat": "siasat",
    "penyiasatan": "siasat",
    "menyiasat": "siasat",
    "tangkap": "tangkap",
    "penangkapan": "tangkap",
    "negara": "negara",
    "negaranya": "negara",
    "menteri": "menteri",
    "kementerian": "menteri",
    "mesyuarat": "mesyuarat",
    "bermesyuarat": "mesyuarat",
    "kemuka": "kemuka",
    "mengemukakan": "kemuka",
    "imigresen": "imigresen",
    "sempadan": "sempadan",
    "jenayah": "jenayah",
    "dadah": "dadah",
    # lexicalised words and the roots they must not join
    "pendatang": "pendatang",
    "datang": "datang",
    "kedatangan": "datang",
    "pertahanan": "pertahanan",
    "tahan": "tahan",
    "tahanan": "tahan",
    "penahanan": "tahan",
    "keadaan": "keadaan",
    "ada": "ada",
    "berada": "ada",
    "perlembagaan": "perlembagaan",
    "pertubuhan": "pertubuhan",
    "tubuh": "tubuh",
    "ketua": "ketua",
    "mereka": "mereka",
    "reka": "reka",
    "pegawai": "pegawai",
    "antarabangsa": "antarabangsa",
    "bangsa": "bangsa",
    "perang": "perang",
    "pertama": "pertama",
    # words that look affixed and are not
    "penting": "penting",
    "asing": "asing",
    "sekolah": "sekolah",
    "masalah": "masalah",
    "bukan": "bukan",
}

# Pairs that must not share a stem, named explicitly because a greedy stemmer joins them.
MUST_DIFFER = [
    ("raja", "kerajaan"),
    ("raja", "kerajaannya"),
    ("tahan", "pertahanan"),
    ("ada", "keadaan"),
    ("datang", "pendatang"),
    ("bangsa", "antarabangsa"),
    ("kerja", "kerjasama"),
    ("tubuh", "pertubuhan"),
    ("reka", "mereka"),
    ("awal", "mengawal"),
    ("tua", "ketua"),
    ("gawai", "pegawai"),
    ("rang", "perang"),
    ("ras", "beras"),
    ("tama", "pertama"),
]

ENGLISH: dict[str, str] = {
    "negotiate": "negotiat",
    "negotiates": "negotiat",
    "negotiated": "negotiat",
    "negotiating": "negotiat",
    "negotiation": "negotiat",
    "negotiations": "negotiat",
    "agreement": "agreement",
    "agreements": "agreement",
    "agree": "agree",
    "agreed": "agree",
    "agreeing": "agree",
    "country": "country",
    "countries": "country",
    "party": "party",
    "parties": "party",
    "cooperate": "cooperat",
    "cooperation": "cooperat",
    "cooperating": "cooperat",
    "sign": "sign",
    "signed": "sign",
    "signing": "sign",
    "signs": "sign",
    "protect": "protect",
    "protection": "protect",
    "protected": "protect",
    "discuss": "discuss",
    "discussion": "discuss",
    "discussed": "discuss",
    "extradite": "extradit",
    "extradition": "extradit",
    "extradited": "extradit",
    "state": "stat",
    "states": "stat",
    "stated": "stat",
    "plan": "plan",
    "planned": "plan",
    "planning": "plan",
    "process": "process",
    "processes": "process",
    "proceed": "proceed",
    "proceeding": "proceed",
    "treaty": "treaty",
    "treaties": "treaty",
    "memorandum": "memorandum",
    "trafficking": "traffick",
    "trafficked": "traffick",
    "status": "status",
    "analysis": "analysis",
}


def _errors(words: dict[str, str]) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(under-stemmed pairs, over-stemmed pairs) of a word -> expected-stem list."""
    actual = {w: stem(w) for w in words}
    under, over = [], []
    for a, b in combinations(words, 2):
        same_expected = words[a] == words[b]
        same_actual = actual[a] == actual[b]
        if same_expected and not same_actual:
            under.append((a, b))
        elif same_actual and not same_expected:
            over.append((a, b))
    return under, over


def test_malay_list_is_large_enough() -> None:
    assert len(MALAY) >= 60
    assert len({v for v in MALAY.values()}) >= 40


def test_malay_no_under_or_over_stemming() -> None:
    under, over = _errors(MALAY)
    assert under == [], f"under-stemmed: {under}"
    assert over == [], f"over-stemmed: {over}"


@pytest.mark.parametrize(("word", "expected"), sorted(MALAY.items()))
def test_malay_expected_stem(word: str, expected: str) -> None:
    assert stem(word) == expected


@pytest.mark.parametrize(("a", "b"), MUST_DIFFER)
def test_lexicalised_words_keep_their_own_stem(a: str, b: str) -> None:
    assert stem(a) != stem(b)


def test_english_no_under_or_over_stemming() -> None:
    under, over = _errors(ENGLISH)
    assert under == [], f"under-stemmed: {under}"
    assert over == [], f"over-stemmed: {over}"


def test_languages_do_not_collide() -> None:
    """No English word of the list stems to a Malay stem of the list, or back."""
    both = {**MALAY, **ENGLISH}
    under, over = _errors(both)
    assert over == []
    assert under == []


def test_english_words_are_not_taken_for_malay() -> None:
    for word in ["member", "meeting", "pending", "terminal", "design", "seminar", "diplomat"]:
        assert malay_stem(word) is None, word


def test_case_and_accents_fold() -> None:
    assert stem("Perundingan") == stem("perundingan") == "runding"
    assert stem("Türkiye") == stem("turkiye")
    assert fold("ÉCOLE") == "ecole"


def test_roots_stem_to_themselves() -> None:
    wrong = {r: stem(r) for r in ROOTS if stem(r) != r}
    assert wrong == {}


def test_numbers_pass_through() -> None:
    assert stem("2024") == "2024"
    assert english_stem("1.5") == "1.5"


@given(st.text(alphabet=st.characters(categories=["Ll", "Lu"]), min_size=1, max_size=25))
def test_stem_is_total_and_never_grows(word: str) -> None:
    out = stem(word)
    assert isinstance(out, str)
    assert len(out) <= len(fold(word))
    assert out == out.lower() or not out.isascii()
