"""Taking a dropped file once, and letting go of it only if it is still that file.

Every later step of filing (hash, extraction, OCR, classification, the copy into files/) reads
a private copy made here, never the inbox path again: a file swapped for a link to
/etc/shadow, or overwritten with another PDF while its OCR runs, cannot reach the archive or
mix its bytes with another file's text (issue 9, severe 2). The inbox file is opened once:

- below a managed folder (the inbox, failed/) every folder on the way is opened relative to
  its parent with O_NOFOLLOW, so a sub-folder replaced by a link is refused, not followed;
- the file itself with O_NOFOLLOW (a link is refused: it is quarantined as a link) and
  O_NONBLOCK (a named pipe swapped in cannot block the watcher), and only if it is a regular
  file (fstat on that descriptor);
- its bytes are copied through that descriptor into the process's own work folder, hashed on
  the way; if the file changed while being copied it is left for the next attempt.

The inbox entry is removed (or moved to failed/) only while it is still the very file that
was taken: same device, inode, size, modification time and change time (ctime: every write
moves it, and no program can set it back, even one that restores the modification time — so
the bytes need not be read and hashed a second time), and no program holding it open for
writing (issue 9, severe 1: a writer that pauses longer than the settle time is no longer
cut short). Otherwise it stays where it is, and the watcher files it again as what it has
become. The private copy's hash, taken while copying, is the only hash of a dropped file:
the watcher's OCR lane goes on with the snapshot its quick lane took (`Snapshot.reopen`
opens the entry again the same way, and only while it is still the very file taken).

Limits, on purpose: a writer on *another machine* writing through a network share is seen
only through size and times (settle_seconds); between the last check and the unlink there
remain a few microseconds in which a program could open the file and write.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import os
import signal
import stat
from contextlib import suppress
from dataclasses import dataclass
from functools import cache
from pathlib import Path, PurePath
from typing import Any

from pipeline.errors import FilingError

CHUNK = 1 << 20
PATH_MAX = 4096
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC
_FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC


class LinkEntry(FilingError):
    """The entry is a symbolic link (or a folder on its way is): never followed."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason, "unsupported")


class Busy(FilingError):
    """Still being written, or changed while being read: try again later."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason, "busy")


LINK_REASON = "a link, not a document: put the file itself in the inbox"
GONE = "it is gone from where it was"
WRITING = "a program has it open for writing"


def shown(text: str | os.PathLike[str]) -> str:
    """A name as text that can be printed and stored: bytes that are not UTF-8 (a name from
    an old Windows share, `caf\\xe9.txt`) are written as \\xNN instead of crashing a print or
    an INSERT. Names that are valid UTF-8 are unchanged."""
    raw = os.fspath(text)
    return raw.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def name_bytes(name: str) -> int:
    return len(os.fsencode(name))


@dataclass(frozen=True)
class Identity:
    dev: int
    ino: int
    size: int
    mtime_ns: int
    ctime_ns: int  # changed by every write and metadata change; never set by a program

    @classmethod
    def of(cls, st: os.stat_result) -> Identity:
        return cls(st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


@dataclass(frozen=True)
class Place:
    """Where a path lies in a folder the archive manages (the inbox or failed/)."""

    folder: Path  # as the archive names it (arc.inbox / arc.failed)
    real: Path  # that folder with links resolved: the walk starts here
    rel: PurePath  # the path below it, never with links resolved


def locate(path: Path, folders: tuple[Path, ...]) -> Place | None:
    """The managed folder `path` lies in, judged on the path as written (a sub-folder that is
    a link still counts as inside: it is then refused, never followed), else on its folder
    with links resolved (the inbox reached through a link of its own)."""
    written = Path(os.path.abspath(path))
    for folder in folders:
        real = Path(os.path.realpath(folder))
        for base in (Path(os.path.abspath(folder)), real):
            if written != base and written.is_relative_to(base):
                return Place(folder, real, PurePath(written.relative_to(base)))
    try:
        resolved = Path(os.path.realpath(written.parent)) / written.name
    except OSError:
        return None
    for folder in folders:
        real = Path(os.path.realpath(folder))
        if resolved != real and resolved.is_relative_to(real):
            return Place(folder, real, PurePath(resolved.relative_to(real)))
    return None


def open_parent(path: Path, place: Place | None) -> tuple[int, str]:
    """A descriptor of the folder holding `path`, and the entry's name in it. Below a managed
    folder every step is taken with O_NOFOLLOW: a folder replaced by a link raises LinkEntry."""
    if place is None:
        return os.open(path.parent if str(path.parent) else ".", _DIR_FLAGS), path.name
    parts = place.rel.parts
    fd = os.open(place.real, _DIR_FLAGS)
    try:
        for part in parts[:-1]:
            try:
                nxt = os.open(part, _DIR_FLAGS | os.O_NOFOLLOW, dir_fd=fd)
            except OSError as exc:
                if exc.errno in (errno.ELOOP, errno.ENOTDIR):
                    raise LinkEntry(f"the folder {part!r} on its way is a link, not a folder: "
                                    "put the files themselves in the inbox") from None
                raise
            os.close(fd)
            fd = nxt
    except BaseException:
        os.close(fd)
        raise
    return fd, parts[-1]


class Snapshot:
    """One dropped file, taken: the open descriptor, its identity, and the private copy."""

    def __init__(self, path: Path, place: Place | None, dir_fd: int, name: str, fd: int,
                 copy: Path, sha256: str, ident: Identity) -> None:
        self.path = path
        self.place = place
        self.dir_fd = dir_fd
        self.name = name
        self.fd = fd
        self.copy = copy
        self.sha256 = sha256
        self.ident = ident
        # Why the entry is no longer the file taken, once that is known for good (`detach`):
        # the private copy is then all there is of it, and the entry is never touched.
        self.detached: str | None = None

    @property
    def size(self) -> int:
        return self.ident.size

    def close(self) -> None:
        for fd in (self.fd, self.dir_fd):
            if fd >= 0:
                with suppress(OSError):
                    os.close(fd)
        self.fd = self.dir_fd = -1

    def __enter__(self) -> Snapshot:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def detach(self, why: str) -> None:
        """The entry is no longer the file taken (`why`): from now on the snapshot stands for
        its private copy alone. It is filed (or kept in failed/) as that file; the entry is
        never removed or moved because of it (`changed` says `why`), and is filed on its own."""
        self.close()
        self.detached = why

    def reopen(self) -> str | None:
        """Open the entry again after `close`, as `take` opened it (every folder on the way
        and the file itself with O_NOFOLLOW), to go on with the private copy taken then (the
        watcher's OCR lane). None when it is still the very file taken — same identity, a
        regular file, no program holding it open for writing — and its descriptors are held
        again; else why it is not (GONE when there is no entry of that name any more), and
        nothing is held."""
        try:
            dir_fd, name = open_parent(self.path, self.place)
        except LinkEntry as exc:
            return exc.reason
        except FileNotFoundError:
            return GONE
        except OSError as exc:
            return f"it cannot be opened ({exc.strerror or exc})"
        fd = -1
        why: str | None = None
        try:
            lst = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
            if stat.S_ISREG(lst.st_mode) and Identity.of(lst) == self.ident:
                fd = os.open(name, _FILE_FLAGS, dir_fd=dir_fd)  # a link swapped in: ELOOP
                st = os.fstat(fd)
                if not stat.S_ISREG(st.st_mode) or Identity.of(st) != self.ident:
                    why = "it changed, or another file now has its name"
                elif writer_open(fd, self.ident):
                    why = WRITING
            else:
                why = "it changed, or another file now has its name"
        except FileNotFoundError:
            why = GONE
        except OSError as exc:
            why = f"it cannot be opened ({exc.strerror or exc})"
        except BaseException:
            why = "interrupted"
            raise
        finally:
            if why is not None:
                for opened in (fd, dir_fd):
                    if opened >= 0:
                        with suppress(OSError):
                            os.close(opened)
        if why is not None:
            return why
        self.dir_fd, self.name, self.fd = dir_fd, name, fd
        return None

    # -- is it still the file that was taken? ----------------------------------------------
    def changed(self) -> str | None:
        """None while the entry is still the very file taken; else why it is not (GONE when
        there is no entry of that name any more)."""
        if self.detached is not None:
            return self.detached
        try:
            st = os.stat(self.name, dir_fd=self.dir_fd, follow_symlinks=False)
        except FileNotFoundError:
            return GONE
        except OSError as exc:
            return f"it cannot be checked ({exc.strerror or exc})"
        if Identity.of(st) != self.ident:
            if (st.st_dev, st.st_ino) != (self.ident.dev, self.ident.ino):
                return "another file now has its name"
            if (st.st_size, st.st_mtime_ns) == (self.ident.size, self.ident.mtime_ns):
                return ("it changed after it was taken (rewritten with its time set back, "
                        "or its owner or permissions changed)")
            return "it changed after it was taken (a writer went on writing)"
        if writer_open(self.fd, self.ident):
            return "a program still has it open for writing"
        return None

    def remove(self) -> str | None:
        """Remove the entry if it is still the file taken; else leave it and say why."""
        why = self.changed()
        if why == GONE:  # removed by someone else meanwhile: nothing left to remove
            return None
        if why is not None:
            return why
        try:
            os.unlink(self.name, dir_fd=self.dir_fd)
        except FileNotFoundError:
            return None
        except OSError as exc:
            return f"it could not be removed ({exc.strerror or exc})"
        return None

    def move(self, dest: Path) -> None:
        """Move the entry to `dest` (failed/), which must not exist. Raises Busy if it is no
        longer the file taken, OSError if the move fails (nothing is then lost)."""
        why = self.changed()
        if why is not None:
            raise Busy(f"{why}; it will be tried again")
        move_entry(self.dir_fd, self.name, dest, fallback_copy=self.copy)


def take(path: Path, place: Place | None, copy: Path, *, max_bytes: int) -> Snapshot:
    """Open `path` once, safely, and copy it to `copy` (which must not exist).

    Raises LinkEntry for a link, Busy when a writer has it open or it changed while being
    copied, FilingError for a file too large, empty or not a regular file, OSError when it
    cannot be opened or read."""
    if name_bytes(os.path.abspath(path)) >= PATH_MAX:
        raise FilingError(f"its path is too long ({name_bytes(os.path.abspath(path))} bytes; "
                          f"the system's limit is {PATH_MAX - 1}): move it to a shorter folder "
                          "in the inbox", "unreadable")
    dir_fd, name = open_parent(path, place)
    fd = -1
    try:
        try:
            lst = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
        except OSError:
            raise
        if stat.S_ISLNK(lst.st_mode):
            raise LinkEntry(LINK_REASON)
        if not stat.S_ISREG(lst.st_mode):
            raise FilingError("not a regular file (a named pipe, socket or device): left alone",
                              "unreadable")
        try:
            fd = os.open(name, _FILE_FLAGS, dir_fd=dir_fd)
        except OSError as exc:
            if exc.errno == errno.ELOOP:  # swapped for a link since the check above
                raise LinkEntry(LINK_REASON) from None
            raise
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise FilingError("not a regular file (a named pipe, socket or device): left alone",
                              "unreadable")
        if writer_open(fd, Identity.of(st)):  # first: an empty file may be just begun
            raise Busy("still being written (a program has it open for writing); "
                       "it will be filed when it is closed")
        _check_size(st.st_size, max_bytes)
        sha, copied = _copy_fd(fd, copy, max_bytes)
        after = os.fstat(fd)
        if Identity.of(after) != Identity.of(st) or copied != after.st_size:
            copy.unlink(missing_ok=True)
            raise Busy("it changed while it was being read; it will be tried again")
        return Snapshot(path, place, dir_fd, name, fd, copy, sha, Identity.of(after))
    except BaseException:
        if fd >= 0:
            os.close(fd)
        os.close(dir_fd)
        raise


def _check_size(size: int, max_bytes: int) -> None:
    if size > max_bytes:
        raise FilingError(
            f"too large: {size / 1048576:.1f} MB, the limit is {max_bytes / 1048576:g} MB "
            f"(ika.toml [filing] max_size_mb)", "too-large",
        )
    if size == 0:
        raise FilingError("empty file (0 bytes): nothing to file", "empty")


def _copy_fd(fd: int, copy: Path, max_bytes: int) -> tuple[str, int]:
    """Copy from `fd` (from its start) into a new private file; (sha256, bytes copied)."""
    h = hashlib.sha256()
    total = 0
    out = os.open(copy, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC | os.O_NOFOLLOW,
                  0o600)
    try:
        offset = 0
        while True:
            chunk = os.pread(fd, CHUNK, offset)
            if not chunk:
                break
            offset += len(chunk)
            total += len(chunk)
            if total > max_bytes:
                raise Busy("it grew past the size limit while being read; it will be tried "
                           "again")
            h.update(chunk)
            view = memoryview(chunk)
            while view:
                view = view[os.write(out, view):]
    except BaseException:
        os.close(out)
        copy.unlink(missing_ok=True)
        raise
    os.close(out)
    return h.hexdigest(), total


AT_FDCWD = -100


def rename_noreplace(src: str | Path, dst: Path, *, src_dir_fd: int = AT_FDCWD) -> None:
    """Rename `src` (relative to `src_dir_fd`) to `dst`, never replacing what is there:
    FileExistsError instead. renameat2(RENAME_NOREPLACE) where the kernel and file system
    have it; else a check and a rename (a window of microseconds against other programs)."""
    import ctypes

    renameat2 = _renameat2()
    if renameat2 is not None:
        noreplace = 1
        if renameat2(src_dir_fd, os.fsencode(src), AT_FDCWD, os.fsencode(dst), noreplace) == 0:
            return
        err = ctypes.get_errno()
        if err not in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
            raise OSError(err, os.strerror(err), str(dst))
    if os.path.lexists(dst):
        raise FileExistsError(errno.EEXIST, "already exists", str(dst))
    if src_dir_fd == AT_FDCWD:
        os.rename(src, dst)
    else:
        os.rename(src, dst, src_dir_fd=src_dir_fd)


@cache
def _renameat2() -> Any:
    import ctypes

    try:
        return ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None


def move_entry(dir_fd: int, name: str, dest: Path, *, fallback_copy: Path | None = None) -> None:
    """Rename the entry `name` of folder `dir_fd` to `dest` (never following it: a link moves
    as the link; never replacing a file at `dest`). Across file systems (an inbox on a
    network share): copy our private copy, then unlink the entry."""
    try:
        rename_noreplace(name, dest, src_dir_fd=dir_fd)
        return
    except OSError as exc:
        if exc.errno != errno.EXDEV or fallback_copy is None:
            raise
    tmp = dest.with_name(f".{os.getpid()}-{os.urandom(4).hex()}.part")
    try:
        with open(fallback_copy, "rb") as fin, open(tmp, "xb") as fout:
            while chunk := fin.read(CHUNK):
                fout.write(chunk)
            fout.flush()
            os.fsync(fout.fileno())
        rename_noreplace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    try:
        os.unlink(name, dir_fd=dir_fd)
    except OSError:  # e.g. a read-only share: the original stays, so the copy must go
        dest.unlink(missing_ok=True)
        raise


# -- is a program writing to it? --------------------------------------------------------------


def writer_open(fd: int, ident: Identity) -> bool:
    """True when some process has the file open for writing.

    Linux read leases say it exactly: one cannot be taken while anyone has the file open for
    writing (EAGAIN). Taking one needs the file's owner or CAP_LEASE and a local file system;
    otherwise /proc is searched for descriptors open for writing on the same inode (the
    processes this user may see). A writer on another machine is seen by neither."""
    found = _lease_says(fd)
    if found is None:
        found = _proc_says(ident)
    return bool(found)


def _lease_says(fd: int) -> bool | None:
    set_lease = getattr(fcntl, "F_SETLEASE", None)
    if set_lease is None:
        return None
    try:
        # A lease break (someone opening it for writing in the microseconds we hold it) is
        # signalled with SIGWINCH, which is ignored by default, instead of SIGIO, which kills.
        fcntl.fcntl(fd, fcntl.F_SETSIG, signal.SIGWINCH)
        fcntl.fcntl(fd, set_lease, fcntl.F_RDLCK)
    except OSError as exc:
        if exc.errno == errno.EAGAIN:
            return True
        return None
    with suppress(OSError):
        fcntl.fcntl(fd, set_lease, fcntl.F_UNLCK)
    return False


def _proc_says(ident: Identity) -> bool | None:
    try:
        pids = [e.name for e in os.scandir("/proc") if e.name.isdigit()]
    except OSError:
        return None
    for pid in pids:
        try:
            fds = list(os.scandir(f"/proc/{pid}/fd"))
        except OSError:
            continue
        for entry in fds:
            try:
                st = os.stat(entry.path)
            except OSError:
                continue
            if (st.st_dev, st.st_ino) != (ident.dev, ident.ino):
                continue
            try:
                with open(f"/proc/{pid}/fdinfo/{entry.name}", encoding="ascii") as info:
                    flags = next((int(line.split()[1], 8) for line in info
                                  if line.startswith("flags:")), 0)
            except (OSError, ValueError):
                continue
            if flags & os.O_ACCMODE in (os.O_WRONLY, os.O_RDWR):
                return True
    return False
