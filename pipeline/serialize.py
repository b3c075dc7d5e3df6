"""The JSON shapes of the typed results: one serializer for the faces (`--json` in cli.py,
/api in pipeline/web/). `to_json` turns a result — a case, its history, what is due, a filing
outcome, a verify problem, a search result — into plain dicts and lists, dates as ISO strings
(a time as "YYYY-MM-DD HH:MM:SS"), in the key order the DESIGN documents. Dicts and lists
are walked; anything else is returned as it is.
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


_LAZY: list[tuple[type, Callable[[Any], Any]]] = []


def _lazy_shapes() -> list[tuple[type, Callable[[Any], Any]]]:
    """The shapes of the filing's results, imported only when a value of no other shape is
    met (the register's faces need not load the filing pipeline)."""
    if not _LAZY:
        from pipeline.filing.fixity import Problem
        from pipeline.filing.intake import Outcome
        from pipeline.search.hits import HitFile, SearchHit, SearchResult

        _LAZY.extend([(Outcome, _outcome), (Problem, _problem), (SearchResult, _search_result),
                      (SearchHit, _hit), (HitFile, _hit_file)])
        _SHAPES.update(_LAZY)
    return _LAZY
