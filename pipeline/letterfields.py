"""The fields each document's template needs: names, meaning, kind, whether required."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from . import sop
from .errors import TemplateError

if TYPE_CHECKING:
    pass
SUMMARY_KEY = "case-summary"



@dataclass(frozen=True)
class FieldSpec:
    """A value a document needs; `auto` ones come from the case or ika.toml when known."""

    name: str
    description: str
    required: bool
    kind: str = "text"  # text | date | day | list | rows | decision | key
    auto: bool = False
    when: str | None = None  # "YA"/"TIDAK": required only on that decision
    example: str = ""  # a sample value, used by check_templates and the README


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
    FieldSpec("signatory", "who signs: a key of [signatories] in ika.toml", False, "key", True),
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
    ),
    "minit-cerai": (
        FieldSpec(
            "tujuan",
            "the purpose of the minute",
            True,
            example="Memohon kelulusan Pengurusan Tinggi untuk mengadakan rundingan.",
        ),
        FieldSpec(
            "latar_belakang",
            "the background",
            True,
            example='Kedutaan mencadangkan "kerjasama" & latihan bersama <2026>.',
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
            "the recommendation",
            True,
            example="Bahagian ini mengesyorkan supaya rundingan diadakan.",
        ),
    ),
    "jemputan-mesyuarat": (
        FieldSpec(
            "tarikh_mesyuarat", "the meeting's date, YYYY-MM-DD", True, "day", example="2026-04-08"
        ),
        FieldSpec("masa", "the meeting's time, e.g. '10.00 pagi'", True, example="10.00 pagi"),
        FieldSpec(
            "tempat",
            "where the meeting is held",
            True,
            example="Bilik Mesyuarat Utama, Aras 7, Blok D1",
        ),
        FieldSpec(
            "agenda",
            "agenda items, ;-separated",
            True,
            "list",
            example="Ucapan alu-aluan; Taklimat draf MoU; Hal-hal lain",
        ),
        FieldSpec(
            "bja",
            "the BJA invited as well: ;-separated directory keys or names",
            False,
            "list",
            example="PDRM; JIM",
        ),
        FieldSpec(
            "jemputan",
            "every invitee, replacing the default KLN, the embassy, AGC (+ bja)",
            False,
            "list",
            True,
        ),
        FieldSpec(
            "hubungi",
            "contact officer for confirmations",
            False,
            example="Encik Ali (03-8886 1234)",
        ),
    ),
    "makluman-keputusan": (
        _DECISION,
        _DECISION_DATE,
        FieldSpec(
            "tarikh_mesyuarat",
            "date of the preparatory meeting (step 4's done date)",
            True,
            "day",
            True,
            when="YA",
            example="2026-04-08",
        ),
        FieldSpec(
            "hasil_mesyuarat",
            "the preparatory meeting's outcome",
            True,
            when="YA",
            example="Mesyuarat bersetuju dengan draf & jadual <rundingan>.",
        ),
        FieldSpec(
            "sebab", "why it was not approved", False, when="TIDAK", example="Tiada keperluan."
        ),
    ),
    "memo-kln": (
        _DECISION,
        _DECISION_DATE,
        FieldSpec("kedutaan", "the embassy or high commission to inform", False, auto=True),
        FieldSpec(
            "hasil_mesyuarat",
            "the preparatory meeting's outcome, if worth telling KLN",
            False,
            when="YA",
        ),
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


