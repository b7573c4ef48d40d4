"""The dbt standby (pipelines/orchestration/dbt_standby.py): a dbt command handed to it runs
as the venv's dbt would, with the caller's streams, folder and environment, and gives back
dbt's own exit code.  Without a standby, nothing runs and the launcher runs dbt itself.
The whole pipeline's dbt commands go through it in every pipeline test."""

from __future__ import annotations

import os
import subprocess
import sys

from pipelines.orchestration.dbt_project import DBT
from pipelines.orchestration.dbt_standby import STANDBY_SOCKET_ENV, run_on_standby, standing_by


def test_a_command_runs_on_the_standby_with_the_callers_streams(capfd):
    with standing_by():
        assert run_on_standby(["--version"]) == 0
    printed = capfd.readouterr().out
    assert "Core:" in printed and "duckdb" in printed, printed


def test_the_exit_code_and_messages_are_dbts_own(tmp_path, monkeypatch, capfd):
    # A folder with no dbt project and no profile: dbt refuses, with its own code and words.
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    direct = subprocess.run([DBT, "parse"], capture_output=True, text=True)
    assert direct.returncode != 0
    with standing_by():
        assert run_on_standby(["parse"]) == direct.returncode
    printed = capfd.readouterr()
    assert printed.out + printed.err == direct.stdout + direct.stderr
    assert "Usage: dbt parse" in printed.err


def test_without_a_standby_nothing_runs(tmp_path, monkeypatch):
    monkeypatch.delenv(STANDBY_SOCKET_ENV, raising=False)
    assert run_on_standby(["--version"]) is None
    monkeypatch.setenv(STANDBY_SOCKET_ENV, str(tmp_path / "gone.sock"))
    assert run_on_standby(["--version"]) is None
    monkeypatch.delenv(STANDBY_SOCKET_ENV)
    with standing_by():
        assert os.environ[STANDBY_SOCKET_ENV]
    assert STANDBY_SOCKET_ENV not in os.environ


STOP_WITH_SIGTERM_IGNORED = """
import signal, time
from pipelines.orchestration.dbt_standby import standing_by
signal.signal(signal.SIGTERM, signal.SIG_IGN)  # as a background job's children may inherit it
with standing_by():
    time.sleep(1)  # the standby has started and inherited the disposition
"""


def test_the_standby_stops_where_sigterm_is_ignored():
    stopped = subprocess.run(
        [sys.executable, "-c", STOP_WITH_SIGTERM_IGNORED], timeout=60, capture_output=True, text=True
    )
    assert stopped.returncode == 0, stopped.stderr
