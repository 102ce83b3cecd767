"""A document's body as plain text, math kept as TeX: what the search index holds."""

from __future__ import annotations

from html.parser import HTMLParser

# Elements that end a run of text: their neighbours must not run into one word.
BLOCKS = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "br",
        "caption",
        "dd",
        "details",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "td",
        "th",
        "tr",
        "ul",
    }
)
# Elements without an end tag; never on the stack of open elements.
VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)
# Not prose a reader searches for: scripts and styles in raw HTML, code line numbers,
# footnote markers ("[1]", "↩︎").
SKIPPED_TAGS = frozenset({"script", "style", "template"})
SKIPPED_CLASSES = frozenset({"linenos", "footnote-ref", "footnote-backref"})


def plain_text(body_html: str) -> str:
    """The text a reader sees in `body_html`, one space between words, math as TeX.

    A math element (`class="math inline"` / `"math display"`) becomes its delimiters and
    TeX exactly as written, whitespace and all: searching for `\\alpha_1` must find it.
    The standard library's HTML parser does the reading rather than regular expressions,
    because posts may hold raw HTML (comments, scripts, attributes with `>` in them), and
    it decodes entities the way a browser does, so `&amp;` in TeX comes back as `&`.
    """
    parser = _TextParser()
    parser.feed(body_html)
    parser.close()
    return parser.text()


class _TextParser(HTMLParser):
    """Collects words outside math and whole math elements, in document order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._open: list[tuple[str, str]] = []  # (tag, mode): "text", "math" or "skip"
        self._parts: list[str] = []
        self._gap = False  # whitespace is due before the next word
        self._math: list[str] = []  # the TeX of the math element being read

    def text(self) -> str:
        return "".join(self._parts)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        mode = self._mode()
        classes = set((dict(attrs).get("class") or "").split())
        if mode == "text":
            self._gap = self._gap or tag in BLOCKS
            if tag in SKIPPED_TAGS or classes & SKIPPED_CLASSES:
                mode = "skip"
            elif "math" in classes:
                mode = "math"
        if tag not in VOID:
            self._open.append((tag, mode))

    def handle_endtag(self, tag: str) -> None:
        if any(open_tag == tag for open_tag, _ in self._open):  # else stray: ignored
            while self._open:
                open_tag, mode = self._open.pop()
                if mode == "math" and self._mode() != "math":
                    self._put_math()
                if open_tag == tag:
                    break
        if self._mode() == "text":
            self._gap = self._gap or tag in BLOCKS

    def handle_data(self, data: str) -> None:
        mode = self._mode()
        if mode == "math":
            self._math.append(data)
        elif mode == "text":
            self._put_words(data)

    def close(self) -> None:
        super().close()
        self._put_math()  # an element left open at the end still counts

    def _mode(self) -> str:
        return self._open[-1][1] if self._open else "text"

    def _put_words(self, data: str) -> None:
        words = data.split()
        if not words:
            self._gap = self._gap or bool(data)
            return
        self._gap = self._gap or data[0].isspace()
        for word in words:
            self._put(word)
            self._gap = True
        self._gap = data[-1].isspace()

    def _put_math(self) -> None:
        if self._math:
            self._put("".join(self._math))
            self._math = []

    def _put(self, text: str) -> None:
        if self._gap and self._parts:
            self._parts.append(" ")
        self._parts.append(text)
        self._gap = False
