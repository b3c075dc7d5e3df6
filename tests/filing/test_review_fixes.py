"""Reviewer findings on `ika file`, `ika init` and `ika case edit`, each through the CLI:
the archive's own workings are not documents, no archive inside another, plain text in other
encodings, true summary counts, one log line per name, a retry hint that reaches the archive,
the option `ika case edit` names."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from click.testing import CliRunner

from cli import main


def ika(*args: str, archive: Path | None = None):
    extra = ["--archive", str(archive)] if archive is not None else []
    res = CliRunner().invoke(main, [*args, *extra], env={"IKA_TODAY": "2026-11-27"})
    assert res.exception is None or isinstance(res.exception, SystemExit), res.output
    return res


def new_archive(path: Path) -> Path:
    assert ika("init", archive=path).exit_code == 0
    return path


def filed_names(archive: Path) -> list[str]:
    with sqlite3.connect(archive / "register.sqlite3") as conn:
        cols = [r[1] for r in conn.execute("PRAGMA table_info(documents)")]
        col = "filename" if "filename" in cols else "name"
        return [r[0] for r in conn.execute(f"SELECT {col} FROM documents")]


def test_file_refuses_the_archives_own_workings(tmp_path: Path) -> None:
    a = new_archive(tmp_path / "A")
    (a / ".web-secret").write_text("s3cret")
    (a / "index" / "CURRENT").write_text("gen-000001")  # as the search index leaves it
    os.symlink(a / "ika.toml", tmp_path / "toml-link")
    res = ika("file", str(a), archive=a)
    assert res.exit_code == 1 and "the archive" in res.output and "itself" in res.output
    assert "Error: 1 of 1 not filed" in res.output
    for target in (a / "ika.toml", a / ".web-secret", a / "register.sqlite3",
                   a / "index" / "CURRENT", tmp_path / "toml-link"):
        res = ika("file", str(target), archive=a)
        assert res.exit_code == 1, res.output
        assert "not a document; refused" in res.output, res.output
    assert filed_names(a) == []
    # the inbox and failed/ are the retry path: filed as before
    (a / "inbox" / "note.txt").write_text("Perjanjian kerjasama\n")
    res = ika("file", str(a / "inbox" / "note.txt"), archive=a)
    assert res.exit_code == 0 and "filed" in res.output, res.output


def test_init_refuses_an_archive_inside_another(tmp_path: Path) -> None:
    a = new_archive(tmp_path / "A")
    for inner in (a / "inbox" / "B", a / "files" / "x" / "B", a / "failed" / "B",
                  a / "index" / "B", a / ".cache" / "B", a / "other" / "B"):
        res = ika("init", archive=inner)
        assert res.exit_code == 1, res.output
        assert res.output.count("Error:") == 1 and "inside the archive" in res.output
        assert not inner.exists()
    outer = tmp_path / "outer"
    new_archive(tmp_path / "x" / "inbox" / "old")  # an archive lying in X's inbox-to-be
    res = ika("init", archive=tmp_path / "x")
    assert res.exit_code == 1 and "holds the archive" in res.output, res.output
    assert not (tmp_path / "x" / "ika.toml").exists()
    assert ika("init", archive=outer).exit_code == 0  # elsewhere: fine
    assert ika("init", archive=a).exit_code == 0  # and again: safe to run again


def test_text_in_other_encodings(tmp_path: Path) -> None:
    a = new_archive(tmp_path / "A")
    cp = tmp_path / "windows.txt"
    cp.write_bytes("Perjanjian José café\n".encode("cp1252"))
    u16 = tmp_path / "utf16.txt"
    u16.write_bytes("Perjanjian Zoë naïve\n".encode("utf-16"))
    u32 = tmp_path / "utf32.txt"
    u32.write_bytes("Memorandum Müller\n".encode("utf-32"))
    res = ika("file", str(cp), str(u16), str(u32), archive=a)
    assert res.exit_code == 0, res.output
    shown = ika("show", "DOC-000001", archive=a).output
    assert "José café" in shown and "\ufffd" not in shown, shown
    assert "Zoë naïve" in ika("show", "DOC-000002", archive=a).output
    assert "Müller" in ika("show", "DOC-000003", archive=a).output
    junk = tmp_path / "junk.txt"
    junk.write_bytes(bytes(range(256)) * 4)
    res = ika("file", str(junk), archive=a)
    assert res.exit_code == 1 and "unsupported file type (.txt)" not in res.output, res.output


def test_summary_counts_every_file_considered(tmp_path: Path) -> None:
    a = new_archive(tmp_path / "A")
    d = tmp_path / "d"
    d.mkdir()
    os.symlink("/nonexistent", d / "dangling")
    os.symlink(d, d / "loop")
    res = ika("file", str(d), archive=a)
    assert "Error: 2 of 2 not filed" in res.output, res.output


def test_control_characters_in_names_stay_on_one_line(tmp_path: Path) -> None:
    a = new_archive(tmp_path / "A")
    name = "new\nfiled   forged.txt"
    (a / "inbox" / name).write_text("x")
    res = ika("file", str(a / "inbox" / name), archive=a)
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and "new\\nfiled   forged.txt" in lines[0], res.output


def test_retry_hint_names_the_archive(tmp_path: Path) -> None:
    a = new_archive(tmp_path / "A")
    (a / "inbox" / "x.bin").write_bytes(b"\x00\x01\x02binary" * 50)
    ika("file", str(a / "inbox" / "x.bin"), archive=a)
    reasons = list((a / "failed").rglob("*.reason.txt"))
    assert reasons, list((a / "failed").rglob("*"))
    text = reasons[0].read_text()
    assert f'--archive "{os.path.realpath(a)}"' in text, text
    assert "ika retry" in text


def test_case_edit_names_the_country_option(tmp_path: Path) -> None:
    a = new_archive(tmp_path / "A")
    res = ika("case", "edit", "IKA-2026-0001", archive=a)
    assert res.exit_code == 1
    assert "--country," in res.output and "--countries" not in res.output, res.output
