"""Accuracy scorecard: every corpus document against figures read off its pages.

    .venv/bin/python benchmarks/accuracy.py [--cache DIR] [PDF or folder …]

Without paths it reads every PDF under raw/, the nationwide corpus
(tests/data/nationwide) and the Shenzhen seed rendering (tests/support/renderers).
Per document: statements found, metadata against the expected (MANIFEST or a
person's reading), identities passed / warned / failed, and reference figures
exact / absent / wrong (tests/support/references.py). The last line sums them up.
``--cache DIR`` keeps camelot's output per file, so a re-run only re-parses.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipelines.extraction.document import RawDocument, parse_document, read_document, sha256_of  # noqa: E402
from pipelines.extraction.identities import PASS, run_checks  # noqa: E402
from tests.support.references import ExpectedDocument, nationwide_documents, sample_documents  # noqa: E402


@dataclass(frozen=True)
class Job:
    path: Path
    expected: ExpectedDocument | None
    cache: Path | None


def _raw_document(job: Job) -> RawDocument:
    data = job.path.read_bytes()
    cached = job.cache / f"{sha256_of(data)}.json" if job.cache else None
    if cached and cached.exists():
        return RawDocument.from_dict(json.loads(cached.read_text(encoding="utf-8")))
    raw = read_document(data)
    if cached:
        cached.write_text(json.dumps(raw.to_dict(), ensure_ascii=False), encoding="utf-8")
    return raw


def _score_figures(expected: ExpectedDocument | None, got: dict) -> tuple[Counter, list[str]]:
    score: Counter = Counter()
    notes = []
    for metric, value in (expected.figures if expected else {}).items():
        if metric not in got:
            score["absent"] += 1
            notes.append(f"{metric} absent (expected {value})")
        elif got[metric] == value:
            score["exact"] += 1
        else:
            score["wrong"] += 1
            notes.append(f"{metric} WRONG: {got[metric]} instead of {value}")
    return score, notes


def measure(job: Job) -> dict:
    started = time.perf_counter()
    report = {
        "file": job.path.name,
        "pages": 0,
        "statements": 0,
        "unknown": 0,
        "lines": 0,
        "headlines": 0,
        "pass": 0,
        "warn": 0,
        "fail": 0,
        "metadata": "-",
        "notes": [],
    }
    try:
        raw = _raw_document(job)
        parsed = parse_document(raw)
    except Exception as exc:  # a scorecard reports every document, whatever happens to one
        score, notes = _score_figures(job.expected, {})
        report.update(
            score,
            metadata="ERROR",
            notes=[f"{type(exc).__name__}: {exc}", *notes],
            seconds=time.perf_counter() - started,
        )
        return report
    meta = parsed.metadata
    if job.expected:
        wanted = job.expected
        right = (
            wanted.department_matches(meta.department_name),
            meta.fiscal_year == wanted.fiscal_year,
            meta.document_kind == wanted.kind,
            meta.scope == wanted.scope,
        )
        report["metadata"] = "ok" if all(right) else "WRONG"
        if not all(right):
            report["notes"].append(
                f"metadata {meta.department_name} {meta.fiscal_year} {meta.document_kind} {meta.scope}, expected "
                f"{wanted.department} {wanted.fiscal_year} {wanted.kind} {wanted.scope}"
            )
    checks = run_checks(parsed.lines, parsed.headlines)
    status = Counter(c.status for c in checks)
    score, notes = _score_figures(job.expected, {h.metric: h.value_yuan for h in parsed.headlines})
    report.update(
        score,
        pages=raw.pages,
        statements=len({s.statement for s in parsed.statements if s.statement != "unknown"}),
        unknown=sum(1 for s in parsed.statements if s.statement == "unknown"),
        lines=len(parsed.lines),
        headlines=len(parsed.headlines),
        notes=report["notes"] + notes + [c.describe() for c in checks if c.status != PASS],
        seconds=time.perf_counter() - started,
        **{"pass": status[PASS], "warn": status["warn"], "fail": status["fail"]},
    )
    return report


def jobs(paths: list[str], cache: Path | None) -> list[Job]:
    known = {d.path.resolve(): d for d in sample_documents() + nationwide_documents()}
    if paths:
        files: list[Path] = []
        for arg in map(Path, paths):
            files += sorted(arg.rglob("*.pdf")) if arg.is_dir() else [arg]
        return [Job(f, known.get(f.resolve()), cache) for f in files]
    from tests.support.renderers.futian import render_futian_2022

    rendered = render_futian_2022(Path(tempfile.mkdtemp()) / "futian_2022_rendered.pdf")
    return [Job(d.path, d, cache) for d in sorted(known.values(), key=lambda d: str(d.path))] + [
        Job(rendered, None, cache)
    ]


COLUMNS = [
    "pages",
    "statements",
    "unknown",
    "lines",
    "headlines",
    "pass",
    "warn",
    "fail",
    "exact",
    "absent",
    "wrong",
    "seconds",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*")
    parser.add_argument("--cache", type=Path, help="keep camelot's output per file here")
    args = parser.parse_args()
    if args.cache:
        args.cache.mkdir(parents=True, exist_ok=True)
    with ProcessPoolExecutor(max_workers=2) as pool:
        reports = list(pool.map(measure, jobs(args.paths, args.cache)))
    width = max(len(r["file"]) for r in reports)
    print(f"{'document':{width}s} {'metadata':>8s} " + " ".join(f"{c:>10s}" for c in COLUMNS))
    for r in reports:
        cells = [f"{r.get(c, 0):>10.2f}" if c == "seconds" else f"{r.get(c, 0):>10d}" for c in COLUMNS]
        print(f"{r['file']:{width}s} {r['metadata']:>8s} " + " ".join(cells))
    totals = {c: sum(r.get(c, 0) for r in reports) for c in COLUMNS}
    print("\nper document (figures not exact, metadata, identity breaks; documents print some breaks themselves):")
    for r in reports:
        for note in r["notes"]:
            print(f"  {r['file']}: {note}")
    metadata = Counter(r["metadata"] for r in reports)
    print(
        f"\nSUMMARY {len(reports)} documents, {totals['pages']} pages: metadata ok {metadata['ok']}, "
        f"wrong {metadata['WRONG']}, unreadable {metadata['ERROR']}; reference figures exact {totals['exact']}, "
        f"absent {totals['absent']}, wrong {totals['wrong']}; identities pass {totals['pass']}, "
        f"warn {totals['warn']}, fail {totals['fail']}; {totals['seconds']:.1f} s of extraction"
    )


if __name__ == "__main__":
    main()
