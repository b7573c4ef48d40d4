"""One whole pipeline run in process: what `yusuan run` and the tests execute.

Keeping it in one place means the CLI, the tests and the nightly job exercise
the same assets, checks and resources.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dagster import ExecuteInProcessResult, materialize

from pipelines.definitions import ALL_ASSETS, ALL_CHECKS
from pipelines.resources import PipelinePaths, dbt_resource


@dataclass
class RunOutcome:
    result: ExecuteInProcessResult
    load: dict = field(default_factory=dict)  # the loader's counts: loaded, unchanged, quarantined, rows …

    @property
    def success(self) -> bool:
        return self.result.success

    @property
    def failed_steps(self) -> list[str]:
        return [e.step_key for e in self.result.all_events if e.is_step_failure]


def run_pipeline(paths: PipelinePaths, log_level: str = "ERROR") -> RunOutcome:
    result = materialize(
        [*ALL_ASSETS, *ALL_CHECKS],
        resources={"paths": paths, "dbt": dbt_resource()},
        run_config={"loggers": {"console": {"config": {"log_level": log_level}}}},
        raise_on_error=False,
    )
    load = next(
        (
            {k: v.value for k, v in event.materialization.metadata.items()}
            for event in result.get_asset_materialization_events()
            if event.asset_key.path == ["raw", "document"]
        ),
        {},
    )
    return RunOutcome(result=result, load=load)
