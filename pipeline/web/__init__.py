"""The web face of IKA Records: Flask pages and a JSON API over the same library as `ika`.

A face, like cli.py: it reads requests, asks `pipeline.register.roles` whether the user may,
calls the library with `by=<the logged-in user>`, and renders what comes back.
No business logic here.
"""

from __future__ import annotations

import logging
import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask

WEB_SECRET = ".web-secret"
HERE = Path(__file__).resolve().parent
log = logging.getLogger("ika.web")


def _secret_key(root: Path) -> str:
    """The key that signs sessions: made once per archive, kept beside the register (0600),
    never in git. Every process serving the archive then accepts the same sessions."""
    path = root / WEB_SECRET
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(key + "\n")
    return key


def create_app(archive_path: str | Path, *, config: dict[str, Any] | None = None) -> Flask:
    """The Flask application serving the archive at `archive_path`. `config` overrides
    settings (tests); the archive's `ika.toml` [web] table gives the rest."""
    from pipeline.archive import open_archive

    from . import i18n, security

    arc = open_archive(Path(archive_path))
    web: dict[str, Any] = dict(arc.settings.raw.get("web", {}))
    app = Flask(__name__, template_folder=str(HERE / "templates"),
                static_folder=str(HERE / "static"))
    upload_mb = float(web.get("max_upload_mb", max(arc.settings.max_size_mb * 4, 100)))
    app.config.update(
        SECRET_KEY=_secret_key(arc.root),
        SESSION_COOKIE_NAME="ika_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=bool(web.get("secure_cookies", False)),
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=timedelta(minutes=float(web.get("session_minutes", 60))),
        SESSION_REFRESH_EACH_REQUEST=True,
        MAX_CONTENT_LENGTH=int(upload_mb * 1024 * 1024),
        MAX_FORM_MEMORY_SIZE=2 * 1024 * 1024,
        WTF_CSRF_CHECK_DEFAULT=False,  # checked in security.py: a Bearer token is exempt
        WTF_CSRF_TIME_LIMIT=None,  # the session's own lifetime bounds it
        TRUST_REMOTE_USER=bool(web.get("trust_remote_user", False)),
        REMOTE_USER_HEADER=str(web.get("remote_user_header", "")),
        # Failed logins lock a name (an address) for LOGIN_DELAY_STEP seconds, doubling
        # with each further failure up to LOGIN_DELAY_MAX (web/throttle.py); 0 turns it off.
        LOGIN_DELAY_STEP=float(web.get("login_delay_seconds", 2.0)),
        LOGIN_DELAY_MAX=float(web.get("login_delay_max_seconds", 300.0)),
        LOGIN_FREE_ATTEMPTS=int(web.get("login_free_attempts", 3)),
        LOGIN_ADDRESS_FREE_ATTEMPTS=int(web.get("login_address_free_attempts", 20)),
        PAGE_SIZE=int(web.get("page_size", 50)),
        BABEL_DEFAULT_LOCALE="ms",
        BABEL_DEFAULT_TIMEZONE="Asia/Kuala_Lumpur",
        BABEL_TRANSLATION_DIRECTORIES=str(HERE / "translations"),
        JSON_SORT_KEYS=False,
    )
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    if config:
        app.config.update(config)
    app.extensions["ika_archive"] = arc
    i18n.init(app)
    security.init(app)
    from . import admin, api, auth, cases, dashboard, inbox, search

    for bp in (auth.bp, dashboard.bp, cases.bp, inbox.bp, search.bp, admin.bp, api.bp):
        app.register_blueprint(bp)
    return app
