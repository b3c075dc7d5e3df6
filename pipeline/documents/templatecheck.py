"""`ika doc check`: every template rendered against sample cases, problems reported."""

from __future__ import annotations

import copy
import dataclasses
import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from pipeline.clock import today as clock_today
from pipeline.documents.letterfields import SUMMARY_KEY, fields
from pipeline.documents.letters import (
    SUMMARY_TEMPLATE,
    TEMPLATES_DIR,
    build_context,
    render,
    render_summary_html,
)
from pipeline.documents.templatetags import balance, lonely_tag_problems, visible_tags
from pipeline.errors import TemplateError
from pipeline.filing.extract_docx import docx_text
from pipeline.register import sop
from pipeline.settings import Settings

SAMPLE_TITLE = 'Kerjasama & Latihan <Keselamatan> "Sempadan" — Jenayah Rentas Sempadan'
SAMPLE_DIVISION = "Bahagian Contoh & <Ujian>"


def sample_case(decision: str | None, today: date) -> dict[str, Any]:
    """A case with awkward characters, for `ika doc check` and the tests."""
    received = today - timedelta(days=60)

    def iso(days: int) -> str:
        return (received + timedelta(days=days)).isoformat()

    ya = decision == "YA"
    last_done = 7 if ya else 6  # YA: step 8 is overdue, 9 still to come
    steps = []
    for s in sop.STEPS:
        skipped = decision == "TIDAK" and not sop.applies(s, decision)
        done = None if skipped or s.n > last_done else iso(3 * s.n)
        if skipped:
            status = "skipped"
        elif done:
            status = "done"
        else:
            status = "overdue" if s.n == last_done + 1 else "open"
        steps.append(
            {
                "n": s.n,
                "name": s.name,
                "actor": s.actor,
                "due": None if skipped else iso(3 * s.n + 1),
                "done": done,
                "status": status,
                "note": None,
            }
        )
    return {
        "id": "IKA-2026-0099",
        "title": SAMPLE_TITLE,
        "type": "mou",
        "level": "bilateral",
        "countries": ["KR"],
        "division": SAMPLE_DIVISION,
        "status": "open" if ya else "rejected",
        "current_step": last_done + 1 if ya else None,
        "received": received.isoformat(),
        "source": "kln",  # so that their_ref (with & < >) is printed on the memo to KLN
        "file_ref": "KDN.AB.600-2/2026/0099",
        "their_ref": "KOR/MY/2026-17 <A&B>",
        "security": "SULIT",
        "values": {
            "tarikh_surat": received.isoformat(),
            "nota_kedutaan": "KOR/NV <2026> & 45",
            "tarikh_nota": (received - timedelta(days=5)).isoformat(),
            "kehadiran": "KLN; AGC; Kedutaan Besar Republik Korea",
        },
        "decision": decision,
        "decision_date": iso(9) if decision else None,
        "negotiation": {
            "start": iso(40) if ya else None,
            "end": iso(42) if ya else None,
            "venue": "Seoul, Korea Selatan" if ya else None,
        },
        "steps": steps,
        "target_date": iso(38),
    }


def sample_overrides(doc_key: str) -> dict[str, str]:
    """A value for every field a document asks the officer for (the FieldSpec examples)."""
    return {f.name: f.example for f in fields(doc_key) if f.example and not f.auto}


def sample_settings(settings: Settings | None = None) -> Settings:
    """The archive's settings with every gap a letter would stop at filled with a sample
    value (a signatory's name, a file reference, an address), and a Division for the sample
    case: templates are checked whatever the directory still lacks (check_directory says
    what that is)."""
    from pipeline.documents.directory import parse_divisions, parse_organisation
    from pipeline.settings import default_text, parse

    base = settings if settings is not None else parse(default_text())
    raw = copy.deepcopy(base.raw)
    org = raw.setdefault("organisation", {})
    org["crest"] = ""  # checked apart (check_directory): a missing image is not a template's
    legacy = raw.get("signatories", {})
    if "signatories" not in org and "AB" not in legacy:
        org["signatories"] = [{}]
    sigs = org.get("signatories", [])
    for s in [*(sigs if isinstance(sigs, list) else [sigs]), *legacy.values()]:
        if isinstance(s, dict):
            _fill_signatory(s)
    if not str(org.get("file_ref") or "").strip():
        org["file_ref"] = "CONTOH/{year}/{seq}"
    if not org.get("address"):
        org["address"] = ["Alamat Contoh"]
    divisions = raw.setdefault("divisions", {})
    divisions["CONTOH"] = {"name": SAMPLE_DIVISION, "kind": "bahagian",
                           "signatories": [{"name": "", "post": ""}]}
    for entry in divisions.values():
        entry["crest"] = ""
        sigs = entry.setdefault("signatories", [])
        if isinstance(sigs, dict):
            sigs = entry["signatories"] = [sigs]
        if not sigs:
            sigs.append({})
        for s in sigs:
            _fill_signatory(s)
        if not str(entry.get("file_ref") or "").strip():
            entry["file_ref"] = "CONTOH.BHG/{year}/{seq}"
        if not entry.get("address"):
            entry["address"] = ["Aras 1, Blok Contoh", "62546 PUTRAJAYA"]
    return dataclasses.replace(base, raw=raw, ab=parse_organisation(raw, "sample"),
                               divisions=parse_divisions(raw, "sample"))


def _fill_signatory(s: dict[str, Any]) -> None:
    name = str(s.get("name") or "").strip()
    if not name or (name.startswith("(") and name.endswith(")")) or "NAMA PEGAWAI" in name.upper():
        s["name"] = "Nama Contoh bin Ujian"
    if not str(s.get("post") or "").strip():
        s["post"] = "Setiausaha Bahagian"


def check_directory(settings: Settings, root: Path | None = None) -> list[tuple[str, bool]]:
    """What the writers (AB, each Division and agency) lack in ika.toml, one line each, and
    whether their letters stop at it (a signatory's name, an address, a file reference, an
    unusable crest) or merely print without it (a telephone, an e-mail)."""
    from pipeline.documents.letters import crest_path

    out: list[tuple[str, bool]] = []
    writers = [s for s in (settings.ab,) if s] + list(settings.divisions.values())
    for sender in writers:
        missing = sender.missing()
        if missing:
            out.append((f"{sender.where} ({sender.name}): fill in {', '.join(missing)}", True))
        optional = [k.rsplit(".", 1)[1] for k in sender.missing_optional()]
        if optional:
            out.append((f"{sender.where} ({sender.name}): no {' or '.join(optional)} on its "
                        "letterhead", False))
        if sender is not settings.ab and not sender.crest:
            continue
        key = f"{sender.where}.crest" if sender.crest else "organisation.crest"
        try:
            crest_path(sender.crest or str(settings.organisation.get("crest") or ""), root, key)
        except TemplateError as exc:
            out.append((str(exc), True))
    return out


def check_templates(
    templates_dir: Path = TEMPLATES_DIR,
    today: date | None = None,
    *,
    settings: Settings | None = None,
    root: Path | None = None,
) -> list[str]:
    """Render every template for a YA and a TIDAK sample case (with the archive's settings,
    their gaps filled by sample values); the problems found, or []."""
    today = today or clock_today()
    settings = sample_settings(settings)
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="ika-check-") as tmp:
        for doc_key, (step, document) in sop.DOCUMENTS.items():
            path = Path(templates_dir) / f"{doc_key}.docx"
            if not path.is_file():
                problems.append(f"{path.name}: missing (expected in {templates_dir})")
                continue
            lint = _lint(path)
            if lint:  # rendering would only repeat the same complaint
                problems.extend(lint)
                continue
            for decision in ("YA", "TIDAK"):
                if not sop.applies(step, decision):
                    continue
                case = sample_case(decision, today)
                to_key = "AGC" if document.needs_to else None
                try:
                    ctx = build_context(
                        case,
                        doc_key,
                        settings,
                        to_key=to_key,
                        overrides=sample_overrides(doc_key),
                        today=today,
                    )
                    out = render(
                        doc_key,
                        ctx,
                        Path(tmp) / f"{doc_key}-{decision}.docx",
                        templates_dir=templates_dir,
                    )
                except TemplateError as exc:
                    problems.append(f"{doc_key} ({decision} case): {exc}")
                    continue
                text = docx_text(out)
                for bad in ("None", "&amp;", "&lt;", "&#34;", "NAMA PEGAWAI", "(YA)", "(TIDAK)"):
                    if bad in text:
                        problems.append(f"{doc_key} ({decision} case): {bad!r} in the letter")
                if "SULIT" not in text:
                    problems.append(f"{doc_key} ({decision} case): the security marking "
                                    "(keselamatan) is not printed")
                if "<keselamatan>" not in text.casefold():
                    problems.append(
                        f"{doc_key} ({decision} case): the case's title is not in the letter "
                        "(check the subject line)"
                    )
        for decision in ("YA", "TIDAK"):
            try:
                ctx = build_context(
                    sample_case(decision, today), SUMMARY_KEY, settings, today=today
                )
                html = render_summary_html(ctx, templates_dir=templates_dir)
            except TemplateError as exc:
                problems.append(f"{SUMMARY_TEMPLATE} ({decision} case): {exc}")
                continue
            if "<Keselamatan>" in html or "&lt;Keselamatan&gt;" not in html:
                problems.append(f"{SUMMARY_TEMPLATE}: the title is not escaped as HTML")
    return problems



def _lint(path: Path) -> list[str]:
    """What docxtpl accepts but renders wrong: text beside a {%p}/{%tr} tag is dropped."""
    from docxtpl import DocxTemplate

    tpl = DocxTemplate(str(path))
    try:
        tpl.init_docx()
    except Exception as exc:
        return [f"{path.name}: not a readable Word document ({exc})"]
    problems = []
    tags, broken = visible_tags(tpl)
    for b in broken:
        problems.append(f"{path.name}: a broken tag near {b.text!r} in {b.where}")
    problems.extend(lonely_tag_problems(tpl, path.name))
    unbalanced = balance(tags)
    if unbalanced:
        tag, why = unbalanced
        problems.append(f"{path.name}: the tag {tag.text!r} in {tag.where} {why}")
    return problems

