"""The documents the SOP's steps call for, written from Word templates the Division can edit.

`build_context` turns a case (the register's dict) into the templates' Malay field names;
`render` fills a .docx with docxtpl and refuses to write a letter with a blank where a value
belongs (templatetags.py names what Word broke; templatecheck.py backs `ika doc check`).
No database here: the caller passes the case in and files the result.
"""

from __future__ import annotations

import contextvars
import os
import re
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from pipeline.documents.directory import AB, Sender, Signatory, norm
from pipeline.documents.letterfields import SUMMARY_KEY, document_of, fields, security_level
from pipeline.documents.templatetags import check_leftovers, check_syntax, lonely_tag_problems
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
from pipeline.vocab.malay import malay_date, malay_period, malay_weekday

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates"
SUMMARY_TEMPLATE = "case-summary.html.j2"
DIVISION = "Division"  # the pseudo-key "the case's Division" (sender and addressee)

# Who a document goes to when no --to is given (a key of ika.toml's [directory]); None with
# a distribution list (jemputan-mesyuarat: one letter "Seperti Senarai Edaran").
DEFAULT_TO: dict[str, str | None] = {
    "makluman-bahagian": DIVISION,
    "permohonan-ulasan": None,  # one letter per addressee: --to is required
    "minit-cerai": "PENGURUSAN",
    "jemputan-mesyuarat": None,  # one letter per --to, or one with a senarai edaran
    "makluman-keputusan": "AB",
    "memo-kln": "KLN",
    "serahan-dokumen": "AB",
}

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


class MalayDate(str):
    """A date as a letter prints it ("8 Februari 2027"), that still knows its day, so that a
    span of two of them reads "dari 8 hingga 10 Februari 2027"."""

    day: date

    def __new__(cls, day: date, text: str | None = None) -> MalayDate:
        obj = super().__new__(cls, text or malay_date(day))
        obj.day = day
        return obj


class Crest:
    """The letterhead's crest image, a file already checked; render() makes it an image."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __str__(self) -> str:
        return ""


# ---------------------------------------------------------------- context


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
    decision = _decision(case.get("decision"), "the case's decision")
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
        "tarikh_keputusan": _ms(case.get("decision_date")),
        "rundingan": _negotiation(case),
        "keselamatan": case.get("security"),
    }
    if step is None:
        ctx.update(_summary_values(case, today))
        _apply(ctx, doc_key, overrides, {}, directory)
        _derive(ctx, doc_key, {}, directory, to_key=None, recipients=())
        return ctx
    specs = {f.name: f for f in fields(doc_key)}
    stored = {k: v for k, v in (case.get("values") or {}).items()
              if k in specs and specs[k].kept and k not in overrides}
    sets = {**stored, **overrides}
    who = sets.pop("signatory", None)
    sender, index = _pick_sender(settings, case, who, step.actor, doc_key)
    ctx["pengirim"] = {"kunci": sender.key, "nama": sender.name, "jenis": sender.kind}
    ctx["kepala"] = _letterhead(sender, settings, archive_root, doc_key)
    ctx["penandatangan"] = _signer(sender, index, org)
    ctx["ruj_kami"] = _our_reference(sender, case, sets)
    _check_sender(doc_key, sender, index, ctx, sets)
    ctx["langkah"] = _step_values(case, step.n)
    ctx["kepada"] = _addressee(doc_key, case, settings, to_key)
    ctx["ruj_tuan"] = None  # set below, once what the case knows is applied
    ctx["sk"] = _copies(doc_key, case, settings)
    ctx.update(_document_defaults(doc_key, case, kes))
    _apply(ctx, doc_key, sets, specs, directory)
    _derive(ctx, doc_key, sets, directory, to_key=to_key, recipients=recipients,
            case=case, sender=sender, settings=settings)
    return ctx


def _decision(value: Any, what: str) -> str | None:
    if value in (None, ""):
        return None
    text = str(value).strip().upper()
    if text not in ("YA", "TIDAK"):
        raise TemplateError(f"{what} must be YA or TIDAK, not {value!r}")
    return text


def _ms(iso: str | None) -> MalayDate | None:
    """An ISO date from the register as a Malay date; None stays None (then it is missing)."""
    return MalayDate(date.fromisoformat(iso)) if iso else None


def _ms_day(iso: str | None) -> MalayDate | None:
    if not iso:
        return None
    d = date.fromisoformat(iso)
    return MalayDate(d, f"{malay_date(d)} ({malay_weekday(d)})")


def _organisation(org: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "nama": org.get("name"),
        "nama_en": org.get("name_en"),
        "bahagian": org.get("division"),
        "alamat": _lines(org.get("address")),
        "telefon": org.get("phone"),
        "faks": org.get("fax"),
        "emel": org.get("email"),
        "laman_web": org.get("website"),
    }


def _slogans(org: Mapping[str, Any]) -> list[str]:
    value = org.get("slogans")
    if value is None:
        return ["MALAYSIA MADANI", "BERKHIDMAT UNTUK NEGARA"]
    return [str(s) for s in _lines(value)]


def _lines(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


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
        "diterima": _ms(case.get("received")),
        "sumber": sumber,
        "kedutaan": kedutaan,
        "sasaran": _ms(case.get("target_date")),
    }


def _negotiation(case: Mapping[str, Any]) -> dict[str, Any]:
    neg = case.get("negotiation") or {}
    return {
        "mula": _ms(neg.get("start")),
        "tamat": _ms(neg.get("end")),
        "tempat": neg.get("venue"),
    }


def _step(case: Mapping[str, Any], n: int) -> Mapping[str, Any]:
    return next((s for s in case.get("steps") or [] if s.get("n") == n), {})


def _step_values(case: Mapping[str, Any], n: int) -> dict[str, Any]:
    s = _step(case, n)
    return {
        "n": n,
        "nama": sop.step(n).name,
        "tarikh_akhir": _ms(s.get("due")),
        "selesai": _ms(s.get("done")),
    }


def _entry(directory: Mapping[str, Any], key: str) -> tuple[str, Mapping[str, Any]] | None:
    """A directory entry by key, case-insensitively (`--to kln` works)."""
    for k, v in directory.items():
        if k.casefold() == key.strip().casefold():
            return k, v
    return None


# ---------------------------------------------------------------- the writer


def _pick_sender(settings: Settings, case: Mapping[str, Any], who: str | None, actor: str,
                 doc_key: str) -> tuple[Sender, int]:
    """The writer and which of its signatories signs: the step's actor and its first, or
    `--set signatory=KEY`, `KEY:N`, `N` (AB, Division or a [divisions] key)."""
    key, index = actor, 1
    if who and str(who).strip():
        text = str(who).strip()
        head, _, tail = text.partition(":")
        if head.strip().isdigit() and not tail:
            index = int(head)
        else:
            key = head.strip() or actor
            if tail:
                if not tail.strip().isdigit():
                    raise TemplateError(
                        f"{doc_key}: --set signatory={text!r}: use KEY or KEY:N (AB:2)"
                    )
                index = int(tail)
    if key.casefold() == DIVISION.casefold():
        sender = _case_division(settings, case, doc_key)
    else:
        found = settings.sender(key)
        if found is None:
            known = ", ".join([AB, DIVISION, *settings.divisions])
            raise TemplateError(
                f"{doc_key}: --set signatory={who!r}: no writer {key!r}; known: {known}"
            )
        sender = found
    if index < 1 or (sender.signatories and index > len(sender.signatories)):
        raise TemplateError(
            f"{doc_key}: {sender.name} has {len(sender.signatories)} signator"
            f"{'y' if len(sender.signatories) == 1 else 'ies'} in ika.toml "
            f"({sender.signatories_where}), not a number {index}"
        )
    return sender, index


def _case_division(settings: Settings, case: Mapping[str, Any], doc_key: str) -> Sender:
    name = str(case.get("division") or "")
    found = settings.division_for(name)
    if found is None:
        raise TemplateError(
            f"{doc_key}: the case's Division {name!r} is not in ika.toml [divisions]: add "
            f'[divisions.KEY] with name = "{name}", its address, file_ref and signatories, '
            f"or correct the case with `ika case edit {case.get('id')} --division KEY` "
            f"(known: {', '.join(settings.divisions) or 'none'})"
        )
    return found


def _our_reference(sender: Sender, case: Mapping[str, Any], sets: Mapping[str, str]) -> Any:
    """Ruj. Kami: AB's is the case's file reference; a Division's is the case's own with that
    Division (`ruj_bahagian`), else its [divisions] file_ref filled with the case's year and
    number. None when unknown (then _check_sender names the key to fill)."""
    if sender.key == AB:
        return case.get("file_ref")
    if str(sets.get("ruj_bahagian") or "").strip():
        return str(sets["ruj_bahagian"]).strip()
    m = re.fullmatch(r"IKA-(\d{4})-(\d+)", str(case.get("id") or ""))
    if not sender.file_ref or not m:
        return None
    return sender.file_ref.format(year=m.group(1), seq=m.group(2))


def _check_sender(doc_key: str, sender: Sender, index: int, ctx: Mapping[str, Any],
                  sets: Mapping[str, str]) -> None:
    """What the writer lacks in ika.toml: one error naming every key to fill."""
    keys = []
    if not sender.address:
        keys.append(f"{sender.where}.address")
    if not ctx.get("ruj_kami") and not str(sets.get("ruj_kami") or "").strip():
        if sender.key == AB:
            keys.append(f"{sender.where}.file_ref (or `ika case edit --file-ref`)")
        else:
            keys.append(f"{sender.where}.file_ref (or --set ruj_bahagian=...)")
    if not sender.signatories:
        keys.append(f"{sender.signatories_where} (name and post of who signs)")
    else:
        s = sender.signatories[index - 1]
        where = sender.signatory_key(index)
        if s.placeholder:
            keys.append(f"{where}.name")
        if not s.post.strip():
            keys.append(f"{where}.post")
    if keys:
        raise TemplateError(
            f"{doc_key}: {sender.name} writes this letter and ika.toml lacks what it needs: "
            f"fill in {', '.join(keys)}"
        )


def _letterhead(sender: Sender, settings: Settings, root: Path | None,
                doc_key: str) -> dict[str, Any]:
    """The writer's letterhead: for AB and a Division, the Ministry's name (English beneath)
    and the Division's; for an agency, its own names. Its own address and contacts."""
    org = settings.organisation
    agency = sender.kind == "agensi"
    crest_key = f"{sender.where}.crest" if sender.crest else "organisation.crest"
    crest = crest_path(sender.crest or str(org.get("crest") or ""), root, crest_key)
    return {
        "jata": Crest(crest) if crest else None,
        "nama": sender.name if agency else org.get("name"),
        "nama_en": sender.name_en if agency else org.get("name_en"),
        "bahagian": None if agency else sender.name,
        "alamat": list(sender.address),
        "telefon": sender.phone,
        "faks": sender.fax,
        "emel": sender.email,
        "laman_web": sender.website or (None if agency else org.get("website")),
    }


_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a")


def crest_path(value: str, root: Path | None, key: str = "organisation.crest") -> Path | None:
    """The crest's file: a path inside the archive or an absolute one, readable, PNG, JPEG or
    GIF. Empty: no crest. A relative path with no archive to resolve it against: no crest
    (only a preview of values asks so)."""
    text = (value or "").strip()
    if not text:
        return None
    path = Path(text).expanduser()
    if not path.is_absolute():
        if root is None:
            return None
        base = Path(root).resolve()
        path = (base / path).resolve()
        if not path.is_relative_to(base):
            raise TemplateError(
                f"ika.toml {key} = {text!r}: a relative path must stay inside the archive "
                f"({base}); give an absolute path for a file elsewhere"
            )
    try:
        with path.open("rb") as f:
            head = f.read(8)
    except OSError as exc:
        raise TemplateError(
            f"ika.toml {key} = {text!r}: cannot read {path} ({exc.strerror or exc}); "
            "put the crest image there or empty the setting"
        ) from None
    if not any(head.startswith(m) for m in _IMAGE_MAGIC):
        raise TemplateError(f"ika.toml {key} = {text!r}: {path} is not a PNG, JPEG or GIF image")
    return path


def _signer(sender: Sender, index: int, org: Mapping[str, Any]) -> dict[str, Any]:
    s = sender.signatories[index - 1] if sender.signatories else Signatory("", "")
    agency = sender.kind == "agensi"
    return {
        "nama": None if s.placeholder else s.name,
        "jawatan": s.post or None,
        "bahagian": None if agency else sender.name,
        "bp": s.on_behalf or None,
        "organisasi": sender.name if agency else org.get("name"),
    }


# ---------------------------------------------------------------- the addressee


def _addressee(
    doc_key: str, case: Mapping[str, Any], settings: Settings, to_key: str | None
) -> dict[str, Any]:
    directory = settings.directory
    key = to_key or DEFAULT_TO.get(doc_key)
    if key is None:
        if document_of(doc_key)[1].distribution:
            return {"edaran": True, "nama": "Seperti Senarai Edaran", "salam": "Tuan/Puan,",
                    "alamat": []}
        raise TemplateError(
            f"{doc_key}: give the addressee with --to KEY, one of: {', '.join(directory)}"
        )
    if key == DIVISION:
        division = _case_division(settings, case, doc_key)
        entry = directory.get(division.key) or {}
        if not division.address:
            raise TemplateError(
                f"{doc_key}: the letter goes to {division.name}, whose address ika.toml lacks: "
                f"fill in {division.where}.address"
            )
        return {
            "kunci": division.key,
            "nama": division.head,
            "organisasi": division.name,
            "alamat": list(entry.get("address") or division.address),
            "salam": "Tuan/Puan,",
        }
    found = _entry(directory, key)
    if found is None:
        raise TemplateError(
            f"{doc_key}: no addressee {key!r} in ika.toml [directory] or [divisions]; "
            f"known: {', '.join(directory) or 'none'}"
        )
    real, entry = found
    return {
        "kunci": real,
        "nama": entry.get("name"),
        "organisasi": entry.get("organisation"),
        "alamat": _lines(entry.get("address")),
        "salam": entry.get("salutation") or "Tuan/Puan,",
    }


def _ab_line(settings: Settings) -> str:
    ab = _entry(settings.directory, AB)
    org = settings.organisation
    if ab:
        return ", ".join(str(ab[1][k]) for k in ("name", "organisation") if ab[1].get(k))
    return f"Setiausaha Bahagian, {org.get('division')}, {org.get('name')}"


def _copies(doc_key: str, case: Mapping[str, Any], settings: Settings) -> list[str]:
    org = settings.organisation
    ab_line = _ab_line(settings)
    jki = f"Urusetia JK-i, {org.get('division')}, {org.get('name')}"
    division = settings.division_for(str(case.get("division") or ""))
    if division is not None and division.kind == "agensi":
        lead = f"{division.head}, {division.name}"
    else:
        lead = f"Setiausaha Bahagian, {case.get('division')}, {org.get('name')}"
    return {
        "makluman-bahagian": [jki],
        "permohonan-ulasan": [ab_line],
        "jemputan-mesyuarat": [ab_line],
        "memo-kln": [lead, jki],
    }.get(doc_key, [])


def _document_defaults(
    doc_key: str, case: Mapping[str, Any], kes: Mapping[str, Any]
) -> dict[str, Any]:
    """What the case already knows for this document's own fields."""
    due2 = _ms(_step(case, 2).get("due"))
    if doc_key == "makluman-bahagian":
        return {"tarikh_akhir_ulasan": due2}
    if doc_key == "permohonan-ulasan":
        return {"tarikh_akhir": due2}
    if doc_key == "makluman-keputusan":
        return {"tarikh_mesyuarat": _ms_day(_step(case, 4).get("done"))}
    if doc_key == "memo-kln":
        return {"kedutaan": kes["kedutaan"]}
    if doc_key == "serahan-dokumen":
        return {"lampiran": f"salinan {kes['jenis']} yang telah dirundingkan"}
    return {}


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
                "tarikh_akhir": _ms(s.get("due")) or "—",
                "selesai": _ms(s.get("done")) or "—",
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


# ---------------------------------------------------------------- --set values

_KEY = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*")


def _split(raw: str) -> list[str]:
    """`a; b; c` -> items; `\\;` keeps a semicolon inside an item."""
    parts = re.split(r"(?<!\\);", raw)
    return [" ".join(p.replace("\\;", ";").split()) for p in parts if p.strip()]


def _iso(doc_key: str, key: str, raw: str) -> date:
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise TemplateError(
            f"{doc_key}: --set {key}={raw!r} is not a date (use YYYY-MM-DD)"
        ) from None


def _who(item: str, directory: Mapping[str, Any]) -> str:
    """A directory key stands for its organisation ("PDRM" -> "Polis Diraja Malaysia (PDRM)")."""
    found = _entry(directory, item)
    if found and found[1].get("organisation"):
        org = str(found[1]["organisation"])
        return org if f"({found[0]})" in org else f"{org} ({found[0]})"
    return item


def _line_breaks(raw: str) -> list[str]:
    """The lines of a value: a typed line break, or the two characters \\n from a shell."""
    return [" ".join(x.split()) for x in re.split(r"\r\n|\r|\n|\\n", raw) if x.strip()]


def _sentence(text: str) -> str:
    """A paragraph of its own: a capital first letter, a full stop at the end."""
    if text[:1].islower():
        text = text[0].upper() + text[1:]
    if text[-1:].isalnum() or text[-1:] in ")\"'»”’":
        text += "."
    return text


def paragraphs(raw: str) -> list[str]:
    """A value with line breaks as paragraphs, each a sentence."""
    return [_sentence(p) for p in _line_breaks(str(raw))]


def _one_line(raw: str) -> str:
    """A value printed inside a sentence: its lines joined (a comma where none ends one), so a
    line break never leaves a stretched justified line."""
    out = ""
    for line in _line_breaks(raw):
        if out:
            out += " " if out[-1] in ",.;:" else ", "
        out += line
    return out


def parse_value(doc_key: str, key: str, kind: str, raw: str,
                directory: Mapping[str, Any]) -> Any:
    """A `--set` value in the form its field's kind asks for; None clears it."""
    if not _KEY.fullmatch(key):
        raise TemplateError(f"{doc_key}: --set {key!r}: a field name is letters, digits, _ and .")
    raw = str(raw)
    if not raw.strip():
        return None  # an empty --set clears the value
    if kind == "date":
        return MalayDate(_iso(doc_key, key, raw))
    if kind == "day":
        return _ms_day(_iso(doc_key, key, raw).isoformat())
    if kind == "decision":
        return _decision(raw, f"{doc_key}: --set {key}")
    if kind == "security":
        return security_level(raw, f"{doc_key}: --set {key}")
    if kind == "para":
        return paragraphs(raw)
    if kind == "list":
        return [
            _who(item, directory) if key in ("sk", "bja", "jemputan", "kehadiran") else item
            for item in _split(raw)
        ]
    if kind == "rows":
        rows = []
        for item in _split(raw):
            parts = [p.strip() for p in item.split("|", 2)]
            if len(parts) != 3 or not all(parts):
                raise TemplateError(
                    f"{doc_key}: --set {key}: {item!r} is not DARIPADA|YYYY-MM-DD|RINGKASAN"
                )
            rows.append(
                {
                    "daripada": _who(parts[0], directory),
                    "tarikh": MalayDate(_iso(doc_key, key, parts[1])),
                    "ringkasan": parts[2],
                }
            )
        return rows
    if kind == "key":
        return raw.strip()
    return _one_line(raw)


def _set_dotted(ctx: dict[str, Any], doc_key: str, key: str, value: Any) -> None:
    *path, last = key.split(".")
    node = ctx
    for part in path:
        child = node.get(part)
        if child is None:
            child = node[part] = {}
        if not isinstance(child, dict):
            raise TemplateError(f"{doc_key}: --set {key}: {part!r} is a value, not a group")
        node = child
    node[last] = value


def _apply(ctx: dict[str, Any], doc_key: str, sets: Mapping[str, str],
           specs: Mapping[str, Any], directory: Mapping[str, Any]) -> None:
    for key, raw in sets.items():
        spec = specs.get(key)
        value = parse_value(doc_key, key, spec.kind if spec else "text", raw, directory)
        _set_dotted(ctx, doc_key, key, value)


# ---------------------------------------------------------------- derived values


def _derive(
    ctx: dict[str, Any],
    doc_key: str,
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
    if case is None or sender is None or settings is None:
        return
    for key in ("hasil_mesyuarat", "sebab", "tujuan", "latar_belakang", "syor"):
        if isinstance(ctx.get(key), str):  # an old-style text value (a template's own --set)
            ctx[key] = paragraphs(ctx[key])
    for key in ("sebab",) + (("hasil_mesyuarat",) if doc_key == "memo-kln" else ()):
        ctx.setdefault(key, [])  # optional paragraphs: none is an empty list, never missing
        if ctx[key] is None:
            ctx[key] = []
    _request(ctx, case)
    _their_letter(ctx, doc_key, case, sender, sets)
    kepada = ctx.get("kepada") or {}
    if doc_key == "jemputan-mesyuarat":
        _invitation(ctx, sets, directory, to_key, recipients)
    ctx["sk"] = _distinct(
        [s for s in ctx.get("sk") or [] if not _names_addressee(s, kepada)]
    )


def _request(ctx: dict[str, Any], case: Mapping[str, Any]) -> None:
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


def _their_letter(ctx: dict[str, Any], doc_key: str, case: Mapping[str, Any], sender: Sender,
                  sets: Mapping[str, str]) -> None:
    """Ruj. Tuan and the letter the opening sentence cites: KLN's own letter on a letter back
    to KLN; AB's letter (its file reference, step 1's date) on the Division's letters to AB."""
    kepada = ctx.get("kepada") or {}
    to = str(kepada.get("kunci") or "")
    ref: Any = None
    day: Any = None
    if to.casefold() == "kln" and case.get("source") == "kln":
        ref, day = ctx.get("ruj_surat"), ctx.get("tarikh_surat")
    elif to.casefold() == AB.casefold() and sender.key != AB:
        ref, day = case.get("file_ref"), _ms(_step(case, 1).get("done"))
    if "ruj_tuan" in sets:
        ref = ctx.get("ruj_tuan") or ref if sets["ruj_tuan"].strip() else None
    ctx["ruj_tuan"] = ref
    if day:  # the reference stands on the Ruj. Tuan line: the sentence gives the date
        ctx["surat_tuan"] = f"surat tuan bertarikh {day}"


def _key_name(text: str) -> str:
    """A name compared without case, spacing or a "(KEY)" after it."""
    return norm(re.sub(r"\s*\([^()]*\)\s*$", "", text))


def _distinct(items: Sequence[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for item in items:
        k = _key_name(item)
        if k and k not in seen:
            seen.add(k)
            out.append(item)
    return out


def _names_addressee(item: str, kepada: Mapping[str, Any]) -> bool:
    """Whether a line of s.k. or a listed invitee is the letter's own addressee."""
    org = str(kepada.get("organisasi") or "")
    key = str(kepada.get("kunci") or "")
    text = _key_name(item)
    if not org and not key:
        return False
    return (bool(org) and (text == _key_name(org) or text.endswith(_key_name(org)))) or \
        (bool(key) and item.strip().endswith(f"({key})"))


def _invitation(ctx: dict[str, Any], sets: Mapping[str, str], directory: Mapping[str, Any],
                to_key: str | None, recipients: Sequence[str]) -> None:
    """Who is invited, once each: KLN, the mission, AGC and the BJA (or `jemputan`), and every
    --to of the run. A letter to one of them lists the others as "turut dihadiri"; the one
    letter "Seperti Senarai Edaran" lists, beside the distribution list, those it does not
    reach (the mission, whom KLN is asked to invite)."""
    kes = ctx["kes"]
    parties: list[tuple[str | None, str]] = []  # (directory key or None, printed name)

    def add(item: str) -> None:
        found = _entry(directory, item)
        if found is None:  # "Polis Diraja Malaysia (PDRM)" as _who printed it
            m = re.search(r"\(([^()]+)\)\s*$", item)
            found = _entry(directory, m.group(1)) if m else None
        if found is None:
            for k, v in directory.items():
                if _key_name(item) == _key_name(str(v.get("organisation") or "")):
                    found = (k, v)
                    break
        if found is not None:
            parties.append((found[0], _who(found[0], directory)))
        else:
            parties.append((None, item))

    if "jemputan" in sets and ctx.get("jemputan") is not None:
        for item in ctx.get("jemputan") or []:
            add(str(item))
    else:
        for item in ("KLN", kes.get("kedutaan"), "AGC", *(ctx.get("bja") or [])):
            if item:
                add(str(item))
    for key in recipients:
        add(key)
    seen: set[str] = set()
    invited: list[tuple[str | None, str]] = []
    for key, name in parties:
        marks = {_key_name(name)} | ({key.casefold()} if key else set())
        if marks & seen:
            continue
        seen |= marks
        invited.append((key, name))
    ctx["jemputan"] = [name for _, name in invited]
    kepada = ctx.get("kepada") or {}
    mission = kes.get("kedutaan")
    kln_invited = any(k and k.casefold() == "kln" for k, _ in invited)
    mission_invited = bool(mission) and any(n == mission for _, n in invited)
    if kepada.get("edaran"):
        edaran = []
        for key, _name in invited:
            if key is None:
                continue
            entry = directory[key]
            edaran.append({"kunci": key, "nama": entry.get("name"),
                           "organisasi": entry.get("organisation"),
                           "alamat": _lines(entry.get("address"))})
        ctx["edaran"] = edaran
        ctx["turut"] = [name for key, name in invited if key is None]
        if mission_invited and kln_invited:
            ctx["jemputan_kedutaan"] = ("Kementerian Luar Negeri juga dipohon untuk "
                                        f"memanjangkan jemputan ini kepada {mission}.")
    else:
        to = (to_key or "").casefold()
        ctx["turut"] = [name for key, name in invited
                        if not ((key and key.casefold() == to) or _names_addressee(name, kepada))]
        if mission_invited and to == "kln":
            ctx["jemputan_kedutaan"] = ("Pihak tuan/puan juga dipohon untuk memanjangkan "
                                        f"jemputan ini kepada {mission}.")


# ---------------------------------------------------------------- rendering


class _Rec(dict):  # type: ignore[type-arg]
    """A context mapping that knows its dotted path, so a missing `kepada.nama` is named."""

    __slots__ = ("_ika_path",)


def _prepare(value: Any, path: str = "") -> Any:
    """Drop None and blank values (so they are *missing*) and give every mapping its path."""
    if isinstance(value, Mapping):
        out = _Rec()
        out._ika_path = path
        for k, v in value.items():
            v = _prepare(v, f"{path}.{k}" if path else str(k))
            if v is not None:
                out[k] = v
        return out
    if isinstance(value, (list, tuple)):
        return [v for v in (_prepare(v, path) for v in value) if v is not None]
    if isinstance(value, str) and not value.strip():
        return None
    return value


# The operations on an undefined value that fail (jinja2.Undefined raises UndefinedError for
# them); the Recording undefined notes its name first, so one render names every missing field.
_FAILING_OPERATIONS = (
    "__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__", "__truediv__",
    "__rtruediv__", "__floordiv__", "__rfloordiv__", "__mod__", "__rmod__", "__pos__",
    "__neg__", "__call__", "__lt__", "__le__", "__gt__", "__ge__", "__int__", "__float__",
    "__complex__", "__pow__", "__rpow__",
)


_UNSET = object()

# The names a render found missing: one list per render, in this thread's context, so one
# compiled template (cached) serves every render and every thread.
_MISSING: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar(
    "ika_missing", default=None
)


def _recording_undefined() -> type[jinja2.Undefined]:
    """An Undefined that prints nothing and writes down its name, so one render names all.

    Only Jinja's public interface is used: the dotted name is worked out from the
    constructor's documented arguments (hint, obj, name) and kept in a slot of its own.
    """

    class Recording(jinja2.Undefined):
        __slots__ = ("_ika_dotted",)

        def __init__(self, hint: str | None = None, obj: Any = _UNSET, name: Any = None,
                     **kwargs: Any) -> None:
            if obj is _UNSET:  # leave Jinja's own "no object" default alone
                super().__init__(hint, name=name, **kwargs)
            else:
                super().__init__(hint, obj, name, **kwargs)
            if name is None:
                self._ika_dotted = hint or "?"
            else:
                parent = getattr(obj, "_ika_path", "")
                self._ika_dotted = f"{parent}.{name}" if parent else str(name)

        def _ika_name(self) -> str:
            return self._ika_dotted

        def _note(self) -> None:
            name = self._ika_name()
            missing = _MISSING.get()
            if missing is not None and name not in missing:
                missing.append(name)

        def __str__(self) -> str:
            self._note()
            return ""

        def __iter__(self) -> Iterator[Any]:
            self._note()
            return iter(())

        def __len__(self) -> int:
            self._note()
            return 0

        def __getattr__(self, name: str) -> Any:
            if name[:2] == "__":
                raise AttributeError(name)
            return Recording(name=f"{self._ika_name()}.{name}")

        def __getitem__(self, name: Any) -> Any:
            return Recording(name=f"{self._ika_name()}.{name}")

    def failing(self: Any, *args: Any, **kwargs: Any) -> Any:
        self._note()
        raise jinja2.UndefinedError(f"{self._ika_name()!r} is undefined")

    for operation in _FAILING_OPERATIONS:
        setattr(Recording, operation, failing)
    return Recording


_Recording = _recording_undefined()


def _senarai(items: Any) -> str:
    """Items joined the Malay way: "A, B dan C"."""
    if isinstance(items, jinja2.Undefined):
        return str(items)
    return join_ms([str(i) for i in items])


def _roman(n: int) -> str:
    """(i), (ii), (iii): how Malaysian letters number sub-items."""
    out = ""
    for value, letters in ((10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
        while n >= value:
            out += letters
            n -= value
    return out


# What a template's own expressions can raise (a division by zero, a number too long to
# print, text added to a number): the template's fault, reported as a TemplateError.
_TEMPLATE_FAULTS = (ArithmeticError, ValueError, TypeError, LookupError, RecursionError)

# Bounds on what a template's arithmetic may build: `{{ "x" * 10**10 }}` must not eat the
# server's memory any more than `{{ range(10**10) }}` (which the sandbox already bounds).
_MAX_REPEAT = 100_000
_MAX_EXPONENT = 64
_MAX_BITS = 16_384  # about 5,000 digits: more than any letter prints


class _Sandbox(ImmutableSandboxedEnvironment):
    """Jinja's sandbox for templates users edit in Word: no attribute starting with `_`
    (so no `cycler.__init__.__globals__.os`), no unsafe calls, no changing values passed in.

    An unsafe access stops the render at once with a SecurityError, instead of Jinja's
    default of an undefined value, so the user reads what was refused, in which template.
    """

    intercepted_binops = frozenset({"*", "**"})

    def unsafe_undefined(self, obj: Any, attribute: str) -> jinja2.Undefined:
        raise SecurityError(
            f"access to attribute {attribute!r} of a {type(obj).__name__!r} value is not "
            "allowed in a template"
        )

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, (int, float)) and abs(right) > _MAX_EXPONENT:
            raise SecurityError(f"the power {right!r} is too large for a template")
        if isinstance(left, int) and isinstance(right, int):
            bits = left.bit_length() * right if operator == "**" else \
                left.bit_length() + right.bit_length()
            if bits > _MAX_BITS:
                raise SecurityError("a number that large is not allowed in a template")
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                if (isinstance(seq, (str, list, tuple)) and isinstance(times, int)
                        and len(seq) * times > _MAX_REPEAT):
                    raise SecurityError("a value repeated that often is not allowed in a template")
        return super().call_binop(context, operator, left, right)

    def from_string(self, source: Any, globals: Any = None,  # Jinja's own name for it
                    template_class: Any = None) -> jinja2.Template:
        """Compiled once per source: a letter run renders the same parts again and again."""
        if globals is not None or template_class is not None or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        cache = self.__dict__.setdefault("_cache", {})
        found = cache.get(source)
        if found is None:
            if len(cache) >= 512:
                cache.clear()
            found = cache[source] = super().from_string(source)
        return found


def _environment(**kwargs: Any) -> jinja2.Environment:
    """The sandboxed environment every template (Word and HTML) renders in."""
    env = _Sandbox(autoescape=True, undefined=_Recording, **kwargs)
    env.filters["roman"] = _roman
    env.filters["senarai"] = _senarai
    return env


_WORD_ENV: jinja2.Environment | None = None


def _word_environment() -> jinja2.Environment:
    """The one environment of the Word templates, its compiled parts cached."""
    global _WORD_ENV
    if _WORD_ENV is None:
        _WORD_ENV = _environment()
    return _WORD_ENV


# Values of the case a template prints, and the command that records each.
_RECORDED_BY = {
    "kes.permintaan": "`ika case edit --source kln|embassy|management`",
    "kes.sumber": "`ika case edit --source kln|embassy|management`",
    "kes.peringkat": "`ika case edit --level`",
    "kes.kedutaan": "`ika case edit --country`",
}


def _missing_message(doc_key: str, names: list[str], known: set[str] | None = None) -> str:
    """Every missing name with the `--set` that fills it, and where auto values come from."""
    label, pronoun = ("field", "it") if len(names) == 1 else ("fields", "them")
    sets = " ".join(f"--set {n}=..." for n in names)
    message = f"{doc_key}: missing {label} {', '.join(names)} — give {pronoun} with {sets}"
    specs = {f.name: f for f in fields(doc_key)} if doc_key in sop.DOCUMENTS else {}
    sources: dict[str, list[str]] = {}
    for n in names:
        m = re.search(r"\(from (`[^`]+`)", specs[n].description) if n in specs else None
        if m:
            sources.setdefault(m.group(1), []).append(n)
        elif n in _RECORDED_BY:
            sources.setdefault(_RECORDED_BY[n], []).append(n)
    for command, which in sources.items():
        message += f"; {', '.join(which)}: recorded by {command}"
    if known is not None:
        strange = [n for n in names if n.split(".")[0] not in known and n not in specs]
        if strange:
            message += (
                f"; {', '.join(strange)}: not a field IKA Records fills — "
                f"check the spelling in {doc_key}.docx"
            )
    return message


def _lookup(ctx: Mapping[str, Any], dotted: str) -> Any:
    node: Any = ctx
    for part in dotted.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def _required_missing(doc_key: str, ctx: Mapping[str, Any]) -> list[str]:
    """Required values that may sit only in a condition (keputusan), where no print reveals them."""
    if doc_key not in sop.DOCUMENTS:
        return []
    decision = ctx.get("keputusan")
    return [
        f.name
        for f in fields(doc_key)
        if f.required and (f.when is None or f.when == decision)
        and _lookup(ctx, f.name) in (None, [])
    ]


# Templates whose tags already parsed, by (path, mtime, size): a letter run skips re-parsing.
_VERIFIED: set[tuple[str, int, int]] = set()

# docxtpl's mending of Word's XML (patch_xml: a dozen regular expressions over each part) is
# the same for the same part: done once per distinct part, not once per letter.
_PATCHED: dict[str, str] = {}
_TEMPLATE_CLASS: Any = None


def _template_class() -> Any:
    global _TEMPLATE_CLASS
    if _TEMPLATE_CLASS is None:
        from docxtpl import DocxTemplate

        class Template(DocxTemplate):  # type: ignore[misc]
            def patch_xml(self, src_xml: str) -> str:
                found = _PATCHED.get(src_xml)
                if found is None:
                    if len(_PATCHED) >= 256:
                        _PATCHED.clear()
                    found = _PATCHED[src_xml] = super().patch_xml(src_xml)
                return found

        _TEMPLATE_CLASS = Template
    return _TEMPLATE_CLASS


def render(
    doc_key: str,
    context: Mapping[str, Any],
    out_path: Path,
    *,
    templates_dir: Path = TEMPLATES_DIR,
) -> Path:
    """Fill `templates/<doc_key>.docx`; write nothing unless every field has a value."""
    path = Path(templates_dir) / f"{doc_key}.docx"
    if not path.is_file():
        raise TemplateError(f"{doc_key}: template not found: {path}")
    tpl = _template_class()(str(path))
    try:
        tpl.init_docx()
    except Exception as exc:  # python-docx's zip/xml errors vary: any means unreadable
        raise TemplateError(f"{path.name}: not a readable Word document ({exc})") from None
    missing: list[str] = []
    env = _word_environment()
    stat = path.stat()
    stamp = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    if stamp not in _VERIFIED:  # a template edited in Word is checked again
        check_syntax(tpl, path.name, env)
        lonely = lonely_tag_problems(tpl, path.name)
        if lonely:
            raise TemplateError(lonely[0])
        _VERIFIED.add(stamp)
    ctx = _prepare(_with_images(context, tpl))
    for name in _required_missing(doc_key, ctx):
        missing.append(name)
    token = _MISSING.set(missing)
    try:
        tpl.render(ctx, jinja_env=env, autoescape=True)
    except jinja2.UndefinedError:
        pass  # recorded by the Undefined; reported below with the others
    except jinja2.TemplateError as exc:
        raise TemplateError(f"{path.name}: {exc}") from None
    except _TEMPLATE_FAULTS as exc:  # `{{ 1/0 }}`, `{{ 'a' + 1 }}`: the template's own sums
        raise TemplateError(f"{path.name}: {type(exc).__name__}: {exc}") from None
    finally:
        _MISSING.reset(token)
    missing = _reported(missing)
    if missing:
        raise TemplateError(_missing_message(doc_key, missing, set(ctx)))
    check_leftovers(tpl, path.name, ctx)
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".render-", suffix=".docx", dir=out_path.parent)
    os.close(fd)
    try:
        tpl.save(tmp)
        os.replace(tmp, out_path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return out_path


# Names computed from others: reported only when what they come from is not missing too.
_DERIVED = {"rundingan.tempoh": ("rundingan.mula", "rundingan.tamat")}


def _reported(missing: list[str]) -> list[str]:
    return [n for n in missing
            if not (n in _DERIVED and any(src in missing for src in _DERIVED[n]))]


def _with_images(value: Any, tpl: Any) -> Any:
    """The crest as docxtpl's image of the part being rendered (first-page header)."""
    if isinstance(value, Crest):
        from docx.shared import Mm
        from docxtpl import InlineImage

        return InlineImage(tpl, str(value.path), height=Mm(20))
    if isinstance(value, Mapping):
        return {k: _with_images(v, tpl) for k, v in value.items()}
    return value


# ---------------------------------------------------------------- HTML summary


def summary_context(case: Mapping[str, Any], settings: Settings, today: date) -> dict[str, Any]:
    """The case summary's context: build_context for the pseudo-document "case-summary"."""
    return build_context(case, SUMMARY_KEY, settings, today=today)


def render_summary_html(context: Mapping[str, Any], *, templates_dir: Path = TEMPLATES_DIR) -> str:
    """The one-page case summary (build_context(case, "case-summary", ...)), autoescaped."""
    path = Path(templates_dir) / SUMMARY_TEMPLATE
    if not path.is_file():
        raise TemplateError(f"{SUMMARY_KEY}: template not found: {path}")
    missing: list[str] = []
    env = _environment(loader=jinja2.FileSystemLoader(str(templates_dir)))
    token = _MISSING.set(missing)
    try:
        html = env.get_template(SUMMARY_TEMPLATE).render(_prepare(context))
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"{SUMMARY_TEMPLATE}, line {exc.lineno}: {exc.message}") from None
    except jinja2.UndefinedError:
        pass
    except jinja2.TemplateError as exc:
        raise TemplateError(f"{SUMMARY_TEMPLATE}: {exc}") from None
    except _TEMPLATE_FAULTS as exc:
        raise TemplateError(f"{SUMMARY_TEMPLATE}: {type(exc).__name__}: {exc}") from None
    finally:
        _MISSING.reset(token)
    if missing:
        raise TemplateError(_missing_message(SUMMARY_KEY, missing))
    return html


