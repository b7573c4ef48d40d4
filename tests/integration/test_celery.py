"""Distributed extraction: a backfill through dagster-celery, with Redis on loopback and
two workers, gives the same warehouse as the in-process `yusuan run`.

Redis is Debian's redis-server, which `.ci/run` installs."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time

import pytest

from tests.support.marts import YUSUAN, content, raw_and_dagster_home

DOCUMENTS = [  # six documents, two families, two departments with three years each
    "jiangsu_npc_office_2017_budget.pdf",
    "jiangsu_npc_office_2018_budget.pdf",
    "jiangsu_npc_office_2019_budget_tables.pdf",
    "shanghai_putuo_wanli_street_2023_budget.pdf",
    "shanghai_putuo_wanli_street_2024_budget.pdf",
    "shanghai_putuo_wanli_street_2025_budget.pdf",
]
REDIS = shutil.which("redis-server")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"gave up waiting for {what}")
        time.sleep(0.2)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.mark.skipif(REDIS is None, reason="redis-server is not installed (.ci/run installs it)")
def test_celery_backfill_with_two_workers_matches_in_process_run(tmp_path):
    raw, home = raw_and_dagster_home(tmp_path, DOCUMENTS)
    port = free_port()
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "YUSUAN_EXECUTOR": "celery",
        "YUSUAN_CELERY_BROKER": f"redis://127.0.0.1:{port}/0",
        "YUSUAN_RAW_DIR": str(raw),
        "YUSUAN_WAREHOUSE": str(tmp_path / "celery" / "yusuan.duckdb"),
    }
    processes = []
    try:
        redis = subprocess.Popen(
            [REDIS, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            start_new_session=True,
        )
        processes.append(redis)
        wait_for(lambda: socket.socket().connect_ex(("127.0.0.1", port)) == 0, 20, "redis")

        logs = {name: tmp_path / f"{name}.log" for name in ("worker1", "worker2")}
        for name, log in logs.items():
            processes.append(
                subprocess.Popen(
                    [YUSUAN, "worker", "--name", name],
                    env=env,
                    stdout=log.open("w"),
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
        wait_for(lambda: all(" ready." in log.read_text() for log in logs.values()), 120, "two celery workers")

        backfill = subprocess.run(
            [YUSUAN, "backfill", "--workers", "2"], env=env, capture_output=True, text=True, timeout=1200
        )
        assert backfill.returncode == 0, backfill.stdout + backfill.stderr
        assert f"backfill: {len(DOCUMENTS)} documents, 0 failed" in backfill.stdout
        worker_logs = {name: log.read_text() for name, log in logs.items()}
    finally:
        for process in reversed(processes):
            stop(process)

    # Every extraction step ran on a worker, and both workers took some.
    succeeded = {name: text.count("succeeded in") for name, text in worker_logs.items()}
    assert sum(succeeded.values()) == len(DOCUMENTS), worker_logs
    assert all(count > 0 for count in succeeded.values()), succeeded

    in_process = subprocess.run(
        [YUSUAN, "run", "--raw", str(raw), "--warehouse", str(tmp_path / "in_process" / "yusuan.duckdb")],
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert in_process.returncode == 0, in_process.stdout + in_process.stderr

    distributed = content(tmp_path / "celery" / "published" / "yusuan.duckdb")
    assert len(distributed[0]) == len(DOCUMENTS)
    assert distributed == content(tmp_path / "in_process" / "published" / "yusuan.duckdb")
