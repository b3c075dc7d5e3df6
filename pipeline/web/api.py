"""/api/...: every page's data as JSON, in the shapes of the CLI's --json (same session, or
`Authorization: Bearer TOKEN` from `ika`'s admin), and the case actions for scripts."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, abort, current_app, jsonify, request

from pipeline.documents import docmaker
from pipeline.errors import IkaError
from pipeline.filing import relink, uploads
from pipeline.register import accounts, cases, roles
from pipeline.serialize import to_json

from .admin import directory_data, user_dict
from .cases import case_page_data
from .dashboard import dashboard_data
from .search import run_search
from .security import archive, by, me, require, require_case, require_document

bp = Blueprint("api", __name__, url_prefix="/api")


def body() -> dict[str, Any]:
    """A request's fields: a JSON object, or a form."""
    if request.is_json:
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            raise IkaError("send a JSON object")
        return data
    return request.form.to_dict()


def day(value: Any, what: str) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise IkaError(f"{what} {value!r} is not a date (YYYY-MM-DD)") from None


def _step(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise IkaError(f"step must be a number, not {value!r}") from None


def _int(value: Any, default: int, low: int, high: int) -> int:
    try:
        return max(low, min(int(value), high))
    except (TypeError, ValueError):
        return default


@bp.route("/me")
@require("search")
def whoami() -> Any:
    u = me()
    return jsonify(name=u.name, role=u.role, division=u.division,
                   may=[a for a in roles.ACTIONS if roles.allowed(u, a)])


@bp.route("/dashboard")
@require("dashboard")
def dashboard() -> Any:
    return jsonify(dashboard_data())


@bp.route("/due")
@require("dashboard")
def due() -> Any:
    within = request.args.get("within")
    rows = cases.due(archive(), within=_int(within, 0, 0, 36500) if within else None,
                     division=request.args.get("division") or None,
                     only_division=roles.division_scope(me(), "dashboard"))
    return jsonify(to_json(rows))


@bp.route("/cases", methods=["GET"])
@require("case.read")
def case_list() -> Any:
    from .cases import STATUSES

    a = request.args
    offset = _int(a.get("offset"), 0, 0, 10**7)
    limit = _int(a.get("limit"), 0, 0, 10**6) or None
    total, rows = cases.find_cases(
        archive(), status=a.get("status") if a.get("status") in STATUSES else None,
        overdue=a.get("overdue") in ("1", "true", "yes"), country=a.get("country") or None,
        type=a.get("type") or None, division=a.get("division") or None,
        only_division=roles.division_scope(me(), "case.read"), offset=offset, limit=limit)
    response = jsonify(to_json(rows))
    response.headers["X-Total-Count"] = str(total)
    return response


@bp.route("/cases", methods=["POST"])
@require("case.new")
def case_new() -> Any:
    f = body()
    own = me().division if roles.reach(me(), "case.new") == roles.OWN_DIVISION else None
    countries = f.get("countries") or f.get("country") or []
    if isinstance(countries, str):
        countries = [c.strip() for c in countries.split(",") if c.strip()]
    division = f.get("division") or ""
    if own is not None and division and not roles.can(me(), "case.new", division):
        abort(403)
    case_id = cases.new_case(
        archive(), title=str(f.get("title") or ""), type=str(f.get("type") or ""),
        countries=[str(c) for c in countries], division=own or str(division),
        level=f.get("level") or None, source=f.get("source") or None,
        received=day(f.get("received"), "received"), file_ref=f.get("file_ref") or None,
        their_ref=f.get("their_ref") or None, by=by())
    return jsonify(id=case_id), 201


@bp.route("/cases/<case_id>")
@require("case.read")
def case_show(case_id: str) -> Any:
    return jsonify(case_page_data(require_case("case.read", case_id)))


@bp.route("/cases/<case_id>/documents")
@require("case.read")
def case_documents(case_id: str) -> Any:
    case = require_case("case.read", case_id)
    return jsonify(docmaker.listing(archive(), case["id"]))


@bp.route("/cases/<case_id>/documents/<key>", methods=["POST"])
@require("case.act")
def case_make_document(case_id: str, key: str) -> Any:
    """`ika doc make CASE DOC [--to ...] [--set K=V ...] [--pdf]` for scripts:
    {"to": [...], "set": {"field": "value"}, "pdf": true}."""
    case = require_case("case.act", case_id)
    f = body()
    to = f.get("to") or []
    sets = f.get("set") or {}
    if isinstance(to, str):
        to = [to]
    if not isinstance(sets, dict) or not isinstance(to, list):
        raise IkaError('give "to" as a list of addressee keys and "set" as an object')
    made = docmaker.make(archive(), case["id"], key, to=[str(t) for t in to],
                         overrides={str(k): str(v) for k, v in sets.items()},
                         pdf=f.get("pdf") in (True, "true", "yes", "1"), by=by())
    return jsonify([{"doc_id": m.doc_id, "case": m.case_id, "step": m.step,
                     "version": m.version, "format": m.path.suffix.lstrip("."),
                     "sha256": m.sha256} for m in made]), 201


def _after(case_id: str) -> Any:
    return jsonify(to_json(cases.get_case(archive(), case_id)))


@bp.route("/cases/<case_id>/done", methods=["POST"])
@require("case.act")
def case_done(case_id: str) -> Any:
    case = require_case("case.act", case_id)
    f = body()
    cases.complete_step(archive(), case["id"], _step(f.get("step")),
                        on=day(f.get("date"), "date"), note=f.get("note") or None, by=by())
    return _after(case["id"])


@bp.route("/cases/<case_id>/decide", methods=["POST"])
@require("case.act")
def case_decide(case_id: str) -> Any:
    case = require_case("case.act", case_id)
    f = body()
    decision = str(f.get("decision") or "").upper()
    if decision not in ("YA", "TIDAK"):
        raise IkaError("give decision YA or TIDAK")
    cases.decide(archive(), case["id"], approve=decision == "YA",
                 on=day(f.get("date"), "date"), note=f.get("note") or None, by=by())
    return _after(case["id"])


@bp.route("/cases/<case_id>/schedule", methods=["POST"])
@require("case.act")
def case_schedule(case_id: str) -> Any:
    case = require_case("case.act", case_id)
    f = body()
    start = day(f.get("start"), "start")
    if start is None:
        raise IkaError("give start (YYYY-MM-DD)")
    cases.schedule(archive(), case["id"], start=start, days=_int(f.get("days"), 3, 1, 365),
                   venue=f.get("venue") or None, by=by())
    return _after(case["id"])


@bp.route("/cases/<case_id>/undo", methods=["POST"])
@require("case.act")
def case_undo(case_id: str) -> Any:
    case = require_case("case.act", case_id)
    what, _ = cases.undo(archive(), case["id"], reason=str(body().get("reason") or ""),
                         by=by())
    return jsonify(undone=what, case=to_json(cases.get_case(archive(), case["id"])))


@bp.route("/cases/<case_id>/withdraw", methods=["POST"])
@require("case.act")
def case_withdraw(case_id: str) -> Any:
    case = require_case("case.act", case_id)
    f = body()
    cases.withdraw(archive(), case["id"], reason=str(f.get("reason") or ""),
                   on=day(f.get("date"), "date"), by=by())
    return _after(case["id"])


@bp.route("/documents/<doc_id>")
@require("doc.read")
def document(doc_id: str) -> Any:
    from pipeline.filing.docinfo import show_document

    doc = require_document(doc_id)
    data = to_json(show_document(archive(), doc.doc_id))
    data.pop("paths", None)  # server paths: the files are served by DOC-id
    for r in data.get("renditions", []):
        r.pop("path", None)
    return jsonify(data)


@bp.route("/search")
@require("search")
def search() -> Any:
    limit = _int(request.args.get("limit"), 20, 1, 1000)
    return jsonify(to_json(run_search(limit)))


@bp.route("/unassigned")
@require("inbox")
def unassigned() -> Any:
    return jsonify(to_json(relink.unassigned(archive())))


@bp.route("/failed")
@require("inbox")
def failed() -> Any:
    return jsonify([e.as_dict() for e in uploads.failed_queue(archive())])


@bp.route("/inbox/upload", methods=["POST"])
@require("inbox")
def upload() -> Any:
    arc = archive()
    case_id = request.form.get("case_id") or None
    if case_id:
        require_case("case.act", case_id)
    out = [to_json(uploads.file_upload(arc, f.filename, f.stream, case_id=case_id, by=by()))
           for f in request.files.getlist("files") if f]
    return jsonify(outcomes=out)


@bp.route("/inbox/link", methods=["POST"])
@require("inbox")
def link() -> Any:
    f = body()
    doc_id = str(f.get("doc_id") or "")
    if not relink.is_doc_id(doc_id):
        abort(404)
    from pipeline.render import relink_line

    return jsonify(message=relink_line(relink.relink(archive(), doc_id,
                                                     str(f.get("case_id") or ""), by=by())))


@bp.route("/users")
@require("admin")
def users() -> Any:
    return jsonify([user_dict(u) for u in accounts.list_users(archive())])


@bp.route("/directory")
@require("admin")
def directory() -> Any:
    return jsonify(directory_data())


@bp.route("/health")
def health() -> Any:
    return jsonify(ok=True, version=current_app.config.get("IKA_VERSION", ""))
