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

A run may also start its build before Dagster's dbt step asks for it (dbt_invocation.py):
the standby runs it with its output kept, and when the launcher then asks for the very same
command (arguments, folder, environment), hands over that output, then the rest as dbt
writes it, and the build's exit code.  A request for anything else stops the early build
first.  What became of it is written next to the socket (``early_build_outcome``).

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
from typing import NoReturn

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
_STOPPED_WITHIN_S = 30.0  # an early build asked to stop (SIGINT) before it is killed
_CHUNK = 1 << 16
# What a request asks for: run a command with the caller's streams (the launcher), start
# one early with its output kept, or stop the early one.
_RUN, _START, _STOP = "run", "start", "stop"
_OUTCOME_FILE = "early-build"
ADOPTED = "adopted"


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
        _send(connection, {"args": args, "cwd": os.getcwd(), "env": dict(os.environ)}, list(_STREAMS))
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


def start_on_standby(args: list[str], cwd: str, env: dict[str, str]) -> bool:
    """Have the standby start ``dbt ARGS`` now, its output kept until a launcher asks for the
    same command (see the module's docstring); False when no standby answers."""
    return _tell_standby({"kind": _START, "args": args, "cwd": cwd, "env": env})


def stop_early_on_standby(reason: str) -> bool:
    """Stop the build started early, which nobody will ask for (``reason``), and wait for it."""
    return _tell_standby({"kind": _STOP, "reason": reason}, wait=True)


def early_build_outcome() -> str | None:
    """What became of the build started early: ADOPTED, or why it was stopped; None while
    nobody has asked for it (or none was started)."""
    path = os.environ.get(STANDBY_SOCKET_ENV)
    outcome = Path(path).with_name(_OUTCOME_FILE) if path else None
    return outcome.read_text(encoding="utf-8") if outcome is not None and outcome.exists() else None


def _tell_standby(request: dict, wait: bool = False) -> bool:
    path = os.environ.get(STANDBY_SOCKET_ENV)
    if not path:
        return False
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
            _connect(connection, path)
            _send(connection, request, [])
            if wait:
                _received(connection, _EXIT.size)
    except OSError:
        return False
    return True


def _send(connection: socket.socket, request: dict, streams: list[int]) -> None:
    """A request as the standby reads it: its length with the streams handed over, then it."""
    message = json.dumps(request).encode()
    socket.send_fds(connection, [_LENGTH.pack(len(message))], streams)
    connection.sendall(message)


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


def serve(path: str) -> NoReturn:
    """Import dbt, then answer each request; the standby serves until it is terminated, and
    each dbt child leaves from _fork."""
    die_with_parent()
    # A terminal's Ctrl-C reaches the whole process group: the run stops the standby itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen()
    for module in _PRELOAD:
        importlib.import_module(module)
    format_only_logged_events()
    standby = _Standby(path, listener)
    while True:
        connection = _accept(listener, standby.early)
        with connection:
            try:
                header, streams, _flags, _address = socket.recv_fds(connection, _LENGTH.size, len(_STREAMS))
                request = json.loads(_received(connection, _LENGTH.unpack(header)[0]))
            except (OSError, ValueError, struct.error):
                continue  # a launcher that died mid-request: it ran nothing, nobody waits
            standby.answer(connection, request, streams)


class _Standby:
    """Answers requests one at a time; between them, keeps the build started early, if any."""

    def __init__(self, path: str, listener: socket.socket) -> None:
        self.outcome = Path(path).with_name(_OUTCOME_FILE)
        self.listener = listener
        self.early: _EarlyBuild | None = None

    def answer(self, connection: socket.socket, request: dict, streams: list[int]) -> None:
        kind = request.get("kind", _RUN)
        if self.early is not None:
            if kind == _STOP:
                stop_because = request.get("reason") or "the run asked to"
            elif kind == _START:
                stop_because = "another build was started early"
            else:
                stop_because = _differences(self.early.request, request)
            if stop_because:
                self.early.stop()
                self.early = None
                self._write_outcome(f"stopped: {stop_because}")
        if kind == _STOP:
            with contextlib.suppress(OSError):
                connection.sendall(_EXIT.pack(0))
        elif kind == _START:
            self.outcome.unlink(missing_ok=True)
            pipes = [os.pipe(), os.pipe()]  # its stdout and stderr, kept until handed over
            outputs = [read for read, _write in pipes]
            streams = [os.open(os.devnull, os.O_RDONLY), *(write for _read, write in pipes)]
            child = self._fork(request, streams, connection, outputs)
            self.early = _EarlyBuild(request, child, outputs)
        else:
            adopted, self.early = self.early, None  # the same command, if any: hand it over
            if adopted is not None:
                self._write_outcome(ADOPTED)
                adopted.hand_over(streams)
            child = adopted.pid if adopted is not None else self._fork(request, streams, connection)
            with contextlib.suppress(OSError):
                connection.sendall(_PID.pack(child))
                connection.sendall(_EXIT.pack(_wait(child, connection, adopted)))
            if adopted is not None:
                adopted.close()

    def _fork(self, request: dict, streams: list[int], connection: socket.socket, kept: list[int] = ()) -> int:
        """A child that runs the request's dbt with ``streams``; the standby keeps none of them."""
        sys.stdout.flush()
        sys.stderr.flush()
        child = os.fork()
        if child == 0:
            for fd in (self.listener.fileno(), connection.fileno(), *kept):
                os.close(fd)
            # It leaves as the ``dbt`` script would, less the teardown.
            exit_without_teardown(_run_dbt(request, streams))
        for stream in streams:
            os.close(stream)
        return child

    def _write_outcome(self, outcome: str) -> None:
        staging = self.outcome.with_name(f".{_OUTCOME_FILE}")
        staging.write_text(outcome, encoding="utf-8")
        os.replace(staging, self.outcome)


class _EarlyBuild:
    """A dbt child started before anyone asked for its output: its stdout and stderr are
    read as it writes them (a full pipe would stop it), kept, then passed on to the
    launcher that asks for the same command."""

    def __init__(self, request: dict, pid: int, outputs: list[int]) -> None:
        self.request = request
        self.pid = pid
        self.stream_of = {read: stream for read, stream in zip(outputs, _STREAMS[1:], strict=True)}
        self.kept = {stream: bytearray() for stream in _STREAMS[1:]}
        self.targets: dict[int, int] = {}  # stream → the launcher's, once handed over

    @property
    def outputs(self) -> list[int]:
        """The pipes dbt has not closed yet."""
        return list(self.stream_of)

    def pass_on(self, readable: list) -> None:
        """Read what dbt wrote to the ``readable`` pipes: kept, or written to the launcher's
        streams once handed over (OSError: the launcher is gone)."""
        for read in readable:
            if read not in self.stream_of:
                continue
            chunk = os.read(read, _CHUNK)
            stream = self.stream_of[read]
            if not chunk:
                os.close(read)
                del self.stream_of[read]
            elif stream in self.targets:
                _write_all(self.targets[stream], chunk)
            else:
                self.kept[stream] += chunk

    def hand_over(self, streams: list[int]) -> None:
        """From now on, dbt's output goes to the launcher's streams, what it wrote so far first."""
        os.close(streams[0])  # dbt reads no input
        self.targets = dict(zip(_STREAMS[1:], streams[1:], strict=True))
        with contextlib.suppress(OSError):  # a launcher gone already: _wait sees it
            for stream, kept in self.kept.items():
                _write_all(self.targets[stream], bytes(kept))
        self.kept.clear()

    def stop(self) -> None:
        """Interrupt dbt as Ctrl-C would (it stops between nodes and closes the warehouse),
        killed if it has not within _STOPPED_WITHIN_S; its output is dropped."""
        _signal_quietly(self.pid, signal.SIGINT)
        deadline = time.monotonic() + _STOPPED_WITHIN_S
        while not os.waitpid(self.pid, os.WNOHANG)[0]:
            if time.monotonic() > deadline:
                _signal_quietly(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
                break
            readable, _, _ = select.select(self.outputs, [], [], _POLL_S)
            self.pass_on(readable)
            self.kept = {stream: bytearray() for stream in self.kept}
        self.close()

    def close(self) -> None:
        for read in self.outputs:
            os.close(read)
        self.stream_of.clear()
        for target in self.targets.values():
            with contextlib.suppress(OSError):
                os.close(target)
        self.targets.clear()


def _accept(listener: socket.socket, early: _EarlyBuild | None) -> socket.socket:
    """The next request; meanwhile, an early build's output is read as it comes."""
    while early is not None and early.outputs:
        readable, _, _ = select.select([listener, *early.outputs], [], [])
        if listener in readable:
            break
        early.pass_on(readable)
    return listener.accept()[0]


def _differences(started: dict, asked: dict) -> str | None:
    """How the command asked for differs from the one started early, or None: the same."""
    if started["args"] != asked.get("args"):
        return f"the arguments differ: {started['args']} started, {asked.get('args')} asked for"
    if started["cwd"] != asked.get("cwd"):
        return f"the working folder differs: {started['cwd']} started, {asked.get('cwd')} asked for"
    env, asked_env = started["env"], asked.get("env") or {}
    names = sorted(name for name in env.keys() | asked_env.keys() if env.get(name) != asked_env.get(name))
    return f"the environment differs in {', '.join(names)}" if names else None


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


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


def _wait(child: int, connection: socket.socket, adopted: _EarlyBuild | None = None) -> int:
    """The child's exit code, as a shell gives it (128 + the signal that killed it), once an
    adopted build's output is all passed on.  A launcher that dies first takes its dbt with
    it, as it did when it was dbt itself."""
    code = None
    while code is None or (adopted is not None and adopted.outputs):
        if code is None:
            pid, status = os.waitpid(child, os.WNOHANG)
            if pid:
                code = os.waitstatus_to_exitcode(status)
                code = code if code >= 0 else 128 - code
                continue
        readable, _, _ = select.select([connection, *(adopted.outputs if adopted else ())], [], [], _POLL_S)
        try:
            if adopted is not None:
                adopted.pass_on(readable)
            launcher_gone = connection in readable and not connection.recv(1, socket.MSG_PEEK)
        except OSError:
            launcher_gone = True
        if launcher_gone:
            if code is None:
                _signal_quietly(child, signal.SIGKILL)
                os.waitpid(child, 0)
                code = 128 + signal.SIGKILL
            return code
    return code


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
    serve(sys.argv[1])
