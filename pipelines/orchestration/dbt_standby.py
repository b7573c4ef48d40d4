"""A dbt that has already imported itself, waiting for the run's dbt commands.

dbt's own imports cost 2-3 s of every ``dbt`` command, a fixed share of a nightly that adds
one document.  A run starts this standby before its ingest: it imports dbt on the other
core while the ingest extracts and loads, then waits on a unix socket.  dagster-dbt still
starts the dbt launcher (``dbt_project.dbt_launcher``) as a subprocess; the launcher hands
its arguments, environment, working folder and standard streams to the standby, which forks
a child that runs dbt's command line with them, as the ``dbt`` script would, and answers
with its exit code.  Each command gets a fresh fork, so no state of one dbt command reaches
the next.  When no standby answers, the launcher runs dbt itself: the standby only saves
time.

This module imports nothing heavy at module level: the launcher imports it.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import select
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from pipelines.orchestration.child_process import die_with_parent, exit_without_teardown

# Set in the run's environment while a standby serves it; dagster-dbt passes the
# environment on to the launcher.
STANDBY_SOCKET_ENV = "YUSUAN_DBT_STANDBY"
# dbt's command line, and what a ``dbt build`` imports only once it runs (the adapter of
# the profile, the build task): about 2.3 s, nearly all of it dbt.cli.main.
_PRELOAD = ("dbt.cli.main", "dbt.task.build", "dbt.adapters.duckdb")
_STREAMS = (0, 1, 2)
_LENGTH = struct.Struct("!Q")
_PID = struct.Struct("!q")
_EXIT = struct.Struct("!i")
_POLL_S = 0.05
_LISTENING_WITHIN_S = 2.0


# --- the run's side ---------------------------------------------------------------------


@contextlib.contextmanager
def standing_by() -> Iterator[None]:
    """Serve this block's dbt commands from a standby started now, and stop it after; or
    from the one already serving (the command line starts it before importing Dagster)."""
    if os.environ.get(STANDBY_SOCKET_ENV):
        yield
        return
    # A folder only this user may enter (mode 0700): a request runs dbt with the run's rights.
    with tempfile.TemporaryDirectory(prefix="yusuan-dbt-") as folder:
        path = str(Path(folder) / "standby.sock")
        standby = subprocess.Popen(
            [sys.executable, "-m", __name__, path],
            stdin=subprocess.DEVNULL,
            # A dbt child writes to the streams the launcher hands over.  A standby that
            # fails says nothing: the launcher then runs dbt itself.
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd=Path(__file__).resolve().parents[2],
        )
        os.environ[STANDBY_SOCKET_ENV] = path
        try:
            yield
        finally:
            os.environ.pop(STANDBY_SOCKET_ENV, None)
            # SIGKILL, not SIGTERM, which a process started from a background job may inherit
            # ignored; it holds nothing to close, and a dbt child it forked dies with it.
            standby.kill()
            standby.wait()


# --- the launcher's side ----------------------------------------------------------------


def run_on_standby(args: list[str]) -> int | None:
    """Run ``dbt ARGS`` on the standby named in the environment, with this process's working
    folder, environment and standard streams; its exit code, or None when no standby answers
    (none was started, or it is gone), and then nothing was run."""
    path = os.environ.get(STANDBY_SOCKET_ENV)
    if not path:
        return None
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        _connect(connection, path)
        request = json.dumps({"args": args, "cwd": os.getcwd(), "env": dict(os.environ)}).encode()
        socket.send_fds(connection, [_LENGTH.pack(len(request))], list(_STREAMS))
        connection.sendall(request)
        child = _PID.unpack(_received(connection, _PID.size))[0]
    except OSError:
        connection.close()
        return None
    # dagster-dbt interrupts dbt with SIGINT; the dbt that runs is the standby's child.
    forwarded = (signal.SIGINT, signal.SIGTERM)
    previous = [signal.signal(signum, lambda signum, _frame: _signal_quietly(child, signum)) for signum in forwarded]
    try:
        with connection:
            return _EXIT.unpack(_received(connection, _EXIT.size))[0]
    finally:
        for signum, handler in zip(forwarded, previous, strict=True):
            signal.signal(signum, handler)


def _connect(connection: socket.socket, path: str) -> None:
    """Connect once the standby listens: it does within a fraction of a second of its start,
    and accepts once dbt is imported (waiting for that costs less than importing it)."""
    deadline = time.monotonic() + _LISTENING_WITHIN_S
    while True:
        try:
            connection.connect(path)
            return
        except (FileNotFoundError, ConnectionRefusedError):
            if time.monotonic() > deadline:
                raise
            time.sleep(_POLL_S)


def _signal_quietly(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signum)


def _received(connection: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = connection.recv(size - len(data))
        if not chunk:
            raise ConnectionError("the dbt standby closed the connection")
        data += chunk
    return data


# --- the standby ------------------------------------------------------------------------


def serve(path: str) -> int:
    """Import dbt, then run each request in a forked child.  Returns only in a child, with
    dbt's exit code; the standby itself serves until it is terminated."""
    die_with_parent()
    # A terminal's Ctrl-C reaches the whole process group: the run stops the standby itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen()
    for module in _PRELOAD:
        importlib.import_module(module)
    format_only_logged_events()
    while True:
        connection, _address = listener.accept()
        with connection:
            try:
                header, streams, _flags, _address = socket.recv_fds(connection, _LENGTH.size, len(_STREAMS))
                request = json.loads(_received(connection, _LENGTH.unpack(header)[0]))
            except (OSError, ValueError, struct.error):
                continue  # a launcher that died mid-request: it ran nothing, nobody waits
            sys.stdout.flush()
            sys.stderr.flush()
            child = os.fork()
            if child == 0:
                listener.close()
                connection.close()
                return _run_dbt(request, streams)
            for stream in streams:
                os.close(stream)
            with contextlib.suppress(OSError):
                connection.sendall(_PID.pack(child))
                connection.sendall(_EXIT.pack(_wait(child, connection)))


def format_only_logged_events() -> None:
    """Have dbt format an event for a log only when the log keeps events of its level.

    dbt formats every event for each of its logs (JSON: a protobuf message made a dict,
    dumped, and scrubbed of secrets, the environment read anew for each line) and only then
    hands the line to the log's Python logger, whose level drops it.  9 in 10 of a build's
    events are debug, which the run's logs (JSON on stdout at info) never keep: formatting
    them was a tenth of an incremental build.  What is logged is unchanged.  A private
    method of the pinned dbt-common: tests/integration/test_dbt_standby.py checks it."""
    from dbt_common.events import logger as dbt_logger

    write_line = dbt_logger._Logger.write_line

    def write_logged_line(self, msg) -> None:
        python_logger = self._python_logger
        if (
            python_logger is not None
            and not dbt_logger._is_print_event(msg)  # dbt sends these at error level, always shown
            and not python_logger.isEnabledFor(dbt_logger._log_level_map[dbt_logger.EventLevel(msg.info.level)])
        ):
            return
        write_line(self, msg)

    dbt_logger._Logger.write_line = write_logged_line


def _wait(child: int, connection: socket.socket) -> int:
    """The child's exit code, as a shell gives it (128 + the signal that killed it).  A
    launcher that dies first takes its dbt with it, as it did when it was dbt itself."""
    while True:
        pid, status = os.waitpid(child, os.WNOHANG)
        if pid:
            code = os.waitstatus_to_exitcode(status)
            return code if code >= 0 else 128 - code
        readable, _, _ = select.select([connection], [], [], _POLL_S)
        if readable and not connection.recv(1, socket.MSG_PEEK):
            _signal_quietly(child, signal.SIGKILL)
            os.waitpid(child, 0)
            return 128 + signal.SIGKILL


def _run_dbt(request: dict, streams: list[int]) -> int:
    """In the forked child: become the ``dbt`` command the launcher was started as."""
    die_with_parent()
    signal.signal(signal.SIGINT, signal.default_int_handler)
    for target, stream in zip(_STREAMS, streams, strict=True):
        os.dup2(stream, target)
        os.close(stream)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    sys.argv = ["dbt", *request["args"]]
    from dbt.cli.main import cli

    try:
        cli(prog_name="dbt")  # not click's guess from ``python -m``: messages name the dbt command
    except SystemExit as exit_:
        return _exit_code(exit_.code)
    return 0


def _exit_code(code: object) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)  # as the interpreter does for sys.exit("message")
    return 1


if __name__ == "__main__":
    # Only a dbt child gets here; it leaves as the ``dbt`` script would, less the teardown.
    exit_without_teardown(serve(sys.argv[1]))
