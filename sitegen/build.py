"""A whole build, stage after stage: the one place that knows their order."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sitegen.check import lint_site
from sitegen.config import Config, load_config
from sitegen.content import Document, find_sources, load_document
from sitegen.errors import BuildFailed, SiteError
from sitegen.feeds import feed_outputs
from sitegen.markdown import MarkdownOptions
from sitegen.markdown.math import DEFAULT_ENVIRONMENTS
from sitegen.render import make_environment, render_route, theme_dirs
from sitegen.routes import site_routes
from sitegen.site import Publishing, assemble_site, unique_urls
from sitegen.sitemap import sitemap_outputs
from sitegen.writer import check_output_folder, manifest_path, path_clashes, write_outputs

STATE_DIR = ".sitegen"


@dataclass(frozen=True)
class BuildOptions:
    output: Path | None = None
    base_url: str | None = None
    drafts: bool = False
    future: bool = False
    now: datetime | None = None
    strict: bool = False  # the linter's findings are errors too


@dataclass(frozen=True)
class BuildReport:
    posts: int
    pages: int
    written: int
    unchanged: int
    removed: int
    seconds: float
    errors: list[SiteError] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{self.posts} posts, {self.pages} pages: {self.written} written, "
            f"{self.unchanged} unchanged, {self.removed} removed in {self.seconds:.2f} s"
        )


def build_site(root: Path, options: BuildOptions) -> BuildReport:
    """Build `root` into its output folder.

    Posts with mistakes are left out and reported, the rest is written. A
    mistake in the config or a template writes nothing: every page would be wrong.
    """
    started = time.perf_counter()
    overrides = {"site": {"base_url": options.base_url}} if options.base_url else None
    config = load_config(root, overrides)
    output = options.output or root / "public"
    if problem := check_output_folder(root, output):
        raise BuildFailed([problem])

    documents, errors = load_documents(config)
    publishing = Publishing(options.drafts, options.future, options.now)
    documents, clashes = unique_urls([doc for doc in documents if publishing.publishes(doc)])
    errors += clashes
    if options.strict:
        errors += lint_site(config, markdown_options(config), {doc.source for doc in documents})
    site = assemble_site(config, documents, publishing)
    routes = site_routes(site)

    env = make_environment(config)
    outputs: dict[str, bytes | Path] = {}
    template_errors: list[SiteError] = []
    for route in routes:
        try:
            outputs[route.output_path] = render_route(env, site, route)
        except SiteError as error:
            template_errors.append(error)
    if template_errors:
        raise BuildFailed(errors + _first_of_each(template_errors))
    outputs.update(feed_outputs(site))
    outputs.update(sitemap_outputs(site, routes))
    errors += _add_files(outputs, static_files(config, site.posts + site.pages), root)
    for pair in path_clashes(list(outputs)):
        errors.append(_drop_clash(outputs, pair, root))

    stats = write_outputs(output, outputs, manifest_path(root / STATE_DIR, output))
    return BuildReport(
        posts=len(site.posts),
        pages=len(routes),
        written=stats.written,
        unchanged=stats.unchanged,
        removed=stats.removed,
        seconds=time.perf_counter() - started,
        errors=errors,
    )


def markdown_options(config: Config) -> MarkdownOptions:
    return MarkdownOptions(
        dollars="$" in config.math.delimiters,
        brackets="\\(" in config.math.delimiters,
        environments=DEFAULT_ENVIRONMENTS + config.math.environments,
        line_numbers=config.build.line_numbers,
        excerpt=config.build.excerpt,
        toc_min_headings=config.build.toc_min_headings,
    )


def load_documents(config: Config) -> tuple[list[Document], list[SiteError]]:
    """Every source that parses; each one that does not becomes an error, not a stop."""
    options = markdown_options(config)
    documents, errors = [], []
    for source in find_sources(config.root):
        try:
            documents.append(load_document(source, config, options))
        except SiteError as error:
            errors.append(error)
    return documents, errors


def static_files(config: Config, documents: tuple[Document, ...]) -> dict[str, Path]:
    """Theme assets, then the site's static/ over them, then each bundle's files."""
    files: dict[str, Path] = {}
    for folder in [*reversed(theme_dirs(config)), config.root]:
        static = folder / "static"
        if static.is_dir():
            for path in sorted(static.rglob("*")):
                rel = path.relative_to(static)
                if path.is_file() and not any(p.startswith(".") for p in rel.parts):
                    files[rel.as_posix()] = path
    for doc in documents:
        for source, target in doc.assets:
            files[target] = config.root / source
    return files


def _add_files(
    outputs: dict[str, bytes | Path], files: dict[str, Path], root: Path
) -> list[SiteError]:
    """Copied files may not replace a rendered page."""
    errors = []
    for rel, path in files.items():
        if rel in outputs:
            errors.append(
                SiteError(
                    _shown(path, root),
                    None,
                    f"would overwrite the generated page /{rel}",
                    "rename it",
                )
            )
        else:
            outputs[rel] = path
    return errors


def _drop_clash(outputs: dict[str, bytes | Path], pair: tuple[str, str], root: Path) -> SiteError:
    """A path cannot be a file and a folder at once: drop the copied file, else the deeper page."""
    dropped = next((p for p in pair if isinstance(outputs[p], Path)), pair[1])
    other = pair[1] if dropped == pair[0] else pair[0]
    data = outputs.pop(dropped)
    source = _shown(data, root) if isinstance(data, Path) else dropped
    return SiteError(
        source,
        None,
        f"/{dropped} clashes with /{other}: one path cannot be both a file and a folder",
        "rename one of them",
    )


def _shown(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)


def _first_of_each(errors: list[SiteError]) -> list[SiteError]:
    """One broken partial fails every page; say so once."""
    seen, unique = set(), []
    for error in errors:
        key = (error.path, error.line, error.message.split(" (rendering")[0])
        if key not in seen:
            seen.add(key)
            unique.append(error)
    return unique
