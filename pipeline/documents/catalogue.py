"""The documents the SOP's steps call for, declared once: each one's template, who it goes to
by default, its copies (s.k.), the fields it takes and the rules that derive them.

`pipeline.register.sop` puts each on the step that calls for it (`Step.documents`); everything
else — the letters' context, `ika doc fields`, `ika doc check`, docmaker, the web form —
reads them from there (`sop.DOCUMENTS`). Pure data: no settings, no case, no rendering.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

DIVISION = "Division"  # the pseudo-key "the case's Division" (sender and addressee)

# Security markings (Arahan Keselamatan): printed at the top and bottom of every page.
SECURITY_LEVELS = ("TERHAD", "SULIT", "RAHSIA", "RAHSIA BESAR")

# How a field's value is derived when neither the case nor `--set` gives it (the functions are
# letters' context.RULES):
#   "step-2-due"      step 2's due date (the comments' deadline)
#   "step-4-done"     step 4's done date, with its weekday (the preparatory meeting)
#   "mission"         the case's mission in Kuala Lumpur (`kes.kedutaan`)
#   "negotiated-copy" "salinan <jenis> yang telah dirundingkan"
#   "none-is-empty"   an optional paragraph: none given (or cleared) is an empty list
Rule = Literal["step-2-due", "step-4-done", "mission", "negotiated-copy", "none-is-empty"]

# The lines of s.k. a document is copied to by default (the lines are letters' addressees.COPIES):
#   "AB"        AB (its [directory] entry, else the organisation's Setiausaha Bahagian)
#   "JK-i"      the JK-i secretariat of the organisation's division
#   "Division"  the head of the case's Division or agency
Copy = Literal["AB", "JK-i", "Division"]


@dataclass(frozen=True)
class FieldSpec:
    """A value a document needs; `auto` ones come from the case or ika.toml when known."""

    name: str
    description: str
    required: bool
    kind: str = "text"  # text | para | date | day | list | rows | decision | key | security
    auto: bool = False
    when: str | None = None  # "YA"/"TIDAK": required only on that decision
    example: str = ""  # a sample value, used by check_templates and the README
    kept: bool = False  # what the case knows: stored on the case when given, reused later
    rule: Rule | None = None  # how the value is derived when not given (see Rule)


@dataclass(frozen=True)
class Document:
    """A document a step produces, made from `templates/<key>.docx`."""

    key: str
    title: str  # Malay title, as officers call it
    per_addressee: bool = False  # one letter per `--to` addressee
    distribution: bool = False  # without --to: one letter with a distribution list
    to: str | None = None  # default addressee: a [directory] key or DIVISION; None: --to
    copies: tuple[Copy, ...] = ()  # s.k. lines by default
    fields: tuple[FieldSpec, ...] = ()  # its own fields (COMMON ones apply to every document)
    invitation: bool = False  # its addressees are invitees: each letter lists the others

    @property
    def template(self) -> str:
        return f"{self.key}.docx"

    @property
    def needs_to(self) -> bool:
        """Whether `--to` must name its addressees: it has no default one, nor a distribution
        list to go out with instead."""
        return self.to is None and not self.distribution


# ---------------------------------------------------------------- fields every document takes

COMMON: tuple[FieldSpec, ...] = (
    FieldSpec("perkara", "the subject line (printed in capitals)", False, auto=True),
    FieldSpec("ruj_kami", "our file reference (the case's file ref)", False, auto=True),
    FieldSpec(
        "ruj_tuan",
        "the addressee's reference, printed only when known (auto on letters to KLN when "
        "KLN sent the request)",
        False,
        auto=True,
    ),
    FieldSpec("tarikh", "the letter's date, YYYY-MM-DD (default: today)", False, "date", True),
    FieldSpec(
        "sk", "copies to: ;-separated, directory keys or names (empty: none)", False, "list", True
    ),
    FieldSpec(
        "signatory",
        "who writes and signs: AB, Division or a [divisions] key, :2 for its second signatory "
        "(AB:2), or just 2 (default: the step's actor, its first signatory)",
        False,
        "key",
        True,
    ),
    FieldSpec(
        "keselamatan",
        f"security marking: {', '.join(SECURITY_LEVELS)} (default: the case's; "
        "`ika doc make --security`)",
        False,
        "security",
        True,
    ),
    FieldSpec(
        "ruj_bahagian",
        "the Division's own file reference for the case (default: its [divisions] file_ref)",
        False,
        kept=True,
    ),
)

# What the case knows about the request that started it: cited by the letters about it.
_REQUEST: tuple[FieldSpec, ...] = (
    FieldSpec(
        "ruj_surat",
        "the reference of the request's letter or note (the case's their_ref)",
        False,
        kept=True,
        example='KLN/600-2/17 "A&B"',
    ),
    FieldSpec(
        "tarikh_surat", "the date of the request's letter or note, YYYY-MM-DD", False, "date",
        kept=True, example="2026-03-10",
    ),
    FieldSpec(
        "nota_kedutaan",
        "the number of the embassy's Diplomatic Note (when KLN forwarded it)",
        False,
        kept=True,
        example="KOR/NV/2026/045",
    ),
    FieldSpec(
        "tarikh_nota", "the date of the embassy's Diplomatic Note, YYYY-MM-DD", False, "date",
        kept=True, example="2026-03-05",
    ),
)

# Filled from `ika case decide`; two documents state the decision.
_DECISION = FieldSpec(
    "keputusan", "YA or TIDAK (from `ika case decide`)", True, "decision", True, example="YA"
)
_DECISION_DATE = FieldSpec(
    "tarikh_keputusan",
    "date of the decision, YYYY-MM-DD (from `ika case decide`)",
    True,
    "date",
    True,
    example="2026-04-06",
)

# ---------------------------------------------------------------- the documents, step by step

MAKLUMAN_BAHAGIAN = Document(
    "makluman-bahagian",
    "Makluman kepada Bahagian",
    to=DIVISION,
    copies=("JK-i",),
    fields=(
        FieldSpec(
            "tarikh_akhir_ulasan",
            "date the comments are due (step 2's due date)",
            True,
            "date",
            True,
            example="2026-04-02",
            rule="step-2-due",
        ),
        *_REQUEST,
    ),
)

PERMOHONAN_ULASAN = Document(
    "permohonan-ulasan",
    "Permohonan Ulasan",
    per_addressee=True,
    to=None,  # one letter per addressee: --to is required
    copies=("AB",),
    fields=(
        FieldSpec(
            "tarikh_akhir",
            "date the comments are due (step 2's due date)",
            True,
            "date",
            True,
            example="2026-04-02",
            rule="step-2-due",
        ),
        FieldSpec(
            "lampiran",
            "what is enclosed, e.g. 'draf MoU tersebut'",
            False,
            example="draf & nota <penerangan>",
        ),
        *_REQUEST,
    ),
)

MINIT_CERAI = Document(
    "minit-cerai",
    "Minit Cerai",
    to="PENGURUSAN",
    fields=(
        FieldSpec(
            "tujuan",
            "the purpose of the minute (a line break starts a new paragraph)",
            True,
            "para",
            example="Memohon kelulusan Pengurusan Tinggi untuk mengadakan rundingan.",
        ),
        FieldSpec(
            "latar_belakang",
            "the background (a line break starts a new paragraph)",
            True,
            "para",
            example='Kedutaan mencadangkan "kerjasama" & latihan bersama <2026>.\n'
            "Cadangan ini selaras dengan dasar Kementerian.",
        ),
        FieldSpec(
            "ulasan",
            "comments received: DARIPADA|YYYY-MM-DD|RINGKASAN; ... (DARIPADA may be a "
            "directory key)",
            True,
            "rows",
            example="PDRM|2026-03-20|Menyokong & bersedia <hadir>; AGC|2026-03-22|Tiada halangan",
        ),
        FieldSpec(
            "syor",
            "the recommendation (a line break starts a new paragraph)",
            True,
            "para",
            example="Bahagian ini mengesyorkan supaya rundingan diadakan.",
        ),
        *_REQUEST,
    ),
)

JEMPUTAN_MESYUARAT = Document(
    "jemputan-mesyuarat",
    "Jemputan Mesyuarat Persediaan",
    per_addressee=True,
    distribution=True,
    to=None,  # one letter per --to, or one with a senarai edaran
    copies=("AB",),
    invitation=True,
    fields=(
        FieldSpec(
            "tarikh_mesyuarat", "the meeting's date, YYYY-MM-DD", True, "day", example="2026-04-08",
            kept=True,
        ),
        FieldSpec("masa", "the meeting's time, e.g. '10.00 pagi'", True, example="10.00 pagi",
                  kept=True),
        FieldSpec(
            "tempat",
            "where the meeting is held",
            True,
            example="Bilik Mesyuarat Utama, Aras 7, Blok D1",
            kept=True,
        ),
        FieldSpec(
            "agenda",
            "agenda items, ;-separated",
            True,
            "list",
            example="Ucapan alu-aluan; Taklimat draf MoU; Hal-hal lain",
            kept=True,
        ),
        FieldSpec(
            "bja",
            "the BJA invited as well: ;-separated directory keys or names",
            False,
            "list",
            example="PDRM; JIM",
            kept=True,
        ),
        FieldSpec(
            "jemputan",
            "every invitee, replacing the default KLN, the embassy, AGC (+ bja); the --to "
            "addressees are invited too",
            False,
            "list",
            True,
        ),
        FieldSpec(
            "hubungi",
            "contact officer for confirmations",
            False,
            example="Encik Ali (03-8886 1234)",
            kept=True,
        ),
        *_REQUEST,
    ),
)

MAKLUMAN_KEPUTUSAN = Document(
    "makluman-keputusan",
    "Makluman Keputusan",
    to="AB",
    fields=(
        _DECISION,
        _DECISION_DATE,
        FieldSpec(
            "tarikh_mesyuarat",
            "date of the preparatory meeting (as given for the invitation, else step 4's "
            "done date)",
            True,
            "day",
            True,
            when="YA",
            example="2026-04-08",
            kept=True,
            rule="step-4-done",
        ),
        FieldSpec("tempat", "where the meeting was held", False, when="YA", kept=True),
        FieldSpec(
            "kehadiran",
            "who attended the meeting: ;-separated directory keys or names (printed only "
            "when given)",
            False,
            "list",
            when="YA",
            example="KLN; AGC; PDRM",
            kept=True,
        ),
        FieldSpec(
            "hasil_mesyuarat",
            "the preparatory meeting's outcome (a line break starts a new paragraph)",
            True,
            "para",
            when="YA",
            example="Mesyuarat bersetuju dengan draf & jadual <rundingan>.\n"
            "Rundingan akan diadakan di Seoul.",
            kept=True,
        ),
        FieldSpec(
            "sebab",
            "why it was not approved (a line break starts a new paragraph)",
            False,
            "para",
            when="TIDAK",
            example="Tiada keperluan.",
            kept=True,
            rule="none-is-empty",
        ),
        *_REQUEST,
    ),
)

MEMO_KLN = Document(
    "memo-kln",
    "Memo Keputusan kepada KLN",
    to="KLN",
    copies=("Division", "JK-i"),
    fields=(
        _DECISION,
        _DECISION_DATE,
        FieldSpec("kedutaan", "the embassy or high commission to inform", False, auto=True,
                  rule="mission"),
        FieldSpec(
            "hasil_mesyuarat",
            "the preparatory meeting's outcome, if worth telling KLN",
            False,
            "para",
            when="YA",
            kept=True,
            rule="none-is-empty",
        ),
        FieldSpec("sebab", "why it was not approved", False, "para", when="TIDAK", kept=True,
                  rule="none-is-empty"),
        *_REQUEST,
    ),
)

SERAHAN_DOKUMEN = Document(
    "serahan-dokumen",
    "Serahan Dokumen Hasil Rundingan",
    to="AB",
    fields=(
        FieldSpec(
            "rundingan.mula",
            "first day of the negotiation (from `ika case schedule`)",
            True,
            "date",
            True,
            example="2026-05-04",
        ),
        FieldSpec(
            "rundingan.tamat",
            "last day of the negotiation (from `ika case schedule`)",
            True,
            "date",
            True,
            example="2026-05-06",
        ),
        FieldSpec(
            "rundingan.tempat",
            "where it was held (from `ika case schedule --venue`)",
            True,
            auto=True,
            example="Seoul, Korea Selatan",
        ),
        FieldSpec("lampiran", "what is enclosed", False, auto=True, rule="negotiated-copy"),
    ),
)
