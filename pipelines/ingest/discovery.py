"""Finding the PDFs a data team dropped into ``raw/``.

The layout of ``raw/`` is free: PDFs are found recursively; what a document is
comes from its pages, never from its name.  Identity is the sha256 of the bytes,
so the same file under two names is one document, and a changed file is a new one.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

_CHUNK = 1 << 20


@dataclass(frozen=True)
class SourceFile:
    path: str
    document_id: str  # sha256 of the bytes
    size: int


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def list_pdfs(raw_dir: Path) -> list[Path]:
    """Every ``*.pdf`` under ``raw_dir`` (any case), in a stable order."""
    raw_dir = Path(raw_dir).resolve()
    return [
        path
        for path in sorted(raw_dir.rglob("*"))
        # A symlink may point anywhere; only files that really live under raw/ are read.
        if path.suffix.lower() == ".pdf" and path.is_file() and path.resolve().is_relative_to(raw_dir)
    ]


# Digests already taken by this process, by file identity and state: `yusuan run` discovers raw/
# twice (to tell a run with nothing new, then in the job), and hashes each file once.  A file
# rewritten since has another size or modification time, and is hashed again.
_DIGESTS: dict[tuple, str] = {}


def discover(raw_dir: Path) -> list[SourceFile]:
    """Every PDF under ``raw_dir``, one entry per distinct content."""
    found: dict[str, SourceFile] = {}
    for path in list_pdfs(raw_dir):
        stat = path.stat()
        state = (str(path), stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)
        if state not in _DIGESTS:
            _DIGESTS[state] = sha256_file(path)
        document_id = _DIGESTS[state]
        found.setdefault(document_id, SourceFile(str(path), document_id, stat.st_size))
    return list(found.values())
