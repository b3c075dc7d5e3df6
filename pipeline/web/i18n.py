"""Malay first, English on request: Flask-Babel, dates as "27 November 2026", and the names
of countries, instrument types and levels in the language of the page."""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path
from typing import Any

from flask import Flask, g, has_request_context, request, session
from flask_babel import Babel, get_locale
from markupsafe import Markup, escape

LANGUAGES = ("ms", "en")
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December")


def compile_catalogues(folder: Path) -> None:
    """Compile every .po into its .mo when the .mo is missing or older (a clean clone)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in folder.glob("*/LC_MESSAGES/*.po"):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as f:
            catalog = read_po(f)
        tmp = mo.with_suffix(f".mo.{os.getpid()}.part")  # processes compiling at once
        with tmp.open("wb") as f:
            write_mo(f, catalog)
        tmp.replace(mo)


def select_locale() -> str:
    lang = session.get("lang")
    if lang in LANGUAGES:
        return lang
    return "ms"


def lang() -> str:
    """The page's language, looked up once per request (pages ask for it hundreds of times)."""
    if has_request_context():
        if "ika_lang" not in g:
            g.ika_lang = str(get_locale() or "ms")
        return g.ika_lang
    return str(get_locale() or "ms")


_NAMES: dict[tuple[str, str], dict[str, str]] = {}


def _names(kind: str, make: Any) -> dict[str, str]:
    """A table of translated names, made once per language."""
    key = (kind, lang())
    if key not in _NAMES:
        _NAMES[key] = make()
    return _NAMES[key]


def day(value: Any) -> str:
    """A date as people write it: 27 November 2026 (Malay or English month)."""
    if value in (None, ""):
        return "—"
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return value
    if lang() == "en":
        return f"{value.day} {MONTHS_EN[value.month - 1]} {value.year}"
    from pipeline.vocab.malay import malay_date

    return malay_date(value)


def moment(value: Any) -> str:
    """A date and time: 27 November 2026 14:05."""
    if not value:
        return "—"
    text = str(value)
    return f"{day(text[:10])} {text[11:16]}".strip()


def country(code: str) -> str:
    from pipeline.vocab.countries import country_name_en, country_name_ms, is_grouping

    try:
        if is_grouping(code):
            return code
        return country_name_en(code) if lang() == "en" else country_name_ms(code)
    except Exception:  # an unknown code in old data: show it as stored
        return code


def countries(codes: Any) -> str:
    return ", ".join(country(c) for c in (codes or [])) or "—"


def type_name(type_id: str | None) -> str:
    from pipeline.vocab.instruments import type_name_en, type_name_ms

    if not type_id:
        return "—"
    try:
        return type_name_en(type_id) if lang() == "en" else type_name_ms(type_id)
    except Exception:
        return type_id


def level_name(level: str | None) -> str:
    from pipeline.vocab.instruments import level_name_en, level_name_ms

    if not level:
        return "—"
    try:
        return level_name_en(level) if lang() == "en" else level_name_ms(level)
    except Exception:
        return level


def step_name(step: dict[str, Any]) -> str:
    from pipeline.register import sop

    s = sop.STEP_BY_N.get(int(step.get("n", 0)))
    if s is None:
        return str(step.get("name", ""))
    return s.name_en if lang() == "en" else s.name


def marks(snippet: str | None) -> Markup:
    """The index marks matches «like this»: escape everything, then mark them."""
    text = str(escape(snippet or ""))
    out: list[str] = []
    rest = text
    while "«" in rest:
        before, _, after = rest.partition("«")
        inner, found, tail = after.partition("»")
        if not found:
            out.append(before + "«" + after)
            rest = ""
            break
        out.append(f"{before}<mark>{inner}</mark>")
        rest = tail
    out.append(rest)
    return Markup("".join(out))


def status_name(status: str | None) -> str:
    from flask_babel import gettext as _

    names = _names("status", lambda: {
        "done": _("done"), "open": _("open"), "overdue": _("overdue"),
        "waiting": _("waiting"), "skipped": _("skipped"), "closed": _("closed"),
        "rejected": _("not approved"), "withdrawn": _("withdrawn")})
    return names.get(status or "", status or "—")


def role_name(role: str) -> str:
    from flask_babel import gettext as _

    names = _names("role", lambda: {
        "admin": _("administrator"), "ab": _("AB officer"), "division": _("Division officer"),
        "clerk": _("filing clerk"), "reader": _("reader")})
    return names.get(role, role)


def source_name(source: str | None) -> str:
    from flask_babel import gettext as _

    names = _names("source", lambda: {
        "kln": _("KLN (Ministry of Foreign Affairs)"), "embassy": _("a foreign embassy"),
        "management": _("top management")})
    return names.get(source or "", "—")


def actor_name(actor: str | None) -> str:
    """Who acts on a step: AB, the Division (Bahagian), or top management as the SOP says."""
    from flask_babel import gettext as _

    return _("Division") if actor == "Division" else (actor or "—")


def today_text() -> str:
    from pipeline.clock import today

    return day(today())


def page_url(page: int) -> str:
    """This page's URL with another page number."""
    from urllib.parse import urlencode

    args = [(k, v) for k, v in request.args.items(multi=True) if k != "page"]
    args.append(("page", str(page)))
    return request.path + "?" + urlencode(args)


def can(action: str) -> bool:
    from flask_login import current_user

    from pipeline.register import roles

    return bool(current_user.is_authenticated) and roles.allowed(current_user, action)


def init(app: Flask) -> None:
    try:
        compile_catalogues(Path(app.config["BABEL_TRANSLATION_DIRECTORIES"]))
    except OSError as exc:  # a read-only install: `make deps` should have compiled them
        app.logger.warning("message catalogues not compiled (%s): pages fall back to English",
                           exc)
    from .messages import event_name, event_note, say

    Babel(app, locale_selector=select_locale)
    app.jinja_env.filters.update(
        day=day, moment=moment, country=country, countries=countries, type_name=type_name,
        level_name=level_name, step_name=step_name, marks=marks, actor=actor_name, say=say,
        event=event_name, event_note=event_note,
    )
    app.jinja_env.globals.update(
        lang=lang, LANGUAGES=LANGUAGES, status_name=status_name, role_name=role_name,
        source_name=source_name, today_text=today_text, page_url=page_url, can=can,
    )
    app.jinja_env.add_extension("jinja2.ext.do")

    @app.context_processor
    def _request_info() -> dict[str, Any]:
        return {"current_path": request.full_path.rstrip("?")}
