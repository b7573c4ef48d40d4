"""One run at a time per warehouse: an exclusive ``flock`` on a file beside it.

DuckDB lets a single process write a database file.  A second ``yusuan run``
started while one is running (a nightly schedule and a manual run) would fail
half-way, at the load step; instead it waits for the first to finish, then runs
on what the first left: usually nothing new, so it is quick.

The operating system releases the lock when the holder exits, however it exits
(SIGKILL included), so a crashed run never blocks the next one.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
from collections.abc import Callable, Iterator
from pathlib import Path


def lock_path(warehouse: Path) -> Path:
    warehouse = Path(warehouse)
    return warehouse.with_name(f"{warehouse.name}.lock")


@contextlib.contextmanager
def run_lock(warehouse: Path, on_wait: Callable[[str], None] | None = None) -> Iterator[Path]:
    """Hold the warehouse's run lock for the body; ``on_wait(holder)`` is called once
    when another process holds it (``holder`` is what it wrote: its pid)."""
    path = lock_path(warehouse)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES):
                raise
            if on_wait is not None:
                on_wait(os.pread(fd, 64, 0).decode(errors="replace").strip() or "unknown")
            fcntl.flock(fd, fcntl.LOCK_EX)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield path
    finally:
        os.close(fd)  # releases the lock; the file stays, so no two processes lock different inodes
