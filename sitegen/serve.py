"""`sitegen serve`: build into a temporary folder, serve it as the real host would,
rebuild on every save and tell the open tabs."""

from __future__ import annotations

import contextlib
import errno
import gc
import http.server
import mimetypes
import queue
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, unquote

from sitegen.build import STATE_DIR, BuildOptions, build_site
from sitegen.cache import Cache
from sitegen.config import CONFIG_NAME, load_config
from sitegen.errors import BuildFailed, SiteError
from sitegen.livereload import (
    CLIENT_JS,
    EVENTS_URL,
    SCRIPT_URL,
    ReloadChannel,
    inject_script,
    page_for,
)
from sitegen.themes import theme_dirs
from sitegen.watch import Debouncer, SourceWatcher
from sitegen.writer import write_outputs

# A save settles into one rebuild after this much silence; a burst of many files (a `git
# checkout`) after the longer one. A save's own writes come within a millisecond.
QUIET_SECONDS = 0.025
BURST_QUIET_SECONDS = 0.25
# Two copies of a big site take seconds to delete: Ctrl-C waits this long, then leaves the
# rest to a process of its own.
REMOVE_SECONDS = 0.3
PING_SECONDS = 15  # how often an idle event stream is probed, to notice a tab that left
# For a site without its own 404.html (or none built yet): it carries the client, so the tab
# shows the errors of a failed first build and reloads once the page exists.
NOT_FOUND_PAGE = b"<!doctype html><title>Not found</title><body><h1>Not found</h1></body>\n"
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".xml": "application/xml",
    ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".pdf": "application/pdf",
}


class AddressUnavailable(Exception):
    """The host and port cannot be listened on (most often: another server has the port)."""


@dataclass(frozen=True)
class Rebuild:
    """One build the server ran; the first is number 1."""

    number: int
    changed: frozenset[str]  # output files added, changed or removed, as the tabs now see them
    errors: tuple[str, ...]  # `path:line: message` lines; empty for a good build
    milliseconds: float
    removed: frozenset[str] = frozenset()  # those of `changed` that are gone

    @property
    def pages(self) -> int:
        """HTML pages that are new or whose bytes changed."""
        return sum(rel.endswith(".html") for rel in self.changed - self.removed)

    def summary(self) -> str:
        """The terminal's line: what changed on screen, not what the build looked at."""
        if self.errors:
            shown = "the pages that built" if self.number == 1 else "the last good build"
            return f"{len(self.errors)} error(s) in {self.milliseconds:.0f} ms; showing {shown}"
        others = len(self.changed - self.removed) - self.pages
        parts = [_count(self.pages, "page")]
        if others:
            parts.append(_count(others, "other file"))
        if self.removed:
            parts.append(f"removed {len(self.removed)}")
        verb = "built" if self.number == 1 else "rebuilt"
        return f"{verb} {', '.join(parts)} in {self.milliseconds:.0f} ms"


@dataclass(frozen=True)
class Answer:
    """Where a request path leads: a file to send, a redirect, or an error status."""

    status: int
    file: Path | None = None
    location: str | None = None


def start_server(
    root: Path,
    host: str = "127.0.0.1",
    port: int = 8000,
    drafts: bool = False,
    *,
    quiet_seconds: float = QUIET_SECONDS,
) -> PreviewServer:
    """Bind, build once, then serve and watch; `port=0` picks a free port."""
    server = PreviewServer(root, host, port, drafts, quiet_seconds)
    try:
        server.start()
    except BaseException:
        server.close()
        raise
    return server


class PreviewServer:
    """The preview of one site: a temporary output folder, its HTTP server and its watcher.

    Builds go to a staging folder; only a good build is copied to the served
    folder, so a broken save leaves the last good site on screen.
    """

    def __init__(
        self, root: Path, host: str, port: int, drafts: bool, quiet_seconds: float
    ) -> None:
        self.root = root
        self.drafts = drafts
        self.base_path = _base_path(root)
        self._http = _bind(host, port)
        self._http.preview = self
        self._serving = False
        self.host = host
        self.port = self._http.server_address[1]
        self.channel = ReloadChannel()
        self.rebuilds: list[Rebuild] = []
        self._folder = Path(tempfile.mkdtemp(prefix="sitegen-serve-"))
        self.output = self._folder / "site"  # what is served
        self._stage = self._folder / "build"  # what build_site writes
        self._cache = Cache(self.root / STATE_DIR)  # kept open: each rebuild starts from it
        self._cache.keep_in_memory(str(self._stage.resolve()))
        self.output.mkdir()
        self._served = False  # nothing is on show until the first build is promoted
        self._unpromoted: set[str] = set()  # files builds changed that are not served yet
        self._built = threading.Condition()
        self._closed = threading.Event()
        self._debouncer = Debouncer(quiet_seconds, max(quiet_seconds, BURST_QUIET_SECONDS))
        self._watcher: SourceWatcher | None = None

    @property
    def origin(self) -> str:
        host = "127.0.0.1" if self.host in ("", "0.0.0.0") else self.host
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.port}"

    @property
    def url(self) -> str:
        return self.origin + self.base_path

    @property
    def errors(self) -> tuple[str, ...]:
        return self.channel.errors

    def start(self) -> None:
        themes = _theme_folders(self.root)
        self._watcher = SourceWatcher(self.root, themes, self._debouncer.poke)
        self._watcher.start()  # before the first build, so a save during it is not missed
        self._rebuild()
        # What the first build leaves (parsed documents, the build state) is kept by every
        # later one: frozen, it is not walked by each rebuild's full garbage collection
        # again (some 50 ms a rebuild at 5,000 posts).
        gc.collect()
        gc.freeze()
        self._serving = True
        threading.Thread(target=self._http.serve_forever, args=(0.05,), daemon=True).start()
        threading.Thread(target=self._keep_building, name="sitegen-rebuild", daemon=True).start()

    def wait_for_build(self, number: int, timeout: float = 30) -> Rebuild:
        """The `number`th build (1 is the first), once it has finished."""
        with self._built:
            if not self._built.wait_for(lambda: len(self.rebuilds) >= number, timeout):
                raise TimeoutError(f"build {number} did not finish in {timeout} s")
            return self.rebuilds[number - 1]

    def wait(self) -> None:
        """Serve until Ctrl-C (or `close()` from another thread)."""
        with contextlib.suppress(KeyboardInterrupt):
            self._closed.wait()

    def close(self) -> None:
        """Stop serving, free the port and remove the temporary output; quick, and safe twice."""
        if self._closed.is_set():
            return
        self._closed.set()
        self._debouncer.close()
        if self._watcher is not None:
            self._watcher.stop()
        self.channel.close()
        if self._serving:
            self._http.shutdown()  # blocks until serve_forever stops: never call it before
        self._http.server_close()
        _remove(self._folder, wait=REMOVE_SECONDS)
        self._cache.forget(str(self._stage.resolve()))
        self._cache.close()
        gc.unfreeze()  # its garbage can be collected now

    def __enter__(self) -> PreviewServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def locate(self, url_path: str) -> Answer:
        return locate(self.output, self.base_path, url_path)

    def _keep_building(self) -> None:
        while self._debouncer.wait():
            self._rebuild()

    def _rebuild(self) -> None:
        started = time.perf_counter()
        changed: frozenset[str] = frozenset()
        removed: frozenset[str] = frozenset()
        try:
            errors = self._build()
            if not errors or not self._served:  # a first build shows what it can
                changed, removed = self._promote()
        except Exception as exc:
            if self._closed.is_set():
                return  # the temporary folder went away under a last build
            traceback.print_exc()
            errors = [f"sitegen bug: {type(exc).__name__}: {exc} (traceback in the terminal)"]
        milliseconds = (time.perf_counter() - started) * 1000
        self.channel.publish(changed, errors, self.base_path)
        rebuild = Rebuild(len(self.rebuilds) + 1, changed, tuple(errors), milliseconds, removed)
        for line in errors:
            _say(f"error: {line}", sys.stderr)
        _say(rebuild.summary())
        with self._built:
            self.rebuilds.append(rebuild)
            self._built.notify_all()

    def _build(self) -> list[str]:
        """Build into the staging folder; the user's mistakes, as `path:line: message` lines."""
        try:
            base_path = load_config(self.root).base_path
            report = build_site(
                self.root,
                BuildOptions(
                    output=self._stage,
                    base_url=self.origin + base_path,
                    drafts=self.drafts,
                    future=True,
                    now=datetime.now(UTC),
                    jobs=1,  # no forking a process that runs server threads
                ),
                self._cache,
            )
        except BuildFailed as failed:
            return [str(error) for error in failed.errors]
        except SiteError as error:
            return [str(error)]
        self.base_path = base_path
        self._unpromoted.update(report.changed)
        return [str(error) for error in report.errors]

    def _promote(self) -> tuple[frozenset[str], frozenset[str]]:
        """Put what the builds changed into the served folder: the files that differ now,
        and those of them that are gone."""
        # The one writer: a file is replaced in one step, so a tab loading meanwhile gets the
        # old or the new one, and one whose bytes a failed build changed and this one changed
        # back is not rewritten. Copies, not hard links: a link changes the staged file's
        # ctime, which the next build would take for an edit.
        built = {rel: self._stage / rel for rel in self._unpromoted}
        present = {rel: path for rel, path in built.items() if path.is_file()}
        stats = write_outputs(self.output, present, present, self._unpromoted)
        changed, removed = set(stats.written) | set(stats.removed), set(stats.removed)
        self._unpromoted.clear()
        self._served = True
        return frozenset(changed), frozenset(removed)


def locate(folder: Path, base_path: str, url_path: str) -> Answer:
    """Map a request path to a file of `folder` served at `base_path`, refusing any way out."""
    if not url_path.startswith(base_path):
        return Answer(301, location=base_path) if url_path + "/" == base_path else Answer(404)
    rel = unquote(url_path.removeprefix(base_path))
    parts = rel.split("/")
    if ".." in parts or rel.startswith("/") or "\\" in rel or "\0" in rel:
        return Answer(403)
    if any(part.startswith(".") for part in parts):
        return Answer(404)  # dotfiles are never served, nor said to exist
    root = folder.resolve()
    try:
        found = (folder / rel).resolve(strict=True)
    except (OSError, RuntimeError):
        return Answer(404)
    if not found.is_relative_to(root):
        return Answer(403)  # a symlink leading out
    if found.is_dir():
        if rel and not rel.endswith("/"):
            return Answer(301, location=url_path + "/")
        found = found / "index.html"
        if not found.is_file() or not found.resolve().is_relative_to(root):
            return Answer(404)
    return Answer(200, file=found)


def content_type(path: Path) -> str:
    suffix = path.suffix.lower()
    return (
        CONTENT_TYPES.get(suffix)
        or mimetypes.guess_type(path.name)[0]
        or "application/octet-stream"
    )


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True  # a tab's open stream never holds up shutdown
    preview: PreviewServer


class _Server6(_Server):
    address_family = socket.AF_INET6


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _Server
    server_version = "sitegen-serve"
    # An event is one small write on an idle connection: sent at once, not held back until
    # the browser acknowledges the one before (up to 40 ms with its delayed ACKs).
    disable_nagle_algorithm = True

    def do_GET(self) -> None:
        self._respond(with_body=True)

    def do_HEAD(self) -> None:
        self._respond(with_body=False)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the terminal shows builds, not requests."""

    def _respond(self, with_body: bool) -> None:
        preview = self.server.preview
        # Not urlsplit: it would read "//host/x" as a host, and we only ever serve paths.
        path, _, query = self.path.partition("#")[0].partition("?")
        if path == EVENTS_URL:
            self._stream_events(parse_qs(query))
            return
        if path == SCRIPT_URL:
            self._send(200, content_type(CLIENT_JS), CLIENT_JS.read_bytes(), with_body)
            return
        epoch = preview.channel.epoch  # before reading: a page is never older than its epoch
        answer = preview.locate(path)
        if answer.location is not None:
            location = answer.location + (f"?{query}" if query else "")
            self._send(answer.status, "text/plain", b"", with_body, {"Location": location})
        elif answer.file is not None:
            self._send_file(200, answer.file, epoch, with_body)
        elif answer.status == 404:
            page = preview.output / "404.html"
            if page.is_file():
                self._send_file(404, page, epoch, with_body)
            else:
                html = inject_script(NOT_FOUND_PAGE, epoch, preview.channel.session)
                self._send(404, CONTENT_TYPES[".html"], html, with_body)
        else:
            text = http.HTTPStatus(answer.status).phrase.encode()
            self._send(answer.status, "text/plain; charset=utf-8", text, with_body)

    def _send_file(self, status: int, path: Path, epoch: int, with_body: bool) -> None:
        try:
            data = path.read_bytes()
        except OSError:  # replaced or removed by a build since it was found
            self._send(404, "text/plain; charset=utf-8", b"Not Found", with_body)
            return
        kind = content_type(path)
        if kind.startswith("text/html"):
            data = inject_script(data, epoch, self.server.preview.channel.session)
        self._send(status, kind, data, with_body)

    def _send(
        self,
        status: int,
        kind: str,
        data: bytes,
        with_body: bool,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")  # a reload must show the new build
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if with_body:
            self.wfile.write(data)

    def _stream_events(self, query: dict[str, list[str]]) -> None:
        preview = self.server.preview
        path = query.get("path", [""])[0]  # as the browser has it, still percent-encoded
        wanted = page_for(preview.base_path, unquote(path)) or ""
        shows = {wanted}
        if not preview.locate(path).file:
            shows.add("404.html")  # a missing page shows the 404 page until it exists
        try:
            epoch = int(query.get("epoch", ["0"])[0])
        except ValueError:
            epoch = 0
        session = query.get("session", [""])[0]
        tab = preview.channel.connect(frozenset(shows), epoch, session, preview.base_path)
        try:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(b"retry: 1000\n\n")
            while True:
                try:
                    message = tab.messages.get(timeout=PING_SECONDS)
                except queue.Empty:
                    message = b": ping\n\n"
                if message is None:
                    return
                self.wfile.write(message)
        except OSError:
            return  # the tab went away mid-stream
        finally:
            preview.channel.disconnect(tab)


def _bind(host: str, port: int) -> _Server:
    server_class = _Server6 if ":" in host else _Server
    try:
        return server_class((host, port), _Handler)
    except OSError as exc:
        problem = "is already in use" if exc.errno == errno.EADDRINUSE else exc.strerror
        hint = "stop the other server or pass another --port (0 picks a free one)"
        raise AddressUnavailable(f"{host}:{port} {problem}: {hint}") from None


def _base_path(root: Path) -> str:
    """The config's base path; "/" until a broken config is fixed, which the first build says."""
    try:
        return load_config(root).base_path
    except BuildFailed:
        if not (root / CONFIG_NAME).is_file():
            raise  # not a site folder at all
        return "/"


def _theme_folders(root: Path) -> list[Path]:
    try:
        return theme_dirs(load_config(root))
    except BuildFailed:
        return []


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _remove(folder: Path, wait: float) -> subprocess.Popen | None:
    """Remove `folder`, waiting at most `wait` seconds; the process that finishes the job
    then, if one had to be started."""
    remover = threading.Thread(target=_remove_now, args=(folder,), daemon=True)
    remover.start()
    remover.join(wait)
    if not remover.is_alive():
        return None
    script = "import shutil, sys; shutil.rmtree(sys.argv[1], ignore_errors=True)"
    return subprocess.Popen(
        [sys.executable, "-I", "-S", "-c", script, str(folder)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # the terminal's Ctrl-C is not for it
    )


def _remove_now(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


def _say(text: str, stream: object = None) -> None:
    print(text, file=stream or sys.stdout, flush=True)
