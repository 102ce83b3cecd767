"""The browser side of `sitegen serve`: the injected client, one event stream per tab,
and which tabs a change reloads."""

from __future__ import annotations

import json
import queue
import secrets
import threading
from collections.abc import Collection, Iterable
from pathlib import Path, PurePosixPath
from urllib.parse import quote

SCRIPT_URL = "/__sitegen/livereload.js"
EVENTS_URL = "/__sitegen/events"
CLIENT_JS = Path(__file__).with_name("livereload.js")

# Outputs no tab shows with our script in it (feeds, sitemap, robots.txt): they reload nothing.
NOT_SHOWN = {".xml", ".txt"}


def inject_script(html: bytes, epoch: int, session: str) -> bytes:
    """The page with the live-reload client before its last `</body>` (or at its end)."""
    tag = (
        f'<script src="{SCRIPT_URL}" data-epoch="{epoch}" data-session="{session}"></script>'
    ).encode()
    at = html.lower().rfind(b"</body>")
    return html + tag if at < 0 else html[:at] + tag + html[at:]


def page_for(base_path: str, url_path: str) -> str | None:
    """The output file a tab at `url_path` shows, or None when it is outside the site."""
    if not url_path.startswith(base_path):
        return None
    rel = url_path.removeprefix(base_path)
    return rel + "index.html" if rel == "" or rel.endswith("/") else rel


def tab_action(shows: Collection[str], changed: Collection[str]) -> str | None:
    """What a tab showing the output files `shows` does about `changed` ones.

    "reload" when its page changed, or an image, script or font any page may
    show; "css" when only stylesheets changed; None when nothing it shows did.
    """
    suffixes = {PurePosixPath(rel).suffix for rel in changed}
    if any(rel in changed for rel in shows) or suffixes - NOT_SHOWN - {".html", ".css"}:
        return "reload"
    return "css" if ".css" in suffixes else None


def event(name: str, data: object) -> bytes:
    """One Server-Sent Event."""
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode()


class Tab:
    """One connected browser tab: the output files it shows and its own message queue,
    so a slow or vanished tab never holds up the others."""

    def __init__(self, shows: frozenset[str]) -> None:
        self.shows = shows
        self.messages: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()


class ReloadChannel:
    """Every open tab, the current build errors, and which output changed in which build.

    Each promoted build is an epoch. A page is served with the epoch it was
    built in, so a tab that connects late (or comes back from the background)
    still learns about the builds it missed.
    """

    def __init__(self) -> None:
        self.session = secrets.token_hex(8)  # a page from an earlier server reloads
        self.epoch = 0
        self.errors: tuple[str, ...] = ()
        self._changed_in: dict[str, int] = {}
        self._tabs: set[Tab] = set()
        self._lock = threading.Lock()

    @property
    def tabs(self) -> int:
        with self._lock:
            return len(self._tabs)

    def connect(self, shows: frozenset[str], epoch: int, session: str, base_path: str) -> Tab:
        tab = Tab(shows)
        with self._lock:
            if session != self.session:
                tab.messages.put(event("reload", {}))
            else:
                missed = {rel for rel, changed in self._changed_in.items() if changed > epoch}
                self._tell(tab, missed, base_path)
            if self.errors:
                tab.messages.put(event("build-error", {"errors": list(self.errors)}))
            self._tabs.add(tab)
        return tab

    def disconnect(self, tab: Tab) -> None:
        with self._lock:
            self._tabs.discard(tab)

    def publish(self, changed: Iterable[str], errors: Iterable[str], base_path: str) -> None:
        """A build finished: `changed` output files are now served, `errors` are current."""
        changed = set(changed)
        errors = tuple(errors)
        with self._lock:
            if changed:
                self.epoch += 1
                self._changed_in.update(dict.fromkeys(changed, self.epoch))
            cleared = bool(self.errors) and not errors
            self.errors = errors
            for tab in self._tabs:
                if errors:
                    tab.messages.put(event("build-error", {"errors": list(errors)}))
                elif cleared:
                    tab.messages.put(event("build-ok", {}))
                self._tell(tab, changed, base_path)

    def close(self) -> None:
        """End every tab's stream, so its thread returns at once."""
        with self._lock:
            for tab in self._tabs:
                tab.messages.put(None)
            self._tabs.clear()

    def _tell(self, tab: Tab, changed: Collection[str], base_path: str) -> None:
        action = tab_action(tab.shows, changed)
        if action == "reload":
            tab.messages.put(event("reload", {}))
        elif action == "css":
            stylesheets = sorted(quote(base_path + rel) for rel in changed if rel.endswith(".css"))
            tab.messages.put(event("css", {"epoch": self.epoch, "paths": stylesheets}))
