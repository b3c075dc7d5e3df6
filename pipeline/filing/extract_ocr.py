"""Run OCRmyPDF in a child process for one job folder: progress, time limits, failure reasons."""

# OCR runs the OCRmyPDF command line in a child process (``python -m ocrmypdf``) rather than
# ``ocrmypdf.ocr()`` in-process: OCRmyPDF's own docs recommend a child process for isolation; it
# changes process-wide state (logging, Pillow's pixel limit, plugin registry; one run per process
# at a time); a crash of Tesseract or Ghostscript cannot take down the watcher; a run that hangs
# can be killed with its whole process group; and per-page progress still arrives through a tiny
# OCRmyPDF progress-bar plugin that prints to the child's stderr.

from __future__ import annotations

import math
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from functools import cache
from pathlib import Path
from typing import Any

from pipeline.errors import ExtractionError
from pipeline.filing.extract_base import (
    NEEDS_PASSWORD,
    OURS,
    RETRY_HINT,
    OcrSettings,
    Progress,
    time_limit_error,
)

OCR_TIMEOUT_BASE_S = 120
OCR_TIMEOUT_PER_PAGE_S = 240  # above OCRmyPDF's own 180 s Tesseract limit per page
TESSERACT_TIMEOUT_S = 180.0  # Tesseract's limit per page (OCRmyPDF's default)

_PROGRESS_TAG = "@ika-progress\t"
_TESSERACT_TIMED_OUT = "took too long to OCR"  # OCRmyPDF's warning for a page it skipped


_PLUGIN_SOURCE = '''"""Written by IKA Records: report OCRmyPDF progress on stderr for the parent."""
import sys

from ocrmypdf import hookimpl


class Progress:
    def __init__(self, *, total=None, desc=None, unit=None, disable=False, **kwargs):
        self.total, self.desc, self.done, self.shown = total, desc, 0.0, -1

    def __enter__(self):
        self._show()
        return self

    def __exit__(self, *exc_info):
        return False

    def update(self, n=1, *, completed=None):
        self.done = completed if completed is not None else self.done + n
        self._show()

    def _show(self):
        if int(self.done) != self.shown:
            self.shown = int(self.done)
            sys.stderr.write(f"@ika-progress\\t{self.desc}\\t{self.shown}\\t{self.total}\\n")
            sys.stderr.flush()


@hookimpl
def get_progressbar_class():
    return Progress
'''


def _new_job(work_dir: Path) -> Path:
    """A fresh directory with safe ASCII names for one run (whatever the file is called)."""
    return Path(tempfile.mkdtemp(prefix="ika-ocr-", dir=work_dir))


@contextmanager
def ocr_job(work_dir: Path) -> Iterator[Path]:
    """A job directory that is removed if the run fails (it may hold a decrypted copy)."""
    job = _new_job(work_dir)
    try:
        yield job
    except BaseException:
        shutil.rmtree(job, ignore_errors=True)
        raise


def run_ocrmypdf(
    source: Path, job: Path, ocr: OcrSettings, extra: list[str], ocr_pages: int
) -> tuple[Path, str]:
    """OCR `source` into job/ocr.pdf; return it and the recognised text (pages split by \f).

    ``--mode redo`` with ``--pages`` OCRs exactly the pages we found to be scans, even one
    carrying a few words of real text (a stamp, a page number), which ``--mode skip`` would
    pass over; pages outside ``--pages`` are copied with their text untouched.
    """
    plugin = job / "ika_ocr_progress.py"
    plugin.write_text(_PLUGIN_SOURCE, encoding="utf-8")
    output, sidecar = job / "ocr.pdf", job / "ocr.txt"
    args = [
        "--language", ocr.languages,
        "--mode", "redo",
        *_pdfa_args(),
        "--sidecar", str(sidecar),
        "--max-image-mpixels", str(max(1, math.ceil(ocr.max_pixels / 1_000_000))),
        "--tesseract-timeout", str(TESSERACT_TIMEOUT_S),
        "--plugin", str(plugin),
        # Only our copy loses its signature; the signed original is filed untouched.
        "--invalidate-digital-signatures",
        *extra,
        str(source),
        str(output),
    ]  # fmt: skip
    ocr.progress(f"ocr start: {ocr_pages} page(s)")
    code, errors = _run_child(args, job, ocr, ocr_pages)
    if code != 0:
        raise _ocr_failure(code, errors, source)
    if any(_TESSERACT_TIMED_OUT in line for line in errors):
        # OCRmyPDF leaves such a page without text and succeeds: the scan would be filed
        # unsearchable for good. It is the server's limit, not the scan's fault: retry it.
        raise ExtractionError(
            "OCR ran out of time on a page (Tesseract's per-page limit; the server is busy) — "
            f"{RETRY_HINT} when the server is less busy",
            OURS,
        )
    text = sidecar.read_text(encoding="utf-8", errors="replace")
    _tidy_job(job, keep={output.name})
    if not _is_pdfa(output):
        ocr.progress("ocr: the result is a searchable PDF but not PDF/A (fonts it cannot check)")
    ocr.progress("ocr done")
    return output, text


@cache
def _pdfa_args() -> tuple[str, ...]:
    """PDF/A where possible, without letting a broken Ghostscript touch existing text.

    Ghostscript 10.0.0-10.02.0 (Debian 12 ships 10.0.0) corrupts pages that keep their text,
    which OCRmyPDF 17 refuses for ``--output-type pdfa`` with skip/redo modes but would still
    use as the fallback of ``--output-type auto``. With such a Ghostscript (or none) only
    OCRmyPDF's internal PDF/A writer is used: the result is PDF/A-2b when pikepdf's validator
    confirms it, else a plain searchable PDF. With a sound Ghostscript, OCRmyPDF's default
    best-effort PDF/A applies.
    """
    version = _ghostscript_version()
    if version is None or (10, 0, 0) <= version < (10, 2, 1):
        return ("--output-type", "auto", "--pdfa-backend", "internal")
    return ("--output-type", "auto")


def _ghostscript_version() -> tuple[int, ...] | None:
    """Version of the installed ``gs``, or None if there is none."""
    try:
        found = subprocess.run(
            ["gs", "--version"], capture_output=True, text=True, timeout=30, check=True
        )
        return tuple(int(part) for part in found.stdout.strip().split("."))
    except (OSError, subprocess.SubprocessError, ValueError):
        return None


def _is_pdfa(pdf: Path) -> bool:
    """True if the file declares PDF/A conformance (OCRmyPDF only declares what it checked)."""
    import pikepdf

    with pikepdf.open(pdf) as document:
        return bool(document.open_metadata().pdfa_status)


def _run_child(
    args: list[str], job: Path, ocr: OcrSettings, ocr_pages: int
) -> tuple[int, list[str]]:
    """Run ``python -m ocrmypdf`` in its own process group, relaying progress; kill on timeout."""
    tmp = job / "tmp"
    tmp.mkdir(exist_ok=True)
    env = child_env(tmp)
    timeout = OCR_TIMEOUT_BASE_S + OCR_TIMEOUT_PER_PAGE_S * max(ocr_pages, 1)
    remaining = ocr.remaining()
    ours = remaining is not None and remaining < timeout  # the document's limit comes first
    if ours:
        ocr.check_time()
        timeout = max(int(remaining or 0), 1)
    try:
        child = _start_child(args, job, env)
    except OSError as error:
        raise ExtractionError(
            f"OCR could not run: cannot start OCRmyPDF ({error.strerror or error}) — "
            f"{RETRY_HINT} once the server is fixed",
            OURS,
        ) from error
    lines: queue.Queue[str | None] = queue.Queue()
    reader = threading.Thread(target=_pump, args=(child.stderr, lines), daemon=True)
    reader.start()
    try:
        errors = _relay(lines, ocr.progress, timeout)
    except TimeoutError as error:
        _kill_group(child)
        if ours:
            raise time_limit_error(ocr.max_seconds) from error
        raise ExtractionError(
            f"OCR was stopped after {timeout // 60} min (time limit) — {RETRY_HINT} when the "
            "server is less busy, or split the scan into smaller files",
            OURS,
        ) from error
    except BaseException:
        _kill_group(child)
        raise
    return child.wait(), errors


def child_env(tmp: Path) -> dict[str, str]:
    """The OCR child's environment: its own temporary folder, and one Tesseract thread per page
    unless the administrator set OMP_THREAD_LIMIT. OCRmyPDF still OCRs pages in parallel, but
    for a scan of fewer pages than cores it gives Tesseract several OpenMP threads, which spin
    on a busy server: one page of linn.pdf took 45 s instead of 7 s beside one busy core."""
    return {"OMP_THREAD_LIMIT": "1", **os.environ, "TMPDIR": str(tmp),
            "PYTHONIOENCODING": "utf-8"}


def _start_child(args: list[str], job: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """``python -m ocrmypdf ARGS`` in the job folder, in a process group of its own."""
    return subprocess.Popen(
        [sys.executable, "-m", "ocrmypdf", *args],
        cwd=job,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group: Tesseract/Ghostscript die with it
        preexec_fn=_die_with_parent,
    )


def _die_with_parent() -> None:
    """In the OCR child: be killed when the watcher dies, even by kill -9 (Linux), instead of
    running on as an orphan while the restarted watcher redoes the same file."""
    with suppress(OSError, AttributeError):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)


def _pump(stream: Any, lines: queue.Queue[str | None]) -> None:
    """Move the child's stderr lines into a queue (None at the end)."""
    with stream:
        for raw in stream:
            lines.put(raw.decode("utf-8", errors="replace").rstrip("\n"))
    lines.put(None)


def _relay(lines: queue.Queue[str | None], progress: Progress, timeout: float) -> list[str]:
    """Turn progress lines into progress() calls; keep the rest for error messages (the last
    twenty, and every page Tesseract gave up on, first)."""
    deadline = time.monotonic() + timeout
    other: list[str] = []
    timed_out: list[str] = []
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError
        try:
            line = lines.get(timeout=min(remaining, 1.0))
        except queue.Empty:
            continue
        if line is None:
            return timed_out + other
        if line.startswith(_PROGRESS_TAG):
            _report(line, progress)
        elif _TESSERACT_TIMED_OUT in line:
            timed_out.append(line.strip())
        elif line.strip():
            other = [*other[-19:], line.strip()]


def _report(line: str, progress: Progress) -> None:
    """OCRmyPDF's "OCR" bar becomes 'ocr page 3/12'; its other stages are too fine to show."""
    _, desc, done, total = [*line.split("\t"), "", "", ""][:4]
    if desc == "OCR" and done != "0":
        progress(f"ocr page {done}/{total}")


def _kill_group(child: subprocess.Popen[bytes]) -> None:
    """Stop the OCR child and everything it started (its own session, by its id)."""
    with suppress(ProcessLookupError):
        os.killpg(child.pid, signal.SIGKILL)
    child.wait()


def _tidy_job(job: Path, keep: set[str]) -> None:
    """Remove OCRmyPDF's temporary files and our input copy; keep the results."""
    for entry in job.iterdir():
        if entry.name in keep:
            continue
        if entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)


def _ocr_failure(code: int, errors: list[str], source: Path) -> ExtractionError:
    """Map OCRmyPDF's exit codes to a clerk's reason.

    Only a file OCRmyPDF cannot read (exit 2) or an encrypted one (8) is the document's fault;
    everything else (a missing program or language, a crash, no memory, a full disk) is this
    server's, and says what to fix and that `ika retry` files it afterwards.
    """
    last = errors[-1][:160] if errors else "no message"
    if code == 2:  # input_file
        what = "PDF" if source.suffix == ".pdf" else "image"
        return ExtractionError(f"damaged: not a readable {what} (OCR: {last})", "damaged")
    if code == 8:  # encrypted_pdf
        return ExtractionError(NEEDS_PASSWORD, "encrypted")
    return ExtractionError(_our_ocr_failure(code, errors, last), OURS)


def _our_ocr_failure(code: int, errors: list[str], last: str) -> str:
    """What went wrong on our side when OCRmyPDF failed, and what to do about it."""
    text = "\n".join(errors)
    program = re.search(r"(?:Could not find program|The program) '([^']+)'", text)
    if program:
        name = program.group(1)
        return (f"OCR could not run: {name} not found on this server — install it "
                f"(`make run` does) and {RETRY_HINT}")
    if "language data" in text:
        after = text.split("requested languages:", 1)[-1].strip().splitlines()
        langs = after[0].strip() if after and after[0].strip() else "?"
        return (f"OCR could not run: Tesseract has no language data for {langs!r} "
                "(ika.toml [filing] ocr_languages) — install the language (tesseract-ocr-"
                f"LANG) or correct the setting, then {RETRY_HINT}")
    if "No module named" in text:
        return f"OCR could not run: OCRmyPDF is not installed — run `make deps` and {RETRY_HINT}"
    if "No space left on device" in text or "Disk quota exceeded" in text:
        return f"OCR could not run: the server's disk is full — free space and {RETRY_HINT}"
    if "MemoryError" in text or code in (-signal.SIGKILL, 137):
        return (f"OCR ran out of memory on this server (exit {code}) — {RETRY_HINT} when "
                "the server is less busy, or split the scan into smaller files")
    if code == 3:  # missing_dependency
        return (f"OCR could not run: a program it needs is missing ({last}) — install it "
                f"(`make run` does) and {RETRY_HINT}")
    return (f"OCR failed on this server (exit {code}: {last}); the document itself may be "
            f"fine — {RETRY_HINT}, and tell IT if it fails again")
