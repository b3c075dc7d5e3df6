"""The values of a letter in Malay, and `--set` values read into them: dates as a letter
prints them, the decision, paragraphs, lists, rows of comments."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from pipeline.documents.directory import find_addressee, norm
from pipeline.documents.letterfields import security_level
from pipeline.errors import TemplateError
from pipeline.vocab.malay import malay_date, malay_weekday


class MalayDate(str):
    """A date as a letter prints it ("8 Februari 2027"), that still knows its day, so that a
    span of two of them reads "dari 8 hingga 10 Februari 2027"."""

    day: date

    def __new__(cls, day: date, text: str | None = None) -> MalayDate:
        obj = super().__new__(cls, text or malay_date(day))
        obj.day = day
        return obj



def parse_decision(value: Any, what: str) -> str | None:
    if value in (None, ""):
        return None
    text = str(value).strip().upper()
    if text not in ("YA", "TIDAK"):
        raise TemplateError(f"{what} must be YA or TIDAK, not {value!r}")
    return text


def ms_date(iso: str | None) -> MalayDate | None:
    """An ISO date from the register as a Malay date; None stays None (then it is missing)."""
    return MalayDate(date.fromisoformat(iso)) if iso else None


def ms_day(iso: str | None) -> MalayDate | None:
    if not iso:
        return None
    d = date.fromisoformat(iso)
    return MalayDate(d, f"{malay_date(d)} ({malay_weekday(d)})")



def lines(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]



def step_of(case: Mapping[str, Any], n: int) -> Mapping[str, Any]:
    """The case's step n as the register gives it ({} if none)."""
    return next((s for s in case.get("steps") or [] if s.get("n") == n), {})


def key_name(text: str) -> str:
    """A name compared without case, spacing or a "(KEY)" after it."""
    return norm(re.sub(r"\s*\([^()]*\)\s*$", "", text))


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


def directory_name(item: str, directory: Mapping[str, Any]) -> str:
    """A directory key stands for its organisation ("PDRM" -> "Polis Diraja Malaysia (PDRM)")."""
    found = find_addressee(directory, item)
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
        return ms_day(_iso(doc_key, key, raw).isoformat())
    if kind == "decision":
        return parse_decision(raw, f"{doc_key}: --set {key}")
    if kind == "security":
        return security_level(raw, f"{doc_key}: --set {key}")
    if kind == "para":
        return paragraphs(raw)
    if kind == "list":
        named = key in ("sk", "bja", "jemputan", "kehadiran")  # directory keys stand for names
        return [directory_name(item, directory) if named else item for item in _split(raw)]
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
                    "daripada": directory_name(parts[0], directory),
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


def apply_sets(ctx: dict[str, Any], doc_key: str, sets: Mapping[str, str],
               specs: Mapping[str, Any], directory: Mapping[str, Any]) -> None:
    for key, raw in sets.items():
        spec = specs.get(key)
        value = parse_value(doc_key, key, spec.kind if spec else "text", raw, directory)
        _set_dotted(ctx, doc_key, key, value)

