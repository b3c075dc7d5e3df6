"""Read a .docx safely: zip-bomb checks, then body, tables, headers and footers in order."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pipeline.errors import ExtractionError
from pipeline.filing.extract_base import Extraction

MAX_DOCX_BYTES = 200 * 1024 * 1024  # total uncompressed size of all parts
MAX_DOCX_RATIO = 100  # compression ratio above which a big part is taken for a zip bomb
DOCX_RATIO_MIN_BYTES = 10 * 1024 * 1024  # small parts may compress well legitimately
MAX_DOCX_MEMBERS = 10_000

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"


def docx_text(path: Path) -> str:
    """The text of a .docx (body, tables, headers, footers): what a reader of the letter sees."""
    return extract_docx(Path(path)).text


def extract_docx(path: Path) -> Extraction:
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
