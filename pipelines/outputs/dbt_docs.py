"""The dbt docs site (lineage graph, every model's and column's description) as one static page.

``dbt docs generate --static`` writes a single ``static_index.html`` with the manifest and
the catalog inside, so the page opens from disk with no server and no network.  The
catalog is read from a scratch copy of the published warehouse: the docs describe what
analysts open, and neither the writer's file nor the read-only copy is touched.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

DOCS_DIR = "docs"
DOCS_PAGE = "index.html"


class DocsBuildFailed(Exception):
    """dbt could not generate the docs; the message holds the end of its output."""


def build_docs(published: Path, project_dir: Path, out_dir: Path) -> Path:
    """Write ``out_dir/index.html`` (replaced in one step) from the published copy; its path."""
    dbt = str(Path(sys.executable).with_name("dbt"))
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="yusuan-docs-") as scratch:
        database = Path(scratch) / "yusuan.duckdb"
        shutil.copyfile(published, database)
        os.chmod(database, 0o644)  # the copy of a 0444 file; dbt opens its database read-write
        target = Path(scratch) / "target"
        generated = subprocess.run(
            [
                dbt,
                "docs",
                "generate",
                "--static",
                "--project-dir",
                str(project_dir),
                "--profiles-dir",
                str(project_dir),
                "--target-path",
                str(target),
                "--log-path",
                str(Path(scratch) / "logs"),
            ],
            env={**os.environ, "YUSUAN_WAREHOUSE": str(database)},
            cwd=project_dir,
            capture_output=True,
            text=True,
        )
        if generated.returncode != 0:
            raise DocsBuildFailed("\n".join((generated.stdout + generated.stderr).splitlines()[-20:]))
        staging = out_dir / f".{DOCS_PAGE}.tmp"
        shutil.copyfile(target / "static_index.html", staging)
    os.replace(staging, out_dir / DOCS_PAGE)
    return out_dir / DOCS_PAGE
