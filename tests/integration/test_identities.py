"""The accounting identities of docs/domain.md hold on every sample and on the seed rendering,
except the breaks the documents print themselves, listed here with their reason."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pipelines.extraction.identities import PASS, run_checks
from tests.conftest import RAW

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
