"""The fields each document's template needs: names, meaning, kind, whether required."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from pipeline.errors import TemplateError
from pipeline.register import sop

if TYPE_CHECKING:
    pass
SUMMARY_KEY = "case-summary"



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


# Security markings (Arahan Keselamatan): printed at the top and bottom of every page.
SECURITY_LEVELS = ("TERHAD", "SULIT", "RAHSIA", "RAHSIA BESAR")


def security_level(raw: str | None, what: str) -> str | None:
    """TERHAD, SULIT, RAHSIA or RAHSIA BESAR, in any case; empty: none."""
    text = " ".join(str(raw or "").split()).upper()
    if not text:
        return None
    if text not in SECURITY_LEVELS:
        raise TemplateError(f"{what}: {raw!r} is not a security marking; use one of "
                            f"{', '.join(SECURITY_LEVELS)}")
    return text


_COMMON: tuple[FieldSpec, ...] = (
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

_FIELDS: dict[str, tuple[FieldSpec, ...]] = {
    "makluman-bahagian": (
        FieldSpec(
            "tarikh_akhir_ulasan",
            "date the comments are due (step 2's due date)",
            True,
            "date",
            True,
            example="2026-04-02",
        ),
        *_REQUEST,
    ),
    "permohonan-ulasan": (
        FieldSpec(
            "tarikh_akhir",
            "date the comments are due (step 2's due date)",
            True,
            "date",
            True,
            example="2026-04-02",
        ),
        FieldSpec(
            "lampiran",
            "what is enclosed, e.g. 'draf MoU tersebut'",
            False,
            example="draf & nota <penerangan>",
        ),
        *_REQUEST,
    ),
    "minit-cerai": (
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
    "jemputan-mesyuarat": (
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
    "makluman-keputusan": (
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
        ),
        *_REQUEST,
    ),
    "memo-kln": (
        _DECISION,
        _DECISION_DATE,
        FieldSpec("kedutaan", "the embassy or high commission to inform", False, auto=True),
        FieldSpec(
            "hasil_mesyuarat",
            "the preparatory meeting's outcome, if worth telling KLN",
            False,
            "para",
            when="YA",
            kept=True,
        ),
        FieldSpec("sebab", "why it was not approved", False, "para", when="TIDAK", kept=True),
        *_REQUEST,
    ),
    "serahan-dokumen": (
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
        FieldSpec("lampiran", "what is enclosed", False, auto=True),
    ),
}


def kept_fields() -> dict[str, FieldSpec]:
    """Every value the case keeps once given (`--set` on a letter, `ika case done --set`),
    by name: the first spec of each name says its kind."""
    out: dict[str, FieldSpec] = {}
    for spec in (*_COMMON, *(f for specs in _FIELDS.values() for f in specs)):
        if spec.kept:
            out.setdefault(spec.name, spec)
    return out


def fields(doc_key: str) -> list[FieldSpec]:
    """The values a document takes through `--set`: its own first, then the common ones."""
    if doc_key == SUMMARY_KEY:
        return []
    document_of(doc_key)
    return [*_FIELDS.get(doc_key, ()), *_COMMON]


def document_of(doc_key: str) -> tuple[sop.Step, sop.Document]:
    try:
        return sop.DOCUMENTS[doc_key]
    except KeyError:
        known = ", ".join(sop.DOCUMENTS)
        raise TemplateError(
            f"no document {doc_key!r}; the SOP's documents are: {known}"
        ) from None


