"""What camelot's lattice reads of a page, built from pdfium instead of a layout analysis.

Lattice needs two things from a page: its ruled lines and its text lines (with
their characters, so ``split_text`` can cut a line at a cell border).  camelot
gets both from playa's pdfminer-compatible layout analysis, which interprets the
page's content in Python and costs about two thirds of extraction.  pdfium has
already parsed the page in C; this module reads its characters and paths and
builds the same objects camelot consumes:

- characters become playa ``LTChar`` objects with pdfminer's boxes (origin to
  advance across, the font's descent to ascent up), grouped into text lines by
  pdfminer's own rule (``group_objects``: the same overlap and margin tests, in
  content order);
- paths become rules the way playa classifies them: a two-point subpath is a
  line, a closed axis-aligned four-point subpath a rectangle, anything else a
  curve; stroked lines, rectangles' edges and thin filled shapes are rules.

Everything is placed on the page as shown (turned by its /Rotate), as playa
places it for camelot.  A page this reading does not cover (glyphs set at an
angle to it, vertical writing, text pdfium's text page leaves out) returns
``None`` and is read by playa as before.
"""

from __future__ import annotations

import ctypes
import operator
from collections.abc import Iterator
from dataclasses import dataclass

import pypdfium2
import pypdfium2.raw as pdfium_c
from playa.miner import LAParams, LTChar, LTTextLineHorizontal, LTTextLineVertical

from pipelines.extraction import pdfium_calls as pdfium

Rule = tuple[float, float, float, float]
Matrix = tuple[float, float, float, float, float, float]

# camelot's get_page_layout defaults, which read_tables keeps (boxes_flow aside, unused here).
_LAPARAMS = LAParams(line_overlap=0.5, char_margin=1.0, line_margin=0.5, word_margin=0.1, detect_vertical=True)
# A filled shape this thin is a drawn rule (camelot's threshold for thin rectangles).
_THIN_RULE = 1.5
_IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
# A placed character's content order: its container, then its text object's place there.
_CONTENT_ORDER = operator.itemgetter(0, 1)
# Bound once: the segment loop tests every segment's type.
_MOVETO, _BEZIERTO = pdfium_c.FPDF_SEGMENT_MOVETO, pdfium_c.FPDF_SEGMENT_BEZIERTO


@dataclass
class PageLayout:
    """A page as lattice reads it: size, rules and text lines in PDF points, origin bottom left."""

    width: float
    height: float
    rules: list[Rule]
    chars: list[LTChar]
    horizontal_text: list[LTTextLineHorizontal]
    vertical_text: list[LTTextLineVertical]


def read_page(page: pypdfium2.PdfPage, textpage: pypdfium2.PdfTextPage) -> PageLayout | None:
    """The page's rules and text lines, or ``None`` where playa must read it instead.

    ``textpage`` is the page's, which the caller has already loaded for its text.
    """
    placement, width, height = _page_space(page)
    objects = _page_objects(page, placement)
    containers = _chars(textpage.raw, objects, placement)
    if containers is None:
        return None
    horizontal: list[LTTextLineHorizontal] = []
    vertical: list[LTTextLineVertical] = []
    for chars in containers:
        for line in _group_lines(chars):
            line.analyze(_LAPARAMS)  # closes the line with its "\n", as the layout analysis does
            (horizontal if isinstance(line, LTTextLineHorizontal) else vertical).append(line)
    if sum(1 for t in vertical if t.get_text().strip()) > sum(1 for t in horizontal if t.get_text().strip()):
        return None  # camelot would turn such a page; playa's reading does that
    chars = [char for container in containers for char in container]
    return PageLayout(width, height, _rules(objects.paths), chars, horizontal, vertical)


def _page_space(page: pypdfium2.PdfPage) -> tuple[Matrix, float, float]:
    """The matrix from PDF user space to the page as shown, and the shown page's size.

    As playa's "page" space, which camelot reads in: the page turned by its /Rotate,
    with the origin at the bottom left of its media box.
    """
    x0, y0, x1, y1 = page.get_mediabox()
    width, height = x1 - x0, y1 - y0
    turn: Matrix = {
        90: (0.0, -1.0, 1.0, 0.0, 0.0, width),
        180: (-1.0, 0.0, 0.0, -1.0, width, height),
        270: (0.0, 1.0, -1.0, 0.0, height, 0.0),
    }.get(page.get_rotation(), _IDENTITY)
    corners = [_apply(turn, x, y) for x in (x0, x1) for y in (y0, y1)]
    left, bottom = min(x for x, _y in corners), min(y for _x, y in corners)
    right, top = max(x for x, _y in corners), max(y for _x, y in corners)
    return _compose(turn, (1.0, 0.0, 0.0, 1.0, -left, -bottom)), right - left, top - bottom


def _apply(matrix: Matrix, x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = matrix
    return a * x + c * y + e, b * x + d * y + f


def _chars(textpage, objects: _PageObjects, placement: Matrix) -> list[list[LTChar]] | None:
    """Every printed character with pdfminer's box, or None if any is set at an angle.

    The characters come in content order, one list per container (the page, each
    form XObject), as the layout analysis groups them: pdfium's own order puts a
    line's text objects left to right, which can interleave two lines printed as
    separate runs.  pdfium's generated characters (the spaces and line breaks it
    infers) and spaces are left out (see ``_NOT_PRINTED``).
    """
    pa, pb, pc, pd, pe, pf = placement
    textpage = pdfium.address(textpage)
    box, origin_x, origin_y = pdfium_c.FS_RECTF(), ctypes.c_double(), ctypes.c_double()
    box_at, origin_x_at, origin_y_at = ctypes.addressof(box), ctypes.addressof(origin_x), ctypes.addressof(origin_y)
    unicode_of, loose_box, char_origin, text_object = (
        pdfium.char_unicode,
        pdfium.char_loose_box,
        pdfium.char_origin,
        pdfium.char_text_object,
    )
    fonts = _Fonts()
    # Per text object: its container, its place in content order, its font's size and descent.
    placings: dict[int, tuple[int, int, float, float]] = {}
    placed: list[tuple[int, int, LTChar]] = []  # in the text page's order
    previous, previous_object = None, 0  # the last character and its text object
    for index in range(pdfium.count_chars(textpage)):
        code = unicode_of(textpage, index)
        if code == _PDFIUM_HYPHEN:
            code = ord("-")  # pdfium's mark for a hyphen ending a line
        if code in _NOT_PRINTED or not loose_box(textpage, index, box_at):
            continue
        address = text_object(textpage, index)
        placing = placings.get(address)
        if placing is None:
            position, size = objects.order.get(address), fonts.upright_size(textpage, index, placement)
            if position is None or size is None:
                return None  # a character pdfium made up, or one set at an angle
            placing = placings[address] = (*position, size, fonts.descent(address))
        container, ordinal, size, descent = placing
        char_origin(textpage, index, origin_x_at, origin_y_at)
        # Placed on the page as shown (``_apply`` written out: this runs for every character).
        bottom = pb * origin_x.value + pd * origin_y.value + pf + descent * size
        left = pa * box.left + pc * box.bottom + pe
        right = pa * box.right + pc * box.top + pe
        if right < left:
            left, right = right, left
        char = LTChar()
        char._text = chr(code)
        char.set_bbox((left, bottom, right, bottom + size))
        char.size = size
        placed.append((container, ordinal, char))
        if previous_object == address and previous.x0 < left < previous.x1:
            # pdfium's widths for a font it does not have can exceed the advance the PDF
            # sets: a glyph then overlaps the next, and pdfminer's rule splits the line.
            previous.set_bbox((previous.x0, previous.y0, left, previous.y1))
        previous, previous_object = char, address
    if any(a not in placings and _drawn(a) for a in objects.text):
        return None  # pdfium's text page left out text it can place: read none of this page through it
    placed.sort(key=_CONTENT_ORDER)  # stable: an object's characters keep the text page's order
    containers: dict[int, list[LTChar]] = {}
    for container, _ordinal, char in placed:
        containers.setdefault(container, []).append(char)
    return list(containers.values())


class _Fonts:
    """A page's font sizes and descents, read once per text object and font."""

    def __init__(self) -> None:
        self._matrix = pdfium_c.FS_MATRIX()
        self._matrix_at = ctypes.addressof(self._matrix)
        self._descent = ctypes.c_float()
        self._descent_at = ctypes.addressof(self._descent)
        self._descents: dict[int, float] = {}

    def upright_size(self, textpage: int, index: int, placement: Matrix) -> float | None:
        """The character's font size on the page as shown (its Tf size scaled by its matrix),
        or None if it is not set upright there.  A slant (an italic's shear) is upright."""
        m = self._matrix
        if not pdfium.char_matrix(textpage, index, self._matrix_at):
            return None
        # ``_compose`` written out for the three terms needed (this runs per text object).
        pa, pb, pc, pd = placement[:4]
        a, b, d = m.a * pa + m.b * pc, m.a * pb + m.b * pd, m.c * pb + m.d * pd
        if a <= 0 or d <= 0 or abs(b) > _SKEW * a:
            return None
        return pdfium.char_font_size(textpage, index) * d

    def descent(self, text_object: int) -> float:
        """How far below the baseline the object's font reaches, per unit of font size: where
        pdfminer's character boxes start."""
        font = pdfium.object_font(text_object)
        descent = self._descents.get(font)
        if descent is None:
            found = font and pdfium.font_descent(font, 1.0, self._descent_at)
            descent = self._descents[font] = self._descent.value if found else 0.0
        return descent


# A text object pdfium's text page leaves out is a run of spaces, whose box has no
# height (0.4 points at most on the corpus's 1,206 ruled pages), or text it cannot read.
_SPACES_HEIGHT = 1.0


def _drawn(text_object: int) -> bool:
    """Whether a text object has a box with height: glyphs, not a run of spaces."""
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    if not pdfium.object_bounds(text_object, *map(ctypes.addressof, (left, bottom, right, top))):
        return False
    return top.value - bottom.value >= _SPACES_HEIGHT


# A baseline this steep, rise over run, still counts as level.
_SKEW = 1e-3
# Spaces are left out too: pdfium keeps only some of a run of space glyphs, and a line's
# box, which orders the lines of a cell, would then depend on which it kept.  The gap
# they leave still reads as a space (``LTTextLineHorizontal.add``).  Line breaks are
# pdfium's own, generated.
_NOT_PRINTED = frozenset((0, 0xFFFE, 0xFFFF, ord(" "), 0xA0, 0x3000, ord("\r"), ord("\n")))
# FPDFText_GetUnicode's code for a hyphen that pdfium takes to end a line.
_PDFIUM_HYPHEN = 0x02


@dataclass
class _PageObjects:
    """One walk of a page's objects, inside form XObjects too."""

    order: dict[int, tuple[int, int]]  # address → its container (0: the page) and place in content order
    text: list[int]  # the text objects' addresses
    paths: list[tuple[int, Matrix]]  # each path object with the matrix to the page as shown


def _page_objects(page: pypdfium2.PdfPage, placement: Matrix) -> _PageObjects:
    objects = _PageObjects({}, [], [])
    to_page = {0: placement}  # each container's matrix to the page as shown
    for address, kind, container in pdfium.page_objects(pdfium.address(page.raw)):
        objects.order[address] = (container, len(objects.order))
        if kind == pdfium_c.FPDF_PAGEOBJ_TEXT:
            objects.text.append(address)
        elif kind == pdfium_c.FPDF_PAGEOBJ_PATH:
            objects.paths.append((address, _compose(_matrix(address), to_page[container])))
        elif kind == pdfium_c.FPDF_PAGEOBJ_FORM:
            to_page[address] = _compose(_matrix(address), to_page[container])
    return objects


def _group_lines(chars: list[LTChar]) -> Iterator[LTTextLineHorizontal | LTTextLineVertical]:
    """pdfminer's ``group_objects``: consecutive characters aligned and close share a line."""
    params = _LAPARAMS
    previous = None
    line = None
    for char in chars:
        if previous is not None:
            halign = (
                previous.is_voverlap(char)
                and min(previous.height, char.height) * params.line_overlap < previous.voverlap(char)
                and previous.hdistance(char) < max(previous.width, char.width) * params.char_margin
            )
            valign = (
                previous.is_hoverlap(char)
                and min(previous.width, char.width) * params.line_overlap < previous.hoverlap(char)
                and previous.vdistance(char) < max(previous.height, char.height) * params.char_margin
            )
            if (halign and isinstance(line, LTTextLineHorizontal)) or (valign and isinstance(line, LTTextLineVertical)):
                line.add(char)
            elif line is not None:
                yield line
                line = None
            elif valign and not halign:
                line = LTTextLineVertical(params.word_margin)
                line.add(previous)
                line.add(char)
            elif halign and not valign:
                line = LTTextLineHorizontal(params.word_margin)
                line.add(previous)
                line.add(char)
            else:
                line = LTTextLineHorizontal(params.word_margin)
                line.add(previous)
                yield line
                line = None
        previous = char
    if previous is None:
        return
    if line is None:
        line = LTTextLineHorizontal(params.word_margin)
        line.add(previous)
    yield line


def _rules(paths: list[tuple[int, Matrix]]) -> list[Rule]:
    """Ruled segments of every painted path (see the module docstring)."""
    rules: list[Rule] = []
    fill_mode, stroke = ctypes.c_int(), ctypes.c_int()
    modes = ctypes.addressof(fill_mode), ctypes.addressof(stroke)
    for path, matrix in paths:
        if not pdfium.draw_mode(path, *modes):
            continue
        filled, stroked = fill_mode.value != 0, bool(stroke.value)
        if not (filled or stroked):
            continue
        for shape, points in _subpaths(path, matrix):
            rules.extend(_shape_rules(shape, points, filled, stroked))
    return rules


def _matrix(obj: int) -> Matrix:
    m = pdfium_c.FS_MATRIX()
    if not pdfium.object_matrix(obj, ctypes.addressof(m)):
        return _IDENTITY
    return (m.a, m.b, m.c, m.d, m.e, m.f)


def _compose(inner: Matrix, outer: Matrix) -> Matrix:
    """The matrix applying ``inner`` then ``outer``."""
    a, b, c, d, e, f = inner
    A, B, C, D, E, F = outer
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def _subpaths(path, matrix: Matrix) -> Iterator[tuple[str, list[tuple[float, float]]]]:
    """Each subpath as playa sees it: its operators (``m``, ``l``, ``c``, ``h``) and end points on the page.

    pdfium keeps a Bézier as three points and closes a figure either by flagging
    its last point or, when the figure is open, by adding a line back to its
    start; both read here as playa's ``h``.
    """
    a, b, c, d, e, f = matrix
    x, y = ctypes.c_float(), ctypes.c_float()
    x_ref, y_ref = ctypes.addressof(x), ctypes.addressof(y)
    path_segment, segment_type, segment_point, segment_close = (
        pdfium.path_segment,
        pdfium.segment_type,
        pdfium.segment_point,
        pdfium.segment_close,
    )
    ops: list[str] = []
    points: list[tuple[float, float]] = []
    bezier_points = 0
    for index in range(pdfium.count_segments(path)):
        segment = path_segment(path, index)
        kind = segment_type(segment)
        segment_point(segment, x_ref, y_ref)
        px, py = x.value, y.value
        point = (a * px + c * py + e, b * px + d * py + f)
        if kind == _MOVETO:
            if ops:
                yield "".join(ops), points
            ops, points, bezier_points = ["m"], [point], 0
            continue
        if kind == _BEZIERTO:
            bezier_points += 1
            if bezier_points % 3:
                continue  # the control points: playa keeps a curve's end point only
            ops.append("c")
        else:
            ops.append("l")
        points.append(point)
        if segment_close(segment):
            if ops[-1] == "l" and point == points[0] and len(ops) > 2:
                ops[-1] = "h"  # the line back to the start is the close itself
            else:
                ops.append("h")
                points.append(points[0])
    if ops:
        yield "".join(ops), points


def _shape_rules(shape: str, points: list[tuple[float, float]], filled: bool, stroked: bool) -> Iterator[Rule]:
    """The rules a painted subpath draws, as camelot's vector engine (plus thin filled curves) reads them.

    Every shape is read by its bounding box, as pdfminer's objects keep it.
    """
    line = shape in ("ml", "mlh")
    rectangle = shape in ("mlllh", "mllll") and _is_rectangle(points)
    xs, ys = [p[0] for p in (points[:2] if line else points)], [p[1] for p in (points[:2] if line else points)]
    x0, y0, x1, y1 = min(xs), min(ys), max(xs), max(ys)
    if line:
        if stroked:
            yield (x0, y0, x1, y1)
    elif rectangle and stroked:
        yield (x0, y0, x1, y0)
        yield (x0, y1, x1, y1)
        yield (x0, y0, x0, y1)
        yield (x1, y0, x1, y1)
    elif filled and not stroked:
        yield from thin_shape_rule(x0, y0, x1, y1)


def _is_rectangle(points: list[tuple[float, float]]) -> bool:
    (x0, y0), (x1, y1), (x2, y2), (x3, y3), last = points
    square = (x0 == x1 and y1 == y2 and x2 == x3 and y3 == y0) or (y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0)
    return square and last == points[0]


def thin_shape_rule(x0: float, y0: float, x1: float, y1: float) -> Iterator[Rule]:
    """The rule a filled shape with this box draws: its middle line, if it is at most
    ``_THIN_RULE`` thick and longer than that.  playa's fallback reading uses it too (pdf.py)."""
    width, height = x1 - x0, y1 - y0
    if min(width, height) > _THIN_RULE or max(width, height) <= _THIN_RULE:
        return
    if width >= height:
        middle = (y0 + y1) / 2
        yield (x0, middle, x1, middle)
    else:
        middle = (x0 + x1) / 2
        yield (middle, y0, middle, y1)
