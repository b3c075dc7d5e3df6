"""Tell what a dropped file really is from its first bytes, never from its extension.

Clerks rename files, scanners pick odd extensions and a hostile sender can call anything
``.pdf``; the filing pipeline picks its extractor (and its error message) from this answer.
"""

from __future__ import annotations

import struct
import warnings
import zipfile
from pathlib import Path
from typing import BinaryIO

PDF = "pdf"
DOCX = "docx"
ENCRYPTED_OFFICE = "encrypted-office"  # OLE/CFB container holding an encrypted OOXML package
DOC = "doc"  # legacy binary Word (OLE/CFB with a WordDocument stream)
OLE = "ole"  # any other OLE/CFB file (.xls, .ppt, .msg, ...)
JPEG = "jpeg"
PNG = "png"
TIFF = "tiff"
IMAGE = "image"  # another raster format Pillow can read safely
TEXT = "text"
EMPTY = "empty"
UNKNOWN = "unknown"

_HEAD_BYTES = 64 * 1024
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_TIFF_MAGICS = (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")
# Only formats whose *header* parsing is pure Python and harmless; EPS/PS would run Ghostscript.
_SAFE_PILLOW_FORMATS = ["GIF", "BMP", "WEBP", "JPEG2000", "PPM"]
_CFB_MAX_SECTORS = 4096  # bounds every chain walk, so a looping FAT cannot hang the watcher


def sniff(path: Path | str) -> str:
    """Return the file's real type: one of the module constants (``"pdf"``, ``"docx"``, ...)."""
    path = Path(path)
    with path.open("rb") as stream:
        head = stream.read(_HEAD_BYTES)
    if not head:
        return EMPTY
    for check in (_binary_kind, _zip_kind, _ole_kind, _pillow_kind, _text_kind):
        kind = check(path, head)
        if kind:
            return kind
    return UNKNOWN


def _binary_kind(path: Path, head: bytes) -> str | None:
    """Formats recognised by a fixed signature."""
    if b"%PDF-" in head[:1024]:  # readers accept junk before the header; so do we
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head[:4] in _TIFF_MAGICS:
        return TIFF
    return None


def _zip_kind(path: Path, head: bytes) -> str | None:
    """A .docx is a zip holding word/document.xml; a truncated one still shows word/ parts."""
    if not head.startswith(b"PK\x03\x04"):
        return None
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        # No readable central directory (cut short): the local headers still name the parts.
        return DOCX if b"word/" in head else UNKNOWN
    return DOCX if "word/document.xml" in names else UNKNOWN


def _ole_kind(path: Path, head: bytes) -> str | None:
    """OLE/CFB: an encrypted .docx, a legacy .doc, or some other old Office file."""
    if not head.startswith(_OLE_MAGIC):
        return None
    try:
        names = _cfb_stream_names(path)
    except (OSError, ValueError, struct.error):
        return OLE
    if "EncryptedPackage" in names:
        return ENCRYPTED_OFFICE
    if "WordDocument" in names:
        return DOC
    return OLE


def _pillow_kind(path: Path, head: bytes) -> str | None:
    """Other raster images, recognised by Pillow from the header alone (no pixel decoding)."""
    from PIL import Image, UnidentifiedImageError

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            with Image.open(path, formats=_SAFE_PILLOW_FORMATS):
                return IMAGE
        except Image.DecompressionBombError:
            return IMAGE  # an image all right, just too big: extract() says so
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
            return None


# Byte-order marks, the longest first (a UTF-32-LE mark starts like a UTF-16-LE one).
_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"),
)


def text_encoding(head: bytes) -> str | None:
    """The Unicode encoding a byte-order mark (or, for UTF-16 without one, the pattern of NULs
    of mostly-Latin text) names; None for anything else (8-bit text is told apart when read)."""
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return encoding
    sample = head[: len(head) - len(head) % 2]
    if len(sample) >= 4:
        even, odd = sample[0::2], sample[1::2]
        if odd.count(0) >= len(odd) * 0.9 and even.count(0) == 0:
            return "utf-16-le"
        if even.count(0) >= len(even) * 0.9 and odd.count(0) == 0:
            return "utf-16-be"
    return None


def _unicode_text(head: bytes, encoding: str) -> bool:
    """`head` decodes as `encoding` (a character cut at the end of the sample allowed) to text
    with few control characters."""
    cut = len(head) - len(head) % (4 if encoding.startswith("utf-32") else 2)
    text = head[:cut].decode(encoding, errors="replace")
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\n\r\f")
    return "\ufffd" not in text[:-1] and controls <= len(text) // 100


def _text_kind(path: Path, head: bytes) -> str | None:
    """Text: UTF-8 (or a .txt in an old 8-bit code page) with no NULs and few control
    characters, or UTF-16/UTF-32 (by its byte-order mark, or UTF-16's NULs)."""
    encoding = text_encoding(head)
    if encoding is not None and encoding != "utf-8-sig":
        return TEXT if _unicode_text(head, encoding) else None
    if b"\x00" in head or head.startswith(b"{\\rtf"):
        return None
    controls = sum(1 for byte in head if byte < 32 and byte not in b"\t\n\r\f")
    if controls > len(head) // 100:
        return None
    if _is_utf8(head) or path.suffix.lower() == ".txt":
        return TEXT
    return None


def _is_utf8(head: bytes) -> bool:
    """Valid UTF-8, allowing a character cut in half at the end of the sample."""
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        return error.start >= len(head) - 3 and error.reason == "unexpected end of data"
    return True


def _cfb_stream_names(path: Path) -> set[str]:
    """Names in a Compound File Binary directory (MS-CFB), read with bounded loops."""
    with path.open("rb") as stream:
        header = stream.read(512)
        if len(header) < 512:
            raise ValueError("short CFB header")
        sector_size = 1 << struct.unpack_from("<H", header, 0x1E)[0]
        if sector_size not in (512, 4096):
            raise ValueError("bad CFB sector size")
        fat = _cfb_fat(stream, header, sector_size)
        first_dir = struct.unpack_from("<I", header, 0x30)[0]
        names: set[str] = set()
        for sector in _cfb_chain(fat, first_dir):
            stream.seek((sector + 1) * sector_size)
            block = stream.read(sector_size)
            for offset in range(0, len(block) - 127, 128):
                names.add(_cfb_entry_name(block[offset : offset + 128]))
        return names


def _cfb_fat(stream: BinaryIO, header: bytes, sector_size: int) -> list[int]:
    """The file allocation table, from the header's DIFAT and its continuation sectors."""
    difat = [s for s in struct.unpack_from("<109I", header, 0x4C) if s < 0xFFFFFFFA]
    next_difat = struct.unpack_from("<I", header, 0x44)[0]
    per_sector = sector_size // 4
    for _ in range(_CFB_MAX_SECTORS):
        if next_difat >= 0xFFFFFFFA:
            break
        stream.seek((next_difat + 1) * sector_size)
        entries = struct.unpack(f"<{per_sector}I", stream.read(sector_size))
        difat.extend(s for s in entries[:-1] if s < 0xFFFFFFFA)
        next_difat = entries[-1]
    fat: list[int] = []
    for sector in difat[:_CFB_MAX_SECTORS]:
        stream.seek((sector + 1) * sector_size)
        data = stream.read(sector_size)
        fat.extend(struct.unpack(f"<{len(data) // 4}I", data[: len(data) // 4 * 4]))
    return fat


def _cfb_chain(fat: list[int], start: int) -> list[int]:
    """Sector numbers of one chain, stopping at the end mark, a bad link or a loop."""
    chain: list[int] = []
    seen: set[int] = set()
    sector = start
    while sector < len(fat) and len(chain) < _CFB_MAX_SECTORS and sector not in seen:
        chain.append(sector)
        seen.add(sector)
        sector = fat[sector]
    return chain


def _cfb_entry_name(entry: bytes) -> str:
    """The UTF-16LE name of one 128-byte directory entry."""
    length = min(struct.unpack_from("<H", entry, 0x40)[0], 64)
    return entry[: max(length - 2, 0)].decode("utf-16-le", errors="replace")
