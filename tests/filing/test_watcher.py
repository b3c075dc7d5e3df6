"""The watcher as a real process: native events, slow writers, the whole corpus, kill -9."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import CORPUS

ROOT = Path(__file__).resolve().parents[2]


def ika_cmd(*args: str) -> list[str]:
    return [sys.executable, "-c", "import cli; cli.main()", *args]


def set_filing(archive: Path, **values: object) -> None:
    toml = archive / "ika.toml"
    text = toml.read_text()
    for key, value in values.items():
        lines = [ln for ln in text.splitlines() if ln.startswith(f"{key} =")]
        text = text.replace(lines[0], f"{key} = {value}")
    toml.write_text(text)


def documents(archive: Path) -> list[tuple[str, str, str, str | None]]:
    with sqlite3.connect(archive / "register.sqlite3") as db:
        return db.execute("SELECT id, name, sha256, source FROM documents ORDER BY id").fetchall()


def wait_for(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


class WatcherProcess:
    def __init__(self, archive: Path, *extra: str) -> None:
        self.log = archive.parent / f"watch-{time.monotonic_ns()}.log"
        self._out = open(self.log, "w")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            ika_cmd("watch", "--archive", str(archive), *extra),
            cwd=ROOT, stdout=self._out, stderr=subprocess.STDOUT, start_new_session=True,
        )
        wait_for(lambda: "watching" in self.text(), 30, "the watcher to start")

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, sig)
        code = self.proc.wait(timeout=60)
        self._out.close()
        return code


@pytest.fixture
def watcher(archive: Path) -> Iterator[list[WatcherProcess]]:
    started: list[WatcherProcess] = []
    yield started
    for w in started:
        w.stop(signal.SIGKILL)


def test_slow_writer_is_filed_only_when_complete(archive: Path, watcher) -> None:
    set_filing(archive, settle_seconds=1.0)
    w = WatcherProcess(archive)
    watcher.append(w)
    data = (CORPUS / "instruments" / "pta_334.pdf").read_bytes()
    target = archive / "inbox" / "sub folder" / "perjanjian NZ.pdf"
    target.parent.mkdir()
    with open(target, "wb") as f:  # 10 chunks, 0.3 s apart: 3 s of writing, settle is 1 s
        step = len(data) // 10 + 1
        for i in range(0, len(data), step):
            f.write(data[i : i + step])
            f.flush()
            time.sleep(0.3)
            assert documents(archive) == [], "taken while still being written"
    wait_for(lambda: len(documents(archive)) == 1, 30, "the file to be filed")
    (_, name, sha, source), = documents(archive)
    assert sha == hashlib.sha256(data).hexdigest() and name == "perjanjian NZ.pdf"
    assert source == "inbox/sub folder/perjanjian NZ.pdf"
    wait_for(lambda: not target.exists(), 10, "the inbox copy to be removed")
    assert w.stop() == 0 and "stopped" in w.text()


def test_polling_mode_files_too(archive: Path, watcher) -> None:
    set_filing(archive, settle_seconds=0.5)
    w = WatcherProcess(archive, "--poll", "0.5")
    watcher.append(w)
    assert "polling every 0.5 s" in w.text()
    shutil.copyfile(CORPUS / "docx" / "tables.docx", archive / "inbox" / "jadual.docx")
    wait_for(lambda: len(documents(archive)) == 1, 30, "the polled file to be filed")
    assert w.stop() == 0


def test_whole_corpus_dropped_at_once_ends_as_the_manifest_says(corpus_watched) -> None:
    """tests/conftest.py's `corpus_watched` drops it into a real watcher, once per run."""
    archive, log = corpus_watched["archive"], corpus_watched["log"]
    manifest = json.loads((CORPUS / "manifest.json").read_text())["files"]
    filed = {name for _, name, _, _ in documents(archive)}
    failed = {p.name for p in (archive / "failed").iterdir() if not p.name.endswith(".txt")
              or not p.name.endswith(".reason.txt")}
    failed = {n for n in failed if not n.endswith(".reason.txt")}
    for entry in manifest:
        name = Path(entry["path"]).name
        expect = entry["expect"]
        if expect.startswith("filed or quarantined"):
            assert (name in filed) != (name in failed), name
        elif expect.startswith("filed") or expect.startswith("ground truth"):
            assert name in filed, (name, log)
        else:
            assert name in failed, (name, log)
            reason = (archive / "failed" / f"{name}.reason.txt").read_text().splitlines()[0]
            word = "encrypted" if "encrypted" in expect else "damaged"
            assert word in reason, (name, reason)
    assert len(filed) + len(failed) == len(manifest)
    assert corpus_watched["running"], "the watcher must keep running after bad files"
    assert corpus_watched["exit"] == 0


def _watched_scan(watched: dict, rel: str) -> tuple[str, Path, str]:
    """A corpus scan as `corpus_watched` filed it: extraction method, OCR'd PDF, text."""
    archive = watched["archive"]
    with sqlite3.connect(archive / "register.sqlite3") as db:
        row = db.execute("SELECT d.method, d.ocr_path, t.text FROM documents d "
                         "JOIN texts t ON t.doc_id = d.id WHERE d.name = ?",
                         (Path(rel).name,)).fetchone()
    assert row is not None, (rel, watched["log"])
    return row[0], archive / (row[1] or "-"), row[2] or ""


SCANS = [e["path"] for e in json.loads((CORPUS / "manifest.json").read_text())["files"]
         if "OCR" in e["expect"]]


@pytest.mark.parametrize("rel", SCANS)
def test_each_corpus_scan_is_ocred_with_its_text(corpus_watched, rel: str) -> None:
    """The manifest's scans, from the corpus's one OCR run (tests/filing/test_extract.py checks
    the other corpus files through `extract`)."""
    method, ocr_pdf, text = _watched_scan(corpus_watched, rel)
    assert method == "ocr" and ocr_pdf.is_file()
    assert sum(c.isalnum() for c in text) > 20


def test_png_without_dpi_is_ocred(corpus_watched) -> None:
    # typewriter.png records no resolution: OCRmyPDF needs --image-dpi.
    method, _, text = _watched_scan(corpus_watched, "scans/typewriter.png")
    assert method == "ocr" and "Linzensoep" in text


def test_kill_during_ocr_then_restart_loses_nothing_files_nothing_twice(
    archive: Path, watcher
) -> None:
    set_filing(archive, settle_seconds=0.3)
    scan = CORPUS / "instruments" / "pta_20-scan.pdf"
    w = WatcherProcess(archive)
    watcher.append(w)
    shutil.copyfile(scan, archive / "inbox" / scan.name)
    wait_for(lambda: "ocr start" in w.text(), 60, "OCR to start")
    time.sleep(1.0)
    w.stop(signal.SIGKILL)
    ocr_child = lambda: subprocess.run(  # noqa: E731
        ["pgrep", "-f", f"python.* -m ocrmypdf .*{archive}"], capture_output=True, text=True).stdout
    wait_for(lambda: not ocr_child(), 1.0, "the OCR child to die with the watcher")
    assert documents(archive) == []
    assert (archive / "inbox" / scan.name).read_bytes() == scan.read_bytes()
    result = subprocess.run(ika_cmd("watch", "--once", "--archive", str(archive)), cwd=ROOT,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    docs = documents(archive)
    assert len(docs) == 1 and docs[0][2] == hashlib.sha256(scan.read_bytes()).hexdigest()
    assert not (archive / "inbox" / scan.name).exists()
    assert not list((archive / "files").rglob("*.part"))
    assert not (archive / ".work").exists() or not any((archive / ".work").iterdir())
    ocr = list((archive / "files").rglob("*.ocr.pdf"))
    assert len(ocr) == 1
    check = subprocess.run(ika_cmd("verify", "--archive", str(archive)), cwd=ROOT,
                           capture_output=True, text=True, timeout=120)
    assert check.returncode == 0 and "2 file(s) checked, 0 problem(s)" in check.stdout


def test_a_second_watcher_on_the_same_archive_is_refused(archive: Path, watcher) -> None:
    w = WatcherProcess(archive)
    watcher.append(w)
    second = subprocess.run(ika_cmd("watch", "--once", "--archive", str(archive)), cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert second.returncode == 1
    assert "already running" in second.stderr and "Traceback" not in second.stderr
    assert w.stop() == 0
