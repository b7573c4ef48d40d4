"""Finding the PDFs in raw/: one document per content, and digests kept between runs."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import pytest

from pipelines.ingest import discovery


@pytest.fixture
def hashing(monkeypatch):
    """A fresh process's memory of digests, and a count of the files actually read."""
    monkeypatch.setattr(discovery, "_DIGESTS", {})
    read: list[str] = []
    real = discovery.sha256_file

    def counting(path: Path) -> str:
        read.append(Path(path).name)
        return real(path)

    monkeypatch.setattr(discovery, "sha256_file", counting)
    return read


def _next_run(monkeypatch, seconds_later: float = 0.0) -> None:
    """What a new process knows: nothing, at a later time."""
    monkeypatch.setattr(discovery, "_DIGESTS", {})
    now = time.time() + seconds_later
    monkeypatch.setattr(discovery.time, "time", lambda: now)


def _pdf(path: Path, body: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"%PDF-1.4\n" + body)
    return path


def test_one_document_per_content_whatever_the_names(tmp_path, hashing):
    a = _pdf(tmp_path / "raw" / "a.pdf", b"one")
    _pdf(tmp_path / "raw" / "nested" / "copy of a.PDF", b"one")
    _pdf(tmp_path / "raw" / "b.pdf", b"two")
    (tmp_path / "raw" / "notes.txt").write_text("not a pdf")
    found = discovery.discover(tmp_path / "raw")
    assert sorted(s.document_id for s in found) == sorted(
        hashlib.sha256(b"%PDF-1.4\n" + body).hexdigest() for body in (b"one", b"two")
    )
    assert found[0].path == str(a.resolve())


def test_a_later_run_reads_only_new_files(tmp_path, hashing, monkeypatch):
    digests = tmp_path / "warehouse" / "yusuan.duckdb.digests.json"
    _pdf(tmp_path / "raw" / "a.pdf", b"one")
    _pdf(tmp_path / "raw" / "b.pdf", b"two")
    first = discovery.discover(tmp_path / "raw", digests)
    assert sorted(hashing) == ["a.pdf", "b.pdf"]

    # Just written: the files were hashed within the same second as their last change, so
    # their digests are not kept yet and the next run reads them again.
    _next_run(monkeypatch)
    discovery.discover(tmp_path / "raw", digests)
    assert sorted(hashing) == ["a.pdf", "a.pdf", "b.pdf", "b.pdf"]

    _next_run(monkeypatch, seconds_later=10)
    discovery.discover(tmp_path / "raw", digests)  # now settled: written down
    hashing.clear()
    _pdf(tmp_path / "raw" / "c.pdf", b"three")
    _next_run(monkeypatch, seconds_later=20)
    later = discovery.discover(tmp_path / "raw", digests)
    assert hashing == ["c.pdf"]
    assert {s.document_id for s in first} < {s.document_id for s in later}


def test_a_file_rewritten_with_its_old_size_and_time_is_read_again(tmp_path, hashing, monkeypatch):
    """A copying tool can put back the modification time; the change time moves all the same."""
    digests = tmp_path / "digests.json"
    pdf = _pdf(tmp_path / "raw" / "a.pdf", b"one")
    before = pdf.stat()
    _next_run(monkeypatch, seconds_later=10)
    (old,) = discovery.discover(tmp_path / "raw", digests)

    time.sleep(0.05)  # past the file system clock's tick
    _pdf(pdf, b"two")  # the same size
    os.utime(pdf, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert pdf.stat().st_mtime_ns == before.st_mtime_ns
    _next_run(monkeypatch, seconds_later=20)
    hashing.clear()
    (new,) = discovery.discover(tmp_path / "raw", digests)
    assert hashing == ["a.pdf"]
    assert new.document_id == hashlib.sha256(b"%PDF-1.4\ntwo").hexdigest() != old.document_id


def test_an_unreadable_digest_file_means_reading_every_file(tmp_path, hashing):
    digests = tmp_path / "digests.json"
    digests.write_text("{not json")
    _pdf(tmp_path / "raw" / "a.pdf", b"one")
    (found,) = discovery.discover(tmp_path / "raw", digests)
    assert hashing == ["a.pdf"] and found.document_id == hashlib.sha256(b"%PDF-1.4\none").hexdigest()
