"""Split a source into front matter and body, and validate the front matter's fields."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from sitegen.errors import SiteError

KNOWN_KEYS = (
    "title",
    "date",
    "updated",
    "slug",
    "category",
    "categories",
    "tags",
    "series",
    "series_index",
    "summary",
    "draft",
    "math",
)
# A slug is one URL segment: it must not climb out of, or hide in, the output folder.
SLUG_PATTERN = re.compile(r"[^\s/\\?#%.][^\s/\\?#%]*")


@dataclass(frozen=True)
class Meta:
    """Validated front matter."""

    title: str
    date: datetime | None = None
    updated: datetime | None = None
    slug: str | None = None
    categories: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    series: str | None = None
    series_index: int | None = None
    summary: str | None = None
    draft: bool = False
    math: bool | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Split:
    """A source cut in two; `body_line` is the 1-based line where the body starts."""

    raw: dict[str, Any]
    body: str
    body_line: int
    key_lines: dict[str, int]


# a line that gives a key, by fence: YAML's `key:`, TOML's `key =`
KEY_LINE = {
    fence: re.compile(rf"([A-Za-z_][\w-]*)\s*{sep}") for fence, sep in (("---", ":"), ("+++", "="))
}


def split_front_matter(path: str, text: str) -> Split:
    """Find `---` YAML or `+++` TOML front matter; never swallow a parse error."""
    lines = text.splitlines(keepends=True)
    fence = lines[0].rstrip("\r\n") if lines else ""
    if fence not in ("---", "+++"):
        raise SiteError(
            path,
            1,
            "no front matter",
            "start the file with a '---' line, 'title: ...', and another '---' line",
        )
    closers = ("---", "...") if fence == "---" else ("+++",)
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip("\r\n") in closers), None)
    if end is None:
        raise SiteError(
            path, 1, f"front matter opened with '{fence}' is never closed", f"add a '{fence}' line"
        )
    block = "".join(lines[1:end])
    raw = _parse_yaml(path, block) if fence == "---" else _parse_toml(path, block)
    if not isinstance(raw, dict):
        raise SiteError(
            path, 2, "front matter must be a set of `key: value` lines", "e.g. `title: My post`"
        )
    key_line = KEY_LINE[fence]
    key_lines: dict[str, int] = {}
    for number, line in enumerate(lines[1:end], start=2):
        match = key_line.match(line)
        if not match:
            continue
        key = match.group(1)
        if key in key_lines and fence == "---":  # YAML keeps the last silently; TOML refuses
            raise SiteError(
                path,
                number,
                f"`{key}` is given twice (lines {key_lines[key]} and {number})",
                "keep one of them",
            )
        key_lines.setdefault(key, number)
    return Split(raw, "".join(lines[end + 1 :]), end + 2, key_lines)


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml when present: ~5x faster
    """YAML without implicit timestamps: dates stay text so a bad one gets its line."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _parse_yaml(path: str, block: str) -> Any:
    try:
        return yaml.load(block, Loader=_Loader) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark else 2  # +1 for the '---' line, +1 for 1-based
        problem = getattr(exc, "problem", None) or str(exc)
        raise SiteError(
            path,
            line,
            f"front matter is not valid YAML: {problem}",
            "check quotes, brackets and indentation on this line and the ones above it",
        ) from None


def _parse_toml(path: str, block: str) -> Any:
    try:
        return tomllib.loads(block)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"at line (\d+)", str(exc))
        line = int(match.group(1)) + 1 if match else 2
        raise SiteError(
            path, line, f"front matter is not valid TOML: {exc}", "fix the syntax of this line"
        ) from None


def validate_meta(path: str, split: Split, zone: ZoneInfo) -> Meta:
    """Turn raw front matter into `Meta`; every error names the key's line."""
    raw = split.raw

    def fail(key: str, message: str, hint: str) -> SiteError:
        return SiteError(path, split.key_lines.get(key, 1), message, hint)

    title = raw.get("title")
    if isinstance(title, int | float) and not isinstance(title, bool):
        title = str(title)
    if not isinstance(title, str) or not title.strip():
        raise fail("title", "missing title", "add `title: ...` to the front matter")

    values: dict[str, Any] = {"title": title.strip()}
    for key in ("date", "updated"):
        if raw.get(key) is not None:
            values[key] = _to_datetime(raw[key], zone)
            if values[key] is None:
                raise fail(
                    key,
                    f"`{key}` is not a date: {raw[key]!r}",
                    "write it as 2024-05-10 or 2024-05-10T09:30:00+08:00",
                )
    if "slug" in raw:
        slug = raw["slug"]
        if not isinstance(slug, str) or not SLUG_PATTERN.fullmatch(slug):
            raise fail(
                "slug",
                f"slug {slug!r} is not a single URL segment",
                "use letters, digits and dashes, with no '/', '..' or spaces",
            )
        values["slug"] = slug
    categories = _names(raw.get("categories", raw.get("category")))
    if categories is None:
        key = "categories" if "categories" in raw else "category"
        raise fail(key, f"`{key}` must be a name or a list of names", "e.g. `category: 数学研究`")
    values["categories"] = categories
    tags = _names(raw.get("tags"), allow_single=False)
    if tags is None:
        raise fail("tags", "`tags` must be a list", "write `tags: [a, b]` or one `- tag` per line")
    values["tags"] = tags
    if raw.get("series") is not None:
        if not isinstance(raw["series"], str | int):
            raise fail("series", "`series` must be a name", "e.g. `series: 从零推导扩散模型`")
        values["series"] = str(raw["series"])
    if raw.get("series_index") is not None:
        index = raw["series_index"]
        if not isinstance(index, int) or isinstance(index, bool) or index < 1:
            raise fail("series_index", "`series_index` must be a whole number from 1", "e.g. 2")
        values["series_index"] = index
    for key, kind, hint in (
        ("summary", str, "e.g. `summary: One sentence about the post`"),
        ("draft", bool, "write `draft: true` or `draft: false`"),
        ("math", bool, "write `math: true` or `math: false`"),
    ):
        if raw.get(key) is not None:
            if not isinstance(raw[key], kind):
                raise fail(key, f"`{key}` must be a {kind.__name__}", hint)
            values[key] = raw[key]
    values["extra"] = {k: v for k, v in raw.items() if k not in KNOWN_KEYS}
    return Meta(**values)


def _to_datetime(value: Any, zone: ZoneInfo) -> datetime | None:
    """Dates become aware datetimes; a naive time is in the site's zone."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=zone)
    if isinstance(value, date):
        return datetime.combine(value, time(), tzinfo=zone)
    return None


def _names(value: Any, *, allow_single: bool = True) -> tuple[str, ...] | None:
    if value is None:
        return ()
    if allow_single and isinstance(value, str | int):
        value = [value]
    if not isinstance(value, list):
        return None
    names = []
    for item in value:
        if not isinstance(item, str | int | float) or isinstance(item, bool):
            return None
        name = str(item).strip()
        if name and name not in names:
            names.append(name)
    return tuple(names)
