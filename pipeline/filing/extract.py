"""Get the text out of a dropped file: PDF text layer, OCR for scans and images, .docx, .txt.

The filing pipeline needs the text to classify and index a document, and a searchable PDF/A
for scans. Every failure a clerk can fix becomes an `ExtractionError` with a one-line reason;
the original file is only ever read. Heavy libraries are imported inside functions so that
importing this module (the CLI does on every start) stays cheap.

This module sniffs the file and hands it to its reader: `extract_pdf`, `extract_image`,
`extract_docx` (plain text is read here); `extract_ocr` runs OCRmyPDF for the first two, and
`extract_base` holds what they share.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path

from pipeline.errors import ExtractionError
from pipeline.filing import sniff as kinds
from pipeline.filing.extract_base import (
    NEEDS_PASSWORD,
    NOT_A_PDF,
    WRONG_PASSWORD,
    Extraction,
    OcrNeeded,
    OcrSettings,
)
from pipeline.filing.extract_docx import extract_docx
from pipeline.filing.extract_image import extract_image
from pipeline.filing.extract_pdf import extract_pdf

__all__ = [
    "NEEDS_PASSWORD",
    "NOT_A_PDF",
    "WRONG_PASSWORD",
    "Extraction",
    "OcrNeeded",
    "extract",
]

MAX_TEXT_BYTES = 50 * 1024 * 1024

_LANGUAGES_RE = re.compile(r"[A-Za-z_]+(\+[A-Za-z_]+)*")


def extract(
    path: Path,
    *,
    work_dir: Path,
    password: str | None = None,
    languages: str = "msa+eng",
    progress: Callable[[str], None] | None = None,
    max_pixels: int = 100_000_000,
    ocr: bool = True,
    max_pages: int | None = None,
    max_seconds: float | None = None,
) -> Extraction:
    """Extract the text of `path`, OCR-ing scans into a searchable PDF/A under `work_dir`.

    Raises `ExtractionError` with a reason a filing clerk can act on; a PDF or image of more
    than `max_pages` pages, or whose reading and OCR take longer than `max_seconds`, is
    refused as too large (the OCR child is killed when the time is up). `ocr=False` raises
    `OcrNeeded` where OCR would start.
    """
    if not _LANGUAGES_RE.fullmatch(languages):
        raise ValueError(f"bad OCR language list {languages!r} (expected e.g. 'msa+eng')")
    path = Path(path)
    # Absolute: OCRmyPDF runs with its job folder as working directory, where a relative
    # path (an archive given as `--archive archive`) would point somewhere else.
    work_dir = Path(work_dir).resolve()
    work_dir.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + max_seconds if max_seconds else None
    ocr = OcrSettings(work_dir, languages, progress or _no_progress, max_pixels, allowed=ocr,
                      max_pages=max_pages, max_seconds=max_seconds, deadline=deadline)
    kind = kinds.sniff(path)
    if kind == kinds.PDF:
        return extract_pdf(path, password, ocr)
    if kind in (kinds.JPEG, kinds.PNG, kinds.TIFF, kinds.IMAGE):
        return extract_image(path, ocr)
    if kind == kinds.DOCX:
        return extract_docx(path)
    if kind == kinds.TEXT:
        return _extract_text(path)
    raise _refusal(kind, path)


def _no_progress(message: str) -> None:
    """Default progress sink."""


def _refusal(kind: str, path: Path) -> ExtractionError:
    """The error for a file we cannot read at all."""
    if kind == kinds.EMPTY:
        return ExtractionError("empty: the file is 0 bytes; copy it again from its source", "empty")
    if kind == kinds.ENCRYPTED_OFFICE:
        return ExtractionError(
            "encrypted: the Word file is password-protected; save a copy without the password",
            "encrypted",
        )
    if kind == kinds.DOC:
        return ExtractionError(
            "unsupported file type: old Word .doc; save it as .docx or PDF", "unsupported"
        )
    suffix = path.suffix.lower() or "no extension"
    if suffix == ".txt":  # never "unsupported (.txt); send ... .txt"
        return ExtractionError(
            "unreadable: the .txt file is not plain text (binary data, or an encoding that "
            "cannot be told); save it again as plain text (UTF-8) and send it again",
            "unsupported",
        )
    return ExtractionError(
        f"unsupported file type ({suffix}); send PDF, .docx, JPEG, PNG, TIFF or .txt",
        "unsupported",
    )


# --- plain text -------------------------------------------------------------------------


def _extract_text(path: Path) -> Extraction:
    """Plain text in the encoding its byte-order mark names (UTF-8, UTF-16, UTF-32); else
    UTF-8, if it is valid UTF-8; else Windows-1252 (the code page of old Windows files), or
    Latin-1 for the few bytes Windows-1252 leaves undefined."""
    if path.stat().st_size > MAX_TEXT_BYTES:
        raise ExtractionError("too-large: text file over 50 MB; split it", "too-large")
    text = decode_text(path.read_bytes())
    return Extraction(text=text, method="text", pages=1, ocr_pdf=None, ocr_pages=0)


def decode_text(data: bytes) -> str:
    """The text of a plain-text file's bytes (see `_extract_text`)."""
    encoding = kinds.text_encoding(data[:64 * 1024])
    if encoding is not None:
        return data.decode(encoding, errors="replace")
    for encoding in ("utf-8", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")
