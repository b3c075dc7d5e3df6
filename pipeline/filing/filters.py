"""Which files in the inbox are documents, and which are temporary or system files."""

from __future__ import annotations

import fnmatch
from pathlib import Path

IGNORED_NAMES = frozenset({"thumbs.db", "desktop.ini", ".ds_store"})
IGNORED_PATTERNS = ("~$*", ".~lock*", "*.tmp", "*.part", "*.crdownload", "*.reason.txt")


def is_ignored(path: Path, root: Path | None = None) -> bool:
    """True for Office lock files, partial downloads, dot-files and OS litter, and for
    anything inside a dot-folder under `root`."""
    name = path.name.lower()
    if name.startswith(".") or name in IGNORED_NAMES:
        return True
    if any(fnmatch.fnmatchcase(name, pattern) for pattern in IGNORED_PATTERNS):
        return True
    if root is not None:
        try:
            parts = path.relative_to(root).parts[:-1]
        except ValueError:
            parts = ()
        if any(p.startswith(".") for p in parts):
            return True
    return False
