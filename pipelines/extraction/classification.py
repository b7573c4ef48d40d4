"""Function classification codes for rows printed by name only, and budget units.

Jiangsu summaries print ``一、一般公共服务支出`` without a code; Shenzhen's 收支总表
prints the 类 / 款 / 项 names as an indented list.  Codes come from two sources:
the national list of 类 (the ``function_class`` seed, with the names used before
renamings such as 医疗卫生与计划生育支出 → 卫生健康支出) and the code/name pairs the
same document prints in its coded tables.  Levels are resolved top-down: a 款 name
is looked up under the current 类, a 项 name under the current 款, because names
such as 行政运行 recur under every 款.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, replace
from functools import lru_cache

from pipelines import settings
from pipelines.extraction.lines import BudgetLine
from pipelines.extraction.text import compact, strip_ordinal

SEED = settings.DBT_PROJECT_DIR / "seeds" / "function_class.csv"
_MIN_PREFIX = 4  # a name cut by a page break still names one class if this long
_NAME_ONLY_SECTIONS = {"expenditure", "expenditure_by_function"}
_NAME_ONLY_STATEMENTS = {"income_expenditure_summary", "fiscal_appropriation_summary"}
_TOTALS = re.compile(r"(合计|总计|小计)$")
_REGION = re.compile(r"^(.{2,}?(?:省|自治区|市|区|县|州|盟|旗))")


@dataclass(frozen=True)
class FunctionClass:
    code: str
    name: str
    first_year: int | None
    last_year: int | None


@lru_cache(maxsize=1)
def national_classes() -> tuple[FunctionClass, ...]:
    """The 类 of the national function classification, every printed name variant."""
    with open(SEED, encoding="utf-8") as handle:
        return tuple(
            FunctionClass(
                code=row["code"],
                name=compact(row["name"]),
                first_year=int(row["first_year"]) if row.get("first_year") else None,
                last_year=int(row["last_year"]) if row.get("last_year") else None,
            )
            for row in csv.DictReader(handle)
        )


def _in_year(entry: FunctionClass, year: int) -> bool:
    return (entry.first_year is None or entry.first_year <= year) and (entry.last_year is None or year <= entry.last_year)


class FunctionCodes:
    """Name → code lookups for one document."""

    def __init__(self, year: int, document_lines: list[BudgetLine]):
        # (parent code, name) → code, from the document's own coded rows.
        self.children: dict[tuple[str, str], str] = {}
        for line in document_lines:
            code = line.item_code
            if code and code[0] == "2" and len(code) in (3, 5, 7):  # function codes are 2xx
                parent = code[:-2] if len(code) > 3 else ""
                self.children.setdefault((parent, self.key(line.item_name)), code)
        classes = sorted(national_classes(), key=lambda c: not _in_year(c, year))  # this year's names first
        for entry in classes:
            self.children.setdefault(("", entry.name), entry.code)
        self.names: dict[str, str] = {}
        for (_parent, name), code in self.children.items():
            self.names.setdefault(code, name)

    @staticmethod
    def key(item_name: str) -> str:
        return strip_ordinal(item_name.split("/")[-1])

    def full_name(self, code: str, printed: str) -> str:
        """The whole name a cut label stands for; the printed name otherwise."""
        for (parent, name), c in self.children.items():
            if c == code and name.startswith(printed):
                return name
        return printed

    def find(self, parent: str, name: str) -> str | None:
        code = self.children.get((parent, name))
        if code or len(name) < _MIN_PREFIX:
            return code
        # A label cut by a page break (八、社会保障和就 | 业支出): a unique prefix still names it.
        matches = {c for (p, n), c in self.children.items() if p == parent and n.startswith(name)}
        return matches.pop() if len(matches) == 1 else None


def assign_function_codes(lines: list[BudgetLine], codes: FunctionCodes) -> list[BudgetLine]:
    """Give name-only function rows of the summaries their 类/款/项 codes."""
    result: list[BudgetLine] = []
    current: dict[tuple, list[str]] = {}  # per (statement, section): [类, 款] in force
    row_codes: dict[tuple, str | None] = {}
    for line in lines:
        if (
            line.item_code
            or line.statement not in _NAME_ONLY_STATEMENTS
            or line.section not in _NAME_ONLY_SECTIONS
        ):
            result.append(line)
            continue
        name = codes.key(line.item_name)
        row = (line.statement, line.source_table, line.source_row, line.section)
        if row not in row_codes:
            scope = current.setdefault((line.statement, line.section), ["", ""])
            code = None if _TOTALS.search(name) else codes.find("", name)
            if code:
                scope[:] = [code, ""]
            elif scope[1] and codes.names.get(scope[1]) == name and (code := codes.find(scope[1], name)):
                pass  # 其他X支出 as the 项 right under the 款 of the same name
            elif scope[0] and (code := codes.find(scope[0], name)):
                scope[1] = code
            elif scope[1] and (code := codes.find(scope[1], name)):
                pass
            row_codes[row] = code
        code = row_codes[row]
        if code:
            printed = codes.key(line.item_name)
            full = codes.full_name(code, printed)
            # The printed label stays, unless a page break cut it short.
            line = replace(line, item_code=code, item_name=full if full != printed else line.item_name)
        result.append(line)
    return result


def region_prefix(department: str) -> str | None:
    match = _REGION.match(department)
    return match.group(1) if match else None


def assign_budget_units(lines: list[BudgetLine], department: str) -> list[BudgetLine]:
    """Lines of one by-unit statement (Shenzhen 表2–表5, 表7) tagged with their budget unit.

    A by-unit table starts with the department's own row (or its 本级 unit); rows
    naming an organisation of the same region open a unit, and the rows under
    them belong to it.  The department's own row stays department-level (None).
    """
    if not lines:
        return lines
    department = compact(department)
    prefix = region_prefix(department) or department
    if not compact(lines[0].item_name.split("/")[0]).startswith(department):
        return lines
    result: list[BudgetLine] = []
    unit: str | None = None
    for line in lines:
        name = compact(line.item_name.split("/")[0])
        if not line.item_code and name.startswith(prefix):
            unit = None if name == department else name
        result.append(replace(line, budget_unit=unit))
    return result
