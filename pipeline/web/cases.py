"""Cases: the list with filters and paging, the new-case form, a case's page with the
actions its current step allows, its documents (made from forms, uploaded, previewed) and its
history; and every filed document served by its DOC-id."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from pipeline.documents import docmaker
from pipeline.errors import IkaError
from pipeline.filing import uploads
from pipeline.filing.document import DocumentRecord
from pipeline.register import cases, roles, sop
from pipeline.serialize import to_json

from .dashboard import page_args
from .messages import say
from .security import archive, by, me, require, require_case, require_document

bp = Blueprint("cases", __name__)

STATUSES = ("open", "closed", "rejected", "withdrawn")
SOURCES = cases.SOURCES
# Fields of the letters' templates that are paragraphs (a textarea, not one line).
PARAGRAPHS = frozenset({"tujuan", "latar_belakang", "syor", "hasil_mesyuarat", "sebab",
                        "lampiran"})


# ---------------------------------------------------------------- form helpers


def form_date(name: str) -> date | None:
    raw = (request.form.get(name) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise IkaError(_("%(value)s is not a date (YYYY-MM-DD)", value=raw)) from None


def confirmed() -> None:
    """Every change to a case is confirmed on its form (a required tick, checked here too)."""
    if request.form.get("confirm") != "yes":
        raise IkaError(_("Tick the confirmation box to go ahead."))


def countries_field(raw: str) -> list[str]:
    """Counterparts typed one per line or comma-separated (names contain no commas that
    matter here: 'Korea, Republic of' is also known as 'Korea Selatan')."""
    parts = [p.strip() for chunk in raw.splitlines() for p in chunk.split(",")]
    return [p for p in parts if p]


def list_filters() -> dict[str, Any]:
    a = request.args
    status = a.get("status") if a.get("status") in STATUSES else None
    return {"status": status, "overdue": a.get("overdue") in ("1", "on", "yes", "true"),
            "country": (a.get("country") or "").strip() or None,
            "type": (a.get("type") or "").strip() or None,
            "division": (a.get("division") or "").strip() or None}


def vocab() -> dict[str, Any]:
    """The suggestions of the forms: countries, instrument types, levels, Divisions."""
    from pipeline.vocab.countries import choices
    from pipeline.vocab.instruments import LEVELS, TYPES

    settings = archive().settings
    divisions = sorted({str(v.get("organisation") or v.get("name") or k)
                        for k, v in settings.directory.items()})
    return {"countries": choices(), "types": TYPES, "levels": LEVELS, "sources": SOURCES,
            "divisions": divisions, "directory": settings.directory,
            "signatories": settings.signatories}


# ---------------------------------------------------------------- list and new


def case_list_data() -> tuple[int, list[dict[str, Any]], dict[str, Any], int, int]:
    filters = list_filters()
    page, size = page_args()
    scope = roles.division_scope(me(), "case.read")
    try:
        total, rows = cases.find_cases(archive(), **filters, only_division=scope,
                                       offset=(page - 1) * size, limit=size)
    except IkaError as exc:  # an unknown country or type in the filters
        flash(str(exc), "error")
        total, rows = 0, []
    return total, to_json(rows), filters, page, size


@bp.route("/cases")
@require("case.read")
def index() -> Any:
    total, rows, filters, page, size = case_list_data()
    pages = max(1, -(-total // size))
    return render_template("cases.html", rows=rows, total=total, filters=filters, page=page,
                           pages=pages, vocab=vocab(), statuses=STATUSES,
                           can_new=roles.allowed(me(), "case.new"))


@bp.route("/cases/new", methods=["GET", "POST"])
@require("case.new")
def new() -> Any:
    form = request.form if request.method == "POST" else MultiDict()
    own = me().division if roles.reach(me(), "case.new") == roles.OWN_DIVISION else None
    if request.method == "POST":
        try:
            confirmed()
            division = own or (request.form.get("division") or "")
            case_id = cases.new_case(
                archive(), title=request.form.get("title") or "",
                type=request.form.get("type") or "",
                countries=[c for raw in request.form.getlist("country")
                           for c in countries_field(raw)],
                division=division, level=request.form.get("level") or None,
                source=request.form.get("source") or None, received=form_date("received"),
                file_ref=(request.form.get("file_ref") or "").strip() or None,
                their_ref=(request.form.get("their_ref") or "").strip() or None, by=by())
        except IkaError as exc:
            flash(str(exc), "error")
            return render_template("case_new.html", form=form, vocab=vocab(),
                                   own_division=own), 400
        flash(_("Case %(id)s opened.", id=case_id), "ok")
        return redirect(url_for("cases.show", case_id=case_id))
    return render_template("case_new.html", form=form, vocab=vocab(), own_division=own)


# ---------------------------------------------------------------- a case


def case_page_data(case: dict[str, Any]) -> dict[str, Any]:
    """A case as `ika case show --json` gives it: documents and history included."""
    from pipeline.filing.store import documents_of

    arc = archive()
    data = dict(case)
    data["documents"] = to_json(documents_of(arc, case["id"]))
    data["history"] = to_json(cases.history(arc, case["id"]))
    return data


@bp.route("/cases/<case_id>")
@require("case.read")
def show(case_id: str) -> Any:
    case = require_case("case.read", case_id)
    data = case_page_data(case)
    listing = docmaker.listing(archive(), case["id"])
    current = next((s for s in case["steps"] if s["n"] == case["current_step"]), None)
    return render_template(
        "case.html", case=data, current=current, listing=listing, sop=sop,
        can_act=roles.can(me(), "case.act", case["division"]), vocab=vocab(),
        today=date.today().isoformat(), sources=SOURCES,
    )


def _act(case_id: str, do: Any) -> Any:
    """Run one confirmed action on the case; its outcome (or the library's refusal) is shown
    on the case's page."""
    case = require_case("case.act", case_id)
    try:
        confirmed()
        message = do(case)
    except IkaError as exc:
        flash(str(exc), "error")
    else:
        flash(message, "ok")
    return redirect(url_for("cases.show", case_id=case["id"]))


def _where(tl: Any) -> str:
    """Where the case stands after a change, in the page's language."""
    from .i18n import actor_name, day, status_name

    s = tl.current_state
    if s is None:
        return _("the case is now %(status)s", status=status_name(tl.status))
    if s.status == "waiting" and s.submitted:
        return _("waiting for top management's decision")
    if s.due is None:
        return _("next: step %(n)d (%(actor)s), not yet scheduled", n=s.n,
                 actor=actor_name(s.actor))
    return _("next: step %(n)d (%(actor)s), due %(due)s", n=s.n, actor=actor_name(s.actor),
             due=day(s.due))


@bp.route("/cases/<case_id>/done", methods=["POST"])
@require("case.act")
def done(case_id: str) -> Any:
    def do(case: dict[str, Any]) -> str:
        try:
            n = int(request.form.get("step") or 0)
        except ValueError:
            raise IkaError(_("The step is a number from 1 to 9.")) from None
        tl = cases.complete_step(archive(), case["id"], n, on=form_date("date"),
                                 note=(request.form.get("note") or "").strip() or None, by=by())
        return _("Step %(n)d recorded; %(where)s.", n=n, where=_where(tl))

    return _act(case_id, do)


@bp.route("/cases/<case_id>/decide", methods=["POST"])
@require("case.act")
def decide(case_id: str) -> Any:
    def do(case: dict[str, Any]) -> str:
        choice = request.form.get("decision")
        if choice not in ("YA", "TIDAK"):
            raise IkaError(_("Choose YA or TIDAK."))
        tl = cases.decide(archive(), case["id"], approve=choice == "YA", on=form_date("date"),
                          note=(request.form.get("note") or "").strip() or None, by=by())
        return _("Decision %(d)s recorded; %(where)s.", d=choice, where=_where(tl))

    return _act(case_id, do)


@bp.route("/cases/<case_id>/schedule", methods=["POST"])
@require("case.act")
def schedule(case_id: str) -> Any:
    def do(case: dict[str, Any]) -> str:
        start = form_date("start")
        if start is None:
            raise IkaError(_("Give the first day of the negotiation."))
        try:
            days = int(request.form.get("days") or 3)
        except ValueError:
            raise IkaError(_("The number of days is a whole number.")) from None
        tl = cases.schedule(archive(), case["id"], start=start, days=days,
                            venue=(request.form.get("venue") or "").strip() or None, by=by())
        return _("Negotiation dates recorded; %(where)s.", where=_where(tl))

    return _act(case_id, do)


@bp.route("/cases/<case_id>/edit", methods=["POST"])
@require("case.act")
def edit(case_id: str) -> Any:
    def do(case: dict[str, Any]) -> str:
        f = request.form
        wanted: dict[str, Any] = {}
        for field in ("title", "file_ref", "their_ref", "source", "type", "level", "division"):
            if field not in f:
                continue
            value = f.get(field, "").strip()
            if value != (f.get(f"was_{field}") or "").strip():
                wanted[field] = value
        if "countries" in f and f.get("countries", "").strip() != f.get("was_countries", ""):
            wanted["countries"] = countries_field(f.get("countries", ""))
        if "division" in wanted and not roles.can(me(), "case.act", wanted["division"]):
            raise IkaError(_("You may not move a case to another Division."))
        if wanted.get("source") == "":
            del wanted["source"]
        changes = cases.edit_case(archive(), case["id"], by=by(), **wanted)
        return _("%(n)d change(s) recorded.", n=len(changes))

    return _act(case_id, do)


@bp.route("/cases/<case_id>/undo", methods=["POST"])
@require("case.act")
def undo(case_id: str) -> Any:
    def do(case: dict[str, Any]) -> str:
        what, tl = cases.undo(archive(), case["id"], reason=request.form.get("reason") or "",
                              by=by())
        return f"{say(what)}; {_where(tl)}"

    return _act(case_id, do)


@bp.route("/cases/<case_id>/withdraw", methods=["POST"])
@require("case.act")
def withdraw(case_id: str) -> Any:
    def do(case: dict[str, Any]) -> str:
        cases.withdraw(archive(), case["id"], reason=request.form.get("reason") or "",
                       on=form_date("date"), by=by())
        return _("Case withdrawn.")

    return _act(case_id, do)


# ---------------------------------------------------------------- documents of a case


def field_value(spec: Any, form: Any) -> str | None:
    """A template field as `--set` takes it, from the form: lines of a list or of comment
    rows joined with ';', a paragraph kept as typed."""
    raw = form.get(f"f_{spec.name}")
    if raw is None:
        return None
    raw = raw.replace("\r\n", "\n").strip()
    if not raw:
        return None
    if spec.kind in ("list", "rows"):
        return "; ".join(line.strip().replace(";", "\\;") for line in raw.split("\n")
                         if line.strip())
    return raw


@bp.route("/cases/<case_id>/documents/<key>", methods=["GET", "POST"])
@require("case.act")
def make_document(case_id: str, key: str) -> Any:
    from pipeline.clock import today
    from pipeline.documents import letters
    from pipeline.documents.letterfields import document_of, fields

    case = require_case("case.act", case_id)
    if key not in sop.DOCUMENTS:
        abort(404)
    step, doc = document_of(key)
    specs = fields(key)
    if request.method == "POST":
        try:
            overrides = {s.name: v for s in specs
                         if (v := field_value(s, request.form)) is not None}
            to = [t for t in request.form.getlist("to") if t]
            made = docmaker.make(archive(), case["id"], key, to=to, overrides=overrides,
                                 pdf=request.form.get("pdf") == "yes", by=by())
        except IkaError as exc:
            flash(str(exc), "error")
        else:
            ids = ", ".join(f.doc_id for f in made)
            flash(_("Made and filed: %(ids)s", ids=ids), "ok")
            return redirect(url_for("cases.show", case_id=case["id"]) + "#documents")
    known: dict[str, Any] = {}
    try:
        ctx = letters.build_context(case, key, archive().settings, today=today())
        for s in specs:
            value = ctx
            for part in s.name.split("."):
                value = value.get(part) if isinstance(value, dict) else None
            if value not in (None, "", []):
                known[s.name] = value
    except IkaError:
        pass
    return render_template("document_form.html", case=case, key=key, doc=doc, step=step,
                           specs=specs, known=known, paragraphs=PARAGRAPHS, vocab=vocab(),
                           form=request.form), (400 if request.method == "POST" else 200)


@bp.route("/cases/<case_id>/upload", methods=["POST"])
@require("case.act")
def upload(case_id: str) -> Any:
    case = require_case("case.act", case_id)
    files = [f for f in request.files.getlist("files") if f and f.filename]
    if not files:
        flash(_("Choose a file to upload."), "error")
    for f in files:
        outcome = uploads.file_upload(archive(), f.filename, f.stream, case_id=case["id"],
                                      by=by())
        flash_outcome(outcome)
    return redirect(url_for("cases.show", case_id=case["id"]) + "#documents")


def flash_outcome(outcome: Any) -> None:
    name = outcome.path.name
    if outcome.status == "filed":
        where = outcome.case_id or _("unassigned")
        flash(_("%(name)s filed as %(doc)s (%(where)s).", name=name, doc=outcome.doc_id,
                where=where), "ok")
    elif outcome.status == "duplicate":
        flash(_("%(name)s: %(reason)s", name=name, reason=say(outcome.reason, capital=False)),
              "ok")
    else:
        flash(_("%(name)s not filed: %(reason)s", name=name,
                reason=say(outcome.reason, capital=False)), "error")


# ---------------------------------------------------------------- files, by DOC-id only


def _path_of(rel: str | None) -> Path:
    """A stored path (from the register, never from a request), checked to lie in files/."""
    if not rel:
        abort(404)
    arc = archive()
    path = (arc.root / rel).resolve()
    if not path.is_relative_to(arc.files.resolve()) or not path.is_file():
        abort(404)
    return path


def _download_name(doc: DocumentRecord, path: Path) -> str:
    if doc.kind == "generated":
        return f"{doc.case}-{doc.name}-v{doc.version}{path.suffix}"
    return doc.name if doc.name.lower().endswith(path.suffix.lower()) else path.name


@bp.route("/doc/<doc_id>")
@require("doc.read")
def document(doc_id: str) -> Any:
    from pipeline.filing.docinfo import show_document

    doc = require_document(doc_id)
    info = show_document(archive(), doc.doc_id)
    return render_template("document.html", doc=doc, info=info,
                           previewable=_preview_rel(doc) is not None)


@bp.route("/doc/<doc_id>/file")
@require("doc.read")
def download(doc_id: str) -> Any:
    doc = require_document(doc_id)
    path = _path_of(doc.path)
    return send_file(path, as_attachment=True, download_name=_download_name(doc, path),
                     max_age=0)


def _preview_rel(doc: DocumentRecord) -> str | None:
    if doc.path.lower().endswith(".pdf"):
        return doc.path
    return doc.ocr_path


@bp.route("/doc/<doc_id>/pdf")
@require("doc.read")
def preview(doc_id: str) -> Any:
    """The document as a PDF shown inside the page: itself, or its OCR copy (a scan)."""
    doc = require_document(doc_id)
    rel = _preview_rel(doc)
    if rel is None:
        abort(404)
    path = _path_of(rel)
    response = send_file(path, mimetype="application/pdf", as_attachment=False,
                         download_name=f"{doc.doc_id}.pdf", max_age=0)
    from .security import CSP_FRAMEABLE

    response.headers["Content-Security-Policy"] = CSP_FRAMEABLE
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response

