"""Which files under content/ are posts and pages, and which bundle owns each other file.

Kept apart from `content` (which parses them) so that a build deciding what changed need not
import the Markdown machinery: a build that parses one edited post does that in a worker.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sitegen.cache import scan_files

KINDS = {"posts": "post", "pages": "page"}
BUNDLE_INDEX = "index.md"


@dataclass(frozen=True)
class Source:
    """One Markdown file as read from disk; `rel` is its path from the site folder."""

    rel: str
    kind: str
    data: bytes
    assets: tuple[str, ...] = ()


@dataclass(frozen=True)
class SourceFile:
    """A post or page found under content/, before it is read."""

    rel: str  # from the site folder
    kind: str
    assets: tuple[str, ...] = ()  # a bundle's other files, from the site folder

    def read(self, root: Path) -> Source:
        return Source(self.rel, self.kind, (root / self.rel).read_bytes(), self.assets)


def find_sources(root: Path) -> list[Source]:
    """Every post and page under content/, in a stable order; bundles bring their files."""
    return [found.read(root) for found in source_files(scan_files(root / "content"))]


def source_files(paths: Iterable[str]) -> list[SourceFile]:
    """Which of `paths` (files below content/) are posts and pages, and which bundle owns
    each other file. Hidden files (`.x`, `_x`) are neither; other Markdown in a bundle is
    the bundle's business."""
    found: list[SourceFile] = []
    for folder, kind in KINDS.items():
        prefix = folder + "/"
        inside = sorted(
            p[len(prefix) :]
            for p in paths
            if p.startswith(prefix) and not any(part[:1] in "._" for part in p.split("/"))
        )
        bundles = {p[: -len(BUNDLE_INDEX)] for p in inside if p.endswith("/" + BUNDLE_INDEX)}
        assets: dict[str, list[str]] = defaultdict(list)
        for path in inside:
            if not path.endswith(".md") and (bundle := _bundle_of(path, bundles)):
                assets[bundle].append(f"content/{prefix}{path}")
        for path in (path for path in inside if path.endswith(".md")):
            bundle = _bundle_of(path, bundles)
            if bundle is None or path == bundle + BUNDLE_INDEX:
                owned = tuple(assets.get(bundle, ())) if bundle else ()
                found.append(SourceFile(f"content/{prefix}{path}", kind, owned))
    return found


def _bundle_of(path: str, bundles: set[str]) -> str | None:
    """The innermost bundle folder (`name/`) a path lies in, if any."""
    end = path.rfind("/")
    while end > 0:
        if path[: end + 1] in bundles:
            return path[: end + 1]
        end = path.rfind("/", 0, end)
    return None
