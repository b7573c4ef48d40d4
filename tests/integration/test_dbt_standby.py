"""The dbt standby (pipelines/orchestration/dbt_standby.py): a dbt command handed to it runs
as the venv's dbt would, with the caller's streams, folder and environment, and gives back
dbt's own exit code.  Without a standby, nothing runs and the launcher runs dbt itself.
The whole pipeline's dbt commands go through it in every pipeline test."""

from __future__ import annotations

import json
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


LOG_AT_INFO = """
import io, json
from unittest import mock
from dbt_common.events.base_types import EventLevel, msg_from_base_event
from dbt_common.events.logger import LineFormat, LoggerConfig, _JsonLogger
from dbt_common.events.types import Note, PrintEvent
from pipelines.orchestration.dbt_standby import format_only_logged_events

def logged(events):
    stream = io.StringIO()
    log = _JsonLogger(LoggerConfig(name="stdout_log", line_format=LineFormat.Json, level=EventLevel.INFO,
                                   output_stream=stream))
    with mock.patch.object(_JsonLogger, "create_line", autospec=True, side_effect=_JsonLogger.create_line) as formatted:
        for event in events:
            log.write_line(event)
    return [json.loads(line)["info"]["msg"] for line in stream.getvalue().splitlines()], formatted.call_count

events = [msg_from_base_event(Note(msg=f"{level.value} note"), level=level)
          for level in (EventLevel.DEBUG, EventLevel.INFO, EventLevel.WARN, EventLevel.ERROR)]
events.append(msg_from_base_event(PrintEvent(msg="printed"), level=EventLevel.DEBUG))
before = logged(events)
format_only_logged_events()
print(json.dumps([before, logged(events)]))
"""


def test_the_standby_formats_only_the_events_a_log_keeps():
    ran = subprocess.run([sys.executable, "-c", LOG_AT_INFO], capture_output=True, text=True, timeout=120)
    assert ran.returncode == 0, ran.stderr
    (lines_before, formatted_before), (lines_after, formatted_after) = json.loads(ran.stdout)
    assert lines_after == lines_before == ["info note", "warn note", "error note", "printed"]
    assert (formatted_before, formatted_after) == (5, 4)  # the debug event is no longer formatted
