"""The Dagster code location: assets, the nightly job and resources."""

from dagster import AssetSelection, Definitions, define_asset_job

from pipelines.assets.checks import ALL_CHECKS
from pipelines.assets.dbt import dbt_models
from pipelines.assets.documents import extracted_documents, source_files, validated_documents
from pipelines.assets.publish import published_warehouse
from pipelines.assets.warehouse import raw_tables
from pipelines.resources import PipelinePaths, dbt_resource

INGEST_ASSETS = [source_files, extracted_documents, validated_documents, raw_tables]
TRANSFORM_ASSETS = [dbt_models, published_warehouse]
ALL_ASSETS = [*INGEST_ASSETS, *TRANSFORM_ASSETS]

nightly_job = define_asset_job("nightly", selection=AssetSelection.all(), description="raw/ → warehouse, end to end")

defs = Definitions(
    assets=ALL_ASSETS,
    asset_checks=ALL_CHECKS,
    jobs=[nightly_job],
    resources={"paths": PipelinePaths.from_env(), "dbt": dbt_resource()},
)
