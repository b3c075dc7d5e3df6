"""The documents the SOP's steps call for, written from Word templates the Division can edit.

`build_context` (context.py) turns a case (the register's dict) into the templates' Malay field
names; `render` fills a .docx with docxtpl in the sandbox (sandbox.py) and refuses to write a
letter with a blank where a value belongs (templatetags.py names what Word broke;
templatecheck.py backs `ika doc check`). What each document is — its template, addressee,
copies, fields and rules — is declared once in catalogue.py. No database here: the caller
passes the case in and files the result.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

import jinja2

from pipeline.documents import TEMPLATES_DIR
from pipeline.documents.context import build_context
from pipeline.documents.letterfields import SUMMARY_KEY, fields
from pipeline.documents.sandbox import (
    MISSING,
    TEMPLATE_FAULTS,
    environment,
    prepare,
    word_environment,
)
from pipeline.documents.sender import Crest, crest_path
from pipeline.documents.templatetags import check_leftovers, check_syntax, lonely_tag_problems
from pipeline.errors import TemplateError
from pipeline.register import sop
from pipeline.settings import Settings

__all__ = [
    "SUMMARY_TEMPLATE",
    "TEMPLATES_DIR",
    "build_context",
    "crest_path",
    "render",
    "render_summary_html",
    "summary_context",
]

SUMMARY_TEMPLATE = "case-summary.html.j2"


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
    env = word_environment()
    stat = path.stat()
    stamp = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    if stamp not in _VERIFIED:  # a template edited in Word is checked again
        check_syntax(tpl, path.name, env)
        lonely = lonely_tag_problems(tpl, path.name)
        if lonely:
            raise TemplateError(lonely[0])
        _VERIFIED.add(stamp)
    ctx = prepare(_with_images(context, tpl))
    for name in _required_missing(doc_key, ctx):
        missing.append(name)
    token = MISSING.set(missing)
    try:
        tpl.render(ctx, jinja_env=env, autoescape=True)
    except jinja2.UndefinedError:
        pass  # recorded by the Undefined; reported below with the others
    except jinja2.TemplateError as exc:
        raise TemplateError(f"{path.name}: {exc}") from None
    except TEMPLATE_FAULTS as exc:  # `{{ 1/0 }}`, `{{ 'a' + 1 }}`: the template's own sums
        raise TemplateError(f"{path.name}: {type(exc).__name__}: {exc}") from None
    finally:
        MISSING.reset(token)
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
    env = environment(loader=jinja2.FileSystemLoader(str(templates_dir)))
    token = MISSING.set(missing)
    try:
        html = env.get_template(SUMMARY_TEMPLATE).render(prepare(context))
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"{SUMMARY_TEMPLATE}, line {exc.lineno}: {exc.message}") from None
    except jinja2.UndefinedError:
        pass
    except jinja2.TemplateError as exc:
        raise TemplateError(f"{SUMMARY_TEMPLATE}: {exc}") from None
    except TEMPLATE_FAULTS as exc:
        raise TemplateError(f"{SUMMARY_TEMPLATE}: {type(exc).__name__}: {exc}") from None
    finally:
        MISSING.reset(token)
    if missing:
        raise TemplateError(_missing_message(SUMMARY_KEY, missing))
    return html


