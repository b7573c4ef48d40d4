"""Dagster assets, one module per concern.

The ingest assets are listed here, away from the dbt assets, so that a run
that only ingests (``yusuan run`` when nothing changed) never imports dbt.
"""

from pipelines.orchestration.assets.documents import extracted_documents, source_files, validated_documents
from pipelines.orchestration.assets.raw_tables import raw_tables

INGEST_ASSETS = [source_files, extracted_documents, validated_documents, raw_tables]
