"""Each process's own scratch folder, `<archive>/.work/<pid>-<random>/`.

Private copies of dropped files, OCR jobs and rendered letters live there. A process creates
its folder on first use, holds an exclusive `flock` on `<folder>/.owner` for as long as it
lives, and removes the folder when it exits. A folder whose lock can be taken belongs to a
process that died (killed, crashed, power cut): any process may remove it. A folder of a live
process is never touched, so starting a watcher no longer wipes the work of a running
`ika doc make --pdf` or `ika file` (issue 9). The lock, not the pid in the name, decides:
pids are reused; locks die with their process.
"""

from __future__ import annotations

import atexit
import fcntl
import os
import shutil
import tempfile
import threading
import time
from contextlib import suppress
from pathlib import Path

WORK = ".work"
OWNER = ".owner"
YOUNG_SECONDS = 3600  # a folder without its lock file yet: being created, or from an old run

_lock = threading.Lock()
_owned: dict[Path, tuple[int, Path, int]] = {}  # work root -> (pid, folder, lock fd)


def work_root(archive_root: Path) -> Path:
    return Path(os.path.abspath(archive_root)) / WORK


def own(archive_root: Path) -> Path:
    """This process's work folder in the archive (absolute; created, locked and cleaned up at
    exit). Stale folders of dead processes are removed the first time it is made."""
    root = work_root(archive_root)
    pid = os.getpid()
    with _lock:
        known = _owned.get(root)
        if known is not None and known[0] == pid and known[1].is_dir():
            return known[1]
        clean_stale(archive_root)
        root.mkdir(parents=True, exist_ok=True)
        folder = Path(tempfile.mkdtemp(prefix=f"{pid}-", dir=root))
        fd = os.open(folder / OWNER, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX)
        _owned[root] = (pid, folder, fd)
        if len(_owned) == 1:
            atexit.register(_release_all)
        return folder


def scratch(archive_root: Path, prefix: str = "job-") -> Path:
    """A fresh folder inside this process's work folder, for one job (the caller removes it)."""
    return Path(tempfile.mkdtemp(prefix=prefix, dir=own(archive_root)))


def clean_stale(archive_root: Path) -> list[Path]:
    """Remove the work folders of processes that are gone; return them. Scratch files of the
    old single `.work` layout (no lock file) are removed once they are an hour old."""
    root = work_root(archive_root)
    removed: list[Path] = []
    try:
        entries = list(os.scandir(root))
    except OSError:
        return removed
    mine = {v[1] for v in _owned.values() if v[0] == os.getpid()}
    for entry in entries:
        path = Path(entry.path)
        if path in mine:
            continue
        if entry.is_dir(follow_symlinks=False) and _dead(path):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
        elif not entry.is_dir(follow_symlinks=False) and _old(entry):
            try:
                os.unlink(entry.path)
                removed.append(path)
            except OSError:
                pass
    return removed


def _dead(folder: Path) -> bool:
    """True when no live process holds the folder's lock (or an old folder has none)."""
    try:
        fd = os.open(folder / OWNER, os.O_RDWR | os.O_CLOEXEC | os.O_NOFOLLOW)
    except FileNotFoundError:
        try:
            return time.time() - folder.stat().st_mtime > YOUNG_SECONDS
        except OSError:
            return False
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False  # held: its process is alive
    finally:
        os.close(fd)  # closing drops the lock we may have taken
    return True


def _old(entry: os.DirEntry[str]) -> bool:
    try:
        return time.time() - entry.stat(follow_symlinks=False).st_mtime > YOUNG_SECONDS
    except OSError:
        return False


def _release_all() -> None:
    pid = os.getpid()
    for root, (owner, folder, fd) in list(_owned.items()):
        if owner != pid:
            continue
        shutil.rmtree(folder, ignore_errors=True)
        with suppress(OSError):
            os.close(fd)
        _owned.pop(root, None)
        with suppress(OSError):
            root.rmdir()  # only when empty: other processes' folders stay
