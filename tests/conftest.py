"""Shared fixtures: a real archive in tmp_path, driven through the real `ika` command."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cli import main

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"


def signed(text: str) -> str:
    """ika.toml text with what `ika init` leaves for the archive's owner filled in, as a test
    archive needs it: every signatory named ("Pegawai KKA 1") and every Division's file
    reference ("KDN.KKA.100-1/{year}/{seq}"). Officers' names are never shipped."""
    out, section = [], ""
    for line in text.splitlines():
        if line.startswith("["):
            m = re.match(r"\[(?:divisions\.)?([A-Za-z0-9_-]+)\]", line)
            section = m.group(1) if m else ""
        if line.startswith('file_ref = ""'):
            line = f'file_ref = "KDN.{section}.100-1/{{year}}/{{seq}}"'
        who = "AB" if section == "organisation" else section
        for n in range(1, line.count('{ name = "", ') + 1):
            line = line.replace('{ name = "", ', f'{{ name = "Pegawai {who} {n}", ', 1)
        out.append(line)
    return "\n".join(out) + "\n"


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    root = tmp_path / "archive"
    result = CliRunner().invoke(main, ["init", "--archive", str(root)])
    assert result.exit_code == 0, result.output
    toml = root / "ika.toml"  # a short settle time keeps `watch --once` quick in tests
    toml.write_text(signed(toml.read_text()).replace("settle_seconds = 2.0",
                                                     "settle_seconds = 0.2"))
    return root


@pytest.fixture
def ika(archive: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    """Run `ika ARGS --archive <tmp archive>`; today is fixed at 2026-11-27 unless set."""
    monkeypatch.setenv("IKA_TODAY", "2026-11-27")
    runner = CliRunner()

    def run(*args: str, expect: int | None = 0) -> Result:
        result = runner.invoke(main, [*args, "--archive", str(archive)])
        if expect is not None:
            assert result.exit_code == expect, (result.exit_code, result.output)
        return result

    return run


def as_json(result: Result) -> object:
    return json.loads(result.stdout)
