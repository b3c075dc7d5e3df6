"""The stability tracker and the filter, alone (the watcher's event loop is tested elsewhere)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.filing.filters import is_ignored
from pipeline.filing.stability import StabilityTracker


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_file_is_ready_only_after_settling(tmp_path: Path) -> None:
    clock = Clock()
    tracker = StabilityTracker(2.0, clock=clock)
    f = tmp_path / "scan.pdf"
    f.write_bytes(b"%PDF-1.4 part one")
    tracker.observe(f)
    clock.now = 1.5
    assert tracker.ready() == []
    with open(f, "ab") as out:  # still being written: the settle time starts again
        out.write(b" part two, longer")
    clock.now = 3.0
    assert tracker.ready() == []
    clock.now = 4.9
    assert tracker.ready() == []
    clock.now = 5.1
    assert tracker.ready() == [f]
    assert len(tracker) == 0  # handed out once


def test_vanished_file_is_dropped(tmp_path: Path) -> None:
    clock = Clock()
    tracker = StabilityTracker(1.0, clock=clock)
    f = tmp_path / "a.pdf"
    f.write_bytes(b"x")
    tracker.observe(f)
    f.unlink()
    clock.now = 5
    assert tracker.ready() == [] and len(tracker) == 0


@pytest.mark.parametrize(
    "name",
    ["~$Minit.docx", ".~lock.Minit.docx#", "upload.tmp", "big.part", "file.pdf.crdownload",
     ".hidden.pdf", "Thumbs.db", "desktop.ini", ".DS_Store", "x.pdf.reason.txt"],
)
def test_temporary_and_system_files_are_ignored(tmp_path: Path, name: str) -> None:
    assert is_ignored(tmp_path / name, tmp_path)


@pytest.mark.parametrize("name", ["Minit Cerai.docx", "MOU Korea.pdf", "imbasan 1.tif"])
def test_documents_are_not_ignored(tmp_path: Path, name: str) -> None:
    assert not is_ignored(tmp_path / "IKA-2026-0001" / name, tmp_path)


def test_dot_folders_are_ignored(tmp_path: Path) -> None:
    assert is_ignored(tmp_path / ".work" / "x.pdf", tmp_path)


def test_a_named_pipe_is_never_tracked(tmp_path: Path) -> None:
    import os

    fifo = tmp_path / "paip.pdf"
    os.mkfifo(fifo)
    clock = Clock()
    tracker = StabilityTracker(0.0, clock=clock)
    tracker.observe(fifo)
    clock.now = 10
    assert tracker.ready() == [] and len(tracker) == 0  # would block if it were opened
