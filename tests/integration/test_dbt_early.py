"""The dbt build a run starts before Dagster's dbt step (dbt_invocation.py, dbt_standby.py):
handed over, whole, to the launcher that asks for the same command; stopped when the command
asked for differs in anything, or when no step asks for it.  That a pipeline run's own build
is adopted is checked in test_pipeline.py."""

from __future__ import annotations

import os
import select
import socket
import subprocess
import sys

import pytest

from pipelines.orchestration.dbt_invocation import DBT, build_command, claim_early, forget_early, start_early
from pipelines.orchestration.dbt_standby import (
    ADOPTED,
    _EarlyBuild,
    _wait,
    early_build_outcome,
    run_on_standby,
    standing_by,
    start_on_standby,
    stop_early_on_standby,
)


@pytest.fixture
def outside_a_project(tmp_path, monkeypatch):
    """A folder with no dbt project and no profile, where `dbt parse` refuses with its own
    words and exit code, as a direct run shows."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    return subprocess.run([DBT, "parse"], capture_output=True, text=True)


def start(args: list[str], **env: str) -> None:
    """Start ``dbt ARGS`` early as the launcher would ask for it from here (this folder and
    environment, plus ``env``)."""
    assert start_on_standby(args, os.getcwd(), {**os.environ, **env})


def test_the_same_command_gets_the_early_builds_output_and_exit_code(outside_a_project, capfd):
    direct = outside_a_project
    assert direct.returncode != 0
    with standing_by():
        start(["parse"])
        assert run_on_standby(["parse"]) == direct.returncode
        assert early_build_outcome() == ADOPTED
    printed = capfd.readouterr()
    assert (printed.out, printed.err) == (direct.stdout, direct.stderr)
    assert "Usage: dbt parse" in printed.err


def test_another_command_stops_the_early_build_and_runs_its_own(outside_a_project, capfd):
    direct = outside_a_project
    with standing_by():
        start(["--version"])
        assert run_on_standby(["parse"]) == direct.returncode
        assert early_build_outcome().startswith("stopped: the arguments differ: ['--version'] started")
    printed = capfd.readouterr()
    assert (printed.out, printed.err) == (direct.stdout, direct.stderr)  # nothing of --version


def test_another_environment_stops_the_early_build(outside_a_project, capfd):
    with standing_by():
        start(["--version"], YUSUAN_TEST_ONLY="early")
        assert run_on_standby(["--version"]) == 0
        assert early_build_outcome() == "stopped: the environment differs in YUSUAN_TEST_ONLY"
    assert capfd.readouterr().out.count("Core:") == 1  # the launcher's own run, not the early one


def test_an_early_build_nobody_asks_for_is_stopped(outside_a_project, capfd):
    with standing_by():
        start(["--version"])
        assert stop_early_on_standby("a test asked")
        assert early_build_outcome() == "stopped: a test asked"
    assert capfd.readouterr().out == ""


WRITE_AND_EXIT = """
import os, sys
os.write(1, b"o" * 1_000_000)  # far more than a pipe holds (64 KiB)
os.write(2, b"err")
sys.exit(3)
"""


def test_the_early_builds_output_is_kept_whole_until_handed_over(tmp_path):
    pipes = [os.pipe(), os.pipe()]
    child = subprocess.Popen([sys.executable, "-c", WRITE_AND_EXIT], stdout=pipes[0][1], stderr=pipes[1][1])
    for _read, write in pipes:
        os.close(write)
    early = _EarlyBuild({"args": []}, child.pid, [read for read, _write in pipes])
    while early.outputs:  # the standby reads while it waits for the launcher
        readable, _, _ = select.select(early.outputs, [], [])
        early.pass_on(readable)
    out, err = tmp_path / "out", tmp_path / "err"
    streams = [os.open(os.devnull, os.O_RDONLY), *(os.open(f, os.O_WRONLY | os.O_CREAT) for f in (out, err))]
    early.hand_over(streams)
    launcher, _standby = socket.socketpair()
    assert _wait(child.pid, launcher, early) == 3
    early.close()
    assert (out.read_bytes(), err.read_bytes()) == (b"o" * 1_000_000, b"err")


@pytest.fixture
def build_environment(tmp_path, monkeypatch):
    """What start_early sets in the environment, restored after the test."""
    for name in ("YUSUAN_WAREHOUSE", "YUSUAN_DBT_TEST_ALL_ROWS"):
        monkeypatch.setenv(name, "")
    return tmp_path / "warehouse.duckdb", tmp_path / "published" / "yusuan.duckdb"


def test_a_step_asking_for_another_build_stops_the_early_one(build_environment):
    warehouse, published = build_environment
    with standing_by():
        early = start_early(warehouse, published, full_refresh=False)
        assert early is not None and early.command == build_command(full_build=True)  # nothing was published
        assert claim_early(full_refresh=True) is None
        assert early_build_outcome() == "stopped: the dbt step asked for full_refresh=True"
        assert claim_early(full_refresh=False) is None  # claimed once


def test_a_run_whose_step_never_asked_stops_its_early_build(build_environment):
    warehouse, published = build_environment
    with standing_by():
        assert start_early(warehouse, published, full_refresh=False) is not None
        forget_early()
        assert early_build_outcome() == "stopped: no dbt step adopted it"


def test_without_a_standby_nothing_starts_early(build_environment, monkeypatch):
    monkeypatch.delenv("YUSUAN_DBT_STANDBY", raising=False)
    warehouse, published = build_environment
    assert start_early(warehouse, published, full_refresh=False) is None
    assert claim_early(full_refresh=False) is None
