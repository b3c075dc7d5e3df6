"""Read a PDF: its text layer with pypdf, repaired or decrypted as needed; scanned pages to OCR."""

from __future__ import annotations

import re
import shutil
import warnings
from pathlib import Path
from typing import Any

from pipeline.errors import ExtractionError
from pipeline.filing.extract_base import (
    NEEDS_PASSWORD,
    NOT_A_PDF,
    WRONG_PASSWORD,
    Extraction,
    OcrNeeded,
    OcrSettings,
)
from pipeline.filing.extract_ocr import ocr_job, run_ocrmypdf

MIN_PAGE_CHARS = 20  # fewer letters/digits than this on a page: treat it as a scan


def extract_pdf(path: Path, password: str | None, ocr: OcrSettings) -> Extraction:
    """Text layer with pypdf; pages without one go through OCRmyPDF."""
    with ocr_job(ocr.work_dir) as job:
        result = _extract_pdf_in(job, path, password, ocr)
    if result.ocr_pdf is None:
        shutil.rmtree(job, ignore_errors=True)
    return result


def _extract_pdf_in(job: Path, path: Path, password: str | None, ocr: OcrSettings) -> Extraction:
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


def _open_pdf(path: Path, password: str | None, job: Path, ocr: OcrSettings) -> tuple[Any, Path]:
    """A decrypted pypdf reader, repairing the file with qpdf if pypdf cannot parse it."""
    try:
        reader = _read_pdf(path, password, ocr)
        return reader, path
    except ExtractionError as error:
        if error.kind != "damaged":
            raise
    repaired = _repaired_copy(path, password, job / "repaired.pdf")  # raises if qpdf cannot
    return _read_pdf(repaired, password, ocr), repaired


def _read_pdf(path: Path, password: str | None, ocr: OcrSettings) -> Any:
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
    source: Path, job: Path, ocr: OcrSettings, scanned: list[int], page_count: int
) -> tuple[Path, list[str]]:
    """OCR the scanned pages of a PDF; text pages are passed through untouched."""
    pages = ",".join(str(index + 1) for index in scanned)
    extra = ["--pages", pages] if len(scanned) < page_count else []
    ocr_pdf, sidecar = run_ocrmypdf(source, job, ocr, extra, len(scanned))
    return ocr_pdf, sidecar_pages(sidecar, ocr_pdf, page_count)



def sidecar_pages(sidecar: str, ocr_pdf: Path, page_count: int) -> list[str]:
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
