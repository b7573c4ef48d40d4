"""The Dagster code location loads, with the whole asset graph wired."""

from dagster import AssetKey

from pipelines.orchestration.definitions import defs


def test_definitions_load():
    graph = defs.resolve_asset_graph()
    keys = {key.to_user_string() for key in graph.get_all_asset_keys()}
    assert {"source_files", "extracted_documents", "validated_documents", "published_warehouse"} <= keys
    assert {f"raw/{t}" for t in ("document", "budget_line", "headline", "extracted_cell", "quarantine")} <= keys
    assert {
        "marts/dim_document",
        "marts/fct_budget_line",
        "marts/document_headline",
        "marts/department_year_totals",
    } <= keys
    assert defs.get_job_def("nightly") is not None


def test_dbt_models_read_what_the_loader_writes():
    graph = defs.resolve_asset_graph()
    staging = graph.get(AssetKey(["staging", "stg_budget_line"]))
    assert AssetKey(["raw", "budget_line"]) in staging.parent_keys
    published = graph.get(AssetKey("published_warehouse"))
    assert AssetKey(["marts", "document_headline"]) in published.parent_keys
