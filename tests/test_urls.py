"""Slugs: Han characters set apart as words by a translate table, as a regex would."""

from __future__ import annotations

from urllib.parse import urljoin

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sitegen.slugs import HAN, HAN_SPACED, make_slug
from sitegen.urls import absolute
from tests.conftest import imported_after

# the edges of each Han block, their neighbours outside, Latin, digits, symbols, spaces
EDGES = [0x33FF, 0x3400, 0x4DBF, 0x4DC0, 0x4DFF, 0x4E00, 0x9FFF, 0xA000, 0xF8FF, 0xF900, 0xFAFF]
CHARS = st.sampled_from([chr(c) for c in [*EDGES, 0xFB00]] + list("aZ09 +#-.é科学"))


@settings(max_examples=400)
@given(st.lists(CHARS, max_size=20).map("".join))
def test_each_han_character_is_spaced_as_the_regex_does(text: str) -> None:
    assert text.translate(HAN_SPACED) == HAN.sub(lambda m: f" {m[0]} ", text)


def test_slugs_of_mixed_names():
    assert make_slug("GAN模型") == "gan-mo-xing"
    assert make_slug("科学空间") == "ke-xue-kong-jian"
    assert make_slug("C++") == "c-plus-plus"


BASES = st.builds(
    lambda scheme, host, port, path: f"{scheme}://{host}{port}{path}",
    st.sampled_from(["http", "https", "HTTPS", "ftp"]),
    st.sampled_from(["example.org", "u:p@example.org", "[::1]", "例子.cn"]),
    st.sampled_from(["", ":8080"]),
    st.sampled_from(["", "/", "/blog/", "/blog/x", "/a/b/?q=1#f"]),
)
HREFS = st.lists(
    st.sampled_from([*"/.a中?#;= \t\n\r\\[]@:~+\x00\x1f\x7f", "//", "..", "%E4", "x y"]),
    max_size=8,
).map("".join)


@settings(max_examples=3000)
@given(BASES, HREFS | HREFS.map(lambda href: "/" + href))
def test_absolute_is_urljoin(base_url, href):
    assert _outcome(absolute, base_url, href) == _outcome(urljoin, base_url, href)


def _outcome(join, base_url: str, href: str) -> str | type:
    try:
        return join(base_url, href)
    except ValueError as error:  # urljoin's, for a link like //[
        return type(error)


def test_absolute_joins_plain_links_itself(monkeypatch):
    monkeypatch.setattr("sitegen.urls.urljoin", lambda *args: pytest.fail("urljoin called"))
    assert absolute("https://example.org/blog/", "/blog/2024/05/%E4%B8%AD/") == (
        "https://example.org/blog/2024/05/%E4%B8%AD/"
    )


def test_a_build_imports_the_slug_machinery_only_to_parse() -> None:
    """12 ms of loading transliteration tables, of a no-change build's 0.1 s."""
    imported = imported_after("import sitegen.cli, sitegen.build, sitegen.pipeline, sitegen.render")
    assert imported & {"slugify", "text_unidecode"} == set()
