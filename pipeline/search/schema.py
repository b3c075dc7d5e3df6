"""What the index holds of a document: the Whoosh schema, and a document mapping's fields.

The full text is indexed but not stored; its first `EXCERPT_CHARS` characters are stored for
snippets, so a match further in is found but shown from the start of the text. Every country,
type and level the title or text names, and the document's own, go into the hidden `concepts`
field (see `concepts`). Undated documents carry `NO_DATE`: they sort last and fall outside
every date range.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from whoosh.fields import DATETIME, ID, KEYWORD, STORED, TEXT, Schema

from pipeline.errors import IndexError_

from .analysis import analyzer
from .concepts import concepts_in

__all__ = ["EXCERPT_CHARS", "NO_DATE", "SCHEMA", "SCHEMA_VERSION", "as_datetime", "fields"]

#: Bump when the schema or the analyzer changes: older indexes are then recreated (reindex).
SCHEMA_VERSION = 3
#: Characters of the text stored for snippets.
EXCERPT_CHARS = 32_768
#: The date of undated documents.
NO_DATE = datetime(1900, 1, 1)


def _schema() -> Schema:
    a = analyzer()
    return Schema(
        doc_id=ID(stored=True, unique=True),
        case=ID(stored=True, sortable=True),
        title=TEXT(analyzer=a, stored=True),
        text=TEXT(analyzer=a),
        excerpt=STORED(),
        filename=ID(stored=True),
        concepts=KEYWORD(scorable=True),
        countries=KEYWORD(stored=True, commas=True, scorable=True),
        type=ID(stored=True, sortable=True),
        level=ID(stored=True, sortable=True),
        kind=ID(stored=True, sortable=True),  # instrument | correspondence | generated
        division=ID(stored=True, sortable=True),
        language=ID(stored=True),
        signed=DATETIME(stored=True),
        filed=DATETIME(stored=True),
        docdate=DATETIME(sortable=True),
        year=ID(stored=True, sortable=True),
        path=STORED(),
        files=STORED(),  # [{doc_id, path, format}]: a generated letter's .docx and its .pdf
    )


SCHEMA = _schema()


def as_datetime(value: Any) -> datetime | None:
    """Whoosh stores datetimes; dates become midnight, aware times keep their wall clock."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, str):
        return as_datetime(datetime.fromisoformat(value))
    raise IndexError_(f"not a date: {value!r}")


def fields(doc: Mapping[str, Any]) -> dict[str, Any]:
    """Whoosh fields for one document mapping (see `writer.add_documents`)."""
    doc_id = doc.get("doc_id")
    if not doc_id:
        raise IndexError_("a document to index has no doc_id")
    title = str(doc.get("title") or "")
    text = str(doc.get("text") or "")
    countries = [str(c).strip().upper() for c in (doc.get("countries") or []) if c]
    countries = list(dict.fromkeys(countries))
    signed = as_datetime(doc.get("signed"))
    filed = as_datetime(doc.get("filed"))
    docdate = signed or filed
    concepts = concepts_in(title) | concepts_in(text)
    concepts.update(f"country:{c}" for c in countries)
    out: dict[str, Any] = {
        "doc_id": str(doc_id),
        "title": title,
        "text": f"{text}\n{doc.get('filename') or ''}",  # so words of the file name are found
        "excerpt": text[:EXCERPT_CHARS],
        "countries": ",".join(countries),
        "path": str(doc.get("path") or ""),
    }
    for key in ("type", "level"):
        value = doc.get(key)
        if value:
            out[key] = str(value)
            concepts.add(f"{key}:{value}")
    out["concepts"] = " ".join(sorted(concepts))
    if doc.get("case"):
        out["case"] = str(doc["case"]).strip().upper()
    if doc.get("files"):
        out["files"] = [dict(f) for f in doc["files"]]
    for key in ("kind", "division", "language", "filename"):
        if doc.get(key):
            out[key] = str(doc[key])
    if signed:
        out["signed"] = signed
    if filed:
        out["filed"] = filed
    out["docdate"] = docdate or NO_DATE
    if docdate:
        out["year"] = str(docdate.year)
    return out
