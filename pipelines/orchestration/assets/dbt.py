"""Assets: the dbt models (staging → intermediate → marts), built with dagster-dbt."""

import json
import os
import shutil
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dagster import AssetExecutionContext, AssetKey, Config
from dagster_dbt import DagsterDbtTranslator, DbtCliInvocation, DbtCliResource, dbt_assets
from dagster_dbt.core.dbt_event_iterator import DbtDagsterEventType

from pipelines.ingest.progress import document_progress
from pipelines.orchestration.dbt_build import (
    BuildResults,
    DbtBuildFailed,
    check_exit_code,
    describe_errors,
    results_from_events,
    set_aside,
)
from pipelines.orchestration.dbt_invocation import (
    DBT_ASSETS_SELECT,
    INVOCATION_TARGET_PREFIX,
    NO_JSON_ARTIFACTS,
    PARTIAL_PARSE,
    VIEW,
    claim_early,
    prepare_build,
)
from pipelines.orchestration.dbt_project import dbt_project, ensure_manifest
from pipelines.orchestration.descriptions import write_descriptions
from pipelines.orchestration.resources import PipelinePaths

# Each build after the first has set documents aside; a failure that keeps naming
# new documents this often is not about documents.
MAX_BUILDS = 3
# dagster-dbt gives every invocation a target folder of its own (manifest, compiled SQL:
# about 13 MB) and never removes one. A nightly would pile up gigabytes in a year.
# Kept: the newest few, for reading what a recent build did, and any folder touched in
# the last day, which another run (of another warehouse) may still be writing.
KEEP_INVOCATION_TARGETS = 5
INVOCATION_TARGET_MIN_AGE_S = 24 * 3600


class YusuanTranslator(DagsterDbtTranslator):
    """dbt sources keep their default keys (``raw/document`` …), which ``raw_tables`` produces."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return "dbt"


class DbtBuildConfig(Config):
    # Rebuild the incremental marts whole (`yusuan run --full-refresh`); a changed dbt
    # project does so on its own.
    full_refresh: bool = False


# Read once: the dbt assets below are defined from it, and the publish's dependencies too.
MANIFEST: dict = json.loads(ensure_manifest().read_text(encoding="utf-8"))


def model_asset_keys() -> list[AssetKey]:
    """The dbt assets every build materialises: the models stored as tables, not the seeds nor
    the views (see build_command).  What follows dbt waits for these only; waiting for an
    asset an incremental build leaves alone would make Dagster skip the publish."""
    translator = YusuanTranslator()
    return [
        translator.get_asset_key(node)
        for node in MANIFEST["nodes"].values()
        if node["resource_type"] == "model" and node["config"]["materialized"] != VIEW
    ]


@dbt_assets(manifest=MANIFEST, select=DBT_ASSETS_SELECT, dagster_dbt_translator=YusuanTranslator(), pool="duckdb")
def dbt_models(context: AssetExecutionContext, dbt: DbtCliResource, paths: PipelinePaths, config: DbtBuildConfig):
    """``dbt build``, incremental on the documents that changed (models/intermediate/
    int_document_change.sql); a test failed by some documents' content quarantines those
    documents (pipelines/orchestration/dbt_build.py) and builds again without them.  A build
    the run started early (dbt_invocation.py) is adopted: the same command, already running."""
    early = claim_early(config.full_refresh)
    if early is not None:  # decided, and its environment set, before it took the warehouse
        command, target_path = early.command, early.target_path
    else:
        command, target_path = prepare_build(paths.warehouse, paths.published, config.full_refresh), None
    for attempt in range(1, MAX_BUILDS + 1):
        build = dbt.cli(command, context=context, raise_on_error=False, target_path=target_path)
        target_path = None  # a build after documents were set aside is an invocation of its own
        events, raw_events = stream_events(build)
        keep_partial_parse(build)
        prune_invocation_targets(Path(dbt_project.project_dir) / "target")
        results = _results(build, raw_events, "dbt build")
        if results.ok:
            write_descriptions(paths.warehouse, MANIFEST)
            yield from events
            return
        if results.errors:
            raise DbtBuildFailed(describe_errors(results.errors))
        # Which documents do the failing tests' rows name?  Store them and look.
        names = [build.manifest["nodes"][r["unique_id"]]["name"] for r in results.failures]
        stored = dbt.cli(
            ["test", "--store-failures", "--select", " ".join(names), NO_JSON_ARTIFACTS],
            manifest=build.manifest,
            raise_on_error=False,
        )
        failures = _results(stored, [event.raw_event for event in stored.stream_raw_events()], "dbt test").failures
        quarantined, unattributed = set_aside(paths.warehouse, failures, build.manifest)
        if unattributed or not quarantined or attempt == MAX_BUILDS:
            unexplained = unattributed or failures
            raise DbtBuildFailed(
                "dbt test(s) failed on no document that could be set aside:\n" + describe_errors(unexplained)
            )
        for file_path, reason in quarantined.values():
            document_progress(file_path, f"quarantined at dbt: {reason}")
        context.log.warning(f"build {attempt}: {len(quarantined)} document(s) set aside; building again")


def keep_partial_parse(invocation: DbtCliInvocation) -> None:
    """Keep this invocation's parse for the next run's.

    dagster-dbt gives each invocation a target folder of its own and seeds it with
    dbt/target/partial_parse.msgpack, but never writes that file back.  dbt keys the
    parse on the rendered profile (the warehouse path), so a parse from another
    warehouse is thrown away and the whole project parsed again, every run."""
    parsed = Path(invocation.target_path) / PARTIAL_PARSE
    if parsed.exists():
        kept = Path(dbt_project.project_dir) / "target" / PARTIAL_PARSE
        staging = kept.with_name(f".{PARTIAL_PARSE}.{os.getpid()}")
        shutil.copyfile(parsed, staging)
        os.replace(staging, kept)  # a reader sees the old file or the new one, whole


def prune_invocation_targets(target: Path, now: float | None = None) -> list[Path]:
    """Remove dagster-dbt's per-invocation folders (``dbt_models-*``) but the newest
    KEEP_INVOCATION_TARGETS and those touched within INVOCATION_TARGET_MIN_AGE_S."""
    now = time.time() if now is None else now
    folders = target.glob(f"{INVOCATION_TARGET_PREFIX}*")
    modified = {folder: when for folder in folders if (when := _modified(folder)) is not None}
    newest_first = sorted(modified, key=modified.get, reverse=True)
    removed = []
    for folder in newest_first[KEEP_INVOCATION_TARGETS:]:
        if now - modified[folder] > INVOCATION_TARGET_MIN_AGE_S:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def _modified(folder: Path) -> float | None:
    try:
        return folder.stat().st_mtime
    except FileNotFoundError:  # another run pruned it first
        return None


def stream_events(invocation: DbtCliInvocation) -> tuple[list[DbtDagsterEventType], list[dict]]:
    """The Dagster events of an invocation, made as ``DbtCliInvocation.stream`` makes them, and
    dbt's raw events they come from, for the results: one pass over dbt's output."""
    dagster_events: list[DbtDagsterEventType] = []
    raw_events = []
    for event in invocation.stream_raw_events():
        raw_events.append(event.raw_event)
        dagster_events.extend(
            event.to_default_asset_events(
                manifest=invocation.manifest,
                dagster_dbt_translator=invocation.dagster_dbt_translator,
                context=invocation.context,
                target_path=invocation.target_path,
                project=invocation.project,
            )
        )
    return dagster_events, raw_events


def _results(invocation: DbtCliInvocation, raw_events: list[dict], command: str) -> BuildResults:
    return check_exit_code(results_from_events(raw_events), invocation.process.wait(), command)


__all__ = ["dbt_models", "dbt_project"]
