"""One document never stops the publish (issue 14).

Planted documents bring what the warehouse has not seen: a measure, a statement kind, a
unit outside 元/万元, a duplicated line key, and content that only a dbt test rejects.
Each is quarantined naming the check; the good document is published. A measure added to
the seed CSV (no code) lets its document load on the next run. A dbt model with a SQL
error fails the run in a few lines that name the model, and nothing is published.

The runs are `yusuan run` processes on a copy of the dbt project (YUSUAN_DBT_PROJECT_DIR),
so the test can edit a seed and break a model without touching dbt/.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import duckdb
import pytest
import yaml

from pipelines.ingest.discovery import discover
from pipelines.ingest.processing import extract_source
from pipelines.settings import DBT_PROJECT_DIR
from tests.conftest import sample
from tests.support import faults
from tests.support.renderers.futian import render_futian_2022

YUSUAN = str(Path(sys.executable).with_name("yusuan"))
GOOD_SAMPLE = "jiangsu_npc_office_2019_budget_tables.pdf"
UNSEEN_MEASURE = "bonus_pay"
UNSEEN_STATEMENT = "budget_by_program"
# Planted in the stored extraction output, as an extractor newer than the warehouse would write it.
PLANTED_OUTPUTS = {
    "unseen measure.pdf": (
        "lines.parquet",
        lambda lines: lines.assign(measure=lines["measure"].mask(lines["statement"] == "three_public", UNSEEN_MEASURE)),
    ),
    "unseen statement.pdf": (
        "lines.parquet",
        lambda lines: lines.assign(statement=lines["statement"].replace("project_expenditure", UNSEEN_STATEMENT)),
    ),
    "duplicated line key.pdf": ("lines.parquet", lambda lines: faults_duplicate_first_line(lines)),
}
# Printed in the PDF: 单位：千元 over every table.
THOUSANDS = "unit in thousands.pdf"
# A negative amount passes validation; the dbt project copy has a row rule that rejects it.
NEGATIVE = "negative amount.pdf"
DBT_ONLY_RULE = "amount_yuan >= 0"
DBT_ONLY_FAILURE = f"dbt test row_rules on fct_budget_line failed on 'expression({DBT_ONLY_RULE})'"
EXPECTED_QUARANTINE = {
    "unseen measure.pdf": (
        "validate",
        f"vocabulary check failed on column measure: '{UNSEEN_MEASURE}' is not in dbt/seeds/measure.csv",
    ),
    "unseen statement.pdf": (
        "validate",
        f"vocabulary check failed on column statement: '{UNSEEN_STATEMENT}' is not in dbt/seeds/statement.csv",
    ),
    "duplicated line key.pdf": ("validate", "budget_line: two lines from the same cell failed"),
    THOUSANDS: ("validate", "vocabulary check failed on column printed_unit: '千元' is not in dbt/seeds/unit.csv"),
    NEGATIVE: ("dbt", DBT_ONLY_FAILURE),
}


def faults_duplicate_first_line(lines):
    """The first line twice, the copy with another amount: two figures for one printed cell."""
    import pandas as pd

    copy = lines.iloc[[0]].copy()
    copy["printed_amount"] = "1.00"
    return pd.concat([lines, copy], ignore_index=True)


def add_row_rule(models_yml: Path, model: str, expression: str) -> None:
    """A content rule the per-document validation does not know, added to the model's row_rules."""
    declared = yaml.safe_load(models_yml.read_text(encoding="utf-8"))
    [node] = [node for node in declared["models"] if node["name"] == model]
    [rules] = [test["row_rules"] for test in node["data_tests"] if "row_rules" in test]
    rules["arguments"]["expressions"].append(expression)
    models_yml.write_text(yaml.safe_dump(declared, allow_unicode=True, sort_keys=False), encoding="utf-8")


def yusuan(args: list[str], env: dict, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([YUSUAN, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=900)


def quarantine(published: Path) -> dict[str, tuple[str, str, str]]:
    with duckdb.connect(str(published), read_only=True) as con:
        rows = con.execute("SELECT file_path, stage, reason, details FROM marts.quarantine").fetchall()
    return {Path(path).name: (stage, reason, details) for path, stage, reason, details in rows}


def documents(published: Path) -> set[str]:
    with duckdb.connect(str(published), read_only=True) as con:
        return {row[0] for row in con.execute("SELECT file_name FROM marts.dim_document").fetchall()}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("content")
    raw, dbt_copy = root / "raw", root / "dbt"
    raw.mkdir()
    shutil.copytree(DBT_PROJECT_DIR, dbt_copy, ignore=shutil.ignore_patterns("target", "logs"))
    add_row_rule(dbt_copy / "models" / "marts" / "core" / "_core__models.yml", "fct_budget_line", DBT_ONLY_RULE)
    shutil.copy(sample(GOOD_SAMPLE), raw / GOOD_SAMPLE)
    futian = render_futian_2022(root / "futian.pdf")
    for number, name in enumerate(PLANTED_OUTPUTS):
        shutil.copy(futian, raw / name)
        with open(raw / name, "ab") as handle:  # distinct bytes, the same pages
            handle.write(f"\n% planted {number}\n".encode())
    thousands = faults.load_tables()
    for table in thousands:
        table["unit"] = "千元"
    render_futian_2022(raw / THOUSANDS, tables=thousands)
    # 表7 row 4 is 行政运行 897.67: printed negative.
    render_futian_2022(raw / NEGATIVE, tables=faults.set_cell(7, 4, 3, "-897.67"))

    warehouse = root / "wh" / "yusuan.duckdb"
    extracted = warehouse.parent / "extracted"
    for source in discover(raw):
        if (planted := PLANTED_OUTPUTS.get(Path(source.path).name)) is not None:
            assert extract_source(source, extracted).ok
            faults.plant_in_output(extracted, source.document_id, *planted)

    env = {k: v for k, v in os.environ.items() if not k.startswith(("YUSUAN_", "DAGSTER_"))}
    env["YUSUAN_DBT_PROJECT_DIR"] = str(dbt_copy)
    run_args = ["run", "--raw", str(raw), "--warehouse", str(warehouse)]
    published = warehouse.parent / "published" / "yusuan.duckdb"
    s = SimpleNamespace(root=root, raw=raw, published=published)

    s.first = yusuan(run_args, env, root)
    s.first_quarantine, s.first_documents = quarantine(published), documents(published)
    s.strict = yusuan([*run_args, "--strict"], env, root)

    # The measure becomes known: one row in the seed CSV, no code.
    with open(dbt_copy / "seeds" / "measure.csv", "a", encoding="utf-8") as seed:
        seed.write(f"{UNSEEN_MEASURE},a measure first seen in a planted document\n")
    (raw / NEGATIVE).unlink()  # its verdict stands; one dbt build less
    s.grown = yusuan(run_args, env, root)
    s.grown_quarantine, s.grown_documents = quarantine(published), documents(published)

    # A model with a SQL error: code, not content.
    model = dbt_copy / "models" / "marts" / "core" / "fct_budget_line.sql"
    model.write_text(model.read_text(encoding="utf-8").replace("select", "select no_such_column,", 1), encoding="utf-8")
    s.published_before_break = published.read_bytes()
    s.broken = yusuan(run_args, env, root)
    s.broken_verbose = yusuan([*run_args, "--verbose"], env, root)
    s.log = (warehouse.parent / "logs" / "last_run.log").read_text(encoding="utf-8")
    return s


def test_the_run_publishes_the_good_document_and_quarantines_each_planted_one(runs):
    assert runs.first.returncode == 0, runs.first.stdout + runs.first.stderr
    assert runs.first_documents == {GOOD_SAMPLE}
    assert set(runs.first_quarantine) == set(EXPECTED_QUARANTINE)
    for name, (stage, reason) in EXPECTED_QUARANTINE.items():
        found_stage, found_reason, details = runs.first_quarantine[name]
        assert found_stage == stage and reason in found_reason + "\n" + details, (name, runs.first_quarantine[name])
    assert f"{NEGATIVE}: quarantined at dbt: {DBT_ONLY_FAILURE}" in runs.first.stdout
    assert "5 quarantined" in runs.first.stdout


def test_a_unit_outside_yuan_is_never_read_as_another_unit(runs):
    _stage, _reason, details = runs.first_quarantine[THOUSANDS]
    assert "unknown_unit: unit '千元' is not one of 元, 万元" in details


def test_strict_exits_1_with_quarantines(runs):
    assert runs.strict.returncode == 1, runs.strict.stdout + runs.strict.stderr
    assert "documents: 0 loaded, 1 skipped as unchanged, 5 quarantined" in runs.strict.stdout


def test_a_measure_added_to_the_seed_lets_its_document_load(runs):
    assert runs.grown.returncode == 0, runs.grown.stdout + runs.grown.stderr
    assert runs.grown_documents == {GOOD_SAMPLE, "unseen measure.pdf"}
    assert "unseen measure.pdf" not in runs.grown_quarantine
    with duckdb.connect(str(runs.published), read_only=True) as con:
        measures = {
            row[0]
            for row in con.execute(
                "SELECT DISTINCT measure FROM marts.fct_budget_line WHERE statement = 'three_public'"
            ).fetchall()
        }
    assert UNSEEN_MEASURE in measures


def test_a_model_error_fails_the_run_in_a_few_lines_and_publishes_nothing(runs):
    result = runs.broken
    assert result.returncode == 1
    assert runs.published.read_bytes() == runs.published_before_break
    failure = result.stderr.strip().splitlines()
    assert len(result.stdout.strip().splitlines()) + len(failure) <= 10, result.stdout + result.stderr
    assert failure[0].startswith("yusuan run failed at step dbt_models: DbtBuildFailed: model fct_budget_line:")
    assert "no_such_column" in result.stderr
    assert "Traceback" not in result.stderr and "Stack Trace" not in result.stderr
    assert failure[-1].endswith(f"Full log: {runs.root / 'wh' / 'logs' / 'last_run.log'}")
    assert "Stack Trace" in runs.log  # the trace went to the log


def test_verbose_prints_the_stack_trace(runs):
    assert runs.broken_verbose.returncode == 1
    assert "Stack Trace" in runs.broken_verbose.stderr or "Traceback" in runs.broken_verbose.stderr
