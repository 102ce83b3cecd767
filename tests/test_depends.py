"""Fingerprints of what pages show: the same with the shown keys of tracked objects kept
across a pass over every route as without, and each object's key made once in it; what a
page reads of a document, by part, each part fingerprinted once."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from sitegen import depends, pipeline
from sitegen.config import load_config
from sitegen.content import load_document, markdown_options
from sitegen.document import Document, Publishing
from sitegen.render import make_environment
from sitegen.routes import site_routes
from sitegen.site import assemble_site
from sitegen.sources import find_sources
from tests.conftest import NOW, REPO, post


def _example_site():
    config = load_config(REPO)
    docs = [
        load_document(source, config, markdown_options(config))
        for source in find_sources(Path(REPO))
    ]
    return assemble_site(config, docs, Publishing(now=NOW))


SITE = _example_site()
ROUTES = site_routes(SITE)


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


def test_a_document_is_read_by_parts_and_the_sites_config_not_at_all():
    doc = SITE.posts[0]
    env = make_environment(SITE.config)

    def deps(source: str) -> dict:
        with depends.recording() as seen:
            env.from_string(source).render(site=SITE, post=doc)
        return dict(seen.deps())

    key = ("doc", doc.source)
    assert deps("{{ site.title }} {{ site.config.site.author }}") == {}
    assert deps("<a href='{{ post.url }}'>{{ post.title }}</a>") == {key: ("link",)}
    shown = "{{ post.title }}{% for t in post.tags %}{{ t.name }}{% endfor %}{{ post.body_html }}"
    assert deps(shown) == {key: ("body", "link", "meta")}
    assert deps("{{ post.excerpt_html }}{{ post.toc|length }}") == {key: ("body", "excerpt")}


def test_every_attribute_of_a_document_is_in_one_part():
    fields = {f.name for f in dataclasses.fields(Document)} - {"body"}
    named = [name for names in depends.PARTS.values() for name in names]
    assert len(named) == len(set(named))
    assert set(named) == fields | {"body_html", "toc", "text"}


def test_a_part_is_fingerprinted_once_per_document_and_changes_with_it(monkeypatch):
    doc = dataclasses.replace(SITE.posts[0])  # a copy: no part of it made yet
    index = {("doc", doc.source): doc}
    made = []
    fingerprint = depends.fingerprint
    monkeypatch.setattr(depends, "fingerprint", lambda v, *a: made.append(v) or fingerprint(v, *a))
    link = depends.evaluate((("doc", doc.source), ("link",)), index, "")
    both = depends.evaluate((("doc", doc.source), ("link", "meta")), index, "")
    assert len(made) == 2 + 2  # each part once, and each dep's value
    retitled = dataclasses.replace(doc, title=doc.title + "!")
    index[("doc", doc.source)] = retitled
    assert depends.evaluate((("doc", doc.source), ("link",)), index, "") != link
    assert depends.evaluate((("doc", doc.source), ("meta",)), index, "") == depends.evaluate(
        (("doc", doc.source), ("meta",)), {("doc", doc.source): doc}, ""
    )
    assert both != link


def test_the_worker_that_parses_a_document_fingerprints_its_parts(make_site, build, monkeypatch):
    """Render workers fork from the process that gathers the documents: the parts come with
    them, made once, not once by each worker whose pages list a post."""
    root = make_site(
        {f"content/posts/p{i}.md": post(f"P{i}", f"2024-01-0{i + 1}") for i in range(3)}
    )
    made_before_rendering = []
    render = pipeline._render

    def check(plan, site, *args):
        made_before_rendering.extend(sorted(d.__dict__[depends._PARTS_MADE]) for d in site.posts)
        return render(plan, site, *args)

    monkeypatch.setattr(pipeline, "_render", check)
    build(root, jobs=2)
    assert made_before_rendering == [sorted(depends.PARTS)] * 3
