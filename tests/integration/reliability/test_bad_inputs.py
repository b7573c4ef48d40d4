"""Bad inputs in one `yusuan run`: each bad file is quarantined with a reason a person can
act on, and every other document loads in the same run (see conftest.py, run 1)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from pipelines.ingest.discovery import sha256_file
from tests.integration.reliability.conftest import BAD, EXTRA_TABLE, LOADED_IN_RUN_1, NAMED, QUOTED, TWICE
from tests.support import bad_inputs as inputs


def query(scenario, sql: str, params=None) -> list[tuple]:
    with duckdb.connect(str(scenario.run1_published), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def quarantine(scenario) -> dict[str, tuple[str, str, str]]:
    rows = query(scenario, "SELECT file_path, stage, reason, details FROM marts.quarantine")
    return {
        str(Path(path).relative_to(scenario.raw)): (stage, reason, details) for path, stage, reason, details in rows
    }


def test_the_run_completes_and_reports_the_quarantine(scenario):
    assert scenario.run1.returncode == 0
    assert (
        f"documents: {len(LOADED_IN_RUN_1)} loaded, 0 skipped as unchanged, {len(BAD)} quarantined"
        in scenario.run1.output
    )


@pytest.mark.parametrize("name", list(BAD))
def test_each_bad_input_is_quarantined_with_its_reason(scenario, name):
    _build, stage, reason = BAD[name]
    got_stage, got_reason, _details = quarantine(scenario)[name]
    assert (got_stage, got_reason[: len(reason)]) == (stage, reason)
    assert f"  {Path(name).name}: quarantined at {stage}: {got_reason}" in scenario.run1.output


def test_nothing_else_is_quarantined_and_everything_else_loads(scenario):
    assert set(quarantine(scenario)) == set(BAD)
    loaded = query(scenario, "SELECT file_path FROM marts.dim_document")
    assert sorted(str(Path(p).relative_to(scenario.raw)) for (p,) in loaded) == sorted(LOADED_IN_RUN_1)


def test_awkward_file_names_load_under_their_own_names(scenario):
    rows = dict(query(scenario, "SELECT file_name, file_path FROM marts.dim_document"))
    for name in NAMED:
        assert rows[Path(name).name] == str(scenario.raw / name)
    # The sample's 163 lines, under each name.
    counts = dict(
        query(
            scenario,
            "SELECT d.file_name, count(*) FROM raw.budget_line l JOIN raw.document d USING (document_id) GROUP BY 1",
        )
    )
    assert {counts[Path(name).name] for name in NAMED} == {163}


def test_the_same_bytes_under_two_names_are_one_document(scenario):
    digest = sha256_file(scenario.raw / TWICE[0])
    assert query(scenario, "SELECT file_name FROM marts.dim_document WHERE document_id = ?", [digest]) == [
        ("first.pdf",)
    ]  # the first path in sorted order
    assert query(scenario, "SELECT count(*) FROM raw.quarantine WHERE document_id = ?", [digest]) == [(0,)]


def test_symlinks_out_of_raw_are_not_followed(scenario):
    outside = [sha256_file(path) for path in scenario.outside.rglob("*.pdf")]
    assert len(outside) == 2
    for table in ("raw.document", "raw.quarantine"):
        assert query(
            scenario, f"SELECT count(*) FROM {table} WHERE document_id IN (?, ?) OR file_path LIKE '%outside%'", outside
        ) == [(0,)]
    assert "outside" not in scenario.run1.output


def test_a_department_name_with_quotes_loads(scenario):
    rows = query(
        scenario,
        "SELECT d.department_name, count(*) FROM marts.dim_document d "
        "JOIN marts.fct_budget_line f USING (document_id) WHERE d.file_name = ? GROUP BY 1",
        [Path(QUOTED).name],
    )
    assert rows and rows[0][0] == inputs.QUOTED_DEPARTMENT and rows[0][1] > 1000
    assert query(
        scenario, "SELECT count(*) FROM marts.dim_department WHERE department_name = ?", [inputs.QUOTED_DEPARTMENT]
    ) == [(1,)]


def test_a_table_of_unknown_kind_beside_known_ones_is_kept_as_cells(scenario):
    digest = sha256_file(scenario.raw / EXTRA_TABLE)
    statements = query(scenario, "SELECT statement, first_page FROM raw.statement WHERE document_id = ?", [digest])
    assert ("unknown", max(page for _s, page in statements)) in statements  # the last page
    assert len({s for s, _p in statements} - {"unknown"}) >= 10
    cells = {
        text.strip()
        for (text,) in query(scenario, "SELECT text FROM raw.extracted_cell WHERE document_id = ?", [digest])
    }
    assert {"资产类别", "房屋", "1,234.00"} <= cells


def test_garbage_in_amount_cells_is_named_and_never_evaluated(scenario):
    _stage, _reason, details = quarantine(scenario)["bad/garbage amounts.pdf"]
    for text in inputs.GARBAGE.values():
        assert f"not an amount: {text!r}" in details
    assert not any(path.name == inputs.PWNED for path in scenario.root.rglob("*"))
    assert not (Path.cwd() / inputs.PWNED).exists()
