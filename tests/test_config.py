from pathlib import Path

import pytest

from sitegen.config import MATHJAX_CDN, find_site_root, load_config
from sitegen.errors import BuildFailed


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "sitegen.toml").write_text(text, encoding="utf-8")
    return tmp_path


def errors_of(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(BuildFailed) as caught:
        load_config(write(tmp_path, text))
    return [str(e) for e in caught.value.errors]


def test_only_site_section_is_enough(tmp_path):
    config = load_config(
        write(
            tmp_path, '[site]\ntitle = "T"\nbase_url = "https://e.org/blog"\nlanguage = "zh-CN"\n'
        )
    )
    assert config.base_path == "/blog/"
    assert config.build.posts_per_page == 10
    assert config.feeds.limit == 20
    assert config.math.mathjax_url == MATHJAX_CDN and config.math.tags == "ams"


def test_full_config(tmp_path):
    config = load_config(
        write(
            tmp_path,
            '[site]\ntitle = "T"\nbase_url = "https://e.org/"\ntimezone = "Asia/Shanghai"\n'
            "[build]\nposts_per_page = 3\nline_numbers = true\n"
            "[feeds]\nlimit = 5\n"
            '[math]\nmacros = { RR = "\\\\mathbb{R}", KL = ["\\\\mathrm{KL}(#1\\\\|#2)", 2] }\n'
            'environments = ["theorem"]\ntags = "none"\n',
        )
    )
    assert config.build.posts_per_page == 3 and config.build.line_numbers is True
    assert config.math.macros == {"RR": "\\mathbb{R}", "KL": ["\\mathrm{KL}(#1\\|#2)", 2]}
    assert config.math.environments == ("theorem",)
    assert config.zone.key == "Asia/Shanghai"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '[site]\ntitle = "T"\nbase_url = "https://e.org/"\nlangauge = "en"\n',
            "sitegen.toml:4: [site] unknown key `langauge` — did you mean `language`?",
        ),
        (
            '[site]\ntitle = "T"\nbase_url = "https://e.org/"\n[biuld]\n',
            "sitegen.toml:4: unknown section [biuld]",
        ),
        ('[site]\ntitle = "T"\n', "sitegen.toml:1: [site] is missing `base_url`"),
        ('[site]\ntitle = "T"\nbase_url = "e.org"\n', "sitegen.toml:3: [site] base_url 'e.org'"),
        (
            '[site]\ntitle = "T"\nbase_url = "https://e.org/"\nlanguage = "fr"\n',
            'sitegen.toml:4: [site] language must be "zh-CN" or "en"',
        ),
        (
            '[site]\ntitle = "T"\nbase_url = "https://e.org/"\ntimezone = "Mars/Base"\n',
            "sitegen.toml:4: [site] timezone 'Mars/Base' is not a known time zone",
        ),
        (
            '[site]\ntitle = "T"\nbase_url = "https://e.org/"\n[build]\nposts_per_page = "ten"\n',
            "sitegen.toml:5: [build] posts_per_page must be a whole number",
        ),
        (
            '[site]\ntitle = "T"\nbase_url = "https://e.org/"\n[build]\nposts_per_page = 0\n',
            "sitegen.toml:5: [build] posts_per_page must be at least 1",
        ),
        (
            '[site]\ntitle = "T"\nbase_url = "https://e.org/"\n[build]\npost_url = "/{year}/"\n',
            "sitegen.toml:5: [build] post_url '/{year}/': must contain {slug}",
        ),
        (
            '[site]\ntitle = "T"\nbase_url = "https://e.org/"\n[build]\npost_url = "/{yaer}/{slug}/"\n',
            "sitegen.toml:5: [build] post_url '/{yaer}/{slug}/': unknown placeholder {yaer}",
        ),
        (
            '[site]\ntitle = "T"\nbase_url = "https://e.org/"\n[build]\npage_url = "/{year}/{slug}/"\n',
            "sitegen.toml:5: [build] page_url '/{year}/{slug}/': unknown placeholder {year}",
        ),
        (
            '[site]\ntitle = "T"\nbase_url = "https://e.org/"\n[build]\ntheme = "nope"\n',
            "sitegen.toml:5: [build] theme 'nope' not found in themes/",
        ),
        (
            'title = "T"\nbase_url = "https://e.org/"\n',
            "sitegen.toml:1: `title` is outside any section — put it under [site]",
        ),
        (
            '[site]\ntitle = "T"\nbase_url = "https://e.org/"\n[math]\ntags = "yes"\n',
            'sitegen.toml:5: [math] tags must be "ams" or "none" or "all"',
        ),
        (
            '[site]\ntitle = "T"\nbase_url = "https://e.org/"\n[math]\nmacros = { R = 1 }\n',
            "sitegen.toml:5: [math] macro `R` must be",
        ),
        (
            '[site]\ntitle = "T"\nbase_url = "https://e.org/"\n[feeds]\nlimit = true\n',
            "sitegen.toml:5: [feeds] limit must be a whole number",
        ),
        ('[site\ntitle = "T"\n', "sitegen.toml:1: invalid TOML"),
        (
            '[site]\ntitle = "T"\nbase_url = "https://e.org/"\n[math]\ndelimiters = ["$", "["]\n',
            "sitegen.toml:5: [math] delimiters: unknown delimiter '['",
        ),
        ("[build]\nposts_per_page = 2\n", "missing [site] section"),
    ],
)
def test_each_problem_has_its_line(tmp_path, text, expected):
    assert any(expected in error for error in errors_of(tmp_path, text)), errors_of(tmp_path, text)


def test_all_problems_reported_at_once(tmp_path):
    errors = errors_of(
        tmp_path, '[site]\ntitle = 1\nbase_url = "x"\n[build]\nexcerpt = "all"\nfoo = 1\n'
    )
    assert len(errors) == 3  # title, excerpt, foo: base_url is checked once [site] is whole


def test_missing_file(tmp_path):
    with pytest.raises(BuildFailed) as caught:
        load_config(tmp_path)
    assert "sitegen new" in str(caught.value.errors[0])


def test_overrides_win(tmp_path):
    root = write(tmp_path, '[site]\ntitle = "T"\nbase_url = "https://e.org/"\n')
    config = load_config(root, {"site": {"base_url": "https://h.io/preview/"}})
    assert config.base_path == "/preview/"


def test_command_line_values_are_blamed_on_the_command_line(tmp_path):
    root = write(tmp_path, '[site]\ntitle = "T"\nbase_url = "https://e.org/"\n')
    with pytest.raises(BuildFailed) as caught:
        load_config(root, {"site": {"base_url": "host/blog"}})
    assert str(caught.value.errors[0]).startswith("command line: [site] base_url 'host/blog'")


def test_site_root_is_found_from_a_subfolder(tmp_path):
    root = write(tmp_path, '[site]\ntitle = "T"\nbase_url = "https://e.org/"\n')
    (root / "content/posts").mkdir(parents=True)
    assert find_site_root(root / "content/posts") == root
    assert find_site_root(root) == root


def test_delimiters_switch_math_families(tmp_path):
    from sitegen.content import markdown_options

    base = '[site]\ntitle = "T"\nbase_url = "https://e.org/"\n'
    both = markdown_options(load_config(write(tmp_path, base)))
    assert (both.dollars, both.brackets) == (True, True)
    only = markdown_options(load_config(write(tmp_path, base + '[math]\ndelimiters = ["\\\\("]\n')))
    assert (only.dollars, only.brackets) == (False, True)
