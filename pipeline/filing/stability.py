"""Deciding when a file is complete: its size and mtime unchanged for a settle time. Clerks
copy large scans over slow shares; a half-written file is never taken. (That a writer which
merely paused is not cut short is pipeline.filing.snapshot's part: a file still open for writing is
not taken, and an inbox entry is removed only while it is the very file that was filed.)

Entries are looked at without following links: a link is tracked as the link it is (intake
quarantines it, never reading what it points to); named pipes, sockets and devices are
never tracked, as opening them could block or touch hardware. A file that cannot be opened
is still handed over when it has settled: intake reports it once, instead of the watcher
waiting for it for ever."""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass
class _Seen:
    size: int
    mtime_ns: int
    since: float


class StabilityTracker:
    def __init__(self, settle: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.settle = settle
        self.clock = clock
        self._seen: dict[Path, _Seen] = {}

    def __len__(self) -> int:
        return len(self._seen)

    def __contains__(self, path: Path) -> bool:
        return path in self._seen

    def observe(self, path: Path) -> None:
        """Note that something happened to `path`; its settle time starts (again) now."""
        try:
            st = os.lstat(path)
        except OSError:
            self._seen.pop(path, None)
            return
        if not (stat.S_ISREG(st.st_mode) or stat.S_ISLNK(st.st_mode)):  # a pipe would block
            self._seen.pop(path, None)
            return
        self._seen[path] = _Seen(st.st_size, st.st_mtime_ns, self.clock())

    def ready(self) -> list[Path]:
        """Files that have settled; they stop being tracked once returned."""
        now = self.clock()
        out = []
        for path, seen in list(self._seen.items()):
            try:
                st = os.lstat(path)
            except OSError:
                del self._seen[path]  # gone (moved away or deleted)
                continue
            if (st.st_size, st.st_mtime_ns) != (seen.size, seen.mtime_ns):
                self._seen[path] = _Seen(st.st_size, st.st_mtime_ns, now)
                continue
            if now - seen.since >= self.settle:
                del self._seen[path]
                out.append(path)
        return sorted(out)

    def next_due(self) -> float | None:
        """Seconds until the earliest tracked file may be ready, for the event loop's sleep."""
        if not self._seen:
            return None
        now = self.clock()
        return max(0.0, min(s.since + self.settle - now for s in self._seen.values()))
