"""The web face through Flask's test client: logging in, CSRF, headers, the language switch,
tokens, each page's content, and that its JSON is the CLI's."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask

from cli import main
from pipeline.archive import open_archive
from pipeline.register import accounts

from .conftest import PASSWORD, TODAY, Client, case_ids, csrf_of, read


def test_pages_need_a_login(app: Flask) -> None:
    c = app.test_client()
    for url in ("/", "/cases", "/search?q=x", "/inbox", "/admin"):
        r = read(c.get(url))
        assert r.status_code == 302 and r.headers["Location"].startswith("/login")
    assert read(c.get("/api/cases")).status_code == 401


def test_security_headers_and_cookies(app: Flask) -> None:
    c = app.test_client()
    r = read(c.get("/login"))
    h = r.headers
    assert "default-src 'self'" in h["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in h["Content-Security-Policy"]
    assert "unsafe-inline" not in h["Content-Security-Policy"]
    assert h["X-Frame-Options"] == "DENY"
    assert h["X-Content-Type-Options"] == "nosniff"
    assert h["Referrer-Policy"] == "same-origin"
    assert "<script>" not in r.text and " style=" not in r.text  # nothing inline
    cookie = h["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert app.config["PERMANENT_SESSION_LIFETIME"].total_seconds() == 3600


def test_csrf_refused_without_a_token(app: Flask, login, web_archive: Path) -> None:
    own, _ = case_ids(web_archive)
    c = login("admin")
    r = read(c.c.post(f"/cases/{own}/done", data={"step": "1", "confirm": "yes"}))
    assert r.status_code == 400 and "CSRF" in r.text
    r = read(c.c.post(f"/cases/{own}/done", data={"step": "1", "confirm": "yes",
                                                   "csrf_token": "forged"}))
    assert r.status_code == 400
    r = read(c.c.post("/api/cases", json={"title": "x"}))  # session auth: CSRF applies
    assert r.status_code == 400 and "CSRF" in r.json["error"]
    anon = app.test_client()
    assert read(anon.post("/login", data={"name": "admin", "password": PASSWORD})
                ).status_code == 400
    from pipeline.register.cases import get_case

    assert get_case(open_archive(web_archive), own).current_step == 1  # nothing done


def test_failed_logins_are_counted_slowed_and_logged(app: Flask, web_archive: Path,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    """Slowed without a sleep: 3 failures are free, the 4th locks the name (then 429, with
    Retry-After, the password unchecked); every failure and refusal is logged (tests/web/
    test_web_login_throttle.py has the rest)."""
    app.config["LOGIN_DELAY_STEP"] = 60.0
    c = app.test_client()
    token = csrf_of(read(c.get("/login")).text)
    statuses = []
    with caplog.at_level(logging.WARNING, logger="ika.web"):
        for _ in range(5):
            r = read(c.post("/login", data={"name": "clerk", "password": "wrong-one!",
                                             "csrf_token": token}))
            statuses.append(r.status_code)
    assert statuses == [401, 401, 401, 401, 429]  # the 4th failure locks the name
    assert r.headers["Retry-After"] == "60"
    assert sum("failed login" in m for m in caplog.messages) == 4
    assert sum("login refused" in m for m in caplog.messages) == 1
    assert accounts.failed_logins(open_archive(web_archive), "clerk") == 4
    throttle = app.extensions["ika_login_throttle"]
    later = throttle.clock() + 61
    throttle.clock = lambda: later  # the lock has run out
    r = read(c.post("/login", data={"name": "clerk", "password": PASSWORD,
                                     "csrf_token": token}))
    assert r.status_code == 302
    assert accounts.failed_logins(open_archive(web_archive), "clerk") == 0


def test_one_time_password_forces_the_password_page(app: Flask, web_archive: Path) -> None:
    _, otp = accounts.add_user(open_archive(web_archive), "baru", "reader")
    client = Client(app.test_client(), "baru").login(otp or "")
    r = client.get("/")
    assert r.status_code == 302 and r.headers["Location"].endswith("/password")
    assert client.get("/api/cases").status_code == 403
    r = client.post("/password", {"current": otp, "new": "baharu-sekali-1",
                                  "again": "baharu-sekali-1"})
    assert r.status_code == 302
    assert client.get("/").status_code == 200
    assert not accounts.get_user(open_archive(web_archive), "baru").must_change


def test_disabled_account_loses_its_session(login, web_archive: Path) -> None:
    c = login("reader")
    assert c.get("/").status_code == 200
    accounts.set_disabled(open_archive(web_archive), "reader")
    assert c.get("/").status_code == 302


def test_malay_first_and_the_english_switch(login, web_archive: Path) -> None:
    own, _ = case_ids(web_archive)
    c = login("ab")
    page = c.get(f"/cases/{own}").text
    assert "Garis masa berbanding SOP" in page and "Negara rakan" in page
    assert "2 November 2026" in page and "5 November 2026" in page  # received; step 1 due
    assert c.post("/language", {"lang": "en", "next": f"/cases/{own}"}).status_code == 302
    page = c.get(f"/cases/{own}").text
    assert "Timeline against the SOP" in page and "Counterparts" in page
    assert "Memorandum of Understanding" in page
    c.post("/language", {"lang": "ms", "next": "//evil.example/"})
    assert "Memorandum Persefahaman" in c.get(f"/cases/{own}").text


def test_open_redirects_are_refused(app: Flask) -> None:
    c = app.test_client()
    token = csrf_of(read(c.get("/login")).text)
    r = read(c.post("/login", data={"name": "ab", "password": PASSWORD, "csrf_token": token,
                                     "next": "https://evil.example/"}))
    assert r.headers["Location"] == "/"


def test_api_token_needs_no_csrf_and_records_the_user(app: Flask, web_archive: Path) -> None:
    arc = open_archive(web_archive)
    token = accounts.new_token(arc, "ab", note="script")
    own, _ = case_ids(web_archive)
    c = app.test_client()
    auth = {"Authorization": f"Bearer {token}"}
    r = read(c.post(f"/api/cases/{own}/done", json={"step": 1, "date": "2026-11-03"},
                    headers=auth))
    assert r.status_code == 200, r.text
    assert r.json["steps"][0]["done"] == "2026-11-03"
    from pipeline.register.cases import history

    assert any(e.by == "ab" and e.action == "step.done" for e in history(arc, own))
    assert read(c.get("/api/cases", headers={"Authorization": "Bearer nope"})).status_code \
        == 401
    r = read(c.post("/api/cases", json={"title": "T", "type": "mou", "countries": ["SG"],
                                        "division": "Bahagian Imigresen"}, headers=auth))
    assert r.status_code == 201 and r.json["id"].startswith("IKA-2026-")
    r = read(c.post(f"/api/cases/{own}/done", json={"step": 7}, headers=auth))
    assert r.status_code == 400 and "step 7" in r.json["error"]
    r = read(c.post(f"/api/cases/{own}/documents/makluman-bahagian", json={}, headers=auth))
    assert r.status_code == 201 and r.json[0]["format"] == "docx", r.text
    assert read(c.get(f"/doc/{r.json[0]['doc_id']}/file", headers=auth)).data[:2] == b"PK"


def test_remote_user_from_a_trusted_proxy(app: Flask) -> None:
    c = app.test_client()
    r = read(c.get("/api/me", environ_base={"REMOTE_USER": "clerk"}))
    assert r.status_code == 401  # not trusted unless the setting says so
    app.config["TRUST_REMOTE_USER"] = True
    r = read(c.get("/api/me", environ_base={"REMOTE_USER": "clerk"}))
    assert r.status_code == 200 and r.json["name"] == "clerk"


def test_json_is_the_clis(login, web_archive: Path) -> None:
    own, _ = case_ids(web_archive)
    c = login("admin")

    def cli(*args: str) -> object:
        result = CliRunner().invoke(main, [*args, "--archive", str(web_archive), "--json"])
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    assert c.get("/api/cases").json == cli("case", "list")
    assert c.get("/api/due").json == cli("due")
    assert c.get(f"/api/cases/{own}").json == cli("case", "show", own)
    assert c.get("/api/search?q=kerjasama").json == cli("search", "kerjasama")
    assert c.get(f"/api/cases/{own}/documents").json == cli("doc", "list", own)
    assert c.get("/api/unassigned").json == cli("unassigned")
    assert c.get("/api/users").json[0].keys() >= {"name", "role", "division"}


def test_case_list_filters_and_paging(login, app: Flask) -> None:
    app.config["PAGE_SIZE"] = 1
    c = login("admin")
    page1 = c.get("/cases").text
    assert "Halaman 1 daripada 2" in page1
    page2 = c.get("/cases?page=2").text
    assert "Kerjasama Imigresen" in page2 and "Kerjasama Pencegahan" not in page2
    only = c.get("/cases?country=Thailand").text
    assert "Kerjasama Imigresen" in only
    assert "Kerjasama Pencegahan" not in c.get("/cases?type=Treaty").text
    bad = c.get("/cases?country=Atlantis")
    assert bad.status_code == 200 and "Atlantis" in bad.text


def test_new_case_from_the_form_accepts_malay_and_english(login, web_archive: Path) -> None:
    c = login("div")
    form = c.get("/cases/new").text
    assert '<datalist id="countries">' in form and "Korea Selatan" in form
    r = c.post("/cases/new", {"title": "Latihan bersama", "type": "Memorandum of Understanding",
                              "country": ["Korea Selatan", "Japan"], "received": "2026-11-20",
                              "division": "Bahagian Imigresen", "confirm": "yes"})
    assert r.status_code == 302
    case_id = r.headers["Location"].rsplit("/", 1)[1]
    data = c.get(f"/api/cases/{case_id}").json
    assert data["countries"] == ["KR", "JP"] and data["type"] == "mou"
    assert data["division"] == "Bahagian Keselamatan dan Ketenteraman Awam"  # their own
    r = c.post("/cases/new", {"title": "X", "type": "MOU", "country": "Narnia",
                              "confirm": "yes"})
    assert r.status_code == 400 and "Narnia" in r.text
    r = c.post("/cases/new", {"title": "X", "type": "MOU", "country": "SG"})
    assert r.status_code == 400  # not confirmed


def test_a_case_from_step_1_to_the_agreed_dates(login, web_archive: Path) -> None:
    own, _ = case_ids(web_archive)
    c = login("div")
    steps = [("done", {"step": "1", "date": "2026-11-03"}),
             ("done", {"step": "2", "date": "2026-11-10"}),
             ("done", {"step": "3", "date": "2026-11-12"}),
             ("decide", {"decision": "YA", "date": "2026-11-16"}),
             ("done", {"step": "4", "date": "2026-11-18"}),
             ("done", {"step": "5", "date": "2026-11-19"}),
             ("done", {"step": "6", "date": "2026-11-20"}),
             ("schedule", {"start": "2026-12-07", "days": "3", "venue": "Jakarta"})]
    for action, form in steps:
        r = c.post(f"/cases/{own}/{action}", {**form, "confirm": "yes"})
        assert r.status_code == 302
        page = c.get(f"/cases/{own}").text
        assert "flash error" not in page, (action, form, page[page.find("flash error"):][:300])
    data = c.get(f"/api/cases/{own}").json
    assert data["decision"] == "YA" and data["current_step"] == 7
    assert data["steps"][6]["due"] == "2026-12-09"
    assert "9 Disember 2026" in page and "Jakarta" in page
    r = c.post(f"/cases/{own}/undo", {"reason": "tarikh salah", "confirm": "yes"})
    assert r.status_code == 302
    r = c.post(f"/cases/{own}/edit", {"title": "Tajuk baharu", "was_title": "x",
                                      "countries": "ID, SG", "was_countries": "ID",
                                      "confirm": "yes"})
    assert r.status_code == 302
    data = c.get(f"/api/cases/{own}").json
    assert data["title"] == "Tajuk baharu" and data["countries"] == ["ID", "SG"]
    hist = c.get(f"/cases/{own}").text
    assert "dibatalkan" in hist and "tarikh salah" in hist  # the undo event, in Malay


def test_minit_cerai_from_the_form(login, web_archive: Path) -> None:
    own, _ = case_ids(web_archive)
    c = login("div")
    form = c.get(f"/cases/{own}/documents/minit-cerai").text
    assert 'name="f_latar_belakang"' in form and "<textarea" in form
    r = c.post(f"/cases/{own}/documents/minit-cerai", {
        "f_tujuan": "Memohon kelulusan untuk berunding.",
        "f_latar_belakang": "Perenggan pertama.\n\nPerenggan kedua.",
        "f_ulasan": "PDRM|2026-11-10|Menyokong\nAGC|2026-11-11|Tiada halangan",
        "f_syor": "Disyorkan rundingan diadakan."})
    assert r.status_code == 302, r.text
    listing = c.get(f"/api/cases/{own}/documents").json
    made = next(d for d in listing["documents"] if d["document"] == "minit-cerai")["made"]
    assert [m["format"] for m in made] == ["docx"]
    doc = c.get(f"/doc/{made[0]['doc_id']}/file")
    assert doc.status_code == 200 and doc.data[:2] == b"PK"
    assert "attachment" in doc.headers["Content-Disposition"]
    r = c.post(f"/cases/{own}/documents/minit-cerai", {"f_tujuan": "x"})
    assert r.status_code == 400 and "latar_belakang" in r.text  # the library says what lacks


def test_admin_pages(login, web_archive: Path) -> None:
    c = login("admin")
    page = c.get("/admin").text
    assert "Kementerian Luar Negeri" in page and "PUU-KDN" in page
    r = c.post("/admin/users", {"name": "pegawai", "role": "division",
                                "division": "HEI"})
    assert r.status_code == 302
    flashed = c.get("/admin").text
    assert "pegawai" in flashed and "kata laluan sekali guna" in flashed
    user = accounts.get_user(open_archive(web_archive), "pegawai")
    assert user.role == "division" and user.must_change
    c.post("/admin/users/pegawai/disable")
    assert accounts.get_user(open_archive(web_archive), "pegawai").disabled
    assert "tidak boleh" in c.post("/admin/users/admin/disable").headers.get("Location", "") \
        or not accounts.get_user(open_archive(web_archive), "admin").disabled


def test_dashboard_counts_and_chart(login, web_archive: Path) -> None:
    own, other = case_ids(web_archive)
    c = login("ab")
    c.post(f"/cases/{own}/done", {"step": "1", "date": "2026-11-03", "confirm": "yes"})
    c.post(f"/cases/{other}/done", {"step": "1", "date": "2026-11-20", "confirm": "yes"})
    page = c.get("/").text
    assert "<svg" in page and "Mengikut langkah" in page and "Mengikut Bahagian" in page
    assert "100% (1/1)" in page and "0% (0/1)" in page
    data = c.get("/api/dashboard").json
    assert data["counts"]["open"] == 2
    steps = {s["n"]: s for s in data["timeliness"]["steps"]}
    assert steps[1]["done"] == 2 and steps[1]["on_time"] == 1
    assert TODAY in data["timeliness"]["to"]


def test_no_request_path_reaches_the_file_system(login, web_archive: Path) -> None:
    c = login("admin")
    for url in ("/doc/..%2F..%2Fika.toml/file", "/doc/DOC-000001%2F..%2F..%2Fika.toml/file",
                "/doc/../ika.toml", "/doc/%2Fetc%2Fpasswd/file", "/doc/DOC-1/file",
                "/doc/DOC-999999/file", "/doc/DOC-999999/pdf", "/static/../ika.toml",
                "/static/..%2F..%2F..%2Fika.toml"):
        r = c.get(url)
        assert r.status_code in (404, 400, 308), (url, r.status_code)
        assert b"[organisation]" not in r.data and b"root:" not in r.data
    r = c.post("/inbox/retry", {"id": "../../ika.toml", "password": "x"})
    assert r.status_code == 302
    assert "Tiada dokumen gagal dengan id" in c.get("/inbox").text  # the library's, in Malay


@pytest.mark.parametrize("step", ["abc", "", "1e9", "-"])
def test_a_step_that_is_no_number_is_a_message_not_a_server_error(login, web_archive: Path,
                                                                   step: str) -> None:
    own, _ = case_ids(web_archive)
    c = login("admin")
    r = c.post(f"/cases/{own}/done", {"step": step, "confirm": "yes"})
    assert r.status_code in (200, 302, 303)
    from pipeline.register.cases import get_case

    assert get_case(open_archive(web_archive), own).current_step == 1  # nothing done


def test_a_session_cookie_stops_working_at_logout(app: Flask, login) -> None:
    c = login("admin")
    cookie = c.c.get_cookie("ika_session") or next(
        ck for ck in c.c._cookies.values() if "session" in ck.key)
    assert read(c.c.get("/api/me")).status_code == 200
    c.post("/logout")
    other = app.test_client()
    other.set_cookie(cookie.key, cookie.value)
    assert read(other.get("/api/me")).status_code == 401  # the copied cookie is dead too
