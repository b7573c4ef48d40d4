"""The pdfium page reader: rules and text lines of pages whose drawing we know.

Each page is drawn here with reportlab, so the expected rules and lines are the
drawing's own coordinates and strings, not the reader's output.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import playa
import pypdfium2
from camelot.utils import get_page_layout
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from pipelines.extraction import pdf
from pipelines.extraction.page_layout import PageLayout, read_page
from tests.conftest import sample

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def _page(draw: Callable[[canvas.Canvas], None], rotate: int = 0) -> bytes:
    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=A4, invariant=1)
    if rotate:
        page.setPageRotation(rotate)
    draw(page)
    page.showPage()
    page.save()
    return out.getvalue()


def _read(pdf_bytes: bytes) -> PageLayout | None:
    document = pypdfium2.PdfDocument(pdf_bytes)
    try:
        page = document[0]
        return read_page(page, page.get_textpage())
    finally:
        document.close()


def _rounded(rules) -> set[tuple[float, ...]]:
    return {tuple(round(v, 1) for v in rule) for rule in rules}


def _same(rule, other, tolerance: float = 0.01) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(rule, other, strict=True))


def _grid(page: canvas.Canvas) -> None:
    page.setLineWidth(0.5)
    page.line(50, 700, 350, 700)  # a stroked line
    page.rect(50, 600, 300, 80)  # a stroked rectangle: four rules
    page.rect(50, 550, 300, 0.8, stroke=0, fill=1)  # a thin filled rectangle: its middle
    path = page.beginPath()  # a thin filled shape that is not a rectangle
    path.moveTo(200, 500)
    path.lineTo(201, 500)
    path.lineTo(201, 400)
    path.lineTo(200.5, 399)
    path.lineTo(200, 400)
    path.close()
    page.drawPath(path, stroke=0, fill=1)
    page.rect(400, 400, 100, 100, stroke=0, fill=1)  # a filled block: no rule


def test_rules_are_the_drawn_lines() -> None:
    layout = _read(_page(_grid))
    assert layout is not None
    assert _rounded(layout.rules) == {
        (50, 700, 350, 700),
        (50, 600, 350, 600),
        (50, 680, 350, 680),
        (50, 600, 50, 680),
        (350, 600, 350, 680),
        (50, 550.4, 350, 550.4),
        (200.5, 399, 200.5, 500),
    }


def test_rules_inside_a_form_xobject_are_placed_on_the_page() -> None:
    def draw(page: canvas.Canvas) -> None:
        page.beginForm("ruling")
        page.line(0, 0, 100, 0)
        page.endForm()
        page.saveState()
        page.translate(100, 300)
        page.doForm("ruling")
        page.restoreState()

    layout = _read(_page(draw))
    assert layout is not None
    assert _rounded(layout.rules) == {(100, 300, 200, 300)}


def test_text_lines_read_in_content_order_and_split_by_gaps() -> None:
    def draw(page: canvas.Canvas) -> None:
        page.setFont(FONT, 10)
        page.drawString(60, 700, "一般公共服务支出")
        page.drawString(300, 700, "1,234.56")  # same baseline, far right: its own line
        page.drawString(60, 680, "收入")
        page.drawString(100, 680, "合计")  # a gap of two characters: two lines

    layout = _read(_page(draw))
    assert layout is not None
    lines = sorted((round(t.x0), round(t.y0, 1), t.get_text()) for t in layout.horizontal_text)
    # pdfminer's boxes start at the font's descent below the baseline (STSong-Light: -271/1000 em).
    descent = pdfmetrics.getFont(FONT).face.descent / 1000 * 10
    assert lines == [
        (60, round(680 + descent, 1), "收入\n"),
        (60, round(700 + descent, 1), "一般公共服务支出\n"),
        (100, round(680 + descent, 1), "合计\n"),
        (300, round(700 + descent, 1), "1,234.56\n"),
    ]
    assert layout.vertical_text == []


def test_spaces_do_not_move_a_lines_bottom() -> None:
    """camelot orders the lines of a cell by their bottoms: a space in a font reaching lower
    must not put 合计 before 收入."""

    def draw(page: canvas.Canvas) -> None:
        page.setFont(FONT, 10)
        page.drawString(60, 700, "收入")
        page.setFont("Times-Roman", 12)
        page.drawString(80, 700, "  ")
        page.setFont(FONT, 10)
        page.drawString(100, 700, "合计")

    layout = _read(_page(draw))
    assert layout is not None
    bottoms = {round(t.y0, 3) for t in layout.horizontal_text}
    assert len(bottoms) == 1


def test_a_turned_page_is_read_as_shown() -> None:
    """/Rotate 90 shows the page turned clockwise: x' = y, y' = width - x (PDF 1.7, 8.4.1)."""

    def draw(page: canvas.Canvas) -> None:
        page.setLineWidth(0.5)
        page.line(50, 50, 50, 200)
        page.setFont("Times-Roman", 10)
        page.saveState()
        page.translate(100, 300)
        page.rotate(90)  # reads left to right once the page is turned
        page.drawString(0, 0, "Total 1,234.56")
        page.restoreState()

    media_width, media_height = A4[1], A4[0]  # reportlab lays a turned page's media out landscape
    layout = _read(_page(draw, rotate=90))
    assert layout is not None
    assert (round(layout.width, 1), round(layout.height, 1)) == (round(media_height, 1), round(media_width, 1))
    assert _rounded(layout.rules) == {(50, round(media_width - 50, 1), 200, round(media_width - 50, 1))}
    # Times-Roman is not embedded: pdfium's metrics for it reach a little lower than its AFM's.
    descent = pdfmetrics.getFont("Times-Roman").face.descent / 1000 * 10
    [line] = layout.horizontal_text
    assert (round(line.x0, 1), line.get_text()) == (300, "Total 1,234.56\n")
    assert abs(line.y0 - (media_width - 100 + descent)) < 0.5


def test_text_set_at_an_angle_is_left_to_the_layout_analysis() -> None:
    def draw(page: canvas.Canvas) -> None:
        page.setFont(FONT, 10)
        page.saveState()
        page.translate(300, 400)
        page.rotate(90)
        page.drawString(0, 0, "一般公共服务支出")
        page.restoreState()

    assert _read(_page(draw)) is None


def test_rules_agree_with_camelots_own_reading_on_a_sample() -> None:
    """On a real budget's ruled pages, the rules are those camelot reads from playa's layout."""
    import camelot.image_processing as processing

    pdf._install_camelot_hooks()
    path = sample("jiangsu_procuratorate_2019_budget.pdf")
    scan = pdf.scan_pages(path.read_bytes(), layouts=True)
    with playa.open(path, space="page") as reference:
        for number in scan.ruled:
            layout = scan.layouts[number]
            assert layout is not None
            expected, _size = get_page_layout(reference.pages[number - 1], boxes_flow=None)
            ours, theirs = layout.rules, processing._ruled_lines_from_layout(expected)
            # pdfium keeps coordinates in single precision: the same rule within a hundredth of a point.
            assert len(ours) == len(theirs), number
            assert all(any(_same(rule, other) for other in theirs) for rule in ours), number
            assert all(any(_same(rule, other) for other in ours) for rule in theirs), number


def test_a_page_the_pdfium_reader_fails_on_is_left_to_the_layout_analysis(monkeypatch) -> None:
    from pipelines.extraction import page_layout

    def fail(*_args):
        raise ValueError("an object pdfium's reader does not expect")

    monkeypatch.setattr(page_layout, "_chars", fail)
    path = sample("jiangsu_procuratorate_2019_budget.pdf")
    scan = pdf.scan_pages(path.read_bytes(), layouts=True)
    assert scan.ruled and all(scan.layouts[number] is None for number in scan.ruled)
    tables = pdf.read_tables(path.read_bytes(), scan)  # camelot's own reading of every page
    assert any("3,990.40" in cell for table in tables for row in table.texts for cell in row)  # 单位预留机动经费
