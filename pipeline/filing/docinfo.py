"""One filed document as a person asks for it: its metadata, its history and where its files
are (`ika show DOC-ID`, the web's document page)."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import select

from pipeline.archive import Archive
from pipeline.errors import IkaError
from pipeline.filing.document import DocumentEvent, DocumentShown, Rendition, record_fields
from pipeline.register.store import documents, events


class DocumentNotFound(IkaError):
    pass


def shown_path(arc: Archive, rel: str | None) -> str | None:
    """A stored path (relative to the archive) as one that works from the current folder."""
    if not rel:
        return None
    full = arc.root / rel
    try:
        return os.path.relpath(full)
    except ValueError:  # another drive (Windows)
        return str(full.resolve())


def show_document(arc: Archive, doc_id: str) -> DocumentShown:
    """The document's row, its renditions (the PDF of a generated letter), its history."""
    key = doc_id.strip().upper()
    with arc.register.read() as conn:
        row = conn.execute(select(documents).where(documents.c.id == key)).first()
        if row is None:
            raise DocumentNotFound(f"no document {doc_id!r}; `ika search` finds documents")
        siblings = []
        if row.kind == "generated":
            siblings = conn.execute(
                select(documents.c.id, documents.c.path).where(
                    documents.c.case_id == row.case_id, documents.c.name == row.name,
                    documents.c.version == row.version, documents.c.kind == "generated",
                    documents.c.id != row.id,
                ).order_by(documents.c.id)
            ).all()
        history = conn.execute(
            select(events).where(events.c.doc_id == row.id).order_by(events.c.id)
        ).all()
    return DocumentShown(
        **record_fields(row),
        paths=tuple(p for p in (shown_path(arc, row.path), shown_path(arc, row.ocr_path)) if p),
        renditions=tuple(Rendition(s.id, shown_path(arc, s.path), Path(s.path).suffix[1:])
                         for s in siblings),
        history=tuple(DocumentEvent(e.at, e.by, e.action, e.note, e.case_id) for e in history),
    )
