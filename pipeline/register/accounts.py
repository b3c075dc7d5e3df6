"""Accounts of the web interface: who may log in, with which role, for which Division.

Passwords are stored as scrypt hashes (the standard library's, salted, with the parameters
in the stored string so they can be raised later). A new account or a reset gets a one-time
password that must be changed at the first login. Failed logins are counted: the web face
slows them down and logs them.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select, update

from pipeline.archive import Archive
from pipeline.clock import now
from pipeline.errors import IkaError
from pipeline.register.store import api_tokens, log_event, users

ROLES = ("admin", "ab", "division", "clerk", "reader")
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}
MIN_PASSWORD = 10


class AccountError(IkaError):
    pass


@dataclass(frozen=True)
class User:
    name: str
    role: str
    division: str | None
    must_change: bool
    disabled: bool
    failed_logins: int = 0
    last_failed: datetime | None = None
    last_login: datetime | None = None
    session_epoch: int = 0  # sessions of an earlier epoch are ended


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, dklen=32, **_SCRYPT)
    p = _SCRYPT
    return f"scrypt${p['n']}${p['r']}${p['p']}${salt.hex()}${digest.hex()}"


def check_password(password: str, stored: str | None) -> bool:
    if not stored:
        return False
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        got = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), dklen=32,
                             n=int(n), r=int(r), p=int(p))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got.hex(), digest)


def one_time_password() -> str:
    return secrets.token_urlsafe(12)


def _row_user(row) -> User:
    return User(row.name, row.role, row.division, bool(row.must_change), bool(row.disabled),
                row.failed_logins or 0, row.last_failed, row.last_login,
                row.session_epoch or 0)


def _valid_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > 64 or any(c.isspace() or not c.isprintable() for c in name):
        raise AccountError("a user name is 1 to 64 printable characters without spaces")
    return name


def _division(arc: Archive, division: str | None) -> str | None:
    """A Division given by its key or name, as cases store it (the directory's full name):
    access control compares the two. An archive whose directory lists Divisions refuses one it
    does not know."""
    if division is None or not division.strip():
        return division
    found = arc.settings.division_for(division)
    if found is not None and found.name:
        return found.name
    if arc.settings.raw.get("divisions"):
        raise AccountError(f"unknown Division {division!r}: use a key or name of [divisions] "
                           "in ika.toml")
    return " ".join(division.split())


def _check_role(role: str, division: str | None) -> str | None:
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
    if role == "division":
        if not division or not division.strip():
            raise AccountError("a division officer needs --division")
        return division.strip()
    return division.strip() if division and division.strip() else None


def add_user(arc: Archive, name: str, role: str, *, division: str | None = None,
             password: str | None = None, by: str | None = None) -> tuple[User, str | None]:
    """Create an account. Without `password` a one-time password is made and returned
    (shown once, stored hashed, to be changed at the first login)."""
    name = _valid_name(name)
    division = _check_role(role, _division(arc, division))
    otp = None
    if password is None:
        otp = password = one_time_password()
    elif len(password) < MIN_PASSWORD:
        raise AccountError(f"a password has at least {MIN_PASSWORD} characters")
    with arc.register.write() as conn:
        if conn.execute(select(users.c.name).where(users.c.name == name)).first():
            raise AccountError(f"user {name!r} exists; `ika user passwd {name}` resets it")
        conn.execute(insert(users).values(
            name=name, role=role, division=division, password_hash=hash_password(password),
            must_change=otp is not None, disabled=False, failed_logins=0, created_at=now(),
        ))
        shown = f"{name} ({role}" + (f", {division})" if division else ")")
        log_event(conn, "user.add", by=by, note=shown)
    return get_user(arc, name), otp


def get_user(arc: Archive, name: str) -> User:
    with arc.register.read() as conn:
        row = conn.execute(select(users).where(users.c.name == name.strip())).first()
    if row is None:
        raise AccountError(f"no user {name!r}")
    return _row_user(row)


def list_users(arc: Archive) -> list[User]:
    with arc.register.read() as conn:
        return [_row_user(r) for r in conn.execute(select(users).order_by(users.c.name))]


def has_users(arc: Archive) -> bool:
    with arc.register.read() as conn:
        return conn.execute(select(users.c.name).limit(1)).first() is not None


def set_password(arc: Archive, name: str, password: str | None = None, *,
                 by: str | None = None) -> str | None:
    """Set a password, or (without one) reset to a one-time password, which is returned."""
    otp = None
    if password is None:
        otp = password = one_time_password()
    elif len(password) < MIN_PASSWORD:
        raise AccountError(f"a password has at least {MIN_PASSWORD} characters")
    with arc.register.write() as conn:
        done = conn.execute(
            update(users).where(users.c.name == name.strip()).values(
                password_hash=hash_password(password), must_change=otp is not None,
                failed_logins=0, session_epoch=users.c.session_epoch + 1,
            )
        )
        if done.rowcount == 0:
            raise AccountError(f"no user {name!r}")
        log_event(conn, "user.passwd", by=by, note=name.strip() + (" (reset)" if otp else ""))
    return otp


def end_sessions(arc: Archive, name: str) -> None:
    """End every session of the user (logout): the session epoch moves on."""
    with arc.register.write() as conn:
        conn.execute(update(users).where(users.c.name == name.strip())
                     .values(session_epoch=users.c.session_epoch + 1))


def set_disabled(arc: Archive, name: str, disabled: bool = True, *, by: str | None = None) -> None:
    with arc.register.write() as conn:
        done = conn.execute(
            update(users).where(users.c.name == name.strip()).values(disabled=disabled)
        )
        if done.rowcount == 0:
            raise AccountError(f"no user {name!r}")
        log_event(conn, "user.disable" if disabled else "user.enable", by=by, note=name.strip())


def set_role(arc: Archive, name: str, role: str, division: str | None = None, *,
             by: str | None = None) -> None:
    division = _check_role(role, _division(arc, division))
    with arc.register.write() as conn:
        done = conn.execute(
            update(users).where(users.c.name == name.strip()).values(role=role, division=division)
        )
        if done.rowcount == 0:
            raise AccountError(f"no user {name!r}")
        log_event(conn, "user.role", by=by, note=f"{name.strip()}: {role}")


def authenticate(arc: Archive, name: str, password: str) -> User | None:
    """The user if the password is right and the account enabled; failures are counted
    (the caller slows the next attempt and logs it)."""
    with arc.register.write() as conn:
        row = conn.execute(select(users).where(users.c.name == name.strip())).first()
        if row is None:
            check_password(password, hash_password("x"))  # same time as a wrong password
            return None
        if row.disabled or not check_password(password, row.password_hash):
            conn.execute(update(users).where(users.c.name == row.name).values(
                failed_logins=(row.failed_logins or 0) + 1, last_failed=now()))
            log_event(conn, "user.login-failed", by=row.name, note=name.strip())
            return None
        conn.execute(update(users).where(users.c.name == row.name).values(
            failed_logins=0, last_login=now()))
        row = conn.execute(select(users).where(users.c.name == row.name)).first()
    return _row_user(row)


def failed_logins(arc: Archive, name: str) -> int:
    with arc.register.read() as conn:
        value = conn.execute(select(users.c.failed_logins).where(users.c.name == name.strip()))
        return value.scalar() or 0


def new_token(arc: Archive, name: str, note: str | None = None) -> str:
    """An API token for scripts; only its hash is stored."""
    get_user(arc, name)
    token = secrets.token_urlsafe(32)
    with arc.register.write() as conn:
        conn.execute(insert(api_tokens).values(
            token_hash=hashlib.sha256(token.encode()).hexdigest(), user=name.strip(),
            created_at=now(), note=note))
        log_event(conn, "user.token", by=name.strip(), note=note)
    return token


def user_for_token(arc: Archive, token: str) -> User | None:
    digest = hashlib.sha256(token.encode()).hexdigest()
    with arc.register.read() as conn:
        row = conn.execute(
            select(users).join(api_tokens, api_tokens.c.user == users.c.name)
            .where(api_tokens.c.token_hash == digest)
        ).first()
    if row is None or row.disabled:
        return None
    return _row_user(row)
