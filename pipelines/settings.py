"""Where things live, from environment variables with defaults inside the project."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt"


def env_path(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return Path(value).expanduser().resolve() if value else default


def raw_dir() -> Path:
    return env_path("YUSUAN_RAW_DIR", PROJECT_ROOT / "raw")


def warehouse_path() -> Path:
    return env_path("YUSUAN_WAREHOUSE", PROJECT_ROOT / "warehouse" / "yusuan.duckdb")


def extract_dir() -> Path:
    """Extraction outputs: beside the warehouse unless configured (e.g. a shared path)."""
    return env_path("YUSUAN_EXTRACT_DIR", warehouse_path().parent / "extracted")


def published_path() -> Path:
    return env_path("YUSUAN_PUBLISHED", warehouse_path().parent / "published" / "yusuan.duckdb")
