"""Progress lines, one per document: through logging, so the CLI can show them
on the terminal while Dagster runs send them to the run log."""

from __future__ import annotations

import logging
from pathlib import Path

logger = logging.getLogger("yusuan.progress")


def document_progress(file_path: str, message: str) -> None:
    logger.info("  %s: %s", Path(file_path).name, message)
