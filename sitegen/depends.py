"""What each page read while it rendered, so the next build renders only pages whose inputs changed.

A theme may read anything in `site`, so what a template depends on is not declared but
observed: the Jinja environment (render.py) reports every attribute read from a site object
and every look at a sequence of them (its length, one item, all items). Each observation is
a read; a page's reads of one object are kept together as one `Dep` (the object's key and
what was read of it), which the next build evaluates again against its own `Site`. A page
whose deps, context and templates all evaluate as before would render the same bytes.

A document is read by parts (`PARTS`), not attribute by attribute: a page that shows its
title depends on its link, one that shows its excerpt on its excerpt too, its own page on
its body too. Each part's fingerprint is made once per document, and a page's reads of a
document are a part or three. Recording what pages read was a quarter of rendering 1,000
posts when every attribute each page read of each document was fingerprinted for each
page's deps, and each look at its tags watched.
What the site takes from the config is not watched at all: a page is rendered again
whenever the config changes (`build_key`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sitegen.cache import digest
from sitegen.document import Document
from sitegen.site import ArchiveMonth, ArchiveYear, Series, Site, Term

# Keys are tuples of str and int, so they survive pickling to workers and marshal to disk.
# An object's key: ("doc", rel), ("term", url), ("year", y), ("month", y, m), ("site",).
# A read: an attribute name (or item index), or (attribute, operation) for a look at a tuple
# attribute: "len", "bool", "iter" or an index. A dep: (object key, tuple of reads).
Key = tuple
Dep = tuple

MISSING = "!missing"  # what a dep evaluates to once its object is gone


# The objects templates can reach that have a stable name, and how each is named.
_KEYS = {
    Document: lambda doc: ("doc", doc.source),
    Term: lambda term: ("term", term.url),
    Series: lambda series: ("term", series.url),
    ArchiveMonth: lambda month: ("month", month.year, month.month),
    ArchiveYear: lambda year: ("year", year.year),
    Site: lambda site: ("site",),
}
TRACKED = frozenset(_KEYS)

# A document's attributes by part: whatever shows a link to it reads its link; a list
# entry, its excerpt and meta line too; its own page, its body as well.
PARTS = {
    "link": ("title", "url", "site_path", "date", "draft"),
    "meta": (
        *("source", "kind", "slug", "updated", "categories", "tags", "series"),
        *("series_index", "extra", "assets", "slug_line", "rendered"),
    ),
    "excerpt": ("excerpt_html", "has_more", "excerpt_has_math", "summary"),
    "body": ("body_html", "toc", "text", "has_math"),
}
# (the `Body` object itself is its body part too)
_PART_OF = {name: part for part, names in PARTS.items() for name in names} | {"body": "body"}
_PARTS_MADE = "_sitegen_parts"  # where a document keeps its parts' fingerprints
# What `Site` takes from the config: the same for every page of a build.
_SITE_CONSTANTS = frozenset(
    {"config", "title", "description", "author", "language", "base_url"}
    | {"license_name", "license_url"}
)


def key_of(obj: object) -> Key | None:
    """The stable name of an object templates can reach, or None for plain data."""
    name = _KEYS.get(type(obj))
    return None if name is None else name(obj)


def site_index(site: Site) -> dict[Key, object]:
    """Every object a key can name, in this build."""
    index: dict[Key, object] = {("site",): site}
    for obj in (*site.posts, *site.pages, *site.categories, *site.tags, *site.series):
        index[key_of(obj)] = obj
    for year in site.archives:
        index[key_of(year)] = year
        for month in year.months:
            index[key_of(month)] = month
    return index


def evaluate(dep: Dep, index: Mapping[Key, object], everything: str) -> str:
    """The fingerprint of what `dep` reads in this build; `everything` stands for a method's
    result, which may depend on anything."""
    owner = index.get(dep[0])
    if owner is None:
        return MISSING
    if type(owner) is Document:  # its parts' fingerprints, and what else was read of it
        parts = [_part(owner, read) for read in dep[1] if read in PARTS]
        others = [_read(owner, read) for read in dep[1] if read not in PARTS]
        return digest(*parts, fingerprint(others, everything))
    return fingerprint([_read(owner, read) for read in dep[1]], everything)


def _read(owner: object, read: object) -> object:
    if type(read) is tuple:
        return _sequence_value(_attribute(owner, read[0]), read[1])
    return _attribute(owner, read)


def fingerprint(value: object, everything: str = "", keys: dict[int, str] | None = None) -> str:
    """`keys`: the shown keys of tracked objects by id, kept across calls by a caller that
    keeps the objects alive meanwhile (a pass over every route, where list pages show the
    same posts again and again)."""
    return digest(_shown(value, everything, {} if keys is None else keys))


def _shown(value: object, everything: str, keys: dict[int, str]) -> str:
    kind = type(value)
    if kind is str:  # length-prefixed, not repr: a post's body is 10 KB to escape
        return f"s{len(value)}:{value}"
    if kind is int or kind is bool or value is None:
        return repr(value)
    if kind in TRACKED:
        shown = keys.get(id(value))
        if shown is None:
            shown = keys[id(value)] = repr(key_of(value))
        return shown
    if kind is tuple or kind is list:
        return "(" + ",".join([_shown(item, everything, keys) for item in value]) + ")"  # type: ignore[attr-defined]
    if kind is dict:  # in insertion order: contexts are built in a fixed order
        items = [f"{k}:{_shown(v, everything, keys)}" for k, v in value.items()]  # type: ignore[attr-defined]
        return "{" + ",".join(items) + "}"
    if callable(value):
        return "callable:" + everything
    return repr(value)


def _attribute(owner: object, name: object) -> object:
    """As Jinja reads it: an attribute, else an item."""
    try:
        return getattr(owner, name) if isinstance(name, str) else owner[name]  # type: ignore[index]
    except (AttributeError, LookupError, TypeError):
        return MISSING


def document_parts(doc: Document) -> dict[str, str]:
    """Every part's fingerprint, made by the worker that parses `doc` (where its values are
    at hand and its body is about to be pickled anyway), then kept with the document by the
    process that gathers them (`keep_parts`), which every render worker forks from: else
    each of them made those of every document its pages list."""
    return {part: _part(doc, part) for part in PARTS}


def keep_parts(doc: Document, parts: dict[str, str]) -> None:
    doc.__dict__.setdefault(_PARTS_MADE, {}).update(parts)


def _part(doc: Document, part: str) -> str:
    """The fingerprint of one part of `doc`, made once and kept with it (a document's
    attributes never change; one parsed again is another object)."""
    made = doc.__dict__.setdefault(_PARTS_MADE, {})
    value = made.get(part)
    if value is None:
        if part == "body":  # its HTML, TOC and text by the digest of their bytes
            shown: list = [doc.body.digest, doc.has_math]
        else:
            shown = [getattr(doc, name) for name in PARTS[part]]
        value = made[part] = fingerprint(shown)
    return value


def _sequence_value(items: object, operation: object) -> object:
    if not isinstance(items, tuple):
        return MISSING
    if operation == "len":
        return len(items)
    if operation == "bool":
        return bool(items)
    if operation == "iter":
        return items
    try:
        return items[operation]  # type: ignore[index]
    except (IndexError, TypeError):
        return MISSING


# --- recording, while one page renders ---------------------------------------------------


@dataclass
class Recording:
    # By object, not by key: a read must be cheap (hundreds per page); keys are made once.
    reads: dict[int, tuple[object, set]] = field(default_factory=dict)
    templates: set[str] = field(default_factory=set)

    def deps(self) -> tuple[Dep, ...]:
        merged: dict[Key, set] = {}
        for obj, reads in self.reads.values():
            merged.setdefault(key_of(obj), set()).update(reads)
        return tuple((key, tuple(sorted(reads, key=repr))) for key, reads in merged.items())


_current: Recording | None = None


@contextmanager
def recording() -> Iterator[Recording]:
    """Collect what the templates read until the block ends (one page at a time)."""
    global _current
    outer, _current = _current, Recording()
    try:
        yield _current
    finally:
        _current = outer


def read_attribute(obj: Any, name: Any, value: Any) -> Any:
    """Called for every `obj.name` and `obj[name]` a template evaluates on a tracked object."""
    if _current is None:
        return value
    kind = type(obj)
    if kind is Document:  # by part, and its tuples (tags, TOC) as they are
        _reads_of(_current, obj).add(_PART_OF.get(name, name))
        return value
    if kind is Site and name in _SITE_CONSTANTS:
        return value
    if isinstance(value, tuple):
        return TrackedTuple(value, obj, name)
    _reads_of(_current, obj).add(name)  # _record, a call less: hundreds per page
    return value


def replay(recorded: Recording) -> None:
    """Count what a piece of a page read (kept with the piece, which is rendered once and
    shown on many pages) as read by the page being recorded now."""
    if _current is not None:
        for obj, reads in recorded.reads.values():
            _reads_of(_current, obj).update(reads)
        _current.templates.update(recorded.templates)


def read_template(name: str) -> None:
    if _current is not None:
        _current.templates.add(name)


def _record(obj: object, read: object) -> None:
    if _current is not None:
        _reads_of(_current, obj).add(read)


def _reads_of(recording: Recording, obj: object) -> set:
    entry = recording.reads.get(id(obj))  # the objects outlive the recording
    if entry is None:
        entry = recording.reads[id(obj)] = (obj, set())
    return entry[1]


class TrackedTuple:
    """A tuple attribute as templates see it: records how much of it they looked at, so a
    page that shows the newest post does not re-render when an old one changes."""

    __slots__ = ("_items", "_name", "_owner")

    def __init__(self, items: tuple, owner: object, name: object) -> None:
        self._items = items
        self._owner = owner
        self._name = name

    def _look(self, operation: object) -> None:
        _record(self._owner, (self._name, operation))

    def __len__(self) -> int:
        self._look("len")
        return len(self._items)

    def __bool__(self) -> bool:
        self._look("bool")
        return bool(self._items)

    def __iter__(self) -> Iterator:
        self._look("iter")
        return iter(self._items)

    def __reversed__(self) -> Iterator:
        self._look("iter")
        return reversed(self._items)

    def __contains__(self, item: object) -> bool:
        self._look("iter")
        return item in self._items

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, int):
            self._look(index)
            return self._items[index]
        self._look("iter")
        return self._items[index]

    def __eq__(self, other: object) -> bool:
        self._look("iter")
        return self._items == (other._items if isinstance(other, TrackedTuple) else other)

    __hash__ = None  # type: ignore[assignment]

    def __add__(self, other: object) -> tuple:
        self._look("iter")
        return self._items + tuple(other)  # type: ignore[arg-type]

    def __repr__(self) -> str:
        return repr(self._items)

    def index(self, item: object) -> int:
        self._look("iter")
        return self._items.index(item)

    def count(self, item: object) -> int:
        self._look("iter")
        return self._items.count(item)
