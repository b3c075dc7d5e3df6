"""Finding what a user broke when editing a template in Word: unbalanced blocks, tags split
across runs, text docxtpl would silently drop. Each problem names the template and the tag."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import jinja2

from pipeline.errors import TemplateError

if TYPE_CHECKING:
    from docxtpl import DocxTemplate


_TAG = re.compile(r"\{%.*?%\}|\{\{.*?\}\}|\{#.*?#\}", re.DOTALL)
_FRAGMENT = re.compile(r"\{\{|\{%|\{#|\}\}|%\}|#\}")
_BLOCK = re.compile(r"\{%-?\s*(?:(p|tr|tc|r)\s+)?(\w+)")
_OPENERS = {"if", "for", "with", "macro", "call", "filter", "block", "autoescape", "raw"}


@dataclass(frozen=True)
class _Tag:
    text: str
    where: str  # "the paragraph '…'" in words a Word user can search for
    part: str


def _paragraph_texts(tpl: DocxTemplate) -> Iterator[tuple[str, str]]:
    """(part, text) of every paragraph, tables and headers/footers included, in order."""
    from docx.oxml.ns import qn
    from docx.oxml.parser import parse_xml

    doc = tpl.docx
    parts = [("body", doc.element.body)]
    for uri, label in ((tpl.HEADER_URI, "header"), (tpl.FOOTER_URI, "footer")):
        for rel_key, part in tpl.get_headers_footers(uri):
            parts.append((f"{label} {rel_key}", parse_xml(part.blob)))
    for label, root in parts:
        for p in root.iter(qn("w:p")):
            yield label, "".join(t.text or "" for t in p.iter(qn("w:t")))


def _where(text: str) -> str:
    snippet = text.strip()
    if len(snippet) > 60:
        snippet = snippet[:57] + "…"
    return f"the paragraph '{snippet}'"


def visible_tags(tpl: DocxTemplate) -> tuple[list[_Tag], list[_Tag]]:
    """The tags as a Word user sees them, and fragments of tags that no longer close."""
    tags: list[_Tag] = []
    broken: list[_Tag] = []
    for part, text in _paragraph_texts(tpl):
        for m in _TAG.finditer(text):
            tags.append(_Tag(m.group(0), _where(text), part))
        rest = _TAG.sub(" ", text)
        for m in _FRAGMENT.finditer(rest):
            start = max(0, m.start() - 5)
            broken.append(_Tag(rest[start : m.end() + 25].strip(), _where(text), part))
    return tags, broken


def balance(tags: list[_Tag]) -> tuple[_Tag, str] | None:
    """The first block tag that is never closed or closes the wrong block, per part."""
    stacks: dict[str, list[tuple[str, _Tag]]] = {}
    for tag in tags:
        m = _BLOCK.match(tag.text)
        if not m:
            continue
        word = m.group(2)
        stack = stacks.setdefault(tag.part, [])
        if word in _OPENERS or (word == "set" and "=" not in tag.text):
            stack.append((word, tag))
        elif word.startswith("end"):
            if not stack:
                return tag, "closes a block that was never opened"
            opened, opener = stack.pop()
            if word != f"end{opened}":
                return tag, f"does not close {opener.text!r} ({opener.where})"
        elif word in ("else", "elif") and (not stack or stack[-1][0] not in ("if", "for")):
            return tag, "is outside any {% if %} or {% for %}"
    for stack in stacks.values():
        if stack:
            _, opener = stack[-1]
            return opener, "is never closed (its {% end… %} is missing)"
    return None


def check_syntax(tpl: DocxTemplate, name: str, env: jinja2.Environment) -> None:
    """Parse every part the way docxtpl will, and on failure name the tag a user can fix."""
    from docx.oxml.parser import parse_xml

    sources = [tpl.xml_to_string(tpl.docx.element.body)]
    for uri in (tpl.HEADER_URI, tpl.FOOTER_URI):
        for _key, part in tpl.get_headers_footers(uri):
            sources.append(tpl.xml_to_string(parse_xml(part.blob)))
    for xml in sources:
        src = re.sub(r"<w:p([ >])", r"\n<w:p\1", tpl.patch_xml(xml))
        try:
            env.parse(src)
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateError(_syntax_message(tpl, name, src, exc)) from None


def _syntax_message(tpl: DocxTemplate, name: str, src: str, exc: jinja2.TemplateSyntaxError) -> str:
    tags, broken = visible_tags(tpl)
    hint = "; a {%p}/{%tr} tag must be alone in its paragraph/row"
    if "unknown tag 'p'" in exc.message or "unknown tag 'tr'" in exc.message:
        return f"{name}: {exc.message}{hint}"
    unbalanced = balance(tags)
    if unbalanced:
        tag, why = unbalanced
        return f"{name}: the tag {tag.text!r} in {tag.where} {why} ({exc.message})"
    if broken:
        b = broken[0]
        return (
            f"{name}: a broken tag near {b.text!r} in {b.where} — retype the whole tag "
            f"in one go ({exc.message})"
        )
    lines = src.splitlines()
    line = lines[exc.lineno - 1] if exc.lineno and exc.lineno <= len(lines) else ""
    text = re.sub(r"<[^>]+>", "", line)
    found = _TAG.findall(text) or [text.strip()[:60]]
    norm = {" ".join(t.text.split()): t for t in tags}
    for candidate in found:
        tag = norm.get(" ".join(re.sub(r"^\{%\s*", "{%", candidate).split()))
        flat = " ".join(candidate.split())
        tag = tag or next((t for t in tags if " ".join(t.text.split()) in flat), None)
        if tag:
            return f"{name}: the tag {tag.text!r} in {tag.where}: {exc.message}"
    return f"{name}: the tag {found[0]!r}: {exc.message}"


def check_leftovers(tpl: DocxTemplate, name: str, ctx: Mapping[str, Any]) -> None:
    """Tag text left in the letter means Word broke a tag so that Jinja saw plain text."""
    values = "\n".join(_strings(ctx))
    for _part, text in _paragraph_texts(tpl):
        for m in _FRAGMENT.finditer(text):
            if m.group(0) in values:
                continue
            start = max(0, m.start() - 20)
            raise TemplateError(
                f"{name}: template text {text[start : m.end() + 20].strip()!r} was left in "
                f"the letter — a tag Word split or mistyped; retype it in one go"
            )



def lonely_tag_problems(tpl: DocxTemplate, name: str) -> list[str]:
    """docxtpl drops the whole paragraph/row of a {%p}/{%tr} tag, text typed beside it too."""
    problems = []
    for _part, text in _paragraph_texts(tpl):
        special = re.findall(r"\{%(?:p|tr|tc)\s.*?%\}", text)
        if not special:
            continue
        rest = _TAG.sub("", text).strip()
        if rest:
            problems.append(
                f"{name}: the text {rest!r} beside {special[0]!r} would be lost — "
                "a {%p ...%} or {%tr ...%} tag must be alone in its paragraph or table row"
            )
        elif len(special) > 1:
            problems.append(f"{name}: two {{%p}}/{{%tr}} tags share {_where(text)}; split them")
    return problems


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _strings(v)
