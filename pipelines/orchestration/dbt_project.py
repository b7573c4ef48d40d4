"""The dbt project as Dagster sees it, with a manifest kept current."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from functools import cached_property
from importlib.metadata import version as installed_version
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject
from packaging.version import Version

from pipelines import settings
from pipelines.orchestration.dbt_invocation import DBT, GLOBAL_FLAGS, dbt_launcher, project_dir

# The dbt assets are defined from the manifest when their module is imported, so the
# project (YUSUAN_DBT_PROJECT_DIR: a copy of dbt/, in tests) is read then.
PROJECT_DIR = project_dir()
dbt_project = DbtProject(project_dir=PROJECT_DIR, profiles_dir=PROJECT_DIR)


def ensure_manifest() -> Path:
    """Parse the dbt project when its manifest is missing or older than its sources.

    The asset definitions are built from the manifest, so this runs before they
    load: on a fresh clone, and after anyone edits a model.
    """
    manifest = Path(dbt_project.manifest_path)
    if manifest.exists() and manifest.stat().st_mtime >= settings.dbt_sources_changed_at(PROJECT_DIR):
        return manifest
    env = {**os.environ, "YUSUAN_WAREHOUSE": str(settings.Settings.from_env().warehouse)}
    subprocess.run(
        [DBT, "parse", "--quiet", "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR)],
        check=True,
        env=env,
        cwd=PROJECT_DIR,
    )
    return manifest


class YusuanDbtCli(DbtCliResource):
    """dagster-dbt's dbt CLI resource, without two start-up costs this project never uses.

    Each invocation would run `dbt --version` in a subprocess (about 2 s) to learn which dbt
    runs, and load a dbt adapter into this process (about 3 s), which dagster-dbt only needs
    to fetch column metadata and row counts that the assets here do not ask for.  The dbt
    that runs is the venv's dbt-core, whose version the installed package gives.  Both are
    private hooks of the pinned dagster-dbt: check them when upgrading it."""

    @cached_property
    def _cli_version(self) -> Version:
        return Version(installed_version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:
        return None


def dbt_resource() -> DbtCliResource:
    return YusuanDbtCli(
        project_dir=dbt_project,
        dbt_executable=str(dbt_launcher()),
        global_config_flags=list(GLOBAL_FLAGS),
    )
