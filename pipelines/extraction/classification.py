"""Classification codes for rows printed by name only, and budget units.

Jiangsu summaries print ``一、一般公共服务支出`` without a code; Shenzhen's 收支总表
prints the 类 / 款 / 项 names as an indented list, and its 基本支出总表 lists the
economic classes by name.  Codes come from two sources: the national lists (the
``function_class`` and ``economic_class`` seeds, with the years each name was in
use, e.g. 医疗卫生与计划生育支出 → 卫生健康支出) and the code/name pairs the same
document prints in its coded tables.  Levels are resolved top-down: a 款 name
is looked up under the current 类, a 项 name under the current 款, because names
such as 行政运行 recur under every 款.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, replace
from functools import cache

from pipelines import settings
from pipelines.extraction.lines import BudgetLine
from pipelines.extraction.text import compact, strip_ordinal

SEEDS = settings.DBT_PROJECT_DIR / "seeds"
_MIN_PREFIX = 4  # a name cut by a page break still names one class if this long
_TOTALS = re.compile(r"(合计|总计|小计)$")
# How the names of projects and spending items end (before a bracketed note), and the year
# a project's name may carry; an organisation's name does neither.
_ITEM_NAME = re.compile(
    r"(费|费用|定额|项目|专项|资金|经费|补贴|补助|支出|工程|系统|平台|建设|运维|服务)([(（].*[)）])?$|\d{4}年"
)
_REGION = re.compile(r"^(.{2,}?(?:省|自治区|市|区|县|州|盟|旗))")


@dataclass(frozen=True)
class ClassEntry:
    code: str
    name: str
    first_year: int | None
    last_year: int | None

    def in_year(self, year: int) -> bool:
        return (self.first_year is None or self.first_year <= year) and (
            self.last_year is None or year <= self.last_year
        )


@dataclass(frozen=True)
class Classification:
    """One national classification: which seed lists it, which codes belong to it,
    and which name-only rows are read against it."""

    seed: str
    first_digit: str  # function codes are 2xx, economic codes 3xx
    statements: frozenset[str]
    sections: frozenset[str]
    # tables whose every row is a class of this classification, whatever its section
    # (tables that print 功能分类科目名称 without codes)
    whole_statements: frozenset[str] = frozenset()

    def reads(self, line: BudgetLine) -> bool:
        return line.statement in self.whole_statements or (
            line.statement in self.statements and line.section in self.sections
        )


FUNCTION = Classification(
    "function_class.csv",
    "2",
    frozenset({"income_expenditure_summary", "fiscal_appropriation_summary"}),
    frozenset({"expenditure", "expenditure_by_function"}),
    frozenset(
        {
            "expenditure_summary",
            "general_budget_expenditure_by_function",
            "fiscal_appropriation_expenditure_by_function",
            "general_budget_basic_expenditure_by_function",
            "government_fund_expenditure",
            "state_capital_expenditure",
        }
    ),
)
ECONOMIC = Classification(
    "economic_class.csv",
    "3",
    frozenset(
        {
            "basic_expenditure_by_economic_class",
            "general_budget_basic_expenditure_by_economic_class",
            "fiscal_appropriation_basic_expenditure_by_economic_class",
            "general_budget_expenditure_by_economic_class",
            "operating_costs",
        }
    ),
    frozenset({"main", "expenditure"}),
)


@cache
def national_entries(seed: str) -> tuple[ClassEntry, ...]:
    """Every printed name variant of a national classification, with its years."""
    with open(SEEDS / seed, encoding="utf-8") as handle:
        return tuple(
            ClassEntry(
                code=row["code"],
                name=compact(row["name"]),
                first_year=int(row["first_year"]) if row.get("first_year") else None,
                last_year=int(row["last_year"]) if row.get("last_year") else None,
            )
            for row in csv.DictReader(handle)
        )


class ClassCodes:
    """Name → code lookups for one classification in one document, keyed by (year, name)."""

    def __init__(self, classification: Classification, year: int, document_lines: list[BudgetLine]):
        self.classification = classification
        # (parent code, name) → code: the document's own coded rows come first.
        self.children: dict[tuple[str, str], str] = {}
        for line in document_lines:
            code = line.item_code
            if code and code[0] == classification.first_digit and len(code) in (3, 5, 7):
                self.children.setdefault((_parent(code), self.key(line.item_name)), code)
        entries = sorted(national_entries(classification.seed), key=lambda e: not e.in_year(year))
        for entry in entries:  # names valid in the document's year first
            self.children.setdefault((_parent(entry.code), entry.name), entry.code)
        self.names: dict[str, str] = {}
        for (_parent_code, name), code in self.children.items():
            self.names.setdefault(code, name)

    @staticmethod
    def key(item_name: str) -> str:
        return strip_ordinal(item_name.split("/")[-1])

    def full_name(self, code: str, printed: str) -> str:
        """The whole name a cut label stands for; the printed name otherwise."""
        for (_parent_code, name), c in self.children.items():
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


def _parent(code: str) -> str:
    return code[:-2] if len(code) > 3 else ""


def assign_codes(lines: list[BudgetLine], codes: ClassCodes) -> list[BudgetLine]:
    """Give the name-only classification rows of a document their codes, top-down:
    a 款 name is looked up under the current 类, a 项 name under the current 款."""
    classification = codes.classification
    result: list[BudgetLine] = []
    current: dict[tuple, list[str]] = {}  # per (statement, section, unit): [类, 款] in force
    row_codes: dict[tuple, str | None] = {}
    for line in lines:
        name = codes.key(line.item_name)
        if (
            line.item_code
            or not classification.reads(line)
            or (line.budget_unit and name == codes.key(line.budget_unit))  # a unit's own row
        ):
            result.append(line)
            continue
        row = (line.statement, line.source_table, line.source_row, line.section)
        if row not in row_codes:
            scope = current.setdefault((line.statement, line.section, line.budget_unit), ["", ""])
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
            full = codes.full_name(code, name)
            # The printed label stays, unless a page break cut it short.
            line = replace(line, item_code=code, item_name=full if full != name else line.item_name)
        result.append(line)
    return result


def assign_classification_codes(lines: list[BudgetLine], year: int) -> list[BudgetLine]:
    for classification in (FUNCTION, ECONOMIC):
        lines = assign_codes(lines, ClassCodes(classification, year, lines))
    return lines


def region_prefix(department: str) -> str | None:
    match = _REGION.match(department)
    return match.group(1) if match else None


def assign_budget_units(lines: list[BudgetLine], department: str) -> list[BudgetLine]:
    """Lines of one by-unit statement (Shenzhen 表2–表5, 表7) tagged with their budget unit.

    A by-unit table starts with the department's own row (or its 本级 unit), or with
    a 合计 row over its units; rows naming an organisation of the same region open a
    unit, and the rows under them belong to it.  A name ending as an item does
    (某市气象局职工津补贴专项, …人工增雨作业项目维持业务费) or carrying a year
    (…中心2026年信息化运维项目) is a project of the unit above it, not a unit.  The
    department's own row stays department-level (None) where it is the table's total,
    that is, where no 合计 row stands above it.
    """
    if not lines:
        return lines
    department = compact(department)
    prefix = region_prefix(department) or department
    # the region's own name, without 市 / 区 …: 某某教育电视台 is a unit of 某某市教育局
    stem = prefix[:-1] if region_prefix(department) and len(prefix) >= 3 else prefix
    first = strip_ordinal(lines[0].item_name.split("/")[0])
    total_first = bool(_TOTALS.fullmatch(first)) and not lines[0].item_code
    if not first.startswith(department) and not total_first:
        return lines
    result: list[BudgetLine] = []
    unit: str | None = None
    for line in lines:
        name = compact(line.item_name.split("/")[0])
        if not line.item_code and name.startswith(stem) and not _ITEM_NAME.search(name):
            unit = None if name == department and not total_first else name
        result.append(replace(line, budget_unit=unit))
    return result
