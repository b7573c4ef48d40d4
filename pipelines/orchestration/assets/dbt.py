"""Assets: the dbt models (staging → intermediate → marts), built with dagster-dbt."""

import os
from collections.abc import Mapping
from typing import Any

from dagster import AssetExecutionContext
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from pipelines.orchestration.dbt_project import dbt_project, ensure_manifest
from pipelines.orchestration.resources import PipelinePaths


class YusuanTranslator(DagsterDbtTranslator):
    """dbt sources keep their default keys (``raw/document`` …), which ``raw_tables`` produces."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return "dbt"


@dbt_assets(manifest=ensure_manifest(), dagster_dbt_translator=YusuanTranslator(), pool="duckdb")
def dbt_models(context: AssetExecutionContext, dbt: DbtCliResource, paths: PipelinePaths):
    os.environ["YUSUAN_WAREHOUSE"] = str(paths.warehouse)  # read by dbt/profiles.yml
    yield from dbt.cli(["build"], context=context).stream()


__all__ = ["dbt_models", "dbt_project"]
