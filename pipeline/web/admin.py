"""Admin: the accounts and their roles, and the directory of Divisions and addressees as
the letters use it (read from ika.toml)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from pipeline.register import accounts

from .security import archive, by, require

bp = Blueprint("admin", __name__)


def user_dict(u: accounts.User) -> dict[str, Any]:
    """An account as `ika user list --json` shows it (never its password)."""
    return {"name": u.name, "role": u.role, "division": u.division,
            "must_change": u.must_change, "disabled": u.disabled,
            "failed_logins": u.failed_logins,
            "last_login": u.last_login.isoformat(sep=" ") if u.last_login else None,
            "last_failed": u.last_failed.isoformat(sep=" ") if u.last_failed else None}


def directory_data() -> dict[str, Any]:
    s = archive().settings
    return {"organisation": s.organisation, "directory": s.directory,
            "signatories": s.signatories}


@bp.route("/admin")
@require("admin")
def index() -> Any:
    users = [user_dict(u) for u in accounts.list_users(archive())]
    return render_template("admin.html", users=users, roles=accounts.ROLES,
                           **directory_data())


def _back() -> Any:
    return redirect(url_for("admin.index"))


def _run(action: Any) -> Any:
    try:
        message = action()
    except accounts.AccountError as exc:
        flash(str(exc), "error")
    else:
        flash(message, "ok")
    return _back()


@bp.route("/admin/users", methods=["POST"])
@require("admin")
def add_user() -> Any:
    f = request.form

    def do() -> str:
        user, otp = accounts.add_user(archive(), f.get("name") or "", f.get("role") or "",
                                      division=f.get("division") or None, by=by())
        return _("User %(name)s added; one-time password: %(otp)s (shown once).",
                 name=user.name, otp=otp)

    return _run(do)


@bp.route("/admin/users/<name>/role", methods=["POST"])
@require("admin")
def set_role(name: str) -> Any:
    def do() -> str:
        accounts.set_role(archive(), name, request.form.get("role") or "",
                          request.form.get("division") or None, by=by())
        return _("Role of %(name)s changed.", name=name)

    return _run(do)


@bp.route("/admin/users/<name>/reset", methods=["POST"])
@require("admin")
def reset(name: str) -> Any:
    def do() -> str:
        otp = accounts.set_password(archive(), name, None, by=by())
        return _("New one-time password for %(name)s: %(otp)s (shown once).", name=name,
                 otp=otp)

    return _run(do)


@bp.route("/admin/users/<name>/disable", methods=["POST"])
@require("admin")
def disable(name: str) -> Any:
    def do() -> str:
        if name == by():
            raise accounts.AccountError(_("You cannot disable your own account."))
        accounts.set_disabled(archive(), name, True, by=by())
        return _("%(name)s disabled.", name=name)

    return _run(do)


@bp.route("/admin/users/<name>/enable", methods=["POST"])
@require("admin")
def enable(name: str) -> Any:
    def do() -> str:
        accounts.set_disabled(archive(), name, False, by=by())
        return _("%(name)s enabled.", name=name)

    return _run(do)


@bp.route("/admin/users/<name>/token", methods=["POST"])
@require("admin")
def token(name: str) -> Any:
    def do() -> str:
        value = accounts.new_token(archive(), name, note=request.form.get("note") or None)
        return _("API token for %(name)s (shown once): %(token)s", name=name, token=value)

    return _run(do)
