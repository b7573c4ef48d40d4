"""The dbt project as Dagster sees it, with a manifest kept current."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject

from pipelines import settings

dbt_project = DbtProject(project_dir=settings.DBT_PROJECT_DIR, profiles_dir=settings.DBT_PROJECT_DIR)


def ensure_manifest() -> Path:
    """Parse the dbt project when its manifest is missing or older than its sources.

    The asset definitions are built from the manifest, so this runs before they
    load: on a fresh clone, and after anyone edits a model.
    """
    manifest = Path(dbt_project.manifest_path)
    if manifest.exists() and manifest.stat().st_mtime >= settings.dbt_sources_changed_at():
        return manifest
    env = {**os.environ, "YUSUAN_WAREHOUSE": str(settings.Settings.from_env().warehouse)}
    subprocess.run(
        [
            str(Path(sys.executable).with_name("dbt")),
            "parse",
            "--quiet",
            "--project-dir",
            str(settings.DBT_PROJECT_DIR),
            "--profiles-dir",
            str(settings.DBT_PROJECT_DIR),
        ],
        check=True,
        env=env,
        cwd=settings.DBT_PROJECT_DIR,
    )
    return manifest


def dbt_resource() -> DbtCliResource:
    # The venv's dbt, whether or not the venv is on PATH.
    return DbtCliResource(project_dir=dbt_project, dbt_executable=str(Path(sys.executable).with_name("dbt")))
