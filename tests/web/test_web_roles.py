"""The role matrix: every role × every route and action → allowed, or refused with 403;
never a 500 or a traceback. Also checks that the table covers every route of the app."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from flask import Flask

from pipeline.archive import open_archive
from pipeline.filing import uploads

from .conftest import USERS, case_ids, minimal_pdf

ALL = frozenset(USERS)
ACT_OWN = frozenset({"admin", "ab", "div"})  # acts on the Division officer's own case
ACT_OTHER = frozenset({"admin", "ab"})  # ... and on another Division's
INBOX = frozenset({"admin", "ab", "clerk"})
ADMIN = frozenset({"admin"})
NOT_DIV = ALL - {"div"}


def _pdf(text: str) -> io.BytesIO:
    return io.BytesIO(minimal_pdf([text]))


@pytest.fixture
def world(web_archive: Path) -> dict[str, str]:
    """Documents in the own case, the other case and none; a failed file; a spare user."""
    from pipeline.register import accounts

    arc = open_archive(web_archive)
    own, other = case_ids(web_archive)
    ids = {"own": own, "other": other}
    for key, case in (("doc_own", own), ("doc_other", other), ("doc_none", None)):
        outcome = uploads.file_upload(arc, f"{key}.pdf", _pdf(f"Dokumen {key} bagi ujian"),
                                      case_id=case, by="setup")
        assert outcome.status == "filed", outcome
        ids[key] = outcome.doc_id or ""
    accounts.add_user(arc, "spare", "reader", password="kata-laluan-999")
    return ids


def routes(w: dict[str, str]) -> list[tuple[str, str, str, dict, frozenset[str]]]:
    """(endpoint, method, url, form, roles allowed)."""
    own, other = w["own"], w["other"]
    d_own, d_other, d_none = w["doc_own"], w["doc_other"], w["doc_none"]
    return [
        ("dashboard.index", "GET", "/", {}, ALL),
        ("cases.index", "GET", "/cases?status=open&page=1", {}, ALL),
        ("cases.new", "GET", "/cases/new", {}, ACT_OWN),
        ("cases.new", "POST", "/cases/new",
         {"title": "Ujian", "type": "MOU", "country": "Jepun", "division": "Bahagian Keselamatan"
          " dan Ketenteraman Awam", "confirm": "yes"}, ACT_OWN),
        ("cases.show", "GET", f"/cases/{own}", {}, ALL),
        ("cases.show", "GET", f"/cases/{other}", {}, NOT_DIV),
        ("cases.make_document", "GET", f"/cases/{own}/documents/minit-cerai", {}, ACT_OWN),
        ("cases.make_document", "GET", f"/cases/{other}/documents/minit-cerai", {}, ACT_OTHER),
        ("cases.make_document", "POST", f"/cases/{other}/documents/makluman-bahagian",
         {"to": ""}, ACT_OTHER),
        ("cases.done", "POST", f"/cases/{own}/done",
         {"step": "1", "date": "2026-11-03", "confirm": "yes"}, ACT_OWN),
        ("cases.done", "POST", f"/cases/{other}/done",
         {"step": "1", "date": "2026-11-04", "confirm": "yes"}, ACT_OTHER),
        ("cases.decide", "POST", f"/cases/{own}/decide",
         {"decision": "YA", "confirm": "yes"}, ACT_OWN),
        ("cases.decide", "POST", f"/cases/{other}/decide",
         {"decision": "YA", "confirm": "yes"}, ACT_OTHER),
        ("cases.schedule", "POST", f"/cases/{own}/schedule",
         {"start": "2026-12-01", "confirm": "yes"}, ACT_OWN),
        ("cases.schedule", "POST", f"/cases/{other}/schedule",
         {"start": "2026-12-01", "confirm": "yes"}, ACT_OTHER),
        ("cases.edit", "POST", f"/cases/{own}/edit",
         {"their_ref": "R/1", "was_their_ref": "", "confirm": "yes"}, ACT_OWN),
        ("cases.edit", "POST", f"/cases/{other}/edit",
         {"their_ref": "R/2", "was_their_ref": "", "confirm": "yes"}, ACT_OTHER),
        ("cases.undo", "POST", f"/cases/{own}/undo", {"reason": "ujian", "confirm": "yes"},
         ACT_OWN),
        ("cases.undo", "POST", f"/cases/{other}/undo", {"reason": "ujian", "confirm": "yes"},
         ACT_OTHER),
        ("cases.withdraw", "POST", f"/cases/{own}/withdraw",
         {"reason": "ujian", "confirm": "no"}, ACT_OWN),
        ("cases.withdraw", "POST", f"/cases/{other}/withdraw",
         {"reason": "ujian", "confirm": "no"}, ACT_OTHER),
        ("cases.upload", "POST", f"/cases/{own}/upload", {}, ACT_OWN),
        ("cases.upload", "POST", f"/cases/{other}/upload", {}, ACT_OTHER),
        ("cases.document", "GET", f"/doc/{d_own}", {}, ALL),
        ("cases.document", "GET", f"/doc/{d_other}", {}, NOT_DIV),
        ("cases.document", "GET", f"/doc/{d_none}", {}, NOT_DIV),
        ("cases.download", "GET", f"/doc/{d_own}/file", {}, ALL),
        ("cases.download", "GET", f"/doc/{d_other}/file", {}, NOT_DIV),
        ("cases.preview", "GET", f"/doc/{d_own}/pdf", {}, ALL),
        ("cases.preview", "GET", f"/doc/{d_none}/pdf", {}, NOT_DIV),
        ("inbox.index", "GET", "/inbox", {}, INBOX),
        ("inbox.upload", "POST", "/inbox/upload", {}, INBOX),
        ("inbox.link", "POST", "/inbox/link", {"doc_id": d_none, "case_id": own}, INBOX),
        ("inbox.retry", "POST", "/inbox/retry", {"id": "0" * 16}, INBOX),
        ("inbox.set_aside", "POST", "/inbox/set-aside", {"id": "0" * 16, "reason": "x"},
         INBOX),
        ("search.index", "GET", "/search?q=dokumen&country=ID", {}, ALL),
        ("admin.index", "GET", "/admin", {}, ADMIN),
        ("admin.add_user", "POST", "/admin/users", {"name": "x", "role": "nope"}, ADMIN),
        ("admin.set_role", "POST", "/admin/users/spare/role", {"role": "reader"}, ADMIN),
        ("admin.reset", "POST", "/admin/users/spare/reset", {}, ADMIN),
        ("admin.disable", "POST", "/admin/users/spare/disable", {}, ADMIN),
        ("admin.enable", "POST", "/admin/users/spare/enable", {}, ADMIN),
        ("admin.token", "POST", "/admin/users/spare/token", {}, ADMIN),
        ("api.whoami", "GET", "/api/me", {}, ALL),
        ("api.health", "GET", "/api/health", {}, ALL),
        ("api.dashboard", "GET", "/api/dashboard", {}, ALL),
        ("api.due", "GET", "/api/due?within=30", {}, ALL),
        ("api.case_list", "GET", "/api/cases?limit=5", {}, ALL),
        ("api.case_new", "POST", "/api/cases",
         {"title": "Ujian API", "type": "MOU", "countries": "Jepun",
          "division": "Bahagian Keselamatan dan Ketenteraman Awam"}, ACT_OWN),
        ("api.case_show", "GET", f"/api/cases/{own}", {}, ALL),
        ("api.case_show", "GET", f"/api/cases/{other}", {}, NOT_DIV),
        ("api.case_documents", "GET", f"/api/cases/{own}/documents", {}, ALL),
        ("api.case_documents", "GET", f"/api/cases/{other}/documents", {}, NOT_DIV),
        ("api.case_done", "POST", f"/api/cases/{own}/done", {"step": "9"}, ACT_OWN),
        ("api.case_done", "POST", f"/api/cases/{other}/done", {"step": "9"}, ACT_OTHER),
        ("api.case_decide", "POST", f"/api/cases/{own}/decide", {"decision": "?"}, ACT_OWN),
        ("api.case_decide", "POST", f"/api/cases/{other}/decide", {"decision": "?"},
         ACT_OTHER),
        ("api.case_schedule", "POST", f"/api/cases/{own}/schedule", {}, ACT_OWN),
        ("api.case_schedule", "POST", f"/api/cases/{other}/schedule", {}, ACT_OTHER),
        ("api.case_undo", "POST", f"/api/cases/{own}/undo", {"reason": ""}, ACT_OWN),
        ("api.case_undo", "POST", f"/api/cases/{other}/undo", {"reason": ""}, ACT_OTHER),
        ("api.case_withdraw", "POST", f"/api/cases/{own}/withdraw", {"reason": ""}, ACT_OWN),
        ("api.case_withdraw", "POST", f"/api/cases/{other}/withdraw", {"reason": ""},
         ACT_OTHER),
        ("api.case_make_document", "POST", f"/api/cases/{own}/documents/nope", {}, ACT_OWN),
        ("api.case_make_document", "POST", f"/api/cases/{other}/documents/nope", {},
         ACT_OTHER),
        ("api.document", "GET", f"/api/documents/{d_own}", {}, ALL),
        ("api.document", "GET", f"/api/documents/{d_other}", {}, NOT_DIV),
        ("api.search", "GET", "/api/search?q=dokumen", {}, ALL),
        ("api.unassigned", "GET", "/api/unassigned", {}, INBOX),
        ("api.failed", "GET", "/api/failed", {}, INBOX),
        ("api.upload", "POST", "/api/inbox/upload", {}, INBOX),
        ("api.link", "POST", "/api/inbox/link", {"doc_id": "DOC-999999", "case_id": own},
         INBOX),
        ("api.users", "GET", "/api/users", {}, ADMIN),
        ("api.directory", "GET", "/api/directory", {}, ADMIN),
    ]


# Routes every logged-in person uses; tested in test_web_routes.py.
OPEN = {"static", "auth.login", "auth.logout", "auth.password", "auth.language"}


def test_the_matrix_covers_every_route(app: Flask, world: dict[str, str]) -> None:
    covered = {r[0] for r in routes(world)} | OPEN
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - covered == set()


@pytest.mark.parametrize("role", sorted(USERS))
def test_role_matrix(role: str, login, world: dict[str, str]) -> None:
    client = login(role)
    seen = []
    for endpoint, method, url, form, allowed in routes(world):
        if method == "GET":
            response = client.get(url)
        else:
            data = dict(form)
            if endpoint.endswith("upload"):
                data["files"] = (_pdf(f"muat naik {role} {url}"), "surat.pdf")
            response = client.post(url, data=data, content_type="multipart/form-data")
        status = response.status_code
        assert status < 500, (role, method, url, status, response.text[:500])
        assert b"Traceback" not in response.data
        if role in allowed:
            assert status not in (401, 403), (role, method, url, status)
        else:
            assert status == 403, (role, method, url, status)
        seen.append((endpoint, status))
    assert seen


def test_refusals_are_pages_not_tracebacks(login, world: dict[str, str]) -> None:
    reader = login("reader")
    page = reader.get("/admin")
    assert page.status_code == 403
    assert "text/html" in page.content_type
    assert "Tidak dibenarkan" in page.text  # Malay first
    api = reader.get("/api/users")
    assert api.status_code == 403 and api.json == {"error": "forbidden"}


def test_division_officer_sees_only_their_division(login, web_archive: Path) -> None:
    own, other = case_ids(web_archive)
    div = login("div")
    listing = div.get("/api/cases").json
    assert [c["id"] for c in listing] == [own]
    due = div.get("/api/due").json
    assert {r["case"] for r in due} == {own}
    page = div.get("/cases").text
    assert own in page and other not in page
    dash = div.get("/").text
    assert own in dash and other not in dash


def test_division_officer_search_is_limited_to_their_cases(login, world: dict[str, str]
                                                            ) -> None:
    everyone = login("reader").get("/api/search?q=dokumen").json
    assert {h["doc_id"] for h in everyone["hits"]} >= {world["doc_own"], world["doc_other"],
                                                        world["doc_none"]}
    mine = login("div").get("/api/search?q=dokumen").json
    assert [h["doc_id"] for h in mine["hits"]] == [world["doc_own"]]
    assert mine["total"] == 1


def test_events_carry_the_logged_in_user(login, web_archive: Path) -> None:
    from pipeline.register.cases import history

    own, _ = case_ids(web_archive)
    div = login("div")
    r = div.post(f"/cases/{own}/done", {"step": "1", "date": "2026-11-03", "confirm": "yes"})
    assert r.status_code == 302
    events = history(open_archive(web_archive), own)
    assert events[-1].by == "div" or any(e.by == "div" and e.action == "step.done"
                                         for e in events)


def test_a_division_officer_given_by_key_sees_the_division_cases(web_archive: Path) -> None:
    """`ika user add --division KEY` stores the Division as cases do (its full name)."""
    from pipeline.archive import open_archive
    from pipeline.register import accounts
    from pipeline.register.cases import same_division

    arc = open_archive(web_archive)
    key, entry = next(iter(arc.settings.raw["divisions"].items()))
    user, _ = accounts.add_user(arc, "officer-by-key", "division", division=key,
                                password="a-long-password")
    assert same_division(entry["name"], user.division)
    import pytest as _pytest

    with _pytest.raises(accounts.AccountError, match="unknown Division"):
        accounts.add_user(arc, "nowhere", "division", division="Nowhere", password="x" * 12)
