"""`sitegen serve` in-process on a free port: what it serves, what it refuses, what it tells tabs."""

from __future__ import annotations

import gc
import http.client
import json
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from watchdog.events import (
    DirModifiedEvent,
    FileCreatedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
)

from sitegen.livereload import EVENTS_URL, ReloadChannel, inject_script, page_for, tab_action
from sitegen.serve import (
    AddressUnavailable,
    PreviewServer,
    Rebuild,
    _remove,
    locate,
    start_server,
)
from sitegen.watch import Debouncer, SourceWatcher
from tests.conftest import post

TIMEOUT = 20  # seconds; every wait is for an event, this only bounds a failure

SUB_PATH_CONFIG = """\
[site]
title = "Serve test blog"
base_url = "https://example.org/sub/"
language = "en"

[build]
post_url = "/posts/{slug}/"
"""

SITE = {
    "content/posts/first.md": post("First post", "2024-01-01", body="The first body."),
    "content/posts/second.md": post("Second post", "2024-01-02", body="The second body."),
    "static/fonts/math.woff2": b"wOF2fake",
    "static/images/dot.svg": '<svg xmlns="http://www.w3.org/2000/svg"/>',
    "static/images/dot.png": b"\x89PNG\r\n\x1a\nfake",
    "static/js/extra.js": "console.log(1);",
    "static/data/index.json": "{}",
    "static/css/extra.css": "body { color: black; }",
}


@pytest.fixture
def preview(make_site: Callable[..., Path]) -> Iterator[PreviewServer]:
    server = start_server(make_site(SITE, SUB_PATH_CONFIG), port=0)
    yield server
    server.close()


def get(server: PreviewServer, path: str, method: str = "GET") -> tuple[int, dict, bytes]:
    """One raw request: `path` goes on the request line exactly as given, `..` and all."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=TIMEOUT)
    try:
        connection.request(method, path)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


class Tab:
    """What a browser tab does: load a page, then listen on the event stream with its epoch."""

    def __init__(self, server: PreviewServer, path: str) -> None:
        _, _, html = get(server, path)
        found = re.search(rb'data-epoch="(\d+)" data-session="(\w+)"', html)
        assert found, "no live-reload script in the page"
        epoch, session = (value.decode() for value in found.groups())
        self.connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=TIMEOUT)
        self.connection.request("GET", f"{EVENTS_URL}?path={path}&epoch={epoch}&session={session}")
        self.socket = self.connection.sock  # http.client lets go of it once the response starts
        self.stream = self.connection.getresponse()
        assert self.stream.status == 200
        assert self.stream.getheader("Content-Type") == "text/event-stream"

    def next_event(self) -> tuple[str, dict]:
        """The next event (skipping retry and ping lines); a socket timeout fails the test."""
        name = None
        while True:
            line = self.stream.fp.readline().decode().rstrip("\n")
            if line.startswith("event: "):
                name = line.removeprefix("event: ")
            elif line.startswith("data: ") and name:
                return name, json.loads(line.removeprefix("data: "))

    def close(self) -> None:
        self.connection.close()


def edit(path: Path, old: str, new: str) -> None:
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


# What is served, and what is not.


def test_pages_are_served_under_the_base_path(preview: PreviewServer) -> None:
    assert preview.url == f"http://127.0.0.1:{preview.port}/sub/"
    status, _, body = get(preview, "/sub/")
    assert status == 200
    assert b"First post" in body
    status, _, body = get(preview, "/sub/posts/first/")
    assert status == 200
    assert b"The first body." in body
    assert get(preview, "/posts/first/")[0] == 404  # outside the base path, as on the real host


@pytest.mark.parametrize(
    ("path", "location"),
    [
        ("/sub/posts/first", "/sub/posts/first/"),
        ("/sub", "/sub/"),
        ("/sub/posts?x=1", "/sub/posts/?x=1"),
    ],
)
def test_a_folder_without_its_slash_redirects(
    preview: PreviewServer, path: str, location: str
) -> None:
    status, headers, _ = get(preview, path)
    assert status == 301
    assert headers["Location"] == location


@pytest.mark.parametrize(
    "path",
    [
        "/sub/../sitegen.toml",
        "/sub/posts/../../sitegen.toml",
        "/sub/%2e%2e/sitegen.toml",
        "/sub/%2E%2E%2Fsitegen.toml",
        "/sub/posts/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/sub/..%5csitegen.toml",
    ],
)
def test_paths_out_of_the_output_are_refused(preview: PreviewServer, path: str) -> None:
    status, _, body = get(preview, path)
    assert status == 403
    assert b"[site]" not in body


def test_a_symlink_out_of_the_output_is_refused(preview: PreviewServer, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("do not serve")
    (preview.output / "leak.txt").symlink_to(secret)
    (preview.output / "leaks").symlink_to(tmp_path, target_is_directory=True)
    for path in ("/sub/leak.txt", "/sub/leaks/secret.txt"):
        status, _, body = get(preview, path)
        assert status == 403, path
        assert b"do not serve" not in body


def test_dotfiles_are_never_served(preview: PreviewServer) -> None:
    (preview.output / ".env").write_text("TOKEN=1")
    (preview.output / ".git").mkdir()
    (preview.output / ".git" / "config").write_text("[core]")
    for path in ("/sub/.env", "/sub/.git/config", "/sub/%2eenv", "/sub/.git/"):
        status, _, body = get(preview, path)
        assert status == 404, path
        assert b"TOKEN" not in body
        assert b"[core]" not in body


def test_a_missing_page_is_the_themes_404_with_status_404(preview: PreviewServer) -> None:
    status, headers, body = get(preview, "/sub/no/such/page/")
    assert status == 404
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert b'class="not-found"' in body
    assert b"/__sitegen/livereload.js" in body  # it reloads when the page appears


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/sub/", "text/html; charset=utf-8"),
        ("/sub/css/site.css", "text/css; charset=utf-8"),
        ("/sub/js/extra.js", "text/javascript; charset=utf-8"),
        ("/sub/data/index.json", "application/json"),
        ("/sub/atom.xml", "application/xml"),
        ("/sub/sitemap.xml", "application/xml"),
        ("/sub/images/dot.svg", "image/svg+xml"),
        ("/sub/images/dot.png", "image/png"),
        ("/sub/fonts/math.woff2", "font/woff2"),
        ("/__sitegen/livereload.js", "text/javascript; charset=utf-8"),
    ],
)
def test_content_types(preview: PreviewServer, path: str, content_type: str) -> None:
    status, headers, body = get(preview, path)
    assert status == 200
    assert headers["Content-Type"] == content_type
    assert int(headers["Content-Length"]) == len(body)


def test_head_sends_headers_only(preview: PreviewServer) -> None:
    status, headers, body = get(preview, "/sub/", method="HEAD")
    assert status == 200
    assert int(headers["Content-Length"]) > 0
    assert body == b""


def test_the_script_is_in_served_html_only_never_on_disk(preview: PreviewServer) -> None:
    _, _, page = get(preview, "/sub/posts/first/")
    assert page.count(b"/__sitegen/livereload.js") == 1
    assert page.index(b"/__sitegen/livereload.js") < page.rindex(b"</body>")
    _, _, css = get(preview, "/sub/css/site.css")
    assert b"__sitegen" not in css
    written = [path for path in preview.output.rglob("*") if path.is_file()]
    assert written
    assert not [path for path in written if b"__sitegen" in path.read_bytes()]
    assert not (preview.root / "public").exists()  # the site's own output folder is untouched


def test_inject_script_goes_before_the_last_body_end_or_at_the_end() -> None:
    assert inject_script(b"<p>a</p></BODY></html>", 3, "s").startswith(
        b'<p>a</p><script src="/__sitegen/livereload.js" data-epoch="3" data-session="s">'
    )
    assert inject_script(b"<p>a</p>", 3, "s").endswith(b"</script>")


def test_locate_maps_paths_to_files(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "index.html").write_text("a")
    (tmp_path / "b").mkdir()
    assert locate(tmp_path, "/", "/a/").file == tmp_path.resolve() / "a" / "index.html"
    assert locate(tmp_path, "/", "/a").location == "/a/"
    assert locate(tmp_path, "/", "/b/").status == 404  # a folder without index.html
    assert locate(tmp_path, "/", "//etc/passwd").status == 403
    assert locate(tmp_path, "/x/", "/y/").status == 404


# Rebuilds and what the tabs are told.


def test_an_edit_rebuilds_and_reloads_only_the_tabs_it_touches(
    preview: PreviewServer, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = Tab(preview, "/sub/posts/first/"), Tab(preview, "/sub/posts/second/")
    edit(preview.root / "content/posts/second.md", "The second body.", "Edited second body.")
    rebuild = preview.wait_for_build(2, TIMEOUT)
    assert "posts/second/index.html" in rebuild.changed
    assert "posts/first/index.html" not in rebuild.changed
    assert rebuild.errors == ()
    assert second.next_event() == ("reload", {})
    assert b"Edited second body." in get(preview, "/sub/posts/second/")[2]
    assert rebuild.pages == 2  # the post, and the index showing its first paragraph
    assert capsys.readouterr().out == rebuild.summary() + "\n"
    assert rebuild.summary().startswith("rebuilt 2 pages, ")
    # The first tab was told nothing: its next event is the one a later edit to it causes.
    edit(preview.root / "content/posts/first.md", "The first body.", "Edited first body.")
    preview.wait_for_build(3, TIMEOUT)
    assert first.next_event() == ("reload", {})
    first.close()
    second.close()


def test_a_css_only_change_swaps_stylesheets(preview: PreviewServer) -> None:
    tab = Tab(preview, "/sub/posts/first/")
    edit(preview.root / "static/css/extra.css", "black", "navy")
    rebuild = preview.wait_for_build(2, TIMEOUT)
    assert rebuild.changed == {"css/extra.css"}
    name, data = tab.next_event()
    assert name == "css"
    assert data["paths"] == ["/sub/css/extra.css"]
    tab.close()


def test_a_tab_that_connects_late_catches_up(preview: PreviewServer) -> None:
    _, _, html = get(preview, "/sub/posts/first/")
    epoch, session = re.search(rb'data-epoch="(\d+)" data-session="(\w+)"', html).groups()
    edit(preview.root / "content/posts/first.md", "The first body.", "Edited.")
    preview.wait_for_build(2, TIMEOUT)
    connection = http.client.HTTPConnection("127.0.0.1", preview.port, timeout=TIMEOUT)
    query = f"path=/sub/posts/first/&epoch={epoch.decode()}&session={session.decode()}"
    connection.request("GET", f"{EVENTS_URL}?{query}")
    stream = connection.getresponse()
    assert b"event: reload" in b"".join(stream.fp.readline() for _ in range(3))
    connection.close()


def test_a_deleted_post_loses_its_page_and_a_new_one_appears(preview: PreviewServer) -> None:
    (preview.root / "content/posts/second.md").unlink()
    (preview.root / "content/posts/third.md").write_text(post("Third post", "2024-01-03"))
    rebuild = preview.wait_for_build(2, TIMEOUT)
    assert {"posts/second/index.html", "posts/third/index.html"} <= rebuild.changed
    assert "posts/second/index.html" in rebuild.removed
    assert "posts/third/index.html" not in rebuild.removed
    assert get(preview, "/sub/posts/second/")[0] == 404
    assert get(preview, "/sub/posts/third/")[0] == 200
    assert b"Third post" in get(preview, "/sub/")[2]


def test_a_burst_of_saves_is_one_rebuild(make_site: Callable[..., Path]) -> None:
    root = make_site(SITE, SUB_PATH_CONFIG)
    # A long quiet period, so a slow test machine cannot split the burst in two.
    with start_server(root, port=0, quiet_seconds=0.5) as server:
        source = root / "content/posts/first.md"
        for number in range(10):
            source.write_text(post("First post", body=f"Save number {number}."))
        rebuild = server.wait_for_build(2, TIMEOUT)
        assert len(server.rebuilds) == 2
        assert b"Save number 9." in get(server, "/sub/posts/first/")[2]
        assert "posts/first/index.html" in rebuild.changed


class Clock:
    """A clock the test moves by hand, so no test waits on real time."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_save_of_few_files_settles_after_the_short_quiet_period() -> None:
    clock = Clock()
    debouncer = Debouncer(quiet=0.02, burst_quiet=0.3, burst_files=3, clock=clock)
    assert debouncer.settles_at() is None
    # An editor's save: a temporary file renamed over the post, the post written twice.
    debouncer.poke("content/a.md.tmp1", "content/a.md")
    debouncer.poke("content/a.md")
    debouncer.poke("content/a.md")
    assert debouncer.settles_at() == pytest.approx(100.02)
    clock.now = 100.01
    debouncer.poke("content/a.md")  # each poke starts the quiet period again
    assert debouncer.settles_at() == pytest.approx(100.03)


def test_a_burst_of_many_files_waits_for_the_long_quiet_period_then_starts_afresh() -> None:
    clock = Clock()
    debouncer = Debouncer(quiet=0.02, burst_quiet=0.3, burst_files=3, clock=clock)
    for name in ("a", "b", "c", "d"):  # a checkout: more files than a save touches
        debouncer.poke(f"content/{name}.md")
    assert debouncer.settles_at() == pytest.approx(100.3)
    clock.now = 100.3
    assert debouncer.wait() is True  # settled: returns at once
    assert debouncer.settles_at() is None
    debouncer.poke("content/a.md")  # the next save is a save again
    assert debouncer.settles_at() == pytest.approx(100.32)


def test_pokes_while_the_caller_is_busy_make_one_more_wake_up() -> None:
    clock = Clock()
    debouncer = Debouncer(quiet=0.02, clock=clock)
    debouncer.poke("content/a.md")
    clock.now += 1
    assert debouncer.wait() is True
    debouncer.poke("content/a.md")  # during the rebuild
    debouncer.poke("content/b.md")
    clock.now += 1
    assert debouncer.wait() is True
    assert not debouncer.pending
    debouncer.close()
    assert debouncer.wait() is False


def test_the_debouncer_waits_for_quiet() -> None:
    debouncer = Debouncer(quiet=0.05)
    for _ in range(10):
        debouncer.poke()
    started = time.monotonic()
    assert debouncer.wait() is True
    assert time.monotonic() - started >= 0.04
    assert not debouncer.pending  # ten pokes, one wake-up
    debouncer.close()
    assert debouncer.wait() is False


def test_a_broken_save_keeps_the_last_good_site_and_shows_the_error(
    preview: PreviewServer, capsys: pytest.CaptureFixture[str]
) -> None:
    tab = Tab(preview, "/sub/posts/first/")
    source = preview.root / "content/posts/first.md"
    good = source.read_text(encoding="utf-8")
    source.write_text(good.replace("title: First post", "title: [First post"), encoding="utf-8")
    rebuild = preview.wait_for_build(2, TIMEOUT)
    assert rebuild.changed == frozenset()
    [error] = rebuild.errors
    assert re.match(r"content/posts/first\.md:\d+: front matter", error), error
    assert preview.errors == rebuild.errors
    assert tab.next_event() == ("build-error", {"errors": [error]})
    assert f"error: {error}" in capsys.readouterr().err
    status, _, body = get(preview, "/sub/posts/first/")
    assert status == 200  # the last good build, not a page missing its post
    assert b"The first body." in body

    late = Tab(preview, "/sub/")  # a tab opened meanwhile shows the error too
    assert late.next_event() == ("build-error", {"errors": [error]})

    source.write_text(good.replace("The first body.", "Fixed body."), encoding="utf-8")
    rebuild = preview.wait_for_build(3, TIMEOUT)
    assert rebuild.errors == ()
    assert preview.errors == ()
    assert tab.next_event() == ("build-ok", {})
    assert tab.next_event() == ("reload", {})
    assert late.next_event() == ("build-ok", {})
    tab.close()
    late.close()


def test_a_first_build_that_fails_serves_the_error_until_fixed(
    make_site: Callable[..., Path],
) -> None:
    root = make_site(SITE, SUB_PATH_CONFIG + "[build\n")
    with start_server(root, port=0) as server:
        [error] = server.errors
        assert error.startswith("sitegen.toml:")
        status, _, body = get(server, "/")  # base path unknown until the config reads
        assert status == 404
        assert b"/__sitegen/livereload.js" in body
        tab = Tab(server, "/")
        assert tab.next_event() == ("build-error", {"errors": [error]})
        (root / "sitegen.toml").write_text(SUB_PATH_CONFIG, encoding="utf-8")
        assert server.wait_for_build(2, TIMEOUT).errors == ()
        assert tab.next_event() == ("build-ok", {})
        assert tab.next_event() == ("reload", {})
        assert server.url.endswith("/sub/")
        assert get(server, "/sub/")[0] == 200
        tab.close()


def test_a_bug_during_a_build_is_shown_and_the_server_keeps_going(
    preview: PreviewServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(*args: object) -> None:
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr("sitegen.serve.build_site", broken)
    (preview.root / "content/posts/first.md").write_text(post("First post", body="Changed."))
    rebuild = preview.wait_for_build(2, TIMEOUT)
    assert rebuild.errors == ("sitegen bug: ZeroDivisionError: a bug (traceback in the terminal)",)
    assert "Traceback" in capsys.readouterr().err
    assert get(preview, "/sub/")[0] == 200


# Many tabs, shutdown, the port.


def test_many_tabs_and_a_tab_that_vanishes_block_nothing(preview: PreviewServer) -> None:
    tabs = [Tab(preview, "/sub/posts/first/") for _ in range(20)]
    for tab in tabs[::2]:
        tab.socket.shutdown(socket.SHUT_RDWR)  # gone mid-stream, without a goodbye
        tab.stream.close()
    edit(preview.root / "content/posts/first.md", "The first body.", "Edited.")
    preview.wait_for_build(2, TIMEOUT)
    for tab in tabs[1::2]:
        assert tab.next_event() == ("reload", {})
        tab.close()
    assert get(preview, "/sub/")[0] == 200


def test_close_frees_the_port_at_once_even_with_open_streams(
    make_site: Callable[..., Path],
) -> None:
    server = start_server(make_site(SITE, SUB_PATH_CONFIG), port=0)
    tab = Tab(server, "/sub/")
    output = server.output
    started = time.monotonic()
    server.close()
    assert time.monotonic() - started < 1
    # The stream ends (a hanging one would time out the read) with nothing after its preamble.
    assert tab.stream.fp.read() == b"retry: 1000\n\n"
    assert not output.exists()  # the temporary output is gone
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(("127.0.0.1", server.port))


def test_a_preview_too_big_to_delete_at_once_is_deleted_after_close(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "sitegen-serve-x"
    for number in range(50):
        (folder / "site" / str(number)).mkdir(parents=True)
        (folder / "site" / str(number) / "index.html").write_text("<p>page</p>")
    release = threading.Event()
    monkeypatch.setattr("sitegen.serve._remove_now", lambda folder: release.wait(TIMEOUT))
    remover = _remove(folder, wait=0)  # as if deleting took longer than Ctrl-C may
    release.set()
    assert remover is not None
    assert remover.wait(TIMEOUT) == 0
    assert not folder.exists()


def test_a_busy_port_says_so(preview: PreviewServer, make_site: Callable[..., Path]) -> None:
    with pytest.raises(AddressUnavailable, match=rf"127\.0\.0\.1:{preview.port} is already in use"):
        start_server(preview.root, port=preview.port)


def test_not_a_site_folder_is_a_user_error(tmp_path: Path) -> None:
    from sitegen.errors import BuildFailed

    with pytest.raises(BuildFailed):
        start_server(tmp_path, port=0)


def test_the_command_prints_its_url_and_stops_on_ctrl_c(make_site: Callable[..., Path]) -> None:
    root = make_site(SITE, SUB_PATH_CONFIG)
    command = [sys.executable, "-m", "sitegen.cli", "serve", str(root), "--port", "0"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline().startswith("built ")
        line = process.stdout.readline()
        url = re.fullmatch(r"serving (http://127\.0\.0\.1:(\d+)/sub/) \(Ctrl-C to stop\)\n", line)
        assert url, line
        port = int(url.group(2))

        busy = subprocess.run(
            [*command[:-1], str(port)], capture_output=True, text=True, timeout=TIMEOUT
        )
        assert busy.returncode == 1
        assert busy.stderr.splitlines() == [
            f"error: 127.0.0.1:{port} is already in use: stop the other server"
            " or pass another --port (0 picks a free one)"
        ]

        started = time.monotonic()
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=TIMEOUT) == 0
        assert time.monotonic() - started < 1
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(("127.0.0.1", port))
    finally:
        process.kill()
        process.wait()


# The pure parts.


@pytest.mark.parametrize(
    ("shows", "changed", "action"),
    [
        ({"a/index.html"}, {"a/index.html", "atom.xml"}, "reload"),
        ({"a/index.html"}, {"b/index.html", "atom.xml", "sitemap.xml"}, None),
        ({"a/index.html"}, {"css/site.css"}, "css"),
        ({"a/index.html"}, {"css/site.css", "a/index.html"}, "reload"),
        ({"a/index.html"}, {"images/plot.png"}, "reload"),  # any page may show it
        ({"new/index.html", "404.html"}, {"new/index.html"}, "reload"),
        ({"a/index.html"}, set(), None),
    ],
)
def test_tab_action(shows: set[str], changed: set[str], action: str | None) -> None:
    assert tab_action(shows, changed) == action


def test_page_for() -> None:
    assert page_for("/sub/", "/sub/") == "index.html"
    assert page_for("/sub/", "/sub/posts/a/") == "posts/a/index.html"
    assert page_for("/sub/", "/sub/atom.xml") == "atom.xml"
    assert page_for("/sub/", "/other/") is None


def test_channel_tells_each_tab_what_concerns_it() -> None:
    channel = ReloadChannel()
    a = channel.connect(frozenset({"a/index.html"}), 0, channel.session, "/")
    b = channel.connect(frozenset({"b/index.html"}), 0, channel.session, "/")
    stale = channel.connect(frozenset({"b/index.html"}), 0, "an-older-server", "/")
    channel.publish({"a/index.html"}, [], "/")
    assert a.messages.get_nowait() == b"event: reload\ndata: {}\n\n"
    assert b.messages.empty()
    assert stale.messages.get_nowait() == b"event: reload\ndata: {}\n\n"
    assert channel.tabs == 3
    channel.close()
    assert a.messages.get_nowait() is None
    assert channel.tabs == 0


def test_a_save_that_breaks_a_post_and_one_that_restores_it_change_nothing_on_screen(
    preview: PreviewServer, capsys: pytest.CaptureFixture[str]
) -> None:
    source = preview.root / "content/posts/first.md"
    good = source.read_text(encoding="utf-8")
    source.write_text(good.replace("title: First post", "title: [First post"), encoding="utf-8")
    assert preview.wait_for_build(2, TIMEOUT).errors
    capsys.readouterr()
    source.write_text(good, encoding="utf-8")
    rebuild = preview.wait_for_build(3, TIMEOUT)
    assert rebuild.errors == ()
    assert rebuild.changed == frozenset()  # the build put the page back; the tab never lost it
    assert capsys.readouterr().out.startswith("rebuilt 0 pages in ")


def test_the_first_builds_heap_is_frozen_while_serving(make_site: Callable[..., Path]) -> None:
    with start_server(make_site(SITE, SUB_PATH_CONFIG), port=0):
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0


@pytest.mark.parametrize(
    ("number", "changed", "removed", "errors", "line"),
    [
        (1, {"index.html", "a/index.html", "css/x.css"}, set(), (), "built 2 pages, 1 other file"),
        (2, {"a/index.html"}, set(), (), "rebuilt 1 page"),
        (2, {"a/index.html", "atom.xml", "rss.xml"}, set(), (), "rebuilt 1 page, 2 other files"),
        (2, {"css/site.css"}, set(), (), "rebuilt 0 pages, 1 other file"),
        (2, {"index.html", "b/index.html"}, {"b/index.html"}, (), "rebuilt 1 page, removed 1"),
        (2, set(), set(), (), "rebuilt 0 pages"),
        (2, set(), set(), ("a.md:3: bad",), "1 error(s); showing the last good build"),
        (1, {"index.html"}, set(), ("a.md:3: bad",), "1 error(s); showing the pages that built"),
    ],
)
def test_the_summary_line_counts_what_changed_on_screen(
    number: int, changed: set[str], removed: set[str], errors: tuple[str, ...], line: str
) -> None:
    rebuild = Rebuild(number, frozenset(changed), errors, 41.2, frozenset(removed))
    head, _, tail = line.partition(";")
    assert rebuild.summary() == f"{head} in 41 ms{';' if tail else ''}{tail}"


@pytest.mark.parametrize(
    ("event", "pokes"),
    [
        (FileModifiedEvent("SITE/content/posts/a.md"), ["content/posts/a.md"]),
        # An editor's save: its temporary file renamed over the post.
        (
            FileMovedEvent("SITE/content/posts/a.md.tmp", "SITE/content/posts/a.md"),
            ["content/posts/a.md"],
        ),
        (
            FileMovedEvent("SITE/content/posts/a.md", "SITE/content/posts/b.md"),
            ["content/posts/a.md", "content/posts/b.md"],
        ),
        (FileCreatedEvent("SITE/content/posts/.a.md.swp"), []),
        (FileModifiedEvent("SITE/public/index.html"), []),
        (DirModifiedEvent("SITE/content/posts"), []),  # a folder's timestamp
    ],
)
def test_the_watcher_names_the_sources_each_change_touches(
    tmp_path: Path, event: FileSystemEvent, pokes: list[str]
) -> None:
    site = (tmp_path / "site").resolve()
    seen: list[tuple[Path, ...]] = []
    watcher = SourceWatcher(site, [], lambda *paths: seen.append(paths))
    for name in ("src_path", "dest_path"):
        if getattr(event, name, ""):
            setattr(event, name, getattr(event, name).replace("SITE", str(site)))
    watcher.on_any_event(event)
    expected = [tuple(site / rel for rel in pokes)] if pokes else []
    assert seen == expected


def test_the_watcher_sees_sources_only(tmp_path: Path) -> None:
    theme = tmp_path / "shipped-theme"
    watcher = SourceWatcher(tmp_path / "site", [theme], lambda: None)
    site = (tmp_path / "site").resolve()
    for rel in ("content/posts/a.md", "static/css/x.css", "themes/t/base.html", "sitegen.toml"):
        assert watcher.is_source(site / rel), rel
    for rel in (
        "public/index.html",
        ".sitegen/cache.json",
        ".git/index",
        "content/posts/.a.md.swp",
        "content/posts/a.md~",
        "content/posts/4913",
        "content/posts/#a.md#",  # emacs' auto-save
        "content/posts/a.md___jb_tmp___",  # JetBrains' safe write
        "content/posts/a.md___jb_old___",
        "content/posts/a.md.tmp",
        "README.md",
    ):
        assert not watcher.is_source(site / rel), rel
    assert watcher.is_source(theme.resolve() / "templates/base.html")
