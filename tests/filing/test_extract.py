"""Extraction on the shared real-world corpus, plus hostile files built in tmp_path.

OCR is slow on the 2-core CI machine, so each corpus scan is OCR'd once per run: test_watcher.py
checks the scans from what tests/conftest.py's `corpus_watched` (the whole corpus dropped into a
real watcher) filed; `corpus_extract` runs `extract` once per corpus file for the checks here.
The OCR tests are labelled `slow` (`make test` runs them; `make check` does not)."""

from __future__ import annotations

import hashlib
import io
import json
import re
import struct
import subprocess
import sys
import time
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pipeline.errors import ExtractionError
from pipeline.filing import extract_ocr
from pipeline.filing.extract import NEEDS_PASSWORD, NOT_A_PDF, Extraction, extract
from pipeline.filing.sniff import sniff

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
MANIFEST = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))
KINDS = {"damaged", "encrypted", "unsupported", "too-large", "empty"}

# From py-pdf/sample-files 005-libreoffice-writer-password (pypdf's tests decrypt it with
# "openpassword") and pypdf resources/encryption r4-aes-user-password.pdf (made by
# `qpdf --encrypt "asdfzxcv" "" 128 --use-aes=y`).
LIBREOFFICE_PASSWORD = "openpassword"
AES_USER_PASSWORD = "asdfzxcv"

# Its three tables have only empty cells (no w:t anywhere in document.xml): "table text"
# is nothing. Table extraction is checked on a .docx built below.
NO_TEXT_IN_CORPUS_FILE = {"docx/tables.docx"}


# --- helpers ----------------------------------------------------------------------------

def _squash(text: str) -> str:
    """Upper-case letters and digits only: titles survive line breaks and hyphenation."""
    return re.sub(r"[^0-9A-Z]", "", text.upper())


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _one_line(error: ExtractionError) -> None:
    assert error.kind in KINDS
    assert error.reason and "\n" not in error.reason


def _expectation(entry: dict[str, str]) -> str:
    expect = entry["expect"]
    if expect.startswith("quarantined: encrypted"):
        return "encrypted"
    if expect.startswith("quarantined"):
        return "damaged"
    if expect.startswith("filed or quarantined"):
        return "either"
    return "filed"


def _docx_bytes(build: Callable[[Any], object]) -> bytes:
    """A .docx made by python-docx; `build(document)` adds the content."""
    import docx

    document = docx.Document()
    build(document)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _rewrite_zip(data: bytes, changes: dict[str, bytes]) -> bytes:
    """The same zip with some members replaced or added."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            if info.filename not in changes:
                dst.writestr(info, src.read(info))
        for name, content in changes.items():
            dst.writestr(name, content, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _png_header_bomb(path: Path, width: int, height: int) -> None:
    """A real 1-bit PNG of width x height white-ish pixels, costing little to make."""

    def chunk(tag: bytes, data: bytes) -> bytes:
        body = tag + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" * (1 + (width + 7) // 8)
    packer = zlib.compressobj(9)
    rows_at_once = 1000
    idat = b"".join(
        packer.compress(row * min(rows_at_once, height - start))
        for start in range(0, height, rows_at_once)
    )
    idat += packer.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat)
    path.write_bytes(png + chunk(b"IEND", b""))


def _mixed_pdf(path: Path) -> None:
    """Page 1 born-digital text; page 2 a scan; page 3 a scan with a small text stamp."""
    import pikepdf
    from PIL import Image

    scan = path.with_suffix(".scan.pdf")
    with Image.open(CORPUS / "scans" / "phototest.tif") as image:
        image.save(scan, resolution=200)
    with (
        pikepdf.open(CORPUS / "pdf" / "google-doc-document.pdf") as text_pdf,
        pikepdf.open(scan) as scan_pdf,
    ):
        out = pikepdf.new()
        out.pages.append(text_pdf.pages[0])
        out.pages.append(scan_pdf.pages[0])
        out.pages.append(scan_pdf.pages[0])
        _stamp(out, out.pages[2], "Stamp 3")
        out.save(path)
    scan.unlink()


def _stamp(pdf: Any, page: Any, words: str) -> None:
    """Overlay a few words of real (vector) text on a page."""
    from pikepdf import Array, Dictionary, Name

    font = pdf.make_indirect(
        Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica)
    )
    resources = page.obj.get("/Resources") or Dictionary()
    fonts = resources.get("/Font") or Dictionary()
    fonts["/FStamp"] = font
    resources["/Font"] = fonts
    page.obj["/Resources"] = resources
    overlay = pdf.make_stream(f"BT /FStamp 9 Tf 10 10 Td ({words}) Tj ET".encode("ascii"))
    contents = page.obj["/Contents"]
    existing = list(contents) if isinstance(contents, Array) else [contents]
    page.obj["/Contents"] = Array([*existing, overlay])


# --- the corpus, file by file -----------------------------------------------------------


# The scans ("text from OCR") are checked in test_watcher.py, from the one OCR of the corpus.
@pytest.mark.parametrize("entry", [e for e in MANIFEST["files"] if "OCR" not in e["expect"]],
                         ids=lambda e: e["path"])
def test_manifest_file_gives_what_it_expects(entry: dict[str, str], corpus_extract) -> None:
    rel = entry["path"]
    result, _ = corpus_extract(rel)
    expected = _expectation(entry)
    if expected == "filed":
        assert isinstance(result, Extraction), getattr(result, "reason", result)
        if rel not in NO_TEXT_IN_CORPUS_FILE:
            assert sum(c.isalnum() for c in result.text) > 20
        if "OCR" in entry["expect"]:
            assert result.method == "ocr" and result.ocr_pdf and result.ocr_pdf.is_file()
    elif expected == "either":
        if isinstance(result, ExtractionError):
            _one_line(result)
    else:
        assert isinstance(result, ExtractionError), f"{rel} was not refused"
        _one_line(result)
        assert result.kind == expected
        assert result.reason.startswith(expected if expected == "encrypted" else "damaged")


def test_encrypted_pdfs_say_how_to_retry(corpus_extract) -> None:
    for rel in ("pdf/password-protected.pdf", "pdf/aes-user-password.pdf"):
        result, _ = corpus_extract(rel)
        assert isinstance(result, ExtractionError)
        assert result.reason == NEEDS_PASSWORD


def test_invalid_pdf_is_not_a_readable_pdf(corpus_extract) -> None:
    result, _ = corpus_extract("pdf/invalid.pdf")
    assert isinstance(result, ExtractionError) and result.reason == NOT_A_PDF


def test_unreadable_metadata_pdf_is_quarantined_with_a_reason(corpus_extract) -> None:
    # pypdf: "Invalid object in /Pages"; qpdf: "root of pages tree has no /Kids array";
    # poppler sees 4 pages of 0 x 0 pt and no text. Not recoverable: quarantined, not lost.
    result, _ = corpus_extract("pdf/unreadable-metadata.pdf")
    assert isinstance(result, ExtractionError) and result.reason == NOT_A_PDF


def test_truncated_docx_is_damaged(corpus_extract) -> None:
    result, _ = corpus_extract("docx/truncated.docx")
    assert isinstance(result, ExtractionError)
    assert result.kind == "damaged" and result.reason.startswith("damaged .docx: ")


def test_encrypted_docx_is_encrypted(corpus_extract) -> None:
    assert sniff(CORPUS / "docx" / "password-is-pass.docx") == "encrypted-office"
    result, _ = corpus_extract("docx/password-is-pass.docx")
    assert isinstance(result, ExtractionError) and result.kind == "encrypted"


def test_corpus_external_entity_is_not_resolved(corpus_extract) -> None:
    # Its entity points at http://poi.apache.org/; the text must stop where the entity is.
    result, _ = corpus_extract("docx/external-entity.docx")
    assert isinstance(result, Extraction)
    assert result.text.startswith("Here should not be the POI web site")
    assert "<" not in result.text and len(result.text) < 60


def test_header_footer_unicode_docx(corpus_extract) -> None:
    result, _ = corpus_extract("docx/header-footer-unicode.docx")
    assert isinstance(result, Extraction)
    assert "This is a simple header, with a € euro symbol in it." in result.text
    assert "The footer, with Molière, has Unicode in it." in result.text
    assert "L'Avare ou l'École du mensonge" in result.text
    assert result.text.count("simple header") == 1


def test_corpus_tables_docx_is_filed(corpus_extract) -> None:
    result, _ = corpus_extract("docx/tables.docx")
    assert isinstance(result, Extraction) and result.method == "docx"


@pytest.mark.parametrize(
    ("rel", "kind"),
    [
        ("pdf/invalid.pdf", "pdf"),
        ("docx/truncated.docx", "docx"),
        ("docx/password-is-pass.docx", "encrypted-office"),
        ("docx/tables.docx", "docx"),
        ("scans/phototest.tif", "tiff"),
        ("scans/typewriter.png", "png"),
        ("scans/linn.pdf", "pdf"),
        ("scans/linn.txt", "text"),
    ],
)
def test_sniff_corpus(rel: str, kind: str) -> None:
    assert sniff(CORPUS / rel) == kind


def test_sniff_ignores_the_extension(tmp_path: Path) -> None:
    from PIL import Image

    disguised = tmp_path / "letter.pdf"
    Image.new("L", (8, 8), 255).save(disguised, format="JPEG")
    assert sniff(disguised) == "jpeg"
    gif = tmp_path / "scan.docx"
    Image.new("L", (8, 8), 255).save(gif, format="GIF")
    assert sniff(gif) == "image"
    binary = tmp_path / "notes.txt"
    binary.write_bytes(bytes(range(256)) * 4)
    assert sniff(binary) == "unknown"


# --- the instruments --------------------------------------------------------------------

INSTRUMENT_FILES = [
    (item["title"], name)
    for item in MANIFEST["instruments"]
    for name in item["files"]
    if not name.endswith("-scan.pdf")
]


@pytest.mark.parametrize(("title", "name"), INSTRUMENT_FILES, ids=[n for _, n in INSTRUMENT_FILES])
def test_instrument_text_contains_its_title(title: str, name: str, tmp_path: Path) -> None:
    result = extract(CORPUS / "instruments" / name, work_dir=tmp_path)
    expected = {".pdf": "pdf-text", ".docx": "docx", ".txt": "text"}[Path(name).suffix]
    assert result.method == expected
    assert _squash(title) in _squash(result.text[:2000])
    assert result.ocr_pdf is None and not list(tmp_path.iterdir())


@pytest.mark.slow
def test_scanned_instrument_is_ocred_into_pdfa(tmp_path: Path) -> None:
    source = CORPUS / "instruments" / "pta_160-scan.pdf"
    before = _sha256(source)
    messages: list[str] = []
    result = extract(source, work_dir=tmp_path, progress=messages.append)
    assert (result.method, result.pages, result.ocr_pages) == ("ocr", 3, 3)
    assert _squash("MALAYSIA-AUSTRALIA FREE TRADE AGREEMENT") in _squash(result.text[:500])
    assert result.text.count("\f") == 2
    assert result.ocr_pdf is not None and result.ocr_pdf.parent.parent == tmp_path
    assert [m for m in messages if m.startswith("ocr page")] == [
        f"ocr page {n}/3" for n in (1, 2, 3)
    ]
    assert _pdfa_status(result.ocr_pdf) == "2B"
    assert _sha256(source) == before


def _pdfa_status(pdf: Path) -> str:
    import pikepdf

    with pikepdf.open(pdf) as document:
        return document.open_metadata().pdfa_status


# --- OCR of images ----------------------------------------------------------------------


@pytest.mark.slow
def test_phototest_tif_ocr(corpus_extract) -> None:
    before = _sha256(CORPUS / "scans" / "phototest.tif")
    result, messages = corpus_extract("scans/phototest.tif")
    assert isinstance(result, Extraction)
    assert (result.method, result.pages, result.ocr_pages) == ("ocr", 1, 1)
    assert "quick brown dog jumped over the" in " ".join(result.text.split())
    assert result.ocr_pdf is not None and _pdfa_status(result.ocr_pdf) == "2B"
    assert messages[0] == "ocr start: 1 page(s)" and "ocr page 1/1" in messages
    assert messages[-1] == "ocr done"
    assert [p.name for p in result.ocr_pdf.parent.iterdir()] == ["ocr.pdf"]
    assert _sha256(CORPUS / "scans" / "phototest.tif") == before


@pytest.mark.slow
def test_multipage_tiff_with_long_unicode_name(tmp_path: Path) -> None:
    from PIL import Image

    stem = "Memorandum Persefahaman — Kerjasama Keselamatan draf akhir é ü "
    name = (stem + "x" * 250)[: 250 - len(".tif")] + ".tif"
    assert len(name) == 250 and len(name.encode()) <= 255
    source = tmp_path / "inbox" / name
    source.parent.mkdir()
    with Image.open(CORPUS / "scans" / "phototest.tif") as page:
        page.save(source, save_all=True, append_images=[page.rotate(0)], dpi=(200, 200))
    result = extract(source, work_dir=tmp_path / "work dir ü")
    assert (result.method, result.pages, result.ocr_pages) == ("ocr", 2, 2)
    pages = result.text.split("\f")
    assert len(pages) == 2 and all("quick brown" in page for page in pages)
    assert result.ocr_pdf is not None and result.ocr_pdf.is_relative_to(tmp_path / "work dir ü")


@pytest.mark.slow
def test_transparent_png_is_flattened_before_ocr(tmp_path: Path) -> None:
    # OCRmyPDF refuses images with an alpha channel; screenshots often have one.
    from PIL import Image, ImageOps

    with Image.open(CORPUS / "scans" / "phototest.tif") as page:
        ink = page.convert("L")
    transparent = Image.new("LA", ink.size)
    transparent.putalpha(ImageOps.invert(ink))  # black text, see-through paper
    source = tmp_path / "tangkapan skrin.png"
    transparent.save(source)
    result = extract(source, work_dir=tmp_path / "work")
    assert result.method == "ocr" and "quick brown" in result.text


def test_decompression_bomb_png_is_too_large(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.png"
    _png_header_bomb(bomb, 30_000, 30_000)  # 900 Mpixel in ~110 kB
    assert bomb.stat().st_size < 1_000_000
    started = time.monotonic()
    with pytest.raises(ExtractionError) as caught:
        extract(bomb, work_dir=tmp_path / "work")
    assert caught.value.kind == "too-large"
    assert time.monotonic() - started < 5
    assert not list((tmp_path / "work").iterdir())


def test_image_over_max_pixels_warns_nothing_and_is_too_large(tmp_path: Path) -> None:
    # 108 Mpixel: above our limit, below Pillow's error threshold, so Pillow would only warn;
    # pytest's filterwarnings=error proves the DecompressionBombWarning does not escape.
    big = tmp_path / "big.png"
    _png_header_bomb(big, 12_000, 9_000)
    with pytest.raises(ExtractionError) as caught:
        extract(big, work_dir=tmp_path / "work")
    assert caught.value.kind == "too-large"
    with pytest.raises(ExtractionError):
        extract(CORPUS / "scans" / "phototest.tif", work_dir=tmp_path, max_pixels=100_000)


# --- PDFs -------------------------------------------------------------------------------


def test_password_retry_libreoffice_pdf(tmp_path: Path) -> None:
    source = CORPUS / "pdf" / "password-protected.pdf"
    with pytest.raises(ExtractionError) as caught:
        extract(source, work_dir=tmp_path, password="not-it")
    assert caught.value.kind == "encrypted" and "wrong" in caught.value.reason
    result = extract(source, work_dir=tmp_path, password=LIBREOFFICE_PASSWORD)
    assert result.method == "pdf-text" and "Lorem ipsum" in result.text


def test_password_retry_aes_pdf(tmp_path: Path) -> None:
    result = extract(
        CORPUS / "pdf" / "aes-user-password.pdf", work_dir=tmp_path, password=AES_USER_PASSWORD
    )
    assert result.method == "pdf-text" and "pdf encryption test" in result.text


def test_pdf_with_broken_xref_is_repaired_not_refused(tmp_path: Path) -> None:
    damaged = tmp_path / "broken.pdf"
    damaged.write_bytes((CORPUS / "pdf" / "multicolumn.pdf").read_bytes().replace(b"xref", b"xrfe"))
    result = extract(damaged, work_dir=tmp_path / "work")
    assert result.method == "pdf-text" and "Two-Column Document" in result.text
    assert not list((tmp_path / "work").iterdir())


def test_truncated_pdf_is_damaged(tmp_path: Path) -> None:
    data = (CORPUS / "instruments" / "pta_38.pdf").read_bytes()
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(ExtractionError) as caught:
        extract(cut, work_dir=tmp_path / "work")
    assert caught.value.reason == NOT_A_PDF


@pytest.mark.slow
def test_mixed_pdf_ocrs_only_its_scanned_pages(tmp_path: Path) -> None:
    source = tmp_path / "mixed.pdf"
    _mixed_pdf(source)
    before = _sha256(source)
    result = extract(source, work_dir=tmp_path / "work")
    assert (result.method, result.pages, result.ocr_pages) == ("pdf-mixed", 3, 2)
    text_page, scan_page, stamped_page = result.text.split("\f")
    assert text_page.startswith("Example document")
    assert "quick brown" in scan_page and "quick brown" in stamped_page
    assert result.ocr_pdf is not None
    kept = extract(result.ocr_pdf, work_dir=tmp_path / "check")
    assert kept.method == "pdf-text" and kept.text.split("\f")[0] == text_page
    assert _sha256(source) == before


@pytest.mark.slow
def test_encrypted_scan_is_ocred_from_a_decrypted_copy(tmp_path: Path) -> None:
    import pikepdf

    plain = tmp_path / "plain.pdf"
    _mixed_pdf(plain)
    locked = tmp_path / "locked.pdf"
    with pikepdf.open(plain) as pdf:
        del pdf.pages[2]
        pdf.save(locked, encryption=pikepdf.Encryption(user="rahsia", owner="rahsia", R=6))
    with pytest.raises(ExtractionError) as caught:
        extract(locked, work_dir=tmp_path / "work")
    assert caught.value.reason == NEEDS_PASSWORD
    result = extract(locked, work_dir=tmp_path / "work", password="rahsia")
    assert (result.method, result.ocr_pages) == ("pdf-mixed", 1)
    assert "quick brown" in result.text
    assert [p.name for p in result.ocr_pdf.parent.iterdir()] == ["ocr.pdf"]


def test_ocr_that_overruns_is_killed_and_cleaned_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(extract_ocr, "OCR_TIMEOUT_BASE_S", 0)
    monkeypatch.setattr(extract_ocr, "OCR_TIMEOUT_PER_PAGE_S", 0)
    with pytest.raises(ExtractionError) as caught:
        extract(CORPUS / "scans" / "phototest.tif", work_dir=tmp_path)
    assert caught.value.kind == "error"  # the server's time limit, not a fault of the scan
    assert "ika retry" in caught.value.reason and "damaged" not in caught.value.reason
    assert not list(tmp_path.iterdir())


def test_a_page_tesseract_gives_up_on_is_a_retry_not_a_scan_without_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """OCRmyPDF skips such a page and succeeds; filing it would leave the scan unsearchable."""
    monkeypatch.setattr(extract_ocr, "TESSERACT_TIMEOUT_S", 0.01)
    with pytest.raises(ExtractionError) as caught:
        extract(CORPUS / "scans" / "phototest.tif", work_dir=tmp_path)
    assert caught.value.kind == "error" and "ika retry" in caught.value.reason
    assert not list(tmp_path.iterdir())


# --- .docx ------------------------------------------------------------------------------


def _structured(document: Any) -> None:
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    document.add_paragraph("Perkara 1: Tajuk perjanjian")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Negara"
    table.cell(0, 1).text = "Tarikh"
    inner = table.cell(1, 0).add_table(rows=1, cols=2)
    inner.cell(0, 0).text = "Dalam A"
    inner.cell(0, 1).text = "Dalam B"
    table.cell(1, 1).text = "22 Mei 2012"
    changed = document.add_paragraph("Pindaan: ")
    changed._p.append(
        parse_xml(
            f'<w:ins {nsdecls("w")} w:id="1" w:author="KDN" w:date="2024-01-01T00:00:00Z">'
            "<w:r><w:t>DITAMBAH</w:t></w:r></w:ins>"
        )
    )
    changed._p.append(
        parse_xml(
            f'<w:del {nsdecls("w")} w:id="2" w:author="KDN" w:date="2024-01-01T00:00:00Z">'
            "<w:r><w:delText>DIPADAM</w:delText></w:r></w:del>"
        )
    )
    document.add_paragraph("Perkara 2: selepas jadual")
    first = document.sections[0]
    first.header.paragraphs[0].text = "SULIT — Kementerian Dalam Negeri"
    first.footer.paragraphs[0].text = "Kaki halaman satu"
    second = document.add_section()
    second.header.is_linked_to_previous = False
    second.header.paragraphs[0].text = "Kepala seksyen dua"
    document.add_paragraph("Perkara 3: seksyen dua")


def test_docx_body_tables_headers_footers_in_order(tmp_path: Path) -> None:
    source = tmp_path / "struktur.docx"
    source.write_bytes(_docx_bytes(_structured))
    text = extract(source, work_dir=tmp_path).text
    order = [
        "Perkara 1",
        "Negara\tTarikh",
        "Dalam A\tDalam B",
        "22 Mei 2012",
        "Pindaan: DITAMBAH",
        "Perkara 2",
        "Perkara 3",
        "SULIT — Kementerian Dalam Negeri",
        "Kaki halaman satu",
        "Kepala seksyen dua",
    ]
    positions = [text.find(part) for part in order]
    assert -1 not in positions, text
    assert positions == sorted(positions)
    assert "DIPADAM" not in text
    assert text.count("Dalam A") == 1 and text.count("SULIT") == 1


@pytest.mark.parametrize(
    "doctype",
    [
        '<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "{url}">]>',
        '<!DOCTYPE w:document [<!ENTITY % ext SYSTEM "{url}"> %ext;]>',
        '<!DOCTYPE w:document [<!ENTITY a "{secret_word}{secret_word}">'
        '<!ENTITY xxe "&a;&a;&a;&a;&a;&a;&a;&a;">]>',
    ],
    ids=["external-entity", "external-parameter-entity", "nested-internal-entities"],
)
def test_docx_entities_are_never_resolved(doctype: str, tmp_path: Path) -> None:
    secret_word = "RAHSIA-4f1c9b"
    secret = tmp_path / "secret.txt"
    secret.write_text(f"{secret_word}\n", encoding="utf-8")
    (tmp_path / "secret.dtd").write_text(f'<!ENTITY xxe "{secret_word}">', encoding="utf-8")
    url = (tmp_path / ("secret.dtd" if "%" in doctype else "secret.txt")).as_uri()
    plain = _docx_bytes(lambda d: d.add_paragraph("Mula XXEHERE Tamat"))
    with zipfile.ZipFile(io.BytesIO(plain)) as archive:
        xml = archive.read("word/document.xml").decode("utf-8")
    declaration, rest = xml.split("\n", 1)
    header = doctype.format(url=url, secret_word=secret_word)
    hostile = f"{declaration}\n{header}\n{rest}".replace("XXEHERE", "&xxe;")
    source = tmp_path / "hostile.docx"
    source.write_bytes(_rewrite_zip(plain, {"word/document.xml": hostile.encode("utf-8")}))
    try:
        outcome = extract(source, work_dir=tmp_path / "work").text
        assert outcome.startswith("Mula") and outcome.endswith("Tamat")
    except ExtractionError as error:  # quarantined is acceptable; leaking is not
        outcome = error.reason
        assert error.kind == "damaged"
    assert secret_word not in outcome
    assert secret_word in _resolved_by_a_careless_parser(hostile)  # the file is a real attack


def _resolved_by_a_careless_parser(xml: str) -> str:
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=True, load_dtd=True, no_network=True)
    return etree.tostring(etree.fromstring(xml.encode("utf-8"), parser), encoding="unicode")


def test_zip_bomb_docx_is_too_large(tmp_path: Path) -> None:
    plain = _docx_bytes(lambda d: d.add_paragraph("bom"))
    bomb = tmp_path / "bomb.docx"
    bomb.write_bytes(_rewrite_zip(plain, {"word/media/image1.png": b"\0" * 50_000_000}))
    assert bomb.stat().st_size < 1_000_000
    with pytest.raises(ExtractionError) as caught:
        extract(bomb, work_dir=tmp_path)
    assert caught.value.kind == "too-large"


def test_docx_unpacking_over_the_total_limit_is_too_large(tmp_path: Path) -> None:
    plain = _docx_bytes(lambda d: d.add_paragraph("besar"))
    filler = bytes(range(256)) * 36_000  # 9.2 MB each, well under the ratio rule's size
    parts = {f"word/media/image{n}.bin": filler for n in range(23)}
    big = tmp_path / "big.docx"
    big.write_bytes(_rewrite_zip(plain, parts))
    with pytest.raises(ExtractionError) as caught:
        extract(big, work_dir=tmp_path)
    assert caught.value.kind == "too-large"


# --- other files ------------------------------------------------------------------------


def test_empty_file(tmp_path: Path) -> None:
    empty = tmp_path / "kosong.pdf"
    empty.touch()
    with pytest.raises(ExtractionError) as caught:
        extract(empty, work_dir=tmp_path)
    assert caught.value.kind == "empty"


def test_unknown_type_is_unsupported(tmp_path: Path) -> None:
    odd = tmp_path / "perjanjian.pdf.exe"
    odd.write_bytes(b"MZ\x90\x00" + bytes(range(256)) * 8)
    with pytest.raises(ExtractionError) as caught:
        extract(odd, work_dir=tmp_path)
    assert caught.value.kind == "unsupported" and "unsupported file type" in caught.value.reason


def test_text_file_with_bad_bytes(tmp_path: Path) -> None:
    note = tmp_path / "nota ringkas — draf.txt"
    note.write_bytes(
        "\ufeffMemorandum Persefahaman antara Malaysia dan Jepun\n".encode() + b"\xff!"
    )
    result = extract(note, work_dir=tmp_path)
    assert result.method == "text" and result.text.startswith("Memorandum Persefahaman")
    assert result.text.endswith("\ufffd!")


def test_importing_extract_is_cheap() -> None:
    code = (
        "import sys, pipeline.filing.extract; "
        "heavy = {'ocrmypdf', 'pikepdf', 'docx', 'PIL', 'pypdf', 'lxml'} & set(sys.modules); "
        "print(sorted(heavy))"
    )
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert found.stdout.strip() == "[]"


def test_bad_language_list_is_a_programming_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        extract(CORPUS / "scans" / "phototest.tif", work_dir=tmp_path, languages="--help")


def test_tesseract_gets_one_thread_per_page_unless_the_administrator_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipeline.filing.extract_ocr import child_env

    monkeypatch.delenv("OMP_THREAD_LIMIT", raising=False)
    assert child_env(tmp_path)["OMP_THREAD_LIMIT"] == "1"
    assert child_env(tmp_path)["TMPDIR"] == str(tmp_path)
    monkeypatch.setenv("OMP_THREAD_LIMIT", "3")
    assert child_env(tmp_path)["OMP_THREAD_LIMIT"] == "3"
