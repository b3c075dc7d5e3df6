"""Get the text out of a dropped file: PDF text layer, OCR for scans and images, .docx, .txt.

The filing pipeline needs the text to classify and index a document, and a searchable PDF/A
for scans. Every failure a clerk can fix becomes an `ExtractionError` with a one-line reason;
the original file is only ever read. Heavy libraries are imported inside functions so that
importing this module (the CLI does on every start) stays cheap.

OCR runs the OCRmyPDF command line in a child process (``python -m ocrmypdf``) rather than
``ocrmypdf.ocr()`` in-process: OCRmyPDF's own docs recommend a child process for isolation; it
changes process-wide state (logging, Pillow's pixel limit, plugin registry; one run per process
at a time); a crash of Tesseract or Ghostscript cannot take down the watcher; a run that hangs
can be killed with its whole process group; and per-page progress still arrives through a tiny
OCRmyPDF progress-bar plugin that prints to the child's stderr.
"""

from __future__ import annotations

import math
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import warnings
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from pipeline.errors import ExtractionError
from pipeline.filing import sniff as kinds

Progress = Callable[[str], None]

NEEDS_PASSWORD = "encrypted: needs a password (retry with ika file --password)"
WRONG_PASSWORD = "encrypted: the password is wrong (retry with ika file --password)"
NOT_A_PDF = "damaged: not a readable PDF"
OURS = "error"  # the kind of a failure on this server's side (not the document's): retry it
RETRY_HINT = "retry with `ika retry`"

MIN_PAGE_CHARS = 20  # fewer letters/digits than this on a page: treat it as a scan
DEFAULT_IMAGE_DPI = 300  # assumed when an image does not say (most office scanners use 300)
MAX_TEXT_BYTES = 50 * 1024 * 1024
MAX_DOCX_BYTES = 200 * 1024 * 1024  # total uncompressed size of all parts
MAX_DOCX_RATIO = 100  # compression ratio above which a big part is taken for a zip bomb
DOCX_RATIO_MIN_BYTES = 10 * 1024 * 1024  # small parts may compress well legitimately
MAX_DOCX_MEMBERS = 10_000
OCR_TIMEOUT_BASE_S = 120
OCR_TIMEOUT_PER_PAGE_S = 240  # above OCRmyPDF's own 180 s Tesseract limit per page
TESSERACT_TIMEOUT_S = 180.0  # Tesseract's limit per page (OCRmyPDF's default)

_LANGUAGES_RE = re.compile(r"[A-Za-z_]+(\+[A-Za-z_]+)*")
_PROGRESS_TAG = "@ika-progress\t"
_TESSERACT_TIMED_OUT = "took too long to OCR"  # OCRmyPDF's warning for a page it skipped
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"


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
class _Ocr:
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
            raise _time_limit(self.max_seconds)

    def remaining(self) -> float | None:
        return None if self.deadline is None else max(self.deadline - time.monotonic(), 0.0)

    def check_pages(self, pages: int, what: str = "pages") -> None:
        if self.max_pages is not None and pages > self.max_pages:
            raise ExtractionError(
                f"too-large: {pages} {what}, the limit is {self.max_pages} per document "
                "(ika.toml [filing] max_pages); split it, or raise the limit and `ika retry`",
                "too-large",
            )


def _time_limit(seconds: float | None) -> ExtractionError:
    return ExtractionError(
        f"too-large: reading it took longer than the time limit of {seconds or 0:g} s per "
        "document (ika.toml [filing] max_seconds_per_document); split it, or raise the limit "
        "and `ika retry`",
        "too-large",
    )


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
    ocr = _Ocr(work_dir, languages, progress or _no_progress, max_pixels, allowed=ocr,
               max_pages=max_pages, max_seconds=max_seconds, deadline=deadline)
    kind = kinds.sniff(path)
    if kind == kinds.PDF:
        return _extract_pdf(path, password, ocr)
    if kind in (kinds.JPEG, kinds.PNG, kinds.TIFF, kinds.IMAGE):
        return _extract_image(path, ocr)
    if kind == kinds.DOCX:
        return _extract_docx(path)
    if kind == kinds.TEXT:
        return _extract_text(path)
    raise _refusal(kind, path)


def docx_text(path: Path) -> str:
    """The text of a .docx (body, tables, headers, footers): what a reader of the letter sees."""
    return _extract_docx(Path(path)).text


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
    return ExtractionError(
        f"unsupported file type ({suffix}); send PDF, .docx, JPEG, PNG, TIFF or .txt",
        "unsupported",
    )


# --- plain text -------------------------------------------------------------------------


def _extract_text(path: Path) -> Extraction:
    """UTF-8 text; bad bytes become U+FFFD rather than failing the filing."""
    if path.stat().st_size > MAX_TEXT_BYTES:
        raise ExtractionError("too-large: text file over 50 MB; split it", "too-large")
    text = path.read_bytes().decode("utf-8-sig", errors="replace")
    return Extraction(text=text, method="text", pages=1, ocr_pdf=None, ocr_pages=0)


# --- .docx ------------------------------------------------------------------------------


def _extract_docx(path: Path) -> Extraction:
    """Body (paragraphs and nested tables, in order), then each section's headers/footers."""
    _check_zip_sizes(path)
    document = _open_docx(path)
    try:
        blocks = list(_block_texts(document.element.body))
        blocks += _header_footer_texts(document)
    except (KeyError, ValueError, AttributeError) as error:
        raise _damaged_docx(error) from error
    text = "\n".join(block for block in blocks if block.strip())
    return Extraction(
        text=text, method="docx", pages=_docx_page_count(path), ocr_pdf=None, ocr_pages=0
    )


def _check_zip_sizes(path: Path) -> None:
    """Refuse zip bombs from the central directory, before anything is decompressed.

    Reading a member never yields more than its declared size (zipfile stops there and the
    CRC check fails), so checking the declared sizes bounds the real work.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise _damaged_docx(error) from error
    if len(members) > MAX_DOCX_MEMBERS:
        raise ExtractionError("too-large: .docx has too many parts", "too-large")
    if sum(member.file_size for member in members) > MAX_DOCX_BYTES:
        raise ExtractionError("too-large: .docx unpacks to over 200 MB", "too-large")
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > DOCX_RATIO_MIN_BYTES and ratio > MAX_DOCX_RATIO:
            raise ExtractionError(
                f"too-large: .docx part {member.filename} looks like a zip bomb", "too-large"
            )


def _open_docx(path: Path) -> Any:
    """Parse with python-docx, whose lxml parser never resolves entities (XXE-safe)."""
    import docx

    try:
        return docx.Document(str(path))
    except ValueError as error:
        if "is not a Word file" not in str(error):
            raise _damaged_docx(error) from error
        raise ExtractionError(  # e.g. a .docm or .dotx renamed: another content type
            "unsupported file type: not a Word document (.docx); save it as .docx or PDF",
            "unsupported",
        ) from error
    except Exception as error:  # zip, XML and package errors of a malformed file
        raise _damaged_docx(error) from error


def _damaged_docx(error: BaseException) -> ExtractionError:
    """One line for a .docx that cannot be read."""
    detail = str(error).splitlines()[0][:120] if str(error) else type(error).__name__
    return ExtractionError(f"damaged .docx: {detail}; open it in Word and save it again", "damaged")


def _block_texts(container: Any) -> Iterator[str]:
    """Paragraphs and tables of a body, cell, header or content control, in document order."""
    for child in container.iterchildren():
        if child.tag == _W + "p":
            yield _paragraph_text(child)
        elif child.tag == _W + "tbl":
            yield from _table_texts(child)
        elif child.tag in (_W + "sdt", _W + "customXml"):
            content = child.find(_W + "sdtContent")
            yield from _block_texts(content if content is not None else child)


def _table_texts(table: Any) -> Iterator[str]:
    """One line per row, cells separated by tabs; nested tables come out inside their cell."""
    for row in table.iter(_W + "tr"):
        if row.getparent() is not table:
            continue  # a row of a nested table; its own cell yields it
        cells = [c for c in row.iterchildren() if c.tag in (_W + "tc", _W + "sdt")]
        yield "\t".join("\n".join(t for t in _block_texts(c) if t.strip()) for c in cells)


_SKIPPED = {_W + "instrText", _W + "delText", _W + "del", _W + "moveFrom", _MC + "Fallback"}
_BREAKS = {_W + "br": "\n", _W + "cr": "\n", _W + "tab": "\t", _W + "noBreakHyphen": "-"}


def _paragraph_text(paragraph: Any) -> str:
    """Text of a paragraph with tracked insertions, hyperlinks, fields' results, text boxes.

    Deleted text, field codes and the fallback copy of drawings are left out.
    """
    parts: list[str] = []
    _collect_inline(paragraph, parts)
    return "".join(parts)


def _collect_inline(element: Any, parts: list[str]) -> None:
    """Depth-first walk of one paragraph's inline content."""
    for child in element.iterchildren():
        tag = child.tag
        if not isinstance(tag, str) or tag in _SKIPPED:
            continue  # comments, processing instructions, unresolved entity references
        if tag == _W + "t":  # tails keep the text after an unresolved entity reference
            parts.extend([child.text or "", *(node.tail or "" for node in child)])
        elif tag in _BREAKS:
            parts.append(_BREAKS[tag])
        elif tag == _W + "p":  # a paragraph inside a text box
            parts.append("\n")
            _collect_inline(child, parts)
        else:
            _collect_inline(child, parts)


def _header_footer_texts(document: Any) -> list[str]:
    """Headers then footers of every section, each defined part once."""
    seen: set[int] = set()
    texts: list[str] = []
    for section in document.sections:
        for item in (
            section.first_page_header,
            section.header,
            section.even_page_header,
            section.first_page_footer,
            section.footer,
            section.even_page_footer,
        ):
            if item.is_linked_to_previous:
                continue  # no part of its own; reading it would add one to the first section
            root = item.part.element
            if id(root) not in seen:
                seen.add(id(root))
                texts.extend(_block_texts(root))
    return texts


def _docx_page_count(path: Path) -> int:
    """Page count Word stored at the last save (docProps/app.xml), else 1."""
    try:
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo("docProps/app.xml")
            if info.file_size > 1024 * 1024:
                return 1
            app = archive.read(info)
    except (KeyError, zipfile.BadZipFile, OSError):
        return 1
    match = re.search(rb"<(?:\w+:)?Pages>\s*(\d{1,6})\s*<", app)
    return max(int(match.group(1)), 1) if match else 1


# --- PDF --------------------------------------------------------------------------------


def _extract_pdf(path: Path, password: str | None, ocr: _Ocr) -> Extraction:
    """Text layer with pypdf; pages without one go through OCRmyPDF."""
    with _job(ocr.work_dir) as job:
        result = _extract_pdf_in(job, path, password, ocr)
    if result.ocr_pdf is None:
        shutil.rmtree(job, ignore_errors=True)
    return result


def _extract_pdf_in(job: Path, path: Path, password: str | None, ocr: _Ocr) -> Extraction:
    """The PDF work, with a job directory for repaired, decrypted and OCR'd copies."""
    with warnings.catch_warnings():  # hostile PDFs must not turn parser warnings into errors
        warnings.simplefilter("ignore")
        reader, source = _open_pdf(path, password, job, ocr)
        ocr.check_pages(_page_count(reader))
        texts: list[str] = []
        scanned: list[int] = []
        for i, page in enumerate(reader.pages):
            ocr.check_time()
            texts.append(_page_text(page))
            if _needs_ocr(page, texts[i]):
                scanned.append(i)
        encrypted = reader.is_encrypted
    if not scanned:
        return Extraction("\f".join(texts), "pdf-text", len(texts), None, 0)
    if not ocr.allowed:
        raise OcrNeeded(len(scanned))
    ocr_input = job / "input.pdf"
    if encrypted:
        _decrypted_copy(source, password, ocr_input)
    else:
        shutil.copyfile(source, ocr_input)
    ocr_pdf, ocr_texts = _ocr_pdf(ocr_input, job, ocr, scanned, len(texts))
    for index in scanned:
        texts[index] = ocr_texts[index] or texts[index]
    method = "ocr" if len(scanned) == len(texts) else "pdf-mixed"
    return Extraction("\f".join(texts), method, len(texts), ocr_pdf, len(scanned))


def _declared_pages(reader: Any) -> int:
    """The page count the PDF's page tree declares (/Count): read in an instant, while
    counting 20,000 pages takes pypdf seconds. It may lie; _page_count counts them."""
    try:
        return int(reader.trailer["/Root"]["/Pages"]["/Count"])
    except Exception:
        return 0


def _page_count(reader: Any) -> int:
    """The number of pages the PDF declares (0 if it cannot be read)."""
    try:
        return len(reader.pages)
    except Exception:  # a broken page tree: the page loop finds out
        return 0


def _open_pdf(path: Path, password: str | None, job: Path, ocr: _Ocr) -> tuple[Any, Path]:
    """A decrypted pypdf reader, repairing the file with qpdf if pypdf cannot parse it."""
    try:
        reader = _read_pdf(path, password, ocr)
        return reader, path
    except ExtractionError as error:
        if error.kind != "damaged":
            raise
    repaired = _repaired_copy(path, password, job / "repaired.pdf")  # raises if qpdf cannot
    return _read_pdf(repaired, password, ocr), repaired


def _read_pdf(path: Path, password: str | None, ocr: _Ocr) -> Any:
    """Open and decrypt with pypdf; any parser failure means a damaged file."""
    import pypdf
    from pypdf.errors import DependencyError

    try:
        reader = pypdf.PdfReader(path)
        if reader.is_encrypted and not _decrypt(reader, password):
            raise _password_error(password)
        ocr.check_pages(_declared_pages(reader))  # before counting them one by one
        if len(reader.pages) == 0:
            raise ExtractionError("damaged: the PDF has no pages", "damaged")
        return reader
    except (ExtractionError, MemoryError):
        raise
    except DependencyError as error:
        raise ExtractionError(
            "encrypted: this PDF's encryption cannot be read on this server; tell IT",
            "encrypted",
        ) from error
    except Exception as error:  # pypdf raises many types on malformed input
        raise ExtractionError(NOT_A_PDF, "damaged") from error


def _password_error(password: str | None) -> ExtractionError:
    """Missing or wrong password: the clerk retries with the right one."""
    return ExtractionError(WRONG_PASSWORD if password else NEEDS_PASSWORD, "encrypted")


def _decrypt(reader: Any, password: str | None) -> bool:
    """True if the given password (or the empty one, for owner-only locks) opens the file."""
    from pypdf import PasswordType

    return reader.decrypt(password or "") != PasswordType.NOT_DECRYPTED


def _repaired_copy(path: Path, password: str | None, target: Path) -> Path:
    """Let qpdf (via pikepdf) rebuild a broken cross-reference table into `target`."""
    import pikepdf

    try:
        with pikepdf.open(path, password=password or "") as pdf:
            if len(pdf.pages) == 0:
                raise ExtractionError("damaged: the PDF has no pages", "damaged")
            pdf.save(target)
            return target
    except pikepdf.PasswordError as error:
        raise _password_error(password) from error
    except (pikepdf.PdfError, RuntimeError, ValueError) as error:
        raise ExtractionError(NOT_A_PDF, "damaged") from error


def _decrypted_copy(path: Path, password: str | None, target: Path) -> None:
    """OCRmyPDF refuses encrypted PDFs: give it an unencrypted copy (never the original)."""
    import pikepdf

    try:
        with pikepdf.open(path, password=password or "") as pdf:
            pdf.save(target)
    except pikepdf.PasswordError as error:
        raise _password_error(password) from error
    except pikepdf.PdfError as error:
        raise ExtractionError(NOT_A_PDF, "damaged") from error


def _page_text(page: Any) -> str:
    """pypdf text of one page; a page whose text cannot be decoded counts as a scan."""
    try:
        return page.extract_text() or ""
    except Exception:  # a broken font or content stream on one page must not fail the file
        return ""


def _needs_ocr(page: Any, text: str) -> bool:
    """A page with (almost) no text that still draws something: an image or vector art."""
    if sum(char.isalnum() for char in text) >= MIN_PAGE_CHARS:
        return False
    try:
        contents = page.get_contents()
        data = contents.get_data() if contents is not None else b""
        return len(data) > 1024 or b"BI" in data or _has_image(page.get("/Resources"), 0)
    except Exception:  # unreadable page structure: OCR rather than lose the page
        return True


def _has_image(resources: Any, depth: int) -> bool:
    """An image XObject in these resources or in a form XObject they use."""
    if resources is None or depth > 4:
        return False
    xobjects = resources.get_object().get("/XObject")
    if xobjects is None:
        return False
    for ref in xobjects.get_object().values():
        xobject = ref.get_object()
        subtype = xobject.get("/Subtype")
        if subtype == "/Image":
            return True
        if subtype == "/Form" and _has_image(xobject.get("/Resources"), depth + 1):
            return True
    return False


def _ocr_pdf(
    source: Path, job: Path, ocr: _Ocr, scanned: list[int], page_count: int
) -> tuple[Path, list[str]]:
    """OCR the scanned pages of a PDF; text pages are passed through untouched."""
    pages = ",".join(str(index + 1) for index in scanned)
    extra = ["--pages", pages] if len(scanned) < page_count else []
    ocr_pdf, sidecar = _run_ocrmypdf(source, job, ocr, extra, len(scanned))
    return ocr_pdf, _sidecar_pages(sidecar, ocr_pdf, page_count)


# --- images -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _ImageInfo:
    """What Pillow reads from an image header without decoding pixels."""

    format: str
    frames: int
    has_alpha: bool
    has_dpi: bool


def _extract_image(path: Path, ocr: _Ocr) -> Extraction:
    """OCR a JPEG/PNG/TIFF (all TIFF pages) into a searchable PDF/A."""
    info = _inspect_image(path, ocr)
    if not ocr.allowed:
        raise OcrNeeded(info.frames)
    with _job(ocr.work_dir) as job:
        source = _ocr_ready_image(path, info, job)
        extra = [] if info.has_dpi else ["--image-dpi", str(DEFAULT_IMAGE_DPI)]
        ocr_pdf, sidecar = _run_ocrmypdf(source, job, ocr, extra, info.frames)
        texts = _sidecar_pages(sidecar, ocr_pdf, info.frames)
    return Extraction("\f".join(texts), "ocr", info.frames, ocr_pdf, info.frames)


def _inspect_image(path: Path, ocr: _Ocr) -> _ImageInfo:
    """Check every frame's size from the headers, so a pixel bomb is never decoded."""
    from PIL import Image, UnidentifiedImageError

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            with Image.open(path) as image:
                return _image_info(image, ocr)
        except Image.DecompressionBombError as error:
            raise _too_many_pixels() from error
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError) as error:
            raise ExtractionError("damaged: not a readable image", "damaged") from error


def _image_info(image: Any, ocr: _Ocr) -> _ImageInfo:
    """Walk the frames (headers only) of an opened image."""
    frames = _frame_count(image, ocr)
    first_info = dict(image.info)
    has_alpha = False
    for index in range(frames):
        ocr.check_time()
        image.seek(index)
        width, height = image.size
        if width * height > ocr.max_pixels:
            raise _too_many_pixels()
        has_alpha = has_alpha or image.mode in _ALPHA_MODES or "transparency" in image.info
    dpi = first_info.get("dpi")
    has_dpi = bool(dpi) and min(float(dpi[0]), float(dpi[1])) >= 70
    return _ImageInfo(image.format or "", frames, has_alpha, has_dpi)


_ALPHA_MODES = {"RGBA", "RGBa", "LA", "La", "PA"}


def _frame_count(image: Any, ocr: _Ocr) -> int:
    """The number of frames (pages) of an image, counted only up to the page limit: a TIFF
    of 20,000 pages is refused after max_pages + 1 headers, not after walking them all."""
    if not getattr(image, "is_animated", False) and getattr(image, "n_frames", 1) == 1:
        return 1
    if ocr.max_pages is None:
        return int(image.n_frames)
    count = 0
    try:
        while True:
            ocr.check_time()
            image.seek(count)
            count += 1
            if count > ocr.max_pages:
                ocr.check_pages(count, "pages or more")
    except EOFError:
        pass
    image.seek(0)
    return count


def _too_many_pixels() -> ExtractionError:
    """The error for an image too big to decode safely."""
    return ExtractionError(
        "too-large: image has too many pixels to open safely; scan at 300 dpi", "too-large"
    )


def _ocr_ready_image(path: Path, info: _ImageInfo, job: Path) -> Path:
    """A copy OCRmyPDF accepts: JPEG/PNG/TIFF as they are; alpha or other formats flattened."""
    suffix = {"JPEG": ".jpg", "PNG": ".png", "TIFF": ".tif"}.get(info.format)
    if suffix and not info.has_alpha:
        target = job / f"input{suffix}"
        shutil.copyfile(path, target)
        return target
    return _flattened_copy(path, info, job)


def _flattened_copy(path: Path, info: _ImageInfo, job: Path) -> Path:
    """Re-save every frame on a white background (OCRmyPDF refuses transparency)."""
    from PIL import Image

    frames = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            with Image.open(path) as image:
                for index in range(info.frames):
                    image.seek(index)
                    frames.append(_on_white(image))
        except Image.DecompressionBombError as error:
            raise _too_many_pixels() from error
        except (OSError, ValueError, SyntaxError, EOFError) as error:
            raise ExtractionError("damaged: not a readable image", "damaged") from error
    target = job / ("input.tif" if len(frames) > 1 else "input.png")
    dpi = (DEFAULT_IMAGE_DPI, DEFAULT_IMAGE_DPI)
    frames[0].save(target, save_all=len(frames) > 1, append_images=frames[1:], dpi=dpi)
    return target


def _on_white(frame: Any) -> Any:
    """One frame as RGB on white."""
    from PIL import Image

    rgba = frame.convert("RGBA")
    background = Image.new("RGB", rgba.size, "white")
    background.paste(rgba, mask=rgba.getchannel("A"))
    return background


# --- running OCRmyPDF -------------------------------------------------------------------

_PLUGIN_SOURCE = '''"""Written by IKA Records: report OCRmyPDF progress on stderr for the parent."""
import sys

from ocrmypdf import hookimpl


class Progress:
    def __init__(self, *, total=None, desc=None, unit=None, disable=False, **kwargs):
        self.total, self.desc, self.done, self.shown = total, desc, 0.0, -1

    def __enter__(self):
        self._show()
        return self

    def __exit__(self, *exc_info):
        return False

    def update(self, n=1, *, completed=None):
        self.done = completed if completed is not None else self.done + n
        self._show()

    def _show(self):
        if int(self.done) != self.shown:
            self.shown = int(self.done)
            sys.stderr.write(f"@ika-progress\\t{self.desc}\\t{self.shown}\\t{self.total}\\n")
            sys.stderr.flush()


@hookimpl
def get_progressbar_class():
    return Progress
'''


def _new_job(work_dir: Path) -> Path:
    """A fresh directory with safe ASCII names for one run (whatever the file is called)."""
    return Path(tempfile.mkdtemp(prefix="ika-ocr-", dir=work_dir))


@contextmanager
def _job(work_dir: Path) -> Iterator[Path]:
    """A job directory that is removed if the run fails (it may hold a decrypted copy)."""
    job = _new_job(work_dir)
    try:
        yield job
    except BaseException:
        shutil.rmtree(job, ignore_errors=True)
        raise


def _run_ocrmypdf(
    source: Path, job: Path, ocr: _Ocr, extra: list[str], ocr_pages: int
) -> tuple[Path, str]:
    """OCR `source` into job/ocr.pdf; return it and the recognised text (pages split by \f).

    ``--mode redo`` with ``--pages`` OCRs exactly the pages we found to be scans, even one
    carrying a few words of real text (a stamp, a page number), which ``--mode skip`` would
    pass over; pages outside ``--pages`` are copied with their text untouched.
    """
    plugin = job / "ika_ocr_progress.py"
    plugin.write_text(_PLUGIN_SOURCE, encoding="utf-8")
    output, sidecar = job / "ocr.pdf", job / "ocr.txt"
    args = [
        "--language", ocr.languages,
        "--mode", "redo",
        *_pdfa_args(),
        "--sidecar", str(sidecar),
        "--max-image-mpixels", str(max(1, math.ceil(ocr.max_pixels / 1_000_000))),
        "--tesseract-timeout", str(TESSERACT_TIMEOUT_S),
        "--plugin", str(plugin),
        # Only our copy loses its signature; the signed original is filed untouched.
        "--invalidate-digital-signatures",
        *extra,
        str(source),
        str(output),
    ]  # fmt: skip
    ocr.progress(f"ocr start: {ocr_pages} page(s)")
    code, errors = _run_child(args, job, ocr, ocr_pages)
    if code != 0:
        raise _ocr_failure(code, errors, source)
    if any(_TESSERACT_TIMED_OUT in line for line in errors):
        # OCRmyPDF leaves such a page without text and succeeds: the scan would be filed
        # unsearchable for good. It is the server's limit, not the scan's fault: retry it.
        raise ExtractionError(
            "OCR ran out of time on a page (Tesseract's per-page limit; the server is busy) — "
            f"{RETRY_HINT} when the server is less busy",
            OURS,
        )
    text = sidecar.read_text(encoding="utf-8", errors="replace")
    _tidy_job(job, keep={output.name})
    if not _is_pdfa(output):
        ocr.progress("ocr: the result is a searchable PDF but not PDF/A (fonts it cannot check)")
    ocr.progress("ocr done")
    return output, text


@cache
def _pdfa_args() -> tuple[str, ...]:
    """PDF/A where possible, without letting a broken Ghostscript touch existing text.

    Ghostscript 10.0.0-10.02.0 (Debian 12 ships 10.0.0) corrupts pages that keep their text,
    which OCRmyPDF 17 refuses for ``--output-type pdfa`` with skip/redo modes but would still
    use as the fallback of ``--output-type auto``. With such a Ghostscript (or none) only
    OCRmyPDF's internal PDF/A writer is used: the result is PDF/A-2b when pikepdf's validator
    confirms it, else a plain searchable PDF. With a sound Ghostscript, OCRmyPDF's default
    best-effort PDF/A applies.
    """
    version = _ghostscript_version()
    if version is None or (10, 0, 0) <= version < (10, 2, 1):
        return ("--output-type", "auto", "--pdfa-backend", "internal")
    return ("--output-type", "auto")


def _ghostscript_version() -> tuple[int, ...] | None:
    """Version of the installed ``gs``, or None if there is none."""
    try:
        found = subprocess.run(
            ["gs", "--version"], capture_output=True, text=True, timeout=30, check=True
        )
        return tuple(int(part) for part in found.stdout.strip().split("."))
    except (OSError, subprocess.SubprocessError, ValueError):
        return None


def _is_pdfa(pdf: Path) -> bool:
    """True if the file declares PDF/A conformance (OCRmyPDF only declares what it checked)."""
    import pikepdf

    with pikepdf.open(pdf) as document:
        return bool(document.open_metadata().pdfa_status)


def _run_child(args: list[str], job: Path, ocr: _Ocr, ocr_pages: int) -> tuple[int, list[str]]:
    """Run ``python -m ocrmypdf`` in its own process group, relaying progress; kill on timeout."""
    tmp = job / "tmp"
    tmp.mkdir(exist_ok=True)
    env = {**os.environ, "TMPDIR": str(tmp), "PYTHONIOENCODING": "utf-8"}
    timeout = OCR_TIMEOUT_BASE_S + OCR_TIMEOUT_PER_PAGE_S * max(ocr_pages, 1)
    remaining = ocr.remaining()
    ours = remaining is not None and remaining < timeout  # the document's limit comes first
    if ours:
        ocr.check_time()
        timeout = max(int(remaining or 0), 1)
    try:
        child = _start_child(args, job, env)
    except OSError as error:
        raise ExtractionError(
            f"OCR could not run: cannot start OCRmyPDF ({error.strerror or error}) — "
            f"{RETRY_HINT} once the server is fixed",
            OURS,
        ) from error
    lines: queue.Queue[str | None] = queue.Queue()
    reader = threading.Thread(target=_pump, args=(child.stderr, lines), daemon=True)
    reader.start()
    try:
        errors = _relay(lines, ocr.progress, timeout)
    except TimeoutError as error:
        _kill_group(child)
        if ours:
            raise _time_limit(ocr.max_seconds) from error
        raise ExtractionError(
            f"OCR was stopped after {timeout // 60} min (time limit) — {RETRY_HINT} when the "
            "server is less busy, or split the scan into smaller files",
            OURS,
        ) from error
    except BaseException:
        _kill_group(child)
        raise
    return child.wait(), errors


def _start_child(args: list[str], job: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """``python -m ocrmypdf ARGS`` in the job folder, in a process group of its own."""
    return subprocess.Popen(
        [sys.executable, "-m", "ocrmypdf", *args],
        cwd=job,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group: Tesseract/Ghostscript die with it
        preexec_fn=_die_with_parent,
    )


def _die_with_parent() -> None:
    """In the OCR child: be killed when the watcher dies, even by kill -9 (Linux), instead of
    running on as an orphan while the restarted watcher redoes the same file."""
    with suppress(OSError, AttributeError):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)


def _pump(stream: Any, lines: queue.Queue[str | None]) -> None:
    """Move the child's stderr lines into a queue (None at the end)."""
    with stream:
        for raw in stream:
            lines.put(raw.decode("utf-8", errors="replace").rstrip("\n"))
    lines.put(None)


def _relay(lines: queue.Queue[str | None], progress: Progress, timeout: float) -> list[str]:
    """Turn progress lines into progress() calls; keep the rest for error messages (the last
    twenty, and every page Tesseract gave up on, first)."""
    deadline = time.monotonic() + timeout
    other: list[str] = []
    timed_out: list[str] = []
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError
        try:
            line = lines.get(timeout=min(remaining, 1.0))
        except queue.Empty:
            continue
        if line is None:
            return timed_out + other
        if line.startswith(_PROGRESS_TAG):
            _report(line, progress)
        elif _TESSERACT_TIMED_OUT in line:
            timed_out.append(line.strip())
        elif line.strip():
            other = [*other[-19:], line.strip()]


def _report(line: str, progress: Progress) -> None:
    """OCRmyPDF's "OCR" bar becomes 'ocr page 3/12'; its other stages are too fine to show."""
    _, desc, done, total = [*line.split("\t"), "", "", ""][:4]
    if desc == "OCR" and done != "0":
        progress(f"ocr page {done}/{total}")


def _kill_group(child: subprocess.Popen[bytes]) -> None:
    """Stop the OCR child and everything it started (its own session, by its id)."""
    with suppress(ProcessLookupError):
        os.killpg(child.pid, signal.SIGKILL)
    child.wait()


def _tidy_job(job: Path, keep: set[str]) -> None:
    """Remove OCRmyPDF's temporary files and our input copy; keep the results."""
    for entry in job.iterdir():
        if entry.name in keep:
            continue
        if entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)


def _ocr_failure(code: int, errors: list[str], source: Path) -> ExtractionError:
    """Map OCRmyPDF's exit codes to a clerk's reason.

    Only a file OCRmyPDF cannot read (exit 2) or an encrypted one (8) is the document's fault;
    everything else (a missing program or language, a crash, no memory, a full disk) is this
    server's, and says what to fix and that `ika retry` files it afterwards.
    """
    last = errors[-1][:160] if errors else "no message"
    if code == 2:  # input_file
        what = "PDF" if source.suffix == ".pdf" else "image"
        return ExtractionError(f"damaged: not a readable {what} (OCR: {last})", "damaged")
    if code == 8:  # encrypted_pdf
        return ExtractionError(NEEDS_PASSWORD, "encrypted")
    return ExtractionError(_our_ocr_failure(code, errors, last), OURS)


def _our_ocr_failure(code: int, errors: list[str], last: str) -> str:
    """What went wrong on our side when OCRmyPDF failed, and what to do about it."""
    text = "\n".join(errors)
    program = re.search(r"(?:Could not find program|The program) '([^']+)'", text)
    if program:
        name = program.group(1)
        return (f"OCR could not run: {name} not found on this server — install it "
                f"(`make run` does) and {RETRY_HINT}")
    if "language data" in text:
        after = text.split("requested languages:", 1)[-1].strip().splitlines()
        langs = after[0].strip() if after and after[0].strip() else "?"
        return (f"OCR could not run: Tesseract has no language data for {langs!r} "
                "(ika.toml [filing] ocr_languages) — install the language (tesseract-ocr-"
                f"LANG) or correct the setting, then {RETRY_HINT}")
    if "No module named" in text:
        return f"OCR could not run: OCRmyPDF is not installed — run `make deps` and {RETRY_HINT}"
    if "No space left on device" in text or "Disk quota exceeded" in text:
        return f"OCR could not run: the server's disk is full — free space and {RETRY_HINT}"
    if "MemoryError" in text or code in (-signal.SIGKILL, 137):
        return (f"OCR ran out of memory on this server (exit {code}) — {RETRY_HINT} when "
                "the server is less busy, or split the scan into smaller files")
    if code == 3:  # missing_dependency
        return (f"OCR could not run: a program it needs is missing ({last}) — install it "
                f"(`make run` does) and {RETRY_HINT}")
    return (f"OCR failed on this server (exit {code}: {last}); the document itself may be "
            f"fine — {RETRY_HINT}, and tell IT if it fails again")


def _sidecar_pages(sidecar: str, ocr_pdf: Path, page_count: int) -> list[str]:
    """Per-page OCR text from the sidecar, whose skipped pages come as ranges.

    Falls back to the OCR PDF's text layer if the sidecar does not line up with the pages.
    """
    entries = sidecar.split("\f")
    pages: list[str] = []
    for entry in entries:
        skipped = re.fullmatch(r"\s*\[OCR skipped on page\(s\) (\d+)(?:-(\d+))?\]\s*", entry)
        if skipped:
            first = int(skipped.group(1))
            last = int(skipped.group(2) or first)
            pages.extend([""] * (last - first + 1))
        else:
            pages.append(entry.strip("\n"))
    if len(pages) == page_count:
        return pages
    return _pdf_page_texts(ocr_pdf)


def _pdf_page_texts(pdf: Path) -> list[str]:
    """Text of every page of a PDF we made ourselves."""
    import pypdf

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return [_page_text(page) for page in pypdf.PdfReader(pdf).pages]
