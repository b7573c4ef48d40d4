"""The cell grid of a ruled table: merged regions, header rows, column roles.

camelot reports, for every cell, which of its four edges are ruled.  A missing
edge between two cells means they are one merged cell; that is how multi-row
headers (``"三公"经费`` over ``因公出国（境）费 | 公务接待费 | …``) and labels spanning
columns (``当年支出小计`` over a function column) are read, for any template.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipelines.extraction.numbers import is_amount, strip_label_overflow
from pipelines.extraction.pdf import RawTable
from pipelines.extraction.text import compact

_CODE = re.compile(r"^\d{2,7}$")
_TOTAL_LABELS = {"合计", "总计", "小计"}
_YEAR_PREFIX = re.compile(r"^\d{4}年(度)?")
_CODE_HEADER = re.compile(r"编码|代码|^[类款项]$")
_NAME_HEADER = re.compile(r"名称|^项目$|项目名称|单位$|^预算单位|类别")
# Header words of a money column, for columns whose cells do not say it
_MONEY_HEADER = re.compile(r"[数额计]|支出|收入|经费|费用?|拨款|资金|结转|结余|预算|决算|补助|基金|收费")
# Labels of a row that numbers the columns (** | 1 | 2 | 3)
_NUMBERING_LABEL = re.compile(r"^(\*+|栏次|行次|序号)$")

CODE, NAME, AMOUNT, INDEX = "code", "name", "amount", "index"
# Columns that are neither label nor money: running numbers, a unit's own identifier
# (单位编码 is no classification code), and counts (数量, 人数).
_INDEX_HEADER = re.compile(r"^(序号?|行次|栏次)$|(单位|部门)(编码|代码)$|^(数量|人数|个数)$")


@dataclass
class Piece:
    """One table of a statement, re-indexed on the statement's master columns."""

    table: RawTable
    col_map: list[list[int]]  # piece column -> master columns it covers
    texts: list[list[str]]  # master-aligned text
    owner: list[list[tuple[int, int] | None]]  # master-aligned (piece row, piece col)
    first_body_row: int = 0


@dataclass
class Layout:
    """What the master table's header says about each column."""

    header_rows: int
    paths: list[list[str]]  # per master column: header texts top-down
    roles: list[str] = field(default_factory=list)


def has_edge(table: RawTable, row: int, col: int, edge: str) -> bool:
    return edge in table.borders[row][col]


def hspan(table: RawTable, row: int, col: int) -> tuple[int, int]:
    """First and last column of the horizontally merged cell containing (row, col)."""
    start = col
    while start > 0 and not has_edge(table, row, start, "L") and not has_edge(table, row, start - 1, "R"):
        start -= 1
    end = col
    last = table.n_cols - 1
    while end < last and not has_edge(table, row, end, "R") and not has_edge(table, row, end + 1, "L"):
        end += 1
    return start, end


def region_text(table: RawTable, row: int, col: int, top: int = 0) -> str:
    """Text of the merged cell containing (row, col), searching rows from ``top`` down.

    The text of a merged cell lands in whichever underlying cell holds its centre,
    so the whole region is read, not just its corner.
    """
    rows = [row]
    r = row
    while r > top and not has_edge(table, r, col, "T") and not has_edge(table, r - 1, col, "B"):
        r -= 1
        rows.append(r)
    r = row
    while r < table.n_rows - 1 and not has_edge(table, r, col, "B") and not has_edge(table, r + 1, col, "T"):
        r += 1
        rows.append(r)
    parts = []
    for rr in sorted(rows):
        start, end = hspan(table, rr, col)
        for c in range(start, end + 1):
            if table.texts[rr][c].strip():
                parts.append(table.texts[rr][c])
    return compact("".join(parts))


def is_column_numbering(cells: list[str]) -> bool:
    """A row that numbers the columns (``** | 1 | 2 | 3``, ``栏次 | 1 | 2``): part of the header."""
    texts = [compact(c) for c in cells if compact(c)]
    numbers = [int(t) for t in texts if t.isdigit()]
    return (
        len(numbers) >= 2
        and numbers == list(range(1, len(numbers) + 1))
        and all(_NUMBERING_LABEL.match(t) for t in texts if not t.isdigit())
    )


def is_body_row(cells: list[str]) -> bool:
    """A row of data: it holds an amount or a code, or is a bare total line."""
    if is_column_numbering(cells):
        return False
    texts = [compact(c) for c in cells]
    if any(is_amount(t) and not _CODE.match(t) for t in texts if t):
        return True
    filled = [t for t in texts if t]
    if filled and _CODE.match(filled[0]):
        return True
    return len(filled) == 1 and filled[0] in _TOTAL_LABELS


def count_header_rows(table: RawTable) -> int:
    for i, row in enumerate(table.texts):
        if is_body_row(row):
            return i
    return len(table.texts)


def header_paths(table: RawTable, header_rows: int, first_row: int = 0) -> list[list[str]]:
    """Per column, the header texts top-down; rows above ``first_row`` (a title printed
    inside the frame) are not part of the header."""
    paths = []
    for col in range(table.n_cols):
        path: list[str] = []
        for row in range(first_row, header_rows):
            if is_column_numbering(table.texts[row]):
                continue
            text = _YEAR_PREFIX.sub("", region_text(table, row, col, top=first_row))
            if text and (not path or path[-1] != text):
                path.append(text)
        paths.append(path)
    return paths


def column_roles(paths: list[list[str]], body: list[list[str]]) -> list[str]:
    """code / name / amount for each master column, from its header and its cells."""
    roles = []
    for col, path in enumerate(paths):
        cells = [compact(row[col]) for row in body if col < len(row) and compact(row[col])]
        if any(_INDEX_HEADER.match(p) for p in path):
            roles.append(INDEX)
            continue
        if any(_CODE_HEADER.search(p) for p in path):
            digits = [c for c in cells if _CODE.match(c)]
            roles.append(CODE if digits or not cells else NAME)
            continue
        amounts = sum(1 for c in cells if is_amount(strip_label_overflow(c)))
        # where the cells do not decide (none printed, or half of them numbers), the
        # header says whether it is a money column (规格型号, 说明 and 实施采购时间 are not)
        money = not path or (
            any(_MONEY_HEADER.search(p) for p in path) and not any(_NAME_HEADER.search(p) for p in path)
        )
        if cells and amounts * 2 != len(cells):
            roles.append(AMOUNT if amounts * 2 > len(cells) else NAME)
        else:
            roles.append(AMOUNT if money else NAME)
    return roles


def column_groups(roles: list[str]) -> list[list[int]]:
    """Side-by-side layouts: a label column after an amount column starts a new group,
    when a name column comes before the group's next amount.  Code columns alone after
    the amounts (a procurement table's economic codes) still belong to the row's label."""
    groups: list[list[int]] = []
    for col, role in enumerate(roles):
        if not groups or (
            role != AMOUNT and any(roles[c] == AMOUNT for c in groups[-1]) and _names_a_group(roles[col:])
        ):
            groups.append([col])
        else:
            groups[-1].append(col)
    return groups


def _names_a_group(roles: list[str]) -> bool:
    for role in roles:
        if role == AMOUNT:
            return False
        if role == NAME:
            return True
    return False


_MAX_PAGE_SHIFT = 40.0  # points: a margin, not another table beside it


def page_shift(table: RawTable, master_cols: list[tuple[float, float]], tolerance: float = 4.0) -> float:
    """How far a continuation page prints the master's very columns to the side (a page
    with another margin: the same column count and widths); 0 when it does not."""
    if len(table.cols) != len(master_cols):
        return 0.0
    shift = table.cols[0][0] - master_cols[0][0]
    if abs(shift) > _MAX_PAGE_SHIFT:
        return 0.0
    same = all(
        abs(a - shift - ma) <= tolerance and abs(b - shift - mb) <= tolerance
        for (a, b), (ma, mb) in zip(table.cols, master_cols)
    )
    return shift if same else 0.0


def align(table: RawTable, master_cols: list[tuple[float, float]]) -> list[list[int]]:
    """Map each column of ``table`` to the master columns it covers (by x position)."""
    shift = 0.0 if _edges_match(table, master_cols) else page_shift(table, master_cols)
    mapping = []
    for a, b in ((a - shift, b - shift) for a, b in table.cols):
        covered = [i for i, (ma, mb) in enumerate(master_cols) if a - 2 <= (ma + mb) / 2 <= b + 2]
        if not covered:
            covered = [min(range(len(master_cols)), key=lambda i: abs(master_cols[i][0] - a))]
        mapping.append(covered)
    return mapping


def columns_compatible(table: RawTable, master_cols: list[tuple[float, float]]) -> bool:
    """A continuation piece: every column edge of it is an edge of the master table, or
    it prints the master's columns shifted to the side."""
    return _edges_match(table, master_cols) or page_shift(table, master_cols) != 0.0


def _edges_match(table: RawTable, master_cols: list[tuple[float, float]], tolerance: float = 4.0) -> bool:
    edges = {round(x) for col in master_cols for x in col}
    for a, b in table.cols:
        if not any(abs(a - e) <= tolerance for e in edges) or not any(abs(b - e) <= tolerance for e in edges):
            return False
    return True


def same_outline(table: RawTable, master: RawTable, tolerance: float = 4.0) -> bool:
    """The same outer left and right edges: a form continued on the next page, whose
    inner columns change from page to page (Shenzhen 表11)."""
    return abs(table.bbox[0] - master.bbox[0]) <= tolerance and abs(table.bbox[2] - master.bbox[2]) <= tolerance


def make_piece(table: RawTable, master_cols: list[tuple[float, float]]) -> Piece:
    col_map = align(table, master_cols)
    width = len(master_cols)
    texts = [["" for _ in range(width)] for _ in range(table.n_rows)]
    owner: list[list[tuple[int, int] | None]] = [[None] * width for _ in range(table.n_rows)]
    for r in range(table.n_rows):
        for c, covered in enumerate(col_map):
            texts[r][covered[0]] = texts[r][covered[0]] + table.texts[r][c]
            for m in covered:
                owner[r][m] = owner[r][m] or (r, c)
    return Piece(table=table, col_map=col_map, texts=texts, owner=owner)
