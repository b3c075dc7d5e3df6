"""Peti masuk, for the clerks: upload many files (the inbox's own filing), the unassigned
queue (link each to its case with one action) and the failed queue (retry with a password, or
set aside with a reason; never deleted)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _

from pipeline.errors import IkaError
from pipeline.filing import relink, uploads
from pipeline.render import relink_line
from pipeline.serialize import to_json

from .cases import flash_outcome
from .messages import say
from .security import archive, by, require

bp = Blueprint("inbox", __name__)


def wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json" or \
        request.headers.get("X-Requested-With") == "fetch"


def outcome_message(outcome: dict[str, Any]) -> str:
    """One file's outcome in the page's language, as the upload list shows it."""
    status = {"filed": _("filed"), "duplicate": _("already filed"),
              "failed": _("not filed")}.get(str(outcome["status"]), str(outcome["status"]))
    text = " ".join([status] + [str(outcome[k]) for k in ("doc_id",) if outcome.get(k)])
    if outcome.get("case"):
        text += f" → {outcome['case']}"
    if outcome.get("reason"):
        text += ": " + say(outcome["reason"], capital=False)
    if outcome.get("note"):
        text += f" ({say(outcome['note'], capital=False)})"
    return text


def inbox_data() -> dict[str, Any]:
    arc = archive()
    return {"unassigned": relink.unassigned(arc),
            "failed": [e.as_dict() for e in uploads.failed_queue(arc)],
            "set_aside": uploads.set_aside_count(arc)}


@bp.route("/inbox")
@require("inbox")
def index() -> Any:
    return render_template("inbox.html", data=inbox_data())


@bp.route("/inbox/upload", methods=["POST"])
@require("inbox")
def upload() -> Any:
    """Each file through the inbox's filing; one outcome per file (JSON for the script that
    shows progress, the inbox page otherwise)."""
    arc = archive()
    files = [f for f in request.files.getlist("files") if f and f.filename is not None]
    outcomes = []
    for f in files:
        try:
            outcome = uploads.file_upload(arc, f.filename, f.stream, by=by())
        except IkaError as exc:
            outcomes.append({"status": "failed", "name": uploads.upload_name(f.filename),
                             "reason": str(exc)})
            outcomes[-1]["message"] = outcome_message(outcomes[-1])
            continue
        outcomes.append(to_json(outcome))
        outcomes[-1]["message"] = outcome_message(outcomes[-1])
        if not wants_json():
            flash_outcome(outcome)
    if wants_json():
        return jsonify(outcomes=outcomes)
    if not files:
        flash(_("Choose a file to upload."), "error")
    return redirect(url_for("inbox.index"))


@bp.route("/inbox/link", methods=["POST"])
@require("inbox")
def link() -> Any:
    doc_id = (request.form.get("doc_id") or "").strip()
    case_id = (request.form.get("case_id") or "").strip()
    try:
        if not relink.is_doc_id(doc_id):
            raise IkaError(_("No such document."))
        if not case_id:
            raise IkaError(_("Give the case to link it to."))
        message = relink_line(relink.relink(archive(), doc_id, case_id, by=by()))
    except IkaError as exc:
        flash(str(exc), "error")
    else:
        flash(message, "ok")
    return redirect(url_for("inbox.index") + "#unassigned")


@bp.route("/inbox/retry", methods=["POST"])
@require("inbox")
def retry() -> Any:
    try:
        outcome = uploads.retry_failed(
            archive(), request.form.get("id") or "",
            password=request.form.get("password") or None,
            case_id=(request.form.get("case_id") or "").strip() or None, by=by())
    except IkaError as exc:
        flash(str(exc), "error")
    else:
        flash_outcome(outcome)
    return redirect(url_for("inbox.index") + "#failed")


@bp.route("/inbox/set-aside", methods=["POST"])
@require("inbox")
def set_aside() -> Any:
    try:
        uploads.set_aside(archive(), request.form.get("id") or "",
                          reason=request.form.get("reason") or "", by=by())
    except IkaError as exc:
        flash(str(exc), "error")
    else:
        flash(_("Set aside (kept in set-aside/, with the reason)."), "ok")
    return redirect(url_for("inbox.index") + "#failed")
