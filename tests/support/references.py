"""What every corpus document should yield, from sources other than this code.

- raw/ samples: metadata and Shanghai figures read off the printed pages by a
  person (page numbers in the comments); Jiangsu figures from the independent
  reference CSVs in tests/data/reference (万元).
- tests/data/nationwide: metadata from its MANIFEST.tsv and the 138 reference
  figures of reference.csv, each verified two ways (reference_checks.tsv); and
  hand_checked.csv: the other headlines (三公, fiscal appropriation, function
  classes of the general-public-budget table) read off the printed pages, each
  with its page, the text as printed and the table's unit.

The tests and the accuracy scorecard (benchmarks/accuracy.py) both read this.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from pipelines.extraction.text import compact

TESTS = Path(__file__).resolve().parents[1]
PROJECT_ROOT = TESTS.parent
RAW = PROJECT_ROOT / "raw"
DATA = TESTS / "data"
NATIONWIDE = DATA / "nationwide"
WAN = Decimal(10000)
CENT = Decimal("0.01")


def wan(value: str) -> Decimal:
    return (Decimal(value) * WAN).quantize(CENT)


def yuan(value: str) -> Decimal:
    return Decimal(value.replace(",", "")).quantize(CENT)


@dataclass(frozen=True)
class ExpectedDocument:
    path: Path
    department: str
    fiscal_year: int
    kind: str
    scope: str
    figures: dict[str, Decimal] = field(default_factory=dict)  # metric → yuan

    @property
    def name(self) -> str:
        return self.path.name

    def department_matches(self, printed: str) -> bool:
        """Names compare after the normalisation every parser applies (NFKC, no spaces)."""
        return compact(printed) == compact(self.department)


# raw/ samples: file → (department as printed, fiscal year, kind, scope, printed unit)
SAMPLE_METADATA = {
    "jiangsu_npc_office_2017_budget.pdf": ("江苏省人大常委会办公厅", 2017, "budget", "department", "万元"),
    "jiangsu_npc_office_2018_budget.pdf": ("江苏省人大常委会办公厅", 2018, "budget", "department", "万元"),
    "jiangsu_npc_office_2019_budget_tables.pdf": ("江苏省人大常委会办公厅", 2019, "budget", "department", "万元"),
    "jiangsu_party_office_2017_budget_tables.pdf": (
        "中国共产党江苏省委员会办公厅",
        2017,
        "budget",
        "department",
        "万元",
    ),
    "jiangsu_party_office_2018_budget_tables.pdf": ("中共江苏省委办公厅", 2018, "budget", "department", "万元"),
    "jiangsu_party_office_2019_budget_tables.pdf": ("中共江苏省委办公厅", 2019, "budget", "department", "万元"),
    "jiangsu_procuratorate_2017_budget.pdf": ("江苏省人民检察院", 2017, "budget", "department", "万元"),
    "jiangsu_procuratorate_2018_budget.pdf": ("江苏省人民检察院", 2018, "budget", "department", "万元"),
    "jiangsu_procuratorate_2019_budget.pdf": ("江苏省人民检察院", 2019, "budget", "department", "万元"),
    "shanghai_putuo_gov_office_2025_budget.pdf": ("上海市普陀区人民政府办公室", 2025, "budget", "department", "元"),
    "shanghai_putuo_gov_office_2025_unit_budget.pdf": ("上海市普陀区人民政府办公室", 2025, "budget", "unit", "元"),
    "shanghai_putuo_planning_resources_2024_final_accounts.pdf": (
        "上海市普陀区规划和自然资源局",
        2024,
        "final_accounts",
        "department",
        "万元",
    ),
    "shanghai_putuo_wanli_street_2023_budget.pdf": (
        "上海市普陀区人民政府万里街道办事处",
        2023,
        "budget",
        "department",
        "元",
    ),
    "shanghai_putuo_wanli_street_2024_budget.pdf": (
        "上海市普陀区人民政府万里街道办事处",
        2024,
        "budget",
        "department",
        "元",
    ),
    "shanghai_putuo_wanli_street_2025_budget.pdf": (
        "上海市普陀区人民政府万里街道办事处",
        2025,
        "budget",
        "department",
        "元",
    ),
}

# Shanghai headline figures as printed.
SHANGHAI = {
    # p8 收支总表 收入总计/支出总计, 一、财政拨款收入; p12 支出预算总表 合计 row; p21 narrative 867.50万元
    "shanghai_putuo_gov_office_2025_budget.pdf": {
        "total_income": yuan("91,016,775.35"),
        "total_expenditure": yuan("91,016,775.35"),
        "fiscal_appropriation_income": yuan("91,016,775.35"),
        "basic_expenditure": yuan("24,606,775.35"),
        "project_expenditure": yuan("66,410,000.00"),
        "three_public_total": wan("867.50"),
    },
    "shanghai_putuo_gov_office_2025_unit_budget.pdf": {
        "total_income": yuan("91,016,775.35"),
        "total_expenditure": yuan("91,016,775.35"),
        "fiscal_appropriation_income": yuan("91,016,775.35"),
        "basic_expenditure": yuan("24,606,775.35"),
        "project_expenditure": yuan("66,410,000.00"),
        "three_public_total": wan("867.50"),
    },
    # p7 收入支出决算总表: 总计 9859.38 both sides, 一般公共预算财政拨款收入 9746.50; p10 支出决算表 合计
    "shanghai_putuo_planning_resources_2024_final_accounts.pdf": {
        "total_income": wan("9859.38"),
        "total_expenditure": wan("9859.38"),
        "fiscal_appropriation_income": wan("9746.50"),
        "basic_expenditure": wan("5377.64"),
        "project_expenditure": wan("4381.74"),
        # p17 财政拨款"三公"经费支出决算表: 预算数 2.85, 决算数 0.39 (p25: 支出决算为 0.39 万元)
        "three_public_total": wan("0.39"),
    },
    # p10 收支总表; p18 支出总表 合计; p28 三公 22.91万元
    "shanghai_putuo_wanli_street_2023_budget.pdf": {
        "total_income": yuan("164,978,640"),
        "total_expenditure": yuan("164,978,640"),
        "fiscal_appropriation_income": yuan("164,978,640"),
        "basic_expenditure": yuan("99,406,297"),
        "project_expenditure": yuan("65,572,343"),
        "three_public_total": wan("22.91"),
        "function:201": yuan("2,976,800"),
    },
    # p10; p20 合计 row; p31 三公 47.91万元
    "shanghai_putuo_wanli_street_2024_budget.pdf": {
        "total_income": yuan("156,211,123"),
        "total_expenditure": yuan("156,211,123"),
        "fiscal_appropriation_income": yuan("156,211,123"),
        "basic_expenditure": yuan("99,706,020"),
        "project_expenditure": yuan("56,505,103"),
        "three_public_total": wan("47.91"),
        "function:201": yuan("2,932,700"),
        "function:212": yuan("119,385,303"),
    },
    # p9; p18 合计 row; p29 三公 37.91万元
    "shanghai_putuo_wanli_street_2025_budget.pdf": {
        "total_income": yuan("189,767,551"),
        "total_expenditure": yuan("189,767,551"),
        "fiscal_appropriation_income": yuan("189,767,551"),
        "basic_expenditure": yuan("101,341,746"),
        "project_expenditure": yuan("88,425,805"),
        "three_public_total": wan("37.91"),
    },
}

# Reference CSV (department, fiscal year) → sample file.
JIANGSU = {
    ("江苏省人大办公厅", 2017): "jiangsu_npc_office_2017_budget.pdf",
    ("江苏省人大办公厅", 2018): "jiangsu_npc_office_2018_budget.pdf",
    ("江苏省人大办公厅", 2019): "jiangsu_npc_office_2019_budget_tables.pdf",
    ("江苏省委办公厅", 2017): "jiangsu_party_office_2017_budget_tables.pdf",
    ("江苏省委办公厅", 2018): "jiangsu_party_office_2018_budget_tables.pdf",
    ("江苏省委办公厅", 2019): "jiangsu_party_office_2019_budget_tables.pdf",
    ("江苏省人民检察院", 2017): "jiangsu_procuratorate_2017_budget.pdf",
    ("江苏省人民检察院", 2018): "jiangsu_procuratorate_2018_budget.pdf",
    ("江苏省人民检察院", 2019): "jiangsu_procuratorate_2019_budget.pdf",
}
REFERENCE_METRICS = {
    "收入合计": "total_income",
    "支出合计": "total_expenditure",
    "财政拨款": "fiscal_appropriation_income",
    "基本支出": "basic_expenditure",
    "项目支出": "project_expenditure",
    "单位预留机动经费": "reserve_expenditure",
}
# Function classes in the reference come from the summary's function column, which
# equals the general-public-budget table only when a department has no other funds.
REFERENCE_FUNCTIONS = {
    "一般公共服务支出": "201",
    "公共安全支出": "204",
    "社会保障和就业支出": "208",
    "住房保障支出": "221",
}


def jiangsu_reference_rows() -> list[tuple[str, dict[str, str]]]:
    rows = []
    for path in sorted((DATA / "reference").glob("*.csv")):
        department = path.stem.split("_")[0]
        with path.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                year = int(row[""][:4])
                rows.append((JIANGSU[(department, year)], row))
    return rows


def jiangsu_figures(row: dict[str, str]) -> dict[str, Decimal]:
    figures = {metric: wan(row[column]) for column, metric in REFERENCE_METRICS.items() if row.get(column)}
    if row["财政拨款"] == row["收入合计"]:  # no other funds: summary function column == 公开07表
        figures |= {
            f"function:{code}": wan(row[column]) for column, code in REFERENCE_FUNCTIONS.items() if row.get(column)
        }
    return figures


def sample_documents() -> list[ExpectedDocument]:
    figures: dict[str, dict[str, Decimal]] = {name: dict(values) for name, values in SHANGHAI.items()}
    for name, row in jiangsu_reference_rows():
        figures.setdefault(name, {}).update(jiangsu_figures(row))
    documents = []
    for name, (department, year, kind, scope, _unit) in sorted(SAMPLE_METADATA.items()):
        (path,) = RAW.rglob(name)
        documents.append(ExpectedDocument(path, department, year, kind, scope, figures.get(name, {})))
    return documents


# The MANIFEST marks some names with an editorial note after a space, e.g.
# `上海市审计局 (预算单位)`: not printed, so not part of the expected name.
_EDITORIAL_NOTE = re.compile(r"\s+\([^)]*\)$")


def nationwide_documents() -> list[ExpectedDocument]:
    figures: dict[str, dict[str, Decimal]] = {}
    with (NATIONWIDE / "reference.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            figures.setdefault(row["file"], {})[row["metric"]] = Decimal(row["value_yuan"]).quantize(CENT)
    documents = []
    with (NATIONWIDE / "MANIFEST.tsv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            documents.append(
                ExpectedDocument(
                    path=NATIONWIDE / "pdfs" / row["file"],
                    department=_EDITORIAL_NOTE.sub("", row["department"]),
                    fiscal_year=int(row["fiscal_year"]),
                    kind=row["kind"],
                    scope=row["scope"],
                    figures=figures.get(row["file"], {}),
                )
            )
    return sorted(documents, key=lambda d: d.name)


@dataclass(frozen=True)
class HandCheckedFigure:
    """One headline read off a printed page (tests/data/nationwide/hand_checked.csv).

    A row without a value records a figure the document does not print at its own
    level (e.g. classes printed per unit only): then the headline must be absent."""

    file: str
    metric: str
    value_yuan: Decimal | None
    page: int
    printed: str
    unit: str  # the unit printed for that table: 元 or 万元
    note: str  # which printed line or column was taken, or why nothing is printed

    def printed_in_yuan(self) -> Decimal | None:
        """The printed text converted independently of value_yuan, to check the file itself."""
        if not self.printed:
            return None
        return wan(self.printed.replace(",", "")) if self.unit == "万元" else yuan(self.printed)


def hand_checked_figures() -> list[HandCheckedFigure]:
    with (NATIONWIDE / "hand_checked.csv").open(encoding="utf-8") as handle:
        return [
            HandCheckedFigure(
                file=row["file"],
                metric=row["metric"],
                value_yuan=Decimal(row["value_yuan"]) if row["value_yuan"] else None,
                page=int(row["page"]),
                printed=row["printed"],
                unit=row["unit"],
                note=row["note"],
            )
            for row in csv.DictReader(handle)
        ]
