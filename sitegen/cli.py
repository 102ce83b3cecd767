"""Command-line entry points: parse arguments, call one function, print, set the exit code."""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from sitegen import __version__
from sitegen.build import BuildOptions, build_site
from sitegen.config import LANGUAGES, find_site_root, load_config
from sitegen.errors import BuildFailed, SiteError

# The other commands' modules are imported when they run: a build that finds nothing
# changed must not pay for Markdown, Jinja and the web server.

SITE_HELP = "the site folder (default: the nearest folder at or above . with sitegen.toml)"
EXIT_USER_ERROR = 1
EXIT_BUG = 2


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except BuildFailed as failed:
        _print_errors(failed.errors)
        return EXIT_USER_ERROR
    except SiteError as error:
        _print_errors([error])
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        return 130
    except Exception:
        traceback.print_exc()
        print(
            f"sitegen {__version__}: this is a bug in sitegen, not in your site; please report it",
            file=sys.stderr,
        )
        return EXIT_BUG


def _build(args: argparse.Namespace) -> int:
    root = site_folder(args.site)
    report = build_site(
        root,
        BuildOptions(
            output=Path(args.output) if args.output else None,
            base_url=args.base_url,
            drafts=args.drafts,
            future=args.future,
            now=datetime.now(UTC),
            strict=args.strict,
            clean=args.clean,
            jobs=args.jobs,
            explain=args.explain,
            clean_output=args.clean_output,
            progress=True,
        ),
    )
    for line in report.explanations:
        print(line)
    for notice in report.notices:
        print(f"note: {notice}", file=sys.stderr)
    _print_errors(report.errors)
    print(report.summary())
    return EXIT_USER_ERROR if report.errors else 0


def _check(args: argparse.Namespace) -> int:
    from sitegen.check import check_site
    from sitegen.content import markdown_options

    config = load_config(site_folder(args.site))
    report = check_site(config, markdown_options(config))
    for problem in report.problems:
        print(problem)
    print(report.summary())
    return EXIT_USER_ERROR if report.problems else 0


def _new(args: argparse.Namespace) -> int:
    from sitegen.scaffold import new_site

    root = Path(args.site)
    new_site(root, title=args.title, language=args.language)
    print(f"created a new site in {root}\nnext: cd {root} && sitegen build")
    return 0


def _new_post(args: argparse.Namespace) -> int:
    from sitegen.scaffold import new_post

    path = new_post(site_folder(args.site), args.title, datetime.now(UTC))
    print(
        f"created {path} (a draft: build with --drafts to see it, remove `draft: true` to publish)"
    )
    return 0


def site_folder(given: str | None) -> Path:
    """The folder named, or else the one holding sitegen.toml at or above the current one."""
    return Path(given) if given else find_site_root(Path("."))


def _serve(args: argparse.Namespace) -> int:
    from sitegen.serve import AddressUnavailable, start_server

    root = site_folder(args.site)
    try:
        server = start_server(root, args.host, args.port, drafts=args.drafts)
    except AddressUnavailable as busy:
        print(f"error: {busy}", file=sys.stderr)
        return EXIT_USER_ERROR
    with server:
        print(f"serving {server.url} (Ctrl-C to stop)", flush=True)
        if args.open:
            import webbrowser

            webbrowser.open(server.url)
        server.wait()
    return 0


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, not {text!r}")
    return int(text)


def _print_errors(errors: list[SiteError]) -> None:
    for error in errors:
        print(f"error: {error}", file=sys.stderr)
    if errors:
        print(f"{len(errors)} error(s)", file=sys.stderr)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sitegen", description="A static site generator for math-heavy science blogs."
    )
    parser.add_argument("--version", action="version", version=f"sitegen {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, run: Callable[[argparse.Namespace], int], text: str):
        sub = commands.add_parser(name, help=text, description=text)
        sub.set_defaults(run=run)
        return sub

    build = command("build", _build, "build the site into its output folder (public/)")
    build.add_argument("site", nargs="?", help=SITE_HELP)
    build.add_argument("-o", "--output", metavar="OUT_DIR", help="output folder (default: public/)")
    build.add_argument("--base-url", metavar="URL", help="override [site] base_url")
    build.add_argument("--drafts", action="store_true", help="include posts with draft: true")
    build.add_argument("--future", action="store_true", help="include posts dated in the future")
    build.add_argument("--strict", action="store_true", help="fail on what `sitegen check` finds")
    build.add_argument(
        "-j", "--jobs", type=_positive, metavar="N", help="worker processes (default: one per core)"
    )
    build.add_argument(
        "--clean", action="store_true", help="ignore the cache in .sitegen/: render everything"
    )
    build.add_argument(
        "--explain", action="store_true", help="print each file written and why it was rebuilt"
    )
    build.add_argument(
        "--clean-output",
        action="store_true",
        help="remove files in the output folder that sitegen did not write",
    )

    check = command("check", _check, "find broken math and front matter before publishing")
    check.add_argument("site", nargs="?", help=SITE_HELP)

    new = command("new", _new, "start a new site with a config and one example post")
    new.add_argument("site", help="the folder to create")
    new.add_argument("--title", default="My math blog", help="the site's title")
    new.add_argument(
        "--language",
        choices=LANGUAGES,
        help="UI language (default: zh-CN for a Chinese title, else en)",
    )

    serve = command("serve", _serve, "preview the site locally, rebuilt and reloaded on every save")
    serve.add_argument("site", nargs="?", help=SITE_HELP)
    serve.add_argument("--port", type=int, default=8000, help="default: 8000; 0 picks a free one")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: local)")
    serve.add_argument("--drafts", action="store_true", help="include posts with draft: true")
    serve.add_argument("--open", action="store_true", help="open the site in a web browser")

    post = command("new-post", _new_post, "create content/posts/<slug>.md with front matter")
    post.add_argument("title", help="the post's title (Chinese or English)")
    post.add_argument("--site", help=SITE_HELP)
    return parser


def run() -> None:
    """The `sitegen` command. It leaves without tearing the interpreter down: freeing a big
    site's documents one by one takes longer than a no-change build (all work is done and
    every file closed by then; the output is flushed)."""
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    run()
