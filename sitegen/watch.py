"""Watch a site's sources with watchdog; a burst of saves becomes one signal to rebuild."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.api import ObservedWatch

from sitegen.config import CONFIG_NAME

# The folders of a site a build reads; anything else in it (public/, .git, node_modules) is not.
SOURCE_FOLDERS = ("content", "static", "templates", "themes")
# A burst that touches more files than this is a checkout or a script, not a save.
BURST_FILES = 8
# Only changes: a build opens and closes every source, and must not wake the watcher itself.
CHANGE_EVENTS = [
    FileCreatedEvent,
    FileModifiedEvent,
    FileDeletedEvent,
    FileMovedEvent,
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
]


class Debouncer:
    """Collects pokes, each naming the files it is about; `wait()` returns once they have
    stopped for a quiet period.

    A save touches one file or a few (an editor's temporary file and rename) within a
    millisecond, so `quiet` can be short. A burst that touches many files (a `git
    checkout`, a search-and-replace over the posts) may pause longer between two of them
    on a busy machine: once it has touched more than `burst_files` files, it must be
    quiet for `burst_quiet` instead. Pokes that arrive while the caller is busy
    (rebuilding) make the next `wait()` return again, so no save is ever lost and a
    burst costs one build.
    """

    def __init__(
        self,
        quiet: float,
        burst_quiet: float | None = None,
        burst_files: int = BURST_FILES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._quiet = quiet
        self._burst_quiet = max(quiet, burst_quiet or quiet)
        self._burst_files = burst_files
        self._clock = clock
        self._changed = threading.Condition()
        self._touched: set[object] = set()  # the files of the burst not yet waited for
        self._pending = False
        self._last = 0.0
        self._closed = False

    @property
    def pending(self) -> bool:
        with self._changed:
            return self._pending

    def poke(self, *files: object) -> None:
        with self._changed:
            self._pending = True
            self._touched.update(files or [None])
            self._last = self._clock()
            self._changed.notify_all()

    def settles_at(self) -> float | None:
        """When the burst under way counts as over (on `clock`), or None if there is none."""
        with self._changed:
            return self._settles_at()

    def close(self) -> None:
        with self._changed:
            self._closed = True
            self._changed.notify_all()

    def wait(self) -> bool:
        """Block until a burst has settled (True) or the debouncer is closed (False)."""
        with self._changed:
            while not self._closed:
                settles_at = self._settles_at()
                if settles_at is None:
                    self._changed.wait()
                    continue
                remaining = settles_at - self._clock()
                if remaining <= 0:
                    self._pending = False
                    self._touched.clear()
                    return True
                self._changed.wait(remaining)
            return False

    def _settles_at(self) -> float | None:
        if not self._pending:
            return None
        many = len(self._touched) > self._burst_files
        return self._last + (self._burst_quiet if many else self._quiet)


class SourceWatcher(FileSystemEventHandler):
    """Calls `on_change(*paths)` for every change to the config, content, static files or
    themes, with the source files it concerns."""

    def __init__(
        self, root: Path, theme_folders: Iterable[Path], on_change: Callable[..., None]
    ) -> None:
        self._root = root.resolve()
        self._on_change = on_change
        # A theme outside the site (the default one) is watched too: editing it is theming.
        self._outside = [
            folder.resolve()
            for folder in theme_folders
            if not folder.resolve().is_relative_to(self._root)
        ]
        self._observer = Observer()
        self._watches: dict[Path, ObservedWatch] = {}
        self._lock = threading.Lock()

    def start(self) -> None:
        self._schedule(self._root, recursive=False)  # sitegen.toml, and source folders appearing
        for name in SOURCE_FOLDERS:
            self._schedule(self._root / name)
        for folder in self._outside:
            self._schedule(folder)
        self._observer.start()

    def stop(self) -> None:
        self._observer.stop()
        self._observer.join(timeout=2)

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type == "modified" and event.is_directory:
            return  # a folder's own timestamp: the file inside reports itself
        paths = [Path(str(p)) for p in (event.src_path, getattr(event, "dest_path", "")) if p]
        sources = [path for path in paths if self.is_source(path)]
        if not sources:
            return
        for path in sources:
            if path.parent == self._root and path.name in SOURCE_FOLDERS and path.is_dir():
                self._schedule(path)  # a source folder created after the server started
        self._on_change(*sources)

    def is_source(self, path: Path) -> bool:
        """True for a file a build may read; editors' backups and hidden files are not."""
        for folder in [self._root, *self._outside]:
            if path.is_relative_to(folder):
                parts = path.relative_to(folder).parts
                break
        else:
            return False
        if not parts or any(part.startswith(".") for part in parts) or _is_backup(parts[-1]):
            return False
        if folder != self._root:
            return True
        return parts[0] in SOURCE_FOLDERS or parts == (CONFIG_NAME,)

    def _schedule(self, folder: Path, recursive: bool = True) -> None:
        if not folder.is_dir():
            return
        with self._lock:
            old = self._watches.pop(folder, None)
            if old is not None:
                # The folder was deleted and made again: its old watch died with it.
                with contextlib.suppress(KeyError):
                    self._observer.unschedule(old)
            with contextlib.suppress(OSError):  # gone again already: its parent reports that
                self._watches[folder] = self._observer.schedule(
                    self, str(folder), recursive=recursive, event_filter=CHANGE_EVENTS
                )


def _is_backup(name: str) -> bool:
    """Files editors write beside the real one: vim's swap files and 4913 probe, emacs'
    backups and auto-saves (`#post.md#`), JetBrains' temporary and old copies."""
    return (
        name.endswith(("~", ".swp", ".swx", ".tmp", "___jb_tmp___", "___jb_old___"))
        or name == "4913"
        or (len(name) > 1 and name.startswith("#") and name.endswith("#"))
    )
