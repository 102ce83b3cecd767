"""The Jinja environment of a site's theme, and Routes → HTML bytes."""

from __future__ import annotations

import contextlib
import traceback
from collections.abc import Callable, MutableMapping
from functools import partial
from pathlib import Path
from typing import Any

import jinja2
import markupsafe
from markupsafe import Markup

from sitegen import depends
from sitegen.config import Config
from sitegen.errors import SiteError
from sitegen.i18n import format_date, strings
from sitegen.mathjax import mathjax_config
from sitegen.routes import Route
from sitegen.site import Site
from sitegen.themes import template_dirs
from sitegen.urls import absolute, link

# markupsafe's C escaping of a str (markupsafe >= 3); without it, markupsafe.escape
_escape_str = getattr(markupsafe, "_escape_inner", None)
_new_str = str.__new__


def escape(value: Any) -> Markup:
    """markupsafe.escape, for the str, Markup and int values that are nearly all a page
    shows without its Python wrapper and `Markup.__new__` (a ninth of rendering a page)."""
    kind = type(value)
    if kind is str and _escape_str is not None:
        return _new_str(Markup, _escape_str(value))
    if kind is Markup:
        return value
    if kind is int:  # a loop index, a page number, a count: nothing to escape
        return _new_str(Markup, str(value))
    return markupsafe.escape(value)


def mark_safe(value: Any) -> Markup:
    """Jinja's `safe` filter (`Markup(value)`), without `Markup.__new__` for a str: a page
    marks its body, each excerpt and each TOC entry safe, 23,000 values in 1,000 posts."""
    kind = type(value)
    if kind is Markup:
        return value
    if kind is str:
        return _new_str(Markup, value)
    return Markup(value)


class _Template(jinja2.Template):
    """A compiled template whose `{{ … }}` output is escaped by `escape` above."""

    @classmethod
    def _from_namespace(cls, environment: Any, namespace: Any, globals: Any) -> jinja2.Template:
        namespace["escape"] = escape  # what the compiled code imported from jinja2.runtime
        return super()._from_namespace(environment, namespace, globals)  # type: ignore[misc]


_TRACKED = depends.TRACKED  # looked up for every attribute a template reads


class TrackingEnvironment(jinja2.Environment):
    """Reports what templates read (`depends`), so a page re-renders only when that changed."""

    template_class = _Template

    def getattr(self, obj: Any, attribute: str) -> Any:
        try:  # Jinja's own order, without a second call: attribute first, then item
            value = getattr(obj, attribute)
        except AttributeError:
            value = super().getattr(obj, attribute)
        if type(obj) in _TRACKED:
            return depends.read_attribute(obj, attribute, value)
        return value

    def getitem(self, obj: Any, argument: Any) -> Any:
        value = super().getitem(obj, argument)
        if type(obj) in _TRACKED:
            return depends.read_attribute(obj, argument, value)
        return value

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        """A template's globals as a plain dict, not Jinja's ChainMap over the environment's:
        every context (a page, an include, an import, a partial) starts from a copy of them,
        which for a ChainMap is a Python call per key. `make_environment` sets them all
        before any template is loaded, so a copy is what the ChainMap would show."""
        return {**self.globals, **(d or {})}

    def get_template(self, name: Any, parent: Any = None, globals: Any = None) -> jinja2.Template:
        if isinstance(name, str):
            depends.read_template(name)
        return super().get_template(name, parent, globals)

    def select_template(
        self, names: Any, parent: Any = None, globals: Any = None
    ) -> jinja2.Template:
        for name in names if not isinstance(names, jinja2.Undefined) else ():
            if isinstance(name, str):
                depends.read_template(name)
        return super().select_template(names, parent, globals)


class _CompiledTemplates(jinja2.FileSystemBytecodeCache):
    """Compiled templates kept between builds (each process would compile them again);
    a folder that cannot be written only costs the compile."""

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


def make_environment(config: Config, compiled: Path | None = None) -> jinja2.Environment:
    """`compiled`: a folder to keep compiled templates in between builds."""
    bytecode_cache = None
    if compiled is not None:
        with contextlib.suppress(OSError):
            compiled.mkdir(parents=True, exist_ok=True)
            bytecode_cache = _CompiledTemplates(str(compiled))
    env = TrackingEnvironment(
        loader=jinja2.FileSystemLoader([str(d) for d in template_dirs(config)]),
        autoescape=jinja2.select_autoescape(["html", "xml"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        bytecode_cache=bytecode_cache,
        auto_reload=False,  # one build, one set of templates: no stat per page and include
        cache_size=-1,  # a plain dict: the LRU cache locks and reorders on every lookup
    )
    language = config.site.language
    base_path = config.base_path
    env.filters["date"] = lambda value, style="long": format_date(value, style, language)
    env.filters["safe"] = mark_safe
    env.globals.update(
        url=partial(link, base_path),
        abs_url=lambda href: absolute(
            config.site.base_url, href if href.startswith("/") else link(base_path, href)
        ),
        t=strings(language),
        mathjax_url=config.math.mathjax_url,
        mathjax_config=mathjax_config(config.math.macros, config.math.tags),
        feed_atom_url=link(base_path, "atom.xml"),
        feed_rss_url=link(base_path, "rss.xml"),
        partial_cached=_partial_cache(env),
    )
    return env


def compile_templates(env: jinja2.Environment) -> None:
    """Compile every template of the theme now (into the bytecode cache, if it has one)."""
    for name in env.list_templates():
        # a broken template is reported by the page that uses it, with its line
        with contextlib.suppress(jinja2.TemplateError, UnicodeDecodeError, OSError):
            env.get_template(name)


def _partial_cache(env: jinja2.Environment) -> Callable[..., Markup]:
    """`partial_cached(name, **args)`, as Hugo's partialCached: the template `name` rendered
    once per build (and worker) for the same arguments, however many pages show it — a
    post's meta line appears on half a dozen list pages. It sees its arguments, `site` and
    the globals, never the page, so its output cannot depend on which page asks. Objects
    are the same argument only if they are the same object. What it read is replayed into
    every page that shows it, so those pages still re-render when that changes."""
    cache: dict[tuple, tuple[Markup, depends.Recording, dict]] = {}

    @jinja2.pass_context
    def partial_cached(context: jinja2.runtime.Context, name: str, **args: Any) -> Markup:
        args = {"site": context.get("site"), **args}
        key = (name, *sorted((arg, _same_argument(value)) for arg, value in args.items()))
        hit = cache.get(key)
        if hit is None:
            with depends.recording() as seen:
                html = Markup(env.get_template(name).render(args))
            hit = cache[key] = (html, seen, args)  # holding args: their ids stay theirs
        depends.replay(hit[1])
        return hit[0]

    return partial_cached


def _same_argument(value: object) -> tuple:
    if value is None or type(value) in (str, Markup, int, float, bool):
        return ("value", type(value), value)  # Markup("a") == "a", but shows otherwise
    return ("object", id(value))


def render_route(env: jinja2.Environment, site: Site, route: Route) -> bytes:
    """One page's bytes; a template mistake becomes a SiteError at the template's line."""
    context: dict[str, Any] = {
        "site": site,
        "has_math": route.has_math,
        "canonical_url": absolute(
            site.config.site.base_url, link(site.config.base_path, route.site_path)
        ),
        **route.context,
    }
    try:
        return env.get_template(route.template).render(context).encode("utf-8")
    except jinja2.TemplateSyntaxError as exc:
        raise SiteError(
            _template_path(exc.filename, site.config),
            exc.lineno,
            exc.message or "syntax error",
            "fix the template syntax",
        ) from None
    except jinja2.TemplateNotFound as exc:
        raise SiteError(
            route.template,
            None,
            f"template {exc.name!r} not found",
            "add it to templates/ or the theme",
        ) from None
    except (jinja2.UndefinedError, TypeError, ValueError) as exc:
        frame = _template_frame(exc, site.config)
        if frame is None:
            raise  # not the template's fault: a bug in sitegen
        path, line = frame
        raise SiteError(
            path,
            line,
            f"{type(exc).__name__}: {exc} (rendering /{route.site_path})",
            "check the names this template uses against the theme's context",
        ) from None


def _template_frame(exc: BaseException, config: Config) -> tuple[str, int | None] | None:
    """The innermost template frame of a rendering error, from Jinja's rewritten traceback."""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.endswith((".html", ".xml", ".txt")):
            return _template_path(frame.filename, config), frame.lineno
    return None


def _template_path(filename: str | None, config: Config) -> str:
    if not filename:
        return "templates"
    path = Path(filename)
    try:
        return path.relative_to(config.root).as_posix()
    except ValueError:
        return path.as_posix()
