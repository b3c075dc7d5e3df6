"""Read an image (JPEG, PNG, TIFF): check it for pixel bombs from its headers, then OCR it."""

from __future__ import annotations

import shutil
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.errors import ExtractionError
from pipeline.filing.extract_base import Extraction, OcrNeeded, OcrSettings
from pipeline.filing.extract_ocr import ocr_job, run_ocrmypdf
from pipeline.filing.extract_pdf import sidecar_pages

DEFAULT_IMAGE_DPI = 300  # assumed when an image does not say (most office scanners use 300)


@dataclass(frozen=True)
class _ImageInfo:
    """What Pillow reads from an image header without decoding pixels."""

    format: str
    frames: int
    has_alpha: bool
    has_dpi: bool


def extract_image(path: Path, ocr: OcrSettings) -> Extraction:
    """OCR a JPEG/PNG/TIFF (all TIFF pages) into a searchable PDF/A."""
    info = _inspect_image(path, ocr)
    if not ocr.allowed:
        raise OcrNeeded(info.frames)
    with ocr_job(ocr.work_dir) as job:
        source = _ocr_ready_image(path, info, job)
        extra = [] if info.has_dpi else ["--image-dpi", str(DEFAULT_IMAGE_DPI)]
        ocr_pdf, sidecar = run_ocrmypdf(source, job, ocr, extra, info.frames)
        texts = sidecar_pages(sidecar, ocr_pdf, info.frames)
    return Extraction("\f".join(texts), "ocr", info.frames, ocr_pdf, info.frames)


def _inspect_image(path: Path, ocr: OcrSettings) -> _ImageInfo:
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


def _image_info(image: Any, ocr: OcrSettings) -> _ImageInfo:
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


def _frame_count(image: Any, ocr: OcrSettings) -> int:
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
