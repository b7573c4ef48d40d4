"""The dbt project as Dagster sees it, with a manifest kept current."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from functools import cached_property
from importlib.metadata import version as installed_version
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject
from packaging.version import Version

from pipelines import settings

# The dbt assets are defined from the manifest when their module is imported, so the
# project (YUSUAN_DBT_PROJECT_DIR: a copy of dbt/, in tests) is read then.
PROJECT_DIR = settings.Settings.from_env().dbt_project
dbt_project = DbtProject(project_dir=PROJECT_DIR, profiles_dir=PROJECT_DIR)
DBT = str(Path(sys.executable).with_name("dbt"))  # the venv's dbt, whether or not the venv is on PATH


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


# dagster-dbt starts dbt with subprocess.Popen and no hook of its own, so dbt is started
# through this launcher: it asks to die with its parent, then has the run's dbt standby
# (dbt_standby.py) run the command, or else becomes dbt (exec keeps the request).
_LAUNCHER = """#!{python}
import os, sys
sys.path.insert(0, {root!r})
from pipelines.orchestration.child_process import die_with_parent
die_with_parent()
from pipelines.orchestration.dbt_standby import run_on_standby
code = run_on_standby(sys.argv[1:])
if code is not None:
    sys.exit(code)
os.execv({dbt!r}, [{dbt!r}, *sys.argv[1:]])
"""


def dbt_launcher() -> Path:
    """An executable that runs the venv's dbt, tied to the life of the process that starts it."""
    path = PROJECT_DIR / "target" / "dbt-with-parent"
    text = _LAUNCHER.format(python=sys.executable, root=str(settings.PROJECT_ROOT), dbt=DBT)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        staging = path.with_name(f".{path.name}.{os.getpid()}")
        staging.write_text(text, encoding="utf-8")
        staging.chmod(0o755)
        os.replace(staging, path)
    return path


# dbt writes every event at debug level to a rotating dbt.log, checking the file on
# each line: that was half of a build's time (400 nodes, each a few milliseconds of
# SQL).  Nor is it kept for warnings and errors: dbt formats every event for each of its
# logs before the log's level drops it, and 9 in 10 are debug (a tenth of an incremental
# build).  What the run needs reaches Dagster, and the run's log, through dbt's JSON output.
DBT_FILE_LOG_LEVEL = "none"


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
        global_config_flags=["--log-level-file", DBT_FILE_LOG_LEVEL],
    )
