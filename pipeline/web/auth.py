"""Logging in and out, the password page (forced while a one-time password is in use), and
the language switch."""

from __future__ import annotations

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
from .throttle import LoginThrottle, retry_after

bp = Blueprint("auth", __name__)


def safe_next(target: str | None, default: str = "/") -> str:
    """Only a path of this site: never another host (an open redirect)."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


def throttle() -> LoginThrottle:
    """The app's failed-login throttle (made at first use, from the app's settings)."""
    found = current_app.extensions.get("ika_login_throttle")
    if found is None:
        c = current_app.config
        found = current_app.extensions.setdefault("ika_login_throttle", LoginThrottle(
            step=c["LOGIN_DELAY_STEP"], cap=c["LOGIN_DELAY_MAX"],
            free=c.get("LOGIN_FREE_ATTEMPTS", 3),
            free_address=c.get("LOGIN_ADDRESS_FREE_ATTEMPTS", 20)))
    return found


def _locked(seconds: float) -> str:
    return _("Too many failed attempts: try again in %(n)d seconds.",
             n=int(retry_after(seconds)))


def _refused(name: str, seconds: float) -> None:
    log.warning("login refused for %r from %s: locked for %s s more after failed attempts",
                name, request.remote_addr, retry_after(seconds))


def _failed(name: str, what: str = "failed login") -> float:
    """Count a failed attempt; log it; the seconds the name or address is now locked."""
    locked = throttle().failed(name, request.remote_addr)
    log.warning("%s for %r from %s%s", what, name, request.remote_addr,
                f" (locked for {retry_after(locked)} s)" if locked else "")
    return locked


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    if current_user.is_authenticated and request.method == "GET":
        return redirect(safe_next(request.args.get("next")))
    error = None
    wait = 0.0
    if request.method == "POST":
        name = (request.form.get("name") or "").strip()[:64]
        password = request.form.get("password") or ""
        wait = throttle().wait(name, request.remote_addr)
        if wait > 0:  # refused at once, the password unchecked: no thread held, no guess
            _refused(name, wait)
            return render_template("login.html", error=_locked(wait),
                                   next=request.values.get("next", "")), \
                429, {"Retry-After": retry_after(wait)}
        user = accounts.authenticate(archive(), name, password) if name and password else None
        if user is None:
            wait = _failed(name)
            error = _("Wrong name or password, or the account is disabled.")
            if wait > 0:
                error += " " + _locked(wait)
        else:
            throttle().succeeded(name)
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
    headers = {"Retry-After": retry_after(wait)} if wait > 0 else {}
    return render_template("login.html", error=error, next=request.values.get("next", "")), \
        (401 if error else 200), headers


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
        wait = throttle().wait(me().name, request.remote_addr)
        if wait > 0:
            _refused(me().name, wait)
            return render_template("password.html", error=_locked(wait),
                                   minimum=accounts.MIN_PASSWORD), \
                429, {"Retry-After": retry_after(wait)}
        if accounts.authenticate(archive(), me().name, old) is None:
            wait = _failed(me().name, "wrong current password")
            error = _("The current password is wrong.")
            if wait > 0:
                error += " " + _locked(wait)
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
