"""Fixtures of the web tests: an archive with one account per role, the Flask app on it, a
test client that logs in, and small real documents."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from pipeline.archive import open_archive
from pipeline.register import accounts, cases
from tests.conftest import signed  # signatories named, as the archive's owner would

PASSWORD = "kata-laluan-123"
TODAY = "2026-11-27"
OWN = "Bahagian Keselamatan dan Ketenteraman Awam"
OTHER = "Bahagian Imigresen"
USERS = {  # name -> (role, division)
    "admin": ("admin", None),
    "ab": ("ab", None),
    "div": ("division", OWN),
    "clerk": ("clerk", None),
    "reader": ("reader", None),
}


def minimal_pdf(lines: list[str]) -> bytes:
    """A small, valid one-page PDF with real text (Helvetica): what pypdf reads as the text."""
    def esc(s: str) -> str:
        return s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    body = "BT /F1 11 Tf 60 780 Td 14 TL " + " ".join(f"({esc(t)}) '" for t in lines) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R"
        " >> >> /Contents 5 0 R >>",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        f"<< /Length {len(body.encode('latin-1'))} >>\nstream\n{body}\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, obj in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n{obj}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for off in offsets:
        out += f"{off:010d} 00000 n \n".encode()
    out += (f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\n"
            f"startxref\n{xref}\n%%EOF\n").encode()
    return bytes(out)


@pytest.fixture(scope="session")
def _template_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built once per run (accounts' scrypt hashes and the calendar take a while), copied
    for each test."""
    import os

    from pipeline.archive import init_archive

    root = tmp_path_factory.mktemp("web-template") / "archive"
    saved = os.environ.get("IKA_TODAY")
    os.environ["IKA_TODAY"] = TODAY
    try:
        arc, _ = init_archive(root)
        toml = root / "ika.toml"
        toml.write_text(signed(toml.read_text()).replace("settle_seconds = 2.0",
                                                         "settle_seconds = 0.2"))
        arc = open_archive(root)
        for name, (role, division) in USERS.items():
            accounts.add_user(arc, name, role, division=division, password=PASSWORD)
        cases.new_case(arc, title="Kerjasama Pencegahan Jenayah", type="MOU",
                       countries=["Indonesia"], division=OWN, source="kln",
                       received=date(2026, 11, 2), by="setup")
        cases.new_case(arc, title="Kerjasama Imigresen", type="Perjanjian",
                       countries=["Thailand"], division=OTHER, source="embassy",
                       received=date(2026, 11, 3), by="setup")
        arc.register.dispose()
    finally:
        if saved is None:
            os.environ.pop("IKA_TODAY", None)
        else:
            os.environ["IKA_TODAY"] = saved
    return root


@pytest.fixture
def web_archive(_template_archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                ) -> Path:
    """An archive with today fixed, one account per role and two cases: one of the Division
    officer's own Division, one of another."""
    import shutil

    monkeypatch.setenv("IKA_TODAY", TODAY)
    root = tmp_path / "archive"
    shutil.copytree(_template_archive, root, symlinks=True)
    return root


@pytest.fixture
def app(web_archive: Path) -> Iterator[Flask]:
    from pipeline.web import create_app

    application = create_app(web_archive, config={"TESTING": True, "LOGIN_DELAY_STEP": 0.0})
    yield application


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)


class Client:
    """A logged-in test client that adds the CSRF token to its form posts."""

    def __init__(self, client: FlaskClient, name: str) -> None:
        self.c = client
        self.name = name
        self.token = ""

    def login(self, password: str = PASSWORD) -> Client:
        page = self.c.get("/login")
        response = self.c.post("/login", data={"name": self.name, "password": password,
                                               "csrf_token": csrf_of(page.text)})
        assert response.status_code == 302, response.text
        self.token = csrf_of(self.c.get("/password").text)
        return self

    def get(self, url: str, **kw):
        return read(self.c.get(url, **kw))

    def post(self, url: str, data: dict | None = None, **kw):
        data = dict(data or {})
        data.setdefault("csrf_token", self.token)
        return read(self.c.post(url, data=data, **kw))


def read(response):
    """Read the body, then close it: a file response holds its file open until closed."""
    response.get_data()
    response.close()
    return response


@pytest.fixture
def login(app: Flask) -> Callable[[str], Client]:
    def make(name: str) -> Client:
        return Client(app.test_client(), name).login()

    return make


def case_ids(archive: Path) -> tuple[str, str]:
    """(the case of the Division officer's Division, the other Division's case)."""
    rows = cases.list_cases(open_archive(archive))
    own = next(r.id for r in rows if r.division == OWN)
    other = next(r.id for r in rows if r.division == OTHER)
    return own, other
