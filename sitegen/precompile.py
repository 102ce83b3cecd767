"""The theme compiled by a child process while a build starts, on a core that would idle.

A build with work to do spends its first tenth of a second on one core (starting Python,
importing the Markdown machinery, finding what changed), then parses on all of them. A
forked child compiles the templates meanwhile into Jinja's bytecode cache, so the build
only loads them, instead of compiling them (60 ms at the default theme) while its workers
parse. Nothing depends on the child: a template it did not compile (or compiled from an
older file) is compiled when the build needs it, as without it.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from sitegen.writer import holds_nothing

if TYPE_CHECKING:
    from sitegen.config import Config


class Precompiling:
    """The child compiling the theme, if one was started; `wait` before using templates."""

    def __init__(self, pid: int | None = None) -> None:
        self._pid = pid

    def wait(self) -> None:
        if self._pid is not None:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self._pid, 0)
            self._pid = None


def precompile(config: Config, compiled: Path) -> Precompiling:
    """Start compiling the theme into `compiled`, when it holds nothing yet and another core
    is free to do it."""
    if len(os.sched_getaffinity(0)) < 2 or not _empty(compiled):
        return Precompiling()
    pid = os.fork()
    if pid == 0:
        _compile(config, compiled)
    return Precompiling(pid)


def _empty(folder: Path) -> bool:
    try:
        return holds_nothing(folder)
    except OSError:  # not a folder this process can list: the child finds out, not the build
        return True


def _compile(config: Config, compiled: Path) -> NoReturn:
    """The child: compile, then leave at once (no cleanup of what it shares with the build)."""
    try:
        from sitegen.render import compile_templates, make_environment

        compile_templates(make_environment(config, compiled))
    finally:
        os._exit(0)
