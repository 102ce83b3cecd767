"""The one writer: only inside the output folder, atomically, and only bytes that changed."""

from __future__ import annotations

import contextlib
import itertools
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from sitegen.errors import SiteError
from sitegen.urls import is_safe_relative


@dataclass(frozen=True)
class WriteStats:
    written: tuple[str, ...]
    removed: tuple[str, ...]


TEMPORARY = ".sitegen-"  # how files being written are named: hidden, never served
_numbers = itertools.count()


class OutsideOutput(Exception):
    """A path that would land outside the output folder: a bug upstream, never written."""


def write_outputs(
    out: Path,
    files: dict[str, bytes | Path],
    keep: Iterable[str],
    previous: Iterable[str],
    staged: dict[str, str] | None = None,
) -> WriteStats:
    """Write `files` (bytes, or a source file to copy) where their bytes differ, together
    with pages already `staged` by worker processes, then remove what the last build wrote
    (`previous`) that this one does not (`keep`); files sitegen never wrote are left alone.

    Every file is written under a temporary name first and renamed into place only once
    all are written: a build that fails on the way leaves the site as it was."""
    out.mkdir(parents=True, exist_ok=True)
    root = out.resolve()
    staged = dict(staged or {})
    try:
        for rel in sorted(files):
            if (temporary := stage_output(root, rel, files[rel])) is not None:
                staged[rel] = temporary
    except BaseException:
        discard_staged(root, staged)
        raise
    top = str(root)  # string paths: a Path per file was a third of this, serial, at 1,773 files
    for rel in sorted(staged):
        os.replace(staged[rel], f"{top}/{rel}")
    removed = tuple(rel for rel in sorted(set(previous) - set(keep)) if remove_output(root, rel))
    return WriteStats(tuple(sorted(staged)), removed)


def stage_output(root: Path, rel: str, data: bytes | Path) -> str | None:
    """Write `data` beside the file `rel` of the output folder `root` under a temporary name,
    unless the file holds those bytes already: the temporary file's path, or None.

    Plain string paths and one system call a step: this runs once per page."""
    top = str(root)
    folder = _folder(top, rel)
    content = data.read_bytes() if isinstance(data, Path) else data
    if _same(f"{top}/{rel}", content):
        return None
    _make_folder(folder)
    fd, temporary = _create_temporary(folder)
    try:  # the bare descriptor: a file object would cost three system calls more
        view = memoryview(content)
        while view:
            view = view[os.write(fd, view) :]
    except BaseException:
        os.unlink(temporary)
        raise
    finally:
        os.close(fd)
    return temporary


def _make_folder(folder: str) -> None:
    """mkdir -p, as Path.mkdir does it but with one system call for a folder whose parent
    exists. Workers race to make shared folders: one that appears meanwhile is fine."""
    try:
        os.mkdir(folder)
    except FileExistsError:
        pass  # a file in its place fails when the temporary file is made in it
    except FileNotFoundError:
        _make_folder(os.path.dirname(folder))
        with contextlib.suppress(FileExistsError):
            os.mkdir(folder)


def _create_temporary(folder: str) -> tuple[int, str]:
    """A new file, readable by a web server (0644 before the umask), under a name no other
    process uses: cheaper than mkstemp's random names and separate chmod, per page."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
    while True:
        temporary = f"{folder}/{TEMPORARY}{os.getpid()}-{next(_numbers)}.tmp"
        try:
            return os.open(temporary, flags, 0o644), temporary
        except FileExistsError:  # left by a killed process that had the same pid
            continue


def discard_staged(root: Path, staged: dict[str, str]) -> None:
    for temporary in staged.values():
        Path(temporary).unlink(missing_ok=True)
        _prune_empty(Path(temporary).parent, root)


@dataclass(frozen=True)
class Listing:
    """What an output folder holds, as far as a build needs to know."""

    files: set[str]  # the files of the folders looked into
    looked: set[str]  # those folders ("" is the top)
    folders: dict[str, int]  # every folder's mtime, to compare with next time
    strays: list[str]  # temporary files a killed build left behind


def list_output(root: Path, known: dict[str, int]) -> Listing:
    """The files of the output folder (dot-files aside), looking only into folders whose mtime
    differs from `known`: a file added or removed changes its folder's mtime, so the others
    hold what they held (16,000 stats instead of 16,000 folder listings)."""
    top = str(root)
    children: dict[str, list[str]] = {}
    for folder in known:
        if folder:
            children.setdefault(folder.rpartition("/")[0], []).append(folder)
    listing = Listing(set(), set(), {}, [])
    pending = [""]
    while pending:
        rel = pending.pop()
        path = f"{top}/{rel}" if rel else top
        try:
            mtime = os.stat(path).st_mtime_ns
        except OSError:
            continue
        listing.folders[rel] = mtime
        if known.get(rel) == mtime:
            pending.extend(children.get(rel, ()))
            continue
        listing.looked.add(rel)
        prefix = f"{rel}/" if rel else ""
        for entry in os.scandir(path):
            if entry.name.startswith(TEMPORARY) and entry.name.endswith(".tmp"):
                listing.strays.append(entry.path)
            elif entry.name.startswith("."):
                continue
            elif entry.is_dir(follow_symlinks=False):
                pending.append(prefix + entry.name)
            else:
                listing.files.add(prefix + entry.name)
    return listing


def holds_nothing(folder: Path) -> bool:
    """True for a folder that is empty or absent."""
    try:
        with os.scandir(folder) as entries:
            return next(entries, None) is None
    except FileNotFoundError:
        return True


def folders_holding(root: Path, files: Iterable[str]) -> dict[str, int]:
    """What `list_output` records of an output folder that holds only `files`: the mtime of
    each folder on their paths (dot-folders aside), read without listing any folder."""
    folders = {""}
    for rel in files:
        parts = rel.split("/")[:-1]
        for depth in range(len(parts)):
            if parts[depth].startswith("."):
                break
            folders.add("/".join(parts[: depth + 1]))
    top = str(root)
    return {rel: os.stat(f"{top}/{rel}" if rel else top).st_mtime_ns for rel in folders}


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


def _folder(top: str, rel: str) -> str:
    """The folder `rel` goes into, checked to lie inside the output folder `top`."""
    if not is_safe_relative(rel):
        raise OutsideOutput(rel)
    folder = rel.rpartition("/")[0]
    # The folder, not the file: a symlinked folder must not lead outside either.
    if not _inside(top, folder):
        raise OutsideOutput(rel)
    return f"{top}/{folder}" if folder else top


@cache
def _inside(top: str, folder: str) -> bool:
    """Whether `folder` (relative; "" is the top) stays in `top` once symlinks are followed.
    Decided from its parent's answer and one lstat: a cold build makes a folder per page,
    and resolving each whole path was a tenth of writing it. Cleared by `forget_folders`."""
    if not folder:
        return True
    if not _inside(top, folder.rpartition("/")[0]):
        return False
    path = f"{top}/{folder}"
    try:
        if not stat.S_ISLNK(os.lstat(path).st_mode):
            return True
    except OSError:  # not there yet: made inside its parent
        return True
    return Path(path).resolve().is_relative_to(top)


def forget_folders() -> None:
    """A new build: folders may have been replaced by symlinks since the last one."""
    _inside.cache_clear()


def _same(target: str, content: bytes) -> bool:
    try:
        if os.stat(target).st_size != len(content):
            return False
        with open(target, "rb") as handle:
            return handle.read() == content
    except OSError:
        return False


def _prune_empty(folder: Path, root: Path) -> None:
    while folder != root and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent
