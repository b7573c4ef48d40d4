"""Scans made from the text PDFs: image-only PDFs, as a county prints and scans its budget.

The OCR tests and benchmarks/ocr.py read them; their expected figures are the
text PDF's (read off the page or from tests/support/references.py).
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pypdfium2
from PIL import Image

SKEW_DEGREES = 0.5
NOISE_SIGMA = 12  # grey levels of grain noise on a skewed scan
_SEED = 15


def page_images(pdf: Path, dpi: int, pages: list[int] | None = None) -> list[Image.Image]:
    """Pages (1-based; all when None) rendered in grey at ``dpi``."""
    document = pypdfium2.PdfDocument(str(pdf))
    try:
        images = []
        for number in pages or range(1, len(document) + 1):
            page = document[number - 1]
            images.append(page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L"))
            page.close()
        return images
    finally:
        document.close()


def skew_and_grain(image: Image.Image, random: np.random.Generator) -> Image.Image:
    """A sheet fed through a scanner: turned by ``SKEW_DEGREES`` and grained with noise."""
    turned = image.rotate(SKEW_DEGREES, resample=Image.Resampling.BICUBIC, fillcolor=255)
    noisy = np.asarray(turned, dtype=np.int16) + random.normal(0, NOISE_SIGMA, (turned.height, turned.width))
    return Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8))


def image_pdf(images: list[Image.Image], dpi: int) -> bytes:
    """An image-only PDF (no text layer) of ``images``."""
    out = io.BytesIO()
    images[0].save(out, "PDF", resolution=dpi, save_all=True, append_images=images[1:])
    return out.getvalue()


def rasterise(pdf: Path, dpi: int, pages: list[int] | None = None, skewed: bool = False) -> bytes:
    """``pdf`` as a scan: every page (or ``pages``) an image at ``dpi``, optionally skewed and grained."""
    images = page_images(pdf, dpi, pages)
    if skewed:
        random = np.random.default_rng(_SEED)
        images = [skew_and_grain(image, random) for image in images]
    return image_pdf(images, dpi)


def char_boxes(pdf: Path, page: int, text: str, dpi: int) -> list[list[tuple[int, int, int, int]]]:
    """Where ``text`` is printed on ``page``, each occurrence as its characters' pixel boxes
    (x0, y0, x1, y1; origin top left) at ``dpi``, from the text layer."""
    document = pypdfium2.PdfDocument(str(pdf))
    try:
        page_object = document[page - 1]
        height = page_object.get_height()
        textpage = page_object.get_textpage()
        searcher = textpage.search(text)
        scale = dpi / 72
        found = []
        while (hit := searcher.get_next()) is not None:
            start, count = hit
            boxes = []
            for index in range(start, start + count):
                left, bottom, right, top = textpage.get_charbox(index)
                boxes.append(
                    (
                        int(left * scale),
                        int((height - top) * scale),
                        int(right * scale) + 1,
                        int((height - bottom) * scale) + 1,
                    )
                )
            found.append(boxes)
        return found
    finally:
        document.close()


def copy_glyph(image: Image.Image, source: tuple[int, int, int, int], target: tuple[int, int, int, int]) -> None:
    """Print the glyph at ``source`` over the one at ``target`` (a digit misprinted or misread)."""
    x0, y0, x1, y1 = target
    image.paste(255, (x0, y0, x1, y1))
    glyph = image.crop(source)
    image.paste(glyph, (x0, y0))
