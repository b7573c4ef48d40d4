"""pandera DataFrameModels: the types and formats each extracted layer must have.

Amounts are ``Decimal`` objects (never floats), exact to the cent; codes are
function (3/5/7 digits) or economic (3/5 digits) classification codes.  Which
statements, measures, units and periods exist is data, not schema: the vocabularies in
dbt/seeds (pipelines/vocabulary.py), checked beside these schemas.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

SHA256 = r"^[0-9a-f]{64}$"
CLASSIFICATION_CODE = r"^\d{3}(\d{2}){0,2}$"
# DECIMAL(18,2): at most 16 digits before the point.
MAX_AMOUNT = Decimal("9999999999999999.99")
CENT = Decimal("0.01")


def _exact_amounts(series: pd.Series) -> pd.Series:
    return series.map(
        lambda v: isinstance(v, Decimal) and v.is_finite() and v == v.quantize(CENT) and abs(v) <= MAX_AMOUNT
    )


class DocumentSchema(pa.DataFrameModel):
    document_id: Series[str] = pa.Field(str_matches=SHA256, unique=True)
    file_name: Series[str]
    department_name: Series[str] = pa.Field(str_length={"min_value": 2, "max_value": 80})
    fiscal_year: Series[int] = pa.Field(ge=2000, le=2100)
    document_kind: Series[str] = pa.Field(isin=["budget", "final_accounts"])
    scope: Series[str] = pa.Field(isin=["department", "unit"])
    printed_unit: Series[str]
    pages: Series[int] = pa.Field(ge=1)

    class Config:
        strict = False


class BudgetLineSchema(pa.DataFrameModel):
    document_id: Series[str] = pa.Field(str_matches=SHA256)
    statement: Series[str]
    section: Series[str]
    item_code: Series[str] = pa.Field(nullable=True, str_matches=CLASSIFICATION_CODE)
    item_name: Series[str]
    measure: Series[str]
    amount_yuan: Series[object]
    printed_amount: Series[str]
    printed_unit: Series[str]
    source_page: Series[np.int32] = pa.Field(ge=1)
    source_table: Series[np.int32] = pa.Field(ge=0)
    source_row: Series[np.int32] = pa.Field(ge=0)
    source_col: Series[np.int32] = pa.Field(ge=0)
    budget_unit: Series[str] = pa.Field(nullable=True)
    period: Series[str]

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

    class Config:
        strict = True


class HeadlineSchema(pa.DataFrameModel):
    document_id: Series[str] = pa.Field(str_matches=SHA256)
    metric: Series[str] = pa.Field(
        str_matches=r"^(total_income|total_expenditure|basic_expenditure|project_expenditure|"
        r"reserve_expenditure|fiscal_appropriation_income|three_public_total|function:\d{3})$",
        unique=True,
    )
    value_yuan: Series[object]
    statement: Series[str]
    source_page: Series[np.int32] = pa.Field(ge=1)
    source_table: Series[np.int32] = pa.Field(ge=0)
    source_row: Series[np.int32] = pa.Field(ge=0)
    source_col: Series[np.int32] = pa.Field(ge=0)

    @pa.check("value_yuan", error="value is not an exact DECIMAL(18,2)")
    def value_is_exact(cls, series: Series[object]) -> Series[bool]:
        return _exact_amounts(series)

    class Config:
        strict = True


class ExtractedCellSchema(pa.DataFrameModel):
    document_id: Series[str] = pa.Field(str_matches=SHA256)
    page: Series[np.int32] = pa.Field(ge=1)
    table_index: Series[np.int32] = pa.Field(ge=0)
    row_index: Series[np.int32] = pa.Field(ge=0)
    col_index: Series[np.int32] = pa.Field(ge=0)
    text: Series[str] = pa.Field(nullable=True)

    @pa.dataframe_check(error="a cell appears twice")
    def unique_cells(cls, df: pd.DataFrame) -> Series[bool]:
        return ~df.duplicated(subset=["table_index", "row_index", "col_index"], keep=False)

    class Config:
        strict = True
