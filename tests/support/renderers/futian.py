"""Test renderer: rebuild the Shenzhen Futian 2022 department budget as a ruled PDF.

We only have the text of this disclosure (``tests/data/seeds/futian_2022_budget.txt``),
not the PDF. The tables were transcribed by hand into
``tests/data/futian_2022/tableNN_*.json``; this module lays them out again the way
the document family prints them, so camelot's lattice flavor has real ruled grids
to find:

* page 1: cover (department name + ``2022年部门预算``); page 2: a short narrative
  page with figures and no ruled table;
* every table page starts with ``表 N``, the title and the line
  ``部门名称： 深圳市福田区政务服务数据管理局  单位：万元``; multi-page tables repeat
  that page header and their column-header rows on each page, breaking where the
  seed breaks;
* fully ruled grids (reportlab ``Table`` + ``GRID``), merged header cells via ``SPAN``;
* narrow amount columns where numbers wrap inside the cell (``12,510.0`` over ``0``)
  and wrapped item names, reproduced with explicit line breaks taken from the seed;
* hierarchy of item names as leading spaces, as the seed prints them.

表11 (部门整体支出绩效目标表) is a form: it prints ``表 11：``, the title, ``2022 年度``
and ``单位：万元`` on its first page only and no page header on its continuation
pages, as the seed does.

The output is deterministic (``invariant=1``): the same bytes on every run.
"""

from __future__ import annotations

import json
import pathlib
import re

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

DATA_DIR = pathlib.Path(__file__).resolve().parents[2] / "data" / "futian_2022"
FONT = "STSong-Light"
DEPARTMENT = "深圳市福田区政务服务数据管理局"
YEAR = 2022

PAGE_SIZE = landscape(A4)
MARGIN_X = 30
MARGIN_Y = 28
FRAME_W = PAGE_SIZE[0] - 2 * MARGIN_X
FRAME_H = PAGE_SIZE[1] - 2 * MARGIN_Y

FONT_SIZE = 8
LEADING = 10
PAD_X = 3
PAD_Y = 2

# Column widths (points) per table; each grid is checked to fit every printed line.
COL_WIDTHS: dict[int, list[float]] = {
    1: [250, 140, 251, 140],
    2: [150, 56] + [41] * 14,
    3: [175, 95, 95, 95, 95, 135, 90],
    4: [132] + [54] * 12,
    5: [120] + [47] * 14,
    6: [250, 140, 251, 140],
    7: [220, 70, 250, 80, 80, 80],
    8: [220, 80, 60, 90, 70, 80, 70, 90],
    9: [220, 70, 250, 80, 80, 80],
    10: [220, 70, 250, 80, 80, 80],
    11: [60, 75, 80, 390, 70, 70, 30],
}

NUMBER = re.compile(r"^-?(?:\d{1,3}(?:,\d{3})*|\d+)(?:\.\d+)?$")
CENTERED_LABELS = {"本年收入合计", "本年支出合计", "上年结余、结转", "结转下年", "收入总计", "支出总计", "金额合计"}

# The narrative page: 第二部分 of the disclosure's text part, as printed in the seed.
NARRATIVE_HEADING = "第二部分  部门预算收支总体情况"
NARRATIVE = [
    "2022 年深圳市福田区政务服务数据管理局 部门预算收入12,510.00 万元，比 2021 年增加 2,425.39 万元，"
    "增长 24.05 %。2022年部门预算支出12,510.00 万元，比2021年增加2,425.39 万元，增长 24.05 %。",
    "预算收支增加主要原因：一是因机构调整，将区指挥分拨中心整体划转我局，新增 16 名事业编制及 3 名退休人员、"
    "增加民意速办平台有关民意事件信息接收、分拨等工作。二是根据深圳市 2021 年度绩效管理工作实施方案文件，"
    "增加基层公共服务平台建设工作费用。三是根据《深圳市优化营商环境改革领导小组办公室关于进一步优化新开办企业"
    "免费刻章服务的通知》、《深圳市市场监督管理局深圳市优化营商环境改革工作领导小组办公室关于印发深圳市开办企业"
    "专区（窗）过渡期“一窗通”实施方案的通知》文件，新增开办企业专区业务工作费用。",
]


def _register_font() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def load_tables(data_dir: pathlib.Path = DATA_DIR) -> list[dict]:
    """The transcribed tables, ordered by table number."""
    tables = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(data_dir.glob("table*.json"))]
    return sorted(tables, key=lambda t: t["number"])


def _style(name: str, size: float, leading: float, align=TA_LEFT) -> ParagraphStyle:
    return ParagraphStyle(name, fontName=FONT, fontSize=size, leading=leading, alignment=align)


S_TABLE_NO = _style("tno", 11, 14)
S_TITLE = _style("title", 16, 22, TA_CENTER)
S_SUBTITLE = _style("subtitle", 11, 15, TA_CENTER)
S_NOTE = _style("note", 9, 12)
S_BODY = _style("body", 12, 20)
S_HEAD = _style("head", 15, 22, TA_CENTER)
S_COVER_DEPT = _style("cover_dept", 26, 36, TA_CENTER)
S_COVER_YEAR = _style("cover_year", 30, 42, TA_CENTER)


def _page_breaks(t: dict) -> list[tuple[int, int]]:
    edges = [0] + list(t["page_breaks"]) + [len(t["body_rows"])]
    return [(a, b) for a, b in zip(edges, edges[1:])]


def _cell_lines(t: dict) -> dict[tuple[int, int], list[str]]:
    """Printed lines of every body cell: explicit seed wraps, indentation on the first line."""
    wraps = {(w["row"], w["col"]): list(w["lines"]) for w in t["wraps"]}
    unit = t.get("indent_spaces", 0)
    out = {}
    for r, row in enumerate(t["body_rows"]):
        for c, text in enumerate(row):
            ls = wraps.get((r, c), [text])
            level = t["levels"][r][c]
            if level and unit:
                ls = [" " * (unit * level) + ls[0]] + ls[1:]
            out[(r, c)] = ls
    return out


def _header_grid(t: dict) -> tuple[list[list[str]], list[tuple]]:
    n = t["ncols"]
    grid = [[""] * n for _ in t["header_rows"]]
    spans = []
    for r, row in enumerate(t["header_rows"]):
        for cell in row:
            grid[r][cell["col"]] = "\n".join(cell.get("lines") or [cell["text"]])
            if cell["rowspan"] > 1 or cell["colspan"] > 1:
                spans.append((cell["col"], r, cell["col"] + cell["colspan"] - 1, r + cell["rowspan"] - 1))
    return grid, spans


def _check_fits(t: dict, data: list[list[str]], spans: list[tuple], widths: list[float]) -> None:
    span_w = {}
    covered = set()
    for c0, r0, c1, r1 in spans:
        span_w[(r0, c0)] = sum(widths[c0 : c1 + 1])
        covered |= {(r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)} - {(r0, c0)}
    for r, row in enumerate(data):
        for c, text in enumerate(row):
            if (r, c) in covered:
                assert not text, f"表{t['number']}: text in a covered cell {r},{c}: {text!r}"
                continue
            avail = span_w.get((r, c), widths[c]) - 2 * PAD_X
            for line in text.split("\n"):
                w = pdfmetrics.stringWidth(line, FONT, FONT_SIZE)
                if w > avail:
                    raise ValueError(f"表{t['number']}: {line!r} ({w:.1f}pt) does not fit {avail:.1f}pt")


def _grid_table(t: dict, start: int, stop: int, cell_lines) -> Table:
    n = t["ncols"]
    widths = t.get("col_widths") or COL_WIDTHS[t["number"]]
    assert len(widths) == n and sum(widths) <= FRAME_W + 0.01, t["number"]
    # Table 11 has no column-header band; every other table repeats it on each page.
    hdr, spans = _header_grid(t)
    h = len(hdr)
    data = [list(r) for r in hdr]
    for r in range(start, stop):
        data.append(["\n".join(cell_lines[(r, c)]) for c in range(n)])
    for s in t["body_spans"]:
        r0, r1 = s["row"], s["row"] + s["rowspan"] - 1
        a, b = max(r0, start), min(r1, stop - 1)
        if a > b:
            continue
        c0, c1 = s["col"], s["col"] + s["colspan"] - 1
        if a != r0:  # span continued from a previous page: the text was printed there
            for c in range(c0, c1 + 1):
                data[h + a - start][c] = ""
        if (c0, c1) != (c0, c0) or a != b:
            spans.append((c0, h + a - start, c1, h + b - start))
    _check_fits(t, data, spans, widths)

    style = [
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("FONTSIZE", (0, 0), (-1, -1), FONT_SIZE),
        ("LEADING", (0, 0), (-1, -1), LEADING),
        ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), PAD_X),
        ("RIGHTPADDING", (0, 0), (-1, -1), PAD_X),
        ("TOPPADDING", (0, 0), (-1, -1), PAD_Y),
        ("BOTTOMPADDING", (0, 0), (-1, -1), PAD_Y),
    ]
    if h:
        style.append(("ALIGN", (0, 0), (-1, h - 1), "CENTER"))
    header_like = set()
    if t["number"] == 11:
        header_like = set(t.get("task_header_rows", [])) | {t.get("indicator_header_row")}
    for i, row in enumerate(data[h:]):
        r = h + i
        for c, text in enumerate(row):
            flat = text.replace("\n", "").strip()
            if (start + i) in header_like or (t["number"] == 11 and c == 6) or flat in CENTERED_LABELS:
                style.append(("ALIGN", (c, r), (c, r), "CENTER"))
            elif NUMBER.match(flat):
                style.append(("ALIGN", (c, r), (c, r), "RIGHT"))
        if t["number"] == 8:
            style.append(("ALIGN", (1, r), (1, r), "CENTER"))
    for c0, r0, c1, r1 in spans:
        style.append(("SPAN", (c0, r0), (c1, r1)))
    return Table(data, colWidths=widths, style=TableStyle(style))


def _page_header(t: dict, first_page: bool) -> list:
    if t["number"] == 11:
        if not first_page:
            return []
        unit = Table(
            [["", "单位：万元"]],
            colWidths=[FRAME_W - 120, 120],
            style=TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), FONT),
                    ("FONTSIZE", (0, 0), (-1, -1), 10),
                    ("ALIGN", (1, 0), (1, 0), "RIGHT"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ]
            ),
        )
        return [
            Paragraph(t["title_prefix"], S_TABLE_NO),
            Paragraph(t["title"], S_TITLE),
            Paragraph(t["subtitle"], S_SUBTITLE),
            unit,
            Spacer(1, 3),
        ]
    dept_line = Table(
        [[f"部门名称： {t['department']}", f"单位：{t['unit']}"]],
        colWidths=[FRAME_W - 120, 120],
        style=TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("FONTSIZE", (0, 0), (-1, -1), 10),
                ("ALIGN", (1, 0), (1, 0), "RIGHT"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        ),
    )
    return [Paragraph(f"表 {t['number']}", S_TABLE_NO), Paragraph(t["title"], S_TITLE), dept_line, Spacer(1, 4)]


def _check_page_height(flowables: list, what: str) -> None:
    total = 0.0
    for f in flowables:
        _, h = f.wrap(FRAME_W, FRAME_H)
        total += h + f.getSpaceBefore() + f.getSpaceAfter()
    if total > FRAME_H:
        raise ValueError(f"{what}: {total:.0f}pt does not fit the {FRAME_H:.0f}pt frame")


def build_story(tables: list[dict], department: str = DEPARTMENT, year: int = YEAR) -> list:
    _register_font()
    story: list = [
        Spacer(1, 150),
        Paragraph(department, S_COVER_DEPT),
        Spacer(1, 24),
        Paragraph(f"{year}年部门预算", S_COVER_YEAR),
        PageBreak(),
        Paragraph(NARRATIVE_HEADING, S_HEAD),
        Spacer(1, 10),
    ]
    story += [Paragraph(_as_of(p, department, year), S_BODY) for p in NARRATIVE]
    for t in tables:
        lines = _cell_lines(t)
        pages = _page_breaks(t)
        for i, (a, b) in enumerate(pages):
            story.append(PageBreak())
            page = _page_header(t, i == 0) + [_grid_table(t, a, b, lines)]
            if i == len(pages) - 1 and t.get("note"):
                page.append(Spacer(1, 4))
                page += [Paragraph(s, S_NOTE) for s in t["note"].split("\n")]
            _check_page_height(page, f"表{t['number']} page {i + 1}")
            story += page
    return story


def _as_of(text: str, department: str, year: int) -> str:
    """The seed's text as another department's budget of another year would print it."""
    return text.replace(DEPARTMENT, department).replace(str(YEAR - 1), str(year - 1)).replace(str(YEAR), str(year))


def render_futian_2022(
    out_path: pathlib.Path, tables: list[dict] | None = None, department: str = DEPARTMENT, year: int = YEAR
) -> pathlib.Path:
    """Render the Futian 2022 budget tables to ``out_path`` (multi-page, A4 landscape).

    ``tables`` replaces the transcription (see tests/support/faults.py, which plants faults in it).
    ``department`` and ``year`` print the same tables as another department's budget of
    another year: distinct documents for the scale benchmark.
    """
    if (department, year) != (DEPARTMENT, YEAR):
        tables = json.loads(
            _as_of(json.dumps(load_tables() if tables is None else tables, ensure_ascii=False), department, year)
        )
    out_path = pathlib.Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    _register_font()
    doc = SimpleDocTemplate(
        str(out_path),
        pagesize=PAGE_SIZE,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=MARGIN_Y,
        bottomMargin=MARGIN_Y,
        title=f"{department}{year}年部门预算",
        author=department,
        creator="yusuan tests/renderers/futian.py",
        subject="test fixture",
        invariant=1,
    )
    doc.build(build_story(load_tables() if tables is None else tables, department, year))
    return out_path
