"""Logging in and out, the password page (forced while a one-time password is in use), and
the language switch."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from pipeline.register import accounts

from .security import WebUser, archive, log, me

bp = Blueprint("auth", __name__)


def safe_next(target: str | None, default: str = "/") -> str:
    """Only a path of this site: never another host (an open redirect)."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


def _slow_down(name: str) -> None:
    """Each failed attempt on a name makes the next answer slower, up to a cap."""
    try:
        failures = accounts.failed_logins(archive(), name)
    except Exception:
        failures = 0
    step = current_app.config["LOGIN_DELAY_STEP"]
    time.sleep(min(step * max(failures, 1), current_app.config["LOGIN_DELAY_MAX"]))


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    if current_user.is_authenticated and request.method == "GET":
        return redirect(safe_next(request.args.get("next")))
    error = None
    if request.method == "POST":
        name = (request.form.get("name") or "").strip()[:64]
        password = request.form.get("password") or ""
        user = accounts.authenticate(archive(), name, password) if name and password else None
        if user is None:
            log.warning("failed login for %r from %s", name, request.remote_addr)
            _slow_down(name)
            error = _("Wrong name or password, or the account is disabled.")
        else:
            lang = session.get("lang")
            session.clear()  # a new session at login: nothing carried over but the language
            if lang:
                session["lang"] = lang
            login_user(WebUser(user))
            session.permanent = True
            log.info("login %s from %s", user.name, request.remote_addr)
            if user.must_change:
                return redirect(url_for("auth.password"))
            return redirect(safe_next(request.form.get("next")))
    return render_template("login.html", error=error, next=request.values.get("next", "")), \
        (401 if error else 200)


@bp.route("/logout", methods=["POST"])
def logout() -> Any:
    if current_user.is_authenticated and not getattr(g, "token_auth", False):
        accounts.end_sessions(archive(), me().name)  # a copied cookie stops working too
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
def password() -> Any:
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    error = None
    if request.method == "POST":
        old = request.form.get("current") or ""
        new = request.form.get("new") or ""
        again = request.form.get("again") or ""
        if accounts.authenticate(archive(), me().name, old) is None:
            _slow_down(me().name)
            error = _("The current password is wrong.")
        elif new != again:
            error = _("The new passwords differ.")
        elif new == old:
            error = _("Choose a new password, not the one-time one.")
        else:
            try:
                accounts.set_password(archive(), me().name, new, by=me().name)
            except accounts.AccountError:
                error = _("A password has at least %(n)d characters.",
                          n=accounts.MIN_PASSWORD)
            else:
                login_user(WebUser(accounts.get_user(archive(), me().name)))
                flash(_("Password changed."), "ok")
                return redirect(url_for("dashboard.index"))
    return render_template("password.html", error=error, minimum=accounts.MIN_PASSWORD), \
        (400 if error else 200)


@bp.route("/language", methods=["POST"])
def language() -> Any:
    lang = request.form.get("lang")
    if lang in ("ms", "en"):
        session["lang"] = lang
    return redirect(safe_next(request.form.get("next")))
