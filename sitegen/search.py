"""The search index: every post and page as plain text for the search page, math kept as TeX."""

from __future__ import annotations

import json
from typing import Any

from sitegen.document import Document
from sitegen.site import Site

SEARCH_INDEX = "search.json"


def search_outputs(site: Site) -> dict[str, bytes]:
    """`search.json` when `[build] search` is on: posts newest first, then pages."""
    if not site.config.build.search:
        return {}
    entries = [_entry(doc) for doc in site.posts + site.pages]
    data = json.dumps(entries, ensure_ascii=False, separators=(",", ":"))
    return {SEARCH_INDEX: data.encode("utf-8")}


def _entry(doc: Document) -> dict[str, Any]:
    return {
        "title": doc.title,
        "url": doc.url,
        "date": doc.date.date().isoformat() if doc.date else None,
        "categories": [term.name for term in doc.categories],
        "tags": [term.name for term in doc.tags],
        "text": doc.text,
    }
