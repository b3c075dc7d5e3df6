"""An archive on disk: its folders, its settings, its register and its calendar."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from . import settings as settings_mod
from .errors import ArchiveNotFound
from .settings import Settings
from .workdays import STATES, WorkCalendar

REGISTER_FILE = "register.sqlite3"
FOLDERS = ("inbox", "files", "failed", "index")


def default_root() -> Path:
    return Path(os.environ.get("IKA_ARCHIVE") or "archive")


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
        from .register import Register

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
    created = not (root / settings_mod.FILENAME).exists()
    root.mkdir(parents=True, exist_ok=True)
    toml = root / settings_mod.FILENAME
    if not toml.exists():
        toml.write_text(settings_mod.default_text(state), encoding="utf-8")
    arc = Archive(root, settings_mod.load(toml))
    for name in FOLDERS:
        (arc.inbox if name == "inbox" else root / name).mkdir(parents=True, exist_ok=True)
    from .register import Register

    reg = Register(arc.register_url)
    reg.create()
    reg.dispose()
    return arc, created


def open_archive(root: Path) -> Archive:
    toml = root / settings_mod.FILENAME
    if not toml.exists():
        raise ArchiveNotFound(f"no archive at {root}; create one with `ika init --archive {root}`")
    return Archive(root, settings_mod.load(toml))
