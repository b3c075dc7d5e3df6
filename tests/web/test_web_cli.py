"""`ika user ...` and `ika serve`: the first run makes the admin, prints its one-time password
with the address, and the inbox watcher files in the same process."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from click.testing import CliRunner

from cli import main

from .conftest import minimal_pdf

ROOT = Path(__file__).resolve().parents[2]


def ika(archive: Path, *args: str, stdin: str | None = None, code: int = 0) -> str:
    result = CliRunner().invoke(main, [*args, "--archive", str(archive)], input=stdin)
    assert result.exit_code == code, result.output
    return result.output


def test_user_commands(archive: Path) -> None:
    out = ika(archive, "user", "add", "aminah", "--role", "division", "--division",
              "HEI")
    assert re.search(r"one-time password: \S{12,}", out)
    ika(archive, "user", "add", "ali", "--role", "clerk", "--password-stdin",
        stdin="rahsia-sekali-123\n")
    ika(archive, "user", "add", "x", "--role", "division", code=1)  # needs --division
    ika(archive, "user", "add", "ali", "--role", "reader", code=1)  # exists
    rows = json.loads(ika(archive, "user", "list", "--json"))
    assert [(r["name"], r["role"], r["must_change"]) for r in rows] == [
        ("ali", "clerk", False), ("aminah", "division", True)]
    assert "one-time password" in ika(archive, "user", "passwd", "ali")
    ika(archive, "user", "disable", "ali")
    assert "disabled" in ika(archive, "user", "list")
    ika(archive, "user", "disable", "ali", "--enable")
    ika(archive, "user", "passwd", "nobody", code=1)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_first_run_and_the_watcher(archive: Path) -> None:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-c", "import cli; cli.main()", "serve", "--archive", str(archive),
         "--port", str(port)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, env=dict(os.environ, PYTHONUNBUFFERED="1"))
    try:
        lines: list[str] = []
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not any("http://" in x for x in lines):
            lines.append(proc.stdout.readline())  # type: ignore[union-attr]
        text = "".join(lines)
        assert re.search(r"first run: user admin, one-time password \S+", text), text
        assert f"http://127.0.0.1:{port}/" in text
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=10) as r:
            assert json.load(r) == {"ok": True, "version": ""}
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=10) as r:
            assert "Log masuk" in r.read().decode()
        (archive / "inbox" / "surat.pdf").write_bytes(minimal_pdf(["Surat ujian watcher"]))
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and (archive / "inbox" / "surat.pdf").exists():
            time.sleep(0.2)
        assert not (archive / "inbox" / "surat.pdf").exists()  # filed by the watcher thread
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=20)
    assert "filed   inbox/surat.pdf" in out, out
    assert "Traceback" not in out
    # a second run makes no second admin
    again = subprocess.run(
        [sys.executable, "-c", "import cli; cli.main()", "user", "list", "--json", "--archive",
         str(archive)], cwd=ROOT, capture_output=True, text=True, check=True)
    assert [u["name"] for u in json.loads(again.stdout)] == ["admin"]
