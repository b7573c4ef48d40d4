"""Pages without a text layer (scans): the ruled tables and the text, read by OCR.

The page is rendered with pdfium; camelot's lattice line detection (its own
OpenCV functions, as its raster engine uses them) finds the ruled grid on the
image; each merged cell of the grid is cut into its printed lines and each line
is read by rapidocr's recogniser (PP-OCR models that ship inside the wheel:
nothing is downloaded).  The result is the ``RawTable`` the text path makes,
plus the recogniser's confidence per cell, so statements, lines and headlines
are the same code for scans and text PDFs.

Cutting cells into lines by their ink, instead of detecting text boxes on the
whole page, keeps a figure from running into its neighbour across a rule and
skips the detector, the slowest model.  A page with no ruled table is only read
when its text is needed (the first pages, for the department and the year).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import numpy as np
import pypdfium2
import pypdfium2.raw as pdfium_c

from pipelines.extraction.numbers import is_amount
from pipelines.extraction.pdf import PdfError, RawTable, cell_borders
from pipelines.extraction.text import normalize

MIN_SCAN_DPI = 120  # a coarser scan is not read (see scanned_pages)
OCR_DPI = 200  # render resolution: printed 9-point figures are ~25 px high, enough for the recogniser
_SCALE = OCR_DPI / 72
_INK_LEVEL = 128  # grey below this is ink
_RULE_INSET = 4  # px kept clear inside a cell's edges, where the rules are drawn
_GLYPH_GAP = 4  # px: a thinner blank inside a band of ink is within a glyph (类 is 米 over 大)
_MIN_LINE_HEIGHT = 6  # px: a shorter band of ink is a speck or a rule stub
_MARGIN = 0.3  # of the line height: the page around a line (a comma's tail)
_PADDING = 0.2  # of the line height: white beyond that (measured: less or more loses a leading 一 or a repeated 8)
_WORD_GAP = 3.0  # line heights: a wider blank splits a line of page text into separate pieces
# camelot's shortest rule is the page's size over this: 30 finds a rule of 28 points (a
# column rule three rows high); camelot's 15 misses it and fuses two columns.
_LINE_SCALE = 30
# Outside the tables a rule must be this share of the page's width: camelot's short rules
# also find the strokes of large print (a title's 一 or the bar of 大 in a cover's name),
# and whiting those out reads 大 as 人, 表 as 衣, 三 as 一.
_PAGE_RULE_SHARE = 1 / 8
_TABLE_MARGIN = 6  # px around a table's outer rules that still belong to its grid
# A line of a cell holding a label and then an amount: a rule the grid missed between two cells.
_FUSED = re.compile(r"[\u4e00-\u9fff][^\d\u4e00-\u9fff]*-?\d[\d,]*(\.\d+)?$")
FUSED_CONFIDENCE = 0.0  # given to such a cell: its figure cannot be trusted (the gate refuses it)
# Spaces the recogniser puts inside a printed figure (``426, 000``): layout, not content.
_SPACE_IN_FIGURE = re.compile(r"(?<=[\d,.])\s+(?=[\d,.])")
# 一 is one stroke: the recogniser reads it as a dash before a character (``-般公共服务``) or
# drops it before the ordinal mark (``、财政拨款``).  No label prints a dash there.
_DASH_FOR_ONE = re.compile(r"[-－—~](?=[\u4e00-\u9fff])")
_LOST_ONE = re.compile(r"^、")


class OcrUnavailable(RuntimeError):
    """The recogniser is not installed."""


@dataclass
class OcrPage:
    """What OCR read on one page: its text lines (outside tables) and its ruled tables."""

    page: int
    text: str
    tables: list[RawTable]


@cache
def _recogniser():
    """rapidocr's text recogniser alone (no detector, no angle classifier), loaded once per process."""
    try:
        from rapidocr_onnxruntime import RapidOCR
    except ImportError as exc:
        raise OcrUnavailable("OCR is not installed (the rapidocr-onnxruntime package)") from exc
    return RapidOCR(use_det=False, use_cls=False).text_rec


def recognise(images: list[np.ndarray]) -> list[tuple[str, float]]:
    """Text and confidence of each one-line image, recognised in batches."""
    if not images:
        return []
    results, _elapsed = _recogniser()([np.dstack([image] * 3) for image in images])
    return [(clean_text(text), float(score)) for text, score in results]


def clean_text(text: str) -> str:
    """The recogniser's known slips on printed budgets, undone (see the patterns above)."""
    text = _SPACE_IN_FIGURE.sub("", normalize(text)).strip()
    return _LOST_ONE.sub("一、", _DASH_FOR_ONE.sub("一", text))


# A figure whose thousands groups are not three digits (``16,44.36``): the recogniser merged a
# repeated digit (444 → 44), as it does when the digits are narrow for its time steps.
_MALFORMED_FIGURE = re.compile(r"^-?[\d,]*\d(\.\d+)?$")
_STRETCHES = (1.5, 2.0)  # widths tried again for a malformed figure: more time steps per digit


def reread_figure(crop: np.ndarray, text: str, score: float) -> tuple[str, float]:
    """A malformed figure read again from its line stretched wider; kept only when it then reads
    as a well-formed amount (the thousands groups act as a check), else left malformed (the
    gate refuses an unreadable amount)."""
    import cv2

    if is_amount(text):
        return text, score
    for stretch in _STRETCHES:
        wider = cv2.resize(crop, (int(crop.shape[1] * stretch), crop.shape[0]), interpolation=cv2.INTER_CUBIC)
        [(again, again_score)] = recognise([wider])
        if is_amount(again):
            return again, min(score, again_score)
    return text, score


def render(page) -> np.ndarray:
    """The page as a greyscale array at ``OCR_DPI``, turned straight."""
    bitmap = page.render(scale=_SCALE, grayscale=True)
    return deskew(np.array(bitmap.to_pil().convert("L")))


_MAX_SKEW = 2.0  # degrees: a sheet fed askew by more is not straightened
# (shrink factor, step in degrees): a coarse search on a small page, then a fine one around it
_SKEW_PASSES = ((4, 0.1), (2, 0.025))


def _row_sharpness(ink: np.ndarray, angle: float) -> float:
    """How sharp the profile of ink by row is once ``ink`` is turned back by ``angle``."""
    import cv2

    centre = (ink.shape[1] / 2, ink.shape[0] / 2)
    turned = cv2.warpAffine(ink, cv2.getRotationMatrix2D(centre, -angle, 1.0), ink.shape[::-1])
    return float(np.var(turned.sum(axis=1)))


def skew_angle(gray: np.ndarray) -> float:
    """The angle (degrees, counter-clockwise) the page was turned by: the one whose undoing
    makes the printed rows and rules most horizontal (the sharpest profile of ink by row)."""
    import cv2

    best, span = 0.0, _MAX_SKEW
    for shrink, step in _SKEW_PASSES:
        size = (gray.shape[1] // shrink, gray.shape[0] // shrink)
        ink = (cv2.resize(gray, size, interpolation=cv2.INTER_AREA) < _INK_LEVEL).astype(np.float32)
        angles = best + np.arange(-span, span + step / 2, step)
        best = float(max(angles, key=lambda angle: _row_sharpness(ink, angle)))
        span = 4 * step
    return best


def deskew(gray: np.ndarray) -> np.ndarray:
    """The page turned back by its skew, so that camelot finds its rules horizontal and vertical."""
    import cv2

    angle = skew_angle(gray)
    if abs(angle) < _SKEW_PASSES[-1][1] / 2:
        return gray
    centre = (gray.shape[1] / 2, gray.shape[0] / 2)
    matrix = cv2.getRotationMatrix2D(centre, -angle, 1.0)
    return cv2.warpAffine(gray, matrix, gray.shape[::-1], flags=cv2.INTER_CUBIC, borderValue=255)


def ink_bands(values: np.ndarray, max_gap: int, min_length: int) -> list[tuple[int, int]]:
    """Runs of non-zero ``values`` bridging gaps up to ``max_gap``, at least ``min_length`` long,
    as (start, end) half-open."""
    inked = np.concatenate(([False], values > 0, [False]))
    edges = np.flatnonzero(np.diff(inked.astype(np.int8)))
    runs: list[list[int]] = []
    for start, end in zip(edges[::2], edges[1::2], strict=True):
        if runs and start - runs[-1][1] <= max_gap:
            runs[-1][1] = int(end)
        else:
            runs.append([int(start), int(end)])
    return [(a, b) for a, b in runs if b - a >= min_length]


def line_boxes(ink: np.ndarray, split_words: bool) -> list[list[tuple[int, int, int, int]]]:
    """The printed lines of a binary ink image (True = ink), top to bottom: each line's
    pieces as (x0, y0, x1, y1).  With ``split_words``, a line is split where a blank wider
    than ``_WORD_GAP`` line heights separates its text (部门：… and 单位：万元 on one line)."""
    lines = []
    for y0, y1 in ink_bands(ink.sum(axis=1), _GLYPH_GAP, _MIN_LINE_HEIGHT):
        runs = ink_bands(ink[y0:y1].sum(axis=0), 0, 1)
        if not runs:
            continue
        gap = _WORD_GAP * (y1 - y0) if split_words else float("inf")
        pieces = [[runs[0][0], runs[0][1]]]
        for x0, x1 in runs[1:]:
            if x0 - pieces[-1][1] > gap:
                pieces.append([x0, x1])
            else:
                pieces[-1][1] = x1
        lines.append([(x0, y0, x1, y1) for x0, x1 in pieces])
    return lines


def table_rules(rules: np.ndarray, tables: list[tuple[int, int, int, int]]) -> np.ndarray:
    """The rules that are rules: those of the tables (pixel boxes), and outside them only the
    lines long enough not to be a stroke of large print (``_PAGE_RULE_SHARE`` of the page)."""
    import cv2

    inside = np.zeros_like(rules, dtype=bool)
    for x0, y0, x1, y1 in tables:
        inside[max(0, y0 - _TABLE_MARGIN) : y1 + _TABLE_MARGIN, max(0, x0 - _TABLE_MARGIN) : x1 + _TABLE_MARGIN] = True
    _count, labels, stats, _centroids = cv2.connectedComponentsWithStats((rules & ~inside).astype(np.uint8))
    longest = np.maximum(stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT])
    long_enough = longest >= rules.shape[1] * _PAGE_RULE_SHARE
    long_enough[0] = False  # label 0: no rule
    return (rules & inside) | long_enough[labels]


def _widen(mask: np.ndarray) -> np.ndarray:
    """The rule mask grown by a pixel or two: a rule's antialiased edge is not text."""
    import cv2

    return cv2.dilate(mask.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0


def _crop(clean: np.ndarray, box: tuple[int, int, int, int], within: tuple[int, int, int, int]) -> np.ndarray:
    """One line of text with a margin of the page around it, kept ``within`` its cell (rules
    already whited out), then a border of white."""
    x0, y0, x1, y1 = box
    margin = max(2, int((y1 - y0) * _MARGIN))
    left, top, right, bottom = within
    piece = clean[max(top, y0 - margin) : min(bottom, y1 + margin), max(left, x0 - margin) : min(right, x1 + margin)]
    return np.pad(piece, int((y1 - y0) * _PADDING), constant_values=255)


def merged_regions(n_rows: int, n_cols: int, borders: list[list[str]]) -> list[list[tuple[int, int]]]:
    """Grid cells joined where no rule separates them (as grid.py reads merged cells)."""
    parent = {(r, c): (r, c) for r in range(n_rows) for c in range(n_cols)}

    def find(cell):
        while parent[cell] != cell:
            parent[cell] = parent[parent[cell]]
            cell = parent[cell]
        return cell

    for r in range(n_rows):
        for c in range(n_cols):
            if c + 1 < n_cols and "R" not in borders[r][c] and "L" not in borders[r][c + 1]:
                parent[find((r, c))] = find((r, c + 1))
            if r + 1 < n_rows and "B" not in borders[r][c] and "T" not in borders[r + 1][c]:
                parent[find((r, c))] = find((r + 1, c))
    groups: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for cell in parent:
        groups.setdefault(find(cell), []).append(cell)
    return [sorted(cells) for cells in groups.values()]


def _grids(gray: np.ndarray, pdf_width: float, pdf_height: float) -> tuple[list, np.ndarray]:
    """camelot Tables (cells with their ruled edges, in PDF points) found on the image, and
    the mask of the rules it found (so that no rule is read as text)."""
    from camelot.core import Table
    from camelot.image_processing import adaptive_threshold, find_contours, find_joints, find_lines
    from camelot.utils import merge_close_lines, scale_image, segments_in_bbox

    _image, threshold = adaptive_threshold(np.dstack([gray] * 3))
    vertical, v_segments = find_lines(threshold, direction="vertical", line_scale=_LINE_SCALE)
    horizontal, h_segments = find_lines(threshold, direction="horizontal", line_scale=_LINE_SCALE)
    rules = (vertical > 0) | (horizontal > 0)
    joints = find_joints(find_contours(vertical, horizontal), vertical, horizontal)
    if not joints:
        return [], rules
    height, width = gray.shape
    tables, v_segments, h_segments = scale_image(
        joints, v_segments, h_segments, (pdf_width / width, pdf_height / height, height)
    )
    grids = []
    for bbox, found in tables.items():
        xs = merge_close_lines(sorted([j[0] for j in found["joints"]] + [bbox[0], bbox[2]]), line_tol=2)
        ys = merge_close_lines(sorted([j[1] for j in found["joints"]] + [bbox[1], bbox[3]], reverse=True), line_tol=2)
        if len(xs) < 2 or len(ys) < 2:
            continue
        table = Table(list(zip(xs, xs[1:], strict=False)), list(zip(ys, ys[1:], strict=False)))
        v_in, h_in = segments_in_bbox(bbox, v_segments, h_segments)
        table = table.set_edges(v_in, h_in, joint_tol=2).set_border()
        table._bbox = bbox
        grids.append(table)
    return grids, rules


@dataclass
class _Image:
    """A rendered page: its grey levels, its ink without the rules, and the PDF → pixel mapping."""

    gray: np.ndarray
    clean: np.ndarray  # grey levels with the rules whited out: what the recogniser sees
    ink: np.ndarray  # True where text is printed
    pdf_width: float
    pdf_height: float

    def pixels(self, x0: float, y_bottom: float, x1: float, y_top: float) -> tuple[int, int, int, int]:
        """A box in PDF points (origin bottom left) → (x0, y0, x1, y1) in pixels (origin top left)."""
        height, width = self.gray.shape
        sx, sy = width / self.pdf_width, height / self.pdf_height
        return int(x0 * sx), int((self.pdf_height - y_top) * sy), int(x1 * sx), int((self.pdf_height - y_bottom) * sy)


def _text_lines(image: _Image, top: int, bottom: int) -> list[tuple[int, np.ndarray]]:
    """The printed lines between rows ``top`` and ``bottom`` of the page, each cut into its
    pieces: (line number, image of one piece)."""
    width = image.gray.shape[1]
    crops = []
    if bottom - top >= _MIN_LINE_HEIGHT:
        for number, pieces in enumerate(line_boxes(image.ink[top:bottom], split_words=True)):
            for x0, y0, x1, y1 in pieces:
                crops.append((number, _crop(image.clean, (x0, y0 + top, x1, y1 + top), (0, top, width, bottom))))
    return crops


def _cell_lines(image: _Image, table, borders: list[list[str]]) -> list[tuple[tuple[int, int], np.ndarray]]:
    """The printed lines of each merged cell of ``table``: (grid cell the text belongs to, image)."""
    boxes = {
        (r, c): image.pixels(cell.x1, cell.y1, cell.x2, cell.y2)
        for r, row in enumerate(table.cells)
        for c, cell in enumerate(row)
    }
    crops = []
    for region in merged_regions(len(table.cells), len(table.cells[0]), borders):
        x0 = min(boxes[rc][0] for rc in region) + _RULE_INSET
        y0 = min(boxes[rc][1] for rc in region) + _RULE_INSET
        x1 = max(boxes[rc][2] for rc in region) - _RULE_INSET
        y1 = max(boxes[rc][3] for rc in region) - _RULE_INSET
        if x1 - x0 < _MIN_LINE_HEIGHT or y1 - y0 < _MIN_LINE_HEIGHT:
            continue
        lines = [pieces[0] for pieces in line_boxes(image.ink[y0:y1, x0:x1], split_words=False)]
        if not lines:
            continue
        # The text lands in the grid cell holding its centre, as camelot places a merged cell's text.
        centre_x = x0 + (min(l[0] for l in lines) + max(l[2] for l in lines)) / 2
        centre_y = y0 + (lines[0][1] + lines[-1][3]) / 2
        home = min(
            region,
            key=lambda rc: (
                abs((boxes[rc][0] + boxes[rc][2]) / 2 - centre_x) + abs((boxes[rc][1] + boxes[rc][3]) / 2 - centre_y)
            ),
        )
        for lx0, ly0, lx1, ly1 in lines:
            crops.append((home, _crop(image.clean, (x0 + lx0, y0 + ly0, x0 + lx1, y0 + ly1), (x0, y0, x1, y1))))
    return crops


def read_page(document, number: int, want_text: bool) -> OcrPage:
    """OCR of page ``number`` (1-based): its ruled tables, and its text when ``want_text``
    or when it holds tables (the titles above them)."""
    page = document[number - 1]
    try:
        pdf_width, pdf_height = page.get_size()
        gray = render(page)
    finally:
        page.close()
    grids, rules = _grids(gray, pdf_width, pdf_height)
    if not grids and not want_text:
        return OcrPage(number, "", [])
    image = _Image(gray, gray, gray < _INK_LEVEL, pdf_width, pdf_height)
    rules = _widen(table_rules(rules, [image.pixels(*t._bbox) for t in grids]))
    image.clean = np.where(rules, 255, gray).astype(np.uint8)
    image.ink &= ~rules
    grids.sort(key=lambda t: -t._bbox[3])  # top to bottom

    # The text between the tables (titles, unit lines): band i is above table i, the last below them all.
    edges = [0] + [y for t in grids for y in image.pixels(*t._bbox)[1::2]] + [gray.shape[0]]
    bands = [_text_lines(image, top, bottom) for top, bottom in zip(edges[::2], edges[1::2], strict=True)]
    borders = [cell_borders(t) for t in grids]
    cells = [_cell_lines(image, t, b) for t, b in zip(grids, borders, strict=True)]
    # One batch for the whole page: the recogniser is fastest on many images at once.
    read = iter(recognise([crop for group in bands + cells for _where, crop in group]))

    band_texts = []
    for band in bands:
        lines: dict[int, list[str]] = {}
        for line, _crop_image in band:
            text, _score = next(read)
            if text:
                lines.setdefault(line, []).append(text)
        band_texts.append([" ".join(parts) for _line, parts in sorted(lines.items())])
    tables = []
    for table, edges_ruled, crops in zip(grids, borders, cells, strict=True):
        texts = [[""] * len(table.cells[0]) for _ in table.cells]
        confidence = [[1.0] * len(table.cells[0]) for _ in table.cells]
        for (r, c), crop in crops:
            text, score = next(read)
            if _MALFORMED_FIGURE.match(text):
                text, score = reread_figure(crop, text, score)
            texts[r][c] = f"{texts[r][c]}\n{text}" if texts[r][c] else text
            confidence[r][c] = min(confidence[r][c], FUSED_CONFIDENCE if _FUSED.search(text) else score)
        tables.append(
            RawTable(
                page=number,
                index=-1,  # numbered in document order by the caller
                bbox=tuple(float(v) for v in table._bbox),
                cols=[(float(a), float(b)) for a, b in table.cols],
                texts=texts,
                borders=edges_ruled,
                context=band_texts[len(tables)],
                confidence=confidence,
            )
        )
    if tables:
        tables[-1].trailing = band_texts[-1]
    # The page's text, for the metadata: the lines outside the tables, then each table row.
    text = [line for band in band_texts for line in band] + ["\t".join(row) for t in tables for row in t.texts]
    return OcrPage(number, "\n".join(text), tables)


def _image_dpis(page) -> list[float]:
    """The resolution of each image on the page (0 where the image does not say)."""
    return [
        max(0.0, min(meta.horizontal_dpi, meta.vertical_dpi))
        for image in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2)
        for meta in [image.get_metadata()]
    ]


def scanned_pages(pdf_bytes: bytes, texts: list[str]) -> list[int]:
    """Pages (1-based) with no text layer and an image: scans.  A page with neither is blank.
    A text PDF pays only for its pages without text (usually none).

    A page scanned coarser than ``MIN_SCAN_DPI`` is rejected here, before any OCR: its
    figures are a few pixels high, and a misread digit is then likelier than a right one."""
    empty = [number for number, text in enumerate(texts, start=1) if not text.strip()]
    if not empty:
        return []
    document = pypdfium2.PdfDocument(pdf_bytes)
    try:
        scanned = []
        for number in empty:
            page = document[number - 1]
            dpis = _image_dpis(page)
            page.close()
            if not dpis:
                continue
            dpi = min((d for d in dpis if d > 0), default=None)  # None: no image says its resolution
            if dpi is not None and dpi < MIN_SCAN_DPI:
                raise PdfError(
                    f"page {number} is a scan of {dpi:.0f} dpi, too coarse to read its figures by OCR "
                    f"(at least {MIN_SCAN_DPI} dpi)"
                )
            scanned.append(number)
        return scanned
    finally:
        document.close()


def read_scanned_pages(pdf_bytes: bytes, pages: list[int], text_pages: int) -> list[OcrPage]:
    """OCR of ``pages``; the text of those among the first ``text_pages`` is read even
    without tables (cover and contents name the department and the year)."""
    _recogniser()  # fails before any page is rendered when OCR is not installed
    document = pypdfium2.PdfDocument(pdf_bytes)
    try:
        return [read_page(document, number, want_text=number <= text_pages) for number in pages]
    finally:
        document.close()
