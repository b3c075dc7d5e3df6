"""What `ika file` may not file: the archive's own workings.

ika.toml, the register, the search index, filed documents in files/ and hidden files such as
the web's session key (.web-secret) are the archive's, not documents: filing them would copy
the settings or a secret into files/ and the index, for anyone who can search to read. A path
given to `ika file` (or found in a folder given to it) that lies — as given, or with its links
resolved — inside an archive's own folders and files is refused with one reason. The archive's
inbox (a clerk may file an inbox file by hand), failed/ and .orphans/ (refiling those is the
retry path) are not its workings: their files are documents waiting to be filed.
"""

from __future__ import annotations

import os
from pathlib import Path

from pipeline import settings as settings_mod
from pipeline.archive import Archive, enclosing_archive, is_archive
from pipeline.filing.snapshot import shown
from pipeline.filing.store import ORPHANS

_DOCUMENTS_WAITING = ("failed", ORPHANS)


def _real(path: Path) -> Path:
    return Path(os.path.realpath(os.path.abspath(path)))


def _as_given(path: Path) -> Path:
    """The path with its folders' links resolved, its last part as it is (a link stays the
    entry it is)."""
    absolute = Path(os.path.abspath(path))
    return _real(absolute.parent) / absolute.name


def _inbox_of(root: Path) -> Path:
    try:
        return _real(root / settings_mod.load(root / settings_mod.FILENAME).inbox)
    except Exception:  # a damaged ika.toml: the default inbox
        return root / "inbox"


def _roots(arc: Archive, path: Path) -> dict[Path, Path]:
    """The archives `path` may lie in, each with its inbox: the one filed into, and any
    archive above the path."""
    roots = {_real(arc.root): _real(arc.inbox)}
    for candidate in (_as_given(path), _real(path)):
        outer = candidate if is_archive(candidate) else enclosing_archive(candidate)
        if outer is not None and outer not in roots:
            roots[outer] = _inbox_of(outer)
    return roots


def refusal(arc: Archive, path: Path) -> str | None:
    """Why `path` may not be filed (part of an archive's own workings), or None."""
    roots = _roots(arc, path)
    for candidate in dict.fromkeys((_as_given(path), _real(path))):
        for root, inbox in roots.items():
            if candidate.is_relative_to(inbox):
                continue  # the inbox, or a document in it
            if candidate != root and not candidate.is_relative_to(root):
                continue
            if candidate == root:
                return (f"the archive {shown(root)} itself, not a folder of documents; refused — "
                        "give its inbox or failed/ folder, or the files")
            first = candidate.relative_to(root).parts[0]
            if first in _DOCUMENTS_WAITING:
                continue  # failed/, .orphans/ or a document waiting in them
            shown_what = f"{first}/" if (root / first).is_dir() else first
            return (f"part of the archive {shown(root)} itself (its own {shown(shown_what)}), "
                    "not a document; refused — only files in an archive's inbox, failed/ or "
                    ".orphans/ can be filed from inside it")
    return None
