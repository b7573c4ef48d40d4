"""How the run's processes end: children that die with the run that started them, and
an exit without the interpreter's teardown.

A run killed outright (SIGKILL, the OOM killer) runs no clean-up code, so its
children must be told by the kernel: PR_SET_PDEATHSIG sends them SIGKILL when
their parent dies.  This module imports nothing heavy: dbt's launcher imports it
before it becomes dbt.
"""

from __future__ import annotations

import atexit
import os
import signal
import sys
import threading
from typing import NoReturn

# linux/prctl.h
_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """Called in a child before it execs: be killed when the parent dies, however it dies.
    (The kernel watches the thread that started the child: Dagster starts dbt from the
    step's own thread, which waits for it.)  Linux only; elsewhere a leftover holder of
    the warehouse is named by the next run."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    parent = os.getppid()
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


def exit_without_teardown(code: int) -> NoReturn:
    """Leave with ``code`` once what an exit must do is done: the exit handlers (log
    handlers flushed, temporary folders removed, pools stopped, dbt-duckdb's connections
    closed) and the streams flushed.  Python's own exit would then free every object and
    module one by one: 0.5-1.5 s after a run, or a dbt command, that loaded Dagster's,
    dbt's and pandas's.  A thread still running keeps the ordinary exit, which waits for it."""
    if threading.active_count() > 1:
        sys.exit(code)
    atexit._run_exitfuncs()  # what Python's exit runs before the teardown skipped here
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
