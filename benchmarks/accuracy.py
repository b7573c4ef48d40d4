"""Accuracy report: per document, the statements found, rows read and identities checked.

    .venv/bin/python benchmarks/accuracy.py [PDF or folder …]

Without arguments it reads every PDF under raw/ and the Shenzhen seed rendering
(tests/renderers), so all three template families are covered.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipelines.extraction.document import extract  # noqa: E402
from pipelines.extraction.identities import PASS, run_checks  # noqa: E402


def inputs(args: list[str]) -> list[Path]:
    if args:
        paths: list[Path] = []
        for arg in map(Path, args):
            paths += sorted(arg.rglob("*.pdf")) if arg.is_dir() else [arg]
        return paths
    from tests.renderers.futian import render_futian_2022

    rendered = render_futian_2022(Path(tempfile.mkdtemp()) / "futian_2022_rendered.pdf")
    return sorted((ROOT / "raw").rglob("*.pdf")) + [rendered]


def measure(path: Path) -> dict:
    started = time.perf_counter()
    raw, parsed = extract(path.read_bytes())
    checks = run_checks(parsed.lines, parsed.headlines)
    status = Counter(c.status for c in checks)
    return {
        "file": path.name,
        "pages": raw.pages,
        "tables": len(raw.tables),
        "statements": len({s.statement for s in parsed.statements if s.statement != "unknown"}),
        "unknown": sum(1 for s in parsed.statements if s.statement == "unknown"),
        "empty": sum(1 for s in parsed.statements if s.empty),
        "rows": sum(s.rows for s in parsed.statements),
        "lines": len(parsed.lines),
        "headlines": len(parsed.headlines),
        "checks": len(checks),
        "pass": status[PASS],
        "warn": status["warn"],
        "fail": status["fail"],
        "problems": len(parsed.problems),
        "seconds": time.perf_counter() - started,
        "breaks": [c.describe() for c in checks if c.status != PASS],
    }


def main() -> None:
    paths = inputs(sys.argv[1:])
    with ProcessPoolExecutor(max_workers=2) as pool:
        reports = list(pool.map(measure, paths))
    columns = ["pages", "tables", "statements", "unknown", "empty", "rows", "lines", "headlines",
               "checks", "pass", "warn", "fail", "problems", "seconds"]
    width = max(len(r["file"]) for r in reports)
    print(f"{'document':{width}s} " + " ".join(f"{c:>10s}" for c in columns))
    for r in reports:
        cells = [f"{r[c]:>10.2f}" if c == "seconds" else f"{r[c]:>10d}" for c in columns]
        print(f"{r['file']:{width}s} " + " ".join(cells))
    totals = {c: sum(r[c] for r in reports) for c in columns}
    print(f"{'TOTAL':{width}s} " + " ".join(
        f"{totals[c]:>10.2f}" if c == "seconds" else f"{totals[c]:>10d}" for c in columns))
    print("\nidentity breaks (documents print some themselves; see tests/test_identities.py):")
    for r in reports:
        for line in r["breaks"]:
            print(f"  {r['file']}: {line}")


if __name__ == "__main__":
    main()
