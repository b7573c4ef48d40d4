"""The ``dbt build`` a run asks for, and the same build started before Dagster's dbt step.

Importing dagster-dbt costs 1.5-2.5 s (it imports dbt), and the transform cannot start
before it.  When a run has a dbt standby (dbt_standby.py), the command line's run starts
the build on it as soon as the ingest has loaded (``start_early``), and Dagster's dbt step
adopts it: the step asks dagster-dbt for the very same command, and the standby hands the
launcher the output of the build already running instead of starting another.  The
command is the one dagster-dbt would run, argument for argument and with its environment;
one that differs in anything is stopped and the step's own command runs instead
(tests/integration/test_pipeline.py checks that a run's full and incremental builds are adopted).

This module imports nothing heavy: the run imports it before dagster-dbt.
"""

from __future__ import annotations

import os
import shutil
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines import settings
from pipelines.orchestration import dbt_standby

DBT = str(Path(sys.executable).with_name("dbt"))  # the venv's dbt, whether or not the venv is on PATH
PARTIAL_PARSE = "partial_parse.msgpack"
# The dbt assets' selection (@dbt_assets' select): every node of the project.
DBT_ASSETS_SELECT = "fqn:*"
SEED_PATH = "seeds"  # dbt_project.yml's seed-paths
VIEW = "view"  # dbt materialization of the models kept as stored queries (staging, most of intermediate)
# dbt's global flag (accepted after the subcommand too): no manifest.json (written twice),
# graph.gpickle, semantic_manifest.json nor run_results.json, about 0.6 s of an incremental
# build.  The results come from dbt's events (dbt_build.results_from_events); the parse
# still writes partial_parse.msgpack.
NO_JSON_ARTIFACTS = "--no-write-json"
# dbt writes every event at debug level to a rotating dbt.log, checking the file on
# each line: that was half of a build's time (400 nodes, each a few milliseconds of
# SQL).  Nor is it kept for warnings and errors: dbt formats every event for each of its
# logs before the log's level drops it, and 9 in 10 are debug (a tenth of an incremental
# build).  What the run needs reaches Dagster, and the run's log, through dbt's JSON output.
GLOBAL_FLAGS = ("--log-level-file", "none")
# Where dagster-dbt's per-invocation target folders go, and how they are named
# (``<op>-<run>-<id>``; the assets' op is dbt_models).
INVOCATION_TARGET_PREFIX = "dbt_models-"
# Read by dbt/profiles.yml and by macros/incremental_documents.sql.
WAREHOUSE_ENV = "YUSUAN_WAREHOUSE"
TEST_ALL_ROWS_ENV = "YUSUAN_DBT_TEST_ALL_ROWS"


def project_dir() -> Path:
    """The dbt project the run builds (YUSUAN_DBT_PROJECT_DIR: a copy, in tests)."""
    return settings.Settings.from_env().dbt_project


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
    path = project_dir() / "target" / "dbt-with-parent"
    text = _LAUNCHER.format(python=sys.executable, root=str(settings.PROJECT_ROOT), dbt=DBT)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        staging = path.with_name(f".{path.name}.{os.getpid()}")
        staging.write_text(text, encoding="utf-8")
        staging.chmod(0o755)
        os.replace(staging, path)
    return path


def built_by_current_project(warehouse: Path, published: Path) -> bool:
    """Were the marts of this warehouse last built (and published) by the dbt project as it
    is now?  If not, the whole project is built: a model or seed may have changed any row."""
    dbt_changed_at = settings.dbt_sources_changed_at(project_dir())
    if not published.exists() or published.stat().st_mtime < dbt_changed_at:
        return False
    with duckdb.connect(str(warehouse), read_only=True) as con:
        built = con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'state' "
            "AND table_name = 'document_build_state'"
        ).fetchone()[0]
    return bool(built)


def build_command(full_build: bool) -> list[str]:
    """A full build; or, when the project has not changed since the last one, the tables and
    incremental models on the changed documents, with every test but the seeds'.

    Seeds and views are files of the project: a view is a stored query, so it reads the new
    rows without being created again, and neither can change without the project changing,
    which makes the build a full one.  Their tests read data and still run.  With ``empty``
    indirect selection, excluding a node leaves its tests in (dbt's default would drop
    them, and a model's row rules are one test that may read a seed); the tests written in
    the seeds' YAML are excluded by their path.  dbt keeps the order across the nodes left
    out: a test holds back the models downstream of everything it reads, which is why
    state.document_build_state declares the seeds the row rules read.

    """
    if full_build:
        return ["build", "--full-refresh", NO_JSON_ARTIFACTS]
    return [
        "build",
        "--exclude",
        # One argument: dagster-dbt moves --exclude and the word after it, dbt splits on spaces.
        f"path:{SEED_PATH} config.materialized:{VIEW}",
        "--indirect-selection",
        "empty",
        NO_JSON_ARTIFACTS,
    ]


def dagster_dbt_arguments(command: list[str]) -> list[str]:
    """The arguments dagster-dbt (0.29) gives dbt for ``dbt.cli(command)`` in the dbt assets'
    step, every asset selected: the global flags, the command without its exclusion, the
    exclusion, then the assets' selection."""
    rest, excluded = [], []
    words = iter(command)
    for word in words:
        if word == "--exclude":
            excluded.extend(next(words).split())
        else:
            rest.append(word)
    exclusion = ["--exclude", " ".join(excluded)] if excluded else []
    return [*GLOBAL_FLAGS, *rest, *exclusion, "--select", DBT_ASSETS_SELECT]


def prepare_build(warehouse: Path, published: Path, full_refresh: bool) -> list[str]:
    """This run's build command: full when asked for, or when the project changed since the
    marts were built.  Sets what the dbt project reads from the environment: the warehouse
    (dbt/profiles.yml), and whether tests read every row (macros/incremental_documents.sql:
    the `dbt test` that stores a failing full build's rows must read every row, as the
    build did)."""
    full_build = full_refresh or not built_by_current_project(warehouse, published)
    os.environ[WAREHOUSE_ENV] = str(warehouse)
    os.environ[TEST_ALL_ROWS_ENV] = "1" if full_build else "0"
    return build_command(full_build)


@dataclass(frozen=True)
class EarlyBuild:
    """A build started on the standby before Dagster's dbt step, for the step to adopt."""

    full_refresh: bool  # what the run asked for (`yusuan run --full-refresh`)
    command: list[str]  # what was decided (prepare_build): a full build, or the changed documents'
    target_path: Path  # the invocation's target folder, which the step must name to dagster-dbt


_started: EarlyBuild | None = None


def start_early(warehouse: Path, published: Path, full_refresh: bool) -> EarlyBuild | None:
    """Start this run's build on its standby now, as Dagster's dbt step would start it; None
    (and nothing started) when the run has no standby."""
    global _started
    _started = None
    if not os.environ.get(dbt_standby.STANDBY_SOCKET_ENV):
        return None
    command = prepare_build(warehouse, published, full_refresh)
    project = project_dir()
    target_path = project / "target" / f"{INVOCATION_TARGET_PREFIX}early-{uuid.uuid4().hex[:7]}"
    _seed_partial_parse(project, target_path)
    args = dagster_dbt_arguments(command)
    if not dbt_standby.start_on_standby(args, str(project), dagster_dbt_environment(project, target_path)):
        return None
    _started = EarlyBuild(full_refresh=full_refresh, command=command, target_path=target_path)
    return _started


def claim_early(full_refresh: bool) -> EarlyBuild | None:
    """The build this process started early, for Dagster's dbt step to adopt (once); None
    when none was started, or when it was for another request than ``full_refresh``: then
    it is stopped, and the step decides and runs its own."""
    global _started
    early, _started = _started, None
    if early is not None and early.full_refresh != full_refresh:
        dbt_standby.stop_early_on_standby(f"the dbt step asked for full_refresh={full_refresh}")
        return None
    return early


def forget_early() -> None:
    """After the transform: a build started early that no step adopted is stopped."""
    global _started
    if _started is not None:
        _started = None
        dbt_standby.stop_early_on_standby("no dbt step adopted it")


def dagster_dbt_environment(project: Path, target_path: Path) -> dict[str, str]:
    """The environment dagster-dbt (0.29) gives the dbt it starts, from this process's:
    ``DbtCliResource.cli`` with a target path named and the whole project selected."""
    return {
        "PYTHONLEGACYWINDOWSSTDIO": "1",
        **os.environ,
        "DAGSTER_DBT_CLI": "true",
        "PYTHONUNBUFFERED": "1",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DBT_LOG_FORMAT": "json",
        "DBT_TARGET_PATH": os.fspath(target_path),
        "DBT_LOG_PATH": os.fspath(target_path),
        "DBT_PROFILES_DIR": str(project),
        "DBT_PROJECT_DIR": str(project),
    }


def _seed_partial_parse(project: Path, target_path: Path) -> None:
    """As dagster-dbt does for each invocation: the project's last parse, for dbt to reuse."""
    kept = project / "target" / PARTIAL_PARSE
    if kept.exists():
        target_path.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(kept, target_path / PARTIAL_PARSE)
