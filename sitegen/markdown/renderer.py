"""markdown-it's HTML renderer, with its default rule made cheap for the tokens most of a body is.

`RendererHTML.renderToken` renders any token as a tag: it renders the attributes, looks
up `xhtmlOut` in the options and builds the tag by concatenation, for every paragraph,
list item, emphasis and table cell. For a token without attributes that opens or closes a
tag, the output depends only on its tag, its nesting, whether it is a block and what is
next to it, so it is written here in one step; and `render`/`renderInline` look each
token's rule up once, not twice. tests/test_renderer.py compares the output with
markdown-it's on every fixture and on generated Markdown; every other token is rendered by
markdown-it's own code.
"""

from __future__ import annotations

from collections.abc import Sequence

from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict


class Renderer(RendererHTML):
    """RendererHTML, faster for attribute-less tags; the plugins add their rules to it."""

    def render(self, tokens: Sequence[Token], options: OptionsDict, env: EnvType) -> str:
        rules = self.rules
        out = []
        for i, token in enumerate(tokens):
            if token.type == "inline":
                if token.children:
                    out.append(self.renderInline(token.children, options, env))
            elif (rule := rules.get(token.type)) is not None:
                out.append(rule(tokens, i, options, env))
            else:
                out.append(self.renderToken(tokens, i, options, env))
        return "".join(out)

    def renderInline(self, tokens: Sequence[Token], options: OptionsDict, env: EnvType) -> str:
        rules = self.rules
        out = []
        for i, token in enumerate(tokens):
            if (rule := rules.get(token.type)) is not None:
                out.append(rule(tokens, i, options, env))
            else:
                out.append(self.renderToken(tokens, i, options, env))
        return "".join(out)

    def renderToken(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        token = tokens[idx]
        if token.attrs or token.nesting == 0:  # attributes to render, or a self-closing tag
            return super().renderToken(tokens, idx, options, env)
        if token.hidden:
            return ""
        opening = token.nesting == 1
        if not token.block:
            return f"<{token.tag}>" if opening else f"</{token.tag}>"
        if not opening:
            return f"</{token.tag}>\n"
        # after a hidden paragraph (a tight list's), a newline before an opening block tag
        before = "\n" if idx and tokens[idx - 1].hidden else ""
        if idx + 1 < len(tokens):
            following = tokens[idx + 1]
            if (
                following.type == "inline"
                or following.hidden
                or (following.nesting == -1 and following.tag == token.tag)
            ):
                return f"{before}<{token.tag}>"  # no newline before the tag's content
        return f"{before}<{token.tag}>\n"
