"""The raw/ sensor, the nightly schedule and the orchestration wiring."""

from __future__ import annotations

import os
import shutil
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from dagster import DagsterInstance, build_schedule_context, build_sensor_context

from pipelines.orchestration.assets.dbt import KEEP_INVOCATION_TARGETS, prune_invocation_targets
from pipelines.orchestration.definitions import defs
from pipelines.orchestration.resources import PipelinePaths
from pipelines.orchestration.schedules import build_nightly_schedule
from pipelines.orchestration.sensors import build_raw_files_sensor
from pipelines.settings import Settings
from tests.conftest import sample


@pytest.fixture
def paths(tmp_path) -> PipelinePaths:
    raw = tmp_path / "raw" / "江苏 2019"
    raw.mkdir(parents=True)
    shutil.copy(sample("jiangsu_npc_office_2019_budget_tables.pdf"), raw / "人大 2019.pdf")
    shutil.copy(sample("jiangsu_party_office_2019_budget_tables.pdf"), raw / "party.PDF")
    (raw / "notes.txt").write_text("not a pdf")
    return PipelinePaths(
        raw_dir=str(tmp_path / "raw"),
        warehouse_path=str(tmp_path / "w.duckdb"),
        extract_dir=str(tmp_path / "x"),
        published_path=str(tmp_path / "p.duckdb"),
    )


def tick(paths: PipelinePaths, instance: DagsterInstance, cursor: str | None):
    context = build_sensor_context(cursor=cursor, instance=instance, resources={"paths": paths})
    return build_raw_files_sensor(Settings.from_env({}))(context)


def test_sensor_requests_new_and_changed_files_only(paths):
    instance = DagsterInstance.ephemeral()
    first = tick(paths, instance, None)
    keys = sorted(r.partition_key for r in first.run_requests)
    assert keys == ["江苏 2019/party.PDF", "江苏 2019/人大 2019.pdf"]
    assert sorted(first.dynamic_partitions_requests[0].partition_keys) == keys

    # A restart with the cursor requests nothing again.
    again = tick(paths, instance, first.cursor)
    assert again.run_requests == [] and again.dynamic_partitions_requests == []

    # Touched but unchanged bytes: nothing; new bytes at the same path: one run, no new partition.
    target = paths.raw / "江苏 2019" / "party.PDF"
    os.utime(target, ns=(1, 1))
    touched = tick(paths, instance, again.cursor)
    assert touched.run_requests == []
    shutil.copy(sample("jiangsu_party_office_2018_budget_tables.pdf"), target)
    changed = tick(paths, instance, touched.cursor)
    assert [r.partition_key for r in changed.run_requests] == ["江苏 2019/party.PDF"]
    assert changed.dynamic_partitions_requests == []
    assert changed.run_requests[0].run_key != first.run_requests[0].run_key

    # A new file: one run and one new partition.
    shutil.copy(sample("jiangsu_procuratorate_2019_budget.pdf"), paths.raw / "检察院.pdf")
    added = tick(paths, instance, changed.cursor)
    assert [r.partition_key for r in added.run_requests] == ["检察院.pdf"]
    assert added.dynamic_partitions_requests[0].partition_keys == ["检察院.pdf"]


def test_sensor_does_not_follow_symlinks_out_of_raw(paths, tmp_path):
    outside = tmp_path / "outside.pdf"
    shutil.copy(sample("jiangsu_npc_office_2018_budget.pdf"), outside)
    (paths.raw / "link.pdf").symlink_to(outside)
    result = tick(paths, DagsterInstance.ephemeral(), None)
    assert "link.pdf" not in {r.partition_key for r in result.run_requests}


def test_nightly_schedule_tick():
    nightly_schedule = build_nightly_schedule(Settings.from_env({}))  # the defaults
    assert nightly_schedule.execution_timezone == "Asia/Shanghai"
    assert nightly_schedule.cron_schedule == "0 2 * * *"
    context = build_schedule_context(
        scheduled_execution_time=datetime(2026, 11, 29, 2, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    )
    requests = list(nightly_schedule.evaluate_tick(context).run_requests)
    assert len(requests) == 1 and requests[0].job_name in (None, "nightly")
    assert nightly_schedule.job_name == "nightly"


def test_orchestration_is_wired():
    assert {s.name for s in defs.sensors} >= {"raw_files_sensor", "notify_on_run_failure"}
    nightly = defs.get_job_def("nightly")
    assert "document_extraction" not in {n.name for n in nightly.graph.node_defs}
    graph = defs.resolve_asset_graph()
    checks = {k.name for k in graph.asset_check_keys}
    assert {"accounting_identities", "nothing_quarantined"} <= checks
    assert any("freshness" in name for name in checks)


def test_old_dbt_invocation_folders_are_pruned_but_recent_ones_kept(tmp_path):
    now = 1_000_000_000.0

    def folder(name: str, age_s: float):
        path = tmp_path / f"dbt_models-{name}"
        path.mkdir()
        os.utime(path, (now - age_s, now - age_s))
        return path

    # More recent folders than are kept by count: all are kept, another run may be writing one.
    recent = [folder(f"recent{i}", 60 * (i + 1)) for i in range(KEEP_INVOCATION_TARGETS + 2)]
    old = [folder(f"old{i}", 2 * 24 * 3600 + i) for i in range(3)]
    hand_run = tmp_path / "compiled"  # what a hand-run dbt leaves: not ours to remove
    hand_run.mkdir()
    os.utime(hand_run, (0, 0))

    removed = prune_invocation_targets(tmp_path, now=now)

    assert sorted(removed) == sorted(old)
    assert all(path.exists() for path in recent) and hand_run.exists()
    assert not any(path.exists() for path in old)
