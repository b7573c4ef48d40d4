"""Dagster resources, configured from the settings."""

from pathlib import Path

from dagster import ConfigurableResource

from pipelines.ingest.handoff import StoragePath, extraction_root
from pipelines.settings import Settings


class PipelinePaths(ConfigurableResource):
    """The folders and files one pipeline run reads and writes."""

    raw_dir: str
    warehouse_path: str
    extract_dir: str
    published_path: str

    @classmethod
    def from_settings(cls, settings: Settings) -> "PipelinePaths":
        return cls(
            raw_dir=str(settings.raw_dir),
            warehouse_path=str(settings.warehouse),
            extract_dir=settings.extract_dir,
            published_path=str(settings.published),
        )

    @property
    def raw(self) -> Path:
        return Path(self.raw_dir)

    @property
    def warehouse(self) -> Path:
        return Path(self.warehouse_path)

    @property
    def extracted(self) -> StoragePath:
        return extraction_root(self.extract_dir)

    @property
    def published(self) -> Path:
        return Path(self.published_path)
