"""Incremental builds equal clean ones: after every kind of change, byte for byte.

Each test builds a site in place (its output folder and `.sitegen/` cache kept between
builds), changes one thing, rebuilds, and compares the output with a build of a fresh copy
of the same sources. The comparison knows nothing of how the cache works.
"""

from __future__ import annotations

import difflib
import os
import shutil
import tempfile
import time
from dataclasses import fields
from datetime import timedelta
from pathlib import Path
from typing import NamedTuple

import pytest

from sitegen.build import BuildOptions, BuildReport, build_site
from sitegen.errors import BuildFailed
from tests.conftest import NOW, REPO, post, write_file

OUTPUT = "public"  # the site's persistent output folder
STATE = ".sitegen"  # the site's persistent cache
THEME = REPO / "themes" / "default" / "templates"
HOUR_NS = 3600 * 10**9


class Build(NamedTuple):
    tree: dict[str, bytes]
    report: BuildReport


def options(**kw: object) -> BuildOptions:
    """BuildOptions without the keys this version does not know yet (`clean`, `jobs`)."""
    known = {f.name for f in fields(BuildOptions)}
    return BuildOptions(**{key: value for key, value in kw.items() if key in known})


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under `folder`, hidden ones too, by its relative path."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def incremental_build(site: Path, **kw: object) -> Build:
    """Build in place: the same output folder and cache every time."""
    kw = {"output": site / OUTPUT, "now": NOW, **kw}
    report = build_site(site, options(**kw))
    return Build(tree(kw["output"]), report)


def clean_build(site: Path, **kw: object) -> Build:
    """Build a fresh copy of the site's sources, without its cache or outputs, serially."""
    kw = {"now": NOW, "jobs": 1, "clean": True, **kw}

    def skip_state(folder: str, names: list[str]) -> set[str]:
        return {STATE, OUTPUT} & set(names) if Path(folder) == site else set()

    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / site.name
        shutil.copytree(site, copy, ignore=skip_state)
        report = build_site(copy, options(output=Path(tmp) / "out", **kw))
        return Build(tree(Path(tmp) / "out"), report)


def summary(report: BuildReport) -> tuple[int, int, list[str]]:
    return report.posts, report.pages, sorted(str(error) for error in report.errors)


def differences(first: Build, second: Build, names: tuple[str, str]) -> str:
    """What differs, readably: the reports, paths only in one tree or in both but different,
    and a unified diff of the first text file that differs."""
    a, b = first.tree, second.tree
    lines = []
    if summary(first.report) != summary(second.report):
        lines.append("reports differ (posts, pages, errors):")
        lines += [
            f"  {name}: {summary(build.report)}"
            for name, build in zip(names, (first, second), strict=True)
        ]
    different = sorted(p for p in a.keys() & b.keys() if a[p] != b[p])
    for label, paths in [
        (f"only in the {names[0]} build", sorted(a.keys() - b.keys())),
        (f"only in the {names[1]} build", sorted(b.keys() - a.keys())),
        ("different", different),
    ]:
        if paths:
            lines.append(f"{label}: {', '.join(paths)}")
    for path in different:
        try:
            texts = [build.tree[path].decode().splitlines() for build in (second, first)]
        except UnicodeDecodeError:
            continue
        diff = difflib.unified_diff(*texts, f"{names[1]}/{path}", f"{names[0]}/{path}", lineterm="")
        lines += ["", *diff]
        break
    return "\n".join(lines)


def assert_equal(first: Build, second: Build, names=("incremental", "clean")) -> None:
    if problems := differences(first, second, names):
        # Not pytest.fail(pytrace=False): that would hide Hypothesis's falsifying steps.
        raise AssertionError(f"the {names[0]} build differs from the {names[1]} one\n{problems}")


def assert_same(site: Path, **kw: object) -> Build:
    """Rebuild incrementally, fail with a readable diff unless it equals a clean build."""
    incremental = incremental_build(site, **kw)
    assert_equal(incremental, clean_build(site, **kw))
    return incremental


def edit(site: Path, rel: str, old: str, new: str) -> None:
    """Replace `old` (which must be there) with `new` in a file of the site, text or not."""
    data = (site / rel).read_bytes()
    assert old.encode() in data, f"{old!r} not in {rel}"
    write_file(site, rel, data.replace(old.encode(), new.encode()))


def override(site: Path, template: str, old: str, new: str) -> None:
    """A site-level copy of a theme template, with one edit that shows in the output."""
    text = (THEME / template).read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in the theme's {template}"
    write_file(site, f"templates/{template}", text.replace(old, new))


def mtimes(folder: Path) -> dict[str, tuple[int, int]]:
    """(mtime, inode) of each file: an atomic rewrite changes the inode even in one clock tick."""
    return {
        p.relative_to(folder).as_posix(): (p.stat().st_mtime_ns, p.stat().st_ino)
        for p in folder.rglob("*")
        if p.is_file()
    }


TOC_BODY = "Intro $E = mc^2$.\n\n## One\n\na\n\n## Two\n\nb\n\n### Two and a half\n\nc\n"
POSTS: dict[str, dict[str, object]] = {
    "alpha": dict(
        title="Alpha",
        date="2024-01-10",
        body="First post, with $x_1^2$ and more.\n\n$$\\int_0^1 f(x)\\,dx$$\n",
        categories=["Math"],
        tags=["gan", "energy"],
        series="Diffusion",
        series_index=1,
    ),
    "beta": dict(
        title="Beta 生成模型",
        date="2024-02-20",
        body="Second post.\n\nA second paragraph.\n",
        categories=["Physics"],
        tags=["energy", "生成模型"],
        series="Diffusion",
        series_index=2,
    ),
    "gamma": dict(title="Gamma", date="2024-03-05", body=TOC_BODY, categories=["Math"]),
    "delta": dict(title="Delta", date="2024-03-28", body="Fourth.", tags=["vae"]),
}
BASE: dict[str, str | bytes] = {
    **{f"content/posts/{name}.md": post(**meta) for name, meta in POSTS.items()},
    "content/posts/bundle/index.md": post("Bundle", "2024-04-01", body="![a figure](figure.png)"),
    "content/posts/bundle/figure.png": b"\x89PNG first figure",
    "content/pages/about.md": post("About", body="About this blog."),
    "static/files/note.txt": "a static note\n",
}


def rewrite(site: Path, name: str, **changes: object) -> None:
    """Write post `name` of POSTS again with some fields changed; None removes a field."""
    meta = {key: value for key, value in (POSTS[name] | changes).items() if value is not None}
    write_file(site, f"content/posts/{name}.md", post(**meta))


def numbered_post(i: int, **changes: object) -> str:
    """Post `i` of a long site: one a day from 2024-01-01, a little math and a few tags each."""
    meta = dict(
        title=f"Post {i}",
        date=(NOW.replace(year=2024) + timedelta(days=i)).date().isoformat(),
        body=f"Post number {i}: $a_{{{i}}} + b^{i}$.\n\nMore text.\n",
        tags=[f"t{i % 4}"],
        categories=["Even" if i % 2 == 0 else "Odd"],
    )
    return post(**meta | changes)


def many_posts(count: int) -> dict[str, str | bytes]:
    return {f"content/posts/p{i:02d}.md": numbered_post(i) for i in range(count)}


@pytest.fixture
def site(make_site) -> Path:
    root = make_site(BASE)
    first = assert_same(root)
    assert first.report.errors == [] and first.report.posts == len(POSTS) + 1
    return root


def page(build: Build, rel: str) -> str:
    return build.tree[rel].decode()


# One test per kind of change.


def test_edit_a_body(site):
    rewrite(site, "alpha", body="A new body with $y_2^3$.")
    assert "y_2^3" in page(assert_same(site), "2024/01/alpha/index.html")


def test_edit_a_title(site):
    rewrite(site, "beta", title="Beta renamed")
    after = assert_same(site)
    for rel in ["index.html", "2024/01/alpha/index.html", "series/diffusion/index.html"]:
        assert "Beta renamed" in page(after, rel), rel


def test_edit_a_page_title_shown_in_every_menu(site):
    write_file(site, "content/pages/about.md", post("About us", body="About this blog."))
    after = assert_same(site)
    assert all("About us" in page(after, rel) for rel in after.tree if rel.endswith(".html"))


def test_change_a_date_reorders_lists_and_neighbours(site):
    rewrite(site, "alpha", date="2024-03-20")
    after = assert_same(site)
    assert "2024/03/alpha/index.html" in after.tree and "2024/01/alpha/index.html" not in after.tree
    home = page(after, "index.html")
    assert home.index("Delta") < home.index("Alpha") < home.index("Gamma")


def test_change_tags_adds_and_removes_tag_pages(site):
    rewrite(site, "delta", tags=["diffusion"])
    after = assert_same(site)
    assert "tags/diffusion/index.html" in after.tree and "tags/vae/index.html" not in after.tree
    rewrite(site, "delta")
    assert "tags/vae/index.html" in assert_same(site).tree


def test_change_a_category(site):
    rewrite(site, "beta", categories=["Math"])
    after = assert_same(site)
    assert "categories/physics/index.html" not in after.tree
    assert "Beta" in page(after, "categories/math/index.html")


def test_add_and_remove_a_series(site):
    rewrite(site, "gamma", series="Diffusion", series_index=3)
    assert "Gamma" in page(assert_same(site), "series/diffusion/index.html")
    rewrite(site, "gamma", series="Diffusion", series_index=None)
    assert "Gamma" in page(assert_same(site), "series/diffusion/index.html")
    for name in ("alpha", "beta", "gamma"):
        rewrite(site, name, series=None, series_index=None)
    assert not any(rel.startswith("series/diffusion/") for rel in assert_same(site).tree)


def test_reorder_a_series(site):
    rewrite(site, "alpha", series_index=3)
    text = page(assert_same(site), "series/diffusion/index.html")
    assert text.index("Beta") < text.index("Alpha")


def test_add_a_post(site):
    write_file(site, "content/posts/epsilon.md", post("Epsilon", "2024-05-01", tags=["new"]))
    after = assert_same(site)
    assert "tags/new/index.html" in after.tree and "Epsilon" in page(after, "index.html")


def test_delete_a_post(site):
    (site / "content/posts/delta.md").unlink()
    after = assert_same(site)
    assert "2024/03/delta/index.html" not in after.tree and "tags/vae/index.html" not in after.tree


@pytest.mark.parametrize("slug", [{}, {"slug": "alpha"}], ids=["new-url", "same-url"])
def test_rename_a_post_file(site, slug):
    (site / "content/posts/alpha.md").unlink()
    write_file(site, "content/posts/renamed.md", post(**POSTS["alpha"] | slug))
    after = assert_same(site)
    assert ("2024/01/renamed/index.html" in after.tree) != bool(slug)
    assert ("2024/01/alpha/index.html" in after.tree) == bool(slug)


def test_draft_and_back(site):
    rewrite(site, "gamma", draft=True)
    assert "2024/03/gamma/index.html" not in assert_same(site).tree
    rewrite(site, "gamma", draft=False)
    assert "2024/03/gamma/index.html" in assert_same(site).tree


def test_a_summary_is_shown_in_lists(site):
    rewrite(site, "delta", summary="A **short** summary.")
    assert "<strong>short</strong>" in page(assert_same(site), "index.html")
    rewrite(site, "delta", summary="Another summary.")
    assert "Another summary." in page(assert_same(site), "index.html")


def test_a_future_post_appears_when_its_date_comes(site):
    rewrite(site, "delta", date=(NOW + timedelta(days=30)).date().isoformat())
    assert "Delta" not in page(assert_same(site), "index.html")
    later = NOW + timedelta(days=60)
    assert "Delta" in page(assert_same(site, now=later), "index.html")
    assert "Delta" not in page(assert_same(site), "index.html")  # a clock set back


@pytest.mark.parametrize(
    "change",
    [
        {"base_url": "https://example.org/deep/blog/"},
        {"drafts": True},
        {"future": True},
    ],
    ids=lambda change: next(iter(change)),
)
def test_changing_a_build_option_and_back(site, change):
    rewrite(site, "gamma", draft=True)
    rewrite(site, "delta", date="2030-01-01")
    before = assert_same(site)
    assert assert_same(site, **change).tree != before.tree
    assert assert_same(site).tree == before.tree


@pytest.mark.parametrize(
    ("template", "old", "shown_in"),
    [
        ("base.html", '<meta name="generator" content="sitegen">', "about/index.html"),
        ("_macros.html", "{% macro post_count(n) %}", "tags/energy/index.html"),
        ("_toc.html", '<nav class="toc"', "2024/03/gamma/index.html"),
        ("_math.html", "<script defer", "2024/03/gamma/index.html"),
        ("_post_meta.html", '<div class="post-meta">', "tags/energy/index.html"),
        ("_site_header.html", '<header class="site-header">', "2024/01/alpha/index.html"),
        ("_site_footer.html", '<p class="colophon">', "archives/index.html"),
    ],
    ids=[
        "base.html",
        "_macros.html",
        "_toc.html",
        "_math.html",
        "_post_meta.html",
        "header",
        "footer",
    ],
)
def test_edit_a_site_template_override(site, template, old, shown_in):
    override(site, template, old, f"{old}<!-- mark one -->")
    assert "mark one" in page(assert_same(site), shown_in)
    override(site, template, old, f"{old}<!-- mark two -->")
    after = assert_same(site)
    assert "mark two" in page(after, shown_in) and "mark one" not in page(after, shown_in)


def test_add_a_template_override_then_delete_it(site):
    before = assert_same(site)
    override(site, "_post_meta.html", '<div class="post-meta">', '<div class="post-meta over">')
    assert 'class="post-meta over"' in page(assert_same(site), "2024/01/alpha/index.html")
    (site / "templates/_post_meta.html").unlink()
    assert assert_same(site).tree == before.tree


def test_a_broken_template_writes_nothing_and_its_fix_builds(site):
    before = tree(site / OUTPUT)
    override(site, "post.html", "{{ post.title }}", "{{ post.no_such_field }}")
    with pytest.raises(BuildFailed):
        incremental_build(site)
    assert tree(site / OUTPUT) == before
    override(site, "post.html", "{{ post.title }}", "{{ post.title }} (fixed)")
    assert "(fixed)" in page(assert_same(site), "2024/01/alpha/index.html")


def test_change_the_site_title(site):
    edit(site, "sitegen.toml", 'title = "Test blog"', 'title = "Another blog"')
    after = assert_same(site)
    assert all(b"Test blog" not in data for data in after.tree.values())


def test_change_posts_per_page(site):
    edit(
        site, "sitegen.toml", 'language = "en"\n', 'language = "en"\n[build]\nposts_per_page = 2\n'
    )
    assert "page/3/index.html" in assert_same(site).tree
    edit(site, "sitegen.toml", "posts_per_page = 2", "posts_per_page = 10")
    assert not any(rel.startswith("page/") for rel in assert_same(site).tree)


def test_add_change_and_delete_a_static_file(site):
    write_file(site, "static/files/new.txt", "new\n")
    assert assert_same(site).tree["files/new.txt"] == b"new\n"
    write_file(site, "static/files/new.txt", "changed\n")
    assert assert_same(site).tree["files/new.txt"] == b"changed\n"
    (site / "static/files/new.txt").unlink()
    assert "files/new.txt" not in assert_same(site).tree


def test_a_static_file_over_a_theme_asset_and_back(site):
    theme_css = assert_same(site).tree["css/site.css"]
    write_file(site, "static/css/site.css", "body { color: red }\n")
    assert assert_same(site).tree["css/site.css"] == b"body { color: red }\n"
    (site / "static/css/site.css").unlink()
    assert assert_same(site).tree["css/site.css"] == theme_css


def test_add_change_and_delete_a_bundled_image(site):
    bundle = "content/posts/bundle"
    write_file(site, f"{bundle}/second.png", b"\x89PNG second")
    assert "2024/04/bundle/second.png" in assert_same(site).tree
    write_file(site, f"{bundle}/figure.png", b"\x89PNG changed figure")
    assert assert_same(site).tree["2024/04/bundle/figure.png"] == b"\x89PNG changed figure"
    (site / f"{bundle}/figure.png").unlink()
    assert "2024/04/bundle/figure.png" not in assert_same(site).tree


def test_delete_everything(site):
    shutil.rmtree(site / "content")
    after = assert_same(site)
    assert after.report.posts == 0 and 'class="empty"' in page(after, "index.html")
    terms = ("tags/", "categories/", "series/")
    assert [
        rel
        for rel in after.tree
        if rel.startswith(("2024/", "about/")) or (rel.startswith(terms) and rel.count("/") > 1)
    ] == []


@pytest.fixture
def paged_site(make_site) -> Path:
    root = make_site(many_posts(27))
    assert {"page/2/index.html", "page/3/index.html"} <= assert_same(root).tree.keys()
    return root


def test_a_post_moves_across_page_boundaries(paged_site):
    write_file(paged_site, "content/posts/p00.md", numbered_post(0, date="2024-12-01"))
    after = assert_same(paged_site)
    assert "Post 0<" in page(after, "index.html")
    assert "Post 0<" not in page(after, "page/3/index.html")
    for i in range(20, 27):
        (paged_site / f"content/posts/p{i:02d}.md").unlink()
    assert "page/3/index.html" not in assert_same(paged_site).tree


# What the cache must not be fooled by.


@pytest.mark.parametrize(
    ("rel", "old", "new", "shown_in"),
    [
        ("content/posts/alpha.md", "First post", "Fir5t post", "2024/01/alpha/index.html"),
        ("static/files/note.txt", "a static", "A static", "files/note.txt"),
        ("content/posts/bundle/figure.png", "first", "First", "2024/04/bundle/figure.png"),
        ("templates/_toc.html", "<!-- one -->", "<!-- two -->", "2024/03/gamma/index.html"),
    ],
    ids=["post", "static", "bundled-image", "template"],
)
def test_an_edit_that_keeps_size_and_mtime_is_seen(site, rel, old, new, shown_in):
    """As on a file system with 1 s or 2 s timestamps when two saves fall in one tick, or
    after a tool that sets the time back (cp -p, rsync -t, tar)."""
    if rel.startswith("templates/"):
        override(site, "_toc.html", '<nav class="toc"', f'{old}<nav class="toc"')
    path = site / rel
    an_hour_ago = time.time_ns() - HOUR_NS
    os.utime(path, ns=(an_hour_ago, an_hour_ago))
    assert_same(site)
    edit(site, rel, old, new)
    os.utime(path, ns=(an_hour_ago, an_hour_ago))
    assert new.encode() in assert_same(site).tree[shown_in]


def test_an_edit_to_the_shipped_theme_is_seen(site, monkeypatch, tmp_path):
    """The default theme lives outside the site (in the package, or themes/ of a checkout)."""
    theme = tmp_path / "theme"
    shutil.copytree(THEME.parent, theme)
    monkeypatch.setattr("sitegen.themes.default_theme_dir", lambda: theme)
    assert_same(site)
    edit(theme, "templates/base.html", 'content="sitegen"', 'content="sitegen, edited"')
    edit(theme, "static/css/site.css", "/*", "/* edited")
    after = assert_same(site)
    assert "sitegen, edited" in page(after, "index.html")
    assert page(after, "css/site.css").startswith("/* edited")


def test_a_deleted_output_folder_is_built_again(site):
    shutil.rmtree(site / OUTPUT)
    assert_same(site)


def test_a_deleted_output_file_is_written_again(site):
    (site / OUTPUT / "2024/01/alpha/index.html").unlink()
    assert "2024/01/alpha/index.html" in assert_same(site).tree


def test_an_output_file_edited_by_hand_is_written_again(site):
    written = site / OUTPUT / "2024/01/alpha/index.html"
    written.write_text(written.read_text(encoding="utf-8") + "<!-- edited -->", encoding="utf-8")
    assert "<!-- edited -->" not in page(assert_same(site), "2024/01/alpha/index.html")


def test_a_second_output_folder_gets_every_file(site, tmp_path):
    assert_equal(incremental_build(site, output=tmp_path / "elsewhere"), clean_build(site))


def test_clean_option_rebuilds_in_place(site):
    rewrite(site, "alpha", title="Alpha after")
    assert_same(site, clean=True)


# Writes only what changed.


def test_a_rebuild_without_changes_writes_nothing(site):
    before = mtimes(site / OUTPUT)
    report = incremental_build(site).report
    assert (report.written, report.removed) == (0, 0)
    assert report.unchanged == len(before)
    assert mtimes(site / OUTPUT) == before


def test_an_edited_body_rewrites_only_the_files_that_changed(site):
    before_tree, before = tree(site / OUTPUT), mtimes(site / OUTPUT)
    rewrite(site, "gamma", body=TOC_BODY + "\nOne more paragraph.\n")
    after = assert_same(site)
    changed = {rel for rel, data in after.tree.items() if before_tree.get(rel) != data}
    assert changed and after.report.written == len(changed)
    stamps = mtimes(site / OUTPUT)
    assert {rel for rel in stamps if stamps[rel] != before.get(rel)} == changed


# Mistakes in posts.


def test_a_broken_post_is_reported_until_fixed(site):
    write_file(site, "content/posts/broken.md", "---\ntitle: Broken\ntags: [a\n---\nBody.\n")
    for _ in range(2):  # an unchanged broken post is still reported on the next build
        after = assert_same(site)
        assert [error.path for error in after.report.errors] == ["content/posts/broken.md"]
        assert "2024/01/alpha/index.html" in after.tree
    write_file(site, "content/posts/broken.md", post("Broken", "2024-06-01", tags=["a"]))
    after = assert_same(site)
    assert after.report.errors == [] and "2024/06/broken/index.html" in after.tree


# Parallel builds.


def test_parallel_builds_are_deterministic(make_site):
    root = make_site(many_posts(60))
    serial, parallel = clean_build(root, jobs=1), clean_build(root, jobs=2)
    assert len([rel for rel in serial.tree if rel.startswith("2024/")]) == 60
    assert_equal(parallel, serial, names=("jobs=2", "jobs=1"))
    write_file(root, "content/posts/p30.md", numbered_post(30, body="Changed text."))
    assert "Changed text." in page(assert_same(root, jobs=2), "2024/01/p30/index.html")
