"""What every reader of a dropped file shares: the result, the OCR settings, the clerk's reasons."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import ExtractionError

Progress = Callable[[str], None]

NEEDS_PASSWORD = "encrypted: needs a password (retry with ika file --password)"
WRONG_PASSWORD = "encrypted: the password is wrong (retry with ika file --password)"
NOT_A_PDF = "damaged: not a readable PDF"
OURS = "error"  # the kind of a failure on this server's side (not the document's): retry it
RETRY_HINT = "retry with `ika retry`"


@dataclass(frozen=True)
class Extraction:
    """What a file says. Pages of PDFs and images are separated by form feeds in `text`."""

    text: str
    method: str  # "pdf-text", "ocr", "pdf-mixed", "docx" or "text"
    pages: int
    ocr_pdf: Path | None  # searchable PDF/A inside work_dir, for scans and images
    ocr_pages: int


class OcrNeeded(Exception):
    """Raised by extract(ocr=False) for a document that needs OCR: nothing was run. The
    watcher's quick lane hands such documents to its OCR lane (pipeline.filing.watcher)."""


@dataclass(frozen=True)
class OcrSettings:
    """Settings of one extract() call that the OCR step needs."""

    work_dir: Path
    languages: str
    progress: Progress
    max_pixels: int
    allowed: bool = True  # False: raise OcrNeeded instead of running OCR
    max_pages: int | None = None  # more pages (or image frames): refused as too large
    max_seconds: float | None = None  # the time limit of this document
    deadline: float | None = None  # time.monotonic() at which it is reached

    def check_time(self) -> None:
        """Raise the time-limit error once the document's time is up."""
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise time_limit_error(self.max_seconds)

    def remaining(self) -> float | None:
        return None if self.deadline is None else max(self.deadline - time.monotonic(), 0.0)

    def check_pages(self, pages: int, what: str = "pages") -> None:
        if self.max_pages is not None and pages > self.max_pages:
            raise ExtractionError(
                f"too-large: {pages} {what}, the limit is {self.max_pages} per document "
                "(ika.toml [filing] max_pages); split it, or raise the limit and `ika retry`",
                "too-large",
            )


def time_limit_error(seconds: float | None) -> ExtractionError:
    """The per-document time limit is the server's (how fast it reads), not a fault of the
    document: kind "error", with what to do, like the server's other failures."""
    return ExtractionError(
        f"reading it took longer than the time limit of {seconds or 0:g} s per document "
        "(ika.toml [filing] max_seconds_per_document) — split it, or raise the limit and "
        "`ika retry`",
        OURS,
    )
