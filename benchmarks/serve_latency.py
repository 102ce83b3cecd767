"""How long `sitegen serve` takes from a post's save to its tab's reload event (a benchmark,
not a test).

    python benchmarks/serve_latency.py --posts 1000               # 20 saves after 3 warm-ups
    python benchmarks/serve_latency.py --posts 5000 --site /tmp/serve5000
    python benchmarks/serve_latency.py --posts 1000 --profile /tmp/rebuild.prof

The server runs in a process of its own (this script with --child), as `sitegen serve`
runs beside the editor and the browser. This process is the editor, which saves one post
with a new last paragraph, and the tab: it loads the post's page, listens on its event
stream and, on `reload`, loads the page again and reconnects, as the injected script does.
The child reports each rebuild's moments (the watcher's first notice of the save, the start
of the rebuild, build_site's start and end, the publishing of the reload), all on
CLOCK_MONOTONIC, which both processes share. Then it rewrites --burst posts at once, as a
`git checkout` does, and counts the rebuilds that causes; last, Ctrl-C, and how long the
server takes to exit.

The corpus is --site (made by benchmarks/corpus.py or the shared make_corpus.py; the files
the benchmark edits are put back) or else generated into a temporary folder by
--corpus-script (any script taking `--target sitegen --posts N --out DIR`).
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import http.client
import json
import os
import queue
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS_SCRIPT = REPO / "benchmarks" / "corpus.py"
TIMEOUT = 120  # seconds: bounds a failure only
PAUSE = 0.3  # seconds between saves, so that two saves are never one burst


def clock() -> float:
    return time.clock_gettime(time.CLOCK_MONOTONIC)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--saves", type=int, default=20, help="measured saves (default 20)")
    parser.add_argument("--warmup", type=int, default=3, help="saves before those (default 3)")
    parser.add_argument("--burst", type=int, default=500, help="posts rewritten at once")
    parser.add_argument("--site", type=Path, help="an existing corpus (default: a new one)")
    parser.add_argument("--corpus-script", type=Path, default=DEFAULT_CORPUS_SCRIPT)
    parser.add_argument("--profile", type=Path, help="cProfile the rebuilds into this file")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return serve_and_report(args.child, args.profile)

    with contextlib.ExitStack() as stack:
        site = args.site
        if site is None:
            if not args.corpus_script.is_file():
                print(f"skipped: no corpus generator at {args.corpus_script} (pass --site)")
                return 0
            folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="sitegen-bench-"))
            site = Path(folder) / "site"
            generate = [sys.executable, str(args.corpus_script), "--target", "sitegen"]
            generate += ["--posts", str(args.posts), "--out", str(site)]
            subprocess.run(generate, check=True, stdout=subprocess.DEVNULL)
        posts = sorted((site / "content").rglob("*.md"))
        if len(posts) != args.posts:
            print(f"{site} holds {len(posts)} posts, not {args.posts}", file=sys.stderr)
            return 1
        load_before = os.getloadavg()
        server = stack.enter_context(Child.start(site, args.profile))
        saves = measure_saves(server, posts[len(posts) // 2], args.warmup, args.saves)
        burst = measure_burst(server, posts, min(args.burst, len(posts)))
        exit_seconds = server.interrupt()
    report(args, server, saves, burst, exit_seconds, load_before)
    if args.profile:
        print(f"profile of the rebuilds: {args.profile} (python -m pstats {args.profile})")
    return 0


# --- the server's side -------------------------------------------------------------------


def serve_and_report(site: Path, profile: Path | None) -> int:
    """Run the preview of `site` and print one JSON line per rebuild, with its moments."""
    import sitegen.serve as serve
    from sitegen.livereload import ReloadChannel
    from sitegen.watch import Debouncer

    out = sys.stdout
    moments: dict[str, float] = {}
    next_poke: list[float] = []  # the first notice of a change no rebuild has started on
    profiler = cProfile.Profile() if profile else None

    def wrap(owner: Any, name: str, around: Callable) -> None:
        original = getattr(owner, name)
        setattr(owner, name, lambda *args, **kw: around(original, *args, **kw))

    def poke(original: Callable, *args: object) -> None:
        if not next_poke:
            next_poke.append(clock())
        original(*args)

    def build_site(original: Callable, *args: object) -> Any:
        moments["build_start"] = clock()
        try:
            return original(*args)
        finally:
            moments["build_end"] = clock()

    def publish(original: Callable, *args: object) -> None:
        moments["published"] = clock()
        original(*args)

    def rebuild(original: Callable, server: serve.PreviewServer) -> None:
        moments.clear()
        moments["poke"] = next_poke.pop() if next_poke else float("nan")
        moments["started"] = clock()
        profiling = profiler is not None and server.rebuilds
        if profiling:
            profiler.enable()
        try:
            original(server)
        finally:
            if profiling:
                profiler.disable()
        moments["finished"] = clock()
        done = server.rebuilds[-1]
        line = {"number": done.number, "changed": sorted(done.changed), "errors": done.errors}
        line |= {"milliseconds": done.milliseconds, "pending": server._debouncer.pending}
        print(json.dumps(line | moments), file=out, flush=True)

    wrap(Debouncer, "poke", poke)
    wrap(serve, "build_site", build_site)
    wrap(ReloadChannel, "publish", publish)
    wrap(serve.PreviewServer, "_rebuild", rebuild)
    with contextlib.redirect_stdout(sys.stderr), serve.start_server(site, port=0) as server:
        ready = {"port": server.port, "base_path": server.base_path, "output": str(server.output)}
        print(json.dumps(ready), file=out, flush=True)  # the server's own lines go to stderr
        server.wait()
    if profiler is not None:
        profiler.dump_stats(profile)
    return 0


class Child:
    """The server process, and the lines it reports."""

    def __init__(self, process: subprocess.Popen, log: Any) -> None:
        self.process = process
        self.log = log
        self.lines: queue.Queue[dict | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.first_build = self.next_line()
        ready = self.next_line()
        self.port, self.base_path = ready["port"], ready["base_path"]
        self.output = Path(ready["output"])

    @classmethod
    @contextlib.contextmanager
    def start(cls, site: Path, profile: Path | None) -> Iterator[Child]:
        command = [sys.executable, __file__, "--child", str(site)]
        command += ["--profile", str(profile)] if profile else []
        environment = os.environ | {"PYTHONPATH": os.pathsep.join([str(REPO), *sys.path[1:]])}
        with tempfile.TemporaryFile("w+") as log:
            process = subprocess.Popen(
                command, stdout=subprocess.PIPE, stderr=log, text=True, env=environment
            )
            try:
                yield cls(process, log)
            except BaseException:
                log.seek(0)
                sys.stderr.write("the server's output:\n" + log.read()[-4000:])
                raise
            finally:
                if process.poll() is None:  # stopped as Ctrl-C does, so it removes its folder
                    process.send_signal(signal.SIGINT)
                    with contextlib.suppress(subprocess.TimeoutExpired):
                        process.wait(timeout=10)
                    process.kill()
                process.wait()

    def next_line(self, timeout: float = TIMEOUT) -> dict:
        line = self.lines.get(timeout=timeout)
        if line is None:
            raise RuntimeError("the server stopped")
        return line

    def interrupt(self) -> float:
        """Ctrl-C: the seconds until the server has exited."""
        sent = clock()
        self.process.send_signal(signal.SIGINT)
        self.process.wait(timeout=TIMEOUT)
        return clock() - sent

    def _read(self) -> None:
        for text in self.process.stdout:
            self.lines.put(json.loads(text))
        self.lines.put(None)


# --- the editor's and the tab's side ------------------------------------------------------


class Tab:
    """A browser tab showing one page: it loads it and listens on its event stream."""

    def __init__(self, server: Child, path: str) -> None:
        self.server = server
        self.path = path
        self.stream: http.client.HTTPResponse | None = None

    def load(self) -> bytes:
        """Load the page, then (re)open the event stream with the epoch the page came from."""
        if self.stream is not None:
            self.stream.close()
        page = self._get(self.path).read()
        found = re.search(rb'data-epoch="(\d+)" data-session="(\w+)"', page)
        assert found, "no live-reload script in the page"
        epoch, session = (value.decode() for value in found.groups())
        query = f"path={self.path}&epoch={epoch}&session={session}"
        self.stream = self._get(f"/__sitegen/events?{query}")
        return page

    def wait_for(self, wanted: str) -> float:
        """Block until the event named `wanted`; when it came."""
        name = None
        while True:
            line = self.stream.fp.readline().decode()
            if not line:
                raise RuntimeError("the event stream ended")
            if line.startswith("event: "):
                name = line.removeprefix("event: ").strip()
            elif line.startswith("data: ") and name == wanted:
                return clock()

    def _get(self, path: str) -> http.client.HTTPResponse:
        connection = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=TIMEOUT)
        connection.request("GET", path)
        return connection.getresponse()


def measure_saves(server: Child, post: Path, warmup: int, saves: int) -> list[dict[str, float]]:
    """Save `post` again and again; per measured save, the moments from save to new page."""
    original = post.read_text(encoding="utf-8")
    try:
        tab = Tab(server, find_page(server, post, original))
        tab.load()
        measured = []
        for number in range(warmup + saves):
            marker = f"基准测试第 {number} 次保存"
            paragraph = f"{marker}：$e^{{i\\pi}} + {number} = {number - 1}$。"
            saved = clock()
            post.write_text(f"{original}\n\n{paragraph}\n", encoding="utf-8")
            rebuilds = rebuilds_after(server, clock())
            reload = tab.wait_for("reload")
            page = tab.load()
            loaded = clock()
            assert marker.encode() in page, "the reloaded page is not the saved version"
            if number >= warmup:
                moments = {"saved": saved, "reload": reload, "loaded": loaded}
                measured.append(moments | rebuilds[0] | {"rebuilds": len(rebuilds)})
            time.sleep(PAUSE)
        return measured
    finally:
        post.write_text(original, encoding="utf-8")
        rebuilds_after(server, clock())


def find_page(server: Child, post: Path, original: str) -> str:
    """The URL path of `post`'s page: save it with a marker, find the page that shows it."""
    post.write_text(f"{original}\n\nLocating this post.\n", encoding="utf-8")
    for rel in rebuilds_after(server, clock())[-1]["changed"]:
        if rel.endswith(".html") and b"Locating this post." in (server.output / rel).read_bytes():
            return server.base_path + rel.removesuffix("index.html")
    raise RuntimeError(f"no page shows {post}")


def measure_burst(server: Child, posts: list[Path], count: int) -> dict[str, Any]:
    """Rewrite `count` posts as fast as possible, then put them back: the rebuilds each
    burst caused, and the time from its first write to its last rebuild's reload."""
    if count == 0:
        return {}
    chosen = posts[:count]
    originals = [path.read_text(encoding="utf-8") for path in chosen]
    results = {}
    try:
        for name, texts in [
            ("rewrite", [text + "\n\n同一时间改写的段落。\n" for text in originals]),
            ("put back", originals),
        ]:
            started = clock()
            for path, text in zip(chosen, texts, strict=True):
                path.write_text(text, encoding="utf-8")
            rebuilds = rebuilds_after(server, clock())
            published = rebuilds[-1]["published"]
            results[name] = {"rebuilds": len(rebuilds), "ms": (published - started) * 1000}
    finally:
        for path, text in zip(chosen, originals, strict=True):
            path.write_text(text, encoding="utf-8")
        rebuilds_after(server, clock())
    return results


def rebuilds_after(server: Child, written: float) -> list[dict]:
    """The rebuilds that writes ending at `written` cause: up to one that started after
    them with nothing left pending. Every change it did not see would still be pending,
    since the watcher reports a write within milliseconds."""
    lines = [server.next_line()]
    while lines[-1]["started"] <= written or lines[-1]["pending"]:
        lines.append(server.next_line())
    return lines


# --- the report --------------------------------------------------------------------------


def report(
    args: argparse.Namespace,
    server: Child,
    saves: list[dict[str, float]],
    burst: dict[str, Any],
    exit_seconds: float,
    load_before: tuple[float, float, float],
) -> None:
    def ms(key: str, start: str) -> list[float]:
        return [(save[key] - save[start]) * 1000 for save in saves]

    def figures(values: list[float]) -> str:
        p90 = statistics.quantiles(values, n=10)[-1] if len(values) > 1 else values[0]
        median = statistics.median(values)
        spread = f"min {min(values):.0f}, max {max(values):.0f}"
        return f"median {median:.0f} ms, p90 {p90:.0f} ms ({spread})"

    total = ms("reload", "saved")
    serve_own = [
        (s["finished"] - s["started"] - (s["build_end"] - s["build_start"])) * 1000 for s in saves
    ]
    print(
        f"{args.posts} posts, first build {server.first_build['milliseconds']:.0f} ms;"
        f" {len(saves)} saves after {args.warmup} warm-up"
    )
    print(f"save → reload event:  {figures(total)}")
    print(f"save → page reloaded: {figures(ms('loaded', 'saved'))}")
    split = {
        "watcher": ms("poke", "saved"),
        "quiet period": ms("started", "poke"),
        "build_site": ms("build_end", "build_start"),
        "serve's own": serve_own,
        "to the tab": ms("reload", "published"),
    }
    parts = ", ".join(f"{name} {statistics.median(v):.1f}" for name, v in split.items())
    print(f"split, medians in ms: {parts}")
    print(f"  serve's own: {figures(serve_own)} (config, promoting, publishing, the line)")
    print(f"  build_site:  {figures(split['build_site'])}")
    for name, figures_ in burst.items():
        print(
            f"{args.burst} posts written at once ({name}): {figures_['rebuilds']} rebuild(s),"
            f" last reload {figures_['ms']:.0f} ms after the first write"
        )
    print(f"Ctrl-C → exited in {exit_seconds:.2f} s")
    before = " ".join(f"{x:.2f}" for x in load_before)
    after = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"load average: before {before}, after {after}")


if __name__ == "__main__":
    sys.exit(main())
