"""Extraction outputs in object storage (any fsspec URL), so workers on other machines
can hand documents to the loader: the warehouse is the same as with a local folder,
and a folder whose completion marker is missing is never trusted."""

from __future__ import annotations

import shutil

import duckdb
import pytest
from upath import UPath

from pipelines.ingest.discovery import discover
from pipelines.ingest.handoff import COMPLETE_MARKER, document_dir, extraction_root, is_extracted, read_output
from pipelines.ingest.processing import extract_source
from pipelines.ingest.runner import run_pipeline
from pipelines.orchestration.resources import PipelinePaths
from tests.conftest import sample

SAMPLES = ["jiangsu_npc_office_2019_budget_tables.pdf", "shanghai_putuo_wanli_street_2024_budget.pdf"]
PER_DOCUMENT_SQL = [
    "SELECT document_id, department_name, fiscal_year, document_kind, scope, printed_unit "
    "FROM marts.dim_document WHERE document_id IN ? ORDER BY ALL",
    "SELECT document_id, statement, item_code, item_name, measure, amount_yuan, source_page, source_row "
    "FROM marts.fct_budget_line WHERE document_id IN ? ORDER BY ALL",
    "SELECT document_id, metric, value_yuan FROM marts.document_headline WHERE document_id IN ? ORDER BY ALL",
    "SELECT document_id, check_name, subject, status FROM marts.reconciliation WHERE document_id IN ? ORDER BY ALL",
]


def rows(published, document_ids: list[str]) -> list:
    with duckdb.connect(str(published), read_only=True) as con:
        return [con.execute(sql, [document_ids]).fetchall() for sql in PER_DOCUMENT_SQL]


@pytest.fixture(scope="module")
def raw(tmp_path_factory):
    folder = tmp_path_factory.mktemp("raw")
    for name in SAMPLES:
        shutil.copy(sample(name), folder / name)
    return folder


def test_a_url_names_object_storage_and_a_plain_path_a_local_folder(tmp_path):
    assert isinstance(extraction_root(f"file://{tmp_path}"), UPath)
    assert isinstance(extraction_root("memory://bucket/extracted"), UPath)
    assert not isinstance(extraction_root(tmp_path), UPath)


def test_pipeline_through_fsspec_matches_the_local_folder_run(raw, tmp_path, sample_warehouse):
    paths = PipelinePaths(
        raw_dir=str(raw),
        warehouse_path=str(tmp_path / "yusuan.duckdb"),
        extract_dir=f"file://{tmp_path}/object-store/extracted",
        published_path=str(tmp_path / "published" / "yusuan.duckdb"),
    )
    outcome = run_pipeline(paths)
    assert outcome.success, outcome.failed_steps
    assert outcome.load.loaded == len(SAMPLES)
    stored = sorted(p.name for p in (tmp_path / "object-store" / "extracted").iterdir())
    document_ids = sorted(source.document_id for source in discover(raw))
    assert stored == document_ids
    # The same documents, extracted into a local folder by the sample warehouse's run.
    expected = rows(sample_warehouse.published, document_ids)
    assert all(expected), "the sample warehouse holds these documents"
    assert rows(paths.published, document_ids) == expected


def test_a_folder_without_its_completion_marker_is_extracted_again(raw):
    store = extraction_root("memory://yusuan-test/extracted")
    source = discover(raw)[0]
    assert extract_source(source, store).ok
    assert is_extracted(store, source.document_id)
    lines = read_output(store, source.document_id, "lines.parquet")

    # A worker killed before the marker was written leaves a folder nobody trusts.
    (document_dir(store, source.document_id) / COMPLETE_MARKER).unlink()
    assert not is_extracted(store, source.document_id)
    again = extract_source(source, store)
    assert again.ok and not again.reused
    assert is_extracted(store, source.document_id)
    assert read_output(store, source.document_id, "lines.parquet").equals(lines)
