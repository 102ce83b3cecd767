"""`sitegen new` and `sitegen new-post`: start a site, start a post."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from sitegen.config import CONFIG_NAME, load_config
from sitegen.errors import SiteError
from sitegen.slugs import HAN, make_slug

CONFIG_TEMPLATE = """\
[site]
title = {title}
base_url = "https://example.org/"
language = "{language}"
"""

FIRST_POST = """\
---
title: Hello, math
date: {date}
category: Notes
tags: [welcome]
---

This site is built by sitegen. Inline math such as $e^{{i\\pi}} + 1 = 0$ and
display math both reach MathJax exactly as written:

$$
\\sum_{{n=1}}^\\infty \\frac{{1}}{{n^2}} = \\frac{{\\pi^2}}{{6}}
$$

<!--more-->

Write posts in `content/posts/`, then run `sitegen build`.
"""


def new_site(root: Path, *, title: str, language: str | None = None) -> None:
    """A config and one post; the default theme ships with sitegen, so none is copied."""
    language = language or ("zh-CN" if HAN.search(title) else "en")
    if (root / CONFIG_NAME).exists():
        raise SiteError(
            str(root / CONFIG_NAME), None, "a site already exists here", "pick a new folder"
        )
    posts = root / "content" / "posts"
    posts.mkdir(parents=True, exist_ok=True)
    (root / "content" / "pages").mkdir(exist_ok=True)
    (root / "static").mkdir(exist_ok=True)
    (root / CONFIG_NAME).write_text(
        CONFIG_TEMPLATE.format(title=json.dumps(title, ensure_ascii=False), language=language),
        encoding="utf-8",
    )
    (posts / "hello-math.md").write_text(FIRST_POST.format(date="2024-01-01"), encoding="utf-8")
    (root / ".gitignore").write_text("/public/\n/.sitegen/\n", encoding="utf-8")


def new_post(root: Path, title: str, now: datetime) -> Path:
    """A draft post named after its title's slug (Chinese becomes pinyin)."""
    zone = load_config(root).zone  # also says clearly when this is not a site folder
    slug = make_slug(title) or "post"
    path = root / "content" / "posts" / f"{slug}.md"
    if path.exists():
        raise SiteError(
            str(path), None, "a post with this slug already exists", "choose another title"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    front = (
        "---\n"
        f"title: {json.dumps(title, ensure_ascii=False)}\n"
        f"date: {now.astimezone(zone).replace(microsecond=0).isoformat()}\n"
        "category: \n"
        "tags: []\n"
        "draft: true\n"
        "---\n\n"
    )
    path.write_text(front, encoding="utf-8")
    return path
