"""Fingerprints of what pages show: the same with the shown keys of tracked objects kept
across a pass over every route as without, and each object's key made once in it."""

from __future__ import annotations

from pathlib import Path

from sitegen import depends, pipeline
from sitegen.config import load_config
from sitegen.content import load_document, markdown_options
from sitegen.document import Publishing
from sitegen.routes import site_routes
from sitegen.site import assemble_site
from sitegen.sources import find_sources
from tests.conftest import NOW, REPO


def _example_routes():
    config = load_config(REPO)
    docs = [
        load_document(source, config, markdown_options(config))
        for source in find_sources(Path(REPO))
    ]
    return site_routes(assemble_site(config, docs, Publishing(now=NOW)))


ROUTES = _example_routes()


def test_keys_kept_across_routes_give_the_same_fingerprints():
    keys: dict[int, str] = {}
    alone = [pipeline._context_fingerprint(route) for route in ROUTES]
    kept = [pipeline._context_fingerprint(route, keys) for route in ROUTES]
    assert kept == alone
    assert len(set(alone)) == len(ROUTES)  # every page's context is its own


def test_each_objects_key_is_made_once_in_a_pass(monkeypatch):
    made = []
    key_of = depends.key_of
    monkeypatch.setattr(depends, "key_of", lambda obj: made.append(id(obj)) or key_of(obj))
    keys: dict[int, str] = {}
    for route in ROUTES:
        pipeline._context_fingerprint(route, keys)
    assert made  # list and post pages show tracked objects
    assert len(made) == len(set(made)) == len(keys)
