"""The nightly run from the command line: a first `yusuan run` over the samples, then
runs with nothing new, timed as a user would time them (wall clock, whole command).

    .venv/bin/python benchmarks/nightly.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.measure import YUSUAN, machine, run_measured, table  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5, help="no-op runs to time (default 5)")
    args = parser.parse_args()
    print(f"machine: {machine()}\n")
    with tempfile.TemporaryDirectory() as out:
        command = [YUSUAN, "run", "--raw", str(ROOT / "raw"), "--warehouse", str(Path(out) / "yusuan.duckdb")]
        published = Path(out) / "published" / "yusuan.duckdb"
        first = run_measured(command)
        assert first.returncode == 0, first.stdout
        built_at = published.stat().st_mtime_ns
        noops = [run_measured(command) for _ in range(args.repeat)]
        assert all(n.returncode == 0 and "0 loaded" in n.stdout for n in noops), noops[-1].stdout
        dbt_skipped = published.stat().st_mtime_ns == built_at  # dbt and publishing did not run
    summary = [line for line in first.stdout.splitlines() if line.startswith("documents:")]
    print(
        table(
            ["yusuan run", "wall s", "peak RSS MB"],
            [
                ["first run: extract, load, dbt, publish", f"{first.seconds:.1f}", f"{first.peak_rss_mb:.0f}"],
                [
                    f"nothing new (median of {len(noops)})",
                    f"{statistics.median(n.seconds for n in noops):.2f}",
                    f"{max(n.peak_rss_mb for n in noops):.0f}",
                ],
                ["nothing new (slowest)", f"{max(n.seconds for n in noops):.2f}", ""],
            ],
        )
    )
    print(f"\nfirst run: {summary[0] if summary else first.stdout}")
    print(f"nothing new: {[l for l in noops[-1].stdout.splitlines() if l.startswith('documents:')][0]}")
    print(f"dbt and publishing skipped on the no-op runs: {'yes' if dbt_skipped else 'no'}")


if __name__ == "__main__":
    main()
