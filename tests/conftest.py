"""Shared fixtures: the sample PDFs shipped in raw/, extracted once per session."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from pipelines.extraction.document import ParsedDocument, RawDocument, extract
from tests.support.references import ExpectedDocument, nationwide_documents

PROJECT_ROOT = Path(__file__).resolve().parents[1]
RAW = PROJECT_ROOT / "raw"
DATA = Path(__file__).resolve().parent / "data"


def sample(name: str) -> Path:
    """A sample PDF in raw/ by file name (raw/ may be organised in any folders)."""
    matches = list(RAW.rglob(name))
    assert len(matches) == 1, f"sample {name} not found once under {RAW}"
    return matches[0]


def _extract_path(path: Path) -> tuple[RawDocument, ParsedDocument]:
    return extract(path.read_bytes())


@pytest.fixture(scope="session")
def corpus() -> dict[str, tuple[RawDocument, ParsedDocument]]:
    """Every sample PDF extracted once (two worker processes, as on CI's two cores)."""
    paths = sorted(RAW.rglob("*.pdf"))
    with ProcessPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(_extract_path, paths))
    return {path.name: result for path, result in zip(paths, results)}


def _parse_nationwide(document: ExpectedDocument) -> ParsedDocument | str:
    try:
        return extract(document.path.read_bytes())[1]
    except Exception as exc:  # reported by the document's own test, not the whole session
        return f"{type(exc).__name__}: {exc}"


@pytest.fixture(scope="session")
def nationwide() -> dict[str, ParsedDocument | str]:
    """Every tests/data/nationwide document extracted once (two worker processes);
    a document that fails to extract maps to its error message."""
    documents = nationwide_documents()
    with ProcessPoolExecutor(max_workers=2) as pool:
        return {d.name: parsed for d, parsed in zip(documents, pool.map(_parse_nationwide, documents))}


@pytest.fixture(scope="session")
def futian(tmp_path_factory) -> tuple[RawDocument, ParsedDocument]:
    """The Shenzhen Futian 2022 seed rendered as a ruled PDF, then extracted like any file."""
    from tests.support.renderers.futian import render_futian_2022

    path = render_futian_2022(tmp_path_factory.mktemp("futian") / "futian_2022.pdf")
    return extract(path.read_bytes())


@pytest.fixture(scope="session")
def sample_warehouse(tmp_path_factory):
    """The whole pipeline run once over every sample in raw/; returns its PipelinePaths.

    Tests read ``paths.published`` (the read-only copy analysts open)."""
    from pipelines.ingest.runner import run_pipeline
    from pipelines.orchestration.resources import PipelinePaths

    root = tmp_path_factory.mktemp("sample_warehouse")
    paths = PipelinePaths(
        raw_dir=str(RAW),
        warehouse_path=str(root / "yusuan.duckdb"),
        extract_dir=str(root / "extracted"),
        published_path=str(root / "published" / "yusuan.duckdb"),
    )
    assert run_pipeline(paths).success
    return paths


@pytest.fixture(scope="module")
def con(sample_warehouse):
    """A read-only connection to the sample warehouse's published copy, as analysts open it.
    One per module: a connection left open would make DuckDB refuse test_bi's SQLAlchemy engine,
    which opens the same file with another configuration."""
    import duckdb

    connection = duckdb.connect(str(sample_warehouse.published), read_only=True)
    yield connection
    connection.close()
