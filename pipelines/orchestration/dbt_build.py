"""What a failed ``dbt build`` means: a code error that stops the run, or documents to set aside.

Validation checks each document for everything the dbt tests assert about content,
so a test should never fail on content.  When one does anyway (a check the
validation does not know yet), the failing test's rows name the documents: they
are quarantined with the test's name, taken out of the raw tables, and the build
runs again without them.  A model, seed or test that errors (a SQL error) is code:
the run fails, naming it, and nothing is published.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from pipelines.ingest.load import record_quarantine, unload_document
from schemas.tables import quoted_identifier

# dbt --store-failures writes each failing test's rows here (see macros/generate_schema_name.sql).
AUDIT_SCHEMA = "dbt_test__audit"
# The column dbt's unique test returns the duplicated value in (not the row that holds it).  The
# models' keys are row_rules now (whole rows); the seeds' and raw.document's are still dbt's.
_UNIQUE_VALUE = "unique_field"
# What tests/generic/row_rules.sql names in each failing row: the rules it breaks, "; " apart.
_BROKEN_RULES = "broken_rules"
_RULE_SEPARATOR = "; "
_NAMED_VALUES = 3

# dbt's structured events (dagster-dbt runs dbt with --log-format json), as dbt 1.11 prints them.
# One of these ends each node that ran (dagster-dbt's DbtCoreCliEventMessage.is_result_event);
# a node skipped for a failure upstream has a SkippingDetails instead, which is no error.
_RESULT_EVENTS = frozenset({"LogModelResult", "LogTestResult", "LogSeedResult", "LogSnapshotResult"})
# The end-of-run summary gives the message of each node that errored or failed (dbt/task/printer.py).
_MESSAGE_EVENT = "RunResultError"
# The stack trace of an error that stopped dbt: for the log, not for the failure's few lines.
_STACK_TRACE_EVENT = "MainStackTrace"
_EMPTY = ("", "None", None)  # how dbt's events say a field has no value
_COLOR = re.compile(r"\x1b\[[0-9;]*m")
_ERROR_STATUSES = ("error", "runtime error")


class DbtBuildFailed(Exception):
    """dbt failed for a reason no document caused; the message names the nodes."""


@dataclass(frozen=True)
class BuildResults:
    """The nodes that did not pass, each ``{unique_id, status, message, relation_name}``."""

    errors: list[dict]  # models, seeds or tests that could not run (status error)
    failures: list[dict]  # tests that returned rows (status fail); warnings are not failures
    dbt_errors: list[str] = field(default_factory=list)  # dbt's error-level messages, in order

    @property
    def ok(self) -> bool:
        return not self.errors and not self.failures


def results_from_events(raw_events: Iterable[Mapping[str, Any]]) -> BuildResults:
    """What a dbt invocation did, from its structured events instead of run_results.json (which
    the build does not write: see NO_JSON_ARTIFACTS in assets/dbt.py).

    A node's status is its result event's, as dagster-dbt reads it (``node_info.node_status``,
    else ``status``); its message is the one dbt's end-of-run summary prints for it;
    ``relation_name`` is where ``dbt test --store-failures`` stored a failing test's rows."""
    nodes: dict[str, dict] = {}
    messages: dict[str, str] = {}
    dbt_errors = []
    for event in raw_events:
        info, data = event["info"], event["data"]
        node = data.get("node_info") or {}
        unique_id = node.get("unique_id")
        if info["name"] in _RESULT_EVENTS and unique_id:
            status = node.get("node_status")
            nodes[unique_id] = {
                "unique_id": unique_id,
                "status": status if status not in _EMPTY else str(data["status"]).lower(),
                "relation_name": (node.get("node_relation") or {}).get("relation_name") or None,
            }
        elif info["name"] == _MESSAGE_EVENT and unique_id:
            messages[unique_id] = data["msg"]
        if info["level"] == "error" and info["name"] != _STACK_TRACE_EVENT:
            dbt_errors.append(_COLOR.sub("", info["msg"]).strip())
    results = [{**result, "message": messages.get(unique_id)} for unique_id, result in nodes.items()]
    return BuildResults(
        errors=[r for r in results if r["status"] in _ERROR_STATUSES],
        failures=[r for r in results if r["status"] == "fail"],
        dbt_errors=dbt_errors,
    )


def check_exit_code(results: BuildResults, exit_code: int, command: str) -> BuildResults:
    """A dbt that exits non-zero with no node in error or failed stopped outside the nodes (a
    project that does not compile, a warehouse another process holds): that is no success."""
    if exit_code != 0 and results.ok:
        said = "\n".join(results.dbt_errors) or "no error message"
        raise DbtBuildFailed(f"`{command}` exited with code {exit_code} and no node failed:\n{said}")
    return results


def node_label(unique_id: str) -> str:
    """``model.yusuan.fct_budget_line`` → ``model fct_budget_line``."""
    kind, _project, name = unique_id.split(".", 2)
    return f"{kind} {name.rsplit('.', 1)[0] if kind == 'test' else name}"


def describe_errors(errors: list[dict]) -> str:
    """One line per node that errored: which, and the first line of dbt's message."""
    lines = []
    for result in errors:
        message = " ".join((result.get("message") or "").split())
        lines.append(f"{node_label(result['unique_id'])}: {message[:300]}")
    return "\n".join(lines)


def dbt_test_label(node: dict, manifest: dict) -> str:
    """``row_rules on fct_budget_line`` or ``unique on dim_document.document_id`` for a generic test,
    the file name for a singular one."""
    generic = (node.get("test_metadata") or {}).get("name")
    model = manifest["nodes"].get(node.get("attached_node") or "", {}).get("name")
    if not generic or not model:
        return node["name"]
    return f"{generic} on {model}" + (f".{node['column_name']}" if node.get("column_name") else "")


# SQL here names relations and columns that dbt's manifest and result events give (the dbt
# project's own identifiers, relation names already quoted by dbt), never document text.
def _columns(con: duckdb.DuckDBPyConnection, relation: str) -> list[str]:
    return [column[0] for column in con.execute(f"SELECT * FROM {relation} LIMIT 0").description]


def offending_documents(con: duckdb.DuckDBPyConnection, failure: dict, manifest: dict) -> dict[str, list[str]]:
    """The documents a failing test's stored rows point to, with a few offending values each.

    The rows carry the document when the test returns whole rows (row_rules, keys included,
    whose values are the rules each row breaks, and the singular tests); dbt's unique returns
    the duplicated value, looked up in the tested model's column."""
    relation = failure.get("relation_name")
    node = manifest["nodes"][failure["unique_id"]]
    if not relation:
        return {}
    stored = _columns(con, relation)
    column = node.get("column_name")
    if "document_id" in stored:
        broken = f"unnest(string_split({_BROKEN_RULES}, '{_RULE_SEPARATOR}'))"
        value = broken if _BROKEN_RULES in stored else "NULL"
        rows = con.execute(
            f"SELECT DISTINCT document_id, {value} FROM {relation} WHERE document_id IS NOT NULL ORDER BY ALL"
        )
    else:
        model = manifest["nodes"].get(node.get("attached_node") or "", {}).get("relation_name")
        if _UNIQUE_VALUE not in stored or not column or not model or "document_id" not in _columns(con, model):
            return {}
        value, stored_value = quoted_identifier(column), quoted_identifier(_UNIQUE_VALUE)
        rows = con.execute(
            f"SELECT DISTINCT document_id, {value} FROM {model} "
            f"WHERE document_id IS NOT NULL AND {value} IN (SELECT {stored_value} FROM {relation}) ORDER BY ALL"
        )
    documents: dict[str, list[str]] = {}
    for document_id, value in rows.fetchall():
        values = documents.setdefault(document_id, [])
        if value is not None and len(values) < _NAMED_VALUES:
            values.append(str(value))
    return documents


def set_aside(warehouse: Path, failures: list[dict], manifest: dict) -> tuple[dict[str, tuple[str, str]], list[dict]]:
    """Quarantine the documents the failing tests name and take them out of the raw tables.

    Returns {document_id: (file_path, reason)} and the failures that named no document."""
    quarantined: dict[str, tuple[str, str]] = {}
    unattributed = []
    with duckdb.connect(str(warehouse)) as con:
        found = [(failure, offending_documents(con, failure, manifest)) for failure in failures]
        for failure, documents in found:
            if not documents:
                unattributed.append(failure)
                continue
            test = dbt_test_label(manifest["nodes"][failure["unique_id"]], manifest)
            for document_id, values in documents.items():
                row = con.execute("SELECT file_path FROM raw.document WHERE document_id = ?", [document_id]).fetchone()
                if row is None or document_id in quarantined:
                    continue
                reason = f"dbt test {test} failed" + (f" on {', '.join(map(repr, values))}" if values else "")
                record_quarantine(con, document_id, row[0], "dbt", reason, failure.get("message") or "")
                unload_document(con, document_id)
                quarantined[document_id] = (row[0], reason)
        con.execute(f"DROP SCHEMA IF EXISTS {AUDIT_SCHEMA} CASCADE")
    return quarantined, unattributed
