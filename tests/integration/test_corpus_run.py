"""Every corpus PDF in one `yusuan run` (issue 14): the raw/ samples, the 39 nationwide
budgets of tests/data/nationwide and the hostile files of tests/integration/reliability. The run
publishes; every real budget loads, and the quarantine holds exactly the hostile files,
each at its stage."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import duckdb

from pipelines.extraction.limits import MAX_SECONDS_ENV
from tests.conftest import DATA, RAW
from tests.integration.reliability.conftest import BAD, YUSUAN, clean_env

NATIONWIDE = DATA / "nationwide" / "pdfs"
# Nationwide budgets take up to 3 s each alone; on two busy cores ten times that must still pass.
SECONDS_LIMIT = "30"


def test_one_run_over_every_corpus_pdf(tmp_path):
    raw = tmp_path / "raw"
    for folder, pdfs in (("samples", sorted(RAW.rglob("*.pdf"))), ("nationwide", sorted(NATIONWIDE.glob("*.pdf")))):
        (raw / folder).mkdir(parents=True)
        for pdf in pdfs:
            shutil.copy(pdf, raw / folder / pdf.name)
    for name, (build, _stage, _reason) in BAD.items():
        (raw / name).parent.mkdir(parents=True, exist_ok=True)
        build(raw / name)
    real = {str(path.relative_to(raw)) for path in raw.rglob("*.pdf")} - set(BAD)
    assert len(real) == len(list(RAW.rglob("*.pdf"))) + 39

    warehouse = tmp_path / "wh" / "yusuan.duckdb"
    env = clean_env(tmp_path) | {MAX_SECONDS_ENV: SECONDS_LIMIT}
    run = subprocess.run(
        [YUSUAN, "run", "--raw", str(raw), "--warehouse", str(warehouse)],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr

    with duckdb.connect(str(warehouse.parent / "published" / "yusuan.duckdb"), read_only=True) as con:
        quarantined = {
            str(Path(path).relative_to(raw)): (stage, reason)
            for path, stage, reason in con.execute("SELECT file_path, stage, reason FROM marts.quarantine").fetchall()
        }
        loaded = {
            str(Path(path).relative_to(raw))
            for (path,) in con.execute("SELECT file_path FROM marts.dim_document").fetchall()
        }
    assert set(quarantined) - real == set(BAD)
    for name, (_build, stage, reason) in BAD.items():
        assert quarantined[name][0] == stage, (name, quarantined[name])
        if not reason.startswith("TimeLimitExceeded"):  # its reason names this test's limit
            assert quarantined[name][1].startswith(reason), (name, quarantined[name])
    real_quarantined = {name: quarantined[name] for name in sorted(set(quarantined) & real)}
    assert real_quarantined == {}, "real budgets quarantined:\n" + "\n".join(
        f"{name}: {stage}: {reason}" for name, (stage, reason) in real_quarantined.items()
    )
    assert loaded == real
