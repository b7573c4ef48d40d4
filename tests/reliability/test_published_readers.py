"""BI readers of the published copy during a full `yusuan run`: no error, and always
either the old or the new warehouse, never a mix of the two."""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb

from tests.conftest import sample

STATE_SQL = (
    "SELECT (SELECT count(*) FROM marts.dim_document), (SELECT count(*) FROM marts.fct_budget_line), "
    "(SELECT count(*) FROM raw.document), (SELECT count(*) FROM raw.budget_line)"
)


def yusuan_run(raw: Path, warehouse: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [str(Path(sys.executable).with_name("yusuan")), "run", "--raw", str(raw), "--warehouse", str(warehouse)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )


def read_state(published: Path) -> tuple:
    with duckdb.connect(str(published), read_only=True) as con:
        return con.execute(STATE_SQL).fetchone()


def test_readers_see_old_or_new_never_a_mix(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    warehouse = tmp_path / "wh" / "yusuan.duckdb"
    published = warehouse.parent / "published" / "yusuan.duckdb"
    shutil.copy(sample("jiangsu_npc_office_2019_budget_tables.pdf"), raw)
    first = yusuan_run(raw, warehouse)
    assert first.wait() == 0, first.stdout.read()
    old_state = read_state(published)

    shutil.copy(sample("shanghai_putuo_wanli_street_2024_budget.pdf"), raw)
    observed: list[tuple] = []
    errors: list[BaseException] = []
    second = yusuan_run(raw, warehouse)

    def reader() -> None:
        while second.poll() is None:
            try:
                observed.append(read_state(published))
            except BaseException as exc:  # any failure of a reader is what this test looks for
                errors.append(exc)
            time.sleep(0.05)

    thread = threading.Thread(target=reader)
    thread.start()
    assert second.wait(timeout=600) == 0, second.stdout.read()
    thread.join()
    new_state = read_state(published)

    assert errors == []
    assert len(observed) >= 20  # the reader really ran during the load
    assert old_state[0] == 1 and new_state[0] == 2
    assert set(observed) <= {old_state, new_state}
