"""From printed table titles to canonical statements.

Titles vary by region, year and phase (预算 / 决算): 收支预算总表, 部门财务收支预算总表,
收支总表, 收入支出决算总表 are one statement.  Patterns run on the compact title,
most specific first, so 财政拨款收支预算总表 is not read as the plain summary.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipelines.extraction.text import compact


@dataclass(frozen=True)
class Statement:
    name: str
    description: str


STATEMENTS: dict[str, Statement] = {
    s.name: s
    for s in [
        Statement("income_expenditure_summary", "收支总表: income and expenditure side by side"),
        Statement("income_summary", "收入总表: income by source"),
        Statement("expenditure_summary", "支出总表: expenditure split into basic and project"),
        Statement("fiscal_appropriation_summary", "财政拨款收支总表"),
        Statement("fiscal_appropriation_expenditure_by_function", "财政拨款支出表 by function code"),
        Statement("general_budget_expenditure_by_function", "一般公共预算支出表 by function code"),
        Statement("general_budget_expenditure_by_economic_class", "一般公共预算支出表 by economic code"),
        Statement("general_budget_basic_expenditure_by_function", "一般公共预算基本支出表 by function code"),
        Statement(
            "fiscal_appropriation_basic_expenditure_by_economic_class",
            "财政拨款基本支出表 by economic code",
        ),
        Statement(
            "general_budget_basic_expenditure_by_economic_class",
            "一般公共预算基本支出表 by economic code",
        ),
        Statement("basic_expenditure_by_economic_class", "基本支出总表 by unit and economic class"),
        Statement("project_expenditure", "项目支出表 (专项业务经费)"),
        Statement("carried_over_expenditure", "财政拨款上年结转资金支出表"),
        Statement("three_public", '"三公"经费 (with 会议费, 培训费 or 机关运行经费 where printed)'),
        Statement("government_fund_expenditure", "政府性基金预算支出表"),
        Statement("state_capital_expenditure", "国有资本经营预算支出表"),
        Statement("operating_costs", "机关运行经费支出表"),
        Statement("procurement", "政府采购预算表"),
        Statement("performance_targets", "绩效目标表"),
        Statement("unknown", "a ruled table of no known kind, kept as raw cells"),
    ]
}

# How a statement title ends: 表, 总表, 预算总表, 总体情况表, 明细表, 情况表 …
_END = r"(预算|决算)?(总体情况|情况|明细|总)?表"

# (pattern on the compact title, statement) — order matters: first match wins.
_TITLE_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(p), name)
    for p, name in [
        (r"三公", "three_public"),
        (r"绩效", "performance_targets"),
        (r"政府采购", "procurement"),
        (r"结转(资金)?支出" + _END, "carried_over_expenditure"),
        (r"机关运行经费", "operating_costs"),
        # before the summaries: 政府性基金收支表 and 政府性基金预算财政拨款收入支出决算表
        # are the fund's own statement
        (r"政府性基金", "government_fund_expenditure"),
        (r"国有资本经营", "state_capital_expenditure"),
        (r"(财政拨款|政府预算拨款)收(入)?支(出)?" + _END, "fiscal_appropriation_summary"),
        (r"收(入)?支(出)?(预算|决算)?(总体情况|总)表", "income_expenditure_summary"),
        # 项目支出情况表, 项目支出及其他支出预算表; some templates call project spending 专项业务经费
        (r"项目支出.*表|专项业务经费(支出)?" + _END, "project_expenditure"),
        (r"一般公共预算(财政拨款)?基本支出.*功能", "general_budget_basic_expenditure_by_function"),
        (r"一般公共预算(财政拨款)?基本支出", "general_budget_basic_expenditure_by_economic_class"),
        (r"财政拨款基本支出", "fiscal_appropriation_basic_expenditure_by_economic_class"),
        (r"基本支出" + _END, "basic_expenditure_by_economic_class"),
        (r"一般公共预算(财政拨款|拨款)?支出.*经济", "general_budget_expenditure_by_economic_class"),
        (r"一般公共预算(财政拨款|拨款)?支出", "general_budget_expenditure_by_function"),
        (r"财政拨款支出", "fiscal_appropriation_expenditure_by_function"),
        (r"收入" + _END, "income_summary"),
        (r"支出" + _END, "expenditure_summary"),
    ]
]

# Qualifiers that say what a table leaves out, not what it is: (不含上年结转).
_QUALIFIER = re.compile(r"[-—]?不含上年结转(资金)?")

# A title is short; a narrative sentence that mentions a table is not a title.
_MAX_TITLE_LENGTH = 60
_SENTENCE = re.compile(r"[,，。;；]")
_NOT_TITLE = re.compile(r"单位[:：]|部门[:：]|部门名称[:：]|编制(部门|单位)[:：]")
_TITLE_LINES = 4  # how many lines above a table can hold its title (wrapped titles)
# A line that ends a title.  公开09表:…培训费 does not: its title goes on (支出预算表)
# on the next line.
_COMPLETE_TITLE = re.compile(r"表(\(.*\))?$")
_TABLE_NUMBER = re.compile(r"^(附|公开|预算)?(表\d+|\d+表)")  # 表3, 公开01表, 预算02表, 附表14


def classify_title(title: str) -> str | None:
    """Canonical statement for a printed title, or None when it names no known statement."""
    text = _QUALIFIER.sub("", compact(title))
    if not text or len(text) > _MAX_TITLE_LENGTH or _SENTENCE.search(text):
        return None
    for pattern, name in _TITLE_PATTERNS:
        if pattern.search(text):
            return name
    return None


def find_title(lines: list[str]) -> tuple[str, str] | None:
    """(printed title, statement) from the lines printed above a table, nearest first.

    Wrapped titles (``…培训费支出预算`` / ``表``) are tried joined with the line above.
    """
    candidates = [line for line in lines if line.strip() and not _NOT_TITLE.search(compact(line))]
    candidates = candidates[-_TITLE_LINES:]
    for i in range(len(candidates) - 1, -1, -1):
        options = [candidates[i]]
        if i and not _COMPLETE_TITLE.search(compact(candidates[i - 1])):
            # the line above stops mid-title (…培训费 / 支出预算表): read them as one
            options.insert(0, candidates[i - 1] + candidates[i])
        for text in options:
            statement = classify_title(text)
            if statement:
                return compact(text), statement
    return None


def is_caption(line: str) -> bool:
    """A line that belongs above a table's header: a title (known or not), a bare table
    number, or a unit or department line.  Some templates print these inside the
    table's ruled frame, as its first rows."""
    text = compact(line)
    if _NOT_TITLE.search(text):
        return True
    if len(text) > _MAX_TITLE_LENGTH or _SENTENCE.search(text):
        return False
    return bool(_COMPLETE_TITLE.search(text) or _TABLE_NUMBER.match(text))
