"""Growth with the number of documents: `yusuan run` from nothing on 50, 200 and 500
distinct documents, each size in a fresh warehouse.

    .venv/bin/python benchmarks/scale.py [--sizes 50 200 500] [--work DIR]

Half the documents are the Shenzhen-family seed rendered as other departments'
budgets of other years (distinct departments and years, so the marts grow too);
the other half are the real samples in raw/, each copy made distinct by a
comment after its end-of-file marker (same pages, different sha256; copies of
one department-year supersede each other in the marts).  Prints pages/s, peak
RSS of the whole process tree, the sizes on disk, and the time of each query in
docs/queries.sql on the published copy.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402
import pypdfium2  # noqa: E402

from benchmarks.measure import YUSUAN, machine, named_queries, run_measured, table  # noqa: E402

# Names no longer than the seed's own, so that they fit its by-unit tables' columns.
BUREAUS = [
    "教育局",
    "卫生健康局",
    "民政局",
    "财政局",
    "司法局",
    "人力资源局",
    "住房和建设局",
    "交通运输局",
    "水务局",
    "文化广电旅游体育局",
    "科技创新局",
    "发展和改革局",
    "审计局",
    "统计局",
    "退役军人事务局",
    "应急管理局",
    "城市管理局",
    "市场监督管理局",
    "生态环境局",
    "规划和自然资源局",
    "工业和信息化局",
    "商务局",
    "政务服务数据管理局",
    "机关事务管理局",
    "档案馆",
]
YEARS = range(2013, 2023)
QUERY_REPEATS = 5


def _render(job: tuple[Path, str, int]) -> Path:
    from tests.support.renderers.futian import render_futian_2022

    path, department, year = job
    if not path.exists():
        render_futian_2022(path, department=f"深圳市福田区{department}", year=year)
    return path


def corpus(cache: Path, size: int) -> list[Path]:
    """``size`` distinct PDFs: rendered variants and re-stamped samples, interleaved."""
    rendered_jobs = [
        (cache / "rendered" / f"{i:03d}_{year}.pdf", bureau, year) for i, bureau in enumerate(BUREAUS) for year in YEARS
    ]
    wanted = rendered_jobs[: (size + 1) // 2]
    (cache / "rendered").mkdir(parents=True, exist_ok=True)
    with ProcessPoolExecutor(2) as pool:
        rendered = list(pool.map(_render, wanted))
    samples = sorted((ROOT / "raw").rglob("*.pdf"))
    copies = []
    (cache / "copies").mkdir(parents=True, exist_ok=True)
    for i in range(size - len(rendered)):
        sample = samples[i % len(samples)]
        copy = cache / "copies" / f"{i:03d}_{sample.name}"
        if not copy.exists():
            copy.write_bytes(sample.read_bytes() + f"\n% yusuan benchmark copy {i}\n%%EOF\n".encode())
        copies.append(copy)
    return [p for pair in zip(rendered, copies) for p in pair] + rendered[len(copies) :] + copies[len(rendered) :]


def folder_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


def query_ms(published: Path) -> dict[str, float]:
    timings = {}
    with duckdb.connect(str(published), read_only=True) as con:
        for name, sql in named_queries().items():
            con.execute(sql).fetchall()  # warm: the first read of each column from disk
            runs = []
            for _ in range(QUERY_REPEATS):
                started = time.perf_counter()
                con.execute(sql).fetchall()
                runs.append((time.perf_counter() - started) * 1000)
            timings[name] = statistics.median(runs)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 200, 500])
    parser.add_argument("--work", type=Path, help="folder for the corpus and warehouses (default: a temp dir)")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="yusuan-scale-"))
    print(f"machine: {machine()}")
    print(f"work folder: {work}\n")

    rows, queries = [], {}
    for size in args.sizes:
        raw = work / f"raw_{size}"
        shutil.rmtree(raw, ignore_errors=True)
        raw.mkdir(parents=True)
        pages = 0
        for pdf in corpus(work / "cache", size):
            (raw / pdf.name).hardlink_to(pdf)
            pages += len(pypdfium2.PdfDocument(pdf.read_bytes()))
        warehouse = work / f"warehouse_{size}" / "yusuan.duckdb"
        shutil.rmtree(warehouse.parent, ignore_errors=True)
        run = run_measured([YUSUAN, "run", "--raw", str(raw), "--warehouse", str(warehouse)])
        assert run.returncode == 0, run.stdout[-3000:]
        summary = next(line for line in run.stdout.splitlines() if line.startswith("documents:"))
        published = warehouse.parent / "published" / "yusuan.duckdb"
        with duckdb.connect(str(published), read_only=True) as con:
            current = con.execute("SELECT count(*) FROM marts.dim_document WHERE is_current").fetchone()[0]
            lines = con.execute("SELECT count(*) FROM raw.budget_line").fetchone()[0]
        queries[size] = query_ms(published)
        rows.append(
            [
                size,
                pages,
                f"{run.seconds:.0f}",
                f"{pages / run.seconds:.1f}",
                f"{run.peak_rss_mb:.0f}",
                f"{warehouse.stat().st_size / 2**20:.0f}",
                f"{published.stat().st_size / 2**20:.0f}",
                f"{folder_mb(warehouse.parent / 'extracted'):.0f}",
                lines,
                current,
                f"{max(queries[size].values()):.1f}",
            ]
        )
        print(f"{size} documents: {summary}", flush=True)

    print()
    print(
        table(
            [
                "documents",
                "pages",
                "wall s",
                "pages/s",
                "peak RSS MB",
                "warehouse MB",
                "published MB",
                "extracted MB",
                "budget lines",
                "current docs",
                "slowest query ms",
            ],
            rows,
        )
    )
    print()
    names = list(next(iter(queries.values())))
    print(
        table(
            ["query (median of 5, ms)", *map(str, args.sizes)],
            [[name, *(f"{queries[size][name]:.1f}" for size in args.sizes)] for name in names],
        )
    )


if __name__ == "__main__":
    main()
