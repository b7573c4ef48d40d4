"""Which documents a failing dbt test names (pipelines/orchestration/dbt_build.py), on a small DuckDB
that holds a model and the failing rows dbt --store-failures would have stored."""

from __future__ import annotations

import duckdb

from pipelines.orchestration.dbt_build import dbt_test_label, describe_errors, offending_documents, read_results

MANIFEST = {
    "nodes": {
        "model.yusuan.fct_budget_line": {"name": "fct_budget_line", "relation_name": "main.fct_budget_line"},
        "seed.yusuan.unit": {"name": "unit", "relation_name": "main.unit"},
        "test.yusuan.unique_fct_line_id.1": {
            "name": "unique_fct_line_id",
            "attached_node": "model.yusuan.fct_budget_line",
            "column_name": "line_id",
            "test_metadata": {"name": "unique"},
        },
        "test.yusuan.assert_rule.2": {"name": "assert_rule", "attached_node": None, "column_name": None},
        "test.yusuan.row_rules_fct_budget_line.4": {
            "name": "row_rules_fct_budget_line",
            "attached_node": "model.yusuan.fct_budget_line",
            "column_name": None,
            "test_metadata": {"name": "row_rules"},
        },
        "test.yusuan.unique_unit_unit.3": {
            "name": "unique_unit_unit",
            "attached_node": "seed.yusuan.unit",
            "column_name": "unit",
            "test_metadata": {"name": "unique"},
        },
    }
}


def database() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE fct_budget_line AS SELECT * FROM (VALUES ('a', 1, 'total'), ('b', 2, 'bonus'), "
        "('c', 2, 'bonus'), ('c', 3, 'total')) t(document_id, line_id, measure)"
    )
    con.execute("CREATE TABLE unit AS SELECT * FROM (VALUES ('元'), ('元')) t(unit)")
    con.execute("CREATE TABLE line_id_failures AS SELECT 2 AS unique_field, 2 AS n_records")
    con.execute("CREATE TABLE rule_failures AS SELECT 'a' AS document_id, 5 AS amount")
    # What tests/generic/row_rules.sql stores: the failing rows whole, with the rules each breaks.
    con.execute(
        "CREATE TABLE row_rules_failures AS SELECT * FROM (VALUES "
        "('b', 'bonus', 'relationships(measure -> measure.measure)'), "
        "('c', NULL, 'not_null(measure); expression(coalesce(amount, 0) >= 0)'), "
        "('c', 'bonus', 'relationships(measure -> measure.measure)')) t(document_id, measure, broken_rules)"
    )
    con.execute("CREATE TABLE unique_failures AS SELECT '元' AS unique_field, 2 AS n_records")
    return con


def test_a_duplicated_value_is_traced_back_to_the_documents_that_hold_it():
    failure = {"unique_id": "test.yusuan.unique_fct_line_id.1", "relation_name": "line_id_failures"}
    assert offending_documents(database(), failure, MANIFEST) == {"b": ["2"], "c": ["2"]}
    assert dbt_test_label(MANIFEST["nodes"][failure["unique_id"]], MANIFEST) == "unique on fct_budget_line.line_id"


def test_rows_that_carry_the_document_name_it():
    failure = {"unique_id": "test.yusuan.assert_rule.2", "relation_name": "rule_failures"}
    assert offending_documents(database(), failure, MANIFEST) == {"a": []}
    assert dbt_test_label(MANIFEST["nodes"][failure["unique_id"]], MANIFEST) == "assert_rule"


def test_the_rules_a_row_breaks_are_named_with_its_document():
    failure = {"unique_id": "test.yusuan.row_rules_fct_budget_line.4", "relation_name": "row_rules_failures"}
    # Each rule once per document, whole (an expression's comma does not split it).
    assert offending_documents(database(), failure, MANIFEST) == {
        "b": ["relationships(measure -> measure.measure)"],
        "c": [
            "expression(coalesce(amount, 0) >= 0)",
            "not_null(measure)",
            "relationships(measure -> measure.measure)",
        ],
    }
    assert dbt_test_label(MANIFEST["nodes"][failure["unique_id"]], MANIFEST) == "row_rules on fct_budget_line"


def test_a_failure_in_a_seed_names_no_document():
    failure = {"unique_id": "test.yusuan.unique_unit_unit.3", "relation_name": "unique_failures"}
    assert offending_documents(database(), failure, MANIFEST) == {}


def test_errors_and_failures_are_told_apart():
    results = read_results(
        {
            "results": [
                {
                    "unique_id": "model.yusuan.fct_budget_line",
                    "status": "error",
                    "message": "Runtime Error in model fct_budget_line\n  Binder Error: no_such_column",
                },
                {"unique_id": "test.yusuan.assert_rule.2", "status": "fail", "message": "Got 1 result"},
                {
                    "unique_id": "test.yusuan.assert_function_codes_known.4",
                    "status": "warn",
                    "message": "Got 2 results",
                },
                {"unique_id": "model.yusuan.dim_document", "status": "success", "message": "OK"},
            ]
        }
    )
    assert [r["unique_id"] for r in results.errors] == ["model.yusuan.fct_budget_line"]
    assert [r["unique_id"] for r in results.failures] == ["test.yusuan.assert_rule.2"]
    assert describe_errors(results.errors) == (
        "model fct_budget_line: Runtime Error in model fct_budget_line Binder Error: no_such_column"
    )
