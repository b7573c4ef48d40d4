"""OCR scorecard: corpus documents rasterised into scans, read back by OCR, compared with their text.

    .venv/bin/python benchmarks/ocr.py [--variants 200,150,200-skewed] [--limit N] [--workers 2] [PDF or folder …]

Each document (default: the samples in raw/) is rendered into an image-only PDF
per variant: ``200`` and ``150`` dpi, and ``200-skewed`` (200 dpi turned by 0.5°
with grain noise, as a sheet fed through a scanner).  Each scan goes through the
same extraction as any file, OCR gate included, and every budget line read from
it is compared with the line read from the text layer of the original (same
statement, page, item, measure, unit and period):

- identical: the same amount;
- wrong: a different amount (on a loaded document, these must be 0);
- missed: read from the text, not from the scan; extra: read from the scan only
  (a misread label or a table split differently: the figure cannot be matched).

Reference figures (tests/support/references.py) are scored like ``make accuracy``
does; a quarantined scan has them all absent.  Pages/s is the OCR extraction's
own speed (one process per document, ``--workers`` documents at a time), by the
wall clock and per CPU second (the recogniser's threads included).
OCR is slow (seconds per table page): ``--limit N`` takes the N smallest documents.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pypdfium2

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipelines.extraction.document import (  # noqa: E402
    OcrNotReconciled,
    parse_document,
    read_document,
    require_reconciled,
)
from pipelines.extraction.lines import BudgetLine  # noqa: E402
from pipelines.extraction.text import compact  # noqa: E402
from tests.support.references import sample_documents  # noqa: E402
from tests.support.scans import rasterise  # noqa: E402


def _keyed(lines: list[BudgetLine]) -> dict[tuple, BudgetLine]:
    """Lines by what they are, not by where camelot's grid put them (the grids may differ)."""
    keyed: dict[tuple, BudgetLine] = {}
    seen: Counter = Counter()
    for line in lines:
        base = (
            line.statement,
            line.source_page,
            line.item_code,
            compact(line.item_name),
            line.measure,
            line.budget_unit,
            line.period,
        )
        seen[base] += 1
        keyed[(*base, seen[base])] = line
    return keyed


@dataclass(frozen=True)
class Job:
    pdf: Path
    variant: str


def measure(job: Job) -> dict:
    dpi = int(job.variant.split("-")[0])
    scan = rasterise(job.pdf, dpi, skewed=job.variant.endswith("skewed"))
    text = parse_document(read_document(job.pdf.read_bytes()))
    started, cpu_started = time.perf_counter(), time.process_time()
    raw = read_document(scan)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    parsed = parse_document(raw)
    reason = ""
    try:
        require_reconciled(raw, parsed)
    except OcrNotReconciled as exc:
        reason = str(exc)
    want, got = _keyed(text.lines), _keyed(parsed.lines)
    score = Counter()
    wrong = []
    for key, line in want.items():
        if key not in got:
            score["missed"] += 1
        elif got[key].amount_yuan == line.amount_yuan:
            score["identical"] += 1
        else:
            score["wrong"] += 1
            wrong.append(
                f"p{line.source_page} {line.statement} {line.item_name} {line.measure}: "
                f"{got[key].printed_amount} read for {line.printed_amount} "
                f"(confidence {got[key].ocr_confidence:.3f})"
            )
    score["extra"] = sum(1 for key in got if key not in want)
    expected = next((d for d in sample_documents() if d.path.resolve() == job.pdf.resolve()), None)
    headlines = {} if reason else {h.metric: h.value_yuan for h in parsed.headlines}
    for metric, value in (expected.figures if expected else {}).items():
        score[
            "ref_" + ("absent" if metric not in headlines else "exact" if headlines[metric] == value else "wrong")
        ] += 1
    meta = parsed.metadata
    metadata_ok = expected is None or (
        expected.department_matches(meta.department_name) and meta.fiscal_year == expected.fiscal_year
    )
    confidences = [l.ocr_confidence for l in parsed.lines if l.ocr_confidence is not None]
    return {
        "file": job.pdf.name,
        "variant": job.variant,
        "pages": raw.pages,
        "ocr_pages": len(raw.ocr_pages),
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "loaded": not reason,
        "reason": reason,
        "wrong_notes": wrong
        + ([] if metadata_ok else [f"metadata: {meta.department_name} {meta.fiscal_year} read from the scan"]),
        "min_confidence": min(confidences, default=None),
        **score,
    }


COLUMNS = ["identical", "wrong", "missed", "extra", "ref_exact", "ref_absent", "ref_wrong"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*")
    parser.add_argument("--variants", default="200,150,200-skewed")
    parser.add_argument("--limit", type=int, default=0, help="only the N smallest documents (0: all)")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    files: list[Path] = []
    for arg in map(Path, args.paths or [str(ROOT / "raw")]):
        files += sorted(arg.rglob("*.pdf")) if arg.is_dir() else [arg]
    # Smallest documents first: an interrupted run has scored as many documents as it could.
    files.sort(key=lambda f: len(pypdfium2.PdfDocument(str(f))))
    files = files[: args.limit] if args.limit else files
    jobs = [Job(f, v) for v in args.variants.split(",") for f in files]
    tempfile.tempdir = tempfile.mkdtemp(prefix="yusuan-ocr-")
    width = max(len(f.name) for f in files)
    header = " ".join(f"{c:>10s}" for c in COLUMNS)
    print(f"{'document':{width}s} {'variant':>11s} {'outcome':>11s} {'pages':>5s} {header}    pages/s", flush=True)
    reports = []
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        for r in pool.map(measure, jobs):
            reports.append(r)
            outcome = "loaded" if r["loaded"] else "quarantined"
            cells = " ".join(f"{r.get(c, 0):>10d}" for c in COLUMNS)
            speed = r["pages"] / r["seconds"]
            print(
                f"{r['file']:{width}s} {r['variant']:>11s} {outcome:>11s} {r['pages']:>5d} {cells} {speed:>10.2f}",
                flush=True,
            )
    print("\nquarantined scans, and wrong figures:")
    for r in reports:
        if r["reason"]:
            print(f"  {r['file']} {r['variant']}: {r['reason']}")
        for note in r["wrong_notes"]:
            print(f"  {r['file']} {r['variant']} {'LOADED ' if r['loaded'] else ''}wrong: {note}")
    for variant in args.variants.split(","):
        rows = [r for r in reports if r["variant"] == variant]
        total = Counter()
        for r in rows:
            total.update({c: r.get(c, 0) for c in COLUMNS})
        loaded = [r for r in rows if r["loaded"]]
        wrong_loaded = sum(r.get("wrong", 0) for r in loaded)
        figures = sum(total[c] for c in ("identical", "wrong", "missed"))
        references = sum(total[c] for c in ("ref_exact", "ref_absent", "ref_wrong"))
        pages, seconds = sum(r["pages"] for r in rows), sum(r["seconds"] for r in rows)
        cpu_seconds = sum(r["cpu_seconds"] for r in rows)
        share = 100 * total["identical"] / max(figures, 1)
        reference_share = 100 * total["ref_exact"] / max(references, 1)
        print(
            f"\nSUMMARY {variant}: {len(rows)} documents, {len(loaded)} loaded, "
            f"{len(rows) - len(loaded)} quarantined; figures identical {total['identical']} of {figures} "
            f"({share:.1f} %), wrong {total['wrong']} (in loaded documents: {wrong_loaded}), "
            f"missed {total['missed']}, extra {total['extra']}; reference figures exact {total['ref_exact']} "
            f"of {references} ({reference_share:.1f} %), wrong {total['ref_wrong']}; {pages} pages in "
            f"{seconds:.0f} s of one process each: {pages / seconds:.2f} pages/s per process "
            f"({pages / cpu_seconds:.2f} pages per CPU second: on a shared machine the wall clock waits)"
        )


if __name__ == "__main__":
    main()
