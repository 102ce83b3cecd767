"""A whole build: one at a time per site, and nothing at all when nothing changed.

A build that has work to do runs the stages in `pipeline`. This module stays light (no
Markdown, Jinja or feed libraries are imported) so that a build finding nothing changed
costs little more than starting Python and looking at the files' stats.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from pathlib import Path

from sitegen.cache import (
    Cache,
    Stat,
    code_version,
    digest,
    file_stat,
    recent,
    scan_files,
    site_lock,
)
from sitegen.config import CONFIG_NAME, Config, load_config
from sitegen.errors import BuildFailed, SiteError
from sitegen.precompile import precompile
from sitegen.progress import Progress
from sitegen.themes import theme_dirs
from sitegen.writer import check_output_folder

STATE_DIR = ".sitegen"
TEMPLATE_CACHE = Path(STATE_DIR, "templates")  # compiled templates, in the site folder


@dataclass(frozen=True)
class BuildOptions:
    output: Path | None = None
    base_url: str | None = None
    drafts: bool = False
    future: bool = False
    now: datetime | None = None
    strict: bool = False  # the linter's findings are errors too
    clean: bool = False  # ignore what the cache knows; render and compare everything
    jobs: int | None = None  # worker processes; None: one per core
    explain: bool = False  # say why each output was rendered
    clean_output: bool = False  # remove files in the output folder that sitegen did not write
    progress: bool = False  # show progress on stderr once a build runs longer than a second


@dataclass(frozen=True)
class BuildReport:
    posts: int
    pages: int  # HTML pages
    written: int  # these three count every output file
    unchanged: int
    removed: int
    seconds: float
    errors: list[SiteError] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)  # one line each: cache, foreign files
    explanations: list[str] = field(default_factory=list)  # `--explain`: "path: why"
    changed: tuple[str, ...] = ()  # output files written or removed, for `serve`

    def summary(self) -> str:
        return (
            f"{self.posts} posts, {self.pages} pages: {self.written} written, "
            f"{self.unchanged} unchanged, {self.removed} removed in {self.seconds:.2f} s"
        )


@dataclass(frozen=True)
class Inputs:
    """Every file a build reads, by stat: `content` below content/, `other` the rest."""

    content: dict[str, Stat]
    other: dict[str, Stat]
    scanned_ns: int

    @cached_property
    def digest(self) -> str:  # a build that does work needs it twice: to check and to save
        return digest(repr(sorted(self.content.items())), repr(sorted(self.other.items())))

    @cached_property
    def recent(self) -> set[str]:
        """Files changed so recently that their stat may hide a next change (RACY_NS): those
        below content/ by their path from the site folder. Decided here only: the sources
        among them are kept without a stat, and read by their bytes next time."""
        since = self.scanned_ns
        content = {f"content/{rel}" for rel, stat in self.content.items() if recent(stat, since)}
        return content | {rel for rel, stat in self.other.items() if recent(stat, since)}


def build_site(root: Path, options: BuildOptions, cache: Cache | None = None) -> BuildReport:
    """Build `root` into its output folder.

    Posts with mistakes are left out and reported, the rest is written. A mistake in
    the config or a template writes nothing: every page would be wrong. `serve` passes
    the cache it keeps open; otherwise the one in .sitegen/ is opened and closed.
    """
    started = time.perf_counter()
    overrides = {"site": {"base_url": options.base_url}} if options.base_url else None
    config = load_config(root, overrides)
    output = options.output or root / "public"
    if problem := check_output_folder(root, output):
        raise BuildFailed([problem])
    precompiling = precompile(config, config.root / TEMPLATE_CACHE)  # on another core
    try:
        with site_lock(root / STATE_DIR):
            own = cache is None
            cache = cache or Cache(root / STATE_DIR)
            try:
                inputs = scan_inputs(config)
                key = build_key(config, options, output)
                looking = options.clean or options.explain or options.clean_output
                if not looking and (
                    report := _unchanged(cache, key, config.root, output, inputs, options, started)
                ):
                    return report
                from sitegen import pipeline  # only now: the Markdown and template machinery

                progress = Progress(started, enabled=options.progress)
                try:
                    with _no_garbage_collection():
                        return pipeline.run(
                            config, output, options, cache, inputs, key, progress, precompiling
                        )
                finally:
                    progress.finish()
            finally:
                if own:
                    cache.close()
    finally:
        precompiling.wait()


@contextmanager
def _no_garbage_collection() -> Iterator[None]:
    """A build makes a million objects that live until it ends (10,000 cached documents);
    the collector walked them again and again, a quarter of a 10,000-post rebuild. Worker
    processes collect as usual, and whatever cycles the build leaves are collected after.

    Uncollected, all those objects are still in the youngest generation when the build
    ends, so the first allocation after would walk them all (0.14 s at 10,000 posts, as
    the command exits): they go to the oldest generation instead, as if they had lived
    through collections, which the next full collection walks in its time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            if not gc.get_freeze_count():  # frozen by our caller: theirs to thaw
                gc.freeze()  # every generation into the permanent one (and counts reset)
                gc.unfreeze()  # and all of it back into the oldest
            gc.enable()


def build_key(config: Config, options: BuildOptions, output: Path) -> dict[str, str]:
    """What the outputs are a function of, besides the files: sitegen, config, options."""
    rendering = digest(
        code_version(),
        repr(config),
        str(options.drafts),
        str(options.future),
        str(options.now is None),
    )
    return {
        "rendering": rendering,
        "stamp": digest(rendering, str(options.strict), str(output.resolve())),
        "output": str(output.resolve()),
    }


def scan_inputs(config: Config) -> Inputs:
    scanned_ns = time.time_ns()
    root = config.root
    folders = [root / "static", root / "templates", *theme_dirs(config)]
    other: dict[str, Stat] = {}
    for number, folder in enumerate(folders):
        other.update({f"{number}/{rel}": s for rel, s in scan_files(folder).items()})
    other[CONFIG_NAME] = file_stat(root / CONFIG_NAME) or (0, 0, 0)
    return Inputs(scan_files(root / "content"), other, scanned_ns)


def _unchanged(
    cache: Cache,
    key: dict[str, str],
    root: Path,
    output: Path,
    inputs: Inputs,
    options: BuildOptions,
    started: float,
) -> BuildReport | None:
    """The last build's report again, if no input, option or output changed since it."""
    stamp = cache.stamp(key["output"])
    if not stamp or stamp["key"] != key["stamp"] or stamp["inputs"] != inputs.digest:
        return None
    for rel, read in stamp["racy"].items():  # their stat could hide a change: their bytes
        try:
            if digest((root / rel).read_bytes()) != read:
                return None
        except OSError:
            return None
    now = options.now.timestamp() if options.now else None
    if stamp["due"] is not None and (now is None or now >= stamp["due"]):
        return None  # a future post is due now
    if now is not None and stamp["now"] is not None and now < stamp["now"]:
        return None  # the clock went back: a post published then may be in the future now
    folder = str(output)
    for rel, stat in stamp["outputs"].items():
        if stat is None or file_stat(f"{folder}/{rel}") != stat:
            return None
    posts, pages, files = stamp["summary"]
    return BuildReport(
        posts=posts,
        pages=pages,
        written=0,
        unchanged=files,
        removed=0,
        seconds=time.perf_counter() - started,
        errors=[SiteError(*error) for error in stamp["errors"]],
        notices=cache.notices,
    )
