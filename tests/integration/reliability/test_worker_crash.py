"""An extraction process killed mid-document (the OOM killer, a crash in native PDF
code) costs a retry, not the run: every document still ends extracted."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

from pipelines.ingest.discovery import discover
from pipelines.ingest.handoff import is_extracted
from pipelines.ingest.processing import extract_sources
from tests.conftest import RAW


def _children(parent: int, command: bytes) -> list[int]:
    """Processes whose parent is ``parent`` and whose command line holds ``command``."""
    children = []
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if stat.rsplit(")", 1)[1].split()[1] == str(parent) and command in cmdline:
            children.append(int(entry.name))
    return children


def _extraction_workers() -> list[int]:
    """The workers forked by this process's fork server (processing._pool)."""
    return [worker for server in _children(os.getpid(), b"forkserver") for worker in _children(server, b"forkserver")]


def test_a_killed_extraction_process_is_retried_and_nothing_is_lost(tmp_path):
    sources = discover(RAW)  # all of them: a worker must still be busy when it is killed
    killed: list[int] = []

    def kill_one_worker() -> None:
        deadline = time.monotonic() + 60
        while not killed and time.monotonic() < deadline:
            children = _extraction_workers()
            if children:
                time.sleep(0.2)  # let it start on a document
                try:
                    os.kill(children[0], signal.SIGKILL)
                except ProcessLookupError:
                    continue  # it finished its documents first: try the next one
                killed.append(children[0])
            time.sleep(0.05)

    killer = threading.Thread(target=kill_one_worker)
    killer.start()
    statuses = extract_sources(sources, tmp_path, workers=2)
    killer.join()

    assert killed, "no extraction process was seen to kill"
    assert [s.document_id for s in statuses] == [s.document_id for s in sources]
    assert all(s.ok for s in statuses), [s.reason for s in statuses if not s.ok]
    assert all(is_extracted(tmp_path, s.document_id) for s in sources)
