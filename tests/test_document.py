"""Documents as the cache stores them: a body is unpickled when first read, and only then,
without the Markdown machinery, and known by the digest of its bytes; a term link comes
back as one object per term."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from sitegen.document import Body, Document, TermLink, TocEntry
from tests.conftest import imported_after


def document(body: Body) -> Document:
    return Document(
        source="content/posts/a.md",
        kind="post",
        title="A",
        slug="a",
        date=datetime(2024, 1, 1, tzinfo=UTC),
        updated=None,
        site_path="a/",
        url="/a/",
        categories=(),
        tags=(),
        series=None,
        series_index=None,
        summary="",
        draft=False,
        has_math=True,
        body=body,
        excerpt_html="<p>x</p>",
        has_more=False,
        excerpt_has_math=False,
    )


@given(html=st.text(), text=st.text(), titles=st.lists(st.text(), max_size=3))
def test_a_body_comes_back_from_the_cache_as_it_went_in(html, text, titles):
    toc = tuple(TocEntry(2, f"h{i}", title, 1) for i, title in enumerate(titles))
    doc = document(Body(html, toc, text))
    loaded = pickle.loads(pickle.dumps(doc))
    assert (loaded.body_html, loaded.toc, loaded.text) == (html, toc, text)
    assert loaded == doc and repr(loaded) == repr(doc)
    again = pickle.loads(pickle.dumps(loaded))  # pickled again once read (serve, workers)
    assert again.body_html == html


def test_a_body_is_not_unpickled_until_it_is_read():
    doc = pickle.loads(pickle.dumps(document(Body("<p>正文 $x$</p>", (), ""))))
    assert doc.body._parts is None  # the title and dates are read; the body is not, yet
    assert doc.title == "A" and doc.body._parts is None
    assert doc.body_html == "<p>正文 $x$</p>" and doc.body._parts is not None


@given(html=st.text(), other=st.text(), titles=st.lists(st.text(), max_size=3))
def test_a_bodys_digest_is_the_same_made_or_unpickled_and_changes_with_it(html, other, titles):
    toc = tuple(TocEntry(2, f"h{i}", title, 1) for i, title in enumerate(titles))
    made = Body(html, toc, "")
    loaded = pickle.loads(pickle.dumps(document(made))).body
    assert loaded.digest == made.digest  # unpickled: of the bytes read, not pickled again
    assert loaded.parts[0] == html
    changed = (
        Body(html + other, toc, "") if other else Body(html, (*toc, TocEntry(3, "x", "", 2)), "")
    )
    assert changed.digest != made.digest


@given(names=st.lists(st.text(), min_size=1, max_size=4))
def test_term_links_come_back_equal_and_shared(names):
    links = tuple(TermLink(name, f"s{i}", f"/tags/s{i}/") for i, name in enumerate(names))
    first, second = pickle.loads(pickle.dumps((links, links[::-1])))
    assert first == links and second == links[::-1]
    shared = [link for link in first if "\0" not in link.name]  # others: pickled as fields
    assert all(link is pickle.loads(pickle.dumps(link)) for link in shared)


def test_reading_a_cached_body_does_not_import_the_markdown_machinery(tmp_path):
    """A rebuild reads the edited post's body to check its page; it parses nothing."""
    cached = tmp_path / "doc.pickle"
    cached.write_bytes(
        pickle.dumps(document(Body("<h2 id=x>x</h2>", (TocEntry(2, "x", "x", 1),), "")))
    )
    imported = imported_after(
        "import pickle, sys; doc = pickle.loads(open(sys.argv[1], 'rb').read()); "
        "assert doc.toc[0].id == 'x'",
        str(cached),
    )
    assert imported & {"markdown_it", "mdit_py_plugins", "pygments", "yaml"} == set()
