"""Every message of the pages has its Malay translation, and the catalogue compiles."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

WEB = Path(__file__).resolve().parents[2] / "pipeline" / "web"


def test_every_message_is_translated_to_malay() -> None:
    method_map = [("**.py", "python"), ("templates/**.html", "jinja2")]
    options = {"templates/**.html": {"extensions": "jinja2.ext.do"}}
    ids = {msg[2] if isinstance(msg[2], str) else msg[2][0]
           for msg in extract_from_dir(str(WEB), method_map, options_map=options,
                                       keywords={"_": None, "gettext": None})}
    with (WEB / "translations" / "ms" / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalog = read_po(f)
    translated = {m.id for m in catalog if m.id and m.string and not m.fuzzy}
    assert sorted(ids - translated) == []


def test_catalogue_compiles(tmp_path: Path) -> None:
    import shutil

    from pipeline.web.i18n import compile_catalogues

    shutil.copytree(WEB / "translations", tmp_path / "t")
    for mo in (tmp_path / "t").rglob("*.mo"):
        mo.unlink()
    compile_catalogues(tmp_path / "t")
    assert (tmp_path / "t" / "ms" / "LC_MESSAGES" / "messages.mo").stat().st_size > 1000


def test_snippet_marks_are_safe_html() -> None:
    from pipeline.web.i18n import marks

    html = str(marks('<script>alert(1)</script> «kerja»sama & «"x"» «unclosed'))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<mark>kerja</mark>sama &amp; <mark>&#34;x&#34;</mark>" in html
    assert html.endswith("«unclosed")


def test_dates_in_malay_and_english(app) -> None:
    from datetime import date

    from flask import session

    from pipeline.web.i18n import day, moment

    with app.test_request_context("/"):
        assert day("2026-11-27") == "27 November 2026"
        assert day(date(2026, 12, 9)) == "9 Disember 2026"
        assert moment("2026-08-01 14:05:09") == "1 Ogos 2026 14:05"
    with app.test_request_context("/"):
        session["lang"] = "en"
        assert day("2026-12-09") == "9 December 2026"
        assert day(None) == "—"
