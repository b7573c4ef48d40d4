"""What an amount column means, from its header path, as a closed vocabulary."""

from __future__ import annotations

import re

from pipelines.extraction.text import compact

# Leaf-to-root, the first specific header word decides.  Order matters inside the
# list: 公务用车购置费 before 公务用车购置及运行维护费 before 公务用车.
_RULES: list[tuple[str, str]] = [
    (r"单位预留机动经费|预留机动", "reserve"),
    (r"结转下年|年末结转", "carry_forward"),
    (r"年初结转|上年结转|上年结余", "carried_over"),
    (r"使用非财政拨款结余", "non_appropriation_balance_used"),
    (r"结余分配", "balance_distribution"),
    (r"因公出国|出国", "outbound_travel"),
    (r"公务接待", "official_reception"),
    (r"公务用车购置(经?费)?$|^购置费?$", "vehicle_purchase"),  # not 公务用车购置及运行费
    (r"公务用车运行(维护)?费?|^运行(维护)?费$", "vehicle_operation"),  # 费 may wrap away
    (
        r"公务用车|用车购置及运行",
        "official_vehicles",
    ),  # 务用车购置及运行维护: a header whose first character wrapped away
    (r"三公", "three_public_subtotal"),
    (r"会议费", "meetings"),
    (r"培训费", "training"),
    (r"机关运行经费", "operating_costs"),
    (r"基本支出", "basic"),
    (r"项目支出", "project"),
    (r"人员(经费|支出)", "personnel"),  # 基本支出 split into 人员支出 | 日常公用支出
    (r"公用(经费|支出)", "public_use"),
    (r"上缴上级支出", "remitted_to_superior"),
    (r"对附属单位补助", "affiliated_subsidy"),
    (r"经营支出", "operating_expenditure"),
    (r"上级补助收入", "superior_subsidy_income"),
    (r"附属单位上缴收入", "affiliated_remittance_income"),
    (r"事业单位经营收入|经营收入", "operating_income"),
    (r"事业收入", "business_income"),
    (r"其他收入", "other_income"),
    (r"单位资金", "unit_funds"),
    (r"财政专户", "special_account_funds"),
    (r"履职类项目", "duty_project"),
    (r"财政专项资金", "special_fund_project"),
    (r"政府投资项目", "investment_project"),
    (r"小型、微型|小微", "small_micro_procurement"),
    (r"中小企业", "sme_procurement"),
    (r"其他资金", "other_funds"),
    (r"政府性基金", "government_fund"),
    (r"国有资本经营", "state_capital"),
    (r"一般公共预算", "general_budget"),
    (r"财政拨款|政府预算拨款", "fiscal_appropriation"),
    (r"政府采购", "procurement"),
    (r"面向中小企业", "sme_procurement"),
    (r"预算数|决算数|金额|合计|总计|小计|本年|计$", "total"),
]
_COMPILED = [(re.compile(p), m) for p, m in _RULES]
# Columns a 三公 table may add (会议费, 培训费, 机关运行经费): then its 合计 is not 三公.
_OTHER_THAN_THREE_PUBLIC = {"meetings", "training", "operating_costs"}
_GENERIC = re.compile(r"^(小计|合计|总计|金额|预算数|决算数|项目|本年预算数?|本年决算数?)$")

MEASURES = sorted({m for _p, m in _RULES} | {"amount"})


def measure_for(path: list[str], single_amount_column: bool) -> str:
    """Measure for an amount column; a group with one amount column just has ``amount``."""
    parts = [compact(p) for p in path if compact(p)]
    if single_amount_column and all(_GENERIC.match(p) or "收入" in p or "支出" in p for p in parts):
        return "amount"
    specific = [p for p in parts if not _GENERIC.match(p)]
    for part in reversed(specific):
        for pattern, measure in _COMPILED:
            if measure != "total" and pattern.search(part):
                return measure
    return "total" if any(_GENERIC.match(p) or p.endswith("计") for p in parts) else "amount"


def base_measure(measure: str) -> str:
    """The measure without the header that qualifies it (``total:决算数`` → ``total``)."""
    return measure.split(":")[0]


def three_public_subtotal_measure(measures: set[str]) -> str | None:
    """Which measure of a 三公 table (given its measures, unqualified) is the "三公" subtotal:
    its 三公 column, or its 合计 when the table prints nothing but "三公" items."""
    if "three_public_subtotal" in measures:
        return "three_public_subtotal"
    return "total" if not measures & _OTHER_THAN_THREE_PUBLIC else None
