"""A result worked out by a forked child while the build goes on, on a core it leaves idle.

A rebuild spends its first half second in one process, reading the cache; a forked child
can meanwhile do work that needs only what is known at the start (statting the last
build's 16,000 outputs, 0.06 s). Nothing depends on the child: if it cannot be forked or
fails, the work is done here when its result is asked for.
"""

from __future__ import annotations

import marshal
import os
from collections.abc import Callable
from typing import Any


class Background:
    """`function()` in a forked child; `result()` waits for it. Its result must be
    marshallable (it comes back through a pipe)."""

    def __init__(self, function: Callable[[], Any]) -> None:
        self._function = function
        self._child: tuple[int, int] | None = None  # pid, the pipe's reading end
        if len(os.sched_getaffinity(0)) < 2:
            return
        try:
            read, write = os.pipe()
            pid = os.fork()
        except OSError:
            return
        if pid == 0:
            _child(function, read, write)
        os.close(write)
        self._child = (pid, read)

    def result(self) -> Any:
        if self._child is None:
            return self._function()
        pid, read = self._child
        self._child = None
        with open(read, "rb") as pipe:
            data = pipe.read()
        os.waitpid(pid, 0)
        try:
            return marshal.loads(data)
        except (EOFError, ValueError, TypeError):  # the child failed: nothing, or half
            return self._function()


def _child(function: Callable[[], Any], read: int, write: int) -> None:
    """Work, write the result, leave at once (no cleanup of what it shares with the build)."""
    try:
        os.close(read)
        with open(write, "wb") as pipe:
            pipe.write(marshal.dumps(function()))
    finally:
        os._exit(0)
