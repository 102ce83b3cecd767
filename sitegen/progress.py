"""Progress of a long build on stderr: a bar on a terminal, a plain line now and then in CI."""

from __future__ import annotations

import sys
import time
from typing import TextIO

SHOW_AFTER = 1.0  # seconds: a quick build prints only its summary line
LINE_EVERY = 5.0  # seconds between plain lines when stderr is not a terminal
BAR_WIDTH = 30


class Progress:
    def __init__(self, started: float, *, enabled: bool = True, stream: TextIO | None = None):
        self.started = started
        self.enabled = enabled
        self.stream = stream or sys.stderr
        self.terminal = self.stream.isatty()
        self._last_shown = 0.0
        self._bar_drawn = False

    def update(self, stage: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        now = time.perf_counter()
        if now - self.started < SHOW_AFTER:
            return
        if self.terminal:
            if now - self._last_shown < 0.1 and done != total:
                return
            filled = BAR_WIDTH * done // max(total, 1)
            bar = "#" * filled + "-" * (BAR_WIDTH - filled)
            self.stream.write(f"\r{stage:10} [{bar}] {done}/{total}\x1b[K")
            self._bar_drawn = True
        else:
            if now - self._last_shown < LINE_EVERY and done != total:
                return
            self.stream.write(f"{stage}: {done}/{total} after {now - self.started:.1f} s\n")
        self.stream.flush()
        self._last_shown = now

    def finish(self) -> None:
        if self._bar_drawn:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
