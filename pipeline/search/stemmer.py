"""A conservative Malay stemmer with a light English one, for the search index.

Why not an Indonesian stemmer: Sastrawi and Snowball-Indonesian strip every affix they can
recognise, so *kerajaan* (government) becomes *raja* (king) and a search for "raja" floods with
government documents. Here a Malay affix is removed only when what remains is a root in
`ROOTS` (a list of common roots of government and treaty text, plus lexicalised derived words
such as *kerajaan*, *pertahanan* or *perlembagaan* that must keep their own meaning), or by a few
transparent rules (particles *-lah/-kah/-nya*, *di-…-kan*). Anything else is left to a light
English suffix stripper, so English words are stemmed without ever being mistaken for Malay.

Pure Python with no dependency: `pipeline.search.analysis` wraps `stem` in a Whoosh filter, and
tests can use it without an index.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

__all__ = [
    "COMPOUNDS",
    "ROOTS",
    "SENSES",
    "STOP_WORDS",
    "english_stem",
    "fold",
    "irregular_forms",
    "malay_stem",
    "stem",
]

# Roots, one per word. Derived forms are found by stripping affixes down to one of these.
# Lexicalised derivatives (a derived word whose meaning drifted from its root) are listed as
# roots themselves, so the fewest-affixes rule keeps them whole: kerajaan ≠ raja.
_ROOTS_TEXT = """
ada adil agama agenda ahli ajar akhir akta aktiviti aku alam alamat aliran amal aman amanah
amaran amat ambang ambil ampun anak ancam anjur antara antarabangsa anti apa api arah asal asas
asing atas atau atur awal awam awas ayat babit baca badan bagai bagi bahagian bahan bahasa
bahawa bahaya baik baiki bakar balas balik bandar banding bangsa bangun banjir bantah bantu
banyak bawa bayar beban bebas beda bekal bekas bela belanja beli benar bentang bentuk beri
berita besar beza bidang bijak bilang bilik bimbing bina bincang bocor boleh bom borang buat
budaya bukan bukti buku bulan buru buruh cabar cadang cagar cakap calon campur cara catat cegah
cekap cepat cerai cetak cinta cipta cuba cukai cukup dadah daftar dagang dakwa dalam damai dana
dapat darat darurat dasar data datang daulat dedah dekat deklarasi delegasi demokrasi denda
dengan dengar deraf desak diam didik diplomatik diri dokumen dua duduk dukung dunia edar ejen
ekonomi eksport ekstradisi elak embargo erat faedah faham fail fasal fikir fokus fungsi gabung
gagal gaji gambar ganas ganti gaya gerak giat gubal guna hadap hadir hakim hal halang hampir
hantar hanya harap harga hari harus hasil hati hebah henti hidup hormat hubung hukum hutan ikat
ikut ilmu imigresen import ingat insiden integriti isi isu isytihar izin jabatan jadi jaga
jalan jalin jamin jangka jangkau janji jasa jauh jawab jawatan jelas jemput jenayah jenis jual
jumlah jurang kabinet kaji kalah kali kandung kanun kapal karya kata kawal kawasan kaya keadaan
kebal kecil kekal kelas keliling kembali kemuka kenal kenderaan kerajaan keras kerja kerjasama
kesan ketua khabar khas khidmat khusus kira kirim kokain komited komitmen komunikasi kongsi
konsul konsulat konvensyen kuasa kuat kuatkuasa kukuh kumpul kurang kurung lain laksana laku
lalu lama lampir lancar langgar langkah lanjut lantik lapor laut lawat lebih lepas lesen letak
lihat lindung lingkung luar luas lulus lupus luput macam mahkamah main maju makan maklum maksud
malam mampu mana mandat manfaat manusia masa masalah masuk mati maut memorandum menteri mereka
mesyuarat milik minit minta mohon muat mudah muka mula mulia muzakarah nafi naik nama nasional
naskhah negara negeri niaga nilai nota nyata olah operasi orang pada padam pakai pakat paksa
paling pandang pandu panggil pantau papar parlimen pasport patuh patut peduli pegawai peguam
pejabat pekeliling pelan peluang peluk pendatang penduduk pengarah pengerusi penting perang
perdana peringkat perintah perkara perlembagaan perlu persekutuan pertahanan pertama pertubuhan
pesan petik pihak pilih pinda pindah polis politik program projek protokol puas pulang pulih
punca punya pusat putus raja rakyat ramai rampas rancang rangka rasa rasmi rayu reka rekod rela
rentas ringkas risiko rosak ruang rugi rujuk rumus runding sah sahabat saing saksi salah salin
sama sambut sampai samping sangkut saran sasar satu sebab sebar sedar sedia sejarah sekat
sekolah sektor sekutu selamat selaras selesai selia seludup semak sempadan sempurna senarai
sendiri serah serang serantau serta sertai sesuai setia setiausaha setuju siap siasat sidang
sifat sihat simpan sistem soal sokong status suai suka sulit sumbang sumber sumpah surat syarat
syarikat syor tadbir tahan tahu tahun takluk tamat tambah tampung tanah tanam tanda tandatangan
tanding tangan tanggung tanggungjawab tangkap tanya tarik tarikh tawar teknik teknologi telah
teliti tempat tempoh tentu tepat terima teroris terus tetap tiap tiba tidak timbang timbul
tindak tinggal tinggi tingkat tokoh tolak triti tubuh tuduh tugas tuju tukar tulis tumpu tunai
tunda tunjuk turun tutup ubah uji ulang ulas umpama umum undang unit untung upaya urus urusetia
usaha usul utama wajib wakil wang warga warganegara waris wilayah wujud yakin zon
banteras biaya bicara cari ceroboh culik hijrah iktiraf istimewa kahwin lahir lanun lari latih
palsu periksa rahsia rasuah rompak saring sita tafsir tagih tentera tenteram terang tipu usir
utuh penjara capai golong salahguna ubahsuai anjing
bangunan berhubung berlaku bersama bersatu fahaman kelakuan keluar keselamatan keterangan
maklumat majikan pasukan pekan pelarian perhubungan perjalanan perlakuan sukarelawan undangan
"""
# The last lines are derived words that mean something else than their root, decided on
# meaning with tests/search/test_stemmer.py: bangunan (a building) ≠ pembangunan
# (development, bangun); keselamatan (security) ≠ selamat, menyelamatkan (safe, rescue);
# keterangan (evidence,
# testimony) ≠ penerangan (information, terang); pelarian (refugee) ≠ lari, pelari (run);
# fahaman (ideology) ≠ persefahaman (understanding, faham); perjalanan (travel) ≠ menjalankan
# (carry out, jalan); perhubungan (transport, communications) and berhubung (regarding) ≠
# hubungan (relations, hubung); bersama (joint, mutual) ≠ sama, persamaan (same, equality);
# berlaku (happen, apply), perlakuan (treatment), kelakuan (conduct) ≠ melakukan, pelaku (do,
# perpetrator: laku); keluar, pengeluaran (exit, issue) ≠ luar (outside); maklumat
# (information) ≠ makluman (notification, maklum); sukarelawan (volunteer) ≠ sukarela
# (voluntary); undangan (invitation) ≠ undang-undang (law).


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


ROOTS: frozenset[str] = _words(_ROOTS_TEXT)

# Words that end in a particle or suffix look-alike but are whole words, and other derived
# forms whose split is irregular: word -> stem.
_IRREGULAR: dict[str, str] = {
    "abdullah": "abdullah",
    "allah": "allah",
    "kenya": "kenya",
    "dunianya": "dunia",
    "pelajar": "ajar",
    "belajar": "ajar",
    "pelajaran": "ajar",
    "mempelajari": "ajar",
    "pengawasan": "awas",  # peN-awas-an, not peN- + kawasan (area)
    "jawapan": "jawab",  # jawab + -an, spelt with p
    "pemahaman": "faham",  # peN-faham-an: the f drops, and pe- + fahaman (ideology) is wrong
}

# Words of one root that mean different things in the ministry's texts, decided one by one on
# meaning (tests/search/test_stemmer.py keeps the decisions): stem -> (the words that take it, why).
# A stem is never longer than its members (most are one of them). Words not listed follow the
# rules, which reach the nearest listed root (see ROOTS: bangunan, keselamatan, fahaman …).
SENSES: dict[str, tuple[str, str]] = {
    "pemerdagang": (
        "pemerdagangan pemerdagang memperdagangkan diperdagangkan",
        "trafficking (memperdagangkan orang → pemerdagangan orang) is not trade "
        "(berdagang → perdagangan, pedagang, dagangan: dagang)",
    ),
    "bangun": (
        "pembangunan pembangun kebangunan",
        "development (membangunkan, pembangunan) is not a building (bangunan); "
        "pe- + bangunan would otherwise win as the split with fewest affixes",
    ),
    "pertahanan": (
        "mempertahankan dipertahankan",
        "to defend goes with defence (pertahanan), not with detention (tahan, penahanan, "
        "tahanan, menahan, ditahan)",
    ),
    "bertahan": (
        "ketahanan bertahan",
        "resilience, endurance (ketahanan negara, bertahan): not detention (tahan, penahanan)",
    ),
    "ganas": ("mengganas", "fierce, to run amok; keganasan is terrorism (see keganasan)"),
    "keganasan": (
        "keganasan pengganas pengganasan",
        "terrorism and terrorists (Akta Pencegahan Keganasan) are not 'fierce' (ganas)",
    ),
    "faham": (
        "persefahaman kefahaman sefahaman",
        "understanding (memorandum persefahaman, memahami, pemahaman); fahaman is an "
        "ideology (fahaman pelampau) and keeps its own stem",
    ),
    "bersatu": (
        "kesatuan persatuan penyatuan menyatukan disatukan",
        "to unite, a union or association (Bangsa-Bangsa Bersatu, Kesatuan Eropah): "
        "not the numeral satu (one)",
    ),
    "penubuhan": (
        "penubuhan menubuhkan ditubuhkan",
        "to establish (penubuhan jawatankuasa) is not the body (tubuh) "
        "nor an organisation (pertubuhan)",
    ),
    "kesan": (
        "kesan berkesan keberkesanan terkesan kesannya",
        "effect, effective (secara berkesan): not detection (mengesan, pengesanan)",
    ),
    "esan": (
        "mengesan mengesani pengesan pengesanan dikesan dikesani",
        "to detect, to trace (pengesanan aset): not effect (kesan, berkesan); the stem is what "
        "remains of meng-(k)esan, shorter than every member",
    ),
    "undang": (
        "perundangan",
        "law and legislation (undang-undang, perundangan); undangan, mengundang, diundang "
        "are an invitation (see undangan)",
    ),
    "undangan": ("undangan mengundang diundang", "an invitation, to invite: not law"),
    "risikan": (
        "risikan perisikan",
        "intelligence (maklumat risikan, perisikan) is not contents (isi): per-isi-kan",
    ),
}
for _stem, (_members, _why) in SENSES.items():
    for _word in _members.split():
        _IRREGULAR[_word] = _stem

# Two Malay words written apart or together: "kerja sama" = "kerjasama". The analyzer joins the
# pair (by stem of the first, surface of the second) so both spellings give one token.
COMPOUNDS: dict[tuple[str, str], str] = {
    ("kerja", "sama"): "kerjasama",
    ("tanggung", "jawab"): "tanggungjawab",
    ("warga", "negara"): "warganegara",
    ("antara", "bangsa"): "antarabangsa",
    ("setia", "usaha"): "setiausaha",
    ("kuat", "kuasa"): "kuatkuasa",
    ("tanda", "tangan"): "tandatangan",
    ("urus", "setia"): "urusetia",
    ("salah", "guna"): "salahguna",
    ("ubah", "suai"): "ubahsuai",
}

# Function words of both languages: too common to help a search. Words that are also Malay
# prefixes (di, ke, se) are stopped only as separate words, which is what the analyzer sees.
STOP_WORDS: frozenset[str] = _words(
    """
    a an and are as at be by for from has have in into is it its of on or that the their
    this to was were which will with shall such any all other than there these those
    dan yang di ke dari daripada untuk dengan pada ini itu atau oleh dalam bagi akan telah
    ialah adalah iaitu juga tersebut kepada serta antara mana sebagai bahawa tidak
    """
)

# (prefix, replacement choices for the dropped initial sound). Longest first so that
# "meny" is tried before "men" and "me"; every choice is still checked against ROOTS.
_PREFIXES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("menge", ("",)),
    ("penge", ("",)),
    ("meny", ("s",)),
    ("peny", ("s",)),
    ("meng", ("", "k")),
    ("peng", ("", "k")),
    ("mem", ("", "p", "f")),
    ("pem", ("", "p", "f")),
    ("men", ("", "t")),
    ("pen", ("", "t")),
    ("ber", ("",)),
    ("bel", ("",)),
    ("ter", ("",)),
    ("per", ("",)),
    ("pel", ("",)),
    ("me", ("",)),
    ("pe", ("",)),
    ("be", ("",)),
    ("te", ("",)),
    ("di", ("",)),
    ("ke", ("",)),
    ("se", ("",)),
)
# di- and meN- are always the outermost prefix (di-per-, mem-per-, never ke-di-): kediaman is
# ke-diam-an (residence), not ke-di-aman.
_OUTER_ONLY = frozenset({"menge", "meny", "meng", "mem", "men", "me", "di"})
_PARTICLES = ("lah", "kah", "tah", "nya")
_SUFFIXES = ("kan", "an", "i")
_MAX_PREFIXES = 3
_MIN_ROOT = 3


@lru_cache(maxsize=1)
def _forms_by_stem() -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    for word, target in _IRREGULAR.items():
        if word != target:
            out.setdefault(target, []).append(word)
    return {k: tuple(v) for k, v in out.items()}


def irregular_forms(stem_: str) -> tuple[str, ...]:
    """The listed words that stem to `stem_` without containing it (pemerdagangan for
    pemerdagang is found by substring; diperdagangkan is not): for finding them in text."""
    return tuple(w for w in _forms_by_stem().get(stem_, ()) if stem_ not in w)


def fold(word: str) -> str:
    """Lowercase and drop diacritics, so Türkiye and Turkiye are one word."""
    word = word.lower()
    if word.isascii():
        return word
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _suffix_forms(word: str) -> list[tuple[str, int]]:
    """Every way to peel particle, possessive and derivational suffix: (rest, affixes)."""
    forms = [(word, 0)]
    for particle in _PARTICLES:
        if word.endswith(particle) and len(word) - len(particle) >= _MIN_ROOT:
            forms.append((word[: -len(particle)], 1))
    out = list(forms)
    for base, n in forms:
        for suffix in _SUFFIXES:
            if base.endswith(suffix) and len(base) - len(suffix) >= _MIN_ROOT:
                out.append((base[: -len(suffix)], n + 1))
    return out


def _prefix_roots(word: str, depth: int) -> list[tuple[str, int]]:
    """Roots reachable by stripping up to `depth` prefixes: (root, prefixes stripped)."""
    found: list[tuple[str, int]] = []
    if word in ROOTS:
        found.append((word, 0))
    if depth == 0:
        return found
    outermost = depth == _MAX_PREFIXES
    for prefix, choices in _PREFIXES:
        if not word.startswith(prefix) or (not outermost and prefix in _OUTER_ONLY):
            continue
        rest = word[len(prefix) :]
        for initial in choices:
            cand = initial + rest
            if initial and (not rest or rest[0] not in "aeiou"):
                continue  # sound change happens only before a vowel: menulis = meN + tulis
            if len(cand) < _MIN_ROOT:
                continue
            for root, n in _prefix_roots(cand, depth - 1):
                found.append((root, n + 1))
    return found


MAX_WORD = 40  # ketidakbertanggungjawaban, among the longest Malay words, has 25 letters


@lru_cache(maxsize=200_000)
def malay_stem(word: str) -> str | None:
    """The Malay root of `word`, or None when it is not recognisably Malay.

    Among all affix splits that end in a known root, take the one that removes the fewest
    affixes (so a listed lexicalised word wins over its root), then the longest root
    (mengawal → kawal, not awal).
    """
    word = fold(word)
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if word in ROOTS:
        return word
    if len(word) > MAX_WORD:
        return None  # no Malay word is this long ("anti" * 1000 + "dadah" would recurse)
    best: tuple[int, int, str] | None = None
    for base, n_suffix in _suffix_forms(word):
        if base in _IRREGULAR:
            key = (n_suffix, -len(_IRREGULAR[base]), _IRREGULAR[base])
            best = key if best is None or key < best else best
        for root, n_prefix in _prefix_roots(base, _MAX_PREFIXES):
            key = (n_suffix + n_prefix, -len(root), root)
            if best is None or key < best:
                best = key
    if best is not None:
        return best[2]
    return _safe_rules(word)


def _safe_rules(word: str) -> str | None:
    """Transparent affixes of words not in ROOTS: anti-, particles, and di-…-kan / -kan.

    anti- written solid (antipemerdagangan, antidadah, antirasuah) is the subject it opposes,
    as it is when written with a hyphen, which the tokenizer splits: Agensi Antidadah
    Kebangsaan is found by "dadah".
    """
    if word.startswith("anti") and len(word) - 4 >= 5:
        inner = malay_stem(word[4:])
        if inner is not None:
            return inner
    for particle in _PARTICLES:
        rest = word[: -len(particle)]
        if word.endswith(particle) and len(rest) >= 4:
            inner = malay_stem(rest)
            return inner if inner is not None else english_stem(rest)
    if word.endswith("kan") and len(word) - 3 >= 4:
        rest = word[:-3]
        if rest.startswith("di") and len(rest) - 2 >= 4:
            rest = rest[2:]
        inner = malay_stem(rest)
        return inner if inner is not None else english_stem(rest)
    return None


_VOWELS = frozenset("aeiouy")
_EED_WORDS = _words("proceed succeed exceed need indeed seed feed deed speed breed greed weed")


def _has_vowel(text: str) -> bool:
    return any(c in _VOWELS for c in text)


@lru_cache(maxsize=200_000)
def english_stem(word: str) -> str:
    """A light suffix stripper: plurals, -ed, -ing, -ion after t/s, and a final -e.

    Lighter than Porter on purpose: it conflates inflections (negotiate, negotiated,
    negotiating, negotiation) but not derivations, so it seldom turns two English words, or an
    English and a Malay word, into one.
    """
    w = fold(word)
    if w.endswith(("'s", "’s")):
        w = w[:-2]
    if len(w) <= 3 or not w.isalpha():
        return w
    if w.endswith("sses"):
        w = w[:-2]
    elif w.endswith("ies") and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    if w.endswith("eed"):
        if w not in _EED_WORDS:
            w = w[:-1]
    elif w.endswith(("ing", "ed")):
        suffix = 3 if w.endswith("ing") else 2
        rest = w[:-suffix]
        if len(rest) >= 3 and _has_vowel(rest):
            w = rest
            if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "aeiouslz":
                w = w[:-1]
    elif w.endswith("ion") and len(w) > 6 and w[-4] in "ts":
        w = w[:-3]
    if w.endswith("e") and len(w) > 3 and not w.endswith("ee"):
        w = w[:-1]
    return w


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The index term for one lowercase-able word: Malay rules if it is Malay, else English."""
    w = fold(word)
    if not w.isalpha():
        return w
    malay = malay_stem(w)
    if malay is not None:
        return malay
    return english_stem(w)
