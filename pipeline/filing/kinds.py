"""Changing a filed document's kind (`ika file DOC-ID --kind K`).

The kind is decided when the document is filed (pipeline.vocab.kinds.decide_kind, through
pipeline.filing.store); a person corrects it here. `generated` means made by `ika doc make`
and is a fact, not a judgment: such a document stays generated, and no other becomes so.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update

from pipeline.archive import Archive
from pipeline.errors import IkaError
from pipeline.register.store import documents, log_event
from pipeline.vocab.kinds import GENERATED, resolve_kind

from .docinfo import DocumentNotFound


@dataclass(frozen=True)
class KindChange:
    doc_id: str
    old: str
    new: str

    @property
    def changed(self) -> bool:
        return self.old != self.new


def set_kind(arc: Archive, doc_id: str, kind: str, *, by: str | None = None) -> KindChange:
    """Give a filed document another kind: one event `doc.kind` (old -> new) and the index
    updated. The same kind again changes nothing and records nothing."""
    new = resolve_kind(kind)
    key = doc_id.strip().upper()
    with arc.register.write() as conn:
        row = conn.execute(select(documents.c.id, documents.c.kind, documents.c.case_id)
                           .where(documents.c.id == key)).first()
        if row is None:
            raise DocumentNotFound(f"no document {doc_id!r}; `ika search` finds documents")
        change = KindChange(row.id, row.kind, new)
        if not change.changed:
            return change
        _check(change)
        # not indexed until the index has the new kind: a failed index write is caught up
        conn.execute(update(documents).where(documents.c.id == row.id)
                     .values(kind=new, indexed=False))
        log_event(conn, "doc.kind", by=by, case_id=row.case_id, doc_id=row.id,
                  note=f"{change.old} -> {change.new}")
    from pipeline.search import index_documents

    index_documents(arc, [row.id])
    return change


def _check(change: KindChange) -> None:
    """Refuse a change to or from `generated`: that kind is where a document came from."""
    if change.old == GENERATED:
        raise IkaError(f"{change.doc_id} was made by `ika doc make`: its kind stays generated")
    if change.new == GENERATED:
        raise IkaError(f"only documents made by `ika doc make` are generated; {change.doc_id} "
                       f"is {change.old} (instrument or correspondence)")


def set_kinds(arc: Archive, items: list[str], kind: str, *,
              by: str | None = None) -> list[KindChange]:
    """`ika file DOC-ID... --kind K`: every item must be a filed document's id; all are
    checked (and the kind) before any is changed."""
    from pipeline.filing.relink import is_doc_id

    new = resolve_kind(kind)
    not_ids = [item for item in items if not is_doc_id(item)]
    if not_ids:
        raise IkaError(f"{not_ids[0]}: --kind changes filed documents, give DOC-IDs; a new "
                       "file's kind is decided when it is filed (change it afterwards)")
    keys = [item.strip().upper() for item in items]
    with arc.register.read() as conn:
        known = {r.id: r.kind for r in conn.execute(
            select(documents.c.id, documents.c.kind).where(documents.c.id.in_(keys)))}
    for item, key in zip(items, keys, strict=True):
        if key not in known:
            raise DocumentNotFound(f"no document {item!r}; `ika search` finds documents")
        if known[key] != new:
            _check(KindChange(key, known[key], new))
    return [set_kind(arc, key, new, by=by) for key in dict.fromkeys(keys)]
