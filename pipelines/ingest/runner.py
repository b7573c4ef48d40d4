"""One whole pipeline run in process: what `yusuan run` and the tests execute.

Keeping it in one place means the CLI, the tests and the nightly job exercise
the same assets, checks and resources.  A run has two parts: ingest (discover,
extract, validate, load) and transform (dbt, publish).  The transform is skipped
when ingest changed nothing and the published copy is newer than the dbt
project, which keeps a nightly run over an unchanged raw/ cheap.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
from dagster import DagsterInstance, ExecuteInProcessResult, materialize

from pipelines import settings
from pipelines.ingest.load import now
from pipelines.orchestration.assets import INGEST_ASSETS
from pipelines.orchestration.assets.checks import ALL_CHECKS
from pipelines.orchestration.resources import PipelinePaths


@dataclass
class RunOutcome:
    ingest: ExecuteInProcessResult
    transform: ExecuteInProcessResult | None = None  # None: nothing changed, marts are current
    load: dict = field(default_factory=dict)  # the loader's counts: loaded, unchanged, quarantined, rows …

    @property
    def results(self) -> list[ExecuteInProcessResult]:
        return [r for r in (self.ingest, self.transform) if r is not None]

    @property
    def success(self) -> bool:
        return all(r.success for r in self.results)

    @property
    def failed_steps(self) -> list[str]:
        return [e.step_key for r in self.results for e in r.all_events if e.is_step_failure]

    @property
    def failures(self) -> list[StepFailure]:
        """Each failed step with the error that failed it (Dagster's wrappers taken off)."""
        found = []
        for result in self.results:
            for event in result.all_events:
                if not event.is_step_failure:
                    continue
                error = event.step_failure_data.error
                trace = error.to_string() if error else ""
                while error is not None and error.cause is not None and error.cls_name.startswith("Dagster"):
                    error = error.cause
                found.append(StepFailure(event.step_key, _said(error) if error else "unknown error", trace))
        return found


def _said(error) -> str:
    """``DbtBuildFailed: …`` from SerializableErrorInfo's ``pipelines.orchestration.dbt_build.DbtBuildFailed: …``."""
    qualified, separator, said = error.message.strip().partition(": ")
    return f"{error.cls_name}: {said}" if separator and qualified.endswith(error.cls_name) else error.message.strip()


@dataclass(frozen=True)
class StepFailure:
    step: str
    message: str  # the error, as its exception says it
    trace: str  # Dagster's full error with its stack, for the log


def _marts_current(paths: PipelinePaths) -> bool:
    """The published copy exists and was built after the dbt project last changed."""
    return paths.published.exists() and paths.published.stat().st_mtime >= settings.dbt_sources_changed_at(
        settings.Settings.from_env().dbt_project
    )


def run_pipeline(
    paths: PipelinePaths,
    log_level: str = "ERROR",
    force_transform: bool = False,
    instance: DagsterInstance | None = None,
) -> RunOutcome:
    def run(assets: list, resources: dict) -> ExecuteInProcessResult:
        return materialize(
            assets,
            instance=instance,
            resources={"paths": paths, **resources},
            run_config={"loggers": {"console": {"config": {"log_level": log_level}}}},
            raise_on_error=False,
        )

    ingest = run([*INGEST_ASSETS, *ALL_CHECKS], {})
    load = next(
        (
            {k: v.value for k, v in event.materialization.metadata.items()}
            for event in ingest.get_asset_materialization_events()
            if event.asset_key.path == ["raw", "document"]
        ),
        {},
    )
    outcome = RunOutcome(ingest=ingest, load=load)
    if ingest.success and (force_transform or load.get("changed") or not _marts_current(paths)):
        # Imported only now: dbt and its manifest cost seconds that a run with
        # nothing new to build should not pay.
        from pipelines.orchestration.dbt_project import dbt_resource
        from pipelines.orchestration.definitions import TRANSFORM_ASSETS

        started = now()
        outcome.transform = run(TRANSFORM_ASSETS, {"dbt": dbt_resource()})
        if outcome.transform.success:
            _count_set_aside(outcome, paths, started)
    return outcome


def _count_set_aside(outcome: RunOutcome, paths: PipelinePaths, since) -> None:
    """Documents a dbt test set aside were loaded, then quarantined: the summary says so."""
    with duckdb.connect(str(paths.warehouse), read_only=True) as con:
        set_aside = con.execute(
            "SELECT count(*) FROM raw.quarantine WHERE stage = 'dbt' AND last_seen >= ?", [since]
        ).fetchone()[0]
        outcome.load["total_documents"] = con.execute("SELECT count(*) FROM raw.document").fetchone()[0]
        outcome.load["total_lines"] = con.execute("SELECT count(*) FROM raw.budget_line").fetchone()[0]
    # Usually loaded by this run; a document loaded before fails a test only after the dbt project changed.
    from_loaded = min(set_aside, outcome.load.get("loaded", 0))
    outcome.load["loaded"] = outcome.load.get("loaded", 0) - from_loaded
    outcome.load["unchanged"] = outcome.load.get("unchanged", 0) - (set_aside - from_loaded)
    outcome.load["quarantined"] = outcome.load.get("quarantined", 0) + set_aside
