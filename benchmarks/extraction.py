"""Extraction speed on the sample PDFs in raw/, against camelot's default lattice.

    .venv/bin/python benchmarks/extraction.py [--workers N]

Prints pages per second for: camelot's default lattice (rasterising every page)
on one sample, yusuan's extraction in one process, and yusuan's extraction end
to end as the nightly job runs it (documents in parallel, outputs written),
with the identities of every document checked afterwards.
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.measure import machine, table  # noqa: E402
from pipelines.extraction.document import extract  # noqa: E402
from pipelines.ingest.discovery import discover  # noqa: E402
from pipelines.ingest.handoff import read_document_meta, read_output  # noqa: E402
from pipelines.ingest.processing import extract_sources  # noqa: E402

BASELINE_SAMPLE = "jiangsu_npc_office_2019_budget_tables.pdf"


def camelot_default(pdf: Path) -> tuple[int, float]:
    import camelot
    import pypdfium2

    pages = len(pypdfium2.PdfDocument(pdf.read_bytes()))
    started = time.perf_counter()
    camelot.read_pdf(io.BytesIO(pdf.read_bytes()), pages="all", flavor="lattice")
    return pages, time.perf_counter() - started


def one_process(pdfs: list[Path]) -> tuple[int, float]:
    started = time.perf_counter()
    pages = sum(extract(pdf.read_bytes())[0].pages for pdf in pdfs)
    return pages, time.perf_counter() - started


def end_to_end(raw: Path, workers: int) -> tuple[int, float, Counter]:
    sources = discover(raw)
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        statuses = extract_sources(sources, Path(out), workers)
        seconds = time.perf_counter() - started
        assert all(s.ok for s in statuses), [s.reason for s in statuses if not s.ok]
        checks: Counter = Counter()
        for source in sources:
            checks.update(read_output(Path(out), source.document_id, "checks.parquet").column("status").to_pylist())
        pages = sum(read_document_meta(Path(out), source.document_id)["pages"] for source in sources)
    return pages, seconds, checks


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    raw = ROOT / "raw"
    pdfs = sorted(raw.rglob("*.pdf"))
    print(f"machine: {machine()}")
    print(f"samples: {len(pdfs)} PDFs in raw/\n")

    rows = []
    pages, seconds = camelot_default(next(p for p in pdfs if p.name == BASELINE_SAMPLE))
    baseline = pages / seconds
    rows.append(["camelot lattice, default settings (1 document)", pages, f"{seconds:.1f}", f"{baseline:.1f}", "1.0x"])
    pages, seconds = one_process(pdfs)
    rows.append(
        [
            "yusuan extract, one process",
            pages,
            f"{seconds:.1f}",
            f"{pages / seconds:.1f}",
            f"{pages / seconds / baseline:.1f}x",
        ]
    )
    pages, seconds, checks = end_to_end(raw, args.workers)
    rows.append(
        [
            f"yusuan nightly extraction, {args.workers} processes, outputs written",
            pages,
            f"{seconds:.1f}",
            f"{pages / seconds:.1f}",
            f"{pages / seconds / baseline:.1f}x",
        ]
    )
    print(table(["extraction", "pages", "seconds", "pages/s", "vs camelot"], rows))
    print(f"\nidentities over all samples: {checks['pass']} pass, {checks['warn']} warn, {checks['fail']} fail")


if __name__ == "__main__":
    main()
