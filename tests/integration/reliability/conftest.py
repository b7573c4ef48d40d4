"""One scripted scenario, shared by the reliability tests: `yusuan run` as a data team runs it.

1. run 1: raw/ holds every bad input of ``BAD`` beside good documents under awkward
   names, a duplicate and symlinks out of raw/; it must complete and quarantine
   exactly the bad ones.
2. new documents arrive; run 2 is killed with SIGKILL right after its first
   "loaded N lines" line, that is, inside the load; run 2b is killed right after
   the last new document's line: everything loaded, nothing built or published.
3. run 3 must complete as if nothing had happened; while it runs, a reader polls
   the published copy, and run 4 (``--strict``) is started against the same
   warehouse: it has to wait for run 3.
4. a clean ingest of the same raw/ into a fresh warehouse is the reference the
   recovered warehouse is compared with, row for row.

The full build (dbt) runs twice, in runs 1 and 3; the rest is cheap.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import duckdb
import pytest

from pipelines.extraction.limits import MAX_SECONDS_ENV
from tests.support import bad_inputs as inputs

YUSUAN = str(Path(sys.executable).with_name("yusuan"))
# The samples take 0.3-3 s.  The slow grid's 480 pages take about three times the limit at
# the fastest this machine has run (160 pages took 8.9 s once extraction read pages
# through pdfium, and then finished within the limit).
SECONDS_LIMIT = "10"

# file under raw/ -> (builder, stage, the reason as the quarantine states it, or its start)
BAD: dict[str, tuple[Callable[[Path], Path], str, str]] = {
    "bad/empty.pdf": (inputs.zero_bytes, "extract", "PdfError: empty file (0 bytes)"),
    "bad/cut off download.pdf": (inputs.truncated, "extract", "PdfError: truncated PDF: no %%EOF at the end"),
    "bad/404 page saved as.pdf": (
        inputs.not_a_pdf,
        "extract",
        "PdfError: not a PDF: the file does not start with a %PDF- header",
    ),
    "bad/password.pdf": (
        inputs.password_protected,
        "extract",
        "PdfError: password-protected PDF: it cannot be opened without its password",
    ),
    "bad/copy-protected.pdf": (
        inputs.copy_protected,
        "extract",
        "PdfError: camelot could not read the tables: PDFTextExtractionNotAllowed",
    ),
    "bad/malformed page box.pdf": (
        inputs.malformed_page_box,
        "extract",
        "PdfError: camelot could not read the tables: TypeError: Rectangle contains non-numeric values",
    ),
    "bad/scanned.pdf": (
        inputs.scanned,
        "extract",
        "PdfError: page 1 is a scan of 72 dpi, too coarse to read its figures by OCR (at least 120 dpi)",
    ),
    "bad/no budget tables.pdf": (
        inputs.no_budget_tables,
        "validate",
        "1 schema check(s) failed: document: no budget statement found",
    ),
    "bad/unknown kind of table.pdf": (
        inputs.only_unknown_table,
        "validate",
        "1 schema check(s) failed: document: no budget statement found",
    ),
    "bad/yearbook 1200 pages.pdf": (
        lambda path: inputs.many_pages(path, 1200),
        "extract",
        "TooManyPages: 1200 pages, more than the limit of 1000 pages per document (YUSUAN_MAX_PAGES)",
    ),
    "bad/slow dense grid.pdf": (
        lambda path: inputs.dense_grid(path, rows=45, cols=14, pages=480),
        "extract",
        f"TimeLimitExceeded: extraction took longer than {SECONDS_LIMIT} s, the limit per document ({MAX_SECONDS_ENV})",
    ),
    "bad/garbage amounts.pdf": (
        inputs.garbage_amounts,
        "validate",
        f"{len(inputs.GARBAGE)} schema check(s) failed: expenditure_summary",
    ),
}
# Good documents under names a shell script or an SQL string would trip over.
NAMED = {
    "names/预算 2019 (副本).pdf": "spaces and Chinese",
    'names/it\'s a "quoted" name.pdf': "quotes",
    "names/..starts with dots..pdf": "dots",
    "names/a..b/x'); DROP TABLE raw.document; --.pdf": "SQL in the name, '..' in the folder",
}
TWICE = ["twice/first.pdf", "twice/second.pdf"]  # the same bytes under two names
QUOTED = "good/quoted department.pdf"
EXTRA_TABLE = "good/with an unknown table.pdf"
LOADED_IN_RUN_1 = [*NAMED, TWICE[0], QUOTED, EXTRA_TABLE]
# Arrive after run 1 (0.4-1 s of extraction each).
NEW = [
    "jiangsu_npc_office_2017_budget.pdf",
    "jiangsu_party_office_2017_budget_tables.pdf",
    "jiangsu_party_office_2018_budget_tables.pdf",
    "shanghai_putuo_gov_office_2025_budget.pdf",
    "shanghai_putuo_gov_office_2025_unit_budget.pdf",
]
STATE_SQL = (
    "SELECT (SELECT count(*) FROM marts.dim_document), (SELECT count(*) FROM marts.fct_budget_line), "
    "(SELECT count(*) FROM raw.document), (SELECT count(*) FROM raw.budget_line)"
)


class Cli:
    """`yusuan …` in its own process group, its output lines timestamped as they arrive."""

    def __init__(self, args: list[str], env: dict, cwd: Path, kill_on: Callable[[str], bool] | None = None):
        self.args = args
        self.lines: list[tuple[float, str]] = []
        self.started = time.monotonic()
        self.killed_at: float | None = None
        self._kill_on = kill_on
        self._seen = threading.Condition()
        self.proc = subprocess.Popen(
            [YUSUAN, *args],
            env=env,
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
            start_new_session=True,
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            now, line = time.monotonic(), line.rstrip("\n")
            if self._kill_on is not None and self.killed_at is None and self._kill_on(line):
                os.killpg(self.proc.pid, signal.SIGKILL)  # the whole group, as the OOM killer or a reboot would
                self.killed_at = now
            with self._seen:
                self.lines.append((now, line))
                self._seen.notify_all()
        with self._seen:
            self._seen.notify_all()

    def wait_for_line(self, predicate: Callable[[str], bool], timeout: float = 300) -> float:
        deadline = time.monotonic() + timeout
        with self._seen:
            while True:
                for at, line in self.lines:
                    if predicate(line):
                        return at
                assert self.proc.poll() is None or self._reader.is_alive(), f"exited without it:\n{self.output}"
                assert time.monotonic() < deadline, f"not seen within {timeout}s:\n{self.output}"
                self._seen.wait(1)

    def wait(self, timeout: float = 900) -> int:
        self.returncode = self.proc.wait(timeout=timeout)
        self._reader.join(timeout=30)
        self.ended = time.monotonic()
        self.seconds = self.ended - self.started
        return self.returncode

    @property
    def output(self) -> str:
        return "\n".join(line for _at, line in self.lines)

    def line_at(self, predicate: Callable[[str], bool]) -> float:
        return next(at for at, line in self.lines if predicate(line))


def loaded_line(line: str) -> bool:
    return ": loaded " in line and line.endswith(" lines")


def snapshot(warehouse: Path, into: Path) -> Path:
    """A copy of the writer's files as the killed run left them, opened (and recovered) there."""
    into.mkdir(parents=True)
    for path in warehouse.parent.glob(f"{warehouse.name}*"):
        if path.is_file() and not path.name.endswith(".lock"):
            shutil.copy(path, into / path.name)
    return into / warehouse.name


def read_state(published: Path) -> tuple:
    with duckdb.connect(str(published), read_only=True) as con:
        return con.execute(STATE_SQL).fetchone()


def clean_env(root: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("YUSUAN_", "DAGSTER_"))}
    env[MAX_SECONDS_ENV] = SECONDS_LIMIT
    return env


def build_raw(raw: Path, outside: Path) -> None:
    for name, (build, _stage, _reason) in BAD.items():
        target = raw / name
        target.parent.mkdir(parents=True, exist_ok=True)
        build(target)
    for number, name in enumerate(NAMED):
        inputs.small_sample_copy(raw / name, f"copy {number}")
    inputs.small_sample_copy(raw / TWICE[0], "twice")
    (raw / TWICE[1]).write_bytes((raw / TWICE[0]).read_bytes())
    inputs.quoted_department(raw / QUOTED)
    inputs.with_unknown_table(raw / EXTRA_TABLE)
    # Outside raw/: a good file and a folder, reachable only through symlinks that must not be followed.
    inputs.small_sample_copy(outside / "elsewhere.pdf", "outside")
    inputs.small_sample_copy(outside / "folder" / "inside folder.pdf", "outside folder")
    inputs.symlink(raw / "links" / "to a file outside.pdf", outside / "elsewhere.pdf")
    inputs.symlink(raw / "links" / "folder outside", outside / "folder")


@pytest.fixture(scope="session")
def scenario(tmp_path_factory):
    root = tmp_path_factory.mktemp("reliability")
    raw, outside, cwd = root / "raw", root / "outside", root / "cwd"
    for folder in (raw, outside, cwd):
        folder.mkdir()
    warehouse = root / "wh" / "yusuan.duckdb"
    published = warehouse.parent / "published" / "yusuan.duckdb"
    env = clean_env(root)
    run_args = ["run", "--raw", str(raw), "--warehouse", str(warehouse)]
    s = SimpleNamespace(
        root=root,
        raw=raw,
        outside=outside,
        cwd=cwd,
        warehouse=warehouse,
        published=published,
        extracted=warehouse.parent / "extracted",
    )

    started = time.monotonic()
    build_raw(raw, outside)
    s.build_seconds = time.monotonic() - started

    s.run1 = Cli(run_args, env, cwd)
    s.run1.wait()
    assert s.run1.returncode == 0, s.run1.output
    s.run1_published = shutil.copy(published, root / "run1_published.duckdb")
    s.run1_state = read_state(published)

    for name in NEW:
        inputs.copy_sample(name, raw / "new" / name)
    s.run2 = Cli(run_args, env, cwd, kill_on=loaded_line)
    s.run2.wait()
    s.after_run2 = snapshot(warehouse, root / "after_run2")

    last_new = sorted(NEW)[-1]
    s.run2b = Cli(
        run_args,
        env,
        cwd,
        kill_on=lambda line: f"  {last_new}: " in line and (loaded_line(line) or line.endswith(": unchanged")),
    )
    s.run2b.wait()
    s.after_run2b = snapshot(warehouse, root / "after_run2b")
    s.published_after_kills = read_state(published)
    s.marker_after_kills = (warehouse.parent / f"{warehouse.name}.unpublished").exists()

    # Run 3, a reader of the published copy, and run 4 started while run 3 holds the warehouse.
    s.observed, s.reader_errors = [], []
    stop = threading.Event()

    def reader() -> None:
        while not stop.is_set():
            try:
                s.observed.append(read_state(published))
            except BaseException as exc:  # any failure of a reader is what the tests look for
                s.reader_errors.append(exc)
            time.sleep(0.05)

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    s.run3 = Cli(run_args, env, cwd)
    s.run3.wait_for_line(lambda line: line.startswith("yusuan run:"))
    s.run4 = Cli([*run_args, "--strict"], env, cwd)
    s.run3.wait()
    stop.set()
    thread.join()
    s.run4.wait()
    s.run3_state = read_state(published)

    # The reference: the same raw/ ingested once, cleanly, into a fresh warehouse.
    from dagster import materialize

    from pipelines.orchestration.definitions import INGEST_ASSETS
    from pipelines.orchestration.resources import PipelinePaths

    s.reference = root / "reference" / "yusuan.duckdb"
    with pytest.MonkeyPatch.context() as patch:
        for name in [k for k in os.environ if k.startswith("YUSUAN_")]:
            patch.delenv(name)
        patch.setenv(MAX_SECONDS_ENV, SECONDS_LIMIT)
        result = materialize(
            INGEST_ASSETS,
            resources={
                "paths": PipelinePaths(
                    raw_dir=str(raw),
                    warehouse_path=str(s.reference),
                    extract_dir=str(s.extracted),
                    published_path=str(s.reference.parent / "published.duckdb"),
                )
            },
        )
    assert result.success
    s.total_seconds = time.monotonic() - started
    if report := os.environ.get("YUSUAN_RELIABILITY_REPORT"):
        write_report(s, Path(report))
    return s


def write_report(s: SimpleNamespace, path: Path) -> None:
    """What the scenario measured, for docs/reliability.md: YUSUAN_RELIABILITY_REPORT=path pytest …"""
    import json

    with duckdb.connect(str(s.run1_published), read_only=True) as con:
        quarantine = con.execute("SELECT file_path, stage, reason FROM marts.quarantine ORDER BY 1").fetchall()
    runs = {
        name: {
            "args": run.args,
            "exit": run.returncode,
            "seconds": round(run.seconds, 1),
            "killed": run.killed_at is not None,
            "summary": [line for _at, line in run.lines if line.startswith(("documents:", "yusuan: another"))],
        }
        for name, run in (("run1", s.run1), ("run2", s.run2), ("run2b", s.run2b), ("run3", s.run3), ("run4", s.run4))
    }
    path.write_text(
        json.dumps(
            {
                "build_inputs_seconds": round(s.build_seconds, 1),
                "total_seconds": round(s.total_seconds, 1),
                "runs": runs,
                "quarantine": [(str(Path(p).relative_to(s.raw)), stage, reason) for p, stage, reason in quarantine],
                "documents_after_run2": len(documents_in(s.after_run2)),
                "documents_after_run2b": len(documents_in(s.after_run2b)),
                "reader": {
                    "polls": len(s.observed),
                    "errors": len(s.reader_errors),
                    "states": sorted({str(state) for state in s.observed}),
                },
            },
            ensure_ascii=False,
            indent=1,
        ),
        encoding="utf-8",
    )


def documents_in(database: Path) -> list[str]:
    with duckdb.connect(str(database)) as con:
        return [row[0] for row in con.execute("SELECT document_id FROM raw.document").fetchall()]
