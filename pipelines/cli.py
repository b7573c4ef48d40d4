"""``yusuan``: the one-machine entry point.

``yusuan run`` runs the whole Dagster job in process (the same assets the
nightly schedule runs); ``yusuan extract`` checks one file without a warehouse.

Exit codes (also in ``yusuan --help``): 0 published (quarantined documents are
reported, not fatal), 1 when the run failed and nothing was published or, with
``--strict``, anything was quarantined, 2 for a configuration error.  A failed run
prints one short paragraph; the stack traces go to warehouse/logs/last_run.log
(or to the terminal too, with ``--verbose``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import NoReturn

from pipelines.ingest.locking import run_lock
from pipelines.settings import SettingError, Settings, dbt_sources_changed_at

EXIT_OK, EXIT_FAILED, EXIT_CONFIG = 0, 1, 2
EXIT_CODES = """exit codes of yusuan run:
  0  published (documents that could not be loaded are quarantined and reported, not fatal)
  1  the run failed and nothing was published, or --strict and a document was quarantined
  2  configuration error (a missing folder, an unusable YUSUAN_* setting); nothing was run"""


def _show_progress() -> None:
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("%(message)s"))
    progress = logging.getLogger("yusuan.progress")
    progress.addHandler(handler)
    progress.setLevel(logging.INFO)
    progress.propagate = False


def _run(args: argparse.Namespace) -> int:
    raw_dir = Path(args.raw).expanduser().resolve() if args.raw else None
    if raw_dir is not None:
        if not raw_dir.is_dir():
            print(f"yusuan: --raw {raw_dir} is not a directory", file=sys.stderr)
            return EXIT_CONFIG
        # Through the environment: step processes and dbt's profile read it too.
        os.environ["YUSUAN_RAW_DIR"] = str(raw_dir)
    if args.warehouse:
        os.environ["YUSUAN_WAREHOUSE"] = str(Path(args.warehouse).expanduser().resolve())

    settings = _settings()
    if settings is None:
        return EXIT_CONFIG
    if not settings.raw_dir.is_dir():
        print(f"yusuan: raw directory {settings.raw_dir} does not exist", file=sys.stderr)
        return EXIT_CONFIG
    with run_lock(settings.warehouse, on_wait=_waiting(settings.warehouse)):
        if not args.full_refresh and _report_nothing_new(settings):
            return EXIT_OK
        from pipelines.orchestration.dbt_standby import standing_by

        # dbt imports itself on the other core while Dagster does and the ingest runs.
        with standing_by():
            # Imported only now: Dagster costs seconds that a run with nothing new does not pay.
            from pipelines.orchestration.resources import PipelinePaths

            return _run_locked(args, PipelinePaths.from_settings(settings))


def _report_nothing_new(settings: Settings) -> bool:
    """When nothing under raw/ is new, say so as a run would and return True."""
    from pipelines.ingest.noop import nothing_new

    started = time.perf_counter()
    unchanged = nothing_new(
        settings.raw_dir, settings.warehouse, settings.published, dbt_sources_changed_at(settings.dbt_project)
    )
    if unchanged is None:
        return False
    print(f"yusuan run: {settings.raw_dir} → {settings.warehouse}")
    print(
        f"documents: 0 loaded, {unchanged.documents} skipped as unchanged, 0 quarantined; rows: 0 loaded "
        f"({unchanged.total_documents} documents, {unchanged.total_lines} lines in the warehouse); "
        f"{time.perf_counter() - started:.1f}s"
    )
    print(f"published: {settings.published} (already current)")
    return True


def _settings() -> Settings | None:
    """Every YUSUAN_* setting, read once when a command starts; None (and the problem
    on stderr) when one of them is unusable, found before anything runs."""
    try:
        return Settings.from_env()
    except SettingError as exc:
        print(f"yusuan: {exc}", file=sys.stderr)
        return None


def _waiting(warehouse: Path):
    def say(holder: str) -> None:
        print(
            f"yusuan: another run (pid {holder}) is using {warehouse}; waiting for it to finish",
            file=sys.stderr,
            flush=True,
        )

    return say


def _run_locked(args: argparse.Namespace, paths) -> int:
    from pipelines.ingest.runner import run_pipeline

    print(f"yusuan run: {paths.raw} → {paths.warehouse}", flush=True)
    _show_progress()
    run_log = paths.warehouse.parent / "logs" / "last_run.log"
    run_log.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    # dbt's output and Dagster's error log go to the run log; the terminal gets one line
    # per document (and, with --verbose, the errors as they happen).
    with (
        open(run_log, "w", encoding="utf-8") as log,
        contextlib.redirect_stdout(log),
        contextlib.nullcontext() if args.verbose else contextlib.redirect_stderr(log),
    ):
        outcome = run_pipeline(paths, full_refresh=args.full_refresh)
        for failure in outcome.failures:
            print(f"\n{failure.step} failed:\n{failure.trace}", file=log)
    seconds = time.perf_counter() - started
    if not outcome.success:
        print(_failure_paragraph(outcome, seconds, run_log, args.verbose), file=sys.stderr)
        return EXIT_FAILED

    summary = outcome.load
    print(
        f"documents: {summary.loaded} loaded, {summary.unchanged} skipped as unchanged, "
        f"{summary.quarantined} quarantined; rows: {summary.rows} loaded "
        f"({summary.total_documents} documents, {summary.total_lines} lines in the warehouse); "
        f"{seconds:.1f}s"
    )
    print(f"published: {paths.published}")
    if args.strict and summary.quarantined:
        return EXIT_FAILED
    return EXIT_OK


_MESSAGE_LINES = 5  # of the first error, on the terminal; the log has all of it
_LINE_WIDTH = 240


def _failure_paragraph(outcome, seconds: float, run_log: Path, verbose: bool) -> str:
    """A failed run in at most 10 lines: which step, why, that nothing was published, where the log is."""
    lines = []
    for number, failure in enumerate(outcome.failures[:3]):
        message = [line[:_LINE_WIDTH] for line in failure.message.splitlines() if line.strip()] or ["(no message)"]
        shown = _MESSAGE_LINES if number == 0 else 1
        if len(message) > shown:
            message = [*message[: shown - 1], f"… and {len(message) - shown + 1} more line(s) in the log"]
        lines.append(f"yusuan run failed at step {failure.step}: {message[0]}")
        lines += [f"  {line}" for line in message[1:]]
    if verbose:
        lines += [failure.trace for failure in outcome.failures]
    lines.append(f"Nothing was published (analysts keep the previous copy); {seconds:.0f} s. Full log: {run_log}")
    return "\n".join(lines)


def _backfill(args: argparse.Namespace) -> int:
    if args.raw:
        os.environ["YUSUAN_RAW_DIR"] = str(Path(args.raw).expanduser().resolve())
    if args.warehouse:
        os.environ["YUSUAN_WAREHOUSE"] = str(Path(args.warehouse).expanduser().resolve())
    if not os.environ.get("DAGSTER_HOME"):
        print("yusuan backfill: set DAGSTER_HOME (the runs are recorded in that instance)", file=sys.stderr)
        return EXIT_CONFIG
    settings = _settings()
    if settings is None:
        return EXIT_CONFIG
    from dagster import DagsterInstance

    from pipelines.orchestration.backfill import backfill

    started = time.perf_counter()
    run_log = settings.warehouse.parent / "logs" / "last_backfill.log"
    run_log.parent.mkdir(parents=True, exist_ok=True)
    warehouse = settings.warehouse
    with (
        run_lock(warehouse, on_wait=_waiting(warehouse)),
        DagsterInstance.get() as instance,
        open(run_log, "w", encoding="utf-8") as log,
        contextlib.redirect_stdout(log),
    ):
        outcome = backfill(instance, settings, workers=args.workers)
    print(
        f"backfill: {outcome.partitions} documents, {len(outcome.failed_partitions)} failed extraction runs, "
        f"nightly {'succeeded' if outcome.nightly_success else 'failed'}; {time.perf_counter() - started:.1f}s"
    )
    for key in outcome.failed_partitions:
        print(f"  failed: {key}")
    return EXIT_OK if outcome.nightly_success and not outcome.failed_partitions else EXIT_FAILED


def _worker(args: argparse.Namespace) -> NoReturn:
    """A celery worker for extraction steps (YUSUAN_EXECUTOR=celery); runs until stopped."""
    celery = Path(sys.executable).with_name("celery")
    command = [
        str(celery),
        "-A",
        "pipelines.orchestration.celery_app",
        "worker",
        "-Q",
        "dagster",
        "--prefetch-multiplier=1",
        f"--concurrency={args.concurrency}",
        "-n",
        f"{args.name}@%h",
        "--loglevel",
        args.loglevel,
    ]
    os.execv(command[0], command)


def _extract(args: argparse.Namespace) -> int:
    from pipelines.extraction.document import OcrNotReconciled, extract, require_reconciled

    path = Path(args.file)
    if not path.is_file():
        print(f"yusuan: {path} is not a file", file=sys.stderr)
        return EXIT_CONFIG
    raw, parsed = extract(path.read_bytes(), gate=False)  # a scan's gate verdict is shown, not raised
    verdict = None
    read_by_ocr = [l for l in parsed.lines if l.ocr_confidence is not None]
    if raw.ocr_pages and not read_by_ocr:
        verdict = "no figure was read by OCR, so the OCR gate does not apply; it would load as a text PDF"
    elif raw.ocr_pages:
        try:
            require_reconciled(raw, parsed)
            printed = parsed.ocr_printed_breaks
            verdict = (
                f"reconciles: {len(parsed.ocr_checks) - len(printed)} of {len(parsed.ocr_checks)} identities "
                f"pass, {len(printed)} break by the rounding the document prints (each figure read alike in "
                f"another table); it would load"
                if printed
                else f"reconciles: all {len(parsed.ocr_checks)} identities pass; it would load"
            )
        except OcrNotReconciled as exc:
            verdict = f"{exc}; it would be quarantined"
    if args.json:
        payload = {
            "document_id": raw.sha256,
            "file": str(path),
            "metadata": asdict(parsed.metadata),
            "statements": [asdict(s) for s in parsed.statements],
            "headlines": {h.metric: str(h.value_yuan) for h in parsed.headlines},
            "problems": [asdict(p) for p in parsed.problems],
            "ocr": None
            if not raw.ocr_pages
            else {
                "pages": raw.ocr_pages,
                "figures": len(read_by_ocr),
                "lowest_confidence": min((l.ocr_confidence for l in read_by_ocr), default=None),
                "identities": len(parsed.ocr_checks),
                "failed": [c.describe() for c in parsed.ocr_breaks],
                "printed_breaks": [c.describe() for c in parsed.ocr_printed_breaks],
                "reconciles": verdict.startswith("reconciles"),
                "verdict": verdict,
            },
        }
        print(json.dumps(payload, ensure_ascii=False, indent=2))
        return EXIT_OK
    meta = parsed.metadata
    print(f"{path.name}  sha256 {raw.sha256}")
    print(f"  department  {meta.department_name}")
    print(
        f"  fiscal year {meta.fiscal_year}   kind {meta.document_kind}   scope {meta.scope}   "
        f"unit {meta.printed_unit}   pages {meta.pages}"
    )
    print("  statements:")
    for s in parsed.statements:
        pages = f"{min(s.pages)}-{max(s.pages)}" if len(s.pages) > 1 else str(s.pages[0])
        print(
            f"    {s.statement:58s} p{pages:7s} rows {s.rows:4d}  lines {s.lines:4d}"
            f"{'  (empty)' if s.empty else ''}  {s.title or ''}"
        )
    print("  headline (yuan):")
    for h in parsed.headlines:
        print(f"    {h.metric:30s} {h.value_yuan:>20,}   p{h.line.source_page} {h.line.item_name}")
    for r in parsed.withheld:
        print(f"  withheld: {r.subject} (p{r.page}): expected {r.expected}, printed {r.actual}")
    for p in parsed.problems:
        print(f"  problem: {p.kind} {p.statement} p{p.page} row {p.row} col {p.col}: {p.detail}")
    if raw.ocr_pages:
        lowest = min(read_by_ocr, key=lambda l: l.ocr_confidence, default=None)
        print(f"  OCR: {len(raw.ocr_pages)} scanned page(s) without a text layer, {len(read_by_ocr)} figures read")
        if lowest is not None:
            print(
                f"  OCR lowest confidence {lowest.ocr_confidence:.3f}: {lowest.printed_amount} "
                f"p{lowest.source_page} {lowest.item_name} ({lowest.measure})"
            )
        print(f"  OCR gate: {verdict}")
    return EXIT_OK


# marts.document_checks: one row per document seen, loaded or quarantined.
_STATUS_LOADED_SQL = """
SELECT file_name, department_name, fiscal_year, document_kind, scope,
       checks_passed, checks_warned, checks_failed, checks_withheld
FROM marts.document_checks WHERE outcome = 'loaded'
ORDER BY department_name, fiscal_year, file_name
"""
_STATUS_QUARANTINED_SQL = """
SELECT file_name, stage, reason, first_seen
FROM marts.document_checks WHERE outcome = 'quarantined'
ORDER BY file_path
"""


def _status(args: argparse.Namespace) -> int:
    import duckdb

    settings = _settings()
    if settings is None:
        return EXIT_CONFIG
    path = Path(args.warehouse).expanduser() if args.warehouse else settings.published
    if not path.exists():
        print(f"yusuan: no warehouse at {path}; run `yusuan run` first", file=sys.stderr)
        return EXIT_CONFIG
    with duckdb.connect(str(path), read_only=True) as con:
        loaded = con.execute(_STATUS_LOADED_SQL).fetchall()
        quarantined = con.execute(_STATUS_QUARANTINED_SQL).fetchall()
    print(f"{path}: {len(loaded)} loaded, {len(quarantined)} quarantined")
    for file_name, department, year, kind, scope, passed, warned, failed, withheld in loaded:
        print(
            f"  loaded       {file_name}  {department} {year} {kind}/{scope}  "
            f"checks: {passed} passed, {warned} warned, {failed} failed, {withheld} withheld"
        )
    for file_name, stage, reason, first_seen in quarantined:
        print(f"  quarantined  {file_name}  at {stage} since {first_seen:%Y-%m-%d %H:%M}: {reason}")
    return EXIT_OK


def _diff(args: argparse.Namespace) -> int:
    from pipelines.ingest.releases import current_release, exports_root, release_folders
    from pipelines.outputs.release_diff import diff_releases, format_diff

    settings = _settings()
    if settings is None:
        return EXIT_CONFIG
    published = Path(args.published).expanduser() if args.published else settings.published
    kept = release_folders(published)
    new = args.new or current_release(published)
    if new is None:
        print(f"yusuan: no release under {exports_root(published)}; run `yusuan run` first", file=sys.stderr)
        return EXIT_CONFIG
    unknown = [r for r in (args.old, new) if r is not None and r not in kept]
    if unknown:
        print(
            f"yusuan: no release {', '.join(unknown)} under {exports_root(published)}; "
            f"kept: {', '.join(kept) or 'none'}",
            file=sys.stderr,
        )
        return EXIT_CONFIG
    # By default, the release before NEW (nothing, for the first release).
    old = args.old or (kept[kept.index(new) - 1] if kept.index(new) > 0 else None)
    root = exports_root(published)
    diff = diff_releases(root / old if old else None, root / new)
    if args.json:
        print(json.dumps(diff.as_json(), ensure_ascii=False, indent=2))
    else:
        print(format_diff(diff))
    return EXIT_OK


def _write_from_warehouse(
    args: argparse.Namespace, what: str, default_name: str, write: Callable[[Path, Path], Path]
) -> int:
    """A reader command: ``write(warehouse, out)`` from --warehouse, else the published
    copy, to --out, else ``default_name`` beside the warehouse read."""
    settings = _settings()
    if settings is None:
        return EXIT_CONFIG
    warehouse = Path(args.warehouse).expanduser() if args.warehouse else settings.published
    if not warehouse.exists():
        print(f"yusuan: no warehouse at {warehouse}; run `yusuan run` first", file=sys.stderr)
        return EXIT_CONFIG
    out = Path(args.out).expanduser() if args.out else warehouse.parent / default_name
    print(f"{what}: {write(warehouse, out)}")
    return EXIT_OK


def _report(args: argparse.Namespace) -> int:
    from pipelines.outputs.report import REPORT_NAME, build_report

    return _write_from_warehouse(args, "report", REPORT_NAME, build_report)


def _export_fdp(args: argparse.Namespace) -> int:
    from pipelines.outputs.fiscal_data_package import PACKAGE_DIR, write_fiscal_data_package

    return _write_from_warehouse(args, "fiscal data package", PACKAGE_DIR, write_fiscal_data_package)


def _docs(args: argparse.Namespace) -> int:
    from pipelines.outputs.dbt_docs import DOCS_DIR, DocsBuildFailed, build_docs

    def write(warehouse: Path, out: Path) -> Path:
        return build_docs(warehouse, Settings.from_env().dbt_project, out)

    try:
        return _write_from_warehouse(args, "dbt docs", DOCS_DIR, write)
    except DocsBuildFailed as exc:
        print(f"yusuan docs: dbt docs generate failed:\n{exc}", file=sys.stderr)
        return EXIT_FAILED


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="yusuan",
        description="Budget PDFs into a DuckDB warehouse.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser(
        "run",
        help="run the nightly job in process on raw/",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    run.add_argument("--raw", help="folder of PDFs (default: raw/ or $YUSUAN_RAW_DIR)")
    run.add_argument("--warehouse", help="DuckDB file (default: warehouse/yusuan.duckdb or $YUSUAN_WAREHOUSE)")
    run.add_argument("--strict", action="store_true", help="exit 1 when any document was quarantined")
    run.add_argument(
        "--full-refresh",
        action="store_true",
        help="rebuild every mart whole (by default dbt rebuilds the rows of the documents that changed)",
    )
    run.add_argument(
        "--verbose",
        action="store_true",
        help="print errors with their stack traces here (they always go to the run log)",
    )
    run.set_defaults(handler=_run)

    fill = commands.add_parser("backfill", help="every document as a partition run (in parallel), then the nightly job")
    fill.add_argument("--raw", help="folder of PDFs (default: raw/ or $YUSUAN_RAW_DIR)")
    fill.add_argument("--warehouse", help="DuckDB file (default: warehouse/yusuan.duckdb or $YUSUAN_WAREHOUSE)")
    fill.add_argument("--workers", type=int, default=2, help="extraction runs at once (default 2)")
    fill.set_defaults(handler=_backfill)

    worker = commands.add_parser("worker", help="a celery worker that runs extraction steps (YUSUAN_EXECUTOR=celery)")
    worker.add_argument("--name", default="yusuan", help="worker name; the host is appended (default yusuan)")
    worker.add_argument("--concurrency", type=int, default=1, help="steps at once on this worker (default 1)")
    worker.add_argument("--loglevel", default="info")
    worker.set_defaults(handler=_worker)

    one = commands.add_parser("extract", help="extract one PDF and print what was found")
    one.add_argument("file")
    one.add_argument("--json", action="store_true", help="machine-readable output")
    one.set_defaults(handler=_extract)
    status = commands.add_parser("status", help="per document: loaded or quarantined, and its checks")
    status.add_argument("--warehouse", help="DuckDB file to read (default: the published copy)")
    status.set_defaults(handler=_status)
    report = commands.add_parser("report", help="write the HTML report (charts linked to the PDF pages)")
    report.add_argument("--warehouse", help="DuckDB file to read (default: the published copy)")
    report.add_argument("--out", help="HTML file (default: report.html beside the warehouse read)")
    report.set_defaults(handler=_report)
    diff = commands.add_parser(
        "diff", help="what changed between two releases (default: the last two): documents, rows, figures"
    )
    diff.add_argument("old", nargs="?", help="release id, e.g. 2026-12-01.1 (default: the one before the newest)")
    diff.add_argument("new", nargs="?", help="release id (default: the current release)")
    diff.add_argument("--json", action="store_true", help="machine-readable output")
    diff.add_argument("--published", help="published DuckDB whose releases to read (default: $YUSUAN_PUBLISHED)")
    diff.set_defaults(handler=_diff)
    docs = commands.add_parser("docs", help="build the dbt docs site (lineage, descriptions) as one static page")
    docs.add_argument("--warehouse", help="DuckDB file to describe (default: the published copy)")
    docs.add_argument("--out", help="folder for index.html (default: docs/ beside the warehouse read)")
    docs.set_defaults(handler=_docs)
    fdp = commands.add_parser("export-fdp", help="write a Fiscal Data Package (datapackage.json + CSV)")
    fdp.add_argument("--warehouse", help="DuckDB file to read (default: the published copy)")
    fdp.add_argument("--out", help="folder (default: fiscal-data-package/ beside the warehouse read)")
    fdp.set_defaults(handler=_export_fdp)
    return parser


def main(argv: list[str] | None = None) -> int:
    # Dagster's deprecation notices are for developers, not for the data team's terminal.
    warnings.filterwarnings("ignore", module=r"dagster(_dbt)?\..*")
    warnings.filterwarnings("ignore", message=r".*(superseded|beta|asset job named).*")
    args = build_parser().parse_args(argv)
    return args.handler(args)


def console() -> NoReturn:
    """The ``yusuan`` command: ``main``, then out without the interpreter's teardown, which
    took 1.2-1.5 s after the summary of a run into 500 documents."""
    from pipelines.orchestration.child_process import exit_without_teardown

    exit_without_teardown(main())


if __name__ == "__main__":
    console()
