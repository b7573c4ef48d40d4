"""Reading a PDF: page text for metadata, ruled tables with camelot.

The output (``RawTable``) is plain data that serialises to JSON, so a parser
change re-parses stored tables without running camelot again.
"""

from __future__ import annotations

import contextvars
import io
import logging
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field

import pypdfium2
import pypdfium2.raw as pdfium_c

from pipelines.extraction import pdfium_calls as pdfium
from pipelines.extraction.numbers import is_amount
from pipelines.extraction.text import normalize

_log = logging.getLogger(__name__)

# camelot and pdfminer log every odd PDF construct at WARNING; they are noise here.
for _name in ("camelot", "pdfminer", "playa", "pypdf"):
    logging.getLogger(_name).setLevel(logging.ERROR)

_CJK = re.compile(r"[\u4e00-\u9fff]")
_SAME_LINE_TOLERANCE = 3.0  # points: text pieces this close vertically share a line


class PdfError(ValueError):
    """The file cannot be read as a text PDF."""


@dataclass
class RawTable:
    """One ruled table camelot found, with the text printed just above it."""

    page: int  # 1-based page number as printed by the PDF viewer
    index: int  # 0-based order of the table in the document
    bbox: tuple[float, float, float, float]  # x1, y1 (bottom), x2, y2 (top)
    cols: list[tuple[float, float]]  # x extent of each column
    texts: list[list[str]]  # normalised cell text, row-major
    borders: list[list[str]]  # per cell: the edges present, e.g. "LRTB"
    context: list[str] = field(default_factory=list)  # lines between the previous table and this one
    trailing: list[str] = field(default_factory=list)  # lines below the last table of a page
    # Per cell, the recogniser's confidence (0–1) where the table was read by OCR; None from a text layer.
    confidence: list[list[float]] | None = None

    @property
    def n_rows(self) -> int:
        return len(self.texts)

    @property
    def n_cols(self) -> int:
        return len(self.cols)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> RawTable:
        data = dict(data)
        data["bbox"] = tuple(data["bbox"])
        data["cols"] = [tuple(c) for c in data["cols"]]
        return cls(**data)


@dataclass
class PageScan:
    """What one pdfium pass reads of every page: its text, and whether it is ruled."""

    texts: list[str]  # normalised plain text of every page
    ruled: list[int]  # pages (1-based) with enough vector ruling to hold a lattice table
    # Ruled page → what camelot's lattice reads of it (page_layout.PageLayout), or None
    # where playa's layout analysis must read it; only when asked for.
    layouts: dict[int, object] = field(default_factory=dict)


def scan_pages(pdf_bytes: bytes, layouts: bool = False) -> PageScan:
    """Every page's text and ruling, each page loaded once (cheap: pdfium, no layout analysis).

    Loading a page, which parses its content stream, is most of what pdfium costs here:
    the text, the ruling and, with ``layouts``, what lattice reads of a ruled page are
    read from the same loaded page and text page, not in passes of their own.
    """
    try:
        document = pypdfium2.PdfDocument(pdf_bytes)
    except pypdfium2.PdfiumError as exc:
        raise PdfError(f"not a readable PDF: {exc}") from exc
    try:
        scan = PageScan([], [])
        for number, page in enumerate(document, start=1):
            textpage = page.get_textpage()
            scan.texts.append(normalize(textpage.get_text_range()))
            if _is_ruled(page):
                scan.ruled.append(number)
                if layouts:
                    scan.layouts[number] = _read_page_or_none(page, textpage, number)
            textpage.close()
            page.close()
        return scan
    finally:
        document.close()


def _read_page_or_none(page, textpage, number: int):
    """pdfium's reading of a ruled page, or None (playa reads it) if that reading fails:
    the fallback is camelot's own reading, so a page pdfium's reader trips on costs time,
    not the document."""
    from pipelines.extraction.page_layout import read_page  # brings playa: only where tables are read

    try:
        return read_page(page, textpage)
    except Exception:  # any failure of the fast path: the page still has the exact one
        _log.warning("page %d: pdfium's page reading failed; camelot's layout analysis reads it", number, exc_info=True)
        return None


def page_texts(pdf_bytes: bytes) -> list[str]:
    """Normalised plain text of every page."""
    return scan_pages(pdf_bytes).texts


def _lines_between(textlines: list, top: float, upper: float) -> list[str]:
    """Text lines printed between ``top`` and ``upper``, top to bottom, joined per visual line.

    A line above ``top`` may reach below it with its descenders (a title set close
    above a table's top rule): its middle must be above.
    """
    pieces = [
        (line.y1, line.x0, normalize(line.get_text()).strip())
        for line in textlines
        if (line.y0 + line.y1) / 2 >= top and line.y1 <= upper + 1
    ]
    pieces = [p for p in pieces if p[2]]
    pieces.sort(key=lambda p: (-p[0], p[1]))
    lines: list[tuple[float, list[tuple[float, str]]]] = []
    for y, x, text in pieces:
        if lines and abs(lines[-1][0] - y) <= _SAME_LINE_TOLERANCE:
            lines[-1][1].append((x, text))
        else:
            lines.append((y, [(x, text)]))
    # Left to right within a visual line: pieces in two fonts have tops a little apart.
    return [" ".join(text for _x, text in sorted(parts)) for _y, parts in lines]


# A page needs more ruling than a frame or a box (5 path segments each) to hold a table.
_MIN_TABLE_SEGMENTS = 8


def _is_ruled(page: pypdfium2.PdfPage) -> bool:
    """Whether a page has enough vector ruling to hold a lattice table.

    pdfium counts path segments in a few milliseconds a page, while camelot's
    layout analysis of a page of prose costs tens; about a third of a budget's
    pages (cover, contents, explanations) are prose.  Only the vector reader
    needs the lines: the raster re-read is limited to pages it already read.
    """
    segments = 0
    for obj, kind, _container in pdfium.page_objects(pdfium.address(page.raw)):
        if kind == pdfium_c.FPDF_PAGEOBJ_PATH:
            segments += max(pdfium.count_segments(obj), 0)
            if segments >= _MIN_TABLE_SEGMENTS:
                return True  # a table page holds thousands of objects: no need to look at the rest
    return False


def _rules_with_thin_filled_paths(layout, read_rules) -> list[tuple[float, float, float, float]]:
    """camelot's vector rules, plus thin filled paths that are not rectangles.

    camelot's vector engine reads stroked lines and thin filled rectangles.  Some
    generators draw each rule as a filled polygon instead (pdfminer's ``LTCurve``):
    without these, whole documents read as having no table at all.
    """
    from playa.miner import LTCurve

    from pipelines.extraction.page_layout import thin_shape_rule

    rules = read_rules(layout)
    for obj in _outside_text_boxes(layout):
        if type(obj) is LTCurve and getattr(obj, "fill", False) and not getattr(obj, "stroke", False):
            rules.extend(thin_shape_rule(obj.x0, obj.y0, obj.x1, obj.y1))
    return rules


def _outside_text_boxes(container) -> Iterator:
    """Every object of a layout but the text: the layout analysis leaves paths at the top
    level or inside figures (form XObjects), never in a text box, whose thousands of
    characters need no visit."""
    from playa.miner import LTFigure

    for obj in container:
        yield obj
        if isinstance(obj, LTFigure):
            yield from _outside_text_boxes(obj)


def _install_camelot_hooks() -> None:
    """Teach camelot 2.0.0 (pinned) to read pages through pdfium and the filled-path rules; idempotent.

    Two of camelot's own seams: ``PDFHandler._get_layout`` returns what lattice reads of
    a page, and the vector engine reads rules with ``_ruled_lines_from_layout``.
    """
    import camelot.handlers as handlers
    import camelot.image_processing as processing

    from pipelines.extraction import page_layout

    read_rules = processing._ruled_lines_from_layout
    if getattr(read_rules, "yusuan", False):
        return
    # camelot reads a page's rules twice in a row (its horizontal, then its vertical
    # lines), each a walk of the whole layout: the last page's rules are kept.
    last: dict[str, object] = {}

    def read(layout):
        if isinstance(layout, page_layout.PageLayout):
            return list(layout.rules)
        if last.get("layout") is not layout:
            last["layout"], last["rules"] = layout, _rules_with_thin_filled_paths(layout, read_rules)
        return last["rules"]

    analyse_layout = handlers.PDFHandler._get_layout

    def get_layout(handler, page, **layout_kwargs):
        layout = (_PAGE_LAYOUTS.get() or {}).get(page.page_idx + 1)
        if layout is None:
            return analyse_layout(handler, page, **layout_kwargs)
        text = layout.horizontal_text, layout.vertical_text
        return layout, (layout.width, layout.height), [], layout.chars, *text, ""

    read.yusuan = True  # type: ignore[attr-defined]
    processing._ruled_lines_from_layout = read
    handlers.PDFHandler._get_layout = get_layout


# What pdfium read of the pages camelot is reading (``PageScan.layouts``), for
# ``_install_camelot_hooks``'s page reader.
_PAGE_LAYOUTS: contextvars.ContextVar[dict[int, object] | None] = contextvars.ContextVar("page_layouts", default=None)


def _camelot(pdf_bytes: bytes, pages: str, engine: str, layouts: dict[int, object]) -> list:
    # Imported here: camelot brings OpenCV and pandas (a second or two), which a
    # run that only reuses stored outputs never needs.
    import camelot

    _install_camelot_hooks()
    token = _PAGE_LAYOUTS.set(layouts)
    try:
        return list(
            camelot.read_pdf(
                io.BytesIO(pdf_bytes),
                pages=pages,
                flavor="lattice",
                engine=engine,
                split_text=True,  # keep a number from fusing with its neighbour's label
                suppress_stdout=True,
                # Without a text-box hierarchy, which lattice does not use: same cells, a third faster.
                layout_kwargs={"boxes_flow": None},
            )
        )
    except Exception as exc:  # camelot raises many types on malformed input
        raise PdfError(f"camelot could not read the tables: {type(exc).__name__}: {exc}") from exc
    finally:
        _PAGE_LAYOUTS.reset(token)


def cell_borders(table) -> list[list[str]]:
    """Per cell of a camelot table, the edges ruled: ``"LRTB"`` (see ``RawTable.borders``)."""
    return [
        [
            ("L" if c.left else "") + ("R" if c.right else "") + ("T" if c.top else "") + ("B" if c.bottom else "")
            for c in row
        ]
        for row in table.cells
    ]


def _fused_cells(table) -> int:
    """Cells holding a label line and an amount line: a ruling line camelot missed."""
    count = 0
    for row in table.cells:
        for cell in row:
            parts = [p.strip() for p in normalize(cell.text).splitlines() if p.strip()]
            if len(parts) > 1 and any(is_amount(p) for p in parts) and any(_CJK.search(p) for p in parts):
                count += 1
    return count


def read_tables(pdf_bytes: bytes, scan: PageScan) -> list[RawTable]:
    """Every ruled table of the document, in reading order, with its title context.

    Only the ruled pages are read, through what pdfium read of them where it could
    (``scan_pages(..., layouts=True)``).  The PDF's own vector
    lines are read first (fast); a page where that leaves
    labels and amounts fused in one cell, because some rules are drawn in a way
    the vector reader misses, is read again from the rendered image.
    """
    if not scan.ruled:
        return []
    by_page: dict[int, list] = {}
    for table in _camelot(pdf_bytes, ",".join(map(str, scan.ruled)), "vector", scan.layouts):
        by_page.setdefault(int(table.page), []).append(table)
    for page, tables in list(by_page.items()):
        fused = sum(_fused_cells(t) for t in tables)
        if fused:
            rendered = _camelot(pdf_bytes, str(page), "raster", scan.layouts)
            if sum(_fused_cells(t) for t in rendered) < fused:
                by_page[page] = rendered

    result: list[RawTable] = []
    for page in sorted(by_page):
        upper = float("inf")
        for table in sorted(by_page[page], key=lambda t: -t._bbox[3]):
            x1, y1, x2, y2 = (float(v) for v in table._bbox)
            result.append(
                RawTable(
                    page=page,
                    index=len(result),
                    bbox=(x1, y1, x2, y2),
                    cols=[(float(a), float(b)) for a, b in table.cols],
                    texts=[[normalize(cell.text) for cell in row] for row in table.cells],
                    borders=cell_borders(table),
                    context=_lines_between(table.textlines or [], y2, upper),
                )
            )
            upper = y1
        # A title can be orphaned at the foot of a page, its table starting on the next.
        result[-1].trailing = _lines_between(by_page[page][0].textlines or [], float("-inf"), upper)
    return result
