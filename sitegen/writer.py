"""The one writer: only inside the output folder, atomically, and only bytes that changed."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sitegen.errors import SiteError
from sitegen.urls import is_safe_relative


@dataclass(frozen=True)
class WriteStats:
    written: tuple[str, ...]
    removed: tuple[str, ...]


class OutsideOutput(Exception):
    """A path that would land outside the output folder: a bug upstream, never written."""


def write_outputs(
    out: Path, files: dict[str, bytes | Path], keep: Iterable[str], previous: Iterable[str]
) -> WriteStats:
    """Write `files` (bytes, or a source file to copy) where their bytes differ, then remove
    what the last build wrote (`previous`) that this one does not (`keep`); files sitegen
    never wrote are left alone."""
    out.mkdir(parents=True, exist_ok=True)
    root = out.resolve()
    targets = {rel: _target(root, rel) for rel in sorted(files)}  # check all before writing any
    written = []
    for rel, target in targets.items():
        data = files[rel]
        content = data.read_bytes() if isinstance(data, Path) else data
        if not _same(target, content):
            _atomic_write(target, content)
            written.append(rel)
    removed = tuple(rel for rel in sorted(set(previous) - set(keep)) if remove_output(root, rel))
    return WriteStats(tuple(written), removed)


def remove_output(root: Path, rel: str) -> bool:
    """Delete one file below `root` (and folders it leaves empty); never anything outside."""
    if not is_safe_relative(rel):
        return False
    target = root / rel
    if target.is_file() and target.resolve().is_relative_to(root):
        target.unlink()
        _prune_empty(target.parent, root)
        return True
    return False


def check_output_folder(root: Path, out: Path) -> SiteError | None:
    """The output folder may not be, hold, or sit inside the site's own sources."""
    site, target = root.resolve(), out.resolve()
    sources = [site / name for name in ("content", "static", "themes", "templates")]
    if site.is_relative_to(target) or any(target.is_relative_to(s) for s in sources):
        return SiteError(
            "-o",
            None,
            f"the output folder {out} would overwrite the site's own files",
            "build into a folder of its own, such as public/",
        )
    return None


def path_clashes(paths: list[str]) -> list[tuple[str, str]]:
    """Pairs (file, path below it): `about` and `about/index.html` cannot both be written."""
    files = set(paths)
    clashes = []
    for path in sorted(paths):
        parts = path.split("/")
        for depth in range(len(parts) - 1, 0, -1):
            parent = "/".join(parts[:depth])
            if parent in files:
                clashes.append((parent, path))
    return clashes


def _target(root: Path, rel: str) -> Path:
    if not is_safe_relative(rel):
        raise OutsideOutput(rel)
    target = root / rel
    # Resolve the folder, not the file: a symlinked folder must not lead outside either.
    if not target.parent.resolve().is_relative_to(root):
        raise OutsideOutput(rel)
    return target


def _same(target: Path, content: bytes) -> bool:
    try:
        return target.stat().st_size == len(content) and target.read_bytes() == content
    except OSError:
        return False


def _atomic_write(target: Path, content: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".sitegen-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _prune_empty(folder: Path, root: Path) -> None:
    while folder != root and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent
