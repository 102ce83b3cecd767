"""Turn each source, alone, into a `Document`."""

from __future__ import annotations

import hashlib
import html
import re
from pathlib import Path

from sitegen.config import Config
from sitegen.document import Body, Document, Publishing, TermLink
from sitegen.errors import SiteError
from sitegen.frontmatter import SLUG_PATTERN, Meta, split_front_matter, validate_meta
from sitegen.markdown import MarkdownOptions, RenderedBody, render_markdown
from sitegen.markdown.math import DEFAULT_ENVIRONMENTS
from sitegen.slugs import make_slug
from sitegen.sources import BUNDLE_INDEX, Source
from sitegen.urls import expand_permalink, link

SUMMARY_LENGTH = 160
UNRENDERED = RenderedBody("", "", False, (), False, "")


def markdown_options(config: Config) -> MarkdownOptions:
    """What of the config changes how a body turns into HTML."""
    return MarkdownOptions(
        dollars="$" in config.math.delimiters,
        brackets="\\(" in config.math.delimiters,
        environments=DEFAULT_ENVIRONMENTS + config.math.environments,
        line_numbers=config.build.line_numbers,
        excerpt=config.build.excerpt,
        toc_min_headings=config.build.toc_min_headings,
    )


def load_document(
    source: Source,
    config: Config,
    options: MarkdownOptions,
    publishing: Publishing | None = None,
) -> Document:
    """Parse one source; raises SiteError for anything the author must fix.

    A document that `publishing` leaves out (a draft, a post dated in the future) is read
    up to its front matter only, as Hugo does: its body is rendered by the build that
    publishes it (a quarter of a 10,000-post corpus dated up to 2032 was such posts)."""
    text = _decode(source)
    split = split_front_matter(source.rel, text)
    meta = validate_meta(source.rel, split, config.zone)
    if source.kind == "post" and meta.date is None:
        raise SiteError(source.rel, 1, "a post needs a date", "add `date: 2024-05-10`")
    slug = meta.slug or _default_slug(source)
    pattern = config.build.post_url if source.kind == "post" else config.build.page_url
    site_path = expand_permalink(pattern, slug, meta.date)  # config checked the placeholders
    url = link(config.base_path, site_path)
    rendered = publishing is None or publishing.publishes(meta)
    body = UNRENDERED
    if rendered:
        search = config.build.search
        body = render_markdown(
            split.body, options, page_url=url, base_path=config.base_path, search=search
        )
    excerpt_html, has_more = body.excerpt_html, body.has_more
    if meta.summary and rendered:  # Markdown too, with links resolved like the body's
        summary = render_markdown(meta.summary, options, page_url=url, base_path=config.base_path)
        excerpt_html, has_more = summary.html, True
    return Document(
        source=source.rel,
        kind=source.kind,
        title=meta.title,
        slug=slug,
        date=meta.date,
        updated=meta.updated,
        site_path=site_path,
        url=url,
        categories=_term_links(config, "categories", meta.categories),
        tags=_term_links(config, "tags", meta.tags),
        series=term_link(config, "series", meta.series) if meta.series else None,
        series_index=meta.series_index,
        summary=_plain_summary(meta, excerpt_html),
        draft=meta.draft,
        has_math=body.has_math if meta.math is None else meta.math,
        body=Body(body.html, body.toc, body.text),
        excerpt_html=excerpt_html,
        has_more=has_more,
        excerpt_has_math='class="math' in excerpt_html,
        extra=meta.extra,
        assets=_asset_paths(source, site_path),
        slug_line=split.key_lines.get("slug"),
        rendered=rendered,
    )


def term_link(config: Config, kind: str, name: str) -> TermLink:
    slug = make_slug(name) or hashlib.sha256(name.encode()).hexdigest()[:8]
    return TermLink(name, slug, link(config.base_path, f"{kind}/{slug}/"))


def _term_links(config: Config, kind: str, names: tuple[str, ...]) -> tuple[TermLink, ...]:
    """One link per term page: `GAN` and `gan` in one post are one tag."""
    links: dict[str, TermLink] = {}
    for name in names:
        link_ = term_link(config, kind, name)
        links.setdefault(link_.slug, link_)
    return tuple(links.values())


def _decode(source: Source) -> str:
    try:
        text = source.data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = source.data.count(b"\n", 0, exc.start) + 1
        raise SiteError(
            source.rel,
            line,
            f"not UTF-8 text (byte 0x{source.data[exc.start]:02x})",
            "save the file as UTF-8 in your editor",
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _default_slug(source: Source) -> str:
    path = Path(source.rel)
    stem = path.parent.name if path.name == BUNDLE_INDEX else path.stem
    return stem if SLUG_PATTERN.fullmatch(stem) else (make_slug(stem) or "post")


def _asset_paths(source: Source, site_path: str) -> tuple[tuple[str, str], ...]:
    bundle = Path(source.rel).parent
    return tuple(
        (asset, site_path + Path(asset).relative_to(bundle).as_posix()) for asset in source.assets
    )


def _plain_summary(meta: Meta, excerpt_html: str) -> str:
    if meta.summary:
        return meta.summary.strip()
    text = html.unescape(re.sub(r"<[^>]+>", " ", excerpt_html))
    text = " ".join(text.split())
    return text if len(text) <= SUMMARY_LENGTH else text[: SUMMARY_LENGTH - 1] + "…"
