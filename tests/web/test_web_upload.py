"""Uploads through the browser end as files dropped in the inbox do: the same filing, the
same outcome and reason; hostile names never become paths; failed files are retried or set
aside, never deleted."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest

from pipeline.archive import open_archive
from pipeline.filing.watcher import Watcher

from .conftest import case_ids, minimal_pdf

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
ENCRYPTED = CORPUS / "pdf" / "password-protected.pdf"
ENCRYPTED_PASSWORD = "openpassword"  # tests/test_extract.py: pypdf's own tests use it


def upload(client, url: str, files: list[tuple[bytes, str]], **headers):
    data = {"files": [(io.BytesIO(b), name) for b, name in files]}
    return client.post(url, data, content_type="multipart/form-data", headers=headers)


def outcomes(client, files: list[tuple[bytes, str]]) -> list[dict]:
    r = upload(client, "/inbox/upload", files, Accept="application/json")
    assert r.status_code == 200, r.text
    return r.json["outcomes"]


def inbox_reason(archive: Path, content: bytes, name: str) -> tuple[str, str]:
    """Drop the same bytes in the inbox of a copy of the archive and let the watcher file
    them: (status, first line of the reason)."""
    copy = archive.parent / "inbox-copy"
    shutil.copytree(archive, copy)
    arc = open_archive(copy)
    (arc.inbox / name).write_bytes(content)
    [outcome] = Watcher(arc, settle=0.05).once()
    shutil.rmtree(copy)
    return outcome.status, (outcome.reason or "")


def files_outside(root: Path, before: set[Path]) -> set[Path]:
    return {p for p in root.rglob("*")} - before


def _tree(top: Path) -> set[Path]:
    """Every path under `top`; folders too deep to name (other tests' hostile paths) skipped."""
    import os

    found: set[Path] = set()
    for folder, dirs, files in os.walk(top, onerror=lambda _e: None):
        found.update(Path(folder, n) for n in [*dirs, *files])
    return found


def test_hostile_names_are_never_paths(login, web_archive: Path, tmp_path: Path) -> None:
    c = login("clerk")
    before = _tree(tmp_path.parent) - _tree(web_archive)
    names = ["../../../../tmp/evil.pdf", "..\\..\\windows\\evil.pdf", "/etc/passwd",
             "link -> ..%2F..%2Fika.toml.pdf", "x" * 5000 + ".pdf", ".hidden.pdf",
             "nul\x00byte.pdf", "../", "con"]
    got = outcomes(c, [(minimal_pdf([f"Dokumen ujian {i}"]), n) for i, n in enumerate(names)])
    assert [o["status"] for o in got] == ["filed"] * len(names)
    arc = open_archive(web_archive)
    from pipeline.filing.store import iter_documents

    for o in got:
        [doc] = iter_documents(arc, [o["doc_id"]])
        stored = (web_archive / doc.path).resolve()
        assert stored.is_relative_to((web_archive / "files").resolve())
        assert len(stored.name) < 160 and "/" not in doc.name and "\\" not in doc.name
        assert not doc.name.startswith(".")
    after = _tree(tmp_path.parent) - _tree(web_archive)
    assert after - before <= {web_archive}  # nothing written outside the archive
    assert not (web_archive / ".uploads").exists() or not any((web_archive / ".uploads").iterdir())


@pytest.mark.parametrize("source", ["pdf/password-protected.pdf", "pdf/invalid.pdf", "empty"])
def test_a_bad_upload_ends_as_in_the_inbox(source: str, login, web_archive: Path) -> None:
    content = b"" if source == "empty" else (CORPUS / source).read_bytes()
    name = "kosong.pdf" if source == "empty" else Path(source).name
    expected = inbox_reason(web_archive, content, name)
    c = login("clerk")
    [got] = outcomes(c, [(content, name)])
    assert (got["status"], got["reason"]) == expected
    assert got["status"] == "failed"
    reason_file = web_archive / "failed" / f"{name}.reason.txt"
    assert reason_file.read_text().splitlines()[0] == expected[1]
    page = c.get("/inbox").text
    assert name in page


def test_retry_with_a_password_then_set_aside(login, web_archive: Path) -> None:
    c = login("clerk")
    [got] = outcomes(c, [(ENCRYPTED.read_bytes(), "rahsia.pdf")])
    assert got["status"] == "failed" and "password" in got["reason"].lower()
    failed = c.get("/api/failed").json
    [entry] = failed
    assert entry["encrypted"] and entry["name"] == "rahsia.pdf"
    r = c.post("/inbox/retry", {"id": entry["id"], "password": "salah"})
    assert r.status_code == 302 and c.get("/api/failed").json[0]["name"] == "rahsia.pdf"
    r = c.post("/inbox/retry", {"id": entry["id"], "password": ENCRYPTED_PASSWORD})
    assert c.get("/api/failed").json == []
    assert not (web_archive / "failed" / "rahsia.pdf").exists()
    assert any(d["name"] == "rahsia.pdf" for d in c.get("/api/unassigned").json)
    # something else that cannot be filed is set aside, with a reason, never deleted
    junk = (CORPUS / "pdf" / "invalid.pdf").read_bytes()
    [bad] = outcomes(c, [(junk, "rosak.pdf")])
    assert bad["status"] == "failed"
    [entry] = c.get("/api/failed").json
    r = c.post("/inbox/set-aside", {"id": entry["id"], "reason": ""})
    assert c.get("/api/failed").json != []  # a reason is required
    c.post("/inbox/set-aside", {"id": entry["id"], "reason": "salinan rosak, minta semula"})
    assert c.get("/api/failed").json == []
    kept = list((web_archive / "set-aside").rglob("rosak.pdf"))
    assert len(kept) == 1 and kept[0].read_bytes() == junk
    note = kept[0].with_name("rosak.pdf.reason.txt").read_text()
    assert "salinan rosak, minta semula" in note and "clerk" in note


def test_upload_into_a_case_and_link_an_unassigned_one(login, web_archive: Path) -> None:
    own, _ = case_ids(web_archive)
    div = login("div")
    r = upload(div, f"/cases/{own}/upload", [(minimal_pdf(["Surat daripada Kedutaan"]),
                                             "surat.pdf")])
    assert r.status_code == 302
    docs = div.get(f"/api/cases/{own}").json["documents"]
    assert [d["name"] for d in docs] == ["surat.pdf"]
    clerk = login("clerk")
    [got] = outcomes(clerk, [(minimal_pdf(["Nota diplomatik tanpa rujukan"]), "nota.pdf")])
    assert got["status"] == "filed" and got["case"] is None
    r = clerk.post("/inbox/link", {"doc_id": got["doc_id"], "case_id": own})
    assert r.status_code == 302
    assert got["doc_id"] in {d["doc_id"] for d in div.get(f"/api/cases/{own}").json["documents"]}
    again = outcomes(clerk, [(minimal_pdf(["Nota diplomatik tanpa rujukan"]), "nota2.pdf")])
    assert again[0]["status"] == "duplicate"


def test_a_pdf_is_previewed_by_doc_id_inside_the_page(login, web_archive: Path) -> None:
    c = login("reader")
    clerk = login("clerk")
    [got] = outcomes(clerk, [(minimal_pdf(["Memorandum Persefahaman Indonesia"]), "mou.pdf")])
    page = c.get(f"/doc/{got['doc_id']}").text
    assert f'src="/doc/{got["doc_id"]}/pdf"' in page and "<iframe" in page
    pdf = c.get(f"/doc/{got['doc_id']}/pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")
    assert "frame-ancestors 'self'" in pdf.headers["Content-Security-Policy"]
    assert pdf.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert "inline" in pdf.headers["Content-Disposition"]
