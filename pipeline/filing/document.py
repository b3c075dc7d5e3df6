"""A filed document as the core returns it: typed, dates as dates. The faces turn these into
words (pipeline/render.py) or into the `--json` shapes (pipeline/serialize.py)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any


@dataclass(frozen=True)
class DocumentRecord:
    """One row of the register's documents."""

    doc_id: str
    case: str | None
    step: int | None
    kind: str
    name: str
    version: int
    path: str
    sha256: str
    size: int
    title: str | None
    countries: tuple[str, ...]
    type: str | None
    level: str | None
    language: str | None
    signed: date | None
    signed_place: str | None
    method: str | None
    ocr_path: str | None
    filed_at: datetime


@dataclass(frozen=True)
class Rendition:
    """Another file of the same generated document (the PDF of a letter)."""

    doc_id: str
    path: str | None  # as it works from the current folder
    format: str


@dataclass(frozen=True)
class DocumentEvent:
    """One event of a document's history."""

    at: datetime
    by: str | None
    action: str
    note: str | None
    case: str | None


@dataclass(frozen=True)
class DocumentShown(DocumentRecord):
    """A document as `ika show` gives it: its row, where its files are (from the current
    folder), its renditions and its history."""

    paths: tuple[str, ...] = ()
    renditions: tuple[Rendition, ...] = ()
    history: tuple[DocumentEvent, ...] = ()


@dataclass(frozen=True)
class UnassignedDocument(DocumentRecord):
    """A document with no case: why it waits (when something looked like a case) and the open
    cases that match its counterparts and type (a suggestion only)."""

    reason: str | None = None
    suggested_case: str | None = None
    matching_cases: tuple[str, ...] = ()

    @property
    def date(self) -> date:
        """Its date: of signature, else of filing."""
        return self.signed or self.filed_at.date()


def record_fields(r: Any) -> dict[str, Any]:
    """A register row's values as DocumentRecord's fields."""
    return {
        "doc_id": r.id, "case": r.case_id, "step": r.step, "kind": r.kind, "name": r.name,
        "version": r.version, "path": r.path, "sha256": r.sha256, "size": r.size,
        "title": r.title, "countries": tuple(json.loads(r.countries or "[]")), "type": r.type,
        "level": r.level, "language": r.language, "signed": r.signed_date,
        "signed_place": r.signed_place, "method": r.method, "ocr_path": r.ocr_path,
        "filed_at": r.filed_at,
    }


def document_record(r: Any) -> DocumentRecord:
    """A register row as a DocumentRecord."""
    return DocumentRecord(**record_fields(r))
