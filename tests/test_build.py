"""Whole-site builds: the example blog, sub-path deploys, determinism, bad input."""

from __future__ import annotations

import filecmp
import gc
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup

from sitegen.build import BuildOptions, build_site
from sitegen.errors import BuildFailed
from sitegen.pipeline import MIN_PARALLEL
from tests.conftest import NOW, REPO, post


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def internal_links(out: Path, base_path: str) -> list[tuple[str, str]]:
    """(page, link) for every href/src of every HTML page that points into the site."""
    links = []
    for page in sorted(out.rglob("*.html")):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for tag in soup.find_all(["a", "link", "img", "script", "source"]):
            for attr in ("href", "src"):
                value = tag.get(attr)
                if not value or urlsplit(value).scheme or value.startswith(("#", "//", "mailto:")):
                    continue
                links.append((page.relative_to(out).as_posix(), value))
    return links


def resolve(out: Path, base_path: str, page: str, href: str) -> Path | None:
    path = unquote(urlsplit(href).path)
    if not path.startswith("/"):
        path = "/" + str(Path(page).parent / path)
    if not path.startswith(base_path):
        return None
    target = out / path[len(base_path) :]
    return target / "index.html" if path.endswith("/") else target


@pytest.fixture(scope="module")
def example_build(tmp_path_factory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("example") / "public"
    report = build_site(
        REPO, BuildOptions(output=out, base_url="https://example.org/deep/blog/", now=NOW)
    )
    assert report.errors == []
    return out, "/deep/blog/"


def test_example_blog_builds_every_kind_of_page(example_build):
    out, _ = example_build
    for path in [
        "index.html",
        "page/2/index.html",
        "archives/index.html",
        "categories/index.html",
        "tags/index.html",
        "series/index.html",
        "404.html",
        "atom.xml",
        "rss.xml",
        "sitemap.xml",
        "robots.txt",
        "css/site.css",
    ]:
        assert (out / path).is_file(), path
    assert len(list(out.glob("20*/**/index.html"))) >= 8


def test_every_internal_link_resolves_under_a_sub_path(example_build):
    out, base_path = example_build
    links = internal_links(out, base_path)
    assert len(links) > 200
    broken = [
        (page, href)
        for page, href in links
        if (target := resolve(out, base_path, page, href)) is None or not target.is_file()
    ]
    assert broken == []


def test_output_is_deterministic(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    for out in (first, second):
        build_site(REPO, BuildOptions(output=out, now=NOW))
    assert tree(first) == tree(second)
    assert str(REPO) not in "".join(v.decode("utf-8", "ignore") for v in tree(first).values())


def test_rebuild_writes_nothing_and_keeps_mtimes(tmp_path):
    out = tmp_path / "public"
    build_site(REPO, BuildOptions(output=out, now=NOW))
    stamps = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    report = build_site(REPO, BuildOptions(output=out, now=NOW))
    assert report.written == 0 and report.unchanged == len(stamps)
    assert stamps == {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}


def test_incremental_equals_clean_after_edits(make_site, tmp_path):
    files = {
        "content/posts/a.md": post("A", "2024-01-01", tags=["x", "y"], category="c"),
        "content/posts/b.md": post("B", "2024-02-01", tags=["y"], series="S"),
        "content/posts/bundle/index.md": post("Bundle", "2024-03-01", body="![p](f.png)"),
        "content/posts/bundle/f.png": b"\x89PNG fake",
    }
    root = make_site(files)
    out = tmp_path / "incremental"
    build_site(root, BuildOptions(output=out, now=NOW))
    (root / "content/posts/a.md").write_text(post("A2", "2023-01-01", tags=["z"]), encoding="utf-8")
    (root / "content/posts/b.md").unlink()
    (root / "content/posts/bundle/f.png").unlink()
    (root / "content/posts/c.md").write_text(post("C", "2025-01-01"), encoding="utf-8")
    report = build_site(root, BuildOptions(output=out, now=NOW))
    assert report.removed > 0
    clean = tmp_path / "clean"
    build_site(root, BuildOptions(output=clean, now=NOW))
    assert tree(out) == tree(clean)


def test_files_sitegen_did_not_write_are_left_alone(make_site, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "CNAME").write_text("blog.example.org")
    build_site(make_site({"content/posts/a.md": post("A")}), BuildOptions(output=out, now=NOW))
    assert (out / "CNAME").read_text() == "blog.example.org"


def test_bad_posts_are_reported_and_the_rest_is_built(make_site, build, tmp_path):
    root = make_site(
        {
            "content/posts/good.md": post("Good", body="$x_1$"),
            "content/posts/bad-yaml.md": "---\ntitle: T\ntags: [a\n---\n",
            "content/posts/bad-date.md": "---\ntitle: T\ndate: someday\n---\n",
            "content/posts/no-title.md": "---\ndate: 2024-01-01\n---\nbody\n",
            "content/posts/tags.md": "---\ntitle: T\ndate: 2024-01-01\ntags: a\n---\n",
            "content/posts/latin1.md": "---\ntitle: T\ndate: 2024-01-01\n---\ncaf\xe9\n".encode(
                "latin-1"
            ),
            "content/posts/escape.md": "---\ntitle: T\ndate: 2024-01-01\nslug: ../../x\n---\n",
        }
    )
    report = build(root)
    messages = sorted(str(error) for error in report.errors)
    # The YAML parser's own words differ between libyaml and pure Python; the line does not.
    yaml_error = messages.pop(1)
    assert yaml_error.startswith("content/posts/bad-yaml.md:4: front matter is not valid YAML: ")
    assert messages == [
        "content/posts/bad-date.md:3: `date` is not a date: 'someday' — write it as 2024-05-10 or 2024-05-10T09:30:00+08:00",
        "content/posts/escape.md:4: slug '../../x' is not a single URL segment — use letters, digits and dashes, with no '/', '..' or spaces",
        "content/posts/latin1.md:5: not UTF-8 text (byte 0xe9) — save the file as UTF-8 in your editor",
        "content/posts/no-title.md:1: missing title — add `title: ...` to the front matter",
        "content/posts/tags.md:4: `tags` must be a list — write `tags: [a, b]` or one `- tag` per line",
    ]
    assert (tmp_path / "out/2024/01/good/index.html").is_file()
    outside = {p.name for p in tmp_path.rglob("*") if p.is_file()} - {"sitegen.toml"}
    assert "x" not in outside and not (tmp_path / "x").exists()


def test_a_broken_template_writes_nothing(make_site, tmp_path):
    root = make_site(
        {
            "content/posts/a.md": post("A"),
            "templates/post.html": "{% extends 'base.html' %}{% block content %}{{ post.no_such_field }}{% endblock %}",
        }
    )
    out = tmp_path / "out"
    with pytest.raises(BuildFailed) as caught:
        build_site(root, BuildOptions(output=out, now=NOW))
    [error] = caught.value.errors
    assert error.path == "templates/post.html" and error.line == 1
    assert "no_such_field" in error.message
    assert not out.exists()


def test_templates_compiled_while_workers_parse_report_errors_as_before(make_site, tmp_path):
    """A first build of many posts compiles the theme while the workers parse: a syntax error
    is still the error of the page that uses the template, and a broken unused one is none."""
    posts = {f"content/posts/p{i}.md": post(f"P{i}") for i in range(MIN_PARALLEL)}
    root = make_site(
        {
            **posts,
            "templates/post.html": "{% extends 'base.html' %}\n{% block content %}{% if %}{% endblock %}",
            "templates/unused.html": "{% for %}",
        }
    )
    options = BuildOptions(output=tmp_path / "out", now=NOW, jobs=2)
    with pytest.raises(BuildFailed) as caught:
        build_site(root, options)
    [error] = caught.value.errors
    assert (error.path, error.line) == ("templates/post.html", 2)
    (root / "templates/post.html").unlink()
    assert build_site(root, options).posts == MIN_PARALLEL


def test_drafts_and_future_posts_only_on_request(make_site, tmp_path):
    root = make_site(
        {
            "content/posts/draft.md": post("Draft", draft=True),
            "content/posts/future.md": post("Future", "2030-01-01"),
            "content/posts/now.md": post("Now", "2025-01-01"),
        }
    )
    plain = build_site(root, BuildOptions(output=tmp_path / "a", now=NOW))
    both = build_site(root, BuildOptions(output=tmp_path / "b", now=NOW, drafts=True, future=True))
    assert (plain.posts, both.posts) == (1, 3)
    assert (
        not (tmp_path / "a/2030").exists() and (tmp_path / "b/2030/01/future/index.html").is_file()
    )


def test_page_bundle_copies_its_files_and_makes_a_figure(make_site, build, tmp_path):
    root = make_site(
        {
            "content/posts/bundle/index.md": post(
                "B", body='Intro.\n\n![a plot](plot.png "Figure 1: $y=x^2$")'
            ),
            "content/posts/bundle/plot.png": b"\x89PNG data",
            "static/images/logo.png": b"\x89PNG logo",
        }
    )
    build(root)
    out = tmp_path / "out"
    assert filecmp.cmp(out / "2024/01/bundle/plot.png", root / "content/posts/bundle/plot.png")
    assert (out / "images/logo.png").is_file()
    html = (out / "2024/01/bundle/index.html").read_text()
    assert (
        '<figure><img src="/2024/01/bundle/plot.png" alt="a plot" title="Figure 1: $y=x^2$"' in html
    )
    assert '<figcaption>Figure 1: <span class="math inline">\\(y=x^2\\)</span></figcaption>' in html


def test_theme_ships_in_the_package_when_site_has_no_theme(make_site, build, tmp_path):
    root = make_site({"content/posts/a.md": post("A")})
    assert not (root / "themes").exists()
    build(root)
    assert "Test blog" in (tmp_path / "out/index.html").read_text()


def test_magic_cube_reaches_the_page_byte_for_byte(example_build):
    out, _ = example_build
    cube = (REPO / "tests/fixtures/magic-cube.tex").read_text(encoding="utf-8").rstrip("\n")
    assert cube in (REPO / "content/posts/magic-cube-latex-mathjax.md").read_text(encoding="utf-8")
    tex = cube.removeprefix("$$").removesuffix("$$")
    [page] = [p for p in out.rglob("index.html") if "magic-cube" in str(p) and "page" not in p.name]
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    displays = [d.get_text() for d in soup.select("div.math.display")]
    assert f"\\[{tex}\\]" in displays
    cube_div = soup.find("div", class_="display", string=lambda s: s and "require{HTML}" in s)
    assert cube_div.find_previous_sibling().name == "p"  # the paragraph above stays a paragraph
    assert cube_div.find_previous_sibling().get_text().endswith(":")
    assert cube_div.find_next_sibling().name == "p"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", ["Read more", "10 May 2024", "Draft"]),
        ("zh-CN", ["阅读全文", "2024年5月10日", "草稿"]),
    ],
)
def test_ui_strings_and_dates_follow_the_language(make_site, build, tmp_path, language, expected):
    config = f'[site]\ntitle = "T"\nbase_url = "https://e.org/"\nlanguage = "{language}"\n'
    files = {"content/posts/a.md": post("A", "2024-05-10", body="One.\n\nTwo.", draft=True)}
    build(make_site(files, config), drafts=True)
    home = (tmp_path / "out/index.html").read_text()
    assert all(text in home for text in expected), [t for t in expected if t not in home]
    assert f'<html lang="{language}"' in home


def test_a_static_file_may_not_replace_a_page(make_site, build, tmp_path):
    root = make_site({"content/posts/a.md": post("A"), "static/index.html": "<p>mine</p>"})
    report = build(root)
    assert [str(e) for e in report.errors] == [
        "static/index.html: would overwrite the generated page /index.html — rename it"
    ]
    assert "mine" not in (tmp_path / "out/index.html").read_text()


def test_url_clashes_are_errors_at_the_slug_line_and_the_loser_is_left_out(
    make_site, build, tmp_path
):
    root = make_site(
        {
            "content/posts/a.md": post("A", "2024-01-01", slug="same"),
            "content/posts/b.md": post("B", "2024-01-02", slug="same"),
            "content/pages/feed.md": post("Feed", slug="atom.xml"),
            "content/pages/tags.md": post("Tags", slug="tags"),
            "content/posts/draft.md": post("Draft", "2024-01-03", slug="same", draft=True),
            "static/about": "a file where a page wants a folder",
            "content/pages/about.md": post("About"),
        }
    )
    report = build(root)
    assert sorted(str(e) for e in report.errors) == [
        "content/pages/feed.md:4: its URL /atom.xml/ belongs to the generated /atom.xml page — give it another `slug:`",
        "content/pages/tags.md:4: its URL /tags/ belongs to the generated /tags page — give it another `slug:`",
        "content/posts/b.md:4: has the same URL /2024/01/same/ as content/posts/a.md — give it another `slug:`",
        "static/about: /about clashes with /about/index.html: one path cannot be both a file and a folder — rename one of them",
    ]
    out = tmp_path / "out"
    home = (out / "index.html").read_text()
    assert "A</a>" in home and ">B</a>" not in home  # the loser is in no list
    assert "feed.md" not in (out / "atom.xml").read_text() and (out / "tags/index.html").is_file()


def test_tags_that_differ_only_in_case_share_a_page_and_list_a_post_once(
    make_site, build, tmp_path
):
    build(make_site({"content/posts/a.md": post("A", tags=["GAN", "gan", "C++", "C#", "c"])}))
    out = tmp_path / "out"
    assert sorted(p.name for p in (out / "tags").iterdir() if p.is_dir()) == [
        "c",
        "c-plus-plus",
        "c-sharp",
        "gan",
    ]
    assert (out / "tags/gan/index.html").read_text().count('class="entry-title"') == 1


@pytest.mark.parametrize("output", [".", "content", "..", "static/x"])
def test_the_output_folder_may_not_overwrite_the_site(make_site, tmp_path, output):
    root = make_site({"content/posts/a.md": post("A")})
    with pytest.raises(BuildFailed) as caught:
        build_site(root, BuildOptions(output=root / output, now=NOW))
    assert "would overwrite the site's own files" in str(caught.value.errors[0])
    assert not (root / output / "index.html").exists()


def test_a_build_leaves_what_it_made_in_the_oldest_generation(make_site, build):
    """Left in the youngest, every object the build made would be walked by the first
    collection after it (0.14 s at 10,000 posts, as the command exits)."""
    root = make_site({"content/posts/a.md": post("A")})
    report = build(root, jobs=1)  # made by the build, and alive after it
    assert any(obj is report for obj in gc.get_objects(generation=2))
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0


def test_objects_frozen_before_a_build_stay_frozen(make_site, build):
    root = make_site({"content/posts/a.md": post("A")})
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        build(root, jobs=1)
        assert 0 < gc.get_freeze_count() <= frozen  # still frozen, none of the build's added
    finally:
        gc.unfreeze()


def test_a_post_shows_one_meta_line_on_its_page_and_in_lists(make_site, build, tmp_path):
    """One rendering of the line serves both (`partial_cached`), so it must read the same:
    the date it was updated too, where it was."""
    build(make_site({"content/posts/a.md": post("A", updated="2024-03-02", tags=["x"])}))
    out = tmp_path / "out"
    pages = ["2024/01/a/index.html", "index.html", "tags/x/index.html"]
    lines = {
        str(BeautifulSoup((out / p).read_text(), "html.parser").select_one(".post-meta"))
        for p in pages
    }
    assert len(lines) == 1
    assert 'datetime="2024-03-02' in lines.pop()


def test_the_table_of_contents_nests_each_heading_at_its_depth(make_site, build, tmp_path):
    """One open <li> per open <ol>; a skipped level is an empty wrapper item."""
    body = "### a\n\n## b\n\n#### c\n\n### d\n\n## e\n"
    build(make_site({"content/posts/p.md": post("P", body=body)}))
    page = BeautifulSoup((tmp_path / "out/2024/01/p/index.html").read_text(), "html.parser")
    toc = page.select_one("nav.toc")
    nesting = [(a.text, len(a.find_parents("ol")), len(a.find_parents("li"))) for a in toc("a")]
    assert nesting == [("a", 2, 2), ("b", 1, 1), ("c", 3, 3), ("d", 2, 2), ("e", 1, 1)]
    assert [len(li.find_parents("ol")) for li in toc.select("li.toc-skip")] == [1, 2]
