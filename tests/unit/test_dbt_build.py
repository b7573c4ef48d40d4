"""Which documents a failing dbt test names (pipelines/orchestration/dbt_build.py), on a small DuckDB
that holds a model and the failing rows dbt --store-failures would have stored."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from pipelines.orchestration.dbt_build import (
    BuildResults,
    DbtBuildFailed,
    check_exit_code,
    dbt_test_label,
    describe_errors,
    offending_documents,
    results_from_events,
)

EVENTS = Path(__file__).resolve().parents[1] / "data" / "dbt_events"

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


def events(name: str) -> list[dict]:
    """Lines dbt 1.11 printed with --log-format json (tests/data/dbt_events), building a copy of a
    warehouse with a new document: on a scratch copy of the project with a model broken
    (narrative_claim selects no_such_column) and a row rule no row keeps, then its
    `dbt test --store-failures`; on the project with a model whose Jinja does not parse; and
    on the project as it is while another process held the warehouse."""
    lines = (EVENTS / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def test_errors_and_failures_are_told_apart_from_dbt_events():
    results = results_from_events(events("build_with_an_error_and_a_failure"))
    # A model built, a test passed and a test skipped under the broken model are neither.
    assert [(r["unique_id"], r["status"]) for r in results.errors] == [("model.yusuan.narrative_claim", "error")]
    assert [(r["unique_id"], r["status"]) for r in results.failures] == [
        ("test.yusuan.row_rules_fct_budget_line.51d276510a", "fail")
    ]
    assert results.failures[0]["message"] == "Got 308 results, configured to fail if != 0"
    # As run_results.json of the same build said it.
    assert results.errors[0]["message"] == (
        "Runtime Error in model narrative_claim (models/marts/narrative/narrative_claim.sql)\n"
        '  Binder Error: Referenced column "no_such_column" not found in FROM clause!\n'
        '  Candidate bindings: "subject", "amount_yuan", "change_yuan"\n'
        "  \n"
        '  LINE 9:     select no_such_column, * from "yusuan"."staging"."stg_narrative_claim...\n'
        "                     ^^^^^^^^^^^^^^"
    )
    assert describe_errors(results.errors).startswith(
        "model narrative_claim: Runtime Error in model narrative_claim (models/marts/narrative/narrative_claim.sql) "
        'Binder Error: Referenced column "no_such_column" not found in FROM clause!'
    )
    assert check_exit_code(results, 1, "dbt build") is results


def test_the_stored_failures_are_found_where_dbt_test_stored_them():
    [failure] = results_from_events(events("test_store_failures")).failures
    assert failure["unique_id"] == "test.yusuan.row_rules_fct_budget_line.51d276510a"
    assert failure["relation_name"] == '"yusuan"."dbt_test__audit"."row_rules_fct_budget_line"'


def test_a_build_that_ran_nothing_says_why_with_its_exit_code():
    results = results_from_events(events("build_on_a_locked_warehouse"))
    assert results.ok
    with pytest.raises(DbtBuildFailed) as raised:
        check_exit_code(results, 2, "dbt build")
    said = str(raised.value)
    assert said.startswith("`dbt build` exited with code 2 and no node failed:\nEncountered an error:\n")
    assert 'IO Error: Could not set lock on file "/tmp/s7json/w/yusuan.duckdb"' in said
    assert "Traceback" not in said  # dbt's stack trace is in the log

    results = results_from_events(events("build_of_a_project_that_does_not_compile"))
    with pytest.raises(DbtBuildFailed, match=r"(?s)code 2 .*Compilation Error in model zz_broken"):
        check_exit_code(results, 2, "dbt build")


def test_an_exit_code_with_no_message_is_still_a_failure():
    with pytest.raises(DbtBuildFailed, match="exited with code -9 and no node failed:\nno error message"):
        check_exit_code(BuildResults(errors=[], failures=[]), -9, "dbt build")
