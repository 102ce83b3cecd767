"""Load, default and validate `sitegen.toml` into a frozen `Config`."""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Callable
from dataclasses import MISSING, dataclass, field, fields
from pathlib import Path
from string import Formatter
from typing import Any, get_type_hints
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sitegen.errors import BuildFailed, SiteError

CONFIG_NAME = "sitegen.toml"
LANGUAGES = ("zh-CN", "en")
# Each name turns on a family: "$" is $…$ and $$…$$, "\\(" is \\(…\\) and \\[…\\].
DELIMITERS = ("$", "\\(")
MATHJAX_CDN = "https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-chtml-full.js"


@dataclass(frozen=True)
class SiteSection:
    title: str
    base_url: str
    language: str = "en"
    description: str = ""
    author: str = ""
    timezone: str = "UTC"
    license_name: str = ""
    license_url: str = ""


@dataclass(frozen=True)
class BuildSection:
    posts_per_page: int = 10
    excerpt: str = "paragraph"
    toc_min_headings: int = 3
    line_numbers: bool = False
    post_url: str = "/{year}/{month}/{slug}/"
    page_url: str = "/{slug}/"
    theme: str = "default"
    search: bool = False  # search.json and a /search/ page, as Zola's build_search_index


@dataclass(frozen=True)
class FeedsSection:
    limit: int = 20


@dataclass(frozen=True)
class MathSection:
    macros: dict = field(default_factory=dict)
    environments: tuple[str, ...] = ()
    tags: str = "ams"
    mathjax_url: str = MATHJAX_CDN
    delimiters: tuple[str, ...] = DELIMITERS


@dataclass(frozen=True)
class Config:
    """The whole validated configuration; `root` is the site folder."""

    root: Path
    site: SiteSection
    build: BuildSection = BuildSection()
    feeds: FeedsSection = FeedsSection()
    math: MathSection = MathSection()

    @property
    def base_path(self) -> str:
        """The path part of base_url, always starting and ending with '/'."""
        path = urlsplit(self.site.base_url).path or "/"
        return path if path.endswith("/") else path + "/"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.site.timezone)


SECTIONS: dict[str, type] = {
    "site": SiteSection,
    "build": BuildSection,
    "feeds": FeedsSection,
    "math": MathSection,
}

# Settings whose values come from a fixed set; checked after the types.
CHOICES: dict[tuple[str, str], tuple[str, ...]] = {
    ("site", "language"): LANGUAGES,
    ("build", "excerpt"): ("paragraph", "none"),
    ("math", "tags"): ("ams", "none", "all"),
}


def find_site_root(start: Path) -> Path:
    """The nearest folder at or above `start` that holds sitegen.toml, as Zola looks up."""
    for folder in [start, *start.resolve().parents]:
        if (folder / CONFIG_NAME).is_file():
            return folder
    return start


def load_config(root: Path, overrides: dict[str, dict[str, Any]] | None = None) -> Config:
    """Read `root/sitegen.toml`; report every problem at once, as MkDocs does.

    `overrides` come from the command line (`--base-url`) and are checked like the
    file's values, but their errors say they came from the command line.
    """
    path = root / CONFIG_NAME
    if not path.is_file():
        raise BuildFailed(
            [
                SiteError(
                    CONFIG_NAME,
                    None,
                    f"no {CONFIG_NAME} in {root} or the folders above it",
                    "run `sitegen new DIR` to start a site, or pass the site folder",
                )
            ]
        )
    text = path.read_text(encoding="utf-8-sig")
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = _toml_error_line(str(exc))
        raise BuildFailed(
            [SiteError(CONFIG_NAME, line, f"invalid TOML: {exc}", "fix the syntax of this line")]
        ) from None
    for section, values in (overrides or {}).items():
        raw.setdefault(section, {}).update(values)
    return parse_config(root, raw, text, overrides)


class _Problems:
    """Collects config errors, each at its key's line (or from the command line)."""

    def __init__(self, text: str, overrides: dict[str, dict[str, Any]] | None) -> None:
        self.text = text
        self.overridden = {(s, k) for s, values in (overrides or {}).items() for k in values}
        self.errors: list[SiteError] = []

    def add(self, section: str | None, key: str | None, message: str, hint: str) -> None:
        if (section, key) in self.overridden:
            self.errors.append(SiteError("command line", None, message, hint))
        else:
            line = _line_of(self.text, section, key)
            self.errors.append(SiteError(CONFIG_NAME, line, message, hint))


def parse_config(
    root: Path,
    raw: dict[str, Any],
    text: str = "",
    overrides: dict[str, dict[str, Any]] | None = None,
) -> Config:
    """Validate a decoded TOML document; `text` is only used to find line numbers."""
    problems = _Problems(text, overrides)
    error = problems.add

    sections: dict[str, Any] = {}
    for name, value in raw.items():
        if name in SECTIONS and not isinstance(value, dict):
            error(None, name, f"{name} must be a table", f"write it as [{name}]")
        elif name not in SECTIONS and isinstance(value, dict):
            error(name, None, f"unknown section [{name}]", f"known sections: {_known(SECTIONS)}")
        elif name not in SECTIONS:
            error(None, name, f"`{name}` is outside any section", "put it under [site]")
    if "site" not in raw:
        error(None, None, "missing [site] section", "add [site] with title and base_url")

    for name, cls in SECTIONS.items():
        table = raw.get(name)
        if not isinstance(table, dict):
            if name != "site":
                sections[name] = cls()
            continue
        values: dict[str, Any] = {}
        hints = get_type_hints(cls)
        known = {f.name for f in fields(cls)}
        for key, value in table.items():
            if key not in known:
                close = _close_match(key, known)
                hint = f"did you mean `{close}`?" if close else f"known keys: {_known(known)}"
                error(name, key, f"[{name}] unknown key `{key}`", hint)
                continue
            problem, converted = _convert(value, hints[key])
            if problem:
                error(name, key, f"[{name}] {key} {problem}", "see the configuration table")
                continue
            choices = CHOICES.get((name, key))
            if choices and converted not in choices:
                allowed = " or ".join(f'"{c}"' for c in choices)
                error(name, key, f"[{name}] {key} must be {allowed}", f"got {value!r}")
                continue
            values[key] = converted
        required = [f.name for f in fields(cls) if f.default is f.default_factory is MISSING]
        missing = [key for key in required if key not in table]
        for key in missing:
            error(name, None, f"[{name}] is missing `{key}`", f"add `{key} = ...` under [{name}]")
        if all(key in values for key in required):
            sections[name] = cls(**values)

    for name, check in (("site", _check_site), ("build", _check_build), ("math", _check_math)):
        if name in sections:
            check(sections[name], root, error)
    if problems.errors:
        raise BuildFailed(problems.errors)
    return Config(root=root, **sections)


def _convert(value: Any, kind: Any) -> tuple[str, Any]:
    """Check a TOML value against a field's type; return (problem, converted value)."""
    if kind is bool:
        return ("", value) if isinstance(value, bool) else ("must be true or false", None)
    if kind is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
        return ("", value) if ok else ("must be a whole number", None)
    if kind is str:
        return ("", value) if isinstance(value, str) else ("must be a string", None)
    if kind == tuple[str, ...]:
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return "", tuple(value)
        return "must be a list of strings", None
    if kind is dict:
        if isinstance(value, dict):
            return "", dict(value)
        return "must be a table", None
    raise TypeError(f"no converter for {kind}")  # a bug in the schema, not the user's input


_Report = Callable[[str | None, str | None, str, str], None]
# The placeholders each URL pattern may use; pages need not have a date.
PLACEHOLDERS = {"post_url": {"slug", "year", "month", "day"}, "page_url": {"slug"}}


def _check_site(site: SiteSection, root: Path, error: _Report) -> None:
    parts = urlsplit(site.base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        error(
            "site",
            "base_url",
            f"[site] base_url {site.base_url!r} is not an absolute http(s) URL",
            'write it like "https://example.org/" or "https://example.org/blog/"',
        )
    try:
        ZoneInfo(site.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        error(
            "site",
            "timezone",
            f"[site] timezone {site.timezone!r} is not a known time zone",
            'use an IANA name like "Asia/Shanghai" or "UTC"',
        )


def _check_build(build: BuildSection, root: Path, error: _Report) -> None:
    for key, minimum in (("posts_per_page", 1), ("toc_min_headings", 1)):
        if getattr(build, key) < minimum:
            error(
                "build",
                key,
                f"[build] {key} must be at least {minimum}",
                f"got {getattr(build, key)}",
            )
    for key, allowed in PLACEHOLDERS.items():
        pattern = getattr(build, key)
        try:
            names = {name for _, name, _, _ in Formatter().parse(pattern) if name is not None}
        except ValueError:
            names = {"{"}
        unknown = sorted(names - allowed)
        if unknown or "slug" not in names or not pattern.startswith("/") or ".." in pattern:
            problem = f"unknown placeholder {{{unknown[0]}}}" if unknown else "must contain {slug}"
            error(
                "build",
                key,
                f"[build] {key} {pattern!r}: {problem}",
                f"start it with / and use only {', '.join('{' + n + '}' for n in sorted(allowed))}",
            )
    if build.theme != "default" and not (root / "themes" / build.theme).is_dir():
        error(
            "build",
            "theme",
            f"[build] theme {build.theme!r} not found in themes/",
            f'create themes/{build.theme}/ or use theme = "default"',
        )


def _check_math(math: MathSection, root: Path, error: _Report) -> None:
    for name in math.delimiters:
        if name not in DELIMITERS:
            error(
                "math",
                "delimiters",
                f"[math] delimiters: unknown delimiter {name!r}",
                'use "$" (for $…$ and $$…$$) and/or "\\\\(" (for \\(…\\) and \\[…\\])',
            )
    for name, value in math.macros.items():
        ok = isinstance(value, str) or (
            isinstance(value, list)
            and len(value) in (2, 3)
            and isinstance(value[0], str)
            and isinstance(value[1], int)
        )
        if not ok or not re.fullmatch(r"[A-Za-z]+", name):
            error(
                "math",
                "macros",
                f"[math] macro `{name}` must be a TeX string or [definition, argument count]",
                'e.g. RR = "\\\\mathbb{R}" or KL = ["\\\\mathrm{KL}(#1\\\\|#2)", 2]',
            )


def _line_of(text: str, section: str | None, key: str | None) -> int | None:
    """The line of `key` inside `[section]` (or of the section header), for messages."""
    current = None
    header_line = None
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        match = re.match(r"\[\s*([^\]\s]+)\s*\]", stripped)
        if match:
            current = match.group(1)
            if current == section and header_line is None:
                header_line = number
                if key is None:
                    return number
            continue
        if key and current == section and re.match(rf'["\']?{re.escape(key)}["\']?\s*=', stripped):
            return number
        if key and section is None and current is None and stripped.startswith(key):
            return number
    return header_line


def _toml_error_line(message: str) -> int | None:
    match = re.search(r"at line (\d+)", message)
    return int(match.group(1)) if match else None


def _close_match(word: str, options: set[str]) -> str | None:
    found = difflib.get_close_matches(word, sorted(options), n=1, cutoff=0.6)
    return found[0] if found else None


def _known(names: Any) -> str:
    return ", ".join(sorted(names))
