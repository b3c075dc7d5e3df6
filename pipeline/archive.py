"""An archive on disk: its folders, its settings, its register and its calendar."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from pipeline.register.workdays import STATES, WorkCalendar

from . import settings as settings_mod
from .errors import ArchiveNotFound, SettingsError
from .settings import Settings

REGISTER_FILE = "register.sqlite3"
FOLDERS = ("inbox", "files", "failed", "index")
# What the archive keeps at its top level besides the inbox (hidden names are its own too).
OWN_NAMES = frozenset({"files", "failed", "index", settings_mod.FILENAME})


@dataclass
class Archive:
    root: Path
    settings: Settings

    @property
    def register_url(self) -> str:
        url = self.settings.raw.get("register", {}).get("url")
        return str(url) if url else f"sqlite:///{self.root / REGISTER_FILE}"

    @property
    def inbox(self) -> Path:
        return self.root / self.settings.inbox

    @property
    def files(self) -> Path:
        return self.root / "files"

    @property
    def failed(self) -> Path:
        return self.root / "failed"

    @property
    def index_dir(self) -> Path:
        return self.root / "index"

    @cached_property
    def register(self):
        from pipeline.register.store import Register

        reg = Register(self.register_url)
        reg.check_version()
        return reg

    @cached_property
    def calendar(self) -> WorkCalendar:
        s = self.settings
        return WorkCalendar(
            s.state, count=s.count, extra_holidays=s.extra_holidays,
            cache_dir=self.root / ".cache",
        )


def init_archive(root: Path, state: str = "PJY") -> tuple[Archive, bool]:
    """Create the folders, ika.toml and the register where missing; never overwrite.

    Returns the archive and whether anything was created.
    """
    state = state.upper()
    if state not in STATES:
        raise ArchiveNotFound(f"unknown state {state!r}; use one of {', '.join(sorted(STATES))}")
    _refuse_nested(root)
    created = not (root / settings_mod.FILENAME).exists()
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ArchiveNotFound(
            f"cannot create an archive at {root}: {exc.strerror or exc}"
        ) from None
    toml = root / settings_mod.FILENAME
    if not toml.exists():
        toml.write_text(settings_mod.default_text(state), encoding="utf-8")
    arc = Archive(root, settings_mod.load(toml))
    check_paths(root, arc.settings)
    for name in FOLDERS:
        (arc.inbox if name == "inbox" else root / name).mkdir(parents=True, exist_ok=True)
    from pipeline.register.store import Register

    reg = Register(arc.register_url)
    reg.create()
    reg.dispose()
    return arc, created


def is_archive(folder: Path) -> bool:
    """`folder` holds an archive: its ika.toml and its register."""
    return (folder / settings_mod.FILENAME).is_file() and (folder / REGISTER_FILE).exists()


def enclosing_archive(path: Path) -> Path | None:
    """The archive a folder above `path` (links resolved) is, the nearest; None if none is."""
    for folder in _real(path).parents:
        if is_archive(folder):
            return folder
    return None


def _archive_inside(folder: Path, limit: int = 20_000) -> Path | None:
    """An archive somewhere below `folder` (the first found within `limit` folders)."""
    for n, (here, dirs, _files) in enumerate(os.walk(folder)):
        if n >= limit:
            return None
        if Path(here) != folder and is_archive(Path(here)):
            return Path(here)
        dirs.sort()
    return None


def _refuse_nested(root: Path) -> None:
    """An archive may not lie inside another one (whose watcher would file the new archive's
    register and settings, or whose files/ and index/ it would litter), nor have one in its
    inbox (which its own watcher would file)."""
    outer = enclosing_archive(root)
    if outer is not None:
        raise ArchiveNotFound(
            f"cannot create an archive at {root}: it lies inside the archive {outer}; "
            "give a folder outside any archive"
        )
    real = _real(root)
    toml = real / settings_mod.FILENAME
    inbox = real / (settings_mod.load(toml).inbox if toml.is_file() else "inbox")
    inner = _archive_inside(inbox) if inbox.is_dir() else None
    if inner is not None:
        raise ArchiveNotFound(
            f"cannot create an archive at {root}: its inbox {inbox} holds the archive {inner}, "
            "which the watcher would file; move that archive out first"
        )


def open_archive(root: Path) -> Archive:
    toml = root / settings_mod.FILENAME
    if not toml.exists():
        raise ArchiveNotFound(f"no archive at {root}; create one with `ika init --archive {root}`")
    settings = settings_mod.load(toml)
    check_paths(root, settings)
    return Archive(root, settings)


def _real(path: Path) -> Path:
    """The absolute path with links and `..` resolved (as far as it exists)."""
    return Path(os.path.realpath(os.path.abspath(path)))


def _own_name(name: str) -> bool:
    return name in OWN_NAMES or name.startswith((".", REGISTER_FILE))


def check_paths(root: Path, settings: Settings) -> None:
    """Refuse path settings that would turn the archive against itself, before anything runs.

    The watcher files, then removes, everything under the inbox: an inbox that is the archive,
    lies above it, or is (or lies in) one of its own folders or files would file ika.toml and
    the register, move filed documents to failed/, or sweep in files from outside the archive.
    An inbox elsewhere (an absolute path, e.g. a network share's mount) is allowed. A templates
    folder may not lie where anyone who drops a file could replace a template.
    """
    src = root / settings_mod.FILENAME
    home = _real(root)
    inbox = _real(root / settings.inbox)
    what = f"{src}: filing.inbox = {settings.inbox!r}"
    fix = 'give the inbox a folder of its own, e.g. inbox = "inbox"'
    if inbox == home:
        raise SettingsError(f"{what} is the archive folder itself ({home}); {fix}")
    if home.is_relative_to(inbox):
        raise SettingsError(f"{what} ({inbox}) contains the archive {home}; {fix}")
    if inbox.is_relative_to(home):
        first = inbox.relative_to(home).parts[0]
        if _own_name(first):
            raise SettingsError(
                f"{what} ({inbox}) is inside the archive's own {first!r}; {fix}"
            )
    register = _sqlite_path(settings)
    if register is not None and _real(register).is_relative_to(inbox):
        raise SettingsError(f"{what} ({inbox}) contains the register {register}; {fix}")
    custom = settings.raw.get("documents", {}).get("templates")
    if custom:
        templates = _real(root / custom)
        for name, folder in (("filing.inbox", inbox), ("failed/", home / "failed"),
                             ("files/", home / "files")):
            if templates.is_relative_to(folder):
                raise SettingsError(
                    f"{src}: documents.templates = {custom!r} lies in {name} ({folder}), where "
                    "dropped files would become templates; keep templates in a folder of "
                    "their own"
                )


def _sqlite_path(settings: Settings) -> Path | None:
    url = settings.raw.get("register", {}).get("url")
    if url and str(url).startswith("sqlite:///"):
        return Path(str(url)[len("sqlite:///"):])
    return None
