"""One source → one Document: excerpts, slugs, URLs, bundles, math detection."""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from sitegen.config import parse_config
from sitegen.content import Publishing, load_document, markdown_options
from sitegen.sources import Source, find_sources

CONFIG = parse_config(Path("/site"), {"site": {"title": "T", "base_url": "https://e.org/blog/"}})


def doc_of(
    body: str,
    front: str = "title: T\ndate: 2024-05-10",
    rel="content/posts/p.md",
    config=CONFIG,
    publishing=None,
):
    source = Source(rel, "post", f"---\n{front}\n---\n{body}".encode())
    return load_document(source, config, markdown_options(config), publishing)


@pytest.mark.parametrize(
    ("front", "publishing", "rendered"),
    [
        ("date: 2024-05-10", Publishing(now=datetime(2024, 5, 11, tzinfo=UTC)), True),
        ("date: 2024-05-10", Publishing(now=datetime(2024, 5, 9, tzinfo=UTC)), False),
        ("date: 2024-05-10", Publishing(future=True, now=datetime(2024, 5, 9, tzinfo=UTC)), True),
        ("date: 2024-05-10\ndraft: true", Publishing(), False),
        ("date: 2024-05-10\ndraft: true", Publishing(drafts=True), True),
        ("date: 2024-05-10\ndraft: true", None, True),  # `sitegen check` reads every body
    ],
)
def test_only_a_published_body_is_rendered(front, publishing, rendered):
    doc = doc_of("Body $x$.\n\nMore.\n", f"title: T\n{front}", publishing=publishing)
    assert doc.rendered == rendered and doc.title == "T"
    assert (doc.body_html, doc.has_math, doc.has_more) == (
        ('<p>Body <span class="math inline">\\(x\\)</span>.</p>\n<p>More.</p>\n', True, True)
        if rendered
        else ("", False, False)
    )


def test_more_marker_cuts_the_excerpt_and_keeps_math_exact():
    doc = doc_of("First $a_1*b_1$ para.\n\nSecond $$x|y$$.\n\n<!--more-->\n\nRest.\n")
    assert doc.excerpt_html == (
        '<p>First <span class="math inline">\\(a_1*b_1\\)</span> para.</p>\n'
        '<p>Second <span class="math display">\\[x|y\\]</span>.</p>\n'
    )
    assert (
        doc.has_more
        and "Rest." in doc.body_html
        and "more" not in doc.body_html.replace("<!--more-->", "")
    )


def test_without_marker_the_first_paragraph_is_the_excerpt():
    doc = doc_of("$$\nE=mc^2\n$$\n\nOne.\n\nTwo.\n")
    assert doc.excerpt_html == '<div class="math display">\\[\nE=mc^2\n\\]</div>\n<p>One.</p>\n'
    assert doc.has_more


def test_a_post_of_one_paragraph_has_nothing_more():
    doc = doc_of("Only one.\n")
    assert doc.excerpt_html == doc.body_html and not doc.has_more


def test_footnotes_do_not_count_as_more():
    doc = doc_of("Only one.[^1]\n\n[^1]: note\n")
    assert not doc.has_more


def test_excerpt_none_mode_shows_whole_post_without_marker():
    config = parse_config(
        Path("/site"),
        {"site": {"title": "T", "base_url": "https://e.org/"}, "build": {"excerpt": "none"}},
    )
    doc = doc_of("One.\n\nTwo.\n", config=config)
    assert doc.excerpt_html == doc.body_html and not doc.has_more


def test_summary_front_matter_is_the_excerpt():
    doc = doc_of("Body.\n", front="title: T\ndate: 2024-05-10\nsummary: 'About $x_i$.'")
    assert doc.excerpt_html == '<p>About <span class="math inline">\\(x_i\\)</span>.</p>\n'
    assert doc.summary == "About $x_i$." and doc.has_more


def test_plain_summary_from_excerpt_is_short_text():
    doc = doc_of("<b>Bold</b> " + "word " * 100 + "\n")
    assert doc.summary.startswith("Bold word") and len(doc.summary) == 160


@pytest.mark.parametrize(
    ("rel", "front", "url"),
    [
        ("content/posts/my-post.md", "", "/blog/2024/05/my-post/"),
        ("content/posts/bundle/index.md", "", "/blog/2024/05/bundle/"),
        ("content/posts/x.md", "\nslug: chosen", "/blog/2024/05/chosen/"),
        ("content/posts/能量模型.md", "", "/blog/2024/05/%E8%83%BD%E9%87%8F%E6%A8%A1%E5%9E%8B/"),
        ("content/posts/has space.md", "", "/blog/2024/05/has-space/"),
    ],
)
def test_slugs_and_urls(rel, front, url):
    assert doc_of("x", front="title: T\ndate: 2024-05-10" + front, rel=rel).url == url


def test_math_detection_and_override():
    assert doc_of("$x$").has_math
    assert not doc_of("costs $5 and $6").has_math
    assert not doc_of("$x$", front="title: T\ndate: 2024-05-10\nmath: false").has_math


def test_terms_link_to_their_pages():
    doc = doc_of(
        "x", front="title: T\ndate: 2024-05-10\ncategory: 机器学习\ntags: [GAN]\nseries: S 1"
    )
    assert [(t.name, t.url) for t in doc.categories] == [
        ("机器学习", "/blog/categories/ji-qi-xue-xi/")
    ]
    assert doc.tags[0].url == "/blog/tags/gan/" and doc.series.url == "/blog/series/s-1/"


def test_find_sources_bundles_and_hidden_files(tmp_path):
    for rel in [
        "content/posts/a.md",
        "content/posts/b/index.md",
        "content/posts/b/fig.png",
        "content/posts/b/data/x.csv",
        "content/posts/b/notes.md",
        "content/posts/.draft.md",
        "content/posts/_partial.md",
        "content/pages/about.md",
        "content/other/x.md",
    ]:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x")
    sources = find_sources(tmp_path)
    assert [(s.rel, s.kind) for s in sources] == [
        ("content/posts/a.md", "post"),
        ("content/posts/b/index.md", "post"),
        ("content/pages/about.md", "page"),
    ]
    assert sources[1].assets == ("content/posts/b/data/x.csv", "content/posts/b/fig.png")


def test_crlf_and_bom_are_read_as_plain_text():
    source = Source(
        "content/posts/p.md",
        "post",
        "\ufeff---\r\ntitle: T\r\ndate: 2024-01-01\r\n---\r\n$a\\\\b$\r\n".encode(),
    )
    doc = load_document(source, CONFIG, markdown_options(CONFIG))
    assert (
        doc.title == "T"
        and doc.body_html == '<p><span class="math inline">\\(a\\\\b\\)</span></p>\n'
    )


def test_math_in_headings_stays_exact_in_the_table_of_contents():
    doc = doc_of("## 一、$\\|x\\|_2^*$ 的性质\n\n## Two $a_{i}|b$\n\n## Three\n")
    titles = [entry.title_html for entry in doc.toc]
    assert titles == [
        '一、<span class="math inline">\\(\\|x\\|_2^*\\)</span> 的性质',
        'Two <span class="math inline">\\(a_{i}|b\\)</span>',
        "Three",
    ]


def test_toc_entries_know_their_depth_below_the_shallowest_heading():
    doc = doc_of("### a\n\n## b\n\n#### c\n\n### d\n\n## e\n")
    assert [(e.level, e.depth) for e in doc.toc] == [(3, 2), (2, 1), (4, 3), (3, 2), (2, 1)]
