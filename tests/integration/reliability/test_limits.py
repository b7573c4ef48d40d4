"""Per-document page and time limits: configuration, interruption, and what extraction records."""

from __future__ import annotations

import ctypes
import signal
import threading
import time

import pytest

from pipelines.extraction.limits import (
    DEFAULT_MAX_PAGES,
    DEFAULT_MAX_SECONDS,
    MAX_PAGES_ENV,
    MAX_SECONDS_ENV,
    DocumentLimits,
    LimitConfigError,
    TimeLimitExceeded,
    time_limit,
)
from pipelines.ingest.discovery import SourceFile, sha256_file
from pipelines.ingest.processing import extract_source
from tests.support import bad_inputs as inputs


def test_defaults_and_values_from_the_environment():
    assert DocumentLimits.from_env({}) == DocumentLimits(DEFAULT_MAX_PAGES, DEFAULT_MAX_SECONDS)
    assert (DEFAULT_MAX_PAGES, DEFAULT_MAX_SECONDS) == (1000, 600.0)
    assert DocumentLimits.from_env({MAX_PAGES_ENV: "50", MAX_SECONDS_ENV: "2.5"}) == DocumentLimits(50, 2.5)
    assert DocumentLimits.from_env({MAX_PAGES_ENV: "0", MAX_SECONDS_ENV: "0"}) == DocumentLimits(None, None)
    assert DocumentLimits.from_env({MAX_PAGES_ENV: " ", MAX_SECONDS_ENV: ""}) == DocumentLimits()


@pytest.mark.parametrize(
    "name,value",
    [
        (MAX_PAGES_ENV, "many"),
        (MAX_PAGES_ENV, "1.5"),
        (MAX_PAGES_ENV, "-3"),
        (MAX_SECONDS_ENV, "ten"),
        (MAX_SECONDS_ENV, "-1"),
        (MAX_SECONDS_ENV, "nan"),
        (MAX_SECONDS_ENV, "inf"),
    ],
)
def test_unusable_values_are_a_configuration_error(name, value):
    with pytest.raises(LimitConfigError, match=name):
        DocumentLimits.from_env({name: value})


def test_the_alarm_stops_a_busy_extraction_and_restores_the_signal_state():
    previous = signal.getsignal(signal.SIGALRM)
    started = time.monotonic()
    with pytest.raises(TimeLimitExceeded, match=MAX_SECONDS_ENV):
        with time_limit(0.2):
            while True:
                try:  # a library's blanket handler must not swallow the interruption
                    sum(range(10_000))
                except Exception:
                    pass
    assert time.monotonic() - started < 2
    assert signal.getsignal(signal.SIGALRM) is previous
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


class _ConvertsSlowly(ctypes.c_int):
    """An argument type whose conversion runs until the alarm fires inside ctypes' call."""

    @classmethod
    def from_param(cls, value):
        while True:
            sum(range(10_000))


def _call_with_a_slow_argument():
    absolute = ctypes.CFUNCTYPE(ctypes.c_int, _ConvertsSlowly)(("abs", ctypes.CDLL(None)))
    absolute(-1)


def test_an_alarm_inside_a_ctypes_call_is_the_time_limit():
    # ctypes reports it as its own ArgumentError; pdfium's calls are where extraction spends its time.
    with pytest.raises(TimeLimitExceeded, match=MAX_SECONDS_ENV):
        with time_limit(0.2):
            _call_with_a_slow_argument()
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_an_expiry_caught_where_it_was_raised_does_not_let_the_body_run_on():
    started = time.monotonic()
    with pytest.raises(TimeLimitExceeded, match=MAX_SECONDS_ENV):
        with time_limit(0.2):
            try:  # as the page reader's fallback catches a failed page
                _call_with_a_slow_argument()
            except Exception:
                pass
            while time.monotonic() - started < 5:  # the rest of the document (bounded: a failure, not a hang)
                sum(range(10_000))
    assert time.monotonic() - started < 2


def test_a_quick_body_is_left_alone():
    with time_limit(5):
        value = sum(range(1000))
    assert value == 499500 and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_outside_the_main_thread_the_limit_is_checked_on_return():
    outcomes: list[BaseException | None] = []

    def work(seconds: float) -> None:
        try:
            with time_limit(0.1):
                time.sleep(seconds)
            outcomes.append(None)
        except BaseException as exc:  # recorded for the assertion below
            outcomes.append(exc)

    for seconds in (0.3, 0.0):
        thread = threading.Thread(target=work, args=(seconds,))
        thread.start()
        thread.join()
    assert isinstance(outcomes[0], TimeLimitExceeded) and outcomes[1] is None


def _source(path):
    return SourceFile(str(path), sha256_file(path), path.stat().st_size)


def test_a_document_over_the_page_limit_fails_before_camelot_and_is_retried_when_the_limit_changes(
    tmp_path, monkeypatch
):
    source = _source(inputs.many_pages(tmp_path / "yearbook.pdf", 30))
    extracted = tmp_path / "extracted"
    monkeypatch.setenv(MAX_PAGES_ENV, "20")
    started = time.monotonic()
    first = extract_source(source, extracted)
    assert time.monotonic() - started < 2  # the page count alone
    assert (first.ok, first.reused) == (False, False)
    assert first.reason == f"TooManyPages: 30 pages, more than the limit of 20 pages per document ({MAX_PAGES_ENV})"
    again = extract_source(source, extracted)
    assert (again.ok, again.reused, again.reason) == (False, True, first.reason)  # remembered, not retried

    monkeypatch.setenv(MAX_PAGES_ENV, "0")  # no limit: tried again, and read to the end
    raised = extract_source(source, extracted)
    assert not raised.reused and not raised.ok
    assert raised.reason.startswith("MetadataError: no department printed")


def test_a_slow_extraction_becomes_a_time_limit_failure(tmp_path, monkeypatch):
    import pipelines.ingest.processing as processing

    def never_ending(pdf_bytes, limits):
        while True:
            time.sleep(0.01)

    monkeypatch.setattr(processing, "extract", never_ending)
    monkeypatch.setenv(MAX_SECONDS_ENV, "0.3")
    source = _source(inputs.small_sample_copy(tmp_path / "budget.pdf", "slow"))
    status = extract_source(source, tmp_path / "extracted")
    assert not status.ok and status.stage == "extract"
    assert status.reason == (
        f"TimeLimitExceeded: extraction took longer than 0.3 s, the limit per document ({MAX_SECONDS_ENV})"
    )


def test_the_alarm_stops_camelot_within_a_page(tmp_path, monkeypatch):
    """camelot's layout analysis is compiled code: the alarm is handled between pages."""
    # About 10 s unbounded (160 pages took 8.9 s): five times the limit.
    source = _source(inputs.dense_grid(tmp_path / "dense.pdf", rows=45, cols=14, pages=180))
    monkeypatch.setenv(MAX_SECONDS_ENV, "2")
    started = time.monotonic()
    status = extract_source(source, tmp_path / "extracted")
    elapsed = time.monotonic() - started
    assert status.reason.startswith("TimeLimitExceeded: extraction took longer than 2 s")
    assert 2 <= elapsed < 4, elapsed


def test_workers_read_the_limits_set_after_their_fork_server_started(tmp_path, monkeypatch):
    """Workers are forked from a server started once per process (processing._pool): they
    must see the caller's environment of the moment, not the one the server started with."""
    import os

    from pipelines.ingest.processing import _pool, extract_sources

    with _pool(1) as pool:  # starts the fork server, if no earlier test did
        pool.submit(os.getpid).result()
    monkeypatch.setenv(MAX_PAGES_ENV, "5")
    sources = [_source(inputs.many_pages(tmp_path / f"yearbook_{n}.pdf", n)) for n in (8, 9)]
    statuses = extract_sources(sources, tmp_path / "extracted", workers=2)
    assert [s.reason for s in statuses] == [
        f"TooManyPages: {n} pages, more than the limit of 5 pages per document ({MAX_PAGES_ENV})" for n in (8, 9)
    ]
