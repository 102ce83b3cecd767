"""The search index: plain text with math kept as TeX, search.json, the search page and its URL."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from hypothesis import given
from hypothesis import strategies as st
from markdown_it.utils import read_fixture_file

from sitegen.config import load_config
from sitegen.content import load_document, markdown_options
from sitegen.errors import BuildFailed
from sitegen.markdown import MarkdownOptions, render_markdown
from sitegen.plaintext import plain_text
from sitegen.routes import site_routes
from sitegen.search import search_outputs
from sitegen.site import Publishing, Site, assemble_site, unique_urls
from sitegen.sources import find_sources
from tests.conftest import MINIMAL_CONFIG, NOW, REPO, post

MATH_FIXTURES = REPO / "tests" / "fixtures" / "math"
CORPUS = REPO / "tests" / "fixtures" / "corpus"
SEARCH_ON = MINIMAL_CONFIG + "\n[build]\nsearch = true\n"


def escape(tex: str) -> str:
    """TeX as the math contract writes it into HTML."""
    return tex.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def text_of(markdown: str, options: MarkdownOptions | None = None) -> str:
    """The search text of a body rendered by sitegen's own Markdown stage."""
    options = options or MarkdownOptions()
    return render_markdown(markdown, options, page_url="/p/", base_path="/", search=True).text


def site_of(root: Path) -> Site:
    """The Site a build of `root` would assemble, without writing anything."""
    config = load_config(root)
    options = markdown_options(config)
    documents = [load_document(source, config, options) for source in find_sources(root)]
    publishing = Publishing(now=NOW)
    documents, clashes = unique_urls([doc for doc in documents if publishing.publishes(doc)])
    assert clashes == []
    return assemble_site(config, documents, publishing)


def math_texts(html: str) -> list[str]:
    """The text of every math element, delimiters included, read by BeautifulSoup."""
    return [element.get_text() for element in BeautifulSoup(html, "html.parser").select(".math")]


def assert_in_order(texts: list[str], text: str) -> None:
    """Each of `texts` occurs in `text` byte for byte, one after the other."""
    position = 0
    for tex in texts:
        found = text.find(tex, position)
        assert found >= 0, f"{tex!r} is not in the search text after position {position}"
        position = found + len(tex)


# Plain text: math


TEX_SAMPLES = [
    r"a<b",
    r"a > b",
    r"x \& y",
    r"a &= b",
    r"x_1 + y_2",
    r"a*b*c",
    r"\alpha \\ \beta",
    r"|x| = \|y\|",
    r"\left\{ x \middle| x<0 \right\}",
    r"\text{能量} E",
    r"&lt; stays &amp; text",
    "a  b\n   c",
    r"\mathrm{KL}(p\,\|\,q)",
]


@pytest.mark.parametrize("tex", TEX_SAMPLES)
def test_inline_math_keeps_its_tex_exactly(tex: str) -> None:
    html = f'<p>能量<span class="math inline">\\({escape(tex)}\\)</span>模型</p>'
    assert plain_text(html) == f"能量\\({tex}\\)模型"


@pytest.mark.parametrize("tex", TEX_SAMPLES)
def test_display_math_keeps_its_tex_exactly(tex: str) -> None:
    html = f'<p>Before:</p>\n<div class="math display">\\[{escape(tex)}\\]</div>\n<p>after.</p>'
    assert plain_text(html) == f"Before: \\[{tex}\\] after."


def test_environment_keeps_its_lines_and_alignment() -> None:
    tex = "\\begin{align}\n  a &= b \\\\\n  c &< d \\label{eq:1}\n\\end{align}"
    html = f'<p>见</p>\n<div class="math display">{escape(tex)}</div>\n'
    assert plain_text(html) == f"见 {tex}"


def test_inline_display_math_in_a_paragraph() -> None:
    tex = r"\sum_{i=1}^n x_i"
    html = f'<p>so <span class="math display">\\[{tex}\\]</span> holds</p>'
    assert plain_text(html) == f"so \\[{tex}\\] holds"


def test_math_from_markdown_survives_next_to_cjk() -> None:
    source = "设$x\\in\\RR^n$是样本，$E_\\theta(x)<0 & |x|*2$成立。\n\n$$\n  a_1  \\\\\n  b_2\n$$\n"
    assert text_of(source) == (
        "设\\(x\\in\\RR^n\\)是样本，\\(E_\\theta(x)<0 & |x|*2\\)成立。 \\[\n  a_1  \\\\\n  b_2\n\\]"
    )


def test_math_in_tables_lists_quotes_and_footnotes() -> None:
    source = (
        "| a | b |\n|---|---|\n| $|x|$ | $a\\|b$ |\n\n"
        "- item $x_1$\n\n> quoted $y<z$\n\n"
        "Note[^1].\n\n[^1]: see $\\alpha*\\beta$\n"
    )
    text = text_of(source)
    for tex in (r"\(|x|\)", r"\(a\|b\)", r"\(x_1\)", r"\(y<z\)", r"\(\alpha*\beta\)"):
        assert tex in text
    assert "[1]" not in text and "↩" not in text  # footnote markers are not prose


# TeX made of the characters that matter: HTML's, Markdown's, whitespace, and entity-like text.
TEX_PIECES = [*"ab_*^{}()[]|\\&<>;#$% \n\t能量", "&amp;", "&lt;", "&#x41;", "\\\\"]


@given(st.lists(st.sampled_from(TEX_PIECES), max_size=30).map("".join))
def test_any_tex_survives(tex: str) -> None:
    for html, shown in (
        (f'<p>x <span class="math inline">\\({escape(tex)}\\)</span> y</p>', f"\\({tex}\\)"),
        (f'<div class="math display">\\[{escape(tex)}\\]</div>', f"\\[{tex}\\]"),
    ):
        assert shown in plain_text(html)


# Plain text: everything else


def test_tags_are_stripped_and_words_kept_apart_at_blocks() -> None:
    html = (
        '<h2 id="x">Title</h2>\n<p>One <em>emph</em>asis and <a href="/a/">a link</a>.</p>'
        "<ul><li>first</li><li>second</li></ul><table><tr><td>cell</td><td>cell2</td></tr></table>"
        "<p>line<br>break</p>"
    )
    assert plain_text(html) == "Title One emphasis and a link. first second cell cell2 line break"


def test_entities_are_decoded_and_whitespace_collapsed() -> None:
    html = "<p>  a &amp; b &lt;c&gt; caf&eacute; &#x80FD;&#37327;\n\n  x&nbsp;y\t z  </p>"
    assert plain_text(html) == "a & b <c> café 能量 x y z"


def test_code_is_kept_and_line_numbers_are_not() -> None:
    source = "```python linenos\nimport numpy as np\nx = np.log(1 + y)\n```\n\nInline `a<b`.\n"
    text = text_of(source)
    assert text == "import numpy as np x = np.log(1 + y) Inline a<b."


def test_code_without_a_known_language() -> None:
    assert text_of("```\nif a < b && c:\n    pass\n```\n") == "if a < b && c: pass"


def test_scripts_styles_and_comments_are_not_text() -> None:
    html = "<p>a</p><!-- secret --><script>var x = '<p>';</script><style>p{}</style><p>b</p>"
    assert plain_text(html) == "a b"


def test_broken_html_loses_no_text() -> None:
    assert plain_text("<p>a</span> b</div><p>c") == "a b c"
    assert plain_text('<p>x <span class="math inline">\\(y &lt; 1') == "x \\(y < 1"


# search.json


def test_no_search_index_by_default(make_site) -> None:
    site = site_of(make_site({"content/posts/a.md": post("A")}))
    assert site.config.build.search is False
    assert search_outputs(site) == {}
    assert "search/" not in {route.site_path for route in site_routes(site)}


def test_search_index_lists_posts_newest_first_then_pages(make_site) -> None:
    root = make_site(
        {
            "content/posts/old.md": post("Old", "2023-05-01", body="Older $x<y$.", tags=["GAN"]),
            "content/posts/new.md": post(
                "新文章", "2024-02-03T23:30:00+08:00", category="数学", body="能量$E$模型"
            ),
            "content/pages/about.md": "---\ntitle: About\n---\nMe &amp; you.\n",
        },
        SEARCH_ON,
    )
    outputs = search_outputs(site_of(root))
    assert list(outputs) == ["search.json"]
    data = outputs["search.json"]
    assert "新文章".encode() in data  # ensure_ascii=False: readable and smaller
    assert b'", "' not in data and b'": ' not in data  # compact
    assert json.loads(data) == [
        {
            "title": "新文章",
            "url": "/2024/02/new/",
            "date": "2024-02-03",
            "categories": ["数学"],
            "tags": [],
            "text": "能量\\(E\\)模型",
        },
        {
            "title": "Old",
            "url": "/2023/05/old/",
            "date": "2023-05-01",
            "categories": [],
            "tags": ["GAN"],
            "text": "Older \\(x<y\\).",
        },
        {
            "title": "About",
            "url": "/about/",
            "date": None,
            "categories": [],
            "tags": [],
            "text": "Me & you.",
        },
    ]


def test_search_index_urls_follow_the_sub_path(make_site) -> None:
    config = SEARCH_ON.replace("https://example.org/", "https://example.org/blog/")
    site = site_of(make_site({"content/posts/a.md": post("A", slug="a")}, config))
    assert json.loads(search_outputs(site)["search.json"])[0]["url"] == "/blog/2024/01/a/"


def test_search_must_be_a_boolean(make_site) -> None:
    root = make_site({}, MINIMAL_CONFIG + '\n[build]\nsearch = "yes"\n')
    with pytest.raises(BuildFailed) as caught:
        load_config(root)
    assert [str(e) for e in caught.value.errors] == [
        "sitegen.toml:7: [build] search must be true or false — see the configuration table"
    ]


# The built site


def test_built_site_has_no_search_by_default(make_site, build, tmp_path) -> None:
    build(make_site({"content/posts/a.md": post("A")}))
    out = tmp_path / "out"
    assert not (out / "search.json").exists()
    assert not (out / "search").exists()
    assert 'href="/search/"' not in (out / "index.html").read_text(encoding="utf-8")


def test_built_site_has_search_when_enabled(make_site, build, tmp_path) -> None:
    config = SEARCH_ON.replace("https://example.org/", "https://example.org/blog/")
    report = build(make_site({"content/posts/a.md": post("A", body="$a<b$")}, config))
    assert report.errors == []
    out = tmp_path / "out"
    assert (out / "search.json").is_file(), "build.py writes search_outputs(site)"
    assert json.loads((out / "search.json").read_bytes())[0]["text"] == "\\(a<b\\)"
    page = BeautifulSoup((out / "search/index.html").read_text(encoding="utf-8"), "html.parser")
    root = page.select_one("[data-search-index]")
    assert root is not None and root["data-search-index"] == "/blog/search.json"
    assert page.select_one('script[src="/blog/js/search.js"]') is not None
    assert (out / "js/search.js").is_file()
    field = page.select_one("input#search-input")
    assert field is not None and field["name"] == "q"
    assert page.select_one('label[for="search-input"]') is not None
    assert page.select_one('[aria-live="polite"]') is not None
    nav = page.select_one("nav.site-nav a[aria-current=page]")
    assert nav is not None and nav["href"] == "/blog/search/"
    home = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="/blog/search/"' in home


@pytest.mark.parametrize(
    ("files", "config"),
    [
        ({"content/pages/search.md": post("Search me", slug="search")}, MINIMAL_CONFIG),
        (
            {"content/posts/s.md": post("S", slug="search")},
            MINIMAL_CONFIG + '\n[build]\npost_url = "/{slug}/"\n',
        ),
        (
            {"content/pages/s.md": post("S", slug="search")},
            MINIMAL_CONFIG + '\n[build]\npage_url = "/{slug}.json"\n',
        ),
    ],
    ids=["page", "post", "json"],
)
def test_no_document_may_take_the_search_urls(make_site, build, files, config) -> None:
    # Reserved with search off too, so turning it on never takes a post's URL.
    report = build(make_site(files, config))
    assert len(report.errors) == 1
    assert "belongs to the generated /search" in str(report.errors[0])


# Every formula of the fixtures and of real posts, verbatim


def math_fixture_cases() -> list[object]:
    cases = []
    for path in sorted(MATH_FIXTURES.glob("*.md")):
        for line, _title, source, expected in read_fixture_file(path):
            if 'class="math' in expected:
                cases.append(pytest.param(source, id=f"{path.stem}:{line}"))
    return cases


@pytest.mark.parametrize("source", math_fixture_cases())
def test_every_fixture_formula_is_in_the_search_text(source: str) -> None:
    html = render_markdown(source, MarkdownOptions(), page_url="/p/", base_path="/").html
    texts = math_texts(html)
    assert texts, "the case renders math"
    assert_in_order(texts, plain_text(html))


@pytest.mark.parametrize("root", [CORPUS, REPO], ids=["corpus", "example"])
def test_every_formula_of_real_posts_is_in_the_index(root: Path, tmp_path: Path) -> None:
    if root == CORPUS:  # a copy, so nothing is written under tests/fixtures
        root = shutil.copytree(CORPUS, tmp_path / "corpus")
        config = (root / "sitegen.toml").read_text(encoding="utf-8")
        config = config.replace("[build]\n", "[build]\nsearch = true\n", 1)
        (root / "sitegen.toml").write_text(config, encoding="utf-8")
    site = site_of(root)
    index = {entry["url"]: entry for entry in json.loads(search_outputs(site)["search.json"])}
    documents = site.posts + site.pages
    assert len(index) == len(documents)
    spans = 0
    for doc in documents:
        texts = math_texts(doc.body_html)
        assert_in_order(texts, index[doc.url]["text"])
        spans += len(texts)
    assert spans > 500


CODE_POSTS = [
    "```python\ndef f(a, b):\n    return a < b and '&' or \"x\"  # 注释\n```\n",
    "Before.\n\n```c linenos\nint main() { return 0; }\n```\n\nAfter $x_1$.\n",
    "```nosuchlanguage\n<b>not bold</b> &amp;\n```\n",
    "    indented code <i>\n\n```\nno language\n```\n",
    "- item\n\n  ```js\n  const a = `${b}`;\n  ```\n> ```bash\n> echo $HOME\n> ```\n",
]


@pytest.mark.parametrize("line_numbers", [False, True])
@pytest.mark.parametrize("markdown", CODE_POSTS)
def test_search_text_of_code_is_what_the_highlighted_page_shows(markdown, line_numbers):
    """The search text is read from the body rendered with code unhighlighted; it must be
    the text a reader sees in the highlighted page (line numbers aside)."""
    options = MarkdownOptions(line_numbers=line_numbers)
    page = render_markdown(markdown, options, page_url="/p/", base_path="/")
    assert 'class="highlight"' in page.html
    assert text_of(markdown, options) == plain_text(page.html)


def test_no_search_text_is_made_unless_asked_for():
    body = render_markdown("Words $x$.\n", MarkdownOptions(), page_url="/p/", base_path="/")
    assert body.text == ""
