"""The inbox watcher: native events (or polling for network shares), a full rescan at start
and every few minutes, and the stability tracker deciding when a file is complete. Each
settled file goes through `intake.process`; a bad file never stops the loop."""

from __future__ import annotations

import shutil
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path

from .archive import Archive
from .errors import IkaError
from .filters import is_ignored
from .intake import Outcome, process
from .search_sync import index_documents
from .stability import StabilityTracker

Log = Callable[[str], None]


def scan(inbox: Path) -> list[Path]:
    """Every candidate document under the inbox, sub-folders included."""
    if not inbox.exists():
        return []
    return sorted(p for p in inbox.rglob("*") if p.is_file() and not is_ignored(p, inbox))


def clean_leftovers(arc: Archive) -> None:
    """Remove the scratch files of a run that was killed: OCR work and partial copies.
    The documents themselves are still in the inbox and are simply filed again."""
    shutil.rmtree(arc.root / ".work", ignore_errors=True)
    if arc.files.exists():
        for part in arc.files.rglob(".*.part"):
            part.unlink(missing_ok=True)


class Watcher:
    def __init__(
        self,
        arc: Archive,
        *,
        poll: float | None = None,
        settle: float | None = None,
        rescan_seconds: float | None = None,
        log: Log = print,
    ) -> None:
        s = arc.settings
        self.arc = arc
        self.inbox = arc.inbox
        self.poll = s.poll_seconds if poll is None else poll
        self.tracker = StabilityTracker(s.settle_seconds if settle is None else settle)
        self.rescan_seconds = (
            s.rescan_minutes * 60 if rescan_seconds is None else rescan_seconds
        )
        self.log = log
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self.outcomes: list[Outcome] = []

    # -- events ------------------------------------------------------------
    def notice(self, path: Path) -> None:
        if not path.is_relative_to(self.inbox) or path.is_dir() or is_ignored(path, self.inbox):
            return
        with self._lock:
            self.tracker.observe(path)
        self._wake.set()

    def rescan(self) -> None:
        for path in scan(self.inbox):
            if path not in self.tracker:
                self.notice(path)

    # -- work --------------------------------------------------------------
    def file_ready(self) -> int:
        """File the settled files; index them together, in one commit, when all are done."""
        with self._lock:
            ready = self.tracker.ready()
        filed: list[str] = []
        try:
            for path in ready:
                if self.stopping.is_set():
                    self.notice(path)  # not started: leave it for the next run
                    break
                outcome = process(self.arc, path, log=self.log, index=False)
                self.outcomes.append(outcome)
                self.log(outcome.line(self.arc))
                if outcome.status == "filed" and outcome.doc_id:
                    filed.append(outcome.doc_id)
        finally:
            if filed:
                index_documents(self.arc, filed)
        return len(ready)

    def once(self) -> list[Outcome]:
        """File everything in the inbox now, waiting for files still being written."""
        self._take_lock()
        try:
            clean_leftovers(self.arc)
            self.rescan()
            while len(self.tracker) and not self.stopping.is_set():
                self.file_ready()
                wait = self.tracker.next_due()
                if wait:
                    time.sleep(min(wait, 0.5) + 0.01)
        finally:
            self._lock_file.close()
        return self.outcomes

    def run(self) -> None:
        """Watch until stopped (SIGINT/SIGTERM); finish the file in hand before exiting."""
        self._take_lock()
        clean_leftovers(self.arc)
        self.inbox.mkdir(parents=True, exist_ok=True)
        observer = self._observer()
        observer.start()
        mode = f"polling every {self.poll:g} s" if self.poll else "native events"
        self.log(f"watching {self.inbox} ({mode}); settle {self.tracker.settle:g} s")
        self.rescan()
        next_rescan = time.monotonic() + self.rescan_seconds
        try:
            while not self.stopping.is_set():
                self.file_ready()
                if time.monotonic() >= next_rescan:
                    self.rescan()
                    next_rescan = time.monotonic() + self.rescan_seconds
                wait = self.tracker.next_due()
                self._wake.wait(timeout=min(wait + 0.05, 1.0) if wait is not None else 1.0)
                self._wake.clear()
        finally:
            observer.stop()
            observer.join(timeout=5)
            self._lock_file.close()
            self.log("stopped")

    def _take_lock(self) -> None:
        """One watcher per archive: a second would race the first for every file, and its
        start-up clean-up would delete the first one's work in progress."""
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
                    watcher.notice(Path(str(target)))

        observer = PollingObserver(timeout=self.poll) if self.poll else Observer()
        observer.schedule(Handler(), str(self.inbox), recursive=True)
        return observer
