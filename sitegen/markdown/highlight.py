"""Code fences highlighted with Pygments at build time, so readers need no JavaScript."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml, unescapeAll
from markdown_it.token import Token
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

from sitegen.markdown.lexing import accelerate

PLAIN_CODE = "plain_code"  # an env key: render fences without Pygments


def highlight_plugin(md: MarkdownIt, *, line_numbers: bool = False) -> None:
    """Render fences as Pygments' own `<div class="highlight">` blocks.

    The fence's info words after the language switch line numbers per block:
    `python linenos` or `python nolinenos`.
    """

    def fence(renderer, tokens: Sequence[Token], idx: int, options, env) -> str:
        if env.get(PLAIN_CODE):  # for reading the text back: the code, unhighlighted
            return highlight_code(tokens[idx].content, "", False)
        language, _, rest = unescapeAll(tokens[idx].info).strip().partition(" ")
        words = rest.split()
        numbered = ("linenos" in words or line_numbers) and "nolinenos" not in words
        return highlight_code(tokens[idx].content, language, numbered)

    md.add_render_rule("fence", fence)


def highlight_code(code: str, language: str, line_numbers: bool) -> str:
    lexer = _lexer(language.lower()) if language else None
    if lexer is None:
        css = f' class="language-{escapeHtml(language)}"' if language else ""
        return f'<div class="highlight"><pre><code{css}>{escapeHtml(code)}</code></pre></div>\n'
    return highlight(code, lexer, _formatter(line_numbers))


@lru_cache(maxsize=256)
def _lexer(language: str) -> Lexer | None:
    try:
        return accelerate(get_lexer_by_name(language, stripnl=False, ensurenl=False))
    except ClassNotFound:
        return None


@lru_cache(maxsize=2)
def _formatter(line_numbers: bool) -> HtmlFormatter:
    return HtmlFormatter(
        cssclass="highlight", wrapcode=True, linenos="table" if line_numbers else False
    )
