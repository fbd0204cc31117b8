"""Progress of long work that reads well in a terminal and in a log.

On a terminal: one line redrawn in place (a bar, counts, rate, ETA). Without one (cron, ``nohup``,
a CI log): a plain line every ``every`` seconds, e.g.
``indexing: 12,000/62,294 entries (19%), 410 entries/s, ETA 2m03s``.

The ETA is shown only once the rate means something (a few seconds of work and a few percent done):
the first steps of a build include starting processes and loading pyvi, and an ETA taken from them
was minutes off for a job of seconds.
"""

from __future__ import annotations

import time
from typing import Callable, TextIO

__all__ = ["Progress", "format_duration", "megabytes"]

MIN_SECONDS_FOR_ETA = 3.0
MIN_SHARE_FOR_ETA = 0.02
BAR_WIDTH = 24


def format_duration(seconds: float) -> str:
    """``75`` → ``1m15s``; ``4000`` → ``1h06m``."""
    seconds = max(0, int(round(seconds)))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


def _count(n: float) -> str:
    return f"{n:,.0f}" if n >= 10 or n == int(n) else f"{n:.1f}"


def megabytes(n: float) -> str:
    """Bytes as megabytes: ``126_400_000`` → ``126.4``."""
    return f"{n / 1e6:,.1f}"


class Progress:
    """``phase(label, total, unit)`` starts a counted step; ``advance(n)`` / ``update(done)`` move it."""

    def __init__(self, stream: TextIO, *, terminal: bool | None = None, every: float = 5.0,
                 clock=time.monotonic):
        self.stream, self.every, self.clock = stream, every, clock
        self.terminal = stream.isatty() if terminal is None else terminal
        self.label, self.unit, self.total, self.done, self.note = "", "", 0, 0, ""
        self.fmt: Callable[[float], str] = _count
        self._started = self._last = 0.0

    def phase(self, label: str, total: int, unit: str, fmt: Callable[[float], str] | None = None) -> None:
        """Start counting ``total`` ``unit`` of ``label`` (ends the previous phase's line); ``fmt``
        writes an amount (``megabytes`` for bytes shown as MB)."""
        self.close()
        self.label, self.total, self.unit, self.done, self.note = label, max(0, total), unit, 0, ""
        self.fmt = fmt or _count
        self._started = self._last = self.clock()
        if not self.terminal:
            self._line(f"{label}: {self.fmt(self.total)} {unit}")

    def advance(self, n: int = 1) -> None:
        self.update(self.done + n)

    def update(self, done: int, note: str = "") -> None:
        """``done`` of the phase's total so far; ``note`` is shown after the counts (e.g. records read)."""
        self.done, self.note = done, note
        now = self.clock()
        if self.terminal:
            if now - self._last >= 0.1 or done >= self.total:
                self._last = now
                self._draw(now)
        elif now - self._last >= self.every:
            self._last = now
            self._line(self.status(now))

    def status(self, now: float | None = None) -> str:
        """``indexing: 1,200/62,294 entries (2%), 410/s, ETA 2m29s``."""
        now = self.clock() if now is None else now
        elapsed = now - self._started
        share = self.done / self.total if self.total else 1.0
        rate = self.done / elapsed if elapsed > 0 else 0.0
        text = f"{self.label}: {self.fmt(self.done)}/{self.fmt(self.total)} {self.unit} ({share:.0%})"
        text += f", {self.note}" if self.note else ""
        if rate:
            text += f", {self.fmt(rate)} {self.unit}/s"
        if self.done >= self.total:
            text += f", {format_duration(elapsed)}"
        elif elapsed >= MIN_SECONDS_FOR_ETA and share >= MIN_SHARE_FOR_ETA and rate:
            text += f", ETA {format_duration((self.total - self.done) / rate)}"
        return text

    def close(self) -> None:
        """Finish the current phase's output (a last line, or the bar's newline)."""
        if not self.label:
            return
        if self.terminal:
            self._draw(self.clock())
            self.stream.write("\n")
        else:
            self._line(self.status())
        self.stream.flush()
        self.label = ""

    def _draw(self, now: float) -> None:
        share = min(1.0, self.done / self.total) if self.total else 1.0
        filled = int(share * BAR_WIDTH)
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        label, _, rest = self.status(now).partition(": ")
        self.stream.write(f"\r{label} [{bar}] {rest}\x1b[K")
        self.stream.flush()

    def _line(self, text: str) -> None:
        self.stream.write(text + "\n")
        self.stream.flush()
