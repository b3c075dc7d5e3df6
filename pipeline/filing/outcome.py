"""What filing one file ends in (`Outcome`), the kinds of failure a reason file names, and
the filing's log: progress and outcomes go to the logger "ika.filing"; the faces show them
(cli.py prints each record as a line, an outcome in pipeline/render.py's words,
`outcome_line`)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.archive import Archive

if TYPE_CHECKING:
    from pipeline.filing.fixity import Repair
    from pipeline.filing.preflight import Handoff
    from pipeline.filing.relink import Relinked

Log = Callable[[str], None]

OURS = "error"  # the kind of a failure on this server's side: the document may be fine
RETRY = "retry with `ika retry`"
KINDS = {  # what the kind of a failure means, for the reason file
    OURS: "a failure on this server's side, not a fault of the document; "
          "fix the cause, then `ika retry`",
    "damaged": "the file itself cannot be read; ask the sender for a new copy",
    "encrypted": "password-protected: a PDF files with `ika retry NAME --password PW`; "
                 "a Word file must be saved again without its password",
    "unsupported": "a kind of file the archive does not take; send PDF, .docx or an image",
    "too-large": "over a limit; split it or raise the limit in ika.toml",
    "empty": "the file is empty; copy it again from its source",
}


@dataclass(frozen=True)
class Outcome:
    path: Path
    status: str  # filed | duplicate | failed | skipped | queued (for the OCR lane)
    doc_id: str | None = None
    case_id: str | None = None
    dest: Path | None = None
    reason: str | None = None
    how: str | None = None  # how the case was found
    kind: str | None = None  # of a failure: error (ours), damaged ...; of a skip: busy, unreadable
    note: str | None = None  # why a filed document waits unassigned; a suggested case
    kept: bool = False  # filed, but its inbox entry was left there (it changed, or read-only)
    # "queued": the private copy already taken and checked, for `process(handoff=...)` (the
    # OCR lane); whoever receives it passes it on or calls its `discard()`.
    handoff: Handoff | None = field(default=None, repr=False, compare=False)


logger = logging.getLogger("ika.filing")


def log_line(message: str) -> None:
    """One line of progress for whoever shows the filing's log."""
    logger.info("%s", message)


def log_outcome(arc: Archive, outcome: Outcome) -> None:
    """An outcome for the log: the record carries it (`outcome`) and the archive's root
    (`root`), for the face to say it."""
    logger.info("%s %s", outcome.status, outcome.path,
                extra={"outcome": outcome, "root": arc.root})


def log_relinked(relinked: Relinked) -> None:
    """A document linked to a case, for the log: the record carries it (`relinked`)."""
    logger.info("relinked %s %s", relinked.doc_id, relinked.case_id,
                extra={"relinked": relinked})


def log_repair(repair: Repair) -> None:
    """A repair done (a partial copy removed, a file set aside ...), for the log: the record
    carries it (`repair`)."""
    logger.info("%s %s", repair.action, repair.path, extra={"repair": repair})
