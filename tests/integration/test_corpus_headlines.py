"""Headline figures and metadata of every sample, against figures read off the pages.

Expected values: the Jiangsu figures come from the independent reference CSVs
(tests/data/reference, 万元); the Shanghai figures were read off the printed
pages by a person (page numbers in the comments).  None comes from this code.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.support.references import (
    REFERENCE_FUNCTIONS,
    REFERENCE_METRICS,
    SHANGHAI,
    wan,
)
from tests.support.references import (
    SAMPLE_METADATA as METADATA,
)
from tests.support.references import (
    jiangsu_reference_rows as reference_rows,
)


def headlines(corpus, name: str) -> dict[str, Decimal]:
    _raw, parsed = corpus[name]
    return {h.metric: h.value_yuan for h in parsed.headlines}


def test_every_sample_is_covered(corpus):
    assert set(corpus) == set(METADATA)


@pytest.mark.parametrize("name", sorted(METADATA))
def test_metadata_read_from_the_page(corpus, name):
    meta = corpus[name][1].metadata
    assert (meta.department_name, meta.fiscal_year, meta.document_kind, meta.scope, meta.printed_unit) == METADATA[name]


@pytest.mark.parametrize("name,row", reference_rows(), ids=lambda v: v if isinstance(v, str) else "")
def test_jiangsu_headlines_match_reference(corpus, name, row):
    got = headlines(corpus, name)
    for column, metric in REFERENCE_METRICS.items():
        if row.get(column):
            assert got.get(metric) == wan(row[column]), f"{name} {metric}"
    if row["财政拨款"] == row["收入合计"]:  # no other funds: summary function column == 公开07表
        for column, code in REFERENCE_FUNCTIONS.items():
            if row.get(column):
                assert got.get(f"function:{code}") == wan(row[column]), f"{name} function:{code}"


@pytest.mark.parametrize("name", sorted(SHANGHAI))
def test_shanghai_headlines_match_the_page(corpus, name):
    got = headlines(corpus, name)
    for metric, expected in SHANGHAI[name].items():
        assert got.get(metric) == expected, f"{name} {metric}"


@pytest.mark.parametrize("name", sorted(METADATA))
def test_core_statements_found(corpus, name):
    statements = {s.statement for s in corpus[name][1].statements if s.lines}
    assert {"income_expenditure_summary", "expenditure_summary", "general_budget_expenditure_by_function"} <= statements


@pytest.mark.parametrize("name", sorted(METADATA))
def test_each_statement_found_once(corpus, name):
    """A statement found twice means a title was misread (e.g. a wrapped title cut in two)."""
    repeatable = {"unknown", "performance_targets"}
    found = [s.statement for s in corpus[name][1].statements if s.statement not in repeatable]
    assert len(found) == len(set(found))


@pytest.mark.parametrize("name", sorted(METADATA))
def test_no_parse_problems(corpus, name):
    assert corpus[name][1].problems == []
