"""The SOP for negotiating an IKA, declared once, as data.

Everything that needs a step number, an actor, a deadline rule or the documents a step
produces reads it from here: deadlines, `ika case show`, reports and the templates' context.
Each step names the documents it calls for; what a document is (its template, default
addressee, copies, fields and their rules) is declared in `pipeline.documents.catalogue`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pipeline.documents import catalogue
from pipeline.documents.catalogue import Document

Branch = Literal["both", "ya"]
Anchor = Literal["received", "previous", "decision", "agreed-start", "negotiation-end"]


@dataclass(frozen=True)
class Step:
    n: int
    name: str  # Malay, as in the SOP
    name_en: str
    actor: Literal["AB", "Division"]
    work: str
    days: int  # the SOP's "Tempoh Masa"
    anchor: Anchor  # what the days count from (timeline.compute reads it)
    branch: Branch  # "ya": only when top management said YA
    documents: tuple[Document, ...] = ()
    decision: bool = False  # closed by `ika case decide`, not `done`
    decided_by: str | None = None  # who the step waits on once the Division has done its part
    scheduled: bool = False  # waits for `ika case schedule` (agreed start)
    filing: bool = False  # completed by filing the negotiated document
    hands_over: bool = False  # the negotiated document goes to AB (done when AB files it)

    @property
    def rule(self) -> str:
        """The due-date rule in words, for people."""
        words = {
            "received": "after the request was received",
            "previous": "after the previous step",
            "decision": "after the decision",
            "agreed-start": "of negotiation from the agreed start",
            "negotiation-end": "after the negotiation ends",
        }
        return f"{self.days} days {words[self.anchor]}"


STEPS: tuple[Step, ...] = (
    Step(
        1,
        "Terima maklumat & maklumkan Bahagian yang berkaitan",
        "Receive the request and inform the Division",
        "AB",
        "Receive the request (KLN, a foreign embassy or top management) and inform the Division",
        3,
        "received",
        "both",
        (catalogue.MAKLUMAN_BAHAGIAN,),
    ),
    Step(
        2,
        "Mendapatkan ulasan/input daripada BJA",
        "Get comments from BJA, PUU and AGC",
        "Division",
        "Get comments/input from the BJA, PUU KDN, PUU Jabatan and AGC",
        14,
        "previous",
        "both",
        (catalogue.PERMOHONAN_ULASAN,),
    ),
    Step(
        3,
        "Mengangkat Minit Cerai kepada Pengurusan Tinggi (YA/TIDAK)",
        "Minit Cerai to top management for approval",
        "Division",
        "Submit the Minit Cerai to top management: negotiate? YA / TIDAK",
        3,
        "previous",
        "both",
        (catalogue.MINIT_CERAI,),
        decision=True,
        decided_by="Pengurusan Tinggi",
    ),
    Step(
        4,
        "Mengadakan mesyuarat persediaan rundingan IKA",
        "Preparatory meeting",
        "Division",
        "Preparatory meeting with KLN, the embassy, AGC and the BJA",
        3,
        "decision",
        "ya",
        (catalogue.JEMPUTAN_MESYUARAT,),
    ),
    Step(
        5,
        "Memaklumkan keputusan kepada Bahagian AB",
        "Tell AB the decision",
        "Division",
        "Tell AB the decision of top management or the meeting's outcome",
        3,
        "previous",
        "both",
        (catalogue.MAKLUMAN_KEPUTUSAN,),
    ),
    Step(
        6,
        "Menyampaikan keputusan kepada KLN",
        "Convey the decision to KLN",
        "AB",
        "Convey the decision to KLN, who informs the embassy by Nota Diplomatik, copied to KDN",
        3,
        "previous",
        "both",
        (catalogue.MEMO_KLN,),
    ),
    Step(
        7,
        "Mengadakan rundingan dengan negara asing",
        "Negotiate with the foreign country",
        "Division",
        "Negotiate the draft with the foreign team at the agreed time and place",
        3,
        "agreed-start",
        "ya",
        scheduled=True,
    ),
    Step(
        8,
        "Menyampaikan salinan dokumen hasil rundingan kepada AB",
        "Send AB the negotiated document",
        "Division",
        "Send AB a copy of the negotiated document",
        3,
        "negotiation-end",
        "ya",
        (catalogue.SERAHAN_DOKUMEN,),
        hands_over=True,
    ),
    Step(
        9,
        "Salinan dokumen difailkan",
        "File the copy",
        "AB",
        "File the copy of the negotiated document",
        3,
        "previous",
        "ya",
        filing=True,
    ),
)

TARGET_WEEKS = 5  # the SOP's target for the whole YA path

STEP_BY_N: dict[int, Step] = {s.n: s for s in STEPS}
LAST_STEP = STEPS[-1].n
DECISION_STEP = next(s.n for s in STEPS if s.decision)
DECISION_ACTOR = STEP_BY_N[DECISION_STEP].decided_by or "Pengurusan Tinggi"
SCHEDULED_STEP = next(s.n for s in STEPS if s.scheduled)
FILING_STEP = next(s.n for s in STEPS if s.filing)
HANDOVER_STEP = next(s.n for s in STEPS if s.hands_over)
DOCUMENTS: dict[str, tuple[Step, Document]] = {d.key: (s, d) for s in STEPS for d in s.documents}


def step(n: int) -> Step:
    return STEP_BY_N[n]


def applies(s: Step, decision: str | None) -> bool:
    """Whether a step is on the case's path; before the decision every step may still apply."""
    return s.branch == "both" or decision != "TIDAK"
