"""The Dagster assets materialised in process on real PDFs: raw/ → DuckDB → dbt → published copy.

The module's last tests re-publish one document (the rendered Futian budget, printed again in
元 instead of 万元) and run again: a second release, which `yusuan diff` compares with the first."""

from __future__ import annotations

import shutil
import subprocess
import sys
from decimal import Decimal
from types import SimpleNamespace

import duckdb
import pytest

from pipelines.ingest.runner import RunOutcome, run_pipeline
from pipelines.orchestration.dbt_standby import ADOPTED
from pipelines.orchestration.resources import PipelinePaths
from tests.conftest import sample
from tests.support.renderers.futian import render_futian_2022

SAMPLES = ["jiangsu_npc_office_2019_budget_tables.pdf", "shanghai_putuo_wanli_street_2024_budget.pdf"]
FUTIAN = "futian 2022.pdf"  # rendered from the transcription of the printed tables


def run(paths: PipelinePaths) -> RunOutcome:
    outcome = run_pipeline(paths)
    assert outcome.success, outcome.failed_steps
    return outcome


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory):
    root = tmp_path_factory.mktemp("pipeline")
    raw = root / "raw" / "nested folder"
    raw.mkdir(parents=True)
    for name in SAMPLES:
        shutil.copy(sample(name), raw / f"renamed {name}")  # names say nothing to the pipeline
    shutil.copy(sample(SAMPLES[0]), raw / "same bytes twice.pdf")  # deduplicated by sha256
    render_futian_2022(raw / FUTIAN)
    paths = PipelinePaths(
        raw_dir=str(root / "raw"),
        warehouse_path=str(root / "warehouse" / "yusuan.duckdb"),
        extract_dir=str(root / "warehouse" / "extracted"),
        published_path=str(root / "warehouse" / "published" / "yusuan.duckdb"),
    )
    first = run(paths)
    return paths, first


def query(paths: PipelinePaths, sql: str, params=None):
    with duckdb.connect(str(paths.published), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def test_first_run_loads_every_document(pipeline):
    _paths, first = pipeline
    assert (first.load.loaded, first.load.unchanged, first.load.quarantined) == (3, 0, 0)


def test_dagsters_dbt_step_adopts_the_full_build_the_run_started_early(pipeline):
    """dbt_invocation.py: the run starts the build before it imports dagster-dbt, and the step
    asks for the very same command (arguments, folder, environment).  Anything else would be
    stopped, and the step's own build run after it."""
    _paths, first = pipeline
    assert first.early_dbt_build == ADOPTED


def test_dim_document_reads_the_pages(pipeline):
    paths, _ = pipeline
    rows = query(
        paths,
        "SELECT department_name, fiscal_year, document_kind, scope, printed_unit "
        "FROM marts.dim_document ORDER BY fiscal_year",
    )
    assert rows == [
        ("江苏省人大常委会办公厅", 2019, "budget", "department", "万元"),
        ("深圳市福田区政务服务数据管理局", 2022, "budget", "department", "万元"),
        ("上海市普陀区人民政府万里街道办事处", 2024, "budget", "department", "元"),
    ]


def test_headlines_in_the_marts(pipeline):
    paths, _ = pipeline
    rows = dict(
        ((dept, metric), value)
        for dept, metric, value in query(
            paths,
            "SELECT d.department_name, h.metric, h.value_yuan FROM marts.document_headline h "
            "JOIN marts.dim_document d USING (document_id)",
        )
    )
    # Printed: 公开表一 收入合计 18,330.37 万元, 公开表三 基本支出 9,312.90 万元; Putuo p10 收入总计 156,211,123 元.
    assert rows[("江苏省人大常委会办公厅", "total_income")] == Decimal("183303700.00")
    assert rows[("江苏省人大常委会办公厅", "basic_expenditure")] == Decimal("93129000.00")
    assert rows[("上海市普陀区人民政府万里街道办事处", "total_expenditure")] == Decimal("156211123.00")
    assert rows[("上海市普陀区人民政府万里街道办事处", "project_expenditure")] == Decimal("56505103.00")


def test_every_amount_is_decimal_and_traceable(pipeline):
    paths, _ = pipeline
    types = dict(
        query(
            paths,
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = 'marts' AND table_name = 'fct_budget_line'",
        )
    )
    assert types["amount_yuan"] == "DECIMAL(18,2)"
    # The headline of Putuo's 一般公共服务支出 points at the page and cell it was printed in.
    (row,) = query(
        paths,
        "SELECT f.source_page, f.item_code, f.item_name, trim(c.text, ' ' || chr(10)) FROM marts.document_headline h "
        "JOIN marts.fct_budget_line f ON f.document_id = h.document_id AND f.source_page = h.source_page "
        " AND f.source_table = h.source_table AND f.source_row = h.source_row AND f.source_col = h.source_col "
        "JOIN raw.extracted_cell c ON c.document_id = f.document_id AND c.table_index = f.source_table "
        " AND c.row_index = f.source_row AND c.col_index = f.source_col "
        "WHERE h.metric = 'function:201' AND f.department_name LIKE '%万里街道%'",
    )
    assert row == (22, "201", "一般公共服务支出", "2,932,700")


def test_second_run_skips_unchanged_files_and_keeps_row_counts(pipeline):
    paths, _ = pipeline
    counts = "SELECT (SELECT count(*) FROM raw.document), (SELECT count(*) FROM raw.budget_line)"
    before = query(paths, counts)
    extracted_at = query(paths, "SELECT document_id, extracted_at FROM raw.document ORDER BY 1")
    second = run(paths)
    summary = second.load
    assert (summary.loaded, summary.unchanged, summary.quarantined) == (0, 3, 0)
    assert second.transform is None and second.early_dbt_build is None  # nothing to build, none started
    assert query(paths, counts) == before
    assert query(paths, "SELECT document_id, extracted_at FROM raw.document ORDER BY 1") == extracted_at


def test_published_copy_is_read_only(pipeline):
    paths, _ = pipeline
    with pytest.raises(duckdb.Error):
        with duckdb.connect(str(paths.published), read_only=True) as con:
            con.execute("CREATE TABLE marts.scratch (x INTEGER)")
    assert not (paths.published.stat().st_mode & 0o222)


# ---------------------------------------------------------------- a re-published document: a second release
# These run last: the fixture below replaces the Futian budget and runs the pipeline again.

WAN = Decimal(10000)
FUTIAN_REPUBLISHED = "futian 2022 (re-published).pdf"
FUTIAN_DEPARTMENT = "深圳市福田区政务服务数据管理局"


# A BI reader in its own process: it opens release 1 (the DuckDB copy and one Parquet file),
# says how many documents it sees, and reads both again after the publish.
READER = """
import sys, duckdb, pyarrow.parquet as pq
con = duckdb.connect(sys.argv[1], read_only=True)
held = open(sys.argv[2], "rb")
print(con.execute("SELECT count(*) FROM marts.dim_document").fetchone()[0], flush=True)
sys.stdin.readline()  # the publish happens now
print(con.execute("SELECT count(*) FROM marts.dim_document").fetchone()[0], pq.read_table(held).num_rows, flush=True)
sys.stdin.readline()
"""


@pytest.fixture(scope="module")
def republished(pipeline):
    """Release 1 is the first run's. While a reader holds it open, the Futian budget, re-published
    with every table in 元, is loaded and published as release 2, with YUSUAN_KEEP_RELEASES=1."""
    from pipelines.ingest.releases import exports_root, release_folders
    from tests.support import faults

    paths, _ = pipeline
    (first,) = release_folders(paths.published)
    held = exports_root(paths.published) / first / "fct_budget_line.parquet"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(paths.published), str(held)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    before = reader.stdout.readline().split()
    raw = paths.raw / "nested folder"
    tables = faults.load_tables()
    for table in tables:
        table["unit"] = "元"
    (raw / FUTIAN).unlink()
    render_futian_2022(raw / FUTIAN_REPUBLISHED, tables=tables)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("YUSUAN_KEEP_RELEASES", "1")
        outcome = run_pipeline(paths)
    assert outcome.success, outcome.failed_steps
    reader.stdin.write("\n")
    reader.stdin.flush()
    after = reader.stdout.readline().split()
    yield SimpleNamespace(
        paths=paths, first=first, outcome=outcome, summary=outcome.load, reader=reader, before=before, after=after
    )
    reader.kill()
    reader.wait()


def stop(reader: subprocess.Popen) -> int:
    reader.stdin.write("\n")
    reader.stdin.close()
    return reader.wait(timeout=60)


def test_republishing_is_a_new_release_and_a_reader_of_the_old_one_sees_no_error(republished):
    from pipelines.extraction.document import PARSER_VERSION
    from pipelines.ingest.releases import current_release, previous_copy, release_folders

    paths, first = republished.paths, republished.first
    assert (republished.summary.loaded, republished.summary.unchanged) == (1, 2)
    # The reader still reads release 1, whole: three current documents, and its Parquet file.
    assert republished.before == ["3"]
    assert republished.after[0] == "3" and int(republished.after[1]) > 0
    # Release 1 was beyond YUSUAN_KEEP_RELEASES=1 but held open, so it was kept.
    second = current_release(paths.published)
    assert release_folders(paths.published) == [first, second] and second != first
    with duckdb.connect(str(previous_copy(paths.published)), read_only=True) as old:
        assert old.execute("SELECT list(release_id) FROM marts.release").fetchone() == ([first],)
    releases = query(
        paths,
        "SELECT release_id, previous_release_id, documents_added, documents_superseded, documents_removed, "
        "mart_rows['fct_budget_line'] = (SELECT count(*) FROM marts.fct_budget_line), parser_version "
        "FROM marts.release ORDER BY published_at",
    )
    assert releases == [(first, None, 3, 0, 0, True, PARSER_VERSION), (second, first, 0, 1, 0, True, PARSER_VERSION)]


def test_the_incremental_build_runs_the_views_tests_without_creating_the_views_again(republished):
    """A view is a stored query: it reads the new document's rows as it stands.  Its tests read
    data, so they still run, on the new rows, before the marts that read the view."""
    transform = republished.outcome.transform
    materialized = {event.asset_key.path[-1] for event in transform.get_asset_materialization_events()}
    checked = {evaluation.asset_key.path[-1] for evaluation in transform.get_asset_check_evaluations()}
    assert {"stg_document", "stg_budget_line", "int_document_version"}.isdisjoint(materialized)
    assert {"stg_document", "stg_budget_line", "int_document_version"} <= checked
    assert {"fct_budget_line", "dim_document", "department_year_totals"} <= materialized
    assert all(evaluation.passed for evaluation in transform.get_asset_check_evaluations())


def test_dagsters_dbt_step_adopts_the_incremental_build_the_run_started_early(republished):
    assert republished.outcome.early_dbt_build == ADOPTED


def test_yusuan_diff_lists_the_supersession_and_the_changed_headline_figures(republished, capsys):
    import json

    from pipelines.cli import main

    paths, first = republished.paths, republished.first
    assert main(["diff", "--published", str(paths.published), "--json"]) == 0
    diff = json.loads(capsys.readouterr().out)
    assert diff["old"] == first
    assert diff["documents"]["added"] == diff["documents"]["removed"] == []
    assert [
        (d["department_name"], d["fiscal_year"], d["document_kind"], d["scope"], d["old_file_name"], d["new_file_name"])
        for d in diff["documents"]["superseded"]
    ] == [(FUTIAN_DEPARTMENT, 2022, "budget", "department", FUTIAN, FUTIAN_REPUBLISHED)]
    # Printed (表1, 表3): 收入总计 = 支出总计 = 财政拨款 12,510.00, 基本支出 2,749.88, 项目支出 9,760.12;
    # in 万元 in the first version, in 元 in the re-published one.
    printed = {
        "total_income": Decimal("12510.00"),
        "total_expenditure": Decimal("12510.00"),
        "fiscal_appropriation_income": Decimal("12510.00"),
        "basic_expenditure": Decimal("2749.88"),
        "project_expenditure": Decimal("9760.12"),
    }
    assert {
        (h["department_name"], h["metric"], Decimal(h["old_value_yuan"]), Decimal(h["new_value_yuan"]))
        for h in diff["headlines"]
    } == {(FUTIAN_DEPARTMENT, metric, value * WAN, value) for metric, value in printed.items()}
    assert {(h["old_file_name"], h["new_file_name"]) for h in diff["headlines"]} == {(FUTIAN, FUTIAN_REPUBLISHED)}
    # No other Futian year is loaded: the first version's change is against the 2021 total its prose
    # implies (部门预算支出12,510.00 万元，比2021年增加2,425.39 万元); the re-published tables print 元
    # where that prose says 万元, so the prose gives that version no previous year.
    assert [
        (y["department"], y["fiscal_year"], Decimal(y["old_change_yuan"]), y["new_change_yuan"])
        for y in diff["year_over_year"]
    ] == [(FUTIAN_DEPARTMENT, 2022, Decimal("2425.39") * WAN, None)]
    rows = {m["mart"]: (m["rows_added"], m["rows_removed"]) for m in diff["mart_rows"]}
    (futian_lines,) = query(
        paths, "SELECT count(*) FROM marts.fct_budget_line WHERE department_name = ?", [FUTIAN_DEPARTMENT]
    )[0]
    assert rows["fct_budget_line"] == (futian_lines, futian_lines)  # every Futian line, nothing else
    assert rows["dim_department"] == (0, 0) and rows["dim_document"] == (2, 1)  # the new version; the old one's flag

    assert main(["diff", "--published", str(paths.published)]) == 0
    text = capsys.readouterr().out
    assert (
        f"documents superseded: 1\n  {FUTIAN_DEPARTMENT} 2022 budget/department: {FUTIAN} → {FUTIAN_REPUBLISHED}"
        in text
    )
    assert "total_expenditure: 125,100,000.00 → 12,510.00 yuan" in text


def test_the_report_says_what_changed_in_the_latest_release(republished):
    html = (republished.paths.published.parent / "report.html").read_text(encoding="utf-8")
    section = html[html.index('<section id="latest-release">') :]
    section = section[: section.index("</section>")]
    assert f"superseded: {FUTIAN_DEPARTMENT} 2022 budget/department ({FUTIAN} → {FUTIAN_REPUBLISHED})" in section
    assert '<td class="num">125,100,000.00</td><td class="num">12,510.00</td>' in section


def test_pruning_keeps_the_last_releases_once_no_reader_holds_them(republished):
    from pipelines.ingest.releases import current_release, prune, release_folders

    paths = republished.paths
    assert stop(republished.reader) == 0  # the reader ended without an error
    second = current_release(paths.published)
    assert prune(paths.published, keep=1) == [republished.first]
    assert release_folders(paths.published) == [second]
