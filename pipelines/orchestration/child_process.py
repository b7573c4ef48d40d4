"""Child processes that die with the run that started them.

A run killed outright (SIGKILL, the OOM killer) runs no clean-up code, so its
children must be told by the kernel: PR_SET_PDEATHSIG sends them SIGKILL when
their parent dies.  This module imports nothing heavy: dbt's launcher imports it
before it becomes dbt.
"""

from __future__ import annotations

import os
import signal
import sys

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
