from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from sitegen.errors import SiteError
from sitegen.frontmatter import split_front_matter, validate_meta

SHANGHAI = ZoneInfo("Asia/Shanghai")


def meta_of(text: str):
    return validate_meta("p.md", split_front_matter("p.md", text), SHANGHAI)


def error_of(text: str) -> SiteError:
    with pytest.raises(SiteError) as caught:
        meta_of(text)
    return caught.value


def test_yaml_front_matter_all_keys():
    meta = meta_of(
        "---\ntitle: 能量视角下的GAN模型(三)\ndate: 2019-05-10T09:30:00+08:00\n"
        "updated: 2020-01-02\nslug: energy-gan-3\ncategory: 生成模型\ntags: [GAN, 能量]\n"
        "series: 能量视角下的GAN模型\nseries_index: 3\nsummary: 短\ndraft: false\nmath: true\n"
        "cover: x.png\n---\nbody\n"
    )
    assert meta.title == "能量视角下的GAN模型(三)"
    assert meta.date == datetime(2019, 5, 10, 9, 30, tzinfo=timezone(timedelta(hours=8)))
    assert meta.updated == datetime(2020, 1, 2, tzinfo=SHANGHAI)
    assert (meta.slug, meta.categories, meta.tags) == (
        "energy-gan-3",
        ("生成模型",),
        ("GAN", "能量"),
    )
    assert (meta.series, meta.series_index, meta.summary) == ("能量视角下的GAN模型", 3, "短")
    assert (meta.draft, meta.math, meta.extra) == (False, True, {"cover": "x.png"})


def test_toml_front_matter():
    meta = meta_of('+++\ntitle = "T"\ndate = 2024-05-10T10:00:00+08:00\ntags = ["a"]\n+++\nbody')
    assert meta.title == "T" and meta.tags == ("a",)
    assert meta.date.utcoffset() == timedelta(hours=8)


def test_naive_datetime_is_in_site_zone():
    assert meta_of("---\ntitle: T\ndate: 2024-05-10 10:00\n---\n").date.tzinfo == SHANGHAI


def test_categories_list_and_body_line():
    split = split_front_matter("p.md", "---\ntitle: T\ncategories: [a, b, a]\n---\nbody\n")
    assert split.body == "body\n" and split.body_line == 5
    assert validate_meta("p.md", split, SHANGHAI).categories == ("a", "b")


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("title: T\n", 1, "no front matter"),
        ("---\ntitle: T\n", 1, "never closed"),
        ("---\ntitle: T\ntags: [a, b\n---\n", 4, "not valid YAML"),
        ("---\ntitle: [unclosed\ndate: 2024-01-01\n---\n", 3, "not valid YAML"),
        ('+++\ntitle = "T\n+++\n', 2, "not valid TOML"),
        ("---\n- a\n- b\n---\n", 2, "key: value"),
        ("---\ndate: 2024-01-01\n---\n", 1, "missing title"),
        ("---\ntitle: '  '\n---\n", 2, "missing title"),
        ("---\ntitle: T\ndate: 2024-13-45\n---\n", 3, "not a date"),
        ("---\ntitle: T\ndate: yesterday\n---\n", 3, "not a date"),
        ("---\ntitle: T\nupdated: [1]\n---\n", 3, "`updated` is not a date"),
        ("---\ntitle: T\ntags: gan\n---\n", 3, "`tags` must be a list"),
        ("---\ntitle: T\ntags: [{a: 1}]\n---\n", 3, "`tags` must be a list"),
        ("---\ntitle: T\ncategory: {a: 1}\n---\n", 3, "`category` must be"),
        ("---\ntitle: T\nslug: ../../x\n---\n", 3, "not a single URL segment"),
        ("---\ntitle: T\nslug: a/b\n---\n", 3, "not a single URL segment"),
        ("---\ntitle: T\nslug: .hidden\n---\n", 3, "not a single URL segment"),
        ("---\ntitle: T\nseries_index: zero\n---\n", 3, "series_index"),
        ("---\ntitle: T\nseries_index: 0\n---\n", 3, "series_index"),
        ("---\ntitle: T\ndraft: yes please\n---\n", 3, "`draft` must be a bool"),
        ("---\ntitle: T\nmath: 1\n---\n", 3, "`math` must be a bool"),
        (
            "---\ntitle: T\ndate: 2024-01-01\ntitle: U\n---\n",
            4,
            "`title` is given twice (lines 2 and 4)",
        ),
    ],
)
def test_errors_name_the_line(text: str, line: int, message: str):
    error = error_of(text)
    assert error.path == "p.md"
    assert error.line == line
    assert message in error.message
    assert error.hint  # every error says how to fix it
    assert str(error).startswith(f"p.md:{line}: ")
