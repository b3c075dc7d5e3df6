"""Who is asking, and may they: sessions (Flask-Login), API tokens, a trusted proxy's
REMOTE_USER, CSRF on every form, the security headers, and error pages without tracebacks.

Roles are decided by `pipeline.register.roles`; this module only asks it, on the server, for every
route (`require`) and every case (`require_case`).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from flask import (
    Flask,
    abort,
    current_app,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import LoginManager, UserMixin, current_user, login_user
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException

from pipeline.archive import Archive
from pipeline.errors import CaseNotFound, IkaError
from pipeline.register import roles
from pipeline.register.accounts import User

if TYPE_CHECKING:
    from pipeline.filing.document import DocumentRecord

log = logging.getLogger("ika.web")
csrf = CSRFProtect()
login_manager = LoginManager()

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'self'; frame-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
       "form-action 'self'")
# A PDF shown inside our own page may be framed by the page (and nothing else).
CSP_FRAMEABLE = CSP.replace("frame-ancestors 'none'", "frame-ancestors 'self'")
OPEN_ENDPOINTS = {"auth.login", "static", "auth.language", "api.health"}
PASSWORD_ENDPOINTS = {"auth.password", "auth.logout", "static", "auth.language"}


class WebUser(UserMixin):
    """An account as Flask-Login needs it."""

    def __init__(self, user: User) -> None:
        self.user = user
        self.name = user.name
        self.role = user.role
        self.division = user.division
        self.must_change = user.must_change

    def get_id(self) -> str:
        return f"{self.name}:{self.user.session_epoch}"  # ends with the epoch (logout)

    @property
    def is_active(self) -> bool:
        return not self.user.disabled


def archive() -> Archive:
    return current_app.extensions["ika_archive"]


def me() -> WebUser:
    return current_user  # type: ignore[return-value]


def by() -> str:
    """Who the library records as having done it: the logged-in user."""
    return me().name


def is_api() -> bool:
    return request.blueprint == "api" or request.path.startswith("/api/")


def _load_user(key: str) -> WebUser | None:
    """The user of a session, "NAME:EPOCH": none once the account's epoch moved on."""
    name, _, epoch = key.rpartition(":")
    user = _account(name)
    if user is None or str(user.user.session_epoch) != epoch:
        return None  # a session ended by a logout or a new password
    return user


def _account(name: str) -> WebUser | None:
    from pipeline.register.accounts import AccountError, get_user

    try:
        user = get_user(archive(), name)
    except AccountError:
        return None
    return None if user.disabled else WebUser(user)


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


def _request_loader(req: Any) -> WebUser | None:
    """An API token (Authorization: Bearer ...), or a trusted proxy's REMOTE_USER."""
    from pipeline.register.accounts import user_for_token

    token = _bearer()
    if token is not None:
        user = user_for_token(archive(), token)
        if user is None:
            return None
        g.token_auth = True
        return WebUser(user)
    if current_app.config.get("TRUST_REMOTE_USER"):
        header = current_app.config.get("REMOTE_USER_HEADER")
        name = (req.headers.get(header) if header else None) or req.environ.get("REMOTE_USER")
        if name:
            user = _account(name.strip())
            if user is not None:
                login_user(user)
                session.permanent = True
                return user
    return None


def require(action: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The route needs a role that may do `action` at all (roles.allowed); 403 otherwise."""

    def wrap(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def inner(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not roles.allowed(me(), action):
                abort(403)
            return view(*args, **kwargs)

        inner.ika_action = action  # type: ignore[attr-defined]
        return inner

    return wrap


def require_case(action: str, case_id: str) -> dict[str, Any]:
    """The case in its JSON shape (what the pages and /api show), if the user may do
    `action` on it (its Division); 404 / 403 otherwise."""
    from pipeline.register.cases import get_case
    from pipeline.serialize import to_json

    try:
        case = get_case(archive(), case_id)
    except CaseNotFound:
        abort(404)
    if not roles.can(me(), action, case.division):
        abort(403)
    return to_json(case)


def require_document(doc_id: str) -> DocumentRecord:
    """A filed document the user may read: by DOC-id only; 404 / 403 otherwise."""
    from pipeline.filing.relink import is_doc_id
    from pipeline.filing.store import iter_documents
    from pipeline.register.cases import get_case

    if not is_doc_id(doc_id):
        abort(404)
    rows = iter_documents(archive(), [doc_id.strip().upper()])
    if not rows:
        abort(404)
    doc = rows[0]
    division = get_case(archive(), doc.case).division if doc.case else None
    if not roles.can(me(), "doc.read", division):
        abort(403)
    return doc


def _csrf_check() -> None:
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    if g.get("token_auth"):
        return  # a script with a token: no browser session to forge requests with
    csrf.protect()


def _must_change() -> Any:
    if not current_user.is_authenticated or not getattr(current_user, "must_change", False):
        return None
    if request.endpoint in PASSWORD_ENDPOINTS:
        return None
    if is_api():
        return jsonify(error="password change required"), 403
    return redirect(url_for("auth.password"))


def _login_required() -> Any:
    if request.endpoint in OPEN_ENDPOINTS or request.endpoint is None:
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None


def _headers(response: Any) -> Any:
    h = response.headers
    h.setdefault("Content-Security-Policy", CSP)
    h.setdefault("X-Frame-Options", "DENY")
    h["X-Content-Type-Options"] = "nosniff"
    h["Referrer-Policy"] = "same-origin"
    h.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.endpoint != "static":
        h.setdefault("Cache-Control", "no-store")
    return response


def _unauthorized() -> Any:
    if is_api():
        return jsonify(error="log in or send Authorization: Bearer TOKEN"), 401
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def _error(status: int, message: str | None = None) -> Any:
    if is_api():
        return jsonify(error=message or _default_message(status)), status
    return render_template("error.html", status=status, message=message), status


def _default_message(status: int) -> str:
    return {400: "bad request", 401: "not logged in", 403: "forbidden", 404: "not found",
            405: "method not allowed", 413: "too large"}.get(status, "error")


def init(app: Flask) -> None:
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.user_loader(_load_user)
    login_manager.request_loader(_request_loader)
    login_manager.unauthorized_handler(_unauthorized)
    login_manager.session_protection = "basic"

    @app.before_request
    def _gate() -> Any:
        g.token_auth = False
        # Touch the user first: a Bearer token or REMOTE_USER logs in here.
        _ = current_user.is_authenticated
        for check in (_login_required, _must_change):
            out = check()
            if out is not None:
                return out
        _csrf_check()
        return None

    app.after_request(_headers)

    @app.errorhandler(CSRFError)
    def _csrf_error(exc: CSRFError) -> Any:
        log.warning("CSRF refused: %s %s (%s)", request.method, request.path, exc.description)
        return _error(400, "CSRF: " + str(exc.description))

    @app.errorhandler(CaseNotFound)
    def _no_case(exc: CaseNotFound) -> Any:
        return _error(404, str(exc))

    @app.errorhandler(IkaError)
    def _ika_error(exc: IkaError) -> Any:
        return _error(400, str(exc))

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Any:
        return _error(exc.code or 500, exc.description if exc.code not in (403, 404) else None)

    @app.errorhandler(Exception)
    def _crash(exc: Exception) -> Any:
        log.exception("error on %s %s", request.method, request.path)
        return _error(500, None)
