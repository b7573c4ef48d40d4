"""Bad inputs, each generated here: nothing but the rendered Futian budget, the samples
in raw/ and reportlab.  Every function writes one file and returns its path."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pypdfium2
from reportlab.lib import pdfencrypt
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas
from reportlab.platypus import SimpleDocTemplate

from tests.conftest import sample
from tests.support import faults
from tests.support.renderers import futian
from tests.support.renderers.futian import load_tables, render_futian_2022

SMALL_SAMPLE = "jiangsu_npc_office_2019_budget_tables.pdf"  # 13 pages, 0.3 s to extract
QUOTED_DEPARTMENT = "深圳市\"福田区'政务服务数据管理局"
UNKNOWN_TITLE = "国有资产占有使用情况表"  # a table no statement of the registry describes
GARBAGE = {  # (table, body row, column) -> what is printed instead of an amount
    (3, 1, 1): "open('PWNED','w')",  # would create a file if anything evaluated cell text
    (3, 2, 2): "=SUM(B2:B4)",
    (7, 4, 3): "1e3",
}
PWNED = "PWNED"


def copy_with_tag(source: Path, target: Path, tag: str) -> Path:
    """The same PDF with a comment after %%EOF: identical pages, distinct bytes (and sha256)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(source.read_bytes() + f"\n% {tag}\n".encode())
    return target


def small_sample_copy(target: Path, tag: str) -> Path:
    return copy_with_tag(sample(SMALL_SAMPLE), target, tag)


def zero_bytes(target: Path) -> Path:
    target.write_bytes(b"")
    return target


def not_a_pdf(target: Path) -> Path:
    """What a failed download saves under the name it was asked for."""
    target.write_text("<html><body><h1>404 Not Found</h1></body></html>\n", encoding="utf-8")
    return target


def truncated(target: Path) -> Path:
    """A download cut off at 60%."""
    data = render_futian_2022(target).read_bytes()
    target.write_bytes(data[: len(data) * 6 // 10])
    return target


def _render(target: Path, tables: list[dict], encrypt=None) -> Path:
    """As render_futian_2022, with reportlab's encryption."""
    futian._register_font()
    doc = SimpleDocTemplate(
        str(target),
        pagesize=futian.PAGE_SIZE,
        leftMargin=futian.MARGIN_X,
        rightMargin=futian.MARGIN_X,
        topMargin=futian.MARGIN_Y,
        bottomMargin=futian.MARGIN_Y,
        invariant=1,
        encrypt=encrypt,
    )
    doc.build(futian.build_story(tables))
    return target


def _one_table(number: int) -> list[dict]:
    return [t for t in load_tables() if t["number"] == number]


def password_protected(target: Path) -> Path:
    return _render(target, _one_table(3), pdfencrypt.StandardEncryption("secret", ownerPassword="owner"))


def copy_protected(target: Path) -> Path:
    """Opens without a password, but its permissions forbid copying text: camelot refuses it."""
    return _render(target, _one_table(3), pdfencrypt.StandardEncryption("", ownerPassword="owner", canCopy=0))


def malformed_page_box(target: Path) -> Path:
    """Every page's /MediaBox holds words instead of numbers (same length, so the xref stays
    valid): pdfium falls back to a default box and reads the text, camelot raises."""
    data = render_futian_2022(target, tables=_one_table(3)).read_bytes()
    broken, count = re.subn(
        rb"/MediaBox \[ 0 0 ([\d.]+) ([\d.]+) \]",
        lambda m: b"/MediaBox [ 0 0 " + b"x" * len(m[1]) + b" " + b"y" * len(m[2]) + b" ]",
        data,
    )
    assert count and len(broken) == len(data)
    target.write_bytes(broken)
    return target


def scanned(target: Path) -> Path:
    """Pages printed and scanned: images only, no text layer."""
    source = render_futian_2022(target.with_suffix(".source.pdf"), tables=_one_table(3))
    document = pypdfium2.PdfDocument(str(source))
    page_canvas = canvas.Canvas(str(target), invariant=1)
    for page in document:
        width, height = page.get_size()
        page_canvas.setPageSize((width, height))
        page_canvas.drawImage(ImageReader(page.render(scale=1).to_pil()), 0, 0, width, height)
        page_canvas.showPage()
    page_canvas.save()
    document.close()
    source.unlink()
    return target


def no_budget_tables(target: Path) -> Path:
    """The cover and the narrative page of a budget, without its tables."""
    return render_futian_2022(target, tables=[])


def unknown_table() -> dict:
    return {
        "number": 12,
        "title": UNKNOWN_TITLE,
        "unit": "万元",
        "department": futian.DEPARTMENT,
        "ncols": 3,
        "col_widths": [300, 120, 160],
        "indent_spaces": 0,
        "header_rows": [
            [
                {"col": c, "text": text, "rowspan": 1, "colspan": 1}
                for c, text in enumerate(["资产类别", "数量", "原值"])
            ]
        ],
        "body_rows": [["房屋", "2", "1,234.00"], ["车辆", "3", "56.00"], ["合计", "5", "1,290.00"]],
        "levels": [[0, None, None]] * 3,
        "wraps": [],
        "body_spans": [],
        "page_breaks": [],
        "note": "",
    }


def only_unknown_table(target: Path) -> Path:
    return render_futian_2022(target, tables=[unknown_table()])


def with_unknown_table(target: Path) -> Path:
    """The whole budget, plus one table of no known kind at the end."""
    return render_futian_2022(target, tables=[*load_tables(), unknown_table()])


def garbage_amounts(target: Path) -> Path:
    tables = load_tables()
    for (number, row, col), text in GARBAGE.items():
        tables = faults.set_cell(number, row, col, text, tables)
    return render_futian_2022(target, tables=tables)


def quoted_department(target: Path) -> Path:
    """The budget of a department whose name holds both quote characters, printed the same
    way on the cover, in the page headers and in the rows of its units."""

    def quote(value):
        if isinstance(value, str):
            return value.replace("深圳市福田区", QUOTED_DEPARTMENT[: QUOTED_DEPARTMENT.index("政")])
        if isinstance(value, list):
            return [quote(v) for v in value]
        if isinstance(value, dict):
            return {k: quote(v) for k, v in value.items()}
        return value

    tables = [quote(table) for table in load_tables()]
    assert {t["department"] for t in tables} == {QUOTED_DEPARTMENT}
    # the cover and the narrative print it too: every place a reader looks agrees
    return render_futian_2022(target, tables=tables, department=QUOTED_DEPARTMENT)


def many_pages(target: Path, pages: int) -> Path:
    """A statistical yearbook dropped into raw/ by mistake."""
    pdf = canvas.Canvas(str(target), invariant=1)
    for number in range(1, pages + 1):
        pdf.setFont("Helvetica", 12)
        pdf.drawString(72, 720, f"Statistical yearbook, page {number}")
        pdf.showPage()
    pdf.save()
    return target


def dense_grid(target: Path, rows: int = 60, cols: int = 20, pages: int = 2) -> Path:
    """Pages of a ruled grid full of numbers (two of 60 x 20 by default): slow to extract."""
    width, height = landscape(A4)
    pdf = canvas.Canvas(str(target), pagesize=(width, height), invariant=1)
    x0, y0, x1, y1 = 20, 20, width - 20, height - 20
    cell_w, cell_h = (x1 - x0) / cols, (y1 - y0) / rows
    for _ in range(pages):
        pdf.setLineWidth(0.3)
        for i in range(rows + 1):
            pdf.line(x0, y0 + i * cell_h, x1, y0 + i * cell_h)
        for j in range(cols + 1):
            pdf.line(x0 + j * cell_w, y0, x0 + j * cell_w, y1)
        pdf.setFont("Helvetica", 3)
        for i in range(rows):
            for j in range(cols):
                pdf.drawString(x0 + j * cell_w + 1, y0 + i * cell_h + 1, f"{i * cols + j:,}.00")
        pdf.showPage()
    pdf.save()
    return target


def symlink(link: Path, target: Path) -> Path:
    link.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(target, link)
    return link


def copy_sample(name: str, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(sample(name), target)
    return target
