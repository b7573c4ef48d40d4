"""Statement rows into canonical budget lines: one line per printed amount."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from pipelines.extraction.grid import AMOUNT, CODE, INDEX, column_groups, hspan, region_text
from pipelines.extraction.measures import measure_for
from pipelines.extraction.numbers import AmountError, UnknownUnit, parse_amount, strip_label_overflow, to_yuan
from pipelines.extraction.periods import BUDGET_YEAR
from pipelines.extraction.statements import StatementTable
from pipelines.extraction.text import compact

TEXT_LAYER, OCR = "text", "ocr"
_DIGITS = re.compile(r"^\d+$")
# Statements whose cells are mostly prose: kept as raw cells; only their printed
# totals (金额合计 …) are read, because identities compare them with the summary.
RAW_ONLY_STATEMENTS = {"unknown", "performance_targets"}
_RAW_ONLY_TOTALS = {"合计", "总计", "金额合计"}


@dataclass(frozen=True)
class BudgetLine:
    statement: str
    section: str
    item_code: str | None
    item_name: str
    measure: str
    amount: Decimal  # as printed, in printed_unit
    printed_amount: str
    printed_unit: str
    amount_yuan: Decimal
    source_page: int
    source_table: int
    source_row: int  # 0-based row of the camelot table
    source_col: int  # 0-based column of the camelot table
    budget_unit: str | None = None  # the unit a by-unit table row belongs to; None = department level
    period: str = BUDGET_YEAR  # which year the amount refers to (see periods.py)
    text_source: str = TEXT_LAYER  # where the printed amount was read: the text layer or OCR
    ocr_confidence: float | None = None  # the recogniser's confidence in the amount's cell (OCR only)


@dataclass(frozen=True)
class Problem:
    """Something in a table that could not be read as the layout says it should be."""

    kind: str
    statement: str
    page: int
    table: int
    row: int
    col: int
    detail: str


# Tables whose columns are items, each split by the fund it is paid from.
_ITEMS_BY_FUND = {"three_public"}
_FUND_SOURCE = re.compile(r"^(一般公共预算|政府性基金预算?|国有资本经营预算|财政拨款)(资金|拨款)?$")


def fund_source(measure: str) -> str | None:
    """The fund source qualifying an item's measure (``outbound_travel:一般公共预算``), if any:
    the items of one source add up among themselves."""
    qualifier = measure.partition(":")[2]
    return qualifier if _FUND_SOURCE.match(qualifier) else None


# National classification codes: function 2xx, economic 3xx (部门) and 5xx (政府), of
# 3, 5 or 7 digits.  A unit's code (117001) printed in a code column is none of them.
_CLASSIFICATION_CODE = re.compile(r"^[235]\d{2}(\d{2}){0,2}$")
# A code printed in the name cell: ``[201]一般公共服务支出``, ``2050803-培训支出``.
_CODED_NAME = re.compile(r"^(?:\[(?P<bracketed>\d{3,7})\]|(?P<dashed>\d{3,7})-)(?P<name>\D.*)$")


def _classification_code(printed: str | None, classes: dict[int, str], group: int) -> str | None:
    """The classification code of a row from the code printed in it.

    Some tables print a 款 row's code as its two digits under the 类 row (201 / 10 /
    2011007): it is read under the last 类 of its column group.  A code that is no
    national classification code (a unit's 117001) gives the row no code.
    """
    if printed and len(printed) <= 2 and group in classes:
        printed = classes[group] + printed.zfill(2)
    if not printed or not _CLASSIFICATION_CODE.match(printed):
        return None
    if len(printed) == 3:
        classes[group] = printed
    return printed


def join_code(parts: list[str]) -> str | None:
    """类 | 款 | 项 printed in separate columns → one code; 款 and 项 are two digits
    even where the page drops the leading zero (``301 | 2`` is 30102).

    A later whole code (three digits or more) belongs to another classification
    printed beside the first (部门经济 30101 | 政府经济 50101): the row's code is the first."""
    if not parts:
        return None
    code = parts[0]
    for part in parts[1:]:
        if len(part) > 2:
            break
        code += part.zfill(2)
    return code


def section_for(path: list[str]) -> str:
    text = "".join(path)
    if "收入" in text:
        return "income"
    if "用途" in text:
        return "expenditure_by_purpose"
    if "功能" in text and "支出" in text:
        return "expenditure_by_function"
    if "支出" in text:
        return "expenditure"
    return "main"


def _group_measures(
    paths: list[list[str]], groups: list[list[int]], roles: list[str], by_item: bool = False
) -> dict[int, str]:
    """Measure of every amount column.

    A header spanning every amount column of a group (一般公共预算支出 over
    合计 | 基本支出 | 项目支出) is the table's caption, not a qualifier of one column.
    In a table of items (三公) split by fund source (总计 | 因公出国 … each over
    一般公共预算 | 政府性基金预算 | 国有资本经营预算), the source qualifies the item.
    """
    measures: dict[int, str] = {}
    for group in groups:
        amount_cols = [c for c in group if roles[c] == AMOUNT]
        caption = set.intersection(*(set(paths[c]) for c in amount_cols)) if len(amount_cols) > 1 else set()
        for c in amount_cols:
            path = [p for p in paths[c] if p not in caption]
            if by_item and len(path) > 1 and _FUND_SOURCE.match(compact(path[-1])):
                measures[c] = f"{measure_for(path[:-1], False)}:{compact(path[-1])}"
            else:
                measures[c] = measure_for(path, len(amount_cols) == 1)
        # Two columns of one group never share a measure: the later one is qualified
        # by its own header, so no printed amount is ambiguous.
        seen: set[str] = set()
        for c in amount_cols:
            if measures[c] in seen:
                measures[c] = f"{measures[c]}:{compact(paths[c][-1]) if paths[c] else c}"
            seen.add(measures[c])
    return measures


def parse_statement(statement: StatementTable, unit: str) -> tuple[list[BudgetLine], list[Problem]]:
    """Every printed amount of a statement as a line, with its label, code and measure."""
    if statement.statement in RAW_ONLY_STATEMENTS:
        lines, _problems = _parse_rows(statement, unit)
        return [l for l in lines if l.item_name in _RAW_ONLY_TOTALS and not l.item_code], []
    return _parse_rows(statement, unit)


def _parse_rows(statement: StatementTable, unit: str) -> tuple[list[BudgetLine], list[Problem]]:
    layout = statement.layout
    roles = layout.roles
    groups = column_groups(roles)
    lines: list[BudgetLine] = []
    problems: list[Problem] = []
    body_rows = sum(
        1 for p in statement.pieces for row in p.table.texts[p.first_body_row :] if any(compact(c) for c in row)
    )

    measures = _group_measures(layout.paths, groups, roles, by_item=statement.statement in _ITEMS_BY_FUND)
    classes: dict[int, str] = {}  # per group: the last 类 code printed, for 款 rows printed as two digits
    for piece in statement.pieces:
        table = piece.table
        for r in range(piece.first_body_row, table.n_rows):
            for group in groups:
                amount_cols = [c for c in group if roles[c] == AMOUNT]
                if not amount_cols:
                    continue
                code_parts: list[str] = []
                name_parts: list[str] = []
                for c in group:
                    if roles[c] in (AMOUNT, INDEX) or piece.owner[r][c] is None:
                        continue
                    pr, pc = piece.owner[r][c]
                    text = region_text(table, pr, pc, top=piece.first_body_row)
                    if roles[c] == CODE and _DIGITS.match(text):
                        code_parts.append(text)
                    elif text and (not name_parts or name_parts[-1] != text):
                        name_parts.append(text)
                if not code_parts and name_parts and (coded := _CODED_NAME.match(name_parts[0])):
                    code_parts = [coded.group("bracketed") or coded.group("dashed")]
                    name_parts[0] = coded.group("name")
                item_code = _classification_code(join_code(code_parts), classes, group[0])
                item_name = "/".join(name_parts)
                if not item_name and not item_code and body_rows == 1 and len(groups) == 1:
                    item_name = "合计"  # a one-row table with no label column is the total
                # a running-number column (序号) heads some groups: the side is named above the labels
                section = section_for(layout.paths[next((c for c in group if roles[c] != INDEX), group[0])])
                for c in amount_cols:
                    if piece.owner[r][c] is None:
                        continue
                    pr, pc = piece.owner[r][c]
                    if piece.col_map[pc][0] != c:
                        continue  # a merged cell's text is read once, at its first column
                    start, end = hspan(table, pr, pc)
                    text = strip_label_overflow(table.texts[pr][pc])
                    try:
                        amount = parse_amount(text)
                        amount_yuan = None if amount is None else to_yuan(amount, unit)
                    except AmountError as exc:
                        if start != end:
                            continue  # a label spanning into an amount column
                        kind = "unknown_unit" if isinstance(exc, UnknownUnit) else "non_numeric_amount"
                        problems.append(Problem(kind, statement.statement, table.page, table.index, pr, pc, str(exc)))
                        continue
                    if amount is None:
                        continue
                    if not item_name and not item_code:
                        problems.append(
                            Problem(
                                "unlabelled_amount",
                                statement.statement,
                                table.page,
                                table.index,
                                pr,
                                pc,
                                f"amount {compact(text)} has no item label",
                            )
                        )
                    lines.append(
                        BudgetLine(
                            statement=statement.statement,
                            section=section,
                            item_code=item_code,
                            item_name=item_name,
                            measure=measures[c],
                            amount=amount,
                            printed_amount=compact(text),
                            printed_unit=unit,
                            amount_yuan=amount_yuan,
                            source_page=table.page,
                            source_table=table.index,
                            source_row=pr,
                            source_col=pc,
                            text_source=TEXT_LAYER if table.confidence is None else OCR,
                            ocr_confidence=None if table.confidence is None else table.confidence[pr][pc],
                        )
                    )
    return lines, problems
