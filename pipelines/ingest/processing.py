"""Per-document steps shared by the Dagster assets and the CLI.

Each step is stateless: a source file (or its extraction folder) in, files and a
status record out.  That is what lets Dagster run extraction for many documents
in parallel or on other machines while one step alone writes DuckDB.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import traceback
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from pipelines.extraction.document import PARSER_VERSION, OcrNotReconciled, extract, parse_document, require_reconciled
from pipelines.extraction.limits import DocumentLimits, LimitExceeded, time_limit
from pipelines.extraction.pdf import page_texts
from pipelines.ingest.discovery import SourceFile
from pipelines.ingest.handoff import (
    StoragePath,
    document_dir,
    has_raw_tables,
    is_extracted,
    read_failure,
    read_raw,
    write_extraction,
    write_failure,
)
from pipelines.vocabulary import vocabulary_fingerprint

# Documents one extraction process reads before it is replaced by a fresh one.
_TASKS_PER_WORKER = 25
# Raised when pipelines/ingest/validation.py checks something new: stored verdicts are then redone.
CHECKS_VERSION = 2


@dataclass
class DocumentStatus:
    document_id: str
    file_path: str
    ok: bool
    stage: str  # the last stage reached: extract | validate
    reason: str = ""
    details: str = ""
    reused: bool = False  # the stored output of an earlier run was used

    def to_dict(self) -> dict:
        return asdict(self)


def stored_status(source: SourceFile, extract_dir: StoragePath) -> DocumentStatus | None:
    """What an earlier run left for this file: its output, or its failure (unless the
    failure was a limit and the limits have changed since); None when it must be extracted."""
    if is_extracted(extract_dir, source.document_id):
        return DocumentStatus(source.document_id, source.path, True, "extract", reused=True)
    failure = read_failure(extract_dir, source.document_id)
    limits = DocumentLimits.from_env().to_dict()
    if failure and failure.get("limits", limits) == limits:
        return DocumentStatus(
            source.document_id,
            source.path,
            False,
            "extract",
            reason=failure["reason"],
            details=failure["details"],
            reused=True,
        )
    return None


def extract_source(source: SourceFile, extract_dir: StoragePath) -> DocumentStatus:
    """Run camelot and the parsers on one file, unless an earlier run's verdict stands."""
    if stored := stored_status(source, extract_dir):
        return stored
    # Page and time limits (YUSUAN_MAX_PAGES, YUSUAN_MAX_SECONDS_PER_DOCUMENT); see extraction/limits.py.
    limits = DocumentLimits.from_env()
    try:
        with time_limit(limits.max_seconds):
            if has_raw_tables(extract_dir, source.document_id):
                raw = read_raw(extract_dir, source.document_id)  # a parser change: no camelot needed
                if not raw.has_all_page_texts:  # stored before every page's text was kept: pdfium is cheap
                    raw = replace(raw, page_texts=page_texts(Path(source.path).read_bytes()))
                parsed = parse_document(raw)
                require_reconciled(raw, parsed)
            else:
                raw, parsed = extract(Path(source.path).read_bytes(), limits)
        write_extraction(extract_dir, Path(source.path), raw, parsed)
    except Exception as exc:  # one bad file must never stop the others
        status = DocumentStatus(
            source.document_id,
            source.path,
            False,
            "extract",
            # The OCR gate's verdict is the reason itself ("OCR figures do not reconcile: …").
            reason=str(exc) if isinstance(exc, OcrNotReconciled) else f"{type(exc).__name__}: {exc}",
            details=traceback.format_exc(limit=3),
        )
        failure = {"reason": status.reason, "details": status.details}
        if isinstance(exc, LimitExceeded):
            failure["limits"] = limits.to_dict()
        write_failure(extract_dir, source.document_id, failure)
        return status
    return DocumentStatus(source.document_id, source.path, True, "extract")


def validation_checks() -> str:
    """What a stored verdict was checked against: a seed edit (a measure added to
    dbt/seeds/measure.csv) makes stored verdicts stale.  Read once per run, not per document."""
    return f"{CHECKS_VERSION}:{vocabulary_fingerprint()}"


def validate_source(status: DocumentStatus, extract_dir: StoragePath, checks: str) -> DocumentStatus:
    """Validate an extraction once per parser version and ``checks``; the verdict is stored beside it."""
    if not status.ok:
        return status
    verdict_path = document_dir(extract_dir, status.document_id) / "validation.json"
    verdict = json.loads(verdict_path.read_text(encoding="utf-8")) if verdict_path.exists() else None
    if verdict is None or verdict.get("parser_version") != PARSER_VERSION or verdict.get("checks") != checks:
        # Imported here: pandera and pandas cost a second that stored verdicts don't need.
        from pipelines.ingest.validation import validate_extraction

        result = validate_extraction(extract_dir, status.document_id)
        verdict = {"parser_version": PARSER_VERSION, "checks": checks, "errors": result.errors}
        verdict_path.write_text(json.dumps(verdict, ensure_ascii=False, indent=1), encoding="utf-8")
    errors = verdict["errors"]
    if errors:
        return DocumentStatus(
            status.document_id,
            status.file_path,
            False,
            "validate",
            reason=f"{len(errors)} schema check(s) failed: {errors[0]}",
            details="\n".join(errors),
            reused=status.reused,
        )
    return DocumentStatus(status.document_id, status.file_path, True, "validate", reused=status.reused)


def extract_sources(
    sources: list[SourceFile],
    extract_dir: StoragePath,
    workers: int,
    on_extracted: Callable[[DocumentStatus], None] = lambda status: None,
) -> list[DocumentStatus]:
    """``extract_source`` for many files, ``workers`` documents at a time, in source order;
    ``on_extracted`` hears of each document actually extracted, as it finishes.

    Stored outputs and failures are picked up here without starting a process, so a nightly
    run with nothing new costs no worker start-up.  Workers are forked from a server process,
    not from the caller (see ``_pool``), and replaced after about ``_TASKS_PER_WORKER``
    documents each.
    """
    statuses: dict[int, DocumentStatus] = {}
    pending: list[int] = []
    for i, source in enumerate(sources):
        if stored := stored_status(source, extract_dir):
            statuses[i] = stored
        else:
            pending.append(i)
    if len(pending) <= 1 or workers <= 1:
        for i in pending:
            statuses[i] = extract_source(sources[i], extract_dir)
            on_extracted(statuses[i])
        return [statuses[i] for i in range(len(sources))]
    # Largest first, so that no long document is left running alone at the end.
    pending.sort(key=lambda i: -sources[i].size)
    # A fresh pool per batch keeps every process's memory flat over any corpus.
    # (Not max_tasks_per_child: Python 3.11's pool can hang replacing a retired worker.)
    batch = workers * _TASKS_PER_WORKER
    for start in range(0, len(pending), batch):
        chunk = pending[start : start + batch]
        try:
            with _pool(min(workers, len(chunk))) as pool:
                futures = {pool.submit(extract_source, sources[i], extract_dir): i for i in chunk}
                for future in as_completed(futures):
                    statuses[futures[future]] = future.result()
                    on_extracted(statuses[futures[future]])
        except BrokenProcessPool:
            # A process died (a crash in native PDF code): which document did it is
            # unknown, so the unfinished ones are retried one process each.
            for i in (i for i in chunk if i not in statuses):
                statuses[i] = _extract_isolated(sources[i], extract_dir)
                on_extracted(statuses[i])
    return [statuses[i] for i in range(len(sources))]


def _pool(workers: int) -> ProcessPoolExecutor:
    """Workers forked from a server process that has imported the extraction code once.

    A spawned worker spent seconds importing camelot, pandas and pyarrow before its first
    page, more than it then spent on a short document.  The server is started afresh, not
    forked from the caller, which may hold threads (Dagster does); it lives as long as the
    caller, so later pools start at the cost of a fork.
    """
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__, "camelot"])
    return ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=_adopt_environment, initargs=(dict(os.environ),)
    )


def _adopt_environment(environment: dict[str, str]) -> None:
    """A forked worker holds the environment the server started with: it takes the caller's current one
    (the page and time limits, storage settings are read from it)."""
    os.environ.clear()
    os.environ.update(environment)


def _extract_isolated(source: SourceFile, extract_dir: StoragePath) -> DocumentStatus:
    """``extract_source`` in a process of its own; a crash quarantines this document only."""
    try:
        with _pool(1) as pool:
            return pool.submit(extract_source, source, extract_dir).result()
    except BrokenProcessPool as exc:
        reason = f"the extraction process crashed on this file ({type(exc).__name__})"
        write_failure(extract_dir, source.document_id, {"reason": reason, "details": str(exc)})
        return DocumentStatus(source.document_id, source.path, False, "extract", reason=reason, details=str(exc))
