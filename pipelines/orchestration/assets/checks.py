"""Dagster asset checks: the reconciliation and the quarantine, visible in the UI.

A broken identity is a warning, not an error: published documents break their
own identities, and the document is loaded all the same (see docs in README).
"""

import duckdb
from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetKey,
    MetadataValue,
    asset_check,
)

from pipelines.orchestration.resources import PipelinePaths

_SHOWN = 20


def _rows(paths: PipelinePaths, sql: str, parameters: tuple = ()) -> list[tuple]:
    with duckdb.connect(str(paths.warehouse)) as con:
        return con.execute(sql, parameters).fetchall()


@asset_check(
    asset=AssetKey(["raw", "reconciliation"]),
    name="accounting_identities",
    description="Every document's identities (收入总计 = 支出总计, total = basic + project, 类 = Σ 款 = Σ 项, "
    "cross-statement totals, unit rows) hold within rounding tolerance.",
    pool="duckdb",
)
def accounting_identities(context: AssetCheckExecutionContext, paths: PipelinePaths) -> AssetCheckResult:
    # Counted in SQL and only the breaks shown fetched: the warehouse holds every document's checks.
    status = dict(_rows(paths, "SELECT status, count(*) FROM raw.reconciliation GROUP BY status"))
    breaks = _rows(
        paths,
        "SELECT d.file_name, r.check_name, r.statement, r.subject, r.source_page, r.source_row, "
        "r.difference_yuan, r.status FROM raw.reconciliation r JOIN raw.document d USING (document_id) "
        "WHERE r.status <> 'pass' ORDER BY r.status = 'fail' DESC, abs(r.difference_yuan) DESC LIMIT ?",
        (_SHOWN,),
    )
    table = "\n".join(f"| {f} | {c} | {s} | {subj} | {p} | {r} | {d} | {st} |" for f, c, s, subj, p, r, d, st in breaks)
    return AssetCheckResult(
        passed=not breaks,
        severity=AssetCheckSeverity.WARN,
        metadata={
            "pass": status.get("pass", 0),
            "warn": status.get("warn", 0),
            "fail": status.get("fail", 0),
            "withheld": status.get("withheld", 0),  # headline candidates kept out: their identity broke
            "breaks": MetadataValue.md(
                "| file | check | statement | subject | page | row | difference (yuan) | status |\n"
                "|---|---|---|---|---|---|---|---|\n" + table
            )
            if breaks
            else MetadataValue.text("none"),
        },
    )


@asset_check(
    asset=AssetKey(["raw", "quarantine"]),
    name="nothing_quarantined",
    description="No document under raw/ is held back by extraction, validation or load.",
    pool="duckdb",
)
def nothing_quarantined(context: AssetCheckExecutionContext, paths: PipelinePaths) -> AssetCheckResult:
    rows = _rows(paths, "SELECT file_path, stage, reason FROM raw.quarantine ORDER BY last_seen DESC")
    return AssetCheckResult(
        passed=not rows,
        severity=AssetCheckSeverity.WARN,
        metadata={
            "quarantined": len(rows),
            "documents": MetadataValue.md("\n".join(f"- `{f}` ({s}): {r}" for f, s, r in rows[:_SHOWN]) or "none"),
        },
    )


ALL_CHECKS = [accounting_identities, nothing_quarantined]
