"""The Futian 2022 test renderer: camelot's lattice flavor must read back what we transcribed.

The figures are read off the seed text (tests/data/seeds/futian_2022_budget.txt) and
transcribed in tests/data/futian_2022/*.json; see that folder's README.
"""

from __future__ import annotations

import collections
import hashlib
import json
import pathlib
import re
from decimal import Decimal

import pytest

camelot = pytest.importorskip("camelot")
pytest.importorskip("reportlab")

try:
    from tests.support.renderers.futian import DATA_DIR, load_tables, render_futian_2022
except ImportError:  # plain `pytest` without the repo root on sys.path
    import sys

    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
    from tests.support.renderers.futian import DATA_DIR, load_tables, render_futian_2022

SEED = pathlib.Path(__file__).parents[1] / "data" / "seeds" / "futian_2022_budget.txt"
FIRST_TABLE_PAGE = 3  # page 1 cover, page 2 narrative


@pytest.fixture(scope="module")
def pdf_path(tmp_path_factory) -> pathlib.Path:
    return render_futian_2022(tmp_path_factory.mktemp("futian") / "futian_2022.pdf")


@pytest.fixture(scope="module")
def tables():
    return load_tables()


@pytest.fixture(scope="module")
def extracted(pdf_path):
    return camelot.read_pdf(str(pdf_path), pages="all", flavor="lattice", engine="vector", split_text=True)


def _fragments(tables):
    """(table, page_index, first_row, stop_row) in document order."""
    out = []
    for t in tables:
        edges = [0] + t["page_breaks"] + [len(t["body_rows"])]
        for i, (a, b) in enumerate(zip(edges, edges[1:])):
            out.append((t, i, a, b))
    return out


def _expected_body(t, a, b):
    wraps = {(w["row"], w["col"]): w["lines"] for w in t["wraps"]}
    return [
        ["\n".join(wraps.get((r, c), [t["body_rows"][r][c]])).strip() for c in range(t["ncols"])] for r in range(a, b)
    ]


def _expected_header(t):
    grid = [[""] * t["ncols"] for _ in t["header_rows"]]
    for r, row in enumerate(t["header_rows"]):
        for cell in row:
            grid[r][cell["col"]] = "\n".join(cell.get("lines") or [cell["text"]])
    return grid


def _cells(df):
    return [[str(v).strip() for v in row] for row in df.values.tolist()]


def _find(tables_, number):
    return next(t for t in tables_ if t["number"] == number)


# ------------------------------------------------------------------ the transcription itself


def test_seed_copy_present():
    text = SEED.read_text(encoding="utf-8")
    assert "二、表格部分" in text and "金额合计 12,509.00" in text


def test_transcription_shape(tables):
    assert [t["number"] for t in tables] == list(range(1, 12))
    rows = {t["number"]: len(t["body_rows"]) for t in tables}
    assert rows == {1: 23, 2: 4, 3: 3, 4: 72, 5: 14, 6: 23, 7: 52, 8: 9, 9: 4, 10: 4, 11: 114}
    for t in tables:
        assert all(len(r) == t["ncols"] for r in t["body_rows"]), t["number"]
        for w in t["wraps"]:
            assert "".join(w["lines"]) == t["body_rows"][w["row"]][w["col"]]


def _d(s: str) -> Decimal:
    return Decimal(s.replace(",", ""))


def test_transcription_adds_up_where_the_page_does(tables):
    t1 = _find(tables, 1)
    classes = [
        r[3]
        for r, lv in zip(t1["body_rows"], t1["levels"])
        if lv[2] == 0 and r[2][:2] in ("一、", "二、", "三、", "四、")
    ]
    assert len(classes) == 4 and sum(_d(v) for v in classes) == Decimal("12510.00")
    t11 = _find(tables, 11)
    a, b = t11["task_rows"]
    tasks = t11["body_rows"][a : b + 1]
    assert len(tasks) == 49
    total = t11["body_rows"][t11["total_row"]]
    # the form prints 12,509.00 (表1 prints 12,510.00): kept as printed
    assert total[4] == "12,509.00" and sum(_d(r[4]) for r in tasks) == _d(total[4])


# ------------------------------------------------------------------ the rendered PDF


def test_render_is_deterministic(pdf_path, tmp_path):
    again = render_futian_2022(tmp_path / "again.pdf")
    assert hashlib.sha256(again.read_bytes()).hexdigest() == hashlib.sha256(pdf_path.read_bytes()).hexdigest()


def test_cover_and_narrative_have_no_ruled_table(pdf_path, extracted):
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(pdf_path))
    try:
        assert len(pdf) == FIRST_TABLE_PAGE - 1 + 31
        cover = pdf[0].get_textpage().get_text_range()
        assert "深圳市福田区政务服务数据管理局" in cover and "2022年部门预算" in cover
        page3 = pdf[2].get_textpage().get_text_range()
        assert "表 1" in page3 and "收支总表" in page3
        assert re.search(r"部门名称：\s*深圳市福田区政务服务数据管理局\s+单位：万元", page3)
    finally:
        pdf.close()
    assert min(int(t.page) for t in extracted) == FIRST_TABLE_PAGE


def test_one_pdfium_pass_reads_every_page_and_finds_the_ruled_ones(pdf_path):
    from pipelines.extraction.pdf import scan_pages

    scan = scan_pages(pdf_path.read_bytes())
    pages = FIRST_TABLE_PAGE - 1 + 31
    assert len(scan.texts) == pages
    assert "深圳市福田区政务服务数据管理局" in scan.texts[0] and "收支总表" in scan.texts[FIRST_TABLE_PAGE - 1]
    # The cover and the narrative carry no ruling; each of the 31 table pages is a ruled grid.
    assert scan.ruled == list(range(FIRST_TABLE_PAGE, pages + 1))


def test_one_table_per_table_page(tables, extracted):
    frags = _fragments(tables)
    assert len(extracted) == len(frags) == 31
    assert [int(t.page) for t in extracted] == list(range(FIRST_TABLE_PAGE, FIRST_TABLE_PAGE + 31))


def test_grids_match_transcription(tables, extracted):
    """表1–表10: every page's grid comes back cell for cell (header rows repeated)."""
    for (t, i, a, b), got in zip(_fragments(tables), extracted):
        if t["number"] == 11:
            continue
        expected = _expected_header(t) + _expected_body(t, a, b)
        assert got.shape == (len(expected), t["ncols"]), (t["number"], i, got.shape)
        assert _cells(got.df) == expected, (t["number"], i)


def test_form_table_texts_come_back(tables, extracted):
    """表11 is a form whose pages merge different columns: compare the cell texts per page."""
    for (t, i, a, b), got in zip(_fragments(tables), extracted):
        if t["number"] != 11:
            continue
        want = collections.Counter(c for row in _expected_body(t, a, b) for c in row if c)
        have = collections.Counter(c for row in _cells(got.df) for c in row if c)
        assert have == want, (i, want - have, have - want)


def _row(df, first_cell_text):
    for row in _cells(df):
        if first_cell_text in row:
            return row
    raise AssertionError(f"{first_cell_text!r} not in table")


def test_specific_figures(extracted):
    by_page = {int(t.page): t.df for t in extracted}
    t1_p2 = by_page[4]
    assert _row(t1_p2, "收入总计") == ["收入总计", "12,510.00", "支出总计", "12,510.00"]
    t1_p1 = by_page[3]
    assert _row(t1_p1, "一、政府预算拨款") == ["一、政府预算拨款", "12,510.00", "一、一般公共服务支出", "11,770.76"]
    t3 = by_page[6]
    assert _row(t3, "深圳市福田区数据管理中心")[:4] == ["深圳市福田区数据管理中心", "5,318.00", "881.85", "4,436.15"]
    # 表7 prints 5,318.01 / 881.86 for the same unit: kept as printed
    t7_p3 = by_page[20]
    assert _row(t7_p3, "深圳市福田区数据管理中心") == [
        "深圳市福田区数据管理中心",
        "",
        "",
        "5,318.01",
        "881.86",
        "4,436.15",
    ]
    t8 = by_page[22]
    assert _row(t8, "深圳市福田区政务服务中心") == [
        "深圳市福田区政务服务中心",
        "2021 年",
        "5.67",
        "0",
        "2",
        "3.67",
        "0",
        "3.67",
    ]
    t11_total = next(df for df in by_page.values() if any("金额合计" in c for c in _cells(df)[0]))
    assert [c for c in _row(t11_total, "金额合计") if c] == ["金额合计", "12,509.00", "12,509.00", "0.00"]


def test_wrapped_cells(extracted):
    by_page = {int(t.page): t.df for t in extracted}
    t2 = by_page[5]
    dept = _row(t2, "深圳市福田区政务服务数据管理局")
    assert dept[1] == "12,510.00"  # the wide 收入总计 column does not wrap
    assert dept[2] == "12,510.0\n0" and dept[3] == "2,749.8\n8" and dept[4] == "9,760.1\n2"
    assert _row(t2, "深圳市福田区政务服务数据管\n理局（本级）")[3] == "1,296.7\n0"
    t4_p1 = by_page[7]
    assert _row(t4_p1, "机关事业单位基本养\n老保险缴费")[1:4] == ["90.00", "90.00", "90.00"]


def test_empty_tables_keep_their_note(pdf_path, extracted):
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(pdf_path))
    try:
        for page_no, title in [(23, "政府性基金预算支出表"), (24, "国有资本经营预算支出表")]:
            text = pdf[page_no - 1].get_textpage().get_text_range()
            assert title in text and "注：本表本年无发生额。" in text
    finally:
        pdf.close()
    by_page = {int(t.page): t.df for t in extracted}
    for page_no in (23, 24):
        body = _cells(by_page[page_no])[1:]
        assert all(r[3:] == ["0", "0", "0"] for r in body) and len(body) == 4


def test_data_files_are_valid_json():
    for p in DATA_DIR.glob("table*.json"):
        d = json.loads(p.read_text(encoding="utf-8"))
        assert p.name.startswith(f"table{d['number']:02d}_") and d["unit"] == "万元"
