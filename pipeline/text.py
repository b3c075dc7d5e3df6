"""Text that is safe to show on a terminal: user values without control characters.

A case's title, a history note, an addressee or the name of a file dropped in the inbox can
carry terminal escape codes (ESC [ ... colours and cursor moves, ESC ] ... BEL that sets the
window title, C1 controls such as U+009B) or a bare carriage return that overwrites what was
printed before. Shown raw they could hide, recolour or rewrite what an officer reads.

Where it is done, and why there: the human faces clean the *values* (`printable_data` on the
records they lay out, `printable` on single messages) before any layout. Cleaning the final
lines instead would also strip the layout's own colours (click.style), and cleaning the values
first lets column widths be measured on what is really shown. JSON output keeps every value as
it is, escaped (`json_safe`), because it is data for programs, not text for a terminal.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import fields, is_dataclass, replace
from typing import Any

# Whole escape sequences first, so that no stray parameters ("[31m") are left behind:
# CSI (ESC [ or U+009B, parameters, one final byte); OSC, DCS, SOS, PM and APC strings up to
# their terminator (BEL or ST); and the two- and three-byte escapes (ESC c, ESC ( B ...).
_SEQUENCE = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)"
    r"|\x1b[ -/]*[0-~]"
)
# Then any control character left: C0 but tab and newline, DEL, C1.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_JSON_UNSAFE = {c: f"\\u{c:04x}" for c in range(0x7F, 0xA0)}


def printable(text: str) -> str:
    """`text` without escape sequences and control characters (tab and newline stay)."""
    if text.isprintable() or _CONTROL.search(text) is None:  # nearly always: no copy
        return text
    return _CONTROL.sub("", _SEQUENCE.sub("", text))


_LINE_BREAKS = str.maketrans({"\n": "\\n", "\r": "\\r", "\t": "\\t"})


def one_line(text: str) -> str:
    """`text` as one printable line: newline, carriage return and tab written visibly as
    \\n, \\r, \\t (a file named "x\\nfiled ..." cannot forge a second log line), other control
    characters and escape sequences removed (`printable`)."""
    if text.isprintable():
        return text
    return printable(text.translate(_LINE_BREAKS))


def printable_data(value: Any, depth: int = 64) -> Any:
    """A copy of a record (dicts, lists, strings) with every string made `printable`.

    `depth` is how many levels of dicts and lists are cleaned; deeper ones are passed on as
    they are. `ika due` and `ika case list` print only the top fields of ten thousand rows, not
    the nine steps inside each, and pass depth=3 (the list, a row, the lists in a row).
    """
    kind = type(value)
    if kind is str:
        return value if value.isprintable() else printable(value)
    if depth <= 0:
        return value
    if kind is dict:
        out = {}
        for k, v in value.items():  # leaves here, not by a call each: this is the hot loop
            if type(k) is str and not k.isprintable():
                k = printable(k)
            leaf = type(v)
            if leaf is str:
                out[k] = v if v.isprintable() else printable(v)
            elif v is None or leaf is int or leaf is bool or leaf is float:
                out[k] = v
            else:
                out[k] = printable_data(v, depth - 1)
        return out
    if kind is list or kind is tuple:
        if depth == 1:  # the last level cleaned: its strings only, no call per item
            return [printable(v) if type(v) is str and not v.isprintable() else v
                    for v in value]
        return [printable_data(v, depth - 1) for v in value]
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, Mapping):
        return {printable_data(k): printable_data(v, depth - 1) for k, v in value.items()}
    if is_dataclass(value) and not isinstance(value, type):  # a typed result: a copy if need be
        names = _FIELDS.get(kind)
        if names is None:
            names = _FIELDS.setdefault(kind, tuple(f.name for f in fields(value)))
        changed = _cleaned(((n, getattr(value, n)) for n in names), depth)
        return replace(value, **changed) if changed else value
    if isinstance(value, tuple) and hasattr(value, "_fields"):  # a NamedTuple (a case's step)
        changed = _cleaned(zip(value._fields, value, strict=True), depth)
        return value._replace(**changed) if changed else value
    return value


_FIELDS: dict[type, tuple[str, ...]] = {}


def _cleaned(values: Iterable[tuple[str, Any]], depth: int) -> dict[str, Any]:
    """Of a record's fields, those `printable_data` changes, cleaned (a tuple stays a tuple).
    Strings are checked here, not by a call each: `ika due` cleans ten thousand records."""
    changed: dict[str, Any] = {}
    for name, v in values:
        leaf = type(v)
        if leaf is str:
            if not v.isprintable():
                new = printable(v)
                if new != v:
                    changed[name] = new
            continue
        if leaf is tuple and depth > 1 and all(type(x) is str and x.isprintable() for x in v):
            continue
        if leaf not in (tuple, list, dict) and not hasattr(v, "__dataclass_fields__") \
                and not (isinstance(v, tuple) and hasattr(v, "_fields")):
            continue  # None, numbers, dates: nothing to clean
        new = printable_data(v, depth - 1)
        if leaf is tuple and type(new) is list:
            new = tuple(new)
        if new is not v and new != v:
            changed[name] = new
    return changed


def json_safe(text: str) -> str:
    """JSON text with DEL and the C1 controls escaped as \\u00XX, as JSON already does for
    C0: the same data, but nothing a terminal would act on when the JSON is shown."""
    return text.translate(_JSON_UNSAFE)
