"""Any sequence of edits to a small site: after each, the incremental build equals a clean one."""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from pathlib import Path

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from tests.conftest import NOW, post, write_file
from tests.test_incremental import THEME, assert_same

NAMES = [f"post-{i}" for i in range(10)]  # file names, hence slugs and URLs
CATEGORIES = ["Math", "物理"]
TAGS = ["gan", "vae", "energy", "生成模型"]
TITLES = ["Energy view of GANs", "能量视角下的GAN模型", "Diffusion from scratch", "A note"]
WORDS = ["Hello", "能量", "where", "$x_1^2$", "$\\alpha + \\beta$", "$$\\int_0^1 f(x)\\,dx$$"]
BODY = st.lists(st.sampled_from([*WORDS, "\n\n", "\n\n## A heading\n\n"]), min_size=1, max_size=12)
MARKS = ["one", "two", "three"]
STATIC = ["files/a.txt", "files/b.txt", "robots-extra.txt"]
# A few months either side of NOW (2026-01-01): some posts are in the future, some share a month.
DAYS = st.dates(date(2025, 10, 1), date(2026, 3, 31)).map(date.isoformat)


class IncrementalSite(RuleBasedStateMachine):
    """A site of 3–8 posts in a temporary folder, built in place after every step."""

    def __init__(self) -> None:
        super().__init__()
        self.tmp = tempfile.TemporaryDirectory()
        self.root = Path(self.tmp.name) / "site"
        self.posts: dict[str, dict[str, object]] = {}
        self.title = "Test blog"
        self.posts_per_page = 2
        self.now = NOW

    def teardown(self) -> None:
        self.tmp.cleanup()

    # Writing the site from the machine's state.

    def save_post(self, name: str) -> None:
        meta = {key: value for key, value in self.posts[name].items() if value is not None}
        write_file(self.root, f"content/posts/{name}.md", post(**meta))

    def save_config(self) -> None:
        write_file(
            self.root,
            "sitegen.toml",
            f'[site]\ntitle = "{self.title}"\nbase_url = "https://example.org/"\n'
            f"\n[build]\nposts_per_page = {self.posts_per_page}\n",
        )

    def save_template(self, mark: str) -> None:
        text = (THEME / "_post_meta.html").read_text(encoding="utf-8")
        old = '<div class="post-meta">'
        write_file(
            self.root, "templates/_post_meta.html", text.replace(old, f"{old}<!-- {mark} -->")
        )

    def pick(self, index: int) -> str:
        return sorted(self.posts)[index % len(self.posts)]

    # Rules.

    @initialize(count=st.integers(3, 5), day=DAYS)
    def start(self, count: int, day: str) -> None:
        for i in range(count):
            self.posts[NAMES[i]] = {
                "title": TITLES[i % len(TITLES)],
                "date": day,
                "body": f"Post {i}: $x_{i}^2$.",
                "categories": [CATEGORIES[i % 2]],
                "tags": TAGS[i % 3 : i % 3 + 2],
                "series": "Diffusion" if i < 2 else None,
                "series_index": i + 1 if i < 2 else None,
            }
            self.save_post(NAMES[i])
        write_file(self.root, "content/pages/about.md", post("About", body="About $E=mc^2$."))
        write_file(self.root, "static/files/a.txt", "a static file\n")
        self.save_template(MARKS[0])
        self.save_config()

    @rule(i=st.integers(0, 7), words=BODY)
    def edit_body(self, i: int, words: list[str]) -> None:
        self.posts[self.pick(i)]["body"] = " ".join(words)
        self.save_post(self.pick(i))

    @rule(i=st.integers(0, 7), title=st.sampled_from(TITLES))
    def edit_title(self, i: int, title: str) -> None:
        self.posts[self.pick(i)]["title"] = title
        self.save_post(self.pick(i))

    @rule(i=st.integers(0, 7), day=DAYS)
    def change_date(self, i: int, day: str) -> None:
        self.posts[self.pick(i)]["date"] = day
        self.save_post(self.pick(i))

    @rule(i=st.integers(0, 7), tags=st.lists(st.sampled_from(TAGS), max_size=3, unique=True))
    def set_tags(self, i: int, tags: list[str]) -> None:
        self.posts[self.pick(i)]["tags"] = tags
        self.save_post(self.pick(i))

    @rule(i=st.integers(0, 7), category=st.sampled_from([None, *CATEGORIES]))
    def set_category(self, i: int, category: str | None) -> None:
        self.posts[self.pick(i)]["categories"] = [category] if category else None
        self.save_post(self.pick(i))

    @rule(i=st.integers(0, 7))
    def toggle_draft(self, i: int) -> None:
        meta = self.posts[self.pick(i)]
        meta["draft"] = not meta.get("draft")
        self.save_post(self.pick(i))

    @rule(i=st.integers(0, 7), index=st.sampled_from([None, 1, 2, 3]))
    def toggle_series(self, i: int, index: int | None) -> None:
        meta = self.posts[self.pick(i)]
        meta["series"] = None if meta.get("series") else "Diffusion"
        meta["series_index"] = index if meta["series"] else None
        self.save_post(self.pick(i))

    @precondition(lambda self: len(self.posts) < 8)
    @rule(day=DAYS, words=BODY)
    def add_post(self, day: str, words: list[str]) -> None:
        name = next(name for name in NAMES if name not in self.posts)
        self.posts[name] = {"title": f"New {name}", "date": day, "body": " ".join(words)}
        self.save_post(name)

    @precondition(lambda self: len(self.posts) > 3)
    @rule(i=st.integers(0, 7))
    def delete_post(self, i: int) -> None:
        name = self.pick(i)
        del self.posts[name]
        (self.root / f"content/posts/{name}.md").unlink()

    @rule(i=st.integers(0, 7))
    def rename_post(self, i: int) -> None:
        old, new = self.pick(i), next(name for name in NAMES if name not in self.posts)
        self.posts[new] = self.posts.pop(old)
        (self.root / f"content/posts/{old}.md").rename(self.root / f"content/posts/{new}.md")

    @rule(mark=st.sampled_from(MARKS))
    def edit_template(self, mark: str) -> None:
        self.save_template(mark)

    @rule(title=st.sampled_from(["Test blog", "我的博客", "Another"]))
    def change_title(self, title: str) -> None:
        self.title = title
        self.save_config()

    @rule(count=st.integers(1, 3))
    def change_posts_per_page(self, count: int) -> None:
        self.posts_per_page = count
        self.save_config()

    @rule(rel=st.sampled_from(STATIC), text=st.sampled_from(["one\n", "two\n"]))
    def write_static(self, rel: str, text: str) -> None:
        write_file(self.root, f"static/{rel}", text)

    @rule(rel=st.sampled_from(STATIC))
    def delete_static(self, rel: str) -> None:
        (self.root / "static" / rel).unlink(missing_ok=True)

    @rule(days=st.integers(1, 60))
    def time_passes(self, days: int) -> None:
        self.now += timedelta(days=days)

    @invariant()
    def incremental_equals_clean(self) -> None:
        assert_same(self.root, now=self.now)


def test_incremental_equals_clean_after_any_edits():
    run_state_machine_as_test(
        IncrementalSite,
        settings=settings(
            max_examples=20, stateful_step_count=6, deadline=None, derandomize=True, database=None
        ),
    )
