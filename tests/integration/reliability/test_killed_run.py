"""A killed run leaves nothing running (issue 14).

`yusuan run` is SIGKILLed alone (not its process group) while `dbt build` runs: dbt must
die with it instead of holding DuckDB's write lock as an orphan. The next run publishes,
and no process of the killed run is left. A run that finds the warehouse held by another
process says which one, in one line, and waits for it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from tests.conftest import sample
from tests.integration.reliability.conftest import YUSUAN, clean_env

SMALL_SAMPLE = "jiangsu_npc_office_2019_budget_tables.pdf"


def session_processes(session: int) -> dict[int, str]:
    """Every live process of a session (the killed run started one of its own), with its command line."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue  # ended while we looked
        # Fields after the command name (which may hold spaces): state ppid pgrp session …
        fields = stat[stat.rindex(")") + 2 :].split()
        if fields[0] != "Z" and int(fields[3]) == session:
            found[int(entry.name)] = command.strip()
    return found


def wait_until(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(0.2)
    raise AssertionError(f"not within {timeout}s: {what}")


def test_a_run_killed_during_dbt_build_leaves_nothing_running(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / SMALL_SAMPLE).write_bytes(sample(SMALL_SAMPLE).read_bytes())
    warehouse = tmp_path / "wh" / "yusuan.duckdb"
    args = [YUSUAN, "run", "--raw", str(raw), "--warehouse", str(warehouse)]
    env = clean_env(tmp_path)

    first = subprocess.Popen(
        args, env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    try:
        dbt = wait_until(
            lambda: [
                pid for pid, command in session_processes(first.pid).items() if " build" in command and "dbt" in command
            ],
            240,
            "dbt build started",
        )
        time.sleep(3)  # dbt has opened the warehouse and holds its lock
        os.kill(first.pid, signal.SIGKILL)  # the run alone, not its group
        first.wait(timeout=30)
        wait_until(
            lambda: not session_processes(first.pid),
            30,
            f"the killed run's processes ended (dbt was {dbt}): {session_processes(first.pid)}",
        )
    finally:
        for pid in session_processes(first.pid):  # never leave them behind, even when the test fails
            os.kill(pid, signal.SIGKILL)

    second = subprocess.run(args, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert second.returncode == 0, second.stdout + second.stderr
    published = warehouse.parent / "published" / "yusuan.duckdb"
    with duckdb.connect(str(published), read_only=True) as con:
        assert con.execute("SELECT file_name FROM marts.dim_document").fetchall() == [(SMALL_SAMPLE,)]
    assert session_processes(first.pid) == {}


HOLD_THE_LOCK = """
import duckdb, sys, time
con = duckdb.connect(sys.argv[1])
print("holding", flush=True)
time.sleep(float(sys.argv[2]))
"""


def test_a_warehouse_held_by_another_process_is_named_in_one_line_and_waited_for(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()  # nothing to load: the run only opens the warehouse
    warehouse = tmp_path / "wh" / "yusuan.duckdb"
    warehouse.parent.mkdir()
    duckdb.connect(str(warehouse)).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_THE_LOCK, str(warehouse), "6"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        run = subprocess.run(
            [YUSUAN, "run", "--raw", str(raw), "--warehouse", str(warehouse)],
            env=clean_env(tmp_path),
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        holder.kill()
        holder.wait()
    assert run.returncode == 0, run.stdout + run.stderr
    waiting = [line for line in run.stdout.splitlines() if "holds the warehouse lock" in line]
    assert len(waiting) == 1, run.stdout
    assert waiting[0].startswith(f"yusuan: process {holder.pid} (") and "waiting" in waiting[0]
