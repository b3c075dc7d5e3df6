"""Issue 9, the filing and document-storing paths: nothing lost, nothing escapes, under hostile
and unlucky conditions. Every attack runs through the `ika` command in real processes — a
real watcher, real writers, real symlink swaps timed by the watcher's log, real kills, real
small tmpfs mounts — against a real archive in tmp_path."""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from pipeline.filing.filters import is_ignored
from tests.conftest import CORPUS

ROOT = Path(__file__).resolve().parents[2]
FONT = Path("/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf")
TEXT_PDF = CORPUS / "instruments" / "pta_334.pdf"  # NZ FTA, a text layer: no OCR
EFTA_CROATIA = CORPUS / "labelled" / "pta_67.txt"


# --- helpers ---------------------------------------------------------------------------------


def ika_cmd(*args: str) -> list[str]:
    return [sys.executable, "-c", "import cli; cli.main()", *args]


def env() -> dict[str, str]:
    out = {**os.environ, "IKA_TODAY": "2026-11-27"}
    out.pop("IKA_ARCHIVE", None)
    return out


def run(archive: Path, *args: str, timeout: float = 120,
        user: list[str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*(user or []), *ika_cmd(*args, "--archive", str(archive))],
                          cwd=ROOT, env=env(), capture_output=True, text=True,
                          timeout=timeout, errors="replace")


def cli(archive: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`ika ARGS` in this process (quicker than a new interpreter), as a CompletedProcess; an
    exception that escapes the command (a traceback) fails the test."""
    res = CliRunner().invoke(main, [*args, "--archive", str(archive)], env={"IKA_TODAY":
                                                                           "2026-11-27"})
    assert res.exception is None or isinstance(res.exception, SystemExit), res.output
    return subprocess.CompletedProcess(args, res.exit_code, res.stdout, res.stderr)


def no_traceback(*results: subprocess.CompletedProcess[str]) -> None:
    for r in results:
        assert "Traceback" not in r.stdout + r.stderr, r.stdout + r.stderr


def set_filing(archive: Path, **values: object) -> None:
    toml = archive / "ika.toml"
    lines = toml.read_text().splitlines()
    for key, value in values.items():
        shown = json.dumps(value) if isinstance(value, str) else value
        hit = [i for i, ln in enumerate(lines) if ln.startswith(f"{key} =")]
        if hit:
            lines[hit[0]] = f"{key} = {shown}"
        else:
            at = lines.index("[filing]") + 1
            lines.insert(at, f"{key} = {shown}")
    toml.write_text("\n".join(lines) + "\n")


def docs(archive: Path) -> list[sqlite3.Row]:
    with sqlite3.connect(archive / "register.sqlite3") as db:
        db.row_factory = sqlite3.Row
        return db.execute("SELECT d.*, t.text FROM documents d LEFT JOIN texts t "
                          "ON t.doc_id = d.id ORDER BY d.id").fetchall()


def filed_bytes(archive: Path) -> list[bytes]:
    return [(archive / r["path"]).read_bytes() for r in docs(archive)]


def wait_for(predicate: Callable[[], bool], timeout: float, what: str,
             log: Callable[[], str] | None = None) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}" + (f"; log:\n{log()}" if log else ""))


def verify_clean(archive: Path) -> None:
    res = run(archive, "verify")
    no_traceback(res)
    assert res.returncode == 0 and ", 0 problem(s)" in res.stdout, res.stdout + res.stderr


def every_regular_file(root: Path) -> Iterator[Path]:
    """Every regular file under root, links never followed."""
    for folder, _dirs, files in os.walk(root):
        for name in files:
            p = Path(folder, name)
            if not p.is_symlink() and p.is_file():
                yield p


class WatcherProcess:
    def __init__(self, archive: Path, *extra: str) -> None:
        self.log = archive.parent / f"watch-{time.monotonic_ns()}.log"
        self._out = open(self.log, "w")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            ika_cmd("watch", "--archive", str(archive), *extra), cwd=ROOT, env=env(),
            stdout=self._out, stderr=subprocess.STDOUT, start_new_session=True,
        )
        wait_for(lambda: "watching" in self.text(), 30, "the watcher to start")

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, sig)
        code = self.proc.wait(timeout=60)
        self._out.close()
        return code


@pytest.fixture
def watcher(archive: Path) -> Iterator[Callable[..., WatcherProcess]]:
    started: list[WatcherProcess] = []

    def start(*extra: str) -> WatcherProcess:
        w = WatcherProcess(archive, *extra)
        started.append(w)
        return w

    yield start
    for w in started:
        w.stop(signal.SIGKILL)


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Callable[[Path, str], Path]]:
    """Mount a real small tmpfs (root only); the test is skipped where that is not allowed."""
    mounted: list[Path] = []

    def mount(where: Path, size: str = "1m") -> Path:
        where.mkdir(parents=True, exist_ok=True)
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
                           capture_output=True, text=True)
        if r.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {r.stderr.strip()}")
        mounted.append(where)
        return where

    yield mount
    for where in reversed(mounted):
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


def scan_pdf(path: Path, words: str, pages: int = 1) -> Path:
    """An image-only PDF (no text layer) whose pages show `words`: it must be OCR'd."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(str(FONT), 56)
    images = []
    for n in range(pages):
        img = Image.new("L", (1100, 420), 255)
        ImageDraw.Draw(img).text((50, 150), f"{words} {n + 1}", font=font, fill=0)
        images.append(img)
    images[0].save(path, "PDF", resolution=150, save_all=True, append_images=images[1:])
    return path


def huge_pdf(path: Path, pages: int) -> Path:
    """An image-only PDF of `pages` pages all drawing one tiny shared image: 20,000 pages in
    about 3 MB, the issue's 'one huge scan'."""
    import zlib

    img = zlib.compress(bytes(range(64)))
    objs = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        3: b"<< /Type /XObject /Subtype /Image /Width 8 /Height 8 /ColorSpace /DeviceGray "
           b"/BitsPerComponent 8 /Filter /FlateDecode /Length %d >>\nstream\n" % len(img)
           + img + b"\nendstream",
        4: b"<< /Length 31 >>\nstream\nq 100 0 0 100 0 0 cm /Im0 Do Q\nendstream",
    }
    kids = []
    for i in range(pages):
        kids.append(b"%d 0 R" % (5 + i))
        objs[5 + i] = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R "
                       b"/Resources << /XObject << /Im0 3 0 R >> >> >>")
    objs[2] = b"<< /Type /Pages /Count %d /Kids [%s] >>" % (pages, b" ".join(kids))
    out = bytearray(b"%PDF-1.4\n")
    offsets = {}
    for n in sorted(objs):
        offsets[n] = len(out)
        out += b"%d 0 obj\n" % n + objs[n] + b"\nendobj\n"
    xref, size = len(out), max(objs) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    out += b"".join(b"%010d 00000 n \n" % offsets[n] for n in range(1, size))
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref)
    path.write_bytes(bytes(out))
    return path


def new_case(archive: Path) -> str:
    res = run(archive, "case", "new", "--title", "Kerjasama Keselamatan", "--type", "mou",
              "--country", "Jepun", "--division", "KKA", "--source", "embassy",
              "--received", "2026-09-01")
    assert res.returncode == 0, res.stderr
    return res.stdout.strip()


# --- severe 1: a writer that pauses is not cut short ---------------------------------------

WRITER = """
import sys, time
f = open(sys.argv[1], "wb")
f.write(b"A" * 50000); f.flush()
time.sleep(float(sys.argv[2]))
f.write(b"B" * 35000); f.close()
"""

REOPENING_WRITER = """
import sys, time
with open(sys.argv[1], "wb") as f:
    f.write(b"A" * 50000)
time.sleep(float(sys.argv[2]))
with open(sys.argv[1], "ab") as f:
    f.write(b"B" * 35000)
"""


def test_a_writer_that_pauses_is_not_cut_short(archive: Path, watcher) -> None:
    """The issue's reproduction: 50,000 bytes, a pause far longer than the settle time, then
    35,000 more. A file still open for writing is not taken: the archive ends with the whole
    85,000-byte file, and nothing else."""
    w = watcher()
    target = archive / "inbox" / "s.txt"
    writer = subprocess.run([sys.executable, "-c", WRITER, str(target), "1.5"], timeout=30)
    assert writer.returncode == 0
    wait_for(lambda: not target.exists() and len(docs(archive)) >= 1, 30, "the file filed",
             w.text)
    assert filed_bytes(archive) == [b"A" * 50000 + b"B" * 35000], w.text()
    assert "still being written" in w.text()
    assert not any((archive / "failed").iterdir())
    assert w.alive()


def test_a_writer_that_closes_and_comes_back_loses_nothing(archive: Path, watcher) -> None:
    """A writer that closes after 50,000 bytes and appends later cannot be told from two
    drops: whatever the timing, every byte written is in the archive — as one 85,000-byte
    document, or as the 50,000 bytes and then the 35,000 appended to a new file."""
    w = watcher()
    target = archive / "inbox" / "s.txt"
    subprocess.run([sys.executable, "-c", REOPENING_WRITER, str(target), "1.5"], timeout=30)
    wait_for(lambda: not target.exists(), 30, "the inbox to empty", w.text)
    got = sorted(filed_bytes(archive), key=len)
    assert got in ([b"A" * 50000 + b"B" * 35000], [b"B" * 35000, b"A" * 50000],
                   [b"A" * 50000, b"A" * 50000 + b"B" * 35000]), [len(g) for g in got]
    assert w.alive() and not any((archive / "failed").iterdir())


def test_a_sub_folder_swapped_for_a_link_is_never_followed(ika, archive: Path,
                                                           tmp_path: Path) -> None:
    """What the watcher meets when a clerk's sub-folder is replaced by a link to a folder
    outside after the scan saw `sub/secret.txt`: the path is refused, the outside file is not
    read, moved or removed."""
    outside = tmp_path / "luar"
    outside.mkdir()
    token = f"RAHSIA-{os.urandom(6).hex()}"
    (outside / "secret.txt").write_text(token, encoding="utf-8")
    (archive / "inbox" / "sub").symlink_to(outside, target_is_directory=True)
    res = ika("file", str(archive / "inbox" / "sub" / "secret.txt"), expect=1)
    assert "is a link, not a folder" in res.stdout, res.stdout
    assert (outside / "secret.txt").read_text(encoding="utf-8") == token
    assert docs(archive) == []
    for p in every_regular_file(archive):
        assert token.encode() not in p.read_bytes(), p


# --- severe 3: concurrent `ika doc make` -----------------------------------------------------


def test_concurrent_doc_make_never_overwrites_a_letter(archive: Path) -> None:
    case_id = new_case(archive)
    procs = [subprocess.Popen(ika_cmd("doc", "make", case_id, "makluman-bahagian", "--set",
                                      f"perkara=w{i}", "--archive", str(archive)),
                              cwd=ROOT, env=env(), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for i in range(1, 5)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), outs
    rows = [r for r in docs(archive) if r["name"] == "makluman-bahagian"]
    assert sorted(r["version"] for r in rows) == [1, 2, 3, 4]
    assert len({r["path"] for r in rows}) == 4  # each row its own file
    for r in rows:  # and each file is the letter its row says (its own perkara)
        assert hashlib.sha256((archive / r["path"]).read_bytes()).hexdigest() == r["sha256"]
    perkara = [[w for w in ("W1", "W2", "W3", "W4") if w in r["text"].upper()] for r in rows]
    assert sorted(perkara) == [["W1"], ["W2"], ["W3"], ["W4"]], perkara
    verify_clean(archive)


# --- severe 6: a crash's leftovers in files/ never block --------------------------------------


def test_leftovers_of_a_crash_in_files_never_block(ika, archive: Path, tmp_path: Path) -> None:
    """What a kill between the copy into files/ and the register's commit leaves: a letter's
    next version, a dropped document's stored copy (with other bytes, or the same bytes),
    and a partial copy. Later makes and filings work; verify reports and repairs."""
    case_id = new_case(archive)
    ika("doc", "make", case_id, "makluman-bahagian")
    folder = archive / "files" / case_id
    (folder / "makluman-bahagian-v2.docx").write_bytes(b"half a letter from a killed make")
    note = tmp_path / "nota.txt"
    note.write_text("Nota kepada fail: mesyuarat persediaan.", encoding="utf-8")
    sha = hashlib.sha256(note.read_bytes()).hexdigest()
    year = time.strftime("%Y")  # IKA_TODAY fixes the register's date, not the folder's year
    unassigned = archive / "files" / "unassigned"
    for y in {year, "2026"}:
        (unassigned / y).mkdir(parents=True, exist_ok=True)
        (unassigned / y / f"nota-{sha[:8]}.txt").write_bytes(b"other bytes, same name")
    same = tmp_path / "sama.txt"
    same.write_text("Salinan yang sama.", encoding="utf-8")
    sha2 = hashlib.sha256(same.read_bytes()).hexdigest()
    for y in {year, "2026"}:
        (unassigned / y / f"sama-{sha2[:8]}.txt").write_bytes(same.read_bytes())
    (folder / ".a1b2c3.999999999.part").write_bytes(b"partial")  # no such pid
    stray = unassigned / "2026" / "stray.pdf"
    stray.write_bytes(b"%PDF- a stray copy")

    made = ika("doc", "make", case_id, "makluman-bahagian")
    filed = ika("file", str(note), str(same))
    assert "makluman-bahagian-v2.docx" in made.stdout
    assert filed.stdout.count(" filed   ") == 2, filed.stdout
    orphans = archive / ".orphans"
    set_aside = sorted(p.name for p in orphans.rglob("*") if p.is_file())
    assert "makluman-bahagian-v2.docx" in set_aside
    assert "makluman-bahagian-v2.docx.reason.txt" in set_aside
    assert f"nota-{sha[:8]}.txt" in set_aside  # other bytes under its name: set aside
    assert f"sama-{sha2[:8]}.txt" not in set_aside  # the same bytes: adopted
    row = next(r for r in docs(archive) if r["name"] == "sama.txt")
    assert (archive / row["path"]).read_bytes() == same.read_bytes()

    report = ika("verify", expect=1)
    assert "UNKNOWN  -  files/unassigned/2026/stray.pdf" in report.stdout, report.stdout
    assert "LEFTOVER" in report.stdout
    repaired = ika("verify", "--repair")
    assert "set aside files/unassigned/2026/stray.pdf" in repaired.stdout
    assert (orphans / "unassigned" / "2026" / "stray.pdf").read_bytes() == b"%PDF- a stray copy"
    verify_clean(archive)


def test_the_watcher_sets_aside_at_start_what_the_register_does_not_know(ika, archive: Path
                                                                        ) -> None:
    stray = archive / "files" / "IKA-2026-0009" / "surat-v1.docx"
    stray.parent.mkdir(parents=True)
    stray.write_bytes(b"left by a killed process")
    out = ika("watch", "--once").stdout
    assert "set aside files/IKA-2026-0009/surat-v1.docx -> .orphans/IKA-2026-0009/" in out
    reason = archive / ".orphans" / "IKA-2026-0009" / "surat-v1.docx.reason.txt"
    assert "not in the register" in reason.read_text()
    assert ika("verify").stdout.endswith("0 problem(s)\n")


def test_verify_reports_documents_the_index_serves_that_the_register_lost(
        ika, archive: Path, tmp_path: Path) -> None:
    for name in ("satu", "dua"):
        (tmp_path / f"{name}.txt").write_text(f"Nota {name} tentang sempadan.", encoding="utf-8")
    ika("file", str(tmp_path / "satu.txt"), str(tmp_path / "dua.txt"))
    with sqlite3.connect(archive / "register.sqlite3") as db:  # e.g. a register restored
        for table, key in (("texts", "doc_id"), ("events", "doc_id"), ("documents", "id")):
            db.execute(f"DELETE FROM {table} WHERE {key} = 'DOC-000002'")
    report = ika("verify", expect=1).stdout
    assert "INDEXED  DOC-000002  index/" in report
    assert "UNKNOWN  -  files/unassigned/" in report  # its file, no longer registered
    repaired = ika("verify", "--repair").stdout
    assert "unindexed DOC-000002" in repaired and repaired.endswith("0 problem(s)\n")
    hits = json.loads(ika("search", "sempadan", "--json").stdout)["hits"]
    assert [h["doc_id"] for h in hits] == ["DOC-000001"]


def test_kills_at_any_moment_never_block_the_next_filing(archive: Path, tmp_path: Path) -> None:
    """Real kills (SIGKILL) of `ika file` and `ika doc make` at random moments: whatever they
    leave, the next runs file and make, and after `verify --repair` everything verifies."""
    case_id = new_case(archive)
    rnd = random.Random(9)
    sources = []
    for n in range(3):
        src = tmp_path / f"surat-{n}.txt"
        src.write_text(f"Surat {n}: " + "kandungan " * 2000, encoding="utf-8")
        sources.append(src)
    for n, src in enumerate(sources):
        args = (("file", str(src)) if n % 2 else
                ("doc", "make", case_id, "makluman-bahagian"))
        p = subprocess.Popen(ika_cmd(*args, "--archive", str(archive)), cwd=ROOT, env=env(),
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rnd.uniform(0.3, 1.1))
        p.kill()
        p.wait()
    again = run(archive, "file", *[str(src) for src in sources])
    made = run(archive, "doc", "make", case_id, "makluman-bahagian")
    no_traceback(made, again)
    assert made.returncode == 0, made.stderr
    assert again.returncode == 0, again.stdout + again.stderr
    stored = {hashlib.sha256(b).hexdigest() for b in filed_bytes(archive)}
    assert all(hashlib.sha256(s.read_bytes()).hexdigest() in stored for s in sources)
    repaired = run(archive, "verify", "--repair")
    assert repaired.returncode == 0, repaired.stdout
    verify_clean(archive)


# --- moderate: names, paths, read-only and full disks ------------------------------------------


def _deep_file(inbox: Path, levels: int = 18) -> None:
    """A file whose path is longer than 4,096 bytes (made through directory descriptors)."""
    fd = os.open(inbox, os.O_RDONLY)
    for _ in range(levels):
        os.mkdir("d" * 240, dir_fd=fd)
        nxt = os.open("d" * 240, os.O_RDONLY, dir_fd=fd)
        os.close(fd)
        fd = nxt
    out = os.open("dalam.txt", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
    os.write(out, b"jauh di dalam")
    os.close(out)
    os.close(fd)


def test_hostile_names_and_paths_never_stop_the_watcher(archive: Path, watcher,
                                                        tmp_path: Path) -> None:
    """A name that is not UTF-8, names of 245-255 bytes (filed, and refused: the reason file
    must fit), a path over 4,096 bytes, links to a folder and to nothing: one clear line
    each, and the watcher goes on filing."""
    inbox = archive / "inbox"
    raw = os.fsencode(inbox)
    with open(raw + b"/caf\xe9.txt", "wb") as f:
        f.write(b"x")
    with open(raw + b"/rosak-\xff\xfe.bin", "wb") as f:
        f.write(b"\x00\x01\x02 not a document")
    for n in (245, 250, 255):
        (inbox / ("n" * (n - 4) + ".txt")).write_text(f"nama panjang {n}", encoding="utf-8")
        (inbox / ("b" * (n - 4) + ".bin")).write_bytes(b"\x00\x01" + bytes([n]))
    _deep_file(inbox)
    (inbox / "folder-pautan").symlink_to(tmp_path)
    (inbox / "pautan-kosong.pdf").symlink_to(tmp_path / "tiada")
    w = watcher()
    wait_for(lambda: not [p for p in inbox.iterdir() if not p.name.startswith("d")], 60,
             "every entry filed or moved")
    (inbox / "selepas.txt").write_text("fail biasa selepas itu", encoding="utf-8")
    wait_for(lambda: not (inbox / "selepas.txt").exists(), 30, "a later file to be filed")
    time.sleep(0.5)
    log = w.text()
    shutil.rmtree(inbox / ("d" * 240))  # by descriptors: other tests walk tmp_path's parent
    assert w.alive(), log
    assert "Traceback" not in log
    names = {r["name"] for r in docs(archive)}
    assert "caf\\xe9.txt" in names and "selepas.txt" in names
    assert {"n" * (n - 4) + ".txt" for n in (245, 250, 255)} <= names
    failed = archive / "failed"
    reasons = sorted(p for p in failed.iterdir() if p.name.endswith(".reason.txt"))
    assert len(reasons) == 6, sorted(p.name for p in failed.iterdir())  # 3 long, 1 odd, 2 links
    for r in reasons:
        document = r.with_name(r.name[: -len(".reason.txt")])
        assert os.path.lexists(document), r.name
        assert len(os.fsencode(r.name)) <= 255
    assert log.count("path too long") == 1  # said once, the file left where it is
    assert (failed / "folder-pautan").is_symlink() and (failed / "pautan-kosong.pdf").is_symlink()
    assert w.stop() == 0


def test_a_read_only_inbox_after_filing_is_one_line(archive: Path, tmpfs) -> None:
    inbox = tmpfs(archive.parent / "kongsi-ro")
    set_filing(archive, inbox=str(inbox))
    (inbox / "surat.txt").write_text("Surat dari kongsi.", encoding="utf-8")
    (inbox / "rosak.bin").write_bytes(b"\x00\x01\x02")
    subprocess.run(["mount", "-o", "remount,ro", str(inbox)], check=True)
    first, second = cli(archive, "watch", "--once"), cli(archive, "watch", "--once")
    no_traceback(first, second)
    assert first.returncode == 0 and second.returncode == 0
    assert "it could not be removed (Read-only file system) — remove it by hand" in first.stdout
    assert "not moved to failed/: Read-only file system" in first.stdout
    assert "1 filed, 0 failed, 1 not filed now" in first.stdout
    assert "already filed from this inbox path" in second.stdout
    assert len(docs(archive)) == 1 and not any((archive / "failed").iterdir())


def test_a_full_disk_while_writing_a_reason_is_one_line(archive: Path, tmpfs) -> None:
    failed = tmpfs(archive / "failed", "256k")
    with open(failed / "isi", "wb") as f, pytest.raises(OSError):
        while True:
            f.write(b"\0" * 65536)
            f.flush()
    (archive / "inbox" / "rosak.bin").write_bytes(b"\x00\x01\x02 refused")
    (archive / "inbox" / "baik.txt").write_text("Fail yang baik.", encoding="utf-8")
    res = cli(archive, "watch", "--once")
    no_traceback(res)
    assert res.returncode == 0
    assert "not moved to failed/: No space left on device" in res.stdout, res.stdout
    assert "1 filed, 0 failed, 1 not filed now" in res.stdout
    assert (archive / "inbox" / "rosak.bin").read_bytes() == b"\x00\x01\x02 refused"


@pytest.fixture
def nobody_archive(tmp_path: Path) -> Iterator[Path]:
    """An archive a non-root user owns, for what root cannot be refused (an unreadable
    file); skipped where there is no such user or no setpriv."""
    if os.geteuid() != 0 or not shutil.which("setpriv"):
        pytest.skip("needs root and setpriv to run ika as another user")
    probe = subprocess.run([*NOBODY, sys.executable, "-c", "import click, sqlalchemy"],
                           cwd=ROOT, capture_output=True)
    if probe.returncode != 0:
        pytest.skip("this Python cannot be run by another user here")
    base = Path(tempfile.mkdtemp(prefix="ika-nobody-"))
    os.chmod(base, 0o755)
    root = base / "archive"
    res = CliRunner().invoke(main, ["init", "--archive", str(root)])
    assert res.exit_code == 0
    set_filing(root, settle_seconds=0.2)
    subprocess.run(["chown", "-R", "65534:65534", str(base)], check=True)
    try:
        yield root
    finally:
        shutil.rmtree(base, ignore_errors=True)


NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]


def test_watch_once_returns_when_a_file_cannot_be_read(nobody_archive: Path) -> None:
    archive = nobody_archive
    locked = archive / "inbox" / "terkunci.pdf"
    locked.write_bytes(b"%PDF-1.4 secret")
    os.chown(locked, 0, 0)
    os.chmod(locked, 0o600)
    ok = archive / "inbox" / "boleh.txt"
    ok.write_text("boleh dibaca", encoding="utf-8")
    os.chown(ok, 65534, 65534)
    res = run(archive, "watch", "--once", timeout=60, user=NOBODY)
    no_traceback(res)
    assert res.returncode == 0, res.stderr
    assert res.stdout.count("terkunci.pdf: cannot be read (Permission denied)") == 1
    assert "2 file(s): 1 filed, 0 failed, 1 not filed now" in res.stdout, res.stdout
    assert locked.read_bytes() == b"%PDF-1.4 secret"


def test_watch_once_gives_up_on_a_file_held_open_and_does_not_count_it(archive: Path) -> None:
    held = archive / "inbox" / "sedang-ditulis.txt"
    f = open(held, "wb")  # noqa: SIM115 - a writer that never finishes
    try:
        f.write(b"separuh")
        f.flush()
        (archive / "inbox" / "siap.txt").write_text("siap", encoding="utf-8")
        start = time.monotonic()
        res = run(archive, "watch", "--once", timeout=60)
        assert time.monotonic() - start < 20
    finally:
        f.close()
    no_traceback(res)
    assert "still being written" in res.stdout
    assert "2 file(s): 1 filed, 0 failed, 1 not filed now" in res.stdout, res.stdout
    assert held.read_bytes() == b"separuh" and len(docs(archive)) == 1


# --- moderate: one huge scan; limits per document ---------------------------------------------


def test_one_huge_scan_is_refused_by_the_page_limit_and_others_are_filed(
        archive: Path, tmp_path: Path) -> None:
    huge = huge_pdf(archive / "inbox" / "imbasan-besar.pdf", 20000)
    assert huge.stat().st_size < 5 * 1024 * 1024
    (archive / "inbox" / "surat.txt").write_text("Surat biasa.", encoding="utf-8")
    start = time.monotonic()
    res = cli(archive, "watch", "--once")
    took = time.monotonic() - start
    no_traceback(res)
    assert took < 30, took
    assert "20000 pages, the limit is 1000 per document (ika.toml [filing] max_pages)" \
        in res.stdout, res.stdout
    reason = (archive / "failed" / "imbasan-besar.pdf.reason.txt").read_text()
    assert "too-large" in reason
    assert [r["name"] for r in docs(archive)] == ["surat.txt"]


@pytest.mark.parametrize("key,text", [
    ("max_pages", "0"), ("max_pages", "2.5"), ("max_pages", '"banyak"'), ("max_pages", "-1"),
    ("max_seconds_per_document", "0"), ("max_seconds_per_document", "nan"),
    ("max_seconds_per_document", "inf"), ("max_seconds_per_document", "1e9"),
])
def test_the_limits_per_document_are_checked_like_other_settings(archive: Path, key: str,
                                                                 text: str) -> None:
    toml = archive / "ika.toml"
    toml.write_text("\n".join(f"{key} = {text}" if ln.startswith(f"{key} =") else ln
                              for ln in toml.read_text().splitlines()) + "\n")
    res = CliRunner().invoke(main, ["watch", "--once", "--archive", str(archive)])
    assert res.exit_code == 1 and f"filing.{key} must be" in res.output, res.output
    assert "Traceback" not in res.output


# --- moderate: each process owns its own work folder -----------------------------------------

HOLDER = """
import sys, time
from pathlib import Path
from pipeline import workdir
folder = workdir.own(Path(sys.argv[1]))
(folder / "in-progress.docx").write_bytes(b"work in progress")
print(folder, flush=True)
time.sleep(60)
"""


def test_a_watcher_starting_never_wipes_a_running_process_work(archive: Path) -> None:
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(archive)], cwd=ROOT,
                              stdout=subprocess.PIPE, text=True)
    try:
        folder = Path(holder.stdout.readline().strip())
        stale = archive / ".work" / "12345-deadbeef"  # a killed process's, lock file free
        stale.mkdir()
        (stale / ".owner").touch()
        (stale / "ocr-left.pdf").write_bytes(b"x")
        res = cli(archive, "watch", "--once")
        no_traceback(res)
        assert (folder / "in-progress.docx").read_bytes() == b"work in progress"
        assert not stale.exists()
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()
    cli(archive, "watch", "--once")
    assert not folder.exists()  # its process is gone: now it is stale


# --- issue 11: the members a text lists are its countries ------------------------------------


def test_an_efta_croatia_text_is_found_by_a_member_country(ika, archive: Path,
                                                           tmp_path: Path) -> None:
    src = tmp_path / "efta-croatia.txt"
    shutil.copyfile(EFTA_CROATIA, src)
    ika("file", str(src))
    (row,) = docs(archive)
    assert {"HR", "NO", "IS", "LI", "CH"} <= set(json.loads(row["countries"]))
    found = json.loads(ika("search", "--country", "Norway", "--json").stdout)
    assert [h["doc_id"] for h in found["hits"]] == [row["id"]]


# --- fuzz: random bytes, names and settings --------------------------------------------------


def _fuzz_names() -> object:
    from hypothesis import strategies as st

    letters = st.text(st.characters(blacklist_categories=["Cs", "Cc"],
                                    blacklist_characters="/\\"), min_size=1, max_size=40)
    raw = st.binary(min_size=1, max_size=30).map(
        lambda b: os.fsdecode(bytes(c for c in b if c not in (0, 47)) or b"x"))
    long = st.integers(200, 250).map(lambda n: "p" * n)
    dashed = letters.map(lambda s: "-" + s)
    dotted = letters.map(lambda s: s + "." + s)
    return st.one_of(letters, raw, long, dashed, dotted).map(
        lambda s: s.replace("\x00", "") or "n").filter(
        lambda s: 0 < len(os.fsencode(s)) <= 250 and s not in (".", ".."))


def test_fuzz_random_bytes_names_and_settings_file_or_fail_with_a_reason(tmp_path: Path) -> None:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    contents = st.one_of(
        st.binary(min_size=0, max_size=300),
        st.text(min_size=1, max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass")),
        st.just(b"%PDF-1.4\n garbage"), st.just(b"PK\x03\x04 not a docx"),
    )
    knobs = st.fixed_dictionaries({
        "max_size_mb": st.sampled_from([0.001, 200]),
        "max_pages": st.sampled_from([1, 1000]),
        "settle_seconds": st.sampled_from([0, 0.1]),
    })
    counter = iter(range(10**6))
    template = tmp_path / "template"  # one `ika init`, copied for each example
    assert CliRunner().invoke(main, ["init", "--archive", str(template)]).exit_code == 0

    @settings(max_examples=30, deadline=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(items=st.lists(st.tuples(_fuzz_names(), contents), min_size=1, max_size=4,
                          unique_by=lambda t: t[0].casefold()),
           knob=knobs, via_watch=st.booleans())
    def check(items: list[tuple[str, bytes]], knob: dict[str, float], via_watch: bool) -> None:
        root = tmp_path / f"a{next(counter)}"
        runner = CliRunner()
        shutil.copytree(template, root)
        set_filing(root, **knob)
        inbox = root / "inbox"
        paths = []
        for name, data in items:
            p = inbox / name
            with open(os.fsencode(p), "wb") as f:
                f.write(data)
            paths.append((p, data))
        if via_watch:
            res = runner.invoke(main, ["watch", "--once", "--archive", str(root)])
        else:
            res = runner.invoke(main, ["file", *[str(p) for p, _ in paths],
                                       "--archive", str(root)])
        assert res.exception is None or isinstance(res.exception, SystemExit), res.output
        assert "Traceback" not in res.output
        stored = {r["sha256"] for r in docs(root)}
        for p, data in paths:
            if via_watch and is_ignored(p, inbox):  # lock files, partial downloads, dot-files
                assert Path(os.fsencode(p).decode("utf-8", "surrogateescape")).read_bytes() \
                    == data
                continue
            sha = hashlib.sha256(data).hexdigest()
            if sha in stored:  # filed byte for byte (or a duplicate of what is filed)
                assert not os.path.lexists(p)
                continue
            moved = [q for q in every_regular_file(root / "failed")
                     if not q.name.endswith(".reason.txt") and q.read_bytes() == data]
            assert moved, (p, data, res.output)
            assert moved[0].with_name(moved[0].name + ".reason.txt").is_file()
        for r in docs(root):
            got = (root / r["path"]).read_bytes()
            assert hashlib.sha256(got).hexdigest() == r["sha256"]
        check_res = runner.invoke(main, ["verify", "--archive", str(root)])
        assert check_res.exit_code == 0, check_res.output
        shutil.rmtree(root, ignore_errors=True)

    check()


# --- slow: OCR races, real kills of LibreOffice and OCR ---------------------------------------


@pytest.mark.slow
def test_a_link_swapped_in_during_ocr_is_never_followed(archive: Path, watcher,
                                                        tmp_path: Path) -> None:
    secret = tmp_path / "rahsia.txt"
    token = f"RAHSIA-{os.urandom(8).hex()}"
    secret.write_text(token, encoding="utf-8")
    w = watcher()
    target = archive / "inbox" / "imbasan.pdf"
    scan = scan_pdf(tmp_path / "imbasan.pdf", "PERJANJIAN ALPHA")
    shutil.copyfile(scan, target)
    wait_for(lambda: "ocr start" in w.text(), 60, "OCR to start")
    target.unlink()
    target.symlink_to(secret)
    wait_for(lambda: not os.path.lexists(target), 60, "the link to be dealt with")
    wait_for(lambda: "a link, not a document" in w.text(), 30, "the link quarantined")
    rows = docs(archive)
    assert [r["sha256"] for r in rows] == [hashlib.sha256(scan.read_bytes()).hexdigest()]
    assert "ALPHA" in rows[0]["text"]
    for p in every_regular_file(archive):  # files/, failed/, the register, the index
        assert token.encode() not in p.read_bytes(), p
    assert (archive / "failed" / "imbasan.pdf").is_symlink()
    assert w.alive()


@pytest.mark.slow
def test_a_scan_overwritten_during_ocr_keeps_bytes_and_text_together(
        archive: Path, watcher, tmp_path: Path) -> None:
    first = scan_pdf(tmp_path / "pertama.pdf", "PERTAMA ALPHA")
    second = scan_pdf(tmp_path / "kedua.pdf", "KEDUA BRAVO")
    w = watcher()
    target = archive / "inbox" / "imbasan.pdf"
    shutil.copyfile(first, target)
    wait_for(lambda: "ocr start" in w.text(), 60, "OCR to start")
    with open(target, "r+b") as f:  # overwritten in place: the same inode, other bytes
        f.truncate(0)
        f.write(second.read_bytes())
    wait_for(lambda: len(docs(archive)) == 2 and not target.exists(), 120,
             "both versions filed", )
    by_sha = {r["sha256"]: r for r in docs(archive)}
    one = by_sha[hashlib.sha256(first.read_bytes()).hexdigest()]
    two = by_sha[hashlib.sha256(second.read_bytes()).hexdigest()]
    assert "ALPHA" in one["text"] and "BRAVO" not in one["text"]
    assert "BRAVO" in two["text"] and "ALPHA" not in two["text"]
    for row in (one, two):
        assert (archive / row["path"]).read_bytes() in (first.read_bytes(), second.read_bytes())
    assert "filed again as it is now" in w.text()
    verify_clean(archive)


@pytest.mark.slow
def test_ocr_never_holds_the_inbox_and_stops_at_the_time_limit(archive: Path, watcher,
                                                                tmp_path: Path) -> None:
    set_filing(archive, max_seconds_per_document=5)
    long_scan = scan_pdf(archive / "inbox" / "panjang.pdf", "HALAMAN", pages=30)
    w = watcher()
    wait_for(lambda: "ocr start" in w.text(), 60, "OCR to start")
    (archive / "inbox" / "surat.txt").write_text("Surat semasa OCR berjalan.", encoding="utf-8")
    wait_for(lambda: any(r["name"] == "surat.txt" for r in docs(archive)), 4,
             "a text file filed while the OCR runs")
    wait_for(lambda: (archive / "failed" / "panjang.pdf.reason.txt").exists(), 60,
             "the scan to reach its time limit")
    reason = (archive / "failed" / "panjang.pdf.reason.txt").read_text()
    assert "time limit of 5 s per document" in reason and "too-large" not in reason
    assert "kind:     error" in reason and "ika retry" in reason  # the server's limit
    # The letter did not wait for the scan. The reason file is written before the outcome
    # is logged, so wait for both lines.
    wait_for(lambda: "failed  inbox/panjang.pdf" in w.text() and "filed   inbox/surat.txt"
             in w.text(), 30, "both outcomes in the log")
    log = w.text()
    assert log.index("filed   inbox/surat.txt") < log.index("failed  inbox/panjang.pdf")
    assert not long_scan.exists() and w.alive()
    ocr_child = subprocess.run(["pgrep", "-f", f"ocrmypdf .*{archive}"], capture_output=True,
                               text=True).stdout
    assert not ocr_child.strip()


def _failed_with(archive: Path, data: bytes) -> list[Path]:
    """The documents in failed/ holding exactly `data` (links never followed)."""
    return [p for p in every_regular_file(archive / "failed")
            if not p.name.endswith(".reason.txt") and p.read_bytes() == data]


@pytest.mark.slow
def test_a_scan_replaced_while_its_ocr_fails_is_kept_in_failed(archive: Path, watcher) -> None:
    """The reviewer's reproduction: a scan hits the time limit while another file is moved
    over its name. The bytes that failed go to failed/ from the private copy, with their
    reason; the new file is filed on its own — nothing is lost."""
    set_filing(archive, max_seconds_per_document=3)
    scan = (CORPUS / "scans" / "c02-22.pdf").read_bytes()
    other = (CORPUS / "pdf" / "negzero.pdf").read_bytes()
    inbox = archive / "inbox"
    w = watcher()
    (inbox / "q.pdf").write_bytes(scan)
    wait_for(lambda: "q.pdf: ocr start" in w.text(), 60, "OCR to start")
    (inbox / ".t").write_bytes(other)
    os.replace(inbox / ".t", inbox / "q.pdf")  # mv -f: another file takes the name
    wait_for(lambda: bool(_failed_with(archive, scan)) and len(docs(archive)) == 1
             and not os.path.lexists(inbox / "q.pdf"), 60, "both versions dealt with")
    assert [r["sha256"] for r in docs(archive)] == [hashlib.sha256(other).hexdigest()]
    (kept,) = _failed_with(archive, scan)
    reason = kept.with_name(kept.name + ".reason.txt").read_text(encoding="utf-8")
    assert "time limit of 3 s per document" in reason and "kind:     error" in reason
    assert "another file now has its name" in reason and "from:     " in reason
    assert kept.parent == archive / "failed" and kept.name.startswith("q")
    assert oct(kept.stat().st_mode & 0o777) == oct(0o644)
    log = w.text()
    assert "Traceback" not in log and w.alive()
    # the private copies went with them (the new file's a moment after its entry left)
    wait_for(lambda: not list((archive / ".work").glob("*/file-*")), 10, "private copies gone")
    assert w.stop() == 0


@pytest.mark.slow
def test_a_scan_swapped_for_a_link_while_tesseract_gives_up_is_kept_in_failed(
        archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The OCR lane (the quick lane's handoff, as the watcher passes it on) with a page
    Tesseract gives up on, while the entry is swapped for a link: the scan's bytes go to
    failed/ with their reason, the link goes there as a link, the secret is never read."""
    from pipeline.archive import open_archive
    from pipeline.filing import extract_ocr
    from pipeline.filing.intake import process

    monkeypatch.setattr(extract_ocr, "TESSERACT_TIMEOUT_S", 0.01)
    secret = tmp_path / "rahsia.txt"
    token = f"RAHSIA-{os.urandom(8).hex()}"
    secret.write_text(token, encoding="utf-8")
    scan = (CORPUS / "scans" / "c02-22.pdf").read_bytes()
    entry = archive / "inbox" / "q.pdf"
    entry.write_bytes(scan)
    arc = open_archive(archive)
    queued = process(arc, entry, index=False, ocr=False)
    assert queued.status == "queued" and queued.handoff is not None

    def log(line: str) -> None:  # the swap, timed by the filing's own log
        if "q.pdf: ocr start" in line:
            entry.unlink()
            entry.symlink_to(secret)

    out = process(arc, entry, index=False, log=log, handoff=queued.handoff)
    assert out.status == "failed" and out.kind == "error", out
    assert "Tesseract's per-page limit" in (out.reason or "")
    (kept,) = _failed_with(archive, scan)
    assert out.dest == kept
    reason = kept.with_name(kept.name + ".reason.txt").read_text(encoding="utf-8")
    assert "Tesseract's per-page limit" in reason and "another file now has its name" in reason
    assert entry.is_symlink() and not queued.handoff.job.exists()  # the link: on its own
    link = process(arc, entry, index=False)
    assert link.status == "failed" and "a link" in (link.reason or "")
    assert link.dest is not None and link.dest.is_symlink() and link.dest != kept
    assert not os.path.lexists(entry) and docs(archive) == []
    for p in every_regular_file(archive):
        assert token.encode() not in p.read_bytes(), p


@pytest.mark.slow
def test_killed_pdf_make_and_scan_mid_filing_never_block(archive: Path, watcher,
                                                         tmp_path: Path) -> None:
    case_id = new_case(archive)
    make = subprocess.Popen(ika_cmd("doc", "make", case_id, "makluman-bahagian", "--pdf",
                                    "--archive", str(archive)), cwd=ROOT, env=env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    time.sleep(2)
    os.killpg(make.pid, signal.SIGKILL)
    make.wait()
    w = watcher()
    scan = scan_pdf(tmp_path / "imbasan.pdf", "PERJANJIAN CHARLIE")
    shutil.copyfile(scan, archive / "inbox" / "imbasan.pdf")
    wait_for(lambda: "ocr start" in w.text(), 60, "OCR to start")
    w.stop(signal.SIGKILL)
    again = run(archive, "doc", "make", case_id, "makluman-bahagian", "--pdf", timeout=300)
    once = run(archive, "watch", "--once", timeout=300)
    no_traceback(again, once)
    assert again.returncode == 0 and again.stdout.count(case_id) == 2, again.stderr
    assert once.returncode == 0 and " filed   inbox/imbasan.pdf" in once.stdout, once.stdout
    run(archive, "verify", "--repair")
    verify_clean(archive)


@pytest.mark.slow
def test_a_watcher_starting_leaves_a_running_pdf_make_alone(archive: Path) -> None:
    case_id = new_case(archive)
    make = subprocess.Popen(ika_cmd("doc", "make", case_id, "makluman-bahagian", "--pdf",
                                    "--archive", str(archive)), cwd=ROOT, env=env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_for(lambda: any((archive / ".work").glob("*/tmp*/*.docx")), 30,
             "the letter rendered in the make's work folder")
    watch = run(archive, "watch", "--once")
    out, err = make.communicate(timeout=300)
    no_traceback(watch)
    assert make.returncode == 0, err
    assert out.count(case_id) == 2  # the .docx and its .pdf
    verify_clean(archive)


def test_without_hard_links_a_name_is_still_never_replaced(tmp_path: Path) -> None:
    """The fallback for file systems without os.link (some network shares)."""
    from pipeline.filing.store import _rename_noreplace

    a, b = tmp_path / "a", tmp_path / "b"
    a.write_text("pertama")
    assert _rename_noreplace(a, b) and b.read_text() == "pertama" and not a.exists()
    a.write_text("kedua")
    assert not _rename_noreplace(a, b) and b.read_text() == "pertama" and a.exists()
