"""The stages of a build with work to do: parse what changed, relate, render what changed, write.

What changed comes from the cache: a source whose bytes are the same is not parsed again, and
a page whose context, templates and recorded reads (`depends`) evaluate as before is not
rendered again. The expensive stages (Markdown, Jinja) run in forked worker processes when
there is enough work to pay for the fork; results come back in input order, so the output
never depends on scheduling.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import multiprocessing.pool
import os
import pickle
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import partial
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sitegen import depends
from sitegen.background import Background
from sitegen.build import TEMPLATE_CACHE, BuildOptions, BuildReport, Inputs
from sitegen.cache import Cache, CachedSource, code_version, digest, file_stat, scan_files
from sitegen.config import Config
from sitegen.document import Document, Publishing, Withheld
from sitegen.errors import BuildFailed, SiteError
from sitegen.feeds import feed_outputs, feed_pairs
from sitegen.precompile import Precompiling
from sitegen.progress import Progress
from sitegen.routes import Route, site_routes
from sitegen.search import SEARCH_INDEX, search_outputs
from sitegen.site import Site, assemble_site, unique_urls
from sitegen.sitemap import SITEMAP_FILES, sitemap_entries, sitemap_outputs
from sitegen.sources import SourceFile, source_files
from sitegen.themes import template_dirs, theme_dirs
from sitegen.writer import (
    discard_staged,
    folders_holding,
    forget_folders,
    holds_nothing,
    list_output,
    path_clashes,
    remove_output,
    stage_output,
    write_outputs,
)

if TYPE_CHECKING:
    import jinja2

    from sitegen.markdown import MarkdownOptions

MIN_PARALLEL = 48  # fewer items than this are done in-process: a pool would cost more
WRITE_BATCH = 500  # parsed sources stored at a time, as the workers deliver them
MAX_RUN = 64  # items a worker takes at a time


def run(
    config: Config,
    output: Path,
    options: BuildOptions,
    cache: Cache,
    inputs: Inputs,
    key: dict[str, str],
    progress: Progress,
    precompiling: Precompiling,
) -> BuildReport:
    jobs = options.jobs or len(os.sched_getaffinity(0))
    was_empty = holds_nothing(output)
    old = cache.state(key["output"]) or {}
    fresh = "--clean" if options.clean else None
    if not fresh and old.get("rendering") != key["rendering"]:
        fresh = "first build here" if not old else "sitegen, the config or the options changed"

    stamp = old.get("stamp") or {}
    old_outputs = {rel: tuple(stat) for rel, stat in stamp.get("outputs", {}).items()}
    private = cache.private(key["output"])  # serve's: nobody else writes there
    tampered = _tampered(output, old_outputs, private)
    publishing = Publishing(options.drafts, options.future, options.now)
    templates = _Templates(config, precompiling)
    parsed = _parse(
        config, options, publishing, cache, inputs, jobs, progress, templates.compile_all
    )
    published, clashes = unique_urls([doc for doc in parsed.documents if publishing.publishes(doc)])
    errors = parsed.errors + clashes
    for doc in published:  # only what is published must pass the linter
        errors += parsed.findings.get(doc.source, [])
    site = assemble_site(config, published, publishing)
    routes = site_routes(site)
    identities = {doc.source: parsed.identities[doc.source] for doc in site.posts + site.pages}

    previous = set(old_outputs) | set(cache.pending(key["output"]))
    changes = _Changes.find(old, site, identities, config, old_outputs, tampered())
    plan = _Plan(fresh, changes)
    plan.pages(routes)
    for pair in feed_pairs(site):
        fingerprint = digest(pair.folder, pair.title, *_members(pair.posts, identities))
        plan.produce(pair.paths, fingerprint, partial(feed_outputs, site, pair))
    if config.build.search:
        fingerprint = digest(*_members(site.posts + site.pages, identities))
        plan.produce((SEARCH_INDEX,), fingerprint, partial(search_outputs, site))
    listed = sitemap_entries(routes)
    plan.produce(SITEMAP_FILES, digest(repr(listed)), partial(sitemap_outputs, site, listed))
    errors += plan.copies(static_files(config, site.posts + site.pages), config.root)

    try:
        staged = _render(plan, site, templates.env, output, jobs, progress, errors, parsed.store)
    finally:
        parsed.store()  # if the render workers did not start (few pages, or a failure)
    # Write: first note which new files are about to appear, in case the build is killed.
    cache.mark_pending(key["output"], sorted(set(plan.planned) - previous))
    stats = write_outputs(output, plan.files, plan.planned, previous, staged)
    root = output.resolve()
    notices = (
        _Foreign(set(), [], {})
        if private
        else _foreign_files(root, plan.planned, previous, old, options, was_empty)
    )
    touched = set(plan.files) | set(plan.remade)
    outputs = {rel: changes.output_stats.get(rel) for rel in plan.planned if rel not in touched}
    outputs |= {rel: file_stat(f"{root}/{rel}") for rel in touched & set(plan.planned)}

    posts, pages = len(site.posts), len(routes)
    cache.save_state(
        key["output"],
        {
            "rendering": key["rendering"],
            "stamp": {
                "key": key["stamp"],
                # a file changed too recently to trust its stat next time is checked by its
                # bytes then; a build that read any other such file is not repeated at all
                "inputs": inputs.digest if inputs.recent <= parsed.racy.keys() else None,
                "racy": parsed.racy,
                "due": _next_due(parsed.documents, publishing),
                "now": options.now.timestamp() if options.now else None,
                "outputs": outputs,
                "summary": (posts, pages, len(plan.planned)),
                "errors": [(e.path, e.line, e.message, e.hint, e.column) for e in errors],
            },
            "routes": plan.entries,
            "values": changes.values_for(plan.entries),
            "templates": changes.templates_for(plan.entries),
            "documents": identities,
            "generated": plan.generated,
            "foreign": sorted(notices.foreign),
            "folders": notices.folders,
        },
    )
    return BuildReport(
        posts=posts,
        pages=pages,
        written=len(stats.written),
        unchanged=len(plan.planned) - len(stats.written),
        removed=len(stats.removed),
        changed=stats.written + stats.removed,
        seconds=time.perf_counter() - progress.started,
        errors=errors,
        notices=cache.notices + notices.lines,
        explanations=plan.explanations if options.explain else [],
    )


def _members(documents: Iterable[Document], identities: dict[str, str]) -> list[str]:
    """What a file made of whole documents (a feed, the search index) is a function of."""
    return [doc.source + identities[doc.source] for doc in documents]


class _Plan:
    """Every output of this build, and which of them must be made again and why."""

    def __init__(self, fresh: str | None, changes: _Changes) -> None:
        self.fresh = fresh
        self.changes = changes
        self.planned: dict[str, Path | None] = {}  # every output; a Path if copied
        self.entries: dict[str, tuple] = {}  # page → (context, templates, deps)
        self.jobs: list[Route | _Produce] = []  # for the workers
        self.remade: list[str] = []  # what the workers make: pages, feeds, sitemap...
        self.files: dict[str, Path] = {}  # copied here
        self.generated: dict[str, str] = {}  # non-page output → its fingerprint
        self.explanations: list[str] = []

    def pages(self, routes: list[Route]) -> None:
        """Pages to render, and what the last build recorded of the others. A page's entry
        comes from the worker that renders it (which fingerprints its context then: in a
        first build, that is every page, in parallel)."""
        old = self.changes.old.get("routes", {})
        keys: dict[int, str] = {}  # the routes' objects live until this returns
        for route in routes:
            path = route.output_path
            self.planned[path] = None
            why = self.fresh or self.changes.why(path, _context_fingerprint(route, keys))
            if why is None:
                self.entries[path] = old[path]
            else:
                self.jobs.append(route)
                self.remade.append(path)
                self.explanations.append(f"{path}: {why}")

    def produce(
        self, paths: tuple[str, ...], fingerprint: str, make: Callable[[], dict[str, bytes]]
    ) -> None:
        """Files that `make` writes in a worker (feeds, sitemap, search index), when due."""
        if self._due(paths, fingerprint):
            self.jobs.append(_Produce(make))
            self.remade.extend(paths)

    def copies(self, files: dict[str, Path], root: Path) -> list[SiteError]:
        """Static and bundled files; they may not take a page's path."""
        errors = []
        for rel, path in files.items():
            if rel in self.planned:
                errors.append(_overwrite_error(rel, path, root))
                continue
            if self._due((rel,), digest(str(path), repr(file_stat(path)))):
                self.files[rel] = path
            self.planned[rel] = path
        for pair in path_clashes(list(self.planned)):
            errors.append(_drop_clash(self.planned, self.files, pair, root))
        for path in set(self.entries) - set(self.planned):  # a page that lost a clash
            del self.entries[path]
        return errors

    def _due(self, paths: tuple[str, ...], fingerprint: str) -> bool:
        why = self.fresh or self.changes.why_generated(paths, fingerprint)
        for path in paths:
            self.generated[path] = fingerprint
            self.planned.setdefault(path, None)
        if why is not None:
            self.explanations.extend(f"{path}: {why}" for path in paths)
        return why is not None


class _Templates:
    """The theme's Jinja environment. Jinja is imported, and a first build's templates are
    compiled (or loaded, when `precompiling` compiled them), by this process while the
    workers parse: otherwise each render worker would compile them (50 ms) and every build
    would wait for the import (10 ms)."""

    def __init__(self, config: Config, precompiling: Precompiling) -> None:
        self.config = config
        self.precompiling = precompiling
        self._env: jinja2.Environment | None = None

    @property
    def env(self) -> jinja2.Environment:
        if self._env is None:
            from sitegen.render import make_environment

            self.precompiling.wait()
            self._env = make_environment(self.config, self.config.root / TEMPLATE_CACHE)
        return self._env

    def compile_all(self) -> None:
        from sitegen.render import compile_templates

        compile_templates(self.env)


def _render(
    plan: _Plan,
    site: Site,
    env: jinja2.Environment,
    output: Path,
    jobs: int,
    progress: Progress,
    errors: list[SiteError],
    meanwhile: Callable[[], None],
) -> dict[str, str]:
    """Render the plan's pages and feeds in workers, which write them under temporary names;
    a template error discards them all and fails the build. `meanwhile` runs here once the
    workers have started, if they do."""
    existed = output.exists()
    forget_folders()
    root = output.resolve()
    changes = plan.changes
    work = _Work(
        site.config,
        env=env,
        site=site,
        output=root,
        jobs=plan.jobs,
        index=changes.index,
        everything=changes.everything,
        values=changes.values,
    )
    staged: dict[str, str] = {}
    template_errors: list[SiteError] = []
    # Feeds and the like first: each takes as long as dozens of pages, and one left for the
    # end would keep a worker busy while the others wait.
    numbers = sorted(range(len(plan.jobs)), key=lambda n: isinstance(plan.jobs[n], Route))
    results = _map(_render_one, numbers, jobs, progress, "rendering", work, meanwhile)
    for job, (result, context, deps, templates) in zip(
        [plan.jobs[n] for n in numbers], results, strict=True
    ):
        if isinstance(result, SiteError):
            template_errors.append(result)
            continue
        staged.update(result)
        if isinstance(job, Route) and job.output_path in plan.planned:
            kept = []
            for dep, value in deps:
                kept.append(dep := changes.intern(dep))
                changes.values[dep] = value
            plan.entries[job.output_path] = (context, templates, tuple(kept))
    if template_errors:
        discard_staged(root, staged)
        if not existed:
            with contextlib.suppress(OSError):
                root.rmdir()  # only if empty: a failed first build leaves no folder
        raise BuildFailed(errors + _first_of_each(template_errors))
    dropped = set(staged) - set(plan.planned)  # a page that clashed with a copied file
    discard_staged(root, {rel: staged.pop(rel) for rel in dropped})
    return staged


def static_files(config: Config, documents: Iterable[Document]) -> dict[str, Path]:
    """Theme assets, then the site's static/ over them, then each bundle's files."""
    files: dict[str, Path] = {}
    for folder in [*reversed(theme_dirs(config)), config.root]:
        static = folder / "static"
        for rel in sorted(scan_files(static)):
            files[rel] = static / rel
    for doc in documents:
        for source, target in doc.assets:
            files[target] = config.root / source
    return files


# --- parsing -----------------------------------------------------------------------------


def _parse(
    config: Config,
    options: BuildOptions,
    publishing: Publishing,
    cache: Cache,
    inputs: Inputs,
    jobs: int,
    progress: Progress,
    meanwhile: Callable[[], None],
) -> _Parsed:
    """Every source, parsed or taken from the cache (see `_Parsed`). While workers parse what
    changed, this process reads the rest from the cache and runs `meanwhile`: at 10,000
    posts that reading is 0.3 s, and parsing one edited post (0.08 s, most of it importing
    markdown-it and compiling Pygments' lexers) is done by then."""
    parse_key = digest(code_version(), repr(config))
    cached = cache.sources(parse_key)
    found = source_files(inputs.content)
    current: dict[str, CachedSource] = {}
    to_parse: list[SourceFile] = []  # read by the workers: a cold build reads nothing here
    for file in found:
        stat = inputs.content[file.rel.removeprefix("content/")]
        keep = None if file.rel in inputs.recent else stat
        entry = None if options.clean else cached.get(file.rel)
        # a document parsed without its body that this build publishes is parsed again
        if entry and entry.assets == file.assets and not _now_published(entry, publishing):
            if entry.stat == stat:
                current[file.rel] = entry
                continue
            if entry.digest == digest(file.read(config.root).data):  # touched, not changed
                current[file.rel] = replace(entry, stat=keep)
                continue
        current[file.rel] = CachedSource("", keep, file.assets, None, None)
        to_parse.append(file)
    parsing = {file.rel for file in to_parse}
    if options.strict:  # findings are cached too, once asked for
        unlinted = [f for f in found if current[f.rel].lint is None and f.rel not in parsing]
        to_parse += unlinted
        parsing.update(file.rel for file in unlinted)
    reused = [rel for rel in current if rel not in parsing]

    def read_cached() -> None:
        for rel in reused:
            cache.parsed(parse_key, rel, current[rel])
        meanwhile()

    work = _Work(config, publishing=publishing, strict=options.strict)
    stored = _Storing(cache, parse_key, current)
    if len(to_parse) >= MIN_PARALLEL:  # imported once here, not by every worker
        import sitegen.content  # noqa: F401
    # with nothing to parse `_map` forks no pool, whatever `parallel` says
    parallel = len(to_parse) >= MIN_PARALLEL or len(reused) >= MIN_PARALLEL
    stored.take(
        to_parse,
        _map(
            _parse_one, to_parse, jobs, progress, "parsing", work, read_cached, parallel, warm=True
        ),
    )
    results = {file.rel: cache.parsed(parse_key, file.rel, current[file.rel]) for file in found}
    lost = [file for file in found if results[file.rel] is None]  # by a cache file damaged
    if lost:  # since this build began
        stored.take(lost, _map(_parse_one, lost, jobs, progress, "parsing", work))
        results |= {f.rel: cache.parsed(parse_key, f.rel, current[f.rel]) for f in lost}

    documents, errors, identities, findings = [], [], {}, {}
    for file in found:
        entry, result = current[file.rel], results[file.rel]
        if isinstance(result, SiteError):
            errors.append(result)
        else:
            documents.append(result)
            identities[file.rel] = digest(entry.digest, *file.assets)
        if options.strict and entry.lint:
            findings[file.rel] = pickle.loads(entry.lint)
    racy = {rel: entry.digest for rel, entry in current.items() if entry.stat is None}
    return _Parsed(documents, identities, findings, errors, racy, stored.store)


@dataclass(frozen=True)
class _Parsed:
    documents: list[Document]  # in source order
    identities: dict[str, str]  # source → its bytes' and its bundle's file list's digest
    findings: dict[str, list[SiteError]]  # the linter's, with --strict
    errors: list[SiteError]
    racy: dict[str, str]  # digest of the bytes read of each source too recent to trust
    # Stores what is not stored yet; once the workers stop parsing the build is serial
    # until the render workers start, so it is called after that (a no-op once done).
    store: Callable[[], None]


@dataclass
class _Storing:
    """Parsed sources into the cache, in batches as the workers deliver them (0.26 s at
    10,000 posts otherwise), but for the last batch: see `_Parsed.store`."""

    cache: Cache
    key: str
    current: dict[str, CachedSource]  # source → as this build found or parsed it
    batch: dict[str, CachedSource] = field(default_factory=dict)
    done: bool = False

    def take(self, files: list[SourceFile], results: Iterable[tuple]) -> None:
        last = files[-1] if files else None
        for file, (text_digest, parsed, withheld, lint, parts) in zip(files, results, strict=True):
            entry = replace(
                self.current[file.rel],
                digest=text_digest,
                withheld=withheld,
                lint=lint,
                parsed=parsed,
            )
            self.current[file.rel] = self.batch[file.rel] = entry
            result = self.cache.parsed(self.key, file.rel, entry)  # while the workers go on
            if parts:
                depends.keep_parts(result, parts)
            if len(self.batch) == WRITE_BATCH and file is not last:
                self.cache.update_sources(self.key, self.batch, ())
                self.batch = {}

    def store(self) -> None:
        """What is not stored yet: the last batch, what changed without a parse (a touched
        file's stat) and what was deleted."""
        if self.done:
            return
        self.done = True
        cached = self.cache.sources(self.key)  # holds what is stored by now
        changed = {
            rel: c for rel, c in self.current.items() if rel in self.batch or cached.get(rel) != c
        }
        removed = set(cached) - set(self.current)
        if changed or removed:
            self.cache.update_sources(self.key, changed, removed)


def _now_published(entry: CachedSource, publishing: Publishing) -> bool:
    return entry.withheld is not None and publishing.publishes(entry.withheld)


def _parse_one(file: SourceFile) -> tuple[str, bytes, Withheld | None, bytes | None, dict]:
    """One source's digest, its document (or the author's mistake) pickled for the cache,
    whether it was withheld, the linter's findings when --strict asks for them, and the
    fingerprints of the document's parts (`depends.document_parts`)."""
    from sitegen.content import load_document, markdown_options  # see _parse

    work = _current_work()
    if work.markdown is None:
        work.markdown = markdown_options(work.config)
    source = file.read(work.config.root)
    withheld, parts = None, {}
    try:
        result: Document | SiteError = load_document(
            source, work.config, work.markdown, work.publishing
        )
        if not result.rendered:
            withheld = Withheld(result.draft, result.date)
        parts = depends.document_parts(result)  # first: its body is pickled once for both
    except SiteError as error:
        result = error
    lint = None
    if work.strict:  # the linter is imported only when asked for
        from sitegen.check import lint_source

        lint = pickle.dumps(lint_source(source, work.config, work.markdown))
    return digest(source.data), pickle.dumps(result), withheld, lint, parts


# --- what changed since the last build ---------------------------------------------------


@dataclass
class _Changes:
    """Compares this build's site with what the last build recorded, page by page."""

    old: dict[str, Any]  # the last build's state
    values: dict  # dep → its value now (or then, for documents that did not change)
    changed: set  # deps whose value changed
    templates: dict[str, str]  # template name → fingerprint now
    changed_templates: set[str]
    tampered: set[str]  # outputs changed or deleted since the last build wrote them
    output_stats: dict[str, Any]  # as the last build left them
    index: dict  # key → object of this build's site
    everything: str  # stands for any method's result: changes when any document does
    dirs: list[Path]  # template folders
    _interned: dict = field(default_factory=dict)

    @classmethod
    def find(
        cls,
        old: dict[str, Any],
        site: Site,
        identities: dict[str, str],
        config: Config,
        old_outputs: dict[str, tuple],
        tampered: set[str],
    ) -> _Changes:
        index = depends.site_index(site)
        everything = digest(repr(sorted(identities.items())))
        old_identities = old.get("documents", {})
        changed_documents = {
            rel
            for rel in set(old_identities) | set(identities)
            if old_identities.get(rel) != identities.get(rel)
        }
        old_values = old.get("values", {})
        values, changed = dict(old_values), set()  # a copy keeps the deps' hashes
        for dep, before in old_values.items():
            owner = dep[0]
            if owner[0] == "doc" and owner[1] not in changed_documents:
                continue
            values[dep] = now = depends.evaluate(dep, index, everything)
            if now != before:
                changed.add(dep)
        dirs = template_dirs(config)
        templates = {name: _template_fingerprint(dirs, name) for name in old.get("templates", {})}
        changed_templates = {
            name for name, before in old.get("templates", {}).items() if templates[name] != before
        }
        return cls(
            old,
            values,
            changed,
            templates,
            changed_templates,
            tampered,
            old_outputs,
            index,
            everything,
            dirs,
        )

    def why(self, path: str, context: str) -> str | None:
        """Why the page at `path` must be rendered again, or None if it need not."""
        before = self.old.get("routes", {}).get(path)
        if before is None:
            return "new page"
        if path in self.tampered or path not in self.output_stats:
            return "the file in the output folder was changed or deleted"
        context_before, templates, deps = before
        if context_before != context:
            return "the posts it lists, its neighbours or its page number changed"
        if not self.changed_templates.isdisjoint(templates):
            name = next(name for name in templates if name in self.changed_templates)
            return f"template {name} changed"
        if not self.changed.isdisjoint(deps):
            return _describe(next(dep for dep in deps if dep in self.changed))
        return None

    def why_generated(self, paths: tuple[str, ...], fingerprint: str) -> str | None:
        generated = self.old.get("generated", {})
        if any(generated.get(path) != fingerprint for path in paths):
            return "new" if paths[0] not in generated else "its inputs changed"
        if any(path in self.tampered or path not in self.output_stats for path in paths):
            return "the file in the output folder was changed or deleted"
        return None

    def intern(self, dep: depends.Dep) -> depends.Dep:
        """One object per distinct dep and list of reads, so the state stores each once."""
        key, reads = dep
        dep = (self._interned.setdefault(key, key), self._interned.setdefault(reads, reads))
        return self._interned.setdefault(dep, dep)

    def values_for(self, entries: dict[str, tuple]) -> dict:
        """The value of every dep a page now depends on, as of this build."""
        live = set().union(*(deps for _, _, deps in entries.values()))
        known, values = self.values.get, {}
        for dep in live:  # a dep hashes its whole tuple each time: 40,000 of them, once each
            value = known(dep)
            if value is None:
                value = depends.evaluate(dep, self.index, self.everything)
            values[dep] = value
        return values

    def templates_for(self, entries: dict[str, tuple]) -> dict[str, str]:
        names = {name for _, templates, _ in entries.values() for name in templates}
        return {
            name: self.templates.get(name) or _template_fingerprint(self.dirs, name)
            for name in names
        }


def _tampered(output: Path, stats: dict[str, tuple], private: bool) -> Callable[[], set[str]]:
    """The outputs changed or deleted since the last build wrote them, statted by a child
    while this process reads the cache (0.06 s of a 10,000-post rebuild otherwise)."""
    if private or not stats:
        return set
    folder = str(output)
    return Background(
        lambda: {rel for rel, stat in stats.items() if file_stat(f"{folder}/{rel}") != stat}
    ).result


def _template_fingerprint(dirs: list[Path], name: str) -> str:
    """Which folder a template name resolves to, and its bytes there."""
    for number, folder in enumerate(dirs):
        path = folder / name
        if path.is_file():
            return f"{number}:{digest(path.read_bytes())}"
    return "missing"


def _describe(dep: depends.Dep) -> str:
    key, reads = dep
    shown = [read if isinstance(read, str) else ".".join(map(str, read)) for read in reads]
    more = ", …" if len(shown) > 4 else ""
    return f"what it shows of {_name(key)} changed ({', '.join(shown[:4])}{more})"


def _name(key: depends.Key) -> str:
    if key[0] == "doc":
        return key[1]
    return "the site" if key == ("site",) else f"{key[0]} {'-'.join(map(str, key[1:]))}"


def _next_due(documents: list[Document], publishing: Publishing) -> float | None:
    """When the next post held back for its future date becomes due."""
    waiting = [
        doc.date
        for doc in documents
        if doc.date is not None
        and not publishing.publishes(doc)
        and publishing.publishes(_undated(doc))
    ]
    return min(waiting).timestamp() if waiting else None


def _undated(doc: Document) -> Document:
    return replace(doc, date=None)


# --- rendering ---------------------------------------------------------------------------


@dataclass
class _Work:
    """What a worker needs: set before a pool forks, so workers inherit it."""

    config: Config
    markdown: MarkdownOptions | None = None
    publishing: Publishing | None = None
    strict: bool = False
    env: jinja2.Environment | None = None
    site: Site | None = None
    output: Path | None = None  # resolved
    jobs: list[Route | _Produce] = field(default_factory=list)  # workers get their numbers
    index: dict = field(default_factory=dict)  # for dep values: see _Changes
    everything: str = ""
    # dep → its value in this build: what `_Changes` knows (the archive page of 10,000 posts
    # reads 10,000 deps), and what the worker evaluated itself
    values: dict = field(default_factory=dict)
    keys: dict[int, str] = field(default_factory=dict)  # see _context_fingerprint


_work: _Work | None = None


def _current_work() -> _Work:
    assert _work is not None
    return _work


@dataclass(frozen=True)
class _Produce:
    """Files a worker makes with `make` rather than a template: a feed pair, the sitemap,
    the search index."""

    make: Callable[[], dict[str, bytes]]


def _context_fingerprint(route: Route, keys: dict[int, str] | None = None) -> str:
    context = (route.site_path, route.template, route.has_math, route.context)
    return depends.fingerprint(context, keys=keys)


def _render_one(number: int) -> tuple[dict[str, str] | SiteError, str, tuple, tuple[str, ...]]:
    """Make one job's files and stage them in the output folder (workers write, so pages
    never travel back to the parent): the temporary files (none if unchanged), or the
    template's error; and for a page, its context's fingerprint and what it read."""
    from sitegen.render import render_route  # imported by now: see _Templates

    work = _current_work()
    job = work.jobs[number]
    if isinstance(job, _Produce):
        return _stage_all(work.output, job.make()), "", (), ()
    with depends.recording() as seen:
        try:
            data = render_route(work.env, work.site, job)
        except SiteError as error:
            return error, "", (), ()
    staged = _stage_all(work.output, {job.output_path: data})
    deps = tuple(_valued(dep, work) for dep in seen.deps())
    # the site's objects live as long as the worker: their keys are shown once in it
    return staged, _context_fingerprint(job, work.keys), deps, tuple(sorted(seen.templates))


def _valued(dep: depends.Dep, work: _Work) -> tuple[depends.Dep, str]:
    """A dep with its value in this build: evaluated in the worker, once per worker."""
    value = work.values.get(dep)
    if value is None:
        value = work.values[dep] = depends.evaluate(dep, work.index, work.everything)
    return dep, value


def _stage_all(root: Path, files: dict[str, bytes]) -> dict[str, str]:
    staged = {rel: stage_output(root, rel, data) for rel, data in files.items()}
    return {rel: temporary for rel, temporary in staged.items() if temporary is not None}


def _map(
    function: Callable,
    items: list,
    jobs: int,
    progress: Progress,
    stage: str,
    work: _Work,
    meanwhile: Callable[[], None] | None = None,
    parallel: bool | None = None,
    warm: bool = False,
) -> Iterator:
    """`function` over `items`, results in order as they come, so the caller works on them
    while the workers go on; in worker processes when `parallel` (by default: when there are
    enough items), and then `meanwhile` runs here as soon as they have started (else first).

    With `warm`, the first item is done here before the workers fork, so that they inherit
    whatever doing it set up once per process: for parsing, the YAML loader and the lexers
    of the languages the first post's code is in (compiling Pygments' Python lexer is
    30 ms that each worker paid)."""
    global _work
    _work = work
    if parallel is None:
        parallel = len(items) >= MIN_PARALLEL
    try:
        if jobs <= 1 or not parallel or not items:
            if meanwhile is not None:
                meanwhile()
            for done, item in enumerate(items, 1):
                yield function(item)
                progress.update(stage, done, len(items))
            return
        # (not for a few items: they go to a worker so that `meanwhile` runs alongside)
        head = [function(items[0])] if warm and len(items) >= MIN_PARALLEL else []
        rest = items[len(head) :]
        # Workers collect garbage, but need not walk (and so copy) the objects they inherit:
        # 0.4 s of rendering 10,000 posts.
        frozen = gc.get_freeze_count()
        gc.freeze()
        try:
            runs = _runs(rest, jobs)
            fork = multiprocessing.get_context("fork")
            with _Pool(min(jobs, len(runs)), _collect_seldom, context=fork) as pool:
                results = pool.imap(partial(_run, function), runs)
                if meanwhile is not None:
                    meanwhile()
                done = 0
                for run in chain([head], results):
                    for result in run:
                        yield result
                        done += 1
                        progress.update(stage, done, len(items))
        finally:
            if not frozen:
                gc.unfreeze()
    finally:
        _work = None


def _collect_seldom() -> None:
    """A worker collects garbage every 20,000 new objects, not 700: parsing and rendering
    make millions that die young (tokens, template frames), and the collector walked the
    worker's survivors again and again (1.8 % of a 10,000-post first build's CPU)."""
    gc.set_threshold(20_000, 10, 10)
    gc.enable()


def _runs(items: list, jobs: int) -> list[list]:
    """`items` in runs that shrink as the work runs out (guided scheduling): long ones while
    much is left, so there are few messages, single items at the end, so that no worker
    waits while another finishes a long run (with runs of 62 posts, 40 ms of a core
    idled at the end of parsing 1,000)."""
    runs, start = [], 0
    while start < len(items):
        size = max(1, min(MAX_RUN, (len(items) - start) // (jobs * 4)))
        runs.append(items[start : start + size])
        start += size
    return runs


def _run(function: Callable, items: list) -> list:
    return [function(item) for item in items]


class _Pool(multiprocessing.pool.Pool):
    """A process pool whose thread that watches the workers wakes when one exits, not
    whenever a result waits to be read. CPython's also waits on the results pipe, and while
    this process is busy (unpickling, storing, compiling templates) that thread spins
    there until the results are read: 730 wake-ups for 100 results, and 15 % of this
    process's CPU while the workers parse 1,000 posts."""

    def _get_sentinels(self) -> list:
        return [self._change_notifier._reader]  # type: ignore[attr-defined]


# --- what may not be written -------------------------------------------------------------


@dataclass(frozen=True)
class _Foreign:
    foreign: set[str]
    lines: list[str]
    folders: dict[str, int]  # the output's folders and their mtimes, after this build


def _foreign_files(
    output: Path,
    planned: dict[str, Path | None],
    previous: set[str],
    old: dict[str, Any],
    options: BuildOptions,
    was_empty: bool,
) -> _Foreign:
    """Files in the output folder that sitegen did not write: left alone and reported once,
    or removed with --clean-output. Temporary files of a killed build are removed."""
    if was_empty:  # it holds what this build wrote, and nothing else: no need to list it
        return _Foreign(set(), [], folders_holding(output, planned))
    listing = list_output(output, {} if options.clean_output else old.get("folders", {}))
    for stray in listing.strays:
        with contextlib.suppress(OSError):
            os.unlink(stray)
    known = set(old.get("foreign", ()))
    still = {rel for rel in known if rel.rpartition("/")[0] not in listing.looked}
    foreign = (listing.files - set(planned) - previous) | (still - set(planned))
    if not foreign:
        return _Foreign(set(), [], listing.folders)
    shown = ", ".join(sorted(foreign)[:5]) + (", …" if len(foreign) > 5 else "")
    if options.clean_output:
        for rel in foreign:
            remove_output(output, rel)
        lines = [f"removed {len(foreign)} files sitegen did not write: {shown}"]
        return _Foreign(set(), lines, {})  # folders changed: look into them all next time
    if foreign <= known:
        return _Foreign(foreign, [], listing.folders)
    return _Foreign(
        foreign,
        [
            f"{output} holds {len(foreign)} files sitegen did not write: {shown} "
            "(left alone; `sitegen build --clean-output` removes them)"
        ],
        listing.folders,
    )


def _overwrite_error(rel: str, path: Path, root: Path) -> SiteError:
    return SiteError(
        _shown(path, root), None, f"would overwrite the generated page /{rel}", "rename it"
    )


def _drop_clash(
    planned: dict[str, Path | None],
    files: dict[str, bytes | Path],
    pair: tuple[str, str],
    root: Path,
) -> SiteError:
    """A path cannot be a file and a folder at once: drop the copied file, else the deeper page."""
    dropped = next((p for p in pair if planned.get(p) is not None), pair[1])
    other = pair[1] if dropped == pair[0] else pair[0]
    path = planned.pop(dropped, None)
    files.pop(dropped, None)
    return SiteError(
        _shown(path, root) if path else dropped,
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
