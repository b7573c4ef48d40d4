"""Where things live, from environment variables with defaults inside the project."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt"


def env_path(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return Path(value).expanduser().resolve() if value else default


def dbt_project_dir() -> Path:
    """The dbt project the run builds (YUSUAN_DBT_PROJECT_DIR, default dbt/ of this project)."""
    return env_path("YUSUAN_DBT_PROJECT_DIR", DBT_PROJECT_DIR)


_DBT_SOURCES = ("models", "seeds", "macros", "tests", "dbt_project.yml")


def dbt_sources_changed_at() -> float:
    """When any file of the dbt project last changed (mtime): marts built before are stale."""
    newest = 0.0
    for name in _DBT_SOURCES:
        path = dbt_project_dir() / name
        files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
        newest = max([newest, *(p.stat().st_mtime for p in files)])
    return newest


def raw_dir() -> Path:
    return env_path("YUSUAN_RAW_DIR", PROJECT_ROOT / "raw")


def warehouse_path() -> Path:
    return env_path("YUSUAN_WAREHOUSE", PROJECT_ROOT / "warehouse" / "yusuan.duckdb")


def extract_dir() -> str:
    """Extraction outputs: beside the warehouse unless configured, as a shared path or
    an fsspec URL (s3://bucket/extracted) that workers on other machines can reach."""
    value = os.environ.get("YUSUAN_EXTRACT_DIR", "")
    if "://" in value:
        return value
    return str(env_path("YUSUAN_EXTRACT_DIR", warehouse_path().parent / "extracted"))


def published_path() -> Path:
    return env_path("YUSUAN_PUBLISHED", warehouse_path().parent / "published" / "yusuan.duckdb")


EXECUTORS = ("in_process", "celery")


class SettingError(ValueError):
    """A setting in the environment that the pipeline cannot use."""


def extraction_executor() -> str:
    """Where per-document extraction runs: "in_process" (one machine) or "celery" (workers)."""
    choice = os.environ.get("YUSUAN_EXECUTOR", "in_process")
    if choice not in EXECUTORS:
        raise SettingError(f"YUSUAN_EXECUTOR={choice!r}: expected one of {', '.join(EXECUTORS)}")
    return choice


def celery_broker() -> str:
    return os.environ.get("YUSUAN_CELERY_BROKER", "redis://127.0.0.1:6379/0")


def celery_backend() -> str:
    """Step results come back through the broker's Redis unless told otherwise."""
    return os.environ.get("YUSUAN_CELERY_BACKEND", celery_broker())


def extraction_workers() -> int:
    """Documents extracted at once by `yusuan run` / the nightly job (default: one per core)."""
    text = os.environ.get("YUSUAN_EXTRACT_WORKERS", "").strip()
    if text and not (text.isdigit() and int(text) > 0):
        raise SettingError(f"YUSUAN_EXTRACT_WORKERS={text!r} must be a whole number of processes, 1 or more")
    return int(text) if text else os.cpu_count() or 1
