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
    """Collects pokes; `wait()` returns once they have stopped for `quiet` seconds.

    Pokes that arrive while the caller is busy (rebuilding) make the next
    `wait()` return again, so no save is ever lost and a burst costs one build.
    """

    def __init__(self, quiet: float) -> None:
        self._quiet = quiet
        self._changed = threading.Condition()
        self._pending = False
        self._last = 0.0
        self._closed = False

    @property
    def pending(self) -> bool:
        with self._changed:
            return self._pending

    def poke(self) -> None:
        with self._changed:
            self._pending = True
            self._last = time.monotonic()
            self._changed.notify_all()

    def close(self) -> None:
        with self._changed:
            self._closed = True
            self._changed.notify_all()

    def wait(self) -> bool:
        """Block until a burst has settled (True) or the debouncer is closed (False)."""
        with self._changed:
            while not self._closed:
                if not self._pending:
                    self._changed.wait()
                    continue
                remaining = self._last + self._quiet - time.monotonic()
                if remaining <= 0:
                    self._pending = False
                    return True
                self._changed.wait(remaining)
            return False


class SourceWatcher(FileSystemEventHandler):
    """Calls `on_change` for every change to the config, content, static files or themes."""

    def __init__(
        self, root: Path, theme_folders: Iterable[Path], on_change: Callable[[], None]
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
        if not any(self.is_source(path) for path in paths):
            return
        for path in paths:
            if path.parent == self._root and path.name in SOURCE_FOLDERS and path.is_dir():
                self._schedule(path)  # a source folder created after the server started
        self._on_change()

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
    """Files editors write beside the real one (vim's swap and 4913 probe, emacs' backups)."""
    return name.endswith(("~", ".swp", ".swx", ".tmp")) or name == "4913"
