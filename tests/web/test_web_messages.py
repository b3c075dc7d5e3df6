"""Malay first, everywhere: the library's messages (English, the CLI's) reach a web user in
Malay, and in English after the switch; the catalogue has every message translated; no page
in Malay shows a known English UI string."""

from __future__ import annotations

import html as htmllib
import io
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from flask import Flask

from .conftest import TODAY, USERS, Client, case_ids, minimal_pdf, read
from .test_web_upload import ENCRYPTED

WEB = Path(__file__).resolve().parents[2] / "pipeline" / "web"
PO = WEB / "translations" / "ms" / "LC_MESSAGES" / "messages.po"
# Words of English sentences that Malay never uses; data in these tests is Malay.
ENGLISH = re.compile(
    r"\b(the|is|was|has|have|not|cannot|with|give|unknown|already|needs|missing|use|of|"
    r"to|before|future|nothing|must|no|set|open|done|step|file|filed|retry|password|"
    r"wrong|empty|damaged|encrypted|duplicate|why|say|case|document|name|or|and)\b")


def catalogue():
    with PO.open("rb") as f:
        return read_po(f)


def flashes(html: str, category: str = "error") -> list[str]:
    return [htmllib.unescape(re.sub(r"<[^>]+>", "", m)) for m in
            re.findall(rf'<p class="flash {category}"[^>]*>(.*?)</p>', html, re.S)]


def english_words(text: str) -> list[str]:
    """English words left in a Malay text, ids, codes and quoted values aside."""
    text = re.sub(r"'[^']*'|\"[^\"]*\"|\b[A-Z]{2,}[-\w]*|\S+\.(pdf|docx|txt)\b", " ", text)
    return ENGLISH.findall(text)


# ---------------------------------------------------------------- the catalogue


def test_every_catalogue_entry_is_translated() -> None:
    """An entry without its Malay (or fuzzy, or with a value the English lacks) fails."""
    placeholder = re.compile(r"%\((\w+)\)[sd]")
    bad = []
    for m in catalogue():
        if not m.id:
            continue
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        if m.fuzzy or not all(s.strip() for s in strings):
            bad.append(("untranslated", ids[0]))
            continue
        if not set(placeholder.findall(" ".join(strings))) <= set(placeholder.findall(ids[0])):
            bad.append(("values differ", ids[0]))
    assert bad == []


def test_every_message_of_the_web_is_in_the_catalogue() -> None:
    """What pybabel extracts from pipeline/web (N_ marks the library's messages too)."""
    method_map = [("**.py", "python"), ("templates/**.html", "jinja2")]
    options = {"templates/**.html": {"extensions": "jinja2.ext.do"}}
    ids = {msg[2] if isinstance(msg[2], str) else msg[2][0]
           for msg in extract_from_dir(str(WEB), method_map, options_map=options,
                                       keywords={"_": None, "gettext": None, "N_": None,
                                                 "ngettext": (1, 2)})}
    translated = {m.id if isinstance(m.id, str) else m.id[0] for m in catalogue()
                  if m.id and m.string and not m.fuzzy}
    assert sorted(ids - translated) == []


# ---------------------------------------------------------------- the library's messages


@pytest.mark.parametrize(("english", "malay"), [
    ("IKA-2026-0001: step 3 is already done; the current step is 2",
     "IKA-2026-0001: langkah 3 telah selesai; langkah semasa ialah langkah 2"),
    ("completion date 2026-12-01 is in the future",
     "Tarikh selesai 1 Disember 2026 belum tiba"),
    ("unknown country 'Narnia'; did you mean: Nauru?",
     "Negara 'Narnia' tidak dikenali; adakah maksud anda: Nauru?"),
    ("IKA-2026-0001 is closed: only an open case can be withdrawn",
     "IKA-2026-0001 selesai: hanya kes yang masih terbuka boleh ditarik balik"),
    ("encrypted: needs a password (retry with ika file --password)",
     "Disulitkan: memerlukan kata laluan (cuba semula dengan kata laluannya)"),
    ("damaged: not a readable PDF", "Rosak: bukan PDF yang boleh dibaca"),
    ("linked  DOC-2026-000001 -> IKA-2026-0001; step 5 and 6 done",
     "DOC-2026-000001 dipautkan kepada IKA-2026-0001; langkah 5 dan 6 selesai"),
    ("Something the catalogue does not know", "Something the catalogue does not know"),
])
def test_library_messages_in_malay_and_english(app: Flask, english: str, malay: str) -> None:
    from flask import session

    from pipeline.web.messages import say

    with app.test_request_context("/"):
        assert say(english) == malay
    with app.test_request_context("/"):
        session["lang"] = "en"
        assert say(english) == english


def _errors_after(c: Client, response) -> list[str]:
    if response.status_code == 302:
        response = c.get(response.headers["Location"])
    return flashes(response.text)


def test_every_web_action_refusal_is_in_malay(app: Flask, login, web_archive: Path) -> None:
    """Each action's refusal by the library, as a Malay user reads it: no English sentence;
    after the switch, the library's English."""
    own, _ = case_ids(web_archive)
    c = login("ab")
    yes = {"confirm": "yes"}
    attempts = {
        "new: no title": ("/cases/new", {**yes, "title": "", "type": "MOU",
                                         "country": "Indonesia", "division": "BKKA"}),
        "new: unknown country": ("/cases/new", {**yes, "title": "X", "type": "MOU",
                                                "country": "Narnia", "division": "BKKA"}),
        "new: Malaysia": ("/cases/new", {**yes, "title": "X", "type": "MOU",
                                         "country": "Malaysia", "division": "BKKA"}),
        "new: unknown type": ("/cases/new", {**yes, "title": "X", "type": "Surat cinta",
                                             "country": "Indonesia", "division": "BKKA"}),
        "new: future": ("/cases/new", {**yes, "title": "X", "type": "MOU",
                                       "country": "Indonesia", "division": "BKKA",
                                       "received": "2027-01-05"}),
        "done: wrong step": (f"/cases/{own}/done", {**yes, "step": "3"}),
        "done: future": (f"/cases/{own}/done", {**yes, "step": "1", "date": "2026-12-30"}),
        "done: no such step": (f"/cases/{own}/done", {**yes, "step": "12"}),
        "decide: too early": (f"/cases/{own}/decide", {**yes, "decision": "YA"}),
        "schedule: no approval": (f"/cases/{own}/schedule", {**yes, "start": TODAY}),
        "edit: nothing changed": (f"/cases/{own}/edit", {
            **yes, "title": "Kerjasama Pencegahan Jenayah", "was_title": "Lain"}),
        "edit: unknown type": (f"/cases/{own}/edit", {**yes, "type": "Surat cinta",
                                                      "was_type": "MOU"}),
        "undo: no reason": (f"/cases/{own}/undo", {**yes, "reason": ""}),
        "undo: nothing": (f"/cases/{own}/undo", {**yes, "reason": "tersilap"}),
        "withdraw: no reason": (f"/cases/{own}/withdraw", {**yes, "reason": ""}),
        "document: missing fields": (f"/cases/{own}/documents/minit-cerai", {"f_tujuan": "x"}),
        "document: one addressee": (f"/cases/{own}/documents/minit-cerai",
                                    {"f_tujuan": "x", "to": ["AB", "KLN"]}),
    }
    seen: dict[str, list[str]] = {}
    for what, (url, data) in attempts.items():
        seen[what] = _errors_after(c, c.post(url, data))
    leaks = {k: (v, english_words(" ".join(v))) for k, v in seen.items()
             if not v or english_words(" ".join(v))}
    print(*(f"{k}: {v}" for k, v in seen.items()), sep="\n")
    assert leaks == {}
    c.post("/language", {"lang": "en", "next": "/"})
    english = _errors_after(c, c.post(f"/cases/{own}/undo", {**yes, "reason": "tersilap"}))
    assert english == [f"{own}: nothing to undo (no step has been completed)"]


def test_upload_outcomes_and_inbox_refusals_in_malay(app: Flask, login,
                                                     web_archive: Path) -> None:
    c = login("clerk")
    pdf = minimal_pdf(["Memorandum Persefahaman antara Malaysia dan Indonesia"])
    files = [(pdf, "mou.pdf"), (pdf, "mou-lagi.pdf"), (ENCRYPTED.read_bytes(), "rahsia.pdf"),
             (b"%PDF-1.4 not really", "rosak.pdf"), (b"", "kosong.pdf"),
             (b"MZ\x90\x00", "program.exe")]
    messages = []
    for content, name in files:
        r = read(c.c.post("/inbox/upload", data={"csrf_token": c.token,
                                                  "files": [(io.BytesIO(content), name)]},
                          headers={"Accept": "application/json", "X-Requested-With": "fetch"},
                          content_type="multipart/form-data"))
        messages.append(r.json["outcomes"][0]["message"])
        r = read(c.c.post("/inbox/upload", data={"csrf_token": c.token,
                                                  "files": [(io.BytesIO(content), name)]},
                          content_type="multipart/form-data"))
        page = c.get("/inbox").text
        messages += flashes(page, "error") + flashes(page, "ok")
    page = c.get("/inbox").text
    reasons = re.findall(r"<td>([^<]*)</td>", page)
    entry = c.get("/api/failed").json[0]["id"]
    refusals = _errors_after(c, c.post("/inbox/retry", {"id": entry, "password": "salah"}))
    refusals += _errors_after(c, c.post("/inbox/set-aside", {"id": entry, "reason": " "}))
    refusals += _errors_after(c, c.post("/inbox/retry", {"id": "tiada"}))
    refusals += _errors_after(c, c.post("/inbox/link", {"doc_id": "DOC-2026-999999",
                                                         "case_id": "IKA-2026-0001"}))
    print(*messages, *reasons, *refusals, sep="\n")
    leaks = [(m, english_words(m)) for m in messages + reasons + refusals if english_words(m)]
    assert leaks == []


# ---------------------------------------------------------------- every page, in Malay


def _text_nodes(html: str) -> list[str]:
    """What a reader sees: text between tags, and the placeholder/title/aria-label/value of
    buttons and inputs; scripts, styles, the language switch's own "English", the user names
    and the suggestions of a field (countries and types by both their names) aside."""
    html = re.sub(r"<(script|style|datalist)\b.*?</\1>", " ", html, flags=re.S)
    shown = [htmllib.unescape(t).strip() for t in re.findall(r">([^<]+)<", html)]
    shown += [htmllib.unescape(t) for t in
              re.findall(r'(?:placeholder|title|aria-label|data-reload|data-network-error)='
                         r'"([^"]+)"', html)]
    shown += [htmllib.unescape(t) for t in
              re.findall(r'<input[^>]*type="submit"[^>]*value="([^"]+)"', html)]
    return [t for t in shown if t and t != "English" and t not in USERS]


def _busy_archive(login, web_archive: Path) -> dict[str, str]:
    """The officer's case through the agreed dates with a Minit Cerai made; a clerk's upload
    unassigned, another failed: every part of every page has something to show."""
    own, _ = case_ids(web_archive)
    c = login("ab")
    for action, form in [("done", {"step": "1", "date": "2026-11-03"}),
                         ("done", {"step": "2", "date": "2026-11-10"}),
                         ("done", {"step": "3", "date": "2026-11-12"}),
                         ("decide", {"decision": "YA", "date": "2026-11-16"}),
                         ("done", {"step": "4", "date": "2026-11-18"})]:
        assert c.post(f"/cases/{own}/{action}", {**form, "confirm": "yes"}).status_code == 302
    c.post(f"/cases/{own}/documents/minit-cerai", {
        "f_tujuan": "Memohon kelulusan.", "f_latar_belakang": "Perenggan.",
        "f_ulasan": "PDRM|2026-11-10|Menyokong", "f_syor": "Disyorkan."})
    clerk = login("clerk")
    pdf = minimal_pdf(["Memorandum Persefahaman antara Malaysia dan Indonesia",
                       "mengenai kerjasama pencegahan jenayah"])
    for content, name in [(pdf, "mou.pdf"), (b"%PDF-1.4 rosak", "rosak.pdf")]:
        read(clerk.c.post("/inbox/upload", data={"csrf_token": clerk.token,
                                                 "files": [(io.BytesIO(content), name)]},
                          content_type="multipart/form-data"))
    doc = c.get("/api/unassigned").json[0]["doc_id"]
    return {"case": own, "doc": doc}


def test_every_page_in_malay_shows_no_english_ui_text(app: Flask, login,
                                                      web_archive: Path) -> None:
    made = _busy_archive(login, web_archive)
    own, doc = made["case"], made["doc"]
    english = {m.id for m in catalogue() if isinstance(m.id, str) and m.id and m.string
               and m.string != m.id and "%(" not in m.id and len(m.id) > 3}
    pages = {"admin": ["/", "/cases", "/cases?status=open&overdue=1", "/cases/new",
                       f"/cases/{own}", f"/cases/{own}/documents/minit-cerai",
                       f"/cases/{own}/documents/makluman-bahagian", f"/doc/{doc}", "/search",
                       "/search?q=kerjasama&country=ID", "/search?from=kelmarin",
                       "/inbox", "/admin", "/password", "/tiada-halaman"],
             "reader": ["/", "/admin", "/search?q=memorandum"]}
    leaks: dict[str, list[str]] = {}
    for user, urls in pages.items():
        c = login(user)
        for url in urls:
            page = c.get(url)
            assert page.status_code in (200, 403, 404), (url, page.status_code)
            texts = _text_nodes(page.text)
            found = [t for t in texts if t in english or english_words(t)]
            if found:
                leaks[f"{user} {url}"] = found
    anon = app.test_client()
    for url in ("/login",):
        found = [t for t in _text_nodes(read(anon.get(url)).text)
                 if t in english or english_words(t)]
        if found:
            leaks[url] = found
    for k, v in leaks.items():
        print(k, v)
    assert leaks == {}
