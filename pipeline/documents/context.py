"""A letter's context: everything a template may print, in Malay, from the case, what the
case knows (`case["values"]`), ika.toml and `--set` values (which win), with the values the
document's declaration (`pipeline.documents.catalogue`) derives."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from pipeline.documents.addressees import (
    addressee,
    copies,
    distinct,
    invitation,
    names_addressee,
    their_letter,
)
from pipeline.documents.directory import Sender
from pipeline.documents.letterfields import SUMMARY_KEY, document_of, fields
from pipeline.documents.sender import check_sender, letterhead, our_reference, pick_sender, signer
from pipeline.documents.values import (
    MalayDate,
    apply_sets,
    lines,
    ms_date,
    ms_day,
    paragraphs,
    parse_decision,
    step_of,
)
from pipeline.errors import TemplateError
from pipeline.register import sop
from pipeline.settings import Settings
from pipeline.vocab.countries import (
    country_formal_ms,
    country_name_ms,
    government_ms,
    is_grouping,
    join_ms,
    mission_ms,
)
from pipeline.vocab.instruments import level_name_ms, type_name_ms
from pipeline.vocab.malay import malay_date, malay_period

_SOURCES = {
    "kln": "Kementerian Luar Negeri",
    "management": "Pengurusan Tinggi Kementerian Dalam Negeri",
}

_STATUS_MS = {
    "done": "Selesai",
    "open": "Dalam tindakan",
    "overdue": "Lewat",
    "waiting": "Menunggu jadual",
    "skipped": "Dilangkau (TIDAK)",
}
_CASE_STATUS_MS = {"open": "Dalam tindakan", "closed": "Selesai", "rejected": "Tidak diluluskan"}


def build_context(
    case: Mapping[str, Any],
    doc_key: str,
    settings: Settings,
    *,
    to_key: str | None = None,
    overrides: Mapping[str, str] | None = None,
    today: date,
    recipients: Sequence[str] = (),
    archive_root: Path | None = None,
) -> dict[str, Any]:
    """Everything a template may print, in Malay, from the case, what the case knows
    (`case["values"]`), ika.toml and `--set` values (which win).

    Unknown values are left out (not None) so that render() can name them; `overrides`
    replace anything, dotted keys (`kepada.nama`) reach into nested values. What the writer
    of the letter lacks in ika.toml (a signatory's name, an address, a file reference) is a
    TemplateError naming the key to fill. `recipients` are every --to of the run (the
    invitation invites them all); `archive_root` resolves a crest path inside the archive.
    """
    overrides = dict(overrides or {})
    decision = parse_decision(case.get("decision"), "the case's decision")
    step: sop.Step | None = None
    document: sop.Document | None = None
    if doc_key != SUMMARY_KEY:
        step, document = document_of(doc_key)
        if not sop.applies(step, decision):
            raise TemplateError(
                f"{doc_key}: step {step.n} ({step.name}) happens only when top management "
                f"says YA; case {case.get('id')} was decided TIDAK"
            )
    org = settings.organisation
    directory = settings.directory
    kes = _case_values(case)
    ctx: dict[str, Any] = {
        "dokumen": {
            "kunci": doc_key,
            "tajuk": document.title if document else "Ringkasan Kes",
            "langkah": step.n if step else None,
        },
        "organisasi": _organisation(org),
        "slogan": _slogans(org),
        "tarikh": MalayDate(today),
        "ruj_kami": case.get("file_ref"),
        "ruj_tuan": case.get("their_ref"),
        "perkara": f"Rundingan {kes['perihal']}",
        "kes": kes,
        "keputusan": decision,
        "tarikh_keputusan": ms_date(case.get("decision_date")),
        "rundingan": _negotiation(case),
        "keselamatan": case.get("security"),
    }
    if step is None or document is None:
        ctx.update(_summary_values(case, today))
        apply_sets(ctx, doc_key, overrides, {}, directory)
        _derive(ctx, None, {}, directory, to_key=None, recipients=())
        return ctx
    specs = {f.name: f for f in fields(doc_key)}
    stored = {k: v for k, v in (case.get("values") or {}).items()
              if k in specs and specs[k].kept and k not in overrides}
    sets = {**stored, **overrides}
    who = sets.pop("signatory", None)
    sender, index = pick_sender(settings, case, who, step.actor, doc_key)
    ctx["pengirim"] = {"kunci": sender.key, "nama": sender.name, "jenis": sender.kind}
    ctx["kepala"] = letterhead(sender, settings, archive_root, doc_key)
    ctx["penandatangan"] = signer(sender, index, org)
    ctx["ruj_kami"] = our_reference(sender, case, sets)
    check_sender(doc_key, sender, index, ctx, sets)
    ctx["langkah"] = _step_values(case, step.n)
    ctx["kepada"] = addressee(document, case, settings, to_key)
    ctx["ruj_tuan"] = None  # set below, once what the case knows is applied
    ctx["sk"] = copies(document, case, settings)
    for spec in document.fields:  # what the case already knows for the document's own fields
        if spec.rule in RULES:
            ctx[spec.name] = RULES[spec.rule](case, kes)
    apply_sets(ctx, doc_key, sets, specs, directory)
    _derive(ctx, document, sets, directory, to_key=to_key, recipients=recipients,
            case=case, sender=sender, settings=settings)
    return ctx


def _organisation(org: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "nama": org.get("name"),
        "nama_en": org.get("name_en"),
        "bahagian": org.get("division"),
        "alamat": lines(org.get("address")),
        "telefon": org.get("phone"),
        "faks": org.get("fax"),
        "emel": org.get("email"),
        "laman_web": org.get("website"),
    }


def _slogans(org: Mapping[str, Any]) -> list[str]:
    value = org.get("slogans")
    if value is None:
        return ["MALAYSIA MADANI", "BERKHIDMAT UNTUK NEGARA"]
    return [str(s) for s in lines(value)]



def _case_values(case: Mapping[str, Any]) -> dict[str, Any]:
    """The case in Malay words: type, level, parties by their formal names, the sentence that
    names the instrument, the mission in Kuala Lumpur."""
    codes = [str(c) for c in case.get("countries") or []]
    groupings = [country_name_ms(c) for c in codes if is_grouping(c)]
    states = [c for c in codes if not is_grouping(c)]
    short = [country_name_ms(c) for c in states]
    formal = [country_formal_ms(c) for c in states]
    type_id = str(case.get("type") or "other")
    type_ms = type_name_ms(type_id)
    what = "Instrumen Kerjasama Antarabangsa" if type_id == "other" else type_ms
    title = str(case.get("title") or "")
    if groupings:
        parties = [f"Negara-Negara Anggota {g}" for g in groupings]
        parties += [government_ms(c) for c in states]
        pihak = join_ms(parties) if len(parties) > 1 else ""
        if not pihak:  # the grouping alone: "Konvensyen ASEAN"
            what = f"{what} {groupings[0]}"
    elif states:
        pihak = join_ms(["Kerajaan Malaysia", *(government_ms(c) for c in states)])
    else:
        pihak = ""
    if type_ms.casefold() in title.casefold():
        perihal = title  # the title already names the instrument
    else:
        perihal = what + (f" antara {pihak}" if pihak else "") + f" mengenai {title}"
    missions = list(dict.fromkeys(m for m in (mission_ms(c) for c in states) if m))
    if missions:
        kedutaan = f"{join_ms(missions)} di Kuala Lumpur"
    elif groupings:
        kedutaan = f"Sekretariat {groupings[0]}"
    else:
        kedutaan = None
    source = case.get("source")
    sumber = _SOURCES.get(str(source)) if source != "embassy" else kedutaan
    return {
        "id": case.get("id"),
        "tajuk": title,
        "jenis": type_ms,
        "peringkat": level_name_ms(str(case["level"])) if case.get("level") else None,
        "negara": join_ms([*groupings, *short]),
        "negara_rasmi": join_ms([*groupings, *formal]),
        "senarai_negara": [*groupings, *short],
        "pihak": pihak,
        "perihal": perihal,
        "bahagian": case.get("division"),
        "diterima": ms_date(case.get("received")),
        "sumber": sumber,
        "kedutaan": kedutaan,
        "sasaran": ms_date(case.get("target_date")),
    }


def _negotiation(case: Mapping[str, Any]) -> dict[str, Any]:
    neg = case.get("negotiation") or {}
    return {
        "mula": ms_date(neg.get("start")),
        "tamat": ms_date(neg.get("end")),
        "tempat": neg.get("venue"),
    }


def _step_values(case: Mapping[str, Any], n: int) -> dict[str, Any]:
    s = step_of(case, n)
    return {
        "n": n,
        "nama": sop.step(n).name,
        "tarikh_akhir": ms_date(s.get("due")),
        "selesai": ms_date(s.get("done")),
    }



# The catalogue's rules that fill a field before `--set` (which overrides them): the case's
# own dates and names. ("none-is-empty" applies after `--set`, in _derive.)
RULES: dict[str, Callable[[Mapping[str, Any], Mapping[str, Any]], Any]] = {
    "step-2-due": lambda case, kes: ms_date(step_of(case, 2).get("due")),
    "step-4-done": lambda case, kes: ms_day(step_of(case, 4).get("done")),
    "mission": lambda case, kes: kes["kedutaan"],
    "negotiated-copy": lambda case, kes: f"salinan {kes['jenis']} yang telah dirundingkan",
}

# Fields written as paragraphs: a text value of them (a template's own --set) is split too.
PARAGRAPHS = tuple(dict.fromkeys(
    f.name for _step, d in sop.DOCUMENTS.values() for f in d.fields if f.kind == "para"
))

def _summary_values(case: Mapping[str, Any], today: date) -> dict[str, Any]:
    rows = []
    for s in case.get("steps") or []:
        status = str(s.get("status"))
        label = _STATUS_MS.get(status, status)
        late = 0
        if status == "overdue" and s.get("due"):
            late = (today - date.fromisoformat(s["due"])).days
            label = f"Lewat {late} hari"
        rows.append(
            {
                "n": s.get("n"),
                "nama": s.get("name"),
                "pelaku": "Bahagian AB" if s.get("actor") == "AB" else "Bahagian berkaitan",
                "tarikh_akhir": ms_date(s.get("due")) or "—",
                "selesai": ms_date(s.get("done")) or "—",
                "status": status,
                "status_teks": label,
                "lewat": late,
                "semasa": s.get("n") == case.get("current_step"),
                "catatan": s.get("note") or "",
            }
        )
    status = str(case.get("status") or "open")
    history = [
        {
            "pada": str(e.get("at") or "")[:16],
            "oleh": e.get("by") or "",
            "tindakan": e.get("action") or "",
            "catatan": e.get("note") or "",
        }
        for e in case.get("history") or []
    ]
    return {
        "sejarah": history,
        "hari_ini": malay_date(today),
        "langkah_langkah": rows,
        "minggu_sasaran": sop.TARGET_WEEKS,
        "status_kes": _CASE_STATUS_MS.get(status, status),
        "status": status,
    }


def _derive(
    ctx: dict[str, Any],
    document: sop.Document | None,
    sets: Mapping[str, str],
    directory: Mapping[str, Any],
    *,
    to_key: str | None,
    recipients: Sequence[str],
    case: Mapping[str, Any] | None = None,
    sender: Sender | None = None,
    settings: Settings | None = None,
) -> None:
    """Values computed from others, after `--set` so that they follow an override."""
    ctx["diluluskan"] = ctx.get("keputusan") == "YA"
    ctx["ditolak"] = ctx.get("keputusan") == "TIDAK"
    neg = ctx.get("rundingan")
    if isinstance(neg, dict):
        start, end = neg.get("mula"), neg.get("tamat")
        if isinstance(start, MalayDate) and isinstance(end, MalayDate):
            neg["tempoh"] = malay_period(start.day, end.day)
    if document is None or case is None or sender is None or settings is None:
        return
    for key in PARAGRAPHS:
        if isinstance(ctx.get(key), str):  # an old-style text value (a template's own --set)
            ctx[key] = paragraphs(ctx[key])
    # Optional paragraphs ("none-is-empty"): none is an empty list, never missing. Every
    # letter's `sebab` is, so that a template of the Division's own may print it.
    empty = ["sebab", *(f.name for f in document.fields if f.rule == "none-is-empty")]
    for key in dict.fromkeys(empty):
        ctx.setdefault(key, [])
        if ctx[key] is None:
            ctx[key] = []
    cite_request(ctx, case)
    their_letter(ctx, document.key, case, sender, sets)
    kepada = ctx.get("kepada") or {}
    if document.invitation:
        invitation(ctx, sets, directory, to_key, recipients)
    ctx["sk"] = distinct(
        [s for s in ctx.get("sk") or [] if not names_addressee(s, kepada)]
    )


def cite_request(ctx: dict[str, Any], case: Mapping[str, Any]) -> None:
    """How the case's request is cited: "surat Kementerian Luar Negeri rujukan ... bertarikh
    ...", "Nota Diplomatik Kedutaan Besar ... No. ... bertarikh ..."; and the embassy's note."""
    kes = ctx["kes"]
    source = case.get("source")
    ref = ctx.get("ruj_surat") or case.get("their_ref")
    ctx["ruj_surat"] = ref
    dated = ctx.get("tarikh_surat")
    note_no, note_date = ctx.get("nota_kedutaan"), ctx.get("tarikh_nota")
    mission = kes.get("kedutaan")

    def note(number: Any, day: Any, by: str | None = mission) -> str | None:
        if not (number or day) or (by is not None and not mission):
            return None
        return ("Nota Diplomatik" + (f" {by}" if by else "") + (f" No. {number}" if number else "")
                + (f" bertarikh {day}" if day else ""))

    if source == "embassy":
        kes["nota_ringkas"] = note(ref or note_no, dated or note_date, None)
    else:
        kes["nota_ringkas"] = note(note_no, note_date, None)
    if source == "kln":
        forwarded = note(note_no, note_date)
        kes["nota"] = forwarded
        kes["permintaan"] = ("surat Kementerian Luar Negeri" + (f" rujukan {ref}" if ref else "")
                             + (f" bertarikh {dated}" if dated else "")
                             + (f" yang memanjangkan {forwarded}" if forwarded else ""))
    elif source == "embassy":
        kes["nota"] = note(ref or note_no, dated or note_date)
        kes["permintaan"] = kes["nota"] or (f"Nota Diplomatik {mission}" if mission else None)
    elif source == "management":
        kes["nota"] = note(note_no, note_date)
        kes["permintaan"] = ("arahan Pengurusan Tinggi Kementerian Dalam Negeri"
                             + (f" bertarikh {dated}" if dated else ""))
    else:
        kes["nota"] = note(note_no, note_date)
        kes["permintaan"] = None

