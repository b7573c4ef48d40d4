"""OCR's grid and line assembly, and the OCR gate, on hand-made inputs (no camelot, no recogniser)."""

from __future__ import annotations

import sys
from dataclasses import replace
from decimal import Decimal

import numpy as np
import pytest
from PIL import Image

from pipelines.extraction import ocr
from pipelines.extraction.document import (
    OcrNotReconciled,
    ParsedDocument,
    RawDocument,
    read_document,
    require_reconciled,
)
from pipelines.extraction.identities import CheckResult, run_checks
from pipelines.extraction.lines import BudgetLine, Problem
from pipelines.extraction.metadata import DocumentMetadata, read_metadata
from pipelines.extraction.pdf import PdfError
from tests.support.scans import image_pdf


def test_cells_without_a_rule_between_them_are_one_merged_region() -> None:
    # A header cell spanning two columns over two cells, and a body row of three cells.
    borders = [
        ["LTB", "TB", "RTB"],
        ["LTB", "RTB", "LRTB"],
    ]
    # Row 0: no rule between its three cells; row 1: (1,0)-(1,1) joined, (1,2) alone.
    assert sorted(ocr.merged_regions(2, 3, borders)) == [[(0, 0), (0, 1), (0, 2)], [(1, 0), (1, 1)], [(1, 2)]]


def test_a_missing_rule_between_rows_merges_them_vertically() -> None:
    borders = [["LRT"], ["LRB"]]  # no B under row 0, no T over row 1
    assert ocr.merged_regions(2, 1, borders) == [[(0, 0), (1, 0)]]


def _ink(height: int, width: int, strokes: list[tuple[int, int, int, int]]) -> np.ndarray:
    ink = np.zeros((height, width), dtype=bool)
    for x0, y0, x1, y1 in strokes:
        ink[y0:y1, x0:x1] = True
    return ink


def test_printed_lines_are_found_top_to_bottom_and_a_thin_gap_inside_a_glyph_does_not_split_one() -> None:
    ink = _ink(
        80,
        300,
        [
            (10, 5, 40, 18),  # line 1, word 1
            (200, 5, 260, 18),  # line 1, word 2, far to the right
            (10, 40, 60, 46),  # line 2: the top of a glyph (米 of 类) …
            (10, 49, 60, 58),  # … and its bottom (大), 3 px below
            (5, 70, 7, 72),  # a speck: shorter than a line
        ],
    )
    assert ocr.line_boxes(ink, split_words=False) == [[(10, 5, 260, 18)], [(10, 40, 60, 58)]]
    assert ocr.line_boxes(ink, split_words=True) == [[(10, 5, 40, 18), (200, 5, 260, 18)], [(10, 40, 60, 58)]]


def test_only_table_rules_and_long_page_rules_are_whited_out_never_the_strokes_of_large_print() -> None:
    # camelot's short-rule search finds a title's 一 or the bar of 大 as a rule: whited out,
    # 大 was read as 人 and 表 as 衣.  Outside the tables only a line of 1/8 of the page is a rule.
    rules = _ink(
        400,
        800,
        [
            (100, 40, 170, 43),  # a stroke of a large title, 70 px long, above the table
            (50, 80, 750, 82),  # a rule under the page header, across the page
            (100, 200, 160, 202),  # a short rule inside the table: a cell's edge
        ],
    )
    kept = ocr.table_rules(rules, [(90, 150, 700, 380)])
    assert not kept[40:43, 100:170].any()
    assert kept[80:82, 50:750].all() and kept[200:202, 100:160].all()


def test_the_recognisers_slips_on_figures_and_on_the_one_stroke_character_are_undone() -> None:
    assert ocr.clean_text("426, 000") == "426,000"
    assert ocr.clean_text("1,106, 000.50") == "1,106,000.50"
    assert ocr.clean_text("-般公共服务支出") == "一般公共服务支出"
    assert ocr.clean_text("、财政拨款") == "一、财政拨款"
    # What is printed so stays so: a negative amount, a label's own spacing, a later ordinal.
    assert [ocr.clean_text(t) for t in ("-1,250.00", "合 计", "二、外交支出")] == ["-1,250.00", "合 计", "二、外交支出"]


def test_a_label_running_into_an_amount_in_one_cell_line_is_a_rule_the_grid_missed() -> None:
    assert ocr._FUSED.search("一、基本支出丨12,308.48")
    assert ocr._FUSED.search("其他收入 15.00")
    assert not any(ocr._FUSED.search(t) for t in ("12,308.48", "2019年预算", "公开表一", "经费(2018)", "小计"))


def _line(amount: str, confidence: float | None = 0.99) -> BudgetLine:
    """A figure read by OCR with ``confidence``, or from the text layer when it is None."""
    value = Decimal(amount)
    return BudgetLine(
        "income_expenditure_summary", "income", None, "收入总计", "amount", value, amount, "元", value,
        1, 0, 9, 1, text_source="text" if confidence is None else "ocr", ocr_confidence=confidence,
    )  # fmt: skip


def _check(expected: str, actual: str) -> CheckResult:
    return CheckResult(
        "summary_balance", "income_expenditure_summary", "收入总计 = 支出总计",
        Decimal(expected), Decimal(actual), Decimal(0), 1, 9,
    )  # fmt: skip


def _documents(
    checks: list[CheckResult],
    ocr_pages: list[int],
    problems: list[Problem] | None = None,
    confidence: float = 0.99,
    department_readings: int = 3,
    near_readings: tuple[str, ...] = (),
) -> tuple[RawDocument, ParsedDocument]:
    raw = RawDocument("0" * 64, 1, [""], [], ocr_pages=ocr_pages)
    metadata = DocumentMetadata(
        "某某局", 2024, "budget", "department", "元", 1, department_readings, near_readings
    )  # fmt: skip
    lines = [_line("156211123", confidence if ocr_pages else None)]
    parsed = ParsedDocument(metadata, [], lines, [], problems=problems or [], ocr_checks=checks)
    return raw, parsed


def test_a_scan_whose_identities_reconcile_passes_the_gate() -> None:
    require_reconciled(*_documents([_check("156211123", "156211123")], ocr_pages=[1]))


def test_a_scan_with_one_broken_identity_is_refused_naming_it_and_by_how_much() -> None:
    with pytest.raises(OcrNotReconciled) as refused:
        require_reconciled(*_documents([_check("156211123", "156211123"), _check("156211123", "156211122")], [1]))
    reason = str(refused.value)
    assert reason.startswith("OCR figures do not reconcile: 1 of 2 identities fail: summary_balance")
    assert "expected 156211123, got 156211122, difference -1" in reason


def test_a_scan_with_nothing_to_check_is_refused() -> None:
    with pytest.raises(OcrNotReconciled, match="^OCR figures do not reconcile: no accounting identity"):
        require_reconciled(*_documents([], ocr_pages=[1]))


def test_a_scan_with_an_amount_cell_not_read_as_a_number_is_refused() -> None:
    unread = Problem("non_numeric_amount", "income_expenditure_summary", 1, 0, 9, 3, "not an amount: '156,211,12'")
    with pytest.raises(OcrNotReconciled, match="could not be read as the table says: non_numeric_amount p1"):
        require_reconciled(*_documents([_check("1", "1")], ocr_pages=[1], problems=[unread]))


def test_a_scan_with_a_figure_under_the_recognisers_own_threshold_is_refused_even_if_it_reconciles() -> None:
    with pytest.raises(OcrNotReconciled, match=r"1 figure\(s\) read with a confidence under 0.5.*156211123 \(0.00\)"):
        require_reconciled(*_documents([_check("1", "1")], ocr_pages=[1], confidence=ocr.FUSED_CONFIDENCE))


def test_a_scan_whose_department_is_also_read_a_character_away_is_refused() -> None:
    with pytest.raises(OcrNotReconciled, match="^OCR metadata is uncertain: the department is read as 某某局 and as"):
        require_reconciled(*_documents([_check("1", "1")], ocr_pages=[1], near_readings=("某巣局",)))


def test_a_scan_whose_department_is_read_only_once_is_refused() -> None:
    with pytest.raises(OcrNotReconciled, match="read in only 1 place"):
        require_reconciled(*_documents([_check("1", "1")], ocr_pages=[1], department_readings=1))


def test_metadata_counts_the_departments_readings_and_its_near_misreadings() -> None:
    page = "2024年\n某省某某局\n部门预算\n"
    metadata = read_metadata([page], ["部门：某省某某局", "部门：某省某巣局"], [], [])
    assert (metadata.department_name, metadata.department_readings, metadata.near_readings) == (
        "某省某某局", 2, ("某省某巣局",)
    )  # fmt: skip


def test_on_a_scan_a_name_misread_in_one_place_is_outvoted_by_readings_in_two_kinds_of_place() -> None:
    cover = "2024年\n某省某某局\n部门预算\n"
    labels = ["部门：某省某某局"] * 3 + ["部门：某省某巣局"]
    metadata = read_metadata([cover], labels, [], [], scanned=True)
    assert (metadata.department_name, metadata.department_readings, metadata.near_readings) == ("某省某某局", 4, ())
    # A text PDF's readings are what it prints: a near name stays (the gate does not apply).
    assert read_metadata([cover], labels, [], []).near_readings == ("某省某巣局",)


def test_on_a_scan_readings_of_one_kind_of_place_never_outvote_another() -> None:
    # The 部门 line repeats one font on every table page: its misread would repeat too, so
    # its readings, however many, do not outvote the cover's large print.
    misread_cover = "2024年\n某省某巣局\n部门预算\n"
    metadata = read_metadata([misread_cover], ["部门：某省某某局"] * 12, [], [], scanned=True)
    assert metadata.near_readings
    with pytest.raises(OcrNotReconciled, match="^OCR metadata is uncertain"):
        require_reconciled(*_documents([_check("1", "1")], ocr_pages=[1], near_readings=metadata.near_readings))


def test_a_text_pdf_is_never_held_by_the_ocr_gate() -> None:
    # Text documents print breaks themselves; for them a break only warns (identities.py).
    require_reconciled(*_documents([_check("156211123", "156211122")], ocr_pages=[]))


def test_a_scanned_page_that_gave_no_figure_does_not_hold_the_text_pages_figures() -> None:
    # A scanned cover or photo page: every figure is from the text layer, whose printed
    # breaks only warn, as in any text PDF.
    raw, parsed = _documents([_check("156211123", "156211122")], ocr_pages=[])
    require_reconciled(replace(raw, ocr_pages=[1]), parsed)


def _scan(dpi: int) -> bytes:
    page = Image.new("L", (int(8.27 * dpi), int(11.69 * dpi)), 255)
    page.paste(0, (dpi, dpi, 3 * dpi, dpi + 4))  # something printed: a rule
    return image_pdf([page], dpi)


def test_a_coarse_scan_is_refused_before_any_ocr() -> None:
    with pytest.raises(PdfError, match="page 1 is a scan of 72 dpi, too coarse to read its figures by OCR"):
        read_document(_scan(72))


def test_without_the_recogniser_a_scan_is_refused_with_the_reason_never_a_crash(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "rapidocr_onnxruntime", None)  # import fails
    ocr._recogniser.cache_clear()
    try:
        with pytest.raises(PdfError, match=r"no text layer .*; OCR is not installed \(the rapidocr-onnxruntime"):
            read_document(_scan(150))
    finally:
        ocr._recogniser.cache_clear()


def test_a_page_scanned_half_a_degree_askew_is_turned_straight() -> None:
    page = Image.new("L", (1600, 1200), 255)
    for y in range(100, 1100, 60):  # the rules of a table
        page.paste(0, (100, y, 1500, y + 3))
    askew = np.asarray(page.rotate(0.5, resample=Image.Resampling.BICUBIC, fillcolor=255))
    assert abs(ocr.skew_angle(askew) - 0.5) <= 0.025
    assert abs(ocr.skew_angle(ocr.deskew(askew))) <= 0.025
    assert abs(ocr.skew_angle(np.asarray(page))) < 0.01


# A function class of 1,000,000 yuan over two items, printed in two tables (whole yuan).
_CLASS = {"212": "1,000,000", "21201": "600,000", "21205": "400,000"}


def _figure(statement: str, table: int, row: int, code: str, printed: str) -> BudgetLine:
    """A whole-yuan figure of a table by function code, as OCR read it."""
    value = Decimal(printed.replace(",", ""))
    return BudgetLine(
        statement, "main", code, code, "total", value, printed, "元", value, table + 1, table, row, 2,
        text_source="ocr", ocr_confidence=0.99,
    )  # fmt: skip


def _table(statement: str, table: int, printed: dict[str, str]) -> list[BudgetLine]:
    return [_figure(statement, table, row, code, amount) for row, (code, amount) in enumerate(printed.items())]


def _scan_of(*tables: dict[str, str]) -> tuple[RawDocument, ParsedDocument]:
    """A scanned document of ``tables`` (the income summary, then the expenditure summary …),
    with every identity they make."""
    statements = ("income_summary", "expenditure_summary", "general_budget_expenditure_by_function")
    lines = [line for index, printed in enumerate(tables) for line in _table(statements[index], index, printed)]
    raw, parsed = _documents([], ocr_pages=list(range(1, len(tables) + 1)))
    return raw, replace(parsed, lines=lines, ocr_checks=run_checks(lines, []))


_OWN_BREAK = {**_CLASS, "21205": "400,001"}  # the document adds its items to 1,000,001


def test_a_rounding_break_the_document_prints_in_every_table_read_alike_in_each_loads() -> None:
    raw, parsed = _scan_of(_OWN_BREAK, _OWN_BREAK)
    assert [(c.expected, c.actual) for c in parsed.ocr_printed_breaks] == [(1000000, 1000001)] * 2
    require_reconciled(raw, parsed)


@pytest.mark.parametrize(
    ("tables", "why"),
    [
        # The document adds up; OCR reads one item 1 yuan more in one table: a break within
        # rounding, but the other table reads that item otherwise.
        (({**_CLASS, "21205": "400,001"}, _CLASS), "last digit +1"),
        (({**_CLASS, "21201": "599,999"}, _CLASS), "last digit -1"),
        (({**_CLASS, "21201": "699,999"}, _CLASS, _CLASS), "a middle digit"),
        # The document's own break, and a misread that repairs it in one table (the parent
        # read 1 more): that table passes, the other's break is no longer corroborated.
        (({**_OWN_BREAK, "212": "1,000,001"}, _OWN_BREAK), "the parent read to fit"),
        (({**_OWN_BREAK, "21201": "599,999"}, _OWN_BREAK, _OWN_BREAK), "an item read to fit"),
        # The document's own break in one table: nothing else reads its figures.
        ((_OWN_BREAK,), "read once"),
        # Two tables, one misread by 1 in the last digit: which one is right cannot be told.
        ((_OWN_BREAK, {**_OWN_BREAK, "21205": "400,002"}), "two readings of one item"),
    ],
)
def test_a_misread_figure_never_passes_as_the_documents_own_break(tables: tuple, why: str) -> None:
    with pytest.raises(OcrNotReconciled, match="^OCR figures do not reconcile: .* identities fail: classification"):
        require_reconciled(*_scan_of(*tables))
