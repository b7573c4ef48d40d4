"""pandera DataFrameModels: the types and formats each extracted layer must have.

Amounts are ``Decimal`` objects (never floats), exact to the cent; codes are
function (3/5/7 digits) or economic (3/5 digits) classification codes.  Which
statements, measures, units and periods exist is data, not schema: the vocabularies in
dbt/seeds (pipelines/vocabulary.py), checked beside these schemas.  Which columns
each layer has, their types and which may be empty are declared in schemas/tables.py;
the models here are made from it and add the checks.
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from schemas.tables import BUDGET_LINE, DOCUMENT, EXTRACTED_CELL, HEADLINE, Column, Table

SHA256 = r"^[0-9a-f]{64}$"
CLASSIFICATION_CODE = r"^\d{3}(\d{2}){0,2}$"
# DECIMAL(18,2): at most 16 digits before the point.
MAX_AMOUNT = Decimal("9999999999999999.99")
CENT = Decimal("0.01")


def _exact_amounts(series: pd.Series) -> pd.Series:
    return series.map(
        lambda v: isinstance(v, Decimal) and v.is_finite() and v == v.quantize(CENT) and abs(v) <= MAX_AMOUNT
    )


def _model(
    name: str, table: Table, fields: dict[str, dict], checks: type[pa.DataFrameModel], strict: bool
) -> type[pa.DataFrameModel]:
    """A pandera model of a table's hand-off: each column typed and nullable as schemas/tables.py
    declares it, with the field checks in ``fields`` and the checks of ``checks``."""
    as_json = table.handoff == "document.json"

    def dtype(column: Column) -> type:
        return column.kind.json if as_json else column.kind.pandas

    columns = table.handed_off_columns
    namespace = {
        "__module__": __name__,
        "__annotations__": {column.name: Series[dtype(column)] for column in columns},
        **{column.name: pa.Field(nullable=column.nullable, **fields.get(column.name, {})) for column in columns},
        "Config": type("Config", (), {"strict": strict}),
    }
    return type(name, (checks,), namespace)


DocumentSchema = _model(
    "DocumentSchema",
    DOCUMENT,
    {
        "document_id": {"str_matches": SHA256, "unique": True},
        "department_name": {"str_length": {"min_value": 2, "max_value": 80}},
        "fiscal_year": {"ge": 2000, "le": 2100},
        "document_kind": {"isin": ["budget", "final_accounts"]},
        "scope": {"isin": ["department", "unit"]},
        "pages": {"ge": 1},
    },
    pa.DataFrameModel,
    strict=False,  # document.json also carries the parser's findings and metadata
)

_CELL = {
    "source_page": {"ge": 1},
    "source_table": {"ge": 0},
    "source_row": {"ge": 0},
    "source_col": {"ge": 0},
}


class _BudgetLineChecks(pa.DataFrameModel):
    @pa.check("amount_yuan", error="amount is not an exact DECIMAL(18,2)")
    def amount_is_exact(cls, series: Series[object]) -> Series[bool]:
        return _exact_amounts(series)

    @pa.dataframe_check(error="a labelled line needs an item name or a code")
    def labelled(cls, df: pd.DataFrame) -> Series[bool]:
        return (df["item_name"].str.len() > 0) | df["item_code"].notna()

    @pa.dataframe_check(error="two lines from the same cell")
    def one_line_per_cell(cls, df: pd.DataFrame) -> Series[bool]:
        keys = ["source_page", "source_table", "source_row", "source_col"]
        return ~df.duplicated(subset=keys, keep=False)


BudgetLineSchema = _model(
    "BudgetLineSchema",
    BUDGET_LINE,
    {
        "document_id": {"str_matches": SHA256},
        "item_code": {"str_matches": CLASSIFICATION_CODE},
        "text_source": {"isin": ["text", "ocr"]},
        "ocr_confidence": {"in_range": {"min_value": 0, "max_value": 1}},
        **_CELL,
    },
    _BudgetLineChecks,
    strict=True,
)


class _HeadlineChecks(pa.DataFrameModel):
    @pa.check("value_yuan", error="value is not an exact DECIMAL(18,2)")
    def value_is_exact(cls, series: Series[object]) -> Series[bool]:
        return _exact_amounts(series)


HeadlineSchema = _model(
    "HeadlineSchema",
    HEADLINE,
    {
        "document_id": {"str_matches": SHA256},
        "metric": {
            "str_matches": r"^(total_income|total_expenditure|basic_expenditure|project_expenditure|"
            r"reserve_expenditure|fiscal_appropriation_income|three_public_total|function:\d{3})$",
            "unique": True,
        },
        **_CELL,
    },
    _HeadlineChecks,
    strict=True,
)


class _ExtractedCellChecks(pa.DataFrameModel):
    @pa.dataframe_check(error="a cell appears twice")
    def unique_cells(cls, df: pd.DataFrame) -> Series[bool]:
        return ~df.duplicated(subset=["table_index", "row_index", "col_index"], keep=False)


ExtractedCellSchema = _model(
    "ExtractedCellSchema",
    EXTRACTED_CELL,
    {
        "document_id": {"str_matches": SHA256},
        "page": {"ge": 1},
        "table_index": {"ge": 0},
        "row_index": {"ge": 0},
        "col_index": {"ge": 0},
    },
    _ExtractedCellChecks,
    strict=True,
)
