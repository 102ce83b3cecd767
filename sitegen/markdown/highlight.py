"""Code fences highlighted with Pygments at build time, so readers need no JavaScript."""

from __future__ import annotations

from functools import lru_cache

from markdown_it.common.utils import escapeHtml
from pygments import highlight as pygments_highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound


@lru_cache(maxsize=256)
def _lexer(language: str) -> Lexer | None:
    try:
        return get_lexer_by_name(language, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return None


@lru_cache(maxsize=4)
def _formatter(line_numbers: bool) -> HtmlFormatter:
    return HtmlFormatter(
        cssclass="highlight", wrapcode=True, linenos="table" if line_numbers else False
    )


def make_highlighter(default_line_numbers: bool):
    """A markdown-it `highlight` option; the fence's info words `linenos`/`nolinenos` win."""

    def highlight(code: str, language: str, attrs: str) -> str:
        words = attrs.split()
        line_numbers = ("linenos" in words or default_line_numbers) and "nolinenos" not in words
        lexer = _lexer(language.lower()) if language else None
        if lexer is None:
            css = f' class="language-{escapeHtml(language)}"' if language else ""
            return f'<div class="highlight"><pre><code{css}>{escapeHtml(code)}</code></pre></div>\n'
        return pygments_highlight(code, lexer, _formatter(line_numbers))

    return highlight
