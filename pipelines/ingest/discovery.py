"""Finding the PDFs a data team dropped into ``raw/``.

The layout of ``raw/`` is free: PDFs are found recursively; what a document is
comes from its pages, never from its name.  Identity is the sha256 of the bytes,
so the same file under two names is one document, and a changed file is a new one.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
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


# Digests already taken, by file and its state.  `yusuan run` discovers raw/ twice (to tell a
# run with nothing new, then in the job) and hashes each file once; with a digest file (kept
# beside the warehouse) a nightly hashes only the files that are new or changed since the last
# run, not the whole of raw/ again.  A state is the device, inode, size, modification and
# change times: any write to a file moves its change time, which, unlike the modification
# time, no copying tool can set back (touch -d, cp -p, rsync -t).
_DIGESTS: dict[tuple, str] = {}
# A file changed twice within one tick of the file system's clock could keep its state, so a
# digest is written down only for a file that was still this long before it was hashed (git's
# "racily clean" rule); a younger one is hashed again next run.
_SETTLED_S = 2.0


def _state(path: Path) -> tuple:
    stat = path.stat()
    return (str(path), stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)


def _read_digests(digests: Path) -> None:
    try:
        kept = json.loads(digests.read_text(encoding="utf-8"))
    except (OSError, ValueError):  # none yet, or unreadable: every file is hashed
        return
    for entry in kept.get("files", []):
        *state, digest = entry
        _DIGESTS.setdefault(tuple(state), digest)


def _write_digests(digests: Path, states: list[tuple], hashed_at: float) -> None:
    settled = [[*state, _DIGESTS[state]] for state in states if state[-1] / 1e9 < hashed_at - _SETTLED_S]
    digests.parent.mkdir(parents=True, exist_ok=True)
    staging = digests.with_name(f".{digests.name}.{os.getpid()}")
    staging.write_text(json.dumps({"files": settled}), encoding="utf-8")
    os.replace(staging, digests)


def discover(raw_dir: Path, digests: Path | None = None) -> list[SourceFile]:
    """Every PDF under ``raw_dir``, one entry per distinct content.  ``digests``: a file that
    keeps the digests across runs, so unchanged files are not read again."""
    if digests is not None:
        _read_digests(digests)
    found: dict[str, SourceFile] = {}
    states, hashed = [], False
    started = time.time()
    for path in list_pdfs(raw_dir):
        state = _state(path)
        if state not in _DIGESTS:
            _DIGESTS[state] = sha256_file(path)
            hashed = True
        states.append(state)
        document_id = _DIGESTS[state]
        found.setdefault(document_id, SourceFile(str(path), document_id, state[3]))
    if digests is not None and (hashed or not digests.exists()):
        _write_digests(digests, states, started)
    return list(found.values())
