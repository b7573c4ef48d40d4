"""One whole pipeline run in process: what `yusuan run` and the tests execute.

Keeping it in one place means the CLI, the tests and the nightly job exercise
the same assets, checks and resources.  A run has two parts: ingest (discover,
extract, validate, load) and transform (dbt, publish).  The transform is skipped
when ingest changed nothing and the published copy is newer than the dbt
project, which keeps a nightly run over an unchanged raw/ cheap.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dagster import DagsterInstance, ExecuteInProcessResult, materialize

from pipelines import settings
from pipelines.ingest.load import now
from pipelines.ingest.loading import LoadSummary, needs_transform
from pipelines.orchestration.assets import INGEST_ASSETS
from pipelines.orchestration.assets.checks import ALL_CHECKS
from pipelines.orchestration.dbt_invocation import forget_early, start_early
from pipelines.orchestration.dbt_standby import ADOPTED, early_build_outcome, standing_by
from pipelines.orchestration.resources import PipelinePaths


@dataclass
class RunOutcome:
    ingest: ExecuteInProcessResult
    transform: ExecuteInProcessResult | None = None  # None: nothing changed, marts are current
    load: LoadSummary = field(default_factory=LoadSummary)  # what the load did, set-aside documents counted
    # What became of the dbt build started before Dagster's dbt step: dbt_standby.ADOPTED, or
    # why it was not; None when none was started (no standby, or nothing to build).
    early_dbt_build: str | None = None

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


def _load_summary(ingest: ExecuteInProcessResult) -> LoadSummary:
    """The summary ``load_documents`` returned, as the raw tables' materialisation recorded it
    (each raw table carries the same); empty when the load did not run."""
    recorded = ingest.asset_materializations_for_node("raw_tables")
    if not recorded:
        return LoadSummary()
    return LoadSummary.from_metadata({key: value.value for key, value in recorded[0].metadata.items()})


def run_pipeline(
    paths: PipelinePaths,
    log_level: str = "ERROR",
    force_transform: bool = False,
    instance: DagsterInstance | None = None,
    full_refresh: bool = False,
) -> RunOutcome:
    """``full_refresh``: dbt rebuilds every mart whole instead of the changed documents' rows."""

    def run(assets: list, resources: dict, ops: dict | None = None) -> ExecuteInProcessResult:
        return materialize(
            assets,
            instance=instance,
            resources={"paths": paths, **resources},
            run_config={"loggers": {"console": {"config": {"log_level": log_level}}}, "ops": ops or {}},
            raise_on_error=False,
        )

    # dbt imports itself on the other core while the ingest runs (dbt_standby.py).
    with standing_by():
        ingest = run([*INGEST_ASSETS, *ALL_CHECKS], {})
        outcome = RunOutcome(ingest=ingest, load=_load_summary(ingest))
        dbt_changed_at = settings.dbt_sources_changed_at(settings.Settings.from_env().dbt_project)
        if ingest.success and needs_transform(
            outcome.load, paths.published, dbt_changed_at, force_transform or full_refresh
        ):
            started = now()
            # dbt starts building now, on the standby, while this process imports dagster-dbt
            # (seconds); Dagster's dbt step adopts the build (dbt_invocation.py).
            early = start_early(paths.warehouse, paths.published, full_refresh)
            try:
                # Imported only now: dbt and its manifest cost seconds that a run with
                # nothing new to build should not pay.
                from pipelines.orchestration.dbt_project import dbt_resource
                from pipelines.orchestration.definitions import TRANSFORM_ASSETS

                outcome.transform = run(
                    TRANSFORM_ASSETS,
                    {"dbt": dbt_resource()},
                    {"dbt_models": {"config": {"full_refresh": full_refresh}}},
                )
            finally:
                forget_early()
            if early is not None:
                outcome.early_dbt_build = early_build_outcome() or "the standby said nothing of it"
                if outcome.early_dbt_build != ADOPTED:
                    print(f"yusuan: the dbt build started early was not used: {outcome.early_dbt_build}")
            if outcome.transform.success:
                outcome.load = outcome.load.with_set_aside_by_dbt(paths.warehouse, started)
    return outcome
