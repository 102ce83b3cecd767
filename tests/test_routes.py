"""Pagination edges and the list of pages, through real builds of tiny sites."""

from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sitegen.config import parse_config
from sitegen.content import load_document, markdown_options
from sitegen.routes import site_routes
from sitegen.site import Publishing, assemble_site
from sitegen.sources import Source
from tests.conftest import MINIMAL_CONFIG, post

CONFIG = MINIMAL_CONFIG + "[build]\nposts_per_page = 3\n"


def posts(n: int, **meta) -> dict[str, str]:
    return {
        f"content/posts/p{i}.md": post(f"Post {i}", f"2024-01-{i + 1:02d}", **meta)
        for i in range(n)
    }


@pytest.mark.parametrize(("count", "pages"), [(0, 1), (1, 1), (3, 1), (4, 2), (7, 3)])
def test_home_pagination_edges(make_site, build, tmp_path, count, pages):
    build(make_site(posts(count, category="c"), CONFIG))
    out = tmp_path / "out"
    assert (out / "index.html").is_file()
    made = sorted(p.parent.name for p in (out / "page").glob("*/index.html"))
    assert made == [str(n) for n in range(2, pages + 1)]
    assert not (out / "page" / "1").exists()  # page 1 is the home page itself
    if count:
        assert len(list((out / "categories" / "c").glob("**/index.html"))) == pages
    last = out / ("index.html" if pages == 1 else f"page/{pages}/index.html")
    on_last = count - 3 * (pages - 1)
    assert last.read_text().count('class="entry-title"') == on_last


def test_pages_link_to_each_other(make_site, build, tmp_path):
    build(make_site(posts(7), CONFIG))
    out = tmp_path / "out"
    home = (out / "index.html").read_text()
    assert 'href="/page/2/"' in home and 'href="/page/3/"' in home
    middle = (out / "page/2/index.html").read_text()
    assert 'href="/"' in middle and 'href="/page/3/"' in middle
    # newest first: post 6 opens page 1, post 0 is alone on page 3
    assert "Post 6" in home and "Post 0" in (out / "page/3/index.html").read_text()


def test_every_page_type_is_written(make_site, build, tmp_path):
    files = posts(2, category="数学研究", tags=["GAN", "能量"], series="能量视角")
    files["content/pages/about.md"] = post("关于", body="About me.")
    build(make_site(files, CONFIG))
    out = tmp_path / "out"
    expected = [
        "index.html",
        "2024/01/p0/index.html",
        "about/index.html",
        "archives/index.html",
        "categories/index.html",
        "categories/shu-xue-yan-jiu/index.html",
        "tags/index.html",
        "tags/gan/index.html",
        "tags/neng-liang/index.html",
        "series/index.html",
        "series/neng-liang-shi-jiao/index.html",
        "404.html",
        "atom.xml",
        "rss.xml",
        "categories/shu-xue-yan-jiu/atom.xml",
        "categories/shu-xue-yan-jiu/rss.xml",
        "sitemap.xml",
        "robots.txt",
    ]
    missing = [path for path in expected if not (out / path).is_file()]
    assert missing == []


def test_same_url_twice_is_an_error_naming_both(make_site, build):
    report = build(
        make_site(
            {
                "content/posts/a.md": post("A", "2024-01-01", slug="same"),
                "content/posts/b.md": post("B", "2024-01-02", slug="same"),
            }
        )
    )
    [error] = report.errors
    assert "content/posts/a.md" in str(error) and "content/posts/b.md" in str(error)
    assert "slug" in error.hint


def _documents(count: int):
    config = parse_config(Path("/s"), {"site": {"title": "T", "base_url": "https://e.org/b/"}})
    docs = [
        load_document(
            Source(
                f"content/posts/p{i}.md",
                "post",
                post(f"P{i}", f"2024-01-{i % 28 + 1:02d}", tags=["t"]).encode(),
            ),
            config,
            markdown_options(config),
        )
        for i in range(count)
    ]
    return config, docs


@given(count=st.integers(0, 23), per_page=st.integers(1, 6))
@settings(max_examples=60, deadline=None)
def test_pagination_shows_every_post_once_in_order(count, per_page):
    config, docs = DOCS
    config = replace(config, build=replace(config.build, posts_per_page=per_page))
    site = assemble_site(config, docs[:count], Publishing())
    routes = site_routes(site)
    for prefix, expected in (("", site.posts), ("tags/t/", site.tags[0].posts if count else ())):
        pages = [
            r
            for r in routes
            if r.template == "list.html"
            and r.site_path.startswith(prefix)
            and (prefix or not r.site_path.startswith(("tags/", "categories/")))
        ]
        shown = [
            p
            for r in sorted(pages, key=lambda r: r.context["paginator"].number)
            for p in r.context["posts"]
        ]
        assert shown == list(expected)
        assert all(len(r.context["posts"]) <= per_page for r in pages)
        assert len(pages) == max(1, -(-len(expected) // per_page)) or (prefix and not count)


DOCS = _documents(23)
