"""Per-document limits: how many pages, and how many seconds, one document may take.

A document far larger than a department budget (a whole provincial yearbook
dropped into ``raw/`` by mistake), or one on which camelot never finishes, must
not hold up the others: it is quarantined with the limit it went over.

``YUSUAN_MAX_PAGES`` (default 1000) is checked from the page count alone, before
camelot reads anything.  ``YUSUAN_MAX_SECONDS_PER_DOCUMENT`` (default 600) bounds
camelot and the parsers for one document.  ``0`` turns a limit off.

The time limit interrupts the extraction with ``SIGALRM`` where it runs in a
process's main thread (the CLI, Dagster's in-process executor, worker
processes).  Elsewhere a signal cannot be delivered, so the elapsed time is
checked when the extraction returns: the verdict is the same, only later.
Python runs the handler between bytecodes, so a single long call into C
(pdfium rendering one page) finishes before the extraction stops.
"""

from __future__ import annotations

import ctypes
import math
import os
import signal
import threading
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass

MAX_PAGES_ENV = "YUSUAN_MAX_PAGES"
MAX_SECONDS_ENV = "YUSUAN_MAX_SECONDS_PER_DOCUMENT"
DEFAULT_MAX_PAGES = 1000  # the sample budgets have 12-35 pages; large departments a few hundred
DEFAULT_MAX_SECONDS = 600.0  # the samples take 0.3-3 s each


class LimitConfigError(ValueError):
    """A limit in the environment is not a number the pipeline can use."""


class LimitExceeded(Exception):
    """A document went over a per-document limit; the message names the limit and its variable."""


class TooManyPages(LimitExceeded):
    pass


class TimeLimitExceeded(LimitExceeded):
    pass


@dataclass(frozen=True)
class DocumentLimits:
    max_pages: int | None = DEFAULT_MAX_PAGES  # None: no limit
    max_seconds: float | None = DEFAULT_MAX_SECONDS

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> DocumentLimits:
        environ = os.environ if environ is None else environ
        pages = _number(environ, MAX_PAGES_ENV, DEFAULT_MAX_PAGES, int)
        seconds = _number(environ, MAX_SECONDS_ENV, DEFAULT_MAX_SECONDS, float)
        return cls(max_pages=int(pages) or None, max_seconds=seconds or None)

    def to_dict(self) -> dict:
        return asdict(self)

    def check_pages(self, pages: int) -> None:
        if self.max_pages is not None and pages > self.max_pages:
            raise TooManyPages(
                f"{pages} pages, more than the limit of {self.max_pages} pages per document ({MAX_PAGES_ENV})"
            )


def _number(environ: Mapping[str, str], name: str, default: float, kind: type) -> float:
    text = environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = kind(text)
    except ValueError:
        raise LimitConfigError(f"{name}={text!r} is not a {'whole ' if kind is int else ''}number") from None
    if not math.isfinite(value) or value < 0:
        raise LimitConfigError(f"{name}={text!r} must be 0 (no limit) or a positive number")
    return value


class _Expired(BaseException):
    """Raised by the alarm inside the extraction.  A BaseException, like KeyboardInterrupt,
    so that no ``except Exception`` in camelot or pdfminer swallows it; it never leaves
    ``time_limit``, which turns it into TimeLimitExceeded."""


# After the limit, the alarm fires again this often until the body stops: an expiry can be
# caught where it was raised (below), and the body must still be stopped.
_REPEAT_S = 0.5


def _expired_in_ctypes(exc: BaseException | None) -> bool:
    """An alarm that fires while ctypes converts a call's arguments (pdfium's calls, a few
    hundred thousand a document) comes out as ctypes' ArgumentError naming _Expired: an
    ordinary Exception, which a handler may even catch."""
    return isinstance(exc, ctypes.ArgumentError) and f"{_Expired.__name__}:" in str(exc)


class time_limit:
    """``with time_limit(seconds): …`` raises TimeLimitExceeded when the body runs longer."""

    def __init__(self, seconds: float | None):
        self.seconds = seconds
        self._signal = False
        self._previous = None

    def _message(self) -> str:
        return f"extraction took longer than {self.seconds:g} s, the limit per document ({MAX_SECONDS_ENV})"

    def __enter__(self) -> time_limit:
        self._started = time.monotonic()
        self._signal = bool(self.seconds) and threading.current_thread() is threading.main_thread()
        if self._signal:

            def expire(signum, frame):
                raise _Expired()

            self._previous = signal.signal(signal.SIGALRM, expire)
            signal.setitimer(signal.ITIMER_REAL, self.seconds, _REPEAT_S)
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        if self._signal:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self._previous)
        if exc_type is not None and (issubclass(exc_type, _Expired) or _expired_in_ctypes(exc)):
            raise TimeLimitExceeded(self._message()) from None
        if exc_type is None and self.seconds and time.monotonic() - self._started > self.seconds:
            raise TimeLimitExceeded(self._message())  # no signal here: checked on return
        return False
