"""`ika doc check`: every template rendered against sample cases, problems reported."""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import sop
from .clock import today as clock_today
from .errors import TemplateError
from .extract import docx_text
from .letterfields import SUMMARY_KEY, fields
from .letters import (
    SUMMARY_TEMPLATE,
    TEMPLATES_DIR,
    build_context,
    render,
    render_summary_html,
)
from .settings import Settings
from .templatetags import balance, lonely_tag_problems, visible_tags

if TYPE_CHECKING:
    pass



SAMPLE_TITLE = 'Kerjasama & Latihan <Keselamatan> "Sempadan" — Jenayah Rentas Sempadan'


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
        "division": "Bahagian Keselamatan & Ketenteraman Awam",
        "status": "open" if ya else "rejected",
        "current_step": last_done + 1 if ya else None,
        "received": received.isoformat(),
        "source": "kln",  # so that their_ref (with & < >) is printed on the memo to KLN
        "file_ref": "KDN.AB.600-2/2026/0099",
        "their_ref": "KOR/MY/2026-17 <A&B>",
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


def check_templates(
    templates_dir: Path = TEMPLATES_DIR,
    today: date | None = None,
    *,
    settings: Settings | None = None,
) -> list[str]:
    """Render every template for a YA and a TIDAK sample case; the problems found, or []."""

    from .settings import default_text, parse

    today = today or clock_today()
    settings = settings or parse(default_text())
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
                to_key = "AGC" if document.per_addressee else None
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
                for bad in ("None", "&amp;", "&lt;", "&#34;"):
                    if bad in text:
                        problems.append(f"{doc_key} ({decision} case): {bad!r} in the letter")
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

