"""Dagster resources, configured from environment variables."""


from pathlib import Path

from dagster import ConfigurableResource

from pipelines import settings
from pipelines.ingest.handoff import StoragePath, extraction_root


class PipelinePaths(ConfigurableResource):
    """The folders and files one pipeline run reads and writes."""

    raw_dir: str
    warehouse_path: str
    extract_dir: str
    published_path: str

    @classmethod
    def from_env(cls) -> "PipelinePaths":
        return cls(
            raw_dir=str(settings.raw_dir()),
            warehouse_path=str(settings.warehouse_path()),
            extract_dir=settings.extract_dir(),
            published_path=str(settings.published_path()),
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

