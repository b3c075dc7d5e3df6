"""The inbox watcher: native events (or polling for network shares), a full rescan at start
and every few minutes, and the stability tracker deciding when a file is complete. Each
settled file goes through `intake.process`; a bad file never stops the loop.

Two lanes, so that one long OCR never holds the whole inbox (issue 9): the quick lane (the
watcher's own loop) files every settled document whose text can be read directly — text
PDFs, Word files, plain text — and every refusal (damaged, too large, a link, a duplicate);
a document that needs OCR is handed, untouched, to the OCR lane, one worker thread that OCRs
one document at a time (OCRmyPDF itself uses every core for the pages of that one). So a
20,000-page scan delays only the scans behind it, and even those no longer than the
per-document limits (`[filing] max_pages`, `max_seconds_per_document`); letters and text
files keep being filed meanwhile. A worker pool would let two big scans block everything;
OCR in parallel would only share the same two cores. The quick lane hands the OCR lane what
it did (pipeline.filing.preflight.Handoff): the private copy, its hash and the duplicate
check, so a scan is copied, hashed and checked once before OCR; the OCR lane goes on with
that copy only while the inbox entry is still the very file taken (else it takes it again
as it is now). A scan waiting for OCR keeps its private copy in the work folder meanwhile.

What cannot be filed now is said once, not on every pass: a file still being written is
tried again when it settles; a file that cannot be read, a path too long for the system, a
filed document that cannot be removed from a read-only inbox are each reported once (again
only if what is wrong changes) and left where they are. `--once` never waits for ever: a
file that stays busy is reported and left for the next run.

At start the watcher removes what dead processes left — their work folders
(pipeline.workdir) and partial copies in files/ — and sets aside files in files/ that the
register does not know (pipeline.filing.fixity.sweep). Work of a process still running (an
`ika doc make --pdf`, an `ika file`) is never touched.
"""

from __future__ import annotations

import os
import queue
import signal
import stat
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline import workdir
from pipeline.archive import Archive
from pipeline.errors import IkaError
from pipeline.filing.filters import is_ignored
from pipeline.filing.intake import Outcome, log_line, log_outcome, process
from pipeline.filing.outcome import log_repair
from pipeline.filing.preflight import Handoff
from pipeline.filing.snapshot import PATH_MAX, name_bytes, shown
from pipeline.filing.stability import StabilityTracker
from pipeline.search import index_documents

if TYPE_CHECKING:
    from pipeline.filing.fixity import Repair

Log = Callable[[str], None]
Problem = Callable[[Path, str], None]
BUSY_TRIES_ONCE = 8  # `--once`: a file still being written is tried this many times


def scan(root: Path, problems: Problem | None = None) -> list[Path]:
    """Every candidate document under `root`, sub-folders included: regular files, and links
    as the entries they are (to be quarantined, never followed; links to folders too).
    Dot-folders, temporary and system files are left out. A path too long for the system
    (over 4,095 bytes) or a folder that cannot be read is reported to `problems` and left
    out; the scan goes on."""
    out: list[Path] = []
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = list(it)
        except OSError as exc:
            if folder != root and problems is not None:
                problems(folder, f"folder cannot be read ({exc.strerror or exc}); left alone")
            continue
        for entry in entries:
            path = Path(entry.path)
            if name_bytes(os.path.abspath(entry.path)) >= PATH_MAX:
                if problems is not None and not entry.name.startswith("."):
                    problems(path, f"path too long ({name_bytes(os.path.abspath(entry.path))} "
                                   f"bytes; the system's limit is {PATH_MAX - 1}): move it to a "
                                   "shorter folder; left where it is")
                continue
            try:
                st = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            if stat.S_ISDIR(st.st_mode):
                if not entry.name.startswith("."):
                    stack.append(path)
            elif (stat.S_ISREG(st.st_mode) or stat.S_ISLNK(st.st_mode)) and not is_ignored(
                    path, root):
                out.append(path)
    return sorted(out)


def clean_leftovers(arc: Archive) -> list[Repair]:
    """Remove what dead processes left: their work folders and partial copies in files/ (a
    process still running keeps its own); set aside files the register does not know. Each
    thing done is logged (the filing's logger) and returned."""
    from pipeline.filing.fixity import sweep

    workdir.clean_stale(arc.root)
    done = sweep(arc)
    for repair in done:
        log_repair(repair)
    return done


def _what(outcome: Outcome) -> tuple[object, ...]:
    """What an outcome says of its path: said once, again only when it changes."""
    return (outcome.status, outcome.doc_id, outcome.case_id, outcome.how, outcome.reason,
            outcome.note)


class Watcher:
    def __init__(
        self,
        arc: Archive,
        *,
        poll: float | None = None,
        settle: float | None = None,
        rescan_seconds: float | None = None,
        ocr_lane: bool = True,
    ) -> None:
        s = arc.settings
        self.arc = arc
        self.inbox = arc.inbox
        self.poll = s.poll_seconds if poll is None else poll
        self.tracker = StabilityTracker(s.settle_seconds if settle is None else settle)
        self.rescan_seconds = (
            s.rescan_minutes * 60 if rescan_seconds is None else rescan_seconds
        )
        self.log: Log = log_line  # progress goes to the filing's logger (intake.logger)
        self.ocr_lane = ocr_lane
        self.stopping = threading.Event()
        self._lock = threading.RLock()
        self._wake = threading.Event()
        self.outcomes: list[Outcome] = []
        self._final: dict[Path, Outcome] = {}  # the last outcome of each path
        self._reported: dict[Path, object] = {}  # what was last said about a path not filed
        self._busy_tries: dict[Path, int] = {}
        self._once = False
        self._ocr_queue: queue.Queue[tuple[Path, Handoff | None] | None] = queue.Queue()
        self._ocr_pending: set[Path] = set()
        self._ocr_thread: threading.Thread | None = None

    # -- events ------------------------------------------------------------
    def notice(self, path: Path) -> None:
        if not path.is_relative_to(self.inbox) or is_ignored(path, self.inbox):
            return
        if os.path.isdir(path) and not os.path.islink(path):
            return
        with self._lock:
            if path not in self._ocr_pending:
                self.tracker.observe(path)
        self._wake.set()

    def rescan(self) -> None:
        for path in scan(self.inbox, self._problem):
            with self._lock:
                known = path in self.tracker or path in self._ocr_pending
            if not known:
                self.notice(path)

    def _problem(self, path: Path, why: str) -> None:
        """Say once what is wrong with a path (again only when it changes)."""
        with self._lock:
            self._final.setdefault(path, Outcome(path, "skipped", reason=why,
                                                 kind="unreadable"))
            if self._reported.get(path) == why:
                return
            self._reported[path] = why
        self.log(f"skipped {self._name(path)}: {why}")

    def _name(self, path: Path) -> str:
        try:
            name = shown(path.relative_to(self.arc.root).as_posix())
        except ValueError:
            name = shown(path)
        return name if len(name) <= 300 else f"{name[:120]}…{name[-120:]}"

    # -- work --------------------------------------------------------------
    def file_ready(self) -> int:
        """File the settled files of the quick lane; hand those needing OCR to the OCR lane.
        The quick lane's filed documents are indexed together, in one commit."""
        with self._lock:
            ready = [p for p in self.tracker.ready() if p not in self._ocr_pending]
        filed: list[str] = []
        try:
            for path in ready:
                if self.stopping.is_set():
                    self.notice(path)  # not started: leave it for the next run
                    break
                outcome = self._process(path, ocr=not self.ocr_lane)
                if outcome.status == "queued":
                    self._to_ocr_lane(path, outcome.handoff)
                    continue
                self._record(outcome)
                if outcome.status == "filed" and outcome.doc_id:
                    filed.append(outcome.doc_id)
        finally:
            if filed:
                index_documents(self.arc, filed)
        return len(ready)

    def _process(self, path: Path, *, ocr: bool, handoff: Handoff | None = None) -> Outcome:
        """intake.process, with anything unexpected turned into one log line: a file never
        stops the watcher."""
        try:
            return process(self.arc, path, log=self.log, index=False, ocr=ocr, handoff=handoff)
        except IkaError as exc:
            return Outcome(path, "skipped", reason=f"{exc}; left where it is", kind="error")
        except Exception as exc:  # a bug: said once, the file is kept, the watcher goes on
            detail = shown(f"{type(exc).__name__}: {exc}").splitlines()[0][:200]
            return Outcome(path, "skipped", kind="error",
                           reason=f"internal error ({detail}); left where it is — tell IT")

    def _record(self, outcome: Outcome) -> None:
        path = outcome.path
        with self._lock:
            self.outcomes.append(outcome)
            self._final[path] = outcome
        if outcome.status == "skipped" and outcome.kind == "busy":
            self._busy(outcome)
            return
        if outcome.status == "skipped" or outcome.kept:
            what = _what(outcome)
            with self._lock:
                said = self._reported.get(path) == what
                self._reported[path] = what
            if not said:
                log_outcome(self.arc, outcome)
            if outcome.kept and "filed again" in (outcome.note or ""):
                with self._lock:  # it changed after it was taken: file what it is now
                    tries = self._busy_tries.get(path, 0) + 1
                    self._busy_tries[path] = tries
                if not (self._once and tries >= BUSY_TRIES_ONCE):
                    self.notice(path)
            return
        with self._lock:
            self._reported.pop(path, None)
            self._busy_tries.pop(path, None)
        log_outcome(self.arc, outcome)
        if outcome.status == "failed" and os.path.lexists(path):
            # Another file took its name while it was read (the earlier version is kept in
            # failed/ from its private copy): the new file is filed on its own.
            self.notice(path)

    def _busy(self, outcome: Outcome) -> None:
        """Still being written: tried again once it settles (`--once`: a few times, then it
        is reported and left for the next run)."""
        path = outcome.path
        with self._lock:
            tries = self._busy_tries.get(path, 0) + 1
            self._busy_tries[path] = tries
        if self._once and tries >= BUSY_TRIES_ONCE:
            self._problem(path, f"{outcome.reason} — left in the inbox for the next run")
            return
        if tries == 1 or (not self._once and tries % 50 == 0):
            self.log(f"waiting {self._name(path)}: {outcome.reason}")
        self.notice(path)

    # -- the OCR lane ---------------------------------------------------------
    def _to_ocr_lane(self, path: Path, handoff: Handoff | None) -> None:
        """Queue `path` for the OCR lane with what the quick lane took of it (its handoff,
        which the lane files or discards)."""
        with self._lock:
            if path in self._ocr_pending:
                if handoff is not None:
                    handoff.discard()
                return
            self._ocr_pending.add(path)
            if self._ocr_thread is None:
                self._ocr_thread = threading.Thread(target=self._ocr_worker, name="ika-ocr",
                                                    daemon=True)
                self._ocr_thread.start()
        self.log(f"queued  {self._name(path)}: for OCR ({self._ocr_queue.qsize() + 1} "
                 "waiting); other files go on being filed")
        self._ocr_queue.put((path, handoff))

    def _ocr_worker(self) -> None:
        while True:
            item = self._ocr_queue.get()
            if item is None:
                return
            path, handoff = item
            try:
                if self.stopping.is_set():
                    if handoff is not None:
                        handoff.discard()
                    continue  # not started: it stays in the inbox for the next run
                outcome = self._process(path, ocr=True, handoff=handoff)
                if outcome.status == "filed" and outcome.doc_id:
                    index_documents(self.arc, [outcome.doc_id])
                with self._lock:
                    self._ocr_pending.discard(path)
                self._record(outcome)
            finally:
                with self._lock:
                    self._ocr_pending.discard(path)
                self._wake.set()

    def _stop_ocr_lane(self) -> None:
        with self._lock:
            thread = self._ocr_thread
            self._ocr_thread = None
        if thread is not None:
            self._ocr_queue.put(None)
            thread.join()

    def _busy_anywhere(self) -> bool:
        with self._lock:
            return bool(len(self.tracker) or self._ocr_pending)

    # -- running -----------------------------------------------------------
    def once(self) -> list[Outcome]:
        """File everything in the inbox now, waiting for files still being written (within
        reason), then return the last outcome of each file."""
        self._take_lock()
        self._once = True
        try:
            clean_leftovers(self.arc)
            self.rescan()
            while self._busy_anywhere() and not self.stopping.is_set():
                self.file_ready()
                with self._lock:
                    wait = self.tracker.next_due()
                self._wake.wait(timeout=min(wait if wait is not None else 0.5, 0.5) + 0.01)
                self._wake.clear()
        finally:
            self._stop_ocr_lane()
            self._lock_file.close()
        with self._lock:
            return list(self._final.values())

    def run(self) -> None:
        """Watch until stopped (SIGINT/SIGTERM); finish the files in hand before exiting."""
        self._take_lock()
        try:
            clean_leftovers(self.arc)
            self.inbox.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            self._lock_file.close()
            raise IkaError(f"cannot watch {self.inbox}: {exc.strerror or exc}") from None
        observer = self._observer()
        observer.start()
        mode = f"polling every {self.poll:g} s" if self.poll else "native events"
        self.log(f"watching {shown(self.inbox)} ({mode}); settle {self.tracker.settle:g} s")
        self.rescan()
        next_rescan = time.monotonic() + self.rescan_seconds
        try:
            while not self.stopping.is_set():
                self.file_ready()
                if time.monotonic() >= next_rescan:
                    self.rescan()
                    next_rescan = time.monotonic() + self.rescan_seconds
                with self._lock:
                    wait = self.tracker.next_due()
                self._wake.wait(timeout=min(wait + 0.05, 1.0) if wait is not None else 1.0)
                self._wake.clear()
        finally:
            observer.stop()
            observer.join(timeout=5)
            self._stop_ocr_lane()
            self._lock_file.close()
            self.log("stopped")

    def _take_lock(self) -> None:
        """One watcher per archive: a second would race the first for every file."""
        import fcntl

        self._lock_file = open(self.arc.root / ".watch.lock", "a+")  # noqa: SIM115 - held
        try:
            fcntl.flock(self._lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lock_file.close()
            raise IkaError(
                f"another `ika watch` is already running on {self.arc.root}"
            ) from None

    def stop(self, *_: object) -> None:
        self.stopping.set()
        self._wake.set()

    def install_signal_handlers(self) -> None:
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)

    def _observer(self):  # -> watchdog observer, imported lazily
        from watchdog.events import FileSystemEventHandler
        from watchdog.observers import Observer
        from watchdog.observers.polling import PollingObserver

        watcher = self

        class Handler(FileSystemEventHandler):
            def on_any_event(self, event) -> None:
                if event.event_type in ("created", "modified", "moved", "closed"):
                    target = getattr(event, "dest_path", "") or event.src_path
                    watcher.notice(Path(os.fsdecode(target)))

        observer = PollingObserver(timeout=self.poll) if self.poll else Observer()
        observer.schedule(Handler(), str(self.inbox), recursive=True)
        return observer
