"""The accounting identities of docs/domain.md hold on every sample, on the seed rendering and
on the nationwide corpus, except the breaks the documents print themselves, listed here with
their reason: any other break is a misread to fix."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pipelines.extraction.identities import PASS, run_checks
from tests.conftest import RAW
from tests.support.references import nationwide_documents

# (check, statement, subject, difference in yuan) the page itself breaks.
WANLI_2025_BREAK = "城乡社区管理事务 (21201) prints 94,995,790 where its 项 and its basic + project add to 94,995,789"
EXPECTED_BREAKS: dict[str, dict[tuple, str]] = {
    "shanghai_putuo_wanli_street_2025_budget.pdf": {
        ("expenditure_split", "expenditure_summary", "21201", Decimal("-1.00")): WANLI_2025_BREAK,
        **{
            ("classification_hierarchy", statement, f"{code} ({measure})", Decimal(diff)): WANLI_2025_BREAK
            for statement, measures in (
                ("income_summary", ("total", "fiscal_appropriation")),
                ("expenditure_summary", ("total",)),
                ("general_budget_expenditure_by_function", ("total",)),
            )
            for measure in measures
            for code, diff in (("212", "1.00"), ("21201", "-1.00"))
        },
    },
    "futian_2022.pdf": {
        (
            "unit_general_budget",
            "general_budget_expenditure_by_function",
            "深圳市福田区数据管理中心",
            Decimal("100.00"),
        ): "表7 prints 5,318.01 for 数据管理中心 where 表2 and 表3 print 5,318.00",
        (
            "summary_vs_performance_targets",
            "performance_targets",
            "本年支出合计 = performance_targets 合计",
            Decimal("-10000.00"),
        ): "表11 prints 金额合计 12,509.00 where 表1 prints 本年支出合计 12,510.00",
    },
}
MIN_CHECKS = 25  # every document has at least this many identities to satisfy


def breaks(parsed) -> tuple[int, set[tuple]]:
    results = run_checks(parsed.lines, parsed.headlines)
    return len(results), {(r.check, r.statement, r.subject, r.difference) for r in results if r.status != PASS}


@pytest.mark.parametrize("name", sorted(p.name for p in RAW.rglob("*.pdf")))
def test_identities_hold_on_the_samples(corpus, name):
    count, found = breaks(corpus[name][1])
    assert count >= MIN_CHECKS
    assert found == set(EXPECTED_BREAKS.get(name, {}))


def test_identities_hold_on_the_seed_rendering(futian):
    count, found = breaks(futian[1])
    assert count >= MIN_CHECKS
    assert found == set(EXPECTED_BREAKS["futian_2022.pdf"])


def test_a_planted_wrong_amount_breaks_an_identity(corpus):
    """The checks can fail: change one 项 and its 款 no longer adds up."""
    from dataclasses import replace

    parsed = corpus["jiangsu_npc_office_2019_budget_tables.pdf"][1]
    lines = [
        replace(l, amount_yuan=l.amount_yuan + Decimal("10000.00")) if l.item_code == "2010101" else l
        for l in parsed.lines
    ]
    failing = {(r.check, r.subject.split(" ")[0]) for r in run_checks(lines, parsed.headlines) if r.status != PASS}
    assert ("classification_hierarchy", "20101") in failing


# The nationwide corpus (tests/data/nationwide): the breaks its documents print, read off the page.
SAFETY_2019_THREE_PUBLIC = (
    "表13 p32 prints the 2018 columns shifted: 合计 holds the 三公 sum (24.08 = 2.86 + 21.22) and 小计 holds "
    "公务接待 (2.86); the 增减变化 columns are computed from those (25.52 = 28.38 - 2.86)"
)
NATIONWIDE_BREAKS: dict[str, dict[tuple, str]] = {
    "fuzhou_swatpolice_2026_budget_unit.pdf": {
        (
            check,
            statement,
            f"20402 ({measure})",
            Decimal("-3192400.00"),
        ): f"p{page} prints 公安 (20402) 项目支出 1,370.70 万元 over one 项 of 1,051.46 (其他公安支出)"
        for check, statement, page in (
            ("classification_hierarchy", "expenditure_summary", 10),
            ("classification_hierarchy", "general_budget_expenditure_by_function", 12),
        )
        for measure in ("total", "project")
    },
    "suzhou_planning_2026_budget_unit.pdf": {
        (
            "classification_total",
            "general_budget_expenditure_by_function",
            f"Σ top-level codes ({measure})",
            Decimal("3882500.00"),
        ): "公开07表 p20 prints 合计 9,078.52 万元 (项目 4,256.30) without 粮油物资储备支出 (222) 388.25"
        for measure in ("total", "project")
    },
    "xian_medinsure_2022_budget.pdf": {
        (
            f"summary_vs_{statement}",
            statement,
            f"{name} = {statement} 合计",
            Decimal("-0.02"),
        ): f"表1 p29 prints {name} 480,544,221.62 元 where 表2/表3 (p30, p31) print 合计 480,544,221.6"
        for statement, name in (("income_summary", "本年收入合计"), ("expenditure_summary", "本年支出合计"))
    },
    "xian_safety_2019_budget.pdf": {
        ("three_public_parts", "three_public", subject, Decimal(diff)): SAFETY_2019_THREE_PUBLIC
        for subject, diffs in (
            ("合计", ("212200.00", "-212200.00")),
            ("西安市安全生产监督管理局", ("212200.00", "-212200.00", "60000.00", "-60000.00")),
            ("西安市安全生产宣传教育中心", ("-92200.00",)),
            ("西安市安全生产执法监察支队", ("-40000.00",)),
        )
        for diff in diffs
    },
}


@pytest.mark.parametrize("name", sorted(d.name for d in nationwide_documents()))
def test_identities_hold_on_the_nationwide_corpus(nationwide, name):
    parsed = nationwide[name]
    assert not isinstance(parsed, str), parsed
    _count, found = breaks(parsed)
    assert found == set(NATIONWIDE_BREAKS.get(name, {}))
