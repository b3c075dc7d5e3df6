"""The JSON shapes of the typed results: one serializer for the faces (`--json` in cli.py,
/api in pipeline/web/). `to_json` turns a result — a case, its history, what is due, a filing
outcome, a verify problem, a search result, a document — into plain dicts and lists, dates as
ISO strings (a time as "YYYY-MM-DD HH:MM:SS"), in the key order the DESIGN documents. Dicts and
lists are walked; anything else is returned as it is.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from pipeline.register import sop
from pipeline.register.model import Case, DueItem, Event, Negotiation, StepState

__all__ = ["to_json"]


def to_json(obj: Any) -> Any:
    """`obj` as JSON-ready data (see the module's docstring)."""
    kind = type(obj)
    if obj is None or kind is str or kind is int or kind is bool or kind is float:
        return obj
    if kind is list or kind is tuple:
        return [to_json(v) for v in obj]
    if kind is dict:
        return {k: to_json(v) for k, v in obj.items()}
    shape = _SHAPES.get(kind)
    if shape is not None:
        return shape(obj)
    if isinstance(obj, datetime):
        return obj.isoformat(sep=" ")
    if isinstance(obj, date):
        return obj.isoformat()
    if hasattr(obj, "__dataclass_fields__"):
        for known, make in _lazy_shapes():
            if isinstance(obj, known):
                return make(obj)
    return obj


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _step(s: StepState, case: Case) -> dict[str, Any]:
    out: dict[str, Any] = {
        "n": s.n,
        "name": s.name,
        "actor": s.actor,
        "due": _iso(s.due),
        "done": _iso(s.done),
        "status": s.status,
        "note": s.note,
        "late_days": s.late_days,
    }
    if s.n == sop.DECISION_STEP:
        out["submitted"] = _iso(s.submitted)
    if s.n == case.current_step and s.since:
        out["waiting_since"] = s.since.isoformat()
    return out


def _negotiation(n: Negotiation) -> dict[str, Any]:
    return {"start": _iso(n.start), "end": _iso(n.end), "days": n.days, "venue": n.venue}


def _case(c: Case) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": c.id,
        "title": c.title,
        "type": c.type,
        "level": c.level,
        "countries": list(c.countries),
        "division": c.division,
        "status": c.status,
        "current_step": c.current_step,
        "received": c.received.isoformat(),
        "source": c.source,
        "file_ref": c.file_ref,
        "their_ref": c.their_ref,
        "security": c.security,
        "decision": c.decision,
        "decision_date": _iso(c.decision_date),
        "submitted": _iso(c.submitted),
        "withdrawn": _iso(c.withdrawn),
        "negotiation": _negotiation(c.negotiation),
        "target_date": c.target_date.isoformat(),
        "steps": [_step(s, c) for s in c.steps],
    }
    if c.values is not None:
        out["values"] = dict(c.values)
    return out


def _event(e: Event) -> dict[str, Any]:
    return {"at": e.at.isoformat(sep=" "), "by": e.by, "action": e.action, "note": e.note,
            "doc_id": e.doc_id}


def _due(r: DueItem) -> dict[str, Any]:
    return {
        "case": r.case,
        "title": r.title,
        "countries": list(r.countries),
        "type": r.type,
        "division": r.division,
        "step": r.step,
        "name": r.name,
        "actor": r.actor,
        "status": r.status,
        "due": _iso(r.due),
        "overdue_days": r.overdue_days,
        "waiting_since": _iso(r.waiting_since),
        "waiting_days": r.waiting_days,
        "reminder": r.reminder,
    }


_SHAPES: dict[type, Callable[[Any], Any]] = {
    Case: _case,
    Event: _event,
    DueItem: _due,
    Negotiation: _negotiation,
}


def _outcome(o: Any) -> dict[str, Any]:
    """A filing outcome: what a page or a script needs, no server paths."""
    return {"status": o.status, "doc_id": o.doc_id, "case": o.case_id, "reason": o.reason,
            "kind": o.kind, "how": o.how, "note": o.note, "name": o.path.name}


def _problem(p: Any) -> dict[str, Any]:
    return {"doc_id": p.doc_id, "path": p.path, "problem": p.problem}


def _hit_file(f: Any) -> dict[str, Any]:
    return {"doc_id": f.doc_id, "path": f.path, "format": f.format}


def _hit(h: Any) -> dict[str, Any]:
    """A search hit: `date` is the date of signature, else of filing."""
    return {
        "doc_id": h.doc_id,
        "case": h.case,
        "kind": h.kind,
        "date": _iso(h.signed or h.filed),
        "title": h.title,
        "countries": list(h.countries),
        "type": h.type,
        "level": h.level,
        "division": h.division,
        "language": h.language,
        "path": h.path,
        "files": [_hit_file(f) for f in h.files],
        "score": h.score,
        "snippet": h.snippet,
        "signed": _iso(h.signed),
        "filed": _iso(h.filed),
        "filename": h.filename,
    }


def _search_result(r: Any) -> dict[str, Any]:
    return {"total": r.total, "hits": [_hit(h) for h in r.hits],
            "facets": {name: dict(counts) for name, counts in r.facets.items()}}


def _document(d: Any) -> dict[str, Any]:
    """A register's document row (`ika case show`'s documents)."""
    return {
        "doc_id": d.doc_id, "case": d.case, "step": d.step, "kind": d.kind, "name": d.name,
        "version": d.version, "path": d.path, "sha256": d.sha256, "size": d.size,
        "title": d.title, "countries": list(d.countries), "type": d.type,
        "level": d.level, "language": d.language, "signed": _iso(d.signed),
        "signed_place": d.signed_place, "method": d.method, "ocr_path": d.ocr_path,
        "filed_at": d.filed_at.isoformat(sep=" "),
    }


def _document_shown(d: Any) -> dict[str, Any]:
    """`ika show DOC-ID`: the row, the paths of its files, its renditions and history."""
    out = _document(d)
    out["paths"] = list(d.paths)
    out["renditions"] = [{"doc_id": r.doc_id, "path": r.path, "format": r.format}
                         for r in d.renditions]
    out["history"] = [{"at": e.at.isoformat(sep=" "), "by": e.by, "action": e.action,
                       "note": e.note, "case": e.case} for e in d.history]
    return out


def _unassigned(d: Any) -> dict[str, Any]:
    """`ika unassigned`: date is the date of signature, else of filing."""
    signed = _iso(d.signed)
    return {
        "doc_id": d.doc_id, "name": d.name, "title": d.title,
        "date": signed or d.filed_at.date().isoformat(), "signed": signed,
        "filed_at": d.filed_at.isoformat(sep=" "),
        "kind": d.kind, "type": d.type, "level": d.level, "countries": list(d.countries),
        "path": d.path,
        "reason": d.reason,
        "suggested_case": d.suggested_case,
        "matching_cases": list(d.matching_cases),
    }


def _relinked(r: Any) -> dict[str, Any]:
    return {"doc_id": r.doc_id, "case": r.case_id, "already": r.already, "steps": list(r.steps)}


def _repair(r: Any) -> dict[str, Any]:
    return {"action": r.action, "path": r.path, "dest": r.dest, "why": r.why}


_LAZY: list[tuple[type, Callable[[Any], Any]]] = []


def _lazy_shapes() -> list[tuple[type, Callable[[Any], Any]]]:
    """The shapes of the filing's results, imported only when a value of no other shape is
    met (the register's faces need not load the filing pipeline)."""
    if not _LAZY:
        from pipeline.filing.document import DocumentRecord, DocumentShown, UnassignedDocument
        from pipeline.filing.fixity import Problem, Repair
        from pipeline.filing.intake import Outcome
        from pipeline.filing.relink import Relinked
        from pipeline.search.hits import HitFile, SearchHit, SearchResult

        # Subclasses before the class they extend: the first that matches gives the shape.
        _LAZY.extend([(Outcome, _outcome), (Problem, _problem), (SearchResult, _search_result),
                      (SearchHit, _hit), (HitFile, _hit_file), (DocumentShown, _document_shown),
                      (UnassignedDocument, _unassigned), (DocumentRecord, _document),
                      (Relinked, _relinked), (Repair, _repair)])
        _SHAPES.update(_LAZY)
    return _LAZY
